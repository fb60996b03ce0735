//! `POST /site/oauth2/access_token`.
//!
//! Bitbucket quirks reproduced on purpose because the studio must cope with
//! them: the body must be form-encoded (a JSON body leaves `grant_type`
//! unread, hence `invalid_grant` "Unsupported grant type: None"), the scopes
//! come back as `scope` (space separated; `scopes` before May 2026), every
//! refresh rotates the refresh token, tokens are long (over 2,500 characters)
//! and the answer carries a `state` naming the grant type.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use super::store::{OAuthError, TokenGrant, ACCESS_TTL};
use crate::ids::constant_time_eq;
use crate::{Consumer, Sandbox};

pub(crate) const TOKEN_ROUTE: &str = "/site/oauth2/access_token";

/// An OAuth error response (RFC 6749 §5.2).
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store(
        (
            status,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
    )
}

fn no_store(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn bad_request(e: OAuthError) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, e.error, &e.description)
}

fn invalid_client(description: &str, basic: bool) -> Response {
    invalid_client_in(description, basic.then_some("Bitbucket.org HTTP"))
}

/// RFC 6749 §5.2 `invalid_client`, 401; a client that tried HTTP Basic is told the realm.
pub(crate) fn invalid_client_in(description: &str, basic_realm: Option<&'static str>) -> Response {
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    if let Some(realm) = basic_realm {
        let challenge = format!("Basic realm=\"{realm}\"");
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

/// Whether the request body is a form (`application/x-www-form-urlencoded`).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// `Some(Ok((id, secret)))` for a well-formed Basic header, `Some(Err(()))`
/// for a malformed one, `None` without one.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD
        .decode(rest.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(
        decoded
            .and_then(|s| {
                s.split_once(':')
                    .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
            })
            .ok_or(()),
    )
}

/// RFC 6749 §2.3.1 has clients form-encode id and secret inside Basic; many
/// do not. Accept either spelling.
fn form_decoded(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A failed client authentication: the description, and whether Basic was
/// used (then the 401 carries `WWW-Authenticate`).
struct ClientRefused(&'static str, bool);

fn authenticate<'a>(
    sb: &'a Sandbox,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> Result<&'a Consumer, ClientRefused> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (id, secret, basic) = match basic_credentials(headers) {
        Some(Ok((id, secret))) => {
            if get("client_id").is_some_and(|form_id| form_id != id && form_id != form_decoded(&id))
            {
                return Err(ClientRefused(
                    "The client_id in the body does not match the Authorization header.",
                    true,
                ));
            }
            (id, secret, true)
        }
        Some(Err(())) => {
            return Err(ClientRefused("Malformed Basic authorization header.", true));
        }
        None => {
            match (get("client_id"), get("client_secret")) {
                (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned(), false),
                _ => return Err(ClientRefused(
                    "Client credentials missing; this request needs to include client credentials.",
                    false,
                )),
            }
        }
    };
    let candidates = [
        (id.clone(), secret.clone()),
        (form_decoded(&id), form_decoded(&secret)),
    ];
    candidates
        .iter()
        .find_map(|(id, secret)| {
            sb.consumer(id)
                .filter(|c| constant_time_eq(c.secret.as_bytes(), secret.as_bytes()))
        })
        .ok_or(ClientRefused("Invalid OAuth client credentials", basic))
}

fn success(grant: TokenGrant, grant_type: &str) -> Response {
    no_store(
        Json(json!({
            "access_token": grant.access_token,
            // Since 4 May 2026 the granted scopes come back as `scope` (older answers said
            // `scopes`); space separated.
            "scope": grant.scopes.join(" "),
            "expires_in": ACCESS_TTL.as_secs(),
            "refresh_token": grant.refresh_token,
            "token_type": "bearer",
            "state": grant_type,
        }))
        .into_response(),
    )
}

pub(crate) async fn access_token(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params: Vec<(String, String)> = if is_form(&headers) {
        url::form_urlencoded::parse(&body).into_owned().collect()
    } else {
        Vec::new()
    };
    let grant_type = params
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.clone());
    {
        let mut world = sb.world();
        let counters = &mut world.control.stats.token_requests;
        match grant_type.as_deref() {
            Some("authorization_code") => counters.authorization_code += 1,
            Some("refresh_token") => counters.refresh_token += 1,
            _ => {}
        }
    }
    let client = match authenticate(&sb, &headers, &params) {
        Ok(c) => c,
        Err(ClientRefused(description, basic)) => return invalid_client(description, basic),
    };
    for (i, (k, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(seen, _)| seen == k) {
            return bad_request(OAuthError {
                error: "invalid_request",
                description: format!("The parameter {k} was sent more than once."),
            });
        }
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let missing = |name: &str| {
        bad_request(OAuthError {
            error: "invalid_request",
            description: format!("Missing {name} parameter."),
        })
    };
    match grant_type.as_deref() {
        None => bad_request(OAuthError {
            error: "invalid_grant",
            description: "Unsupported grant type: None".into(),
        }),
        Some("authorization_code") => {
            let Some(code) = get("code") else {
                return missing("code");
            };
            let result = {
                let mut world = sb.world();
                let now = world.clock.now();
                world.oauth.redeem_code(
                    client,
                    code,
                    get("redirect_uri"),
                    get("code_verifier"),
                    now,
                )
            };
            match result {
                Ok(grant) => success(grant, "authorization_code"),
                Err(e) => bad_request(e),
            }
        }
        Some("refresh_token") => {
            let Some(token) = get("refresh_token") else {
                return missing("refresh_token");
            };
            let result = {
                let mut world = sb.world();
                let now = world.clock.now();
                if world.oauth.was_rotated(token) {
                    world.control.stats.token_requests.rotated_refresh_reused += 1;
                }
                world.oauth.refresh(client, token, now)
            };
            match result {
                Ok(grant) => success(grant, "refresh_token"),
                Err(e) => bad_request(e),
            }
        }
        Some(other) => bad_request(OAuthError {
            error: "unsupported_grant_type",
            description: format!("Unsupported grant type: {other}"),
        }),
    }
}
