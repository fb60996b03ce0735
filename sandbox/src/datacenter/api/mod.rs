//! The REST subset: `/rest/api/latest/…` and `/rest/branch-utils/latest/…`, per
//! Atlassian's Data Center 9.2 document.
//!
//! Requests pass [`authenticate`] first: no `Authorization` header is an anonymous caller
//! (DC lets anonymous users see public repositories and `application-properties`); a bearer
//! token must be live, and then every answer, error or not, names its user in
//! `X-AUSERNAME`: DC has no "who am I" endpoint in its REST document, and that header (on
//! an answer that needs a user, such as `GET /users?limit=1`) or the application-links
//! servlet's `whoami` is how a client learns it.
//! A bad, expired or revoked token is a 401 before any handler runs.

mod access;
mod branches;
mod commits;
mod compare;
mod content;
mod edit;
mod instance;
mod paging;
mod render;
mod repos;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

pub(crate) use access::{normal_key, normal_slug, Caller};
pub(crate) use branches::short_name;
pub(crate) use content::repo_path;
pub(crate) use paging::Query;

use super::errors::DcError;
use super::oauth::scopes::cap_of;
use super::oauth::store::Denied;
use super::DataCenter;

/// The repository routes' common prefix, named as the document names its parameters.
const REPO: &str = "/rest/api/latest/projects/{projectKey}/repos/{repositorySlug}";
const BRANCH_UTILS: &str =
    "/rest/branch-utils/latest/projects/{projectKey}/repos/{repositorySlug}/branches";
/// The application-links servlet's "who am I" (outside the REST API).
pub(crate) const WHOAMI: &str = "/plugins/servlet/applinks/whoami";
/// Longest request path and query accepted: file paths are bounded more tightly by the
/// handlers; these only stop absurd requests early.
const MAX_PATH: usize = 4096;
const MAX_QUERY: usize = 8192;

pub(crate) fn routes(dc: &DataCenter) -> Router<DataCenter> {
    let repo = |tail: &str| format!("{REPO}{tail}");
    Router::new()
        .route(
            "/rest/api/latest/application-properties",
            get(instance::application_properties),
        )
        .route("/rest/api/latest/users", get(instance::users))
        .route("/rest/api/latest/users/{userSlug}", get(instance::user))
        .route(WHOAMI, get(instance::whoami))
        .route("/rest/api/latest/projects", get(repos::projects))
        .route("/rest/api/latest/repos", get(repos::list))
        .route(REPO, get(repos::show))
        .route(
            &repo("/branches"),
            get(branches::list).post(branches::create),
        )
        .route(
            &repo("/branches/default"),
            get(branches::default_branch_ref),
        )
        .route(&repo("/default-branch"), get(branches::configured_default))
        .route(
            BRANCH_UTILS,
            post(branches::create_utils).delete(branches::delete_utils),
        )
        .route(&repo("/browse"), get(content::browse_root))
        .route(
            &repo("/browse/{*path}"),
            get(content::browse)
                .put(edit::edit_file)
                // `edit_file` enforces its own limit with a DC error body.
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(&repo("/raw/{*path}"), get(content::raw))
        .route(&repo("/files"), get(content::files_root))
        .route(&repo("/files/{*path}"), get(content::files))
        .route(&repo("/last-modified"), get(content::last_modified_root))
        .route(&repo("/last-modified/{*path}"), get(content::last_modified))
        .route(&repo("/commits"), get(commits::list))
        .route(&repo("/commits/{commitId}"), get(commits::show))
        .route(&repo("/compare/changes"), get(compare::changes))
        .route(&repo("/compare/commits"), get(compare::commits))
        .route(&repo("/compare/diff"), get(compare::diff_all))
        .route(&repo("/compare/diff/{*path}"), get(compare::diff))
        .route_layer(axum::middleware::from_fn_with_state(
            dc.clone(),
            authenticate,
        ))
}

/// Whether `path` (relative to the base URL) is a REST API call: counted, delayed, faulted.
pub(crate) fn is_rest(path: &str) -> bool {
    path.starts_with("/rest/api/") || path.starts_with("/rest/branch-utils/")
}

/// DC's answer for a REST path it does not have.
pub(crate) fn not_found() -> Response {
    DcError::new(
        StatusCode::NOT_FOUND,
        super::errors::NOT_FOUND,
        "No resource exists at this path.",
    )
    .into_response()
}

fn bearer(request: &Request) -> Result<Option<String>, DcError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| DcError::unauthenticated("The Authorization header is malformed."))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(DcError::unauthenticated(
            "Only OAuth 2.0 access tokens are accepted here: send \"Authorization: Bearer <token>\".",
        )),
    }
}

async fn authenticate(State(dc): State<DataCenter>, mut request: Request, next: Next) -> Response {
    if request.uri().path().len() > MAX_PATH
        || request.uri().query().is_some_and(|q| q.len() > MAX_QUERY)
    {
        return DcError::new(
            StatusCode::URI_TOO_LONG,
            super::errors::VALIDATION,
            "The request URI is too long.",
        )
        .into_response();
    }
    let token = match bearer(&request) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let caller = match token {
        None => Caller::anonymous(),
        Some(token) => {
            let world = dc.world();
            let now = world.clock.now();
            match world.oauth.check_access(&token, now) {
                Ok(grant) if world.users.contains_key(&grant.user) => Caller {
                    cap: cap_of(&grant.scopes),
                    user: Some(grant.user),
                },
                Ok(_) | Err(Denied::Unknown) => {
                    return DcError::unauthenticated("The access token is not valid.")
                        .into_response()
                }
                Err(Denied::Expired) => {
                    return DcError::unauthenticated("The access token has expired.")
                        .into_response()
                }
                Err(Denied::Revoked) => {
                    return DcError::unauthenticated("The access token has been revoked.")
                        .into_response()
                }
            }
        }
    };
    let user = caller.user.clone();
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    if let Some(v) = user.and_then(|u| HeaderValue::from_str(&u).ok()) {
        response.headers_mut().insert("x-ausername", v);
    }
    response
}
