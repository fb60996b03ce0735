//! The REST subset under `/api/v3`, per GitHub's description
//! (`sandbox/openapi/github.openapi.json`).
//!
//! Every call but `DELETE /applications/{client_id}/grant` (Basic auth with the app's
//! credentials) needs a user access token, as `Authorization: Bearer ghu_…` or
//! `token ghu_…`: none is 401 "Requires authentication", a bad, expired or revoked one 401
//! "Bad credentials". Then GitHub's primary rate limit: 5,000 requests an hour per user;
//! exhausted, 403 with `x-ratelimit-remaining: 0` ("Rate limits for the REST API"). Every
//! answer carries the `x-ratelimit-*` headers and an `x-github-request-id`.

pub(crate) mod compare;
mod contents;
mod git;
mod grant;
mod paging;
mod render;
mod repos;
mod user;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde::de::DeserializeOwned;

use super::errors::{ApiError, ApiResult};
use super::model::{Permission, Repository};
use super::world::{World, RATE_LIMIT};
use super::GitHub;

/// The REST API root, relative to the base URL (GitHub Enterprise Server's layout).
pub(crate) const API: &str = "/api/v3";
const REPO: &str = "/api/v3/repos/{owner}/{repo}";

pub(crate) fn routes(gh: &GitHub) -> Router<GitHub> {
    let repo = |tail: &str| format!("{REPO}{tail}");
    let user_routes = Router::new()
        .route("/api/v3/user", get(user::me))
        .route("/api/v3/user/installations", get(user::installations))
        .route(
            "/api/v3/user/installations/{installation_id}/repositories",
            get(user::installation_repositories),
        )
        .route(REPO, get(repos::show))
        .route(&repo("/branches"), get(repos::branches))
        .route(&repo("/branches/{*branch}"), get(repos::branch))
        .route(&repo("/compare/{*basehead}"), get(compare::compare))
        .route(&repo("/git/ref/{*ref}"), get(git::get_ref))
        .route(&repo("/git/refs"), post(git::create_ref))
        .route(
            &repo("/git/refs/{*ref}"),
            axum::routing::patch(git::update_ref).delete(git::delete_ref),
        )
        .route(&repo("/git/commits"), post(git::create_commit))
        .route(&repo("/git/commits/{commit_sha}"), get(git::get_commit))
        .route(&repo("/git/trees"), post(git::create_tree))
        .route(&repo("/git/trees/{tree_sha}"), get(git::get_tree))
        .route(&repo("/git/blobs"), post(git::create_blob))
        .route(&repo("/contents"), get(contents::get_root))
        .route(&repo("/contents/"), get(contents::get_root))
        .route(
            &repo("/contents/{*path}"),
            get(contents::get)
                .put(contents::put)
                .delete(contents::delete),
        )
        .route(&repo("/commits"), get(contents::commits))
        .route_layer(axum::middleware::from_fn_with_state(
            gh.clone(),
            authenticate,
        ));
    user_routes
        .route(
            "/api/v3/applications/{client_id}/grant",
            delete(grant::delete_grant),
        )
        .layer(axum::middleware::from_fn(common_headers))
        .layer(axum::extract::DefaultBodyLimit::max(100 * 1024 * 1024))
}

/// The user a token speaks for, and its app.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub user: String,
    pub app_slug: String,
}

fn token_of(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let ok = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    (ok && !token.trim().is_empty()).then(|| token.trim().to_owned())
}

fn set(headers: &mut HeaderMap, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        headers.insert(name, v);
    }
}

/// `x-ratelimit-*` for a window, on `headers`.
fn rate_headers(headers: &mut HeaderMap, limit: u32, used: u32, reset: i64) {
    set(headers, "x-ratelimit-limit", limit);
    set(headers, "x-ratelimit-remaining", limit.saturating_sub(used));
    set(headers, "x-ratelimit-used", used);
    set(headers, "x-ratelimit-reset", reset);
    set(headers, "x-ratelimit-resource", "core");
}

/// The headers every API answer carries; a call without a user (401, the grant endpoint)
/// counts against the 60-an-hour unauthenticated limit, shown as unused.
async fn common_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if !h.contains_key("x-ratelimit-limit") {
        let reset = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
        rate_headers(h, 60, 0, reset);
    }
    set(
        h,
        "x-github-request-id",
        crate::ids::random_alphanumeric(16).to_ascii_uppercase(),
    );
    set(h, "x-github-media-type", "github.v3; format=json");
    response
}

async fn authenticate(State(gh): State<GitHub>, mut request: Request, next: Next) -> Response {
    let Some(token) = token_of(request.headers()) else {
        return ApiError::new(StatusCode::UNAUTHORIZED, "Requires authentication").into_response();
    };
    let (caller, used, reset) = {
        let mut world = gh.world();
        let now = world.clock.now();
        let Some(grant) = world.oauth.check_access(&token, now) else {
            return ApiError::bad_credentials().into_response();
        };
        let Some(app) = gh.app_by_client(&grant.client_id) else {
            return ApiError::bad_credentials().into_response();
        };
        let id = world.accounts.get(&grant.user).map_or(0, |a| a.id);
        let window = *world.rate_window(&grant.user);
        let reset = world.reset_epoch(&window);
        if window.used >= RATE_LIMIT {
            let mut r = ApiError::new(
                StatusCode::FORBIDDEN,
                format!("API rate limit exceeded for user ID {id}."),
            )
            .doc("https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
            .into_response();
            rate_headers(r.headers_mut(), RATE_LIMIT, RATE_LIMIT, reset);
            return r;
        }
        world.rate_window(&grant.user).used += 1;
        (
            Caller {
                user: grant.user,
                app_slug: app.slug.clone(),
            },
            window.used + 1,
            reset,
        )
    };
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    rate_headers(response.headers_mut(), RATE_LIMIT, used, reset);
    response
}

/// A JSON request body: unparsable is GitHub's 400 "Problems parsing JSON", the wrong shape
/// a 422.
pub(crate) fn json_body<T: DeserializeOwned>(body: &Bytes) -> ApiResult<T> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "Problems parsing JSON"))?;
    serde_json::from_value(value)
        .map_err(|e| ApiError::unprocessable(format!("Invalid request.\n\n{e}")))
}

/// A repository the caller's token sees, with what it may do there; 404 otherwise (GitHub
/// hides what a token cannot see).
pub(crate) fn visible<'w>(
    world: &'w World,
    caller: &Caller,
    owner: &str,
    name: &str,
) -> ApiResult<(&'w Repository, Permission)> {
    let repo = world
        .repository(&owner.to_ascii_lowercase(), &name.to_ascii_lowercase())
        .ok_or_else(ApiError::not_found)?;
    let p = world
        .token_permission(&caller.user, &caller.app_slug, repo)
        .ok_or_else(ApiError::not_found)?;
    Ok((repo, p))
}

/// As [`visible`], and the caller may push.
pub(crate) fn writable(world: &World, caller: &Caller, owner: &str, name: &str) -> ApiResult<()> {
    let (_, p) = visible(world, caller, owner, name)?;
    if p >= Permission::Push {
        Ok(())
    } else {
        Err(ApiError::not_accessible())
    }
}

/// A JSON answer with GitHub's content type and a status.
pub(crate) fn reply(status: StatusCode, value: serde_json::Value) -> Response {
    (status, axum::Json(value)).into_response()
}
