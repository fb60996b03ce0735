//! `GET /user`, `GET /user/installations`, `GET /user/installations/{installation_id}/repositories`:
//! what a user access token shows of its user and of the app's installations the user can
//! reach (on their account and their organizations), and in each the repositories the user
//! can access, with their `permissions`.

use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use super::paging::{query_pairs, Paging};
use super::render::{self, Urls};
use super::{reply, Caller};
use crate::github::errors::{ApiError, ApiResult};
use crate::github::GitHub;

pub(super) async fn me(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let world = gh.world();
    let account = world
        .accounts
        .get(&caller.user)
        .ok_or_else(ApiError::bad_credentials)?;
    Ok(reply(
        StatusCode::OK,
        render::private_user(&Urls::of(&gh), &world, account),
    ))
}

pub(super) async fn installations(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
) -> Response {
    let pairs = query_pairs(&uri);
    let paging = Paging::of(&pairs);
    let app = gh.app_by_slug(&caller.app_slug);
    let (app_id, client_id) = app.map_or((0, ""), |a| (a.app_id, a.client_id.as_str()));
    let (page, total) = {
        let world = gh.world();
        let all = world.installations_of(&caller.user, &caller.app_slug);
        let u = Urls::of(&gh);
        let page: Vec<_> = all[paging.range(all.len())]
            .iter()
            .map(|i| render::installation(&u, &world, i, app_id, client_id))
            .collect();
        (page, all.len())
    };
    let mut response = reply(
        StatusCode::OK,
        json!({ "total_count": total, "installations": page }),
    );
    paging.link(
        &mut response,
        &format!("{}/user/installations", gh.api_url()),
        &pairs,
        total,
    );
    response
}

pub(super) async fn installation_repositories(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    uri: Uri,
) -> ApiResult {
    let pairs = query_pairs(&uri);
    let paging = Paging::of(&pairs);
    let world = gh.world();
    let installation = id
        .parse::<u64>()
        .ok()
        .and_then(|id| {
            world
                .installations_of(&caller.user, &caller.app_slug)
                .into_iter()
                .find(|i| i.id == id)
        })
        .ok_or_else(ApiError::not_found)?;
    let repos: Vec<_> = world
        .repositories
        .get(&installation.account)
        .into_iter()
        .flat_map(|r| r.values())
        .filter(|r| installation.covers(r))
        .filter_map(|r| world.permission(&caller.user, r).map(|p| (r, p)))
        .collect();
    let u = Urls::of(&gh);
    let page: Vec<_> = repos[paging.range(repos.len())]
        .iter()
        .map(|(r, p)| render::repository(&u, &world, r, *p, false))
        .collect();
    let selection = if installation.selection == crate::github::model::Selection::All {
        "all"
    } else {
        "selected"
    };
    let mut response = reply(
        StatusCode::OK,
        json!({ "total_count": repos.len(), "repository_selection": selection, "repositories": page }),
    );
    let url = format!("{}/user/installations/{id}/repositories", gh.api_url());
    paging.link(&mut response, &url, &pairs, repos.len());
    Ok(response)
}
