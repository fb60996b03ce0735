//! REST API 2.0 (`/2.0/…`): the subset the studio uses.
//!
//! Every call needs `Authorization: Bearer …`. Tokens are checked against the
//! OAuth store (expired → Bitbucket's "Access token expired…" 401), then the
//! consumer's scopes (403 naming granted and required scopes), then the
//! account's access (404 for anything it cannot see, as Bitbucket hides
//! private repositories; 403 when it can see but not write).

mod branches;
mod commits;
mod compare;
pub(crate) mod errors;
pub(crate) mod merge;
mod pagination;
mod query;
pub(crate) mod rate_limit;
mod render;
mod repositories;
pub(crate) mod source;
mod user;
mod workspaces;

use std::collections::BTreeSet;

use axum::extract::DefaultBodyLimit;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::routing::{any, get};
use axum::Router;
use serde_json::json;

use crate::oauth::store::AccessDenied;
use crate::Sandbox;
use errors::ApiError;

pub(crate) use pagination::Params;
pub(crate) use render::repository_html_url;

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/2.0/user", get(user::me))
        .route("/2.0/user/workspaces", get(workspaces::list))
        .route("/2.0/workspaces/{workspace}", get(workspaces::show))
        .route(
            "/2.0/user/workspaces/{workspace}/permissions/repositories",
            get(workspaces::repository_permissions),
        )
        .route("/2.0/repositories/{workspace}", get(repositories::list))
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}",
            get(repositories::show),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/refs/branches",
            get(branches::list).post(branches::create),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/refs/branches/{*name}",
            get(branches::show),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/src",
            get(source::root)
                .post(source::create)
                // `source::create` enforces its own limit with a Bitbucket 413.
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/src/{*rest}",
            get(source::read),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/commits",
            get(commits::list_all),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/commits/{*revision}",
            get(commits::list_from),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/commit/{commit}",
            get(commits::show),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/diffstat/{*spec}",
            get(compare::diffstat),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/diff/{*spec}",
            get(compare::diff),
        )
        .route(
            "/2.0/repositories/{workspace}/{repo_slug}/merge-base/{*revspec}",
            get(compare::merge_base),
        )
        .route("/2.0/repositories", any(gone))
        .route("/2.0/workspaces", any(gone))
        .route("/2.0/user/permissions/repositories", any(gone))
        .route("/2.0/user/permissions/workspaces", any(gone))
}

/// The cross-workspace listings removed by CHANGE-2770. They answer 410 even
/// without a token: the endpoint is gone, whoever asks.
async fn gone() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "This API is no longer supported.\n\nFor information about its removal, please refer to \
         the deprecation notice at: https://developer.atlassian.com/cloud/bitbucket/changelog/#CHANGE-2770",
    )
}

/// The authenticated caller of an API request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub nickname: String,
    pub scopes: Vec<String>,
}

/// The query or form field some clients put tokens in: refused since 4 May 2026 ("all OAuth
/// 2.0 authenticated API requests must … place the access token as a Bearer token in the
/// request Authorization header").
pub(crate) const ACCESS_TOKEN_PARAM: &str = "access_token";

pub(crate) fn token_outside_the_header() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "Access tokens are accepted only as \"Authorization: Bearer <token>\", not in the query string or the request body.",
    )
}

impl FromRequestParts<Sandbox> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, sb: &Sandbox) -> Result<Caller, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        if url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == ACCESS_TOKEN_PARAM)
        {
            return Err(token_outside_the_header());
        }
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Authentication required: send an OAuth 2.0 access token as \"Authorization: Bearer <token>\".",
            ));
        };
        let mut world = sb.world();
        let now = world.clock.now();
        match world.oauth.check_access(token, now) {
            Ok(t) => {
                let caller = Caller {
                    nickname: t.account.clone(),
                    scopes: t.scopes.clone(),
                };
                // An access token outlives nothing: if the account vanished
                // (a reset), the token is as good as unknown.
                if world.directory.account(&caller.nickname).is_none() {
                    return Err(invalid_token());
                }
                if parts.uri.path().starts_with(rate_limit::LIMITED_PREFIX) {
                    if let Err(limited) = world.rate_limits.admit(&caller.nickname, now) {
                        return Err(ApiError::rate_limited(limited));
                    }
                }
                Ok(caller)
            }
            Err(AccessDenied::Expired) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Access token expired. Use your refresh token to obtain a new access token.",
            )),
            Err(AccessDenied::Unknown) => Err(invalid_token()),
        }
    }
}

fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "Token is invalid, expired, or not supported for this endpoint.",
    )
}

/// Scopes a consumer scope implies, per Bitbucket's scope documentation
/// (`X:write` implies `X`, `pullrequest` implies `repository`, …).
fn effective_scopes(granted: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in granted {
        out.insert(s.clone());
        if let Some(base) = s
            .strip_suffix(":write")
            .or_else(|| s.strip_suffix(":admin"))
        {
            out.insert(base.to_owned());
        }
        match s.as_str() {
            "pullrequest" => {
                out.insert("repository".to_owned());
            }
            "pullrequest:write" => {
                out.insert("pullrequest".to_owned());
                out.insert("repository".to_owned());
                out.insert("repository:write".to_owned());
            }
            _ => {}
        }
    }
    out
}

impl Caller {
    pub(crate) fn require(&self, scope: &str) -> Result<(), ApiError> {
        if effective_scopes(&self.scopes).contains(scope) {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Your credentials lack one or more required privilege scopes.",
        )
        .with_detail(json!({ "granted": self.scopes, "required": [scope] })))
    }
}

#[cfg(test)]
mod tests {
    use super::effective_scopes;

    #[test]
    fn write_implies_read() {
        let s = effective_scopes(&["account".into(), "repository:write".into()]);
        assert!(
            s.contains("repository") && s.contains("repository:write") && s.contains("account")
        );
        assert!(!s.contains("account:write"));
    }
}
