//! The website pages beyond sign-in and consent: the stand-in for the page that creates a
//! pull request.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::api::{normal_key, normal_slug, short_name, Query};
use super::{not_found_page, oauth, DataCenter};
use crate::html::pull_request_page;

pub(crate) fn routes() -> Router<DataCenter> {
    Router::new().route(
        "/projects/{projectKey}/repos/{repositorySlug}/pull-requests",
        get(create_pull_request),
    )
}

/// `GET /projects/{projectKey}/repos/{repositorySlug}/pull-requests?create&sourceBranch=
/// refs/heads/{branch}&targetBranch=refs/heads/{branch}`: Data Center's own "Create pull
/// request" page, the link its answer to a `git push` of a new branch prints ("Create pull
/// request for {branch}: …/projects/{KEY}/repos/{slug}/pull-requests?create&sourceBranch=
/// refs/heads/{branch}"). The stand-in shows the repository (`KEY/slug`) and both branches
/// by their short names; the target defaults to the default branch, as DC's form does. No
/// sign-in is asked (unlike DC), as the page shows nothing the link does not carry but the
/// repository's name. Without `create` (the list of pull requests, not emulated), or for
/// an unknown repository, the 404 page.
async fn create_pull_request(
    State(dc): State<DataCenter>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let param = |name: &str| q.get(name).map(|v| short_name(v).to_owned());
    let found = {
        let world = dc.world();
        world
            .repository(&normal_key(&key), &normal_slug(&slug))
            .map(|r| {
                (
                    format!("{}/{}", r.project_key, r.slug),
                    r.default_branch.clone(),
                )
            })
    };
    let Some((full_name, default_branch)) = found else {
        return oauth::error_page(
            &dc,
            StatusCode::NOT_FOUND,
            "Repository not found",
            "This repository does not exist, or you do not have access to it.",
        );
    };
    if param("create").is_none() {
        return not_found_page(&dc, "/projects");
    }
    let body = pull_request_page(
        "Create a pull request",
        "Bitbucket Data Center",
        &full_name,
        &param("sourceBranch").unwrap_or_default(),
        &param("targetBranch").unwrap_or(default_branch),
    );
    oauth::respond(&dc, StatusCode::OK, "Create a pull request", &body)
}
