//! The github.com pages beyond sign-in, consent and installations: the stand-in for the
//! page that opens a pull request.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::api::compare::split_basehead;
use super::api::API;
use super::errors::ApiError;
use super::oauth::pages;
use super::GitHub;
use crate::html::pull_request_page;

pub(crate) fn routes() -> Router<GitHub> {
    Router::new().route(
        "/{owner}/{repo}/compare/{*basehead}",
        get(open_pull_request),
    )
}

/// `GET /{owner}/{repo}/compare/{base}...{head}` (with `?expand=1`, as GitHub's "Compare &
/// pull request" button, or `?quick_pull=1`): github.com's page that opens a pull request
/// ("Using query parameters to create a pull request", GitHub Docs: "You can add query
/// parameters to a compare URL to open a pull request"). The stand-in shows the repository
/// and the two branches, under the same labels as the Bitbucket sandboxes' pages:
/// "Destination branch" is `base`, "Source branch" is `head`. No sign-in is asked, as the
/// page shows nothing the link does not carry but the repository's name. An unknown
/// repository, or a path that is not `base...head`, is the 404 page.
async fn open_pull_request(
    State(gh): State<GitHub>,
    Path((owner, name, basehead)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    if uri.path().starts_with(API) {
        return ApiError::not_found().into_response();
    }
    let found = gh
        .world()
        .repository(&owner.to_ascii_lowercase(), &name.to_ascii_lowercase())
        .and_then(|r| {
            let (base, head) = split_basehead(&basehead, &r.owner)?;
            Some((r.full_name(), base.to_owned(), head.to_owned()))
        });
    let Some((full_name, base, head)) = found else {
        return pages::error_page(
            &gh,
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is no such repository or comparison in the GitHub sandbox.",
        );
    };
    let body = pull_request_page("Open a pull request", "GitHub", &full_name, &head, &base);
    pages::respond(&gh, StatusCode::OK, "Open a pull request", &body)
}
