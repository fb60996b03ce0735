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

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::controls::{controlled_by_own_methods, ok, Fault, FaultKind, MergeFields, MAX_HANG};

use crate::api::errors::ApiError;
// The token endpoint is delayed like the API: OAuth round trips cost latency too.
use crate::oauth::token::TOKEN_ROUTE as TOKEN_PATH;
use crate::{Sandbox, Stats};

// The common control endpoints (`crate::controls::routes`) drive the Cloud sandbox by its own
// methods.
controlled_by_own_methods!(Sandbox, Stats);

#[derive(Debug, Default)]
pub(crate) struct ControlState {
    pub latency: Duration,
    pub faults: Vec<Fault>,
    pub stats: Stats,
    /// API requests being answered right now (for [`Stats::max_api_in_flight`]).
    pub api_in_flight: u64,
}

/// Counts an API request as in flight until dropped, even when the client gives up early.
struct InFlight(Sandbox);

impl InFlight {
    fn start(sb: &Sandbox, control: &mut ControlState) -> InFlight {
        control.api_in_flight += 1;
        control.stats.max_api_in_flight =
            control.stats.max_api_in_flight.max(control.api_in_flight);
        InFlight(sb.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut world = self.0.world();
        world.control.api_in_flight = world.control.api_in_flight.saturating_sub(1);
    }
}

impl ControlState {
    /// Consumes one use of the first armed fault matching `path`.
    fn take_fault(&mut self, path: &str) -> Option<Fault> {
        let i = self
            .faults
            .iter()
            .position(|f| f.count > 0 && f.matches(path))?;
        let fault = self.faults[i].clone();
        self.faults[i].count -= 1;
        if self.faults[i].count == 0 {
            self.faults.remove(i);
        }
        self.stats.faults_injected += 1;
        Some(fault)
    }
}

pub(crate) const API_PREFIX: &str = "/2.0";

fn is_api(path: &str) -> bool {
    path == API_PREFIX || path.starts_with("/2.0/")
}

/// Counts, delays and faults requests (see the module docs).
pub(crate) async fn gate(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_control/") {
        if !sb.control_enabled() {
            return crate::web::not_found_response(&sb, &path);
        }
        return next.run(req).await;
    }
    if path.starts_with("/_static/") {
        return next.run(req).await;
    }
    let api = is_api(&path);
    let (latency, fault, _in_flight) = {
        let mut world = sb.world();
        let control = &mut world.control;
        let in_flight = api.then(|| InFlight::start(&sb, control));
        if api {
            control.stats.api_requests += 1;
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|m| {
                    // Nested under a prefix the template includes it; the key
                    // should not depend on where the server mounted us.
                    let t = m.as_str();
                    t.find("/2.0").map_or(t, |i| &t[i..]).to_owned()
                })
                .unwrap_or_else(|| "(unmatched)".to_owned());
            *control
                .stats
                .api_requests_by_endpoint
                .entry(format!("{} {route}", req.method()))
                .or_default() += 1;
        }
        if api || path == TOKEN_PATH {
            if let Some(id) = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
            {
                let ids = &mut control.stats.request_ids;
                if ids.len() == crate::REQUEST_IDS_KEPT {
                    ids.remove(0);
                }
                ids.push(id.to_owned());
            }
        }
        let latency = if api || path == TOKEN_PATH {
            control.latency
        } else {
            Duration::ZERO
        };
        (latency, control.take_fault(&path), in_flight)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    if !fault.latency.is_zero() {
        tokio::time::sleep(fault.latency).await;
    }
    match fault.kind {
        FaultKind::Status(status) => fault_response(&sb, &path, status),
        FaultKind::Hang(d) => {
            let mut cancel = sb.cancel_signal();
            tokio::select! {
                () = tokio::time::sleep(d.min(MAX_HANG)) => {}
                _ = cancel.changed() => {}
            }
            fault_response(&sb, &path, 504)
        }
        FaultKind::MalformedJson => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"pagelen": 10, "values": [{"type": "repository", "full_name": "acme-da"#,
        )
            .into_response(),
    }
}

/// An error in the style of the endpoint it replaces: API error JSON under
/// `/2.0`, OAuth error JSON on the token endpoint, an HTML page elsewhere.
fn fault_response(sb: &Sandbox, path: &str, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = match status.as_u16() {
        429 => "Rate limit for this resource has been exceeded".to_owned(),
        500 => "Something went wrong".to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("Service unavailable")
            .to_owned(),
    };
    let mut response = if is_api(path) {
        ApiError::new(status, message).into_response()
    } else if path == TOKEN_PATH {
        let error = if matches!(status.as_u16(), 429 | 503) {
            "temporarily_unavailable"
        } else {
            "server_error"
        };
        crate::oauth::token::oauth_error(status, error, &message)
    } else {
        crate::html::error_page(sb, status, "Something went wrong", &message)
    };
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
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
