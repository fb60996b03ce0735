//! `POST /login/oauth/access_token`, per "Generating a user access token for a GitHub App"
//! and "Refreshing user access tokens": parameters in a form or JSON body; the answer is
//! JSON with `Accept: application/json`, else form-encoded. Every refusal is an HTTP 200
//! carrying `error`, `error_description` and `error_uri` (GitHub's
//! "Troubleshooting OAuth app access token request errors").

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::store::{Issued, Refusal, ACCESS_TTL, BAD_CODE, BAD_REFRESH, REFRESH_TTL};
use crate::github::GitHub;
use crate::ids::constant_time_eq;

const MAX_BODY: usize = 16 * 1024;
const ERRORS_PAGE: &str =
    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";
const BAD_CLIENT: Refusal = (
    "incorrect_client_credentials",
    "The client_id and/or client_secret passed are incorrect.",
);
const UNSUPPORTED: Refusal = ("unsupported_grant_type", "The grant type is not supported.");

/// JSON or form, as the client's `Accept` asks.
fn answer(headers: &HeaderMap, fields: Vec<(&'static str, Value)>) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let (content_type, body) = if wants_json {
        let map: serde_json::Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        (
            "application/json; charset=utf-8",
            Value::Object(map).to_string(),
        )
    } else {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &fields {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            form.append_pair(k, &text);
        }
        (
            "application/x-www-form-urlencoded; charset=utf-8",
            form.finish(),
        )
    };
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn refused(gh: &GitHub, headers: &HeaderMap, (error, description): Refusal) -> Response {
    gh.world().control.stats.token_requests.refused += 1;
    let anchor = error.replace('_', "-");
    answer(
        headers,
        vec![
            ("error", json!(error)),
            ("error_description", json!(description)),
            ("error_uri", json!(format!("{ERRORS_PAGE}#{anchor}"))),
        ],
    )
}

fn issued(headers: &HeaderMap, (access, refresh): Issued) -> Response {
    answer(
        headers,
        vec![
            ("access_token", json!(access)),
            ("expires_in", json!(ACCESS_TTL.as_secs())),
            ("refresh_token", json!(refresh)),
            ("refresh_token_expires_in", json!(REFRESH_TTL.as_secs())),
            ("scope", json!("")),
            ("token_type", json!("bearer")),
        ],
    )
}

/// The body's parameters: a JSON object of strings, or a form.
fn params(headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !is_json {
        return super::parse_pairs(body);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) async fn token(State(gh): State<GitHub>, headers: HeaderMap, body: Bytes) -> Response {
    if body.len() > MAX_BODY {
        return refused(&gh, &headers, BAD_CLIENT);
    }
    let params = params(&headers, &body);
    let get = |k: &str| super::field(&params, k);
    let grant_type = get("grant_type").unwrap_or("authorization_code");
    {
        let mut world = gh.world();
        let counters = &mut world.control.stats.token_requests;
        match grant_type {
            "authorization_code" => counters.authorization_code += 1,
            "refresh_token" => counters.refresh_token += 1,
            _ => {}
        }
    }
    if !matches!(grant_type, "authorization_code" | "refresh_token") {
        return refused(&gh, &headers, UNSUPPORTED);
    }
    let client = get("client_id")
        .and_then(|id| gh.app_by_client(id))
        .filter(|app| {
            get("client_secret")
                .is_some_and(|s| constant_time_eq(s.as_bytes(), app.client_secret.as_bytes()))
        });
    let Some(client) = client else {
        return refused(&gh, &headers, BAD_CLIENT);
    };
    let result = {
        let mut world = gh.world();
        let now = world.clock.now();
        if grant_type == "refresh_token" {
            let token = get("refresh_token").unwrap_or("");
            if world.oauth.was_used(token) {
                world.control.stats.token_requests.rotated_refresh_reused += 1;
            }
            match token {
                "" => Err(BAD_REFRESH),
                t => world.oauth.refresh(&client.client_id, t, now),
            }
        } else {
            match get("code") {
                None | Some("") => Err(BAD_CODE),
                Some(code) => world.oauth.redeem_code(
                    &client.client_id,
                    code,
                    get("redirect_uri"),
                    get("code_verifier"),
                    now,
                ),
            }
        }
    };
    match result {
        Ok(pair) => issued(&headers, pair),
        Err(refusal) => refused(&gh, &headers, refusal),
    }
}
