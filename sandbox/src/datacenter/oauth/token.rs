//! `POST /rest/oauth2/latest/token` (RFC 6749 §3.2, form-encoded).
//!
//! The client authenticates with exactly one method: `client_id` and `client_secret` in the
//! body, or HTTP Basic (RFC 6749 §2.3.1 forbids using more than one; both present is an
//! `invalid_request`). Grants: `authorization_code` (with PKCE) and `refresh_token`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use super::scopes;
use super::store::{Issued, OAuthError, ACCESS_TTL};
use crate::datacenter::{DataCenter, DcClient};
use crate::ids::constant_time_eq;
use crate::oauth::token::{invalid_client_in, is_form, oauth_error};

/// Largest token request body read.
const MAX_BODY: usize = 16 * 1024;

fn bad_request(error: &'static str, description: impl Into<String>) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, &description.into())
}

fn refused(e: OAuthError) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, e.error, &e.description)
}

fn invalid_client(description: &str, basic: bool) -> Response {
    invalid_client_in(description, basic.then_some("Bitbucket"))
}

/// `Some(Ok((id, secret)))` for a well-formed Basic header, `Some(Err(()))` for a malformed
/// one, `None` without one. Id and secret are form-decoded, as RFC 6749 §2.3.1 has clients
/// encode them (a no-op for plain ones).
fn basic(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    Some(
        decoded
            .and_then(|s| {
                s.split_once(':')
                    .map(|(id, secret)| (decode(id), decode(secret)))
            })
            .ok_or(()),
    )
}

enum ClientAuth {
    Ok(DcClient),
    Refused(Response),
}

fn authenticate(dc: &DataCenter, headers: &HeaderMap, params: &[(String, String)]) -> ClientAuth {
    let get = |name: &str| super::field(params, name);
    let in_body = get("client_secret").is_some();
    let (id, secret, via_basic) = match basic(headers) {
        Some(_) if in_body => {
            return ClientAuth::Refused(bad_request(
                "invalid_request",
                "Use one client authentication method: HTTP Basic or client_secret in the body, not both.",
            ))
        }
        Some(Err(())) => {
            return ClientAuth::Refused(invalid_client(
                "Malformed Basic authorization header.",
                true,
            ))
        }
        Some(Ok((id, secret))) => {
            if get("client_id").is_some_and(|body_id| body_id != id) {
                return ClientAuth::Refused(bad_request(
                    "invalid_request",
                    "The client_id in the body does not match the Authorization header.",
                ));
            }
            (id, secret, true)
        }
        None => match (get("client_id"), get("client_secret")) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned(), false),
            _ => {
                return ClientAuth::Refused(invalid_client(
                    "Client authentication is required: HTTP Basic, or client_id and client_secret in the body.",
                    false,
                ))
            }
        },
    };
    match dc
        .client(&id)
        .filter(|c| constant_time_eq(c.secret.as_bytes(), secret.as_bytes()))
    {
        Some(client) => ClientAuth::Ok(client.clone()),
        None => ClientAuth::Refused(invalid_client(
            "The client credentials are invalid.",
            via_basic,
        )),
    }
}

fn success(issued: Issued) -> Response {
    let mut response = Json(json!({
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": ACCESS_TTL.as_secs(),
        "refresh_token": issued.refresh_token,
        "scope": scopes::join(&issued.scopes),
    }))
    .into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

pub(crate) async fn token(
    State(dc): State<DataCenter>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if body.len() > MAX_BODY {
        return bad_request("invalid_request", "The request body is too large.");
    }
    let params = if is_form(&headers) {
        super::parse_pairs(&body)
    } else {
        Vec::new()
    };
    let grant_type = super::field(&params, "grant_type").map(str::to_owned);
    {
        let mut world = dc.world();
        let counters = &mut world.control.stats.token_requests;
        match grant_type.as_deref() {
            Some("authorization_code") => counters.authorization_code += 1,
            Some("refresh_token") => counters.refresh_token += 1,
            _ => {}
        }
    }
    if !is_form(&headers) {
        return bad_request(
            "invalid_request",
            "The body must be application/x-www-form-urlencoded.",
        );
    }
    for (i, (k, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(seen, _)| seen == k) {
            return bad_request(
                "invalid_request",
                format!("The parameter {k} was sent more than once."),
            );
        }
    }
    let client = match authenticate(&dc, &headers, &params) {
        ClientAuth::Ok(c) => c,
        ClientAuth::Refused(response) => return response,
    };
    let get = |name: &str| super::field(&params, name);
    let missing = |name: &str| bad_request("invalid_request", format!("The {name} is missing."));
    let result = match grant_type.as_deref() {
        None => return missing("grant_type"),
        Some("authorization_code") => {
            let Some(code) = get("code") else {
                return missing("code");
            };
            let mut world = dc.world();
            let now = world.clock.now();
            world.oauth.redeem_code(
                &client.id,
                code,
                get("redirect_uri"),
                get("code_verifier"),
                now,
            )
        }
        Some("refresh_token") => {
            let Some(token) = get("refresh_token") else {
                return missing("refresh_token");
            };
            let mut world = dc.world();
            let now = world.clock.now();
            if world.oauth.was_rotated(token) {
                world.control.stats.token_requests.rotated_refresh_reused += 1;
            }
            world.oauth.refresh(&client.id, token, now)
        }
        Some(other) => {
            return bad_request(
                "unsupported_grant_type",
                format!("Unsupported grant type: {other}"),
            )
        }
    };
    match result {
        Ok(issued) => success(issued),
        Err(e) => refused(e),
    }
}
