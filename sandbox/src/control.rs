//! The control API (`/_control/…`) and the gate every other request passes.
//!
//! Tests and benchmarks need to provoke what Bitbucket does only on a bad day
//! (slow answers, 5xx, 429 with `Retry-After`) and what it does only after
//! hours (token expiry), and to count round trips. The gate applies latency
//! and injected faults *before* a handler runs, so a faulted call has no side
//! effect, exactly like an upstream outage. The control routes themselves are
//! never delayed or faulted, or a test could not undo what it set up.
//!
//! The control API is off unless enabled ([`Sandbox::enable_control`];
//! [`crate::spawn`] enables it, [`Sandbox::new`] does not): a dev server that
//! mounts the sandbox must not let any browser reset it or inject faults.
//! When off, `/_control/*` answers the sandbox's ordinary 404 page.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::controls::{controlled_by_own_methods, ok, Gate, Gated, MergeFields};

use crate::api::errors::ApiError;
// The token endpoint is delayed like the API: OAuth round trips cost latency too.
use crate::oauth::token::TOKEN_ROUTE as TOKEN_PATH;
use crate::{Sandbox, Stats};

// The common control endpoints (`crate::controls::routes`) drive the Cloud sandbox by its own
// methods.
controlled_by_own_methods!(Sandbox, Stats);

pub(crate) const API_PREFIX: &str = "/2.0";

fn is_api(path: &str) -> bool {
    path == API_PREFIX || path.starts_with("/2.0/")
}

impl Gated for Sandbox {
    const MALFORMED_JSON: &'static str =
        r#"{"pagelen": 10, "values": [{"type": "repository", "full_name": "acme-da"#;
    // The Cloud gate has always kept request ids whole.
    const REQUEST_ID_CHARS: usize = usize::MAX;

    /// Pages are faulted too (not delayed); only the stylesheet is left alone.
    fn gate(path: &str) -> Gate {
        if path.starts_with("/_static/") {
            Gate::Open
        } else if is_api(path) {
            Gate::Api
        } else if path == TOKEN_PATH {
            Gate::Token
        } else {
            Gate::Page
        }
    }

    /// `"GET /2.0/user/workspaces"`: the template from `/2.0` on (nested under a prefix, the
    /// template includes it).
    fn endpoint_key(method: &str, template: &str) -> String {
        let route = template.find("/2.0").map_or(template, |i| &template[i..]);
        format!("{method} {route}")
    }

    fn not_found(&self, path: &str) -> Response {
        crate::web::not_found_response(self, path)
    }

    /// API error JSON under `/2.0`, OAuth error JSON on the token endpoint, an HTML page
    /// elsewhere.
    fn fault_response(&self, gate: Gate, status: StatusCode) -> Response {
        let message = match status.as_u16() {
            429 => "Rate limit for this resource has been exceeded",
            500 => "Something went wrong",
            _ => status.canonical_reason().unwrap_or("Service unavailable"),
        };
        let mut response = match gate {
            Gate::Api => ApiError::new(status, message).into_response(),
            Gate::Token => crate::controls::token_fault(status, message),
            Gate::Page | Gate::Open => {
                crate::html::error_page(self, status, "Something went wrong", message)
            }
        };
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }

    fn max_in_flight(stats: &mut Stats) -> Option<&mut u64> {
        Some(&mut stats.max_api_in_flight)
    }
}

pub(crate) fn routes() -> Router<Sandbox> {
    crate::controls::routes()
        .route("/_control/rate-limit", post(rate_limit))
        .route("/_control/revoke", post(revoke))
        // A commit from elsewhere may carry files as large as Bitbucket takes (tests push
        // hostile ones), far above axum's default 2 MB body limit.
        .route(
            "/_control/commit",
            post(commit).layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route("/_control/merge", post(merge))
}

#[derive(Deserialize)]
struct RateLimitBody {
    /// Requests per window per user on `/2.0/repositories/…` (Bitbucket: 1,000).
    limit: usize,
    /// The window in seconds (Bitbucket: 3,600).
    #[serde(default = "an_hour")]
    window_seconds: u64,
}

fn an_hour() -> u64 {
    3600
}

async fn rate_limit(
    State(sb): State<Sandbox>,
    Json(body): Json<RateLimitBody>,
) -> Json<serde_json::Value> {
    sb.set_rate_limit(body.limit, Duration::from_secs(body.window_seconds));
    ok()
}

#[derive(Deserialize)]
struct RevokeBody {
    nickname: String,
    consumer: String,
}

async fn revoke(
    State(sb): State<Sandbox>,
    Json(body): Json<RevokeBody>,
) -> Json<serde_json::Value> {
    sb.revoke(&body.nickname, &body.consumer);
    ok()
}

/// A commit made "by someone else" (another person, a CI job, a push from a laptop), so a
/// test can move a branch between the studio's read and its save.
#[derive(Deserialize)]
struct CommitBody {
    /// The account the commit is made as; it needs write access.
    nickname: String,
    workspace: String,
    repository: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    message: Option<String>,
    /// Path → new content.
    #[serde(default)]
    files: std::collections::BTreeMap<String, String>,
    /// Paths to delete.
    #[serde(default)]
    delete: Vec<String>,
}

async fn commit(State(sb): State<Sandbox>, Json(body): Json<CommitBody>) -> Response {
    let mut fields: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, value) in [("branch", body.branch), ("message", body.message)] {
        if let Some(value) = value {
            fields.push((name.to_owned(), value.into_bytes()));
        }
    }
    fields.extend(
        body.delete
            .into_iter()
            .map(|path| ("files".to_owned(), path.into_bytes())),
    );
    fields.extend(
        body.files
            .into_iter()
            .map(|(path, content)| (path, content.into_bytes())),
    );
    match crate::api::source::commit_fields(
        &sb,
        &body.nickname,
        &body.workspace,
        &body.repository,
        fields,
    ) {
        Ok(location) => {
            let hash = location.rsplit('/').next().unwrap_or_default().to_owned();
            Json(json!({ "ok": true, "hash": hash })).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// A pull request merged elsewhere (see `crate::api::merge`), naming the repository and
/// its author as `CommitBody` does.
#[derive(Deserialize)]
struct MergeBody {
    /// The account the merge is made as; it needs write access.
    nickname: String,
    workspace: String,
    repository: String,
    #[serde(flatten)]
    merge: MergeFields,
}

async fn merge(State(sb): State<Sandbox>, Json(body): Json<MergeBody>) -> Response {
    match crate::api::merge::merge_branch(
        &sb,
        &body.nickname,
        &body.workspace,
        &body.repository,
        &body.merge.request(),
    ) {
        Ok(hash) => Json(json!({ "ok": true, "hash": hash })).into_response(),
        Err(error) => error.into_response(),
    }
}
