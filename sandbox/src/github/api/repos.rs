//! `GET /repos/{owner}/{repo}` (`full-repository`), `GET …/branches` (`short-branch`
//! items, by name, paged) and `GET …/branches/{branch}` (`branch-with-protection`). Nothing
//! is protected in the sandbox: `protected=true` lists no branch.

use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::{json, Value};

use super::paging::{param, query_pairs, Paging};
use super::render::{self, Urls};
use super::{reply, visible, Caller};
use crate::github::errors::{ApiError, ApiResult};
use crate::github::GitHub;

pub(super) async fn show(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): Path<(String, String)>,
) -> ApiResult {
    let world = gh.world();
    let (repo, p) = visible(&world, &caller, &owner, &name)?;
    Ok(reply(
        StatusCode::OK,
        render::repository(&Urls::of(&gh), &world, repo, p, true),
    ))
}

pub(super) async fn branches(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult {
    let pairs = query_pairs(&uri);
    let paging = Paging::of(&pairs);
    let world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    let all: Vec<(&String, &String)> = match param(&pairs, "protected") {
        Some("true") => Vec::new(),
        _ => repo.branches.iter().collect(),
    };
    let api = Urls::of(&gh).repo(repo);
    let page: Vec<Value> = all[paging.range(all.len())]
        .iter()
        .map(|(branch, sha)| {
            json!({
                "name": branch,
                "commit": {"sha": sha, "url": format!("{api}/commits/{sha}")},
                "protected": false,
            })
        })
        .collect();
    let mut response = reply(StatusCode::OK, Value::Array(page));
    paging.link(&mut response, &format!("{api}/branches"), &pairs, all.len());
    Ok(response)
}

pub(super) async fn branch(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, branch)): Path<(String, String, String)>,
) -> ApiResult {
    let world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    let tip = repo
        .tip(&branch)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "Branch not found"))?;
    let u = Urls::of(&gh);
    let api = u.repo(repo);
    Ok(reply(
        StatusCode::OK,
        json!({
            "name": branch,
            "commit": render::commit(&u, &world, repo, tip),
            "_links": {
                "self": format!("{api}/branches/{branch}"),
                "html": format!("{}/{}/tree/{branch}", u.web, repo.full_name()),
            },
            "protected": false,
            "protection": {"enabled": false, "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []}},
            "protection_url": format!("{api}/branches/{branch}/protection"),
        }),
    ))
}
