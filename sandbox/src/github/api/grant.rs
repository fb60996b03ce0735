//! `DELETE /applications/{client_id}/grant`: the app deletes a user's authorization, with
//! HTTP Basic authentication by its client id and secret and the user's `access_token` in
//! the body. 204, and every token of that user for the app is dead; 422 for a token that is
//! not the app's. Wrong client credentials are answered 404, as GitHub answers requests whose
//! authentication fails where revealing the resource would leak it ("Troubleshooting the
//! REST API").

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::json_body;
use crate::github::errors::{ApiError, ApiResult};
use crate::github::GitHub;
use crate::ids::constant_time_eq;

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

#[derive(Deserialize)]
struct Body {
    access_token: String,
}

pub(super) async fn delete_grant(
    State(gh): State<GitHub>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let app = basic(&headers)
        .filter(|(id, _)| *id == client_id)
        .and_then(|(id, secret)| {
            gh.app_by_client(&id)
                .filter(|a| constant_time_eq(a.client_secret.as_bytes(), secret.as_bytes()))
        })
        .ok_or_else(ApiError::not_found)?;
    let body: Body = json_body(&body)?;
    let mut world = gh.world();
    let now = world.clock.now();
    let grant = world
        .oauth
        .check_access(&body.access_token, now)
        .filter(|g| g.client_id == app.client_id)
        .ok_or_else(|| {
            let mut e = ApiError::unprocessable("Validation Failed");
            e.errors = Some(
                json!([{"resource": "OauthAccess", "field": "access_token", "code": "invalid"}]),
            );
            e
        })?;
    world.oauth.revoke(&grant.user, &grant.client_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}
