//! What both sandboxes' control APIs (`/_control/…`) have in common: the same endpoints with
//! the same bodies for stats, reset, latency, the clock, token rotation and faults, over
//! [`Controlled`], which the Cloud `Sandbox` and the Data Center `DataCenter` implement (each
//! in its own `control` module, by `controlled_by_own_methods!`, so that this module names
//! neither sandbox). Each sandbox adds its own (Cloud's rate limit;
//! revoke and commit, whose bodies name each one's own accounts and repositories).
//!
//! And serving a sandbox on a local port ([`Serving`]) and reading its base URL
//! ([`base_path`]), which both do the same way.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What an injected fault does to a request it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer this status (400–599) with the endpoint's error body.
    Status(u16),
    /// Never answer until the duration has passed (capped at
    /// [`MAX_HANG`]), the sandbox is reset or shut down, or the client gives
    /// up; then a 504. Tests pass a short duration and a shorter client
    /// timeout.
    Hang(Duration),
    /// `200 OK`, `Content-Type: application/json`, and a truncated body.
    MalformedJson,
}

/// A fault armed with [`crate::Sandbox::inject`] or `POST /_control/faults`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// How many matching requests it answers before disarming itself.
    pub count: u32,
    /// Matches requests whose path (relative to `base_url`) starts with this;
    /// `""` matches everything except the control API. Ending in `$`, it matches that one
    /// path exactly (`…/src$`: the commit endpoint, not the file reads under it).
    pub path_prefix: String,
    /// Extra delay before the faulty answer.
    pub latency: Duration,
}

impl Fault {
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self.path_prefix.strip_suffix('$') {
            Some(exact) => path == exact,
            None => path.starts_with(&self.path_prefix),
        }
    }

    /// The old shape: `count` requests under `path_prefix` answer `status`.
    pub fn status(status: u16, count: u32, path_prefix: &str) -> Fault {
        Fault {
            kind: FaultKind::Status(status),
            count,
            path_prefix: path_prefix.to_owned(),
            latency: Duration::ZERO,
        }
    }
}

/// Consumes one use of the first armed fault in `faults` matching `path` (relative to the
/// base URL); a fault used up is disarmed.
pub(crate) fn take_fault(faults: &mut Vec<Fault>, path: &str) -> Option<Fault> {
    let i = faults.iter().position(|f| f.count > 0 && f.matches(path))?;
    let fault = faults[i].clone();
    faults[i].count -= 1;
    if faults[i].count == 0 {
        faults.remove(i);
    }
    Some(fault)
}

/// Keeps a request's `X-Request-Id` (newest last, at most [`crate::REQUEST_IDS_KEPT`]), so a
/// test can follow a studio request upstream.
pub(crate) fn remember_request_id(ids: &mut Vec<String>, headers: &axum::http::HeaderMap) {
    if let Some(id) = headers.get("x-request-id").and_then(|v| v.to_str().ok()) {
        if ids.len() >= crate::REQUEST_IDS_KEPT {
            ids.remove(0);
        }
        ids.push(id.chars().take(200).collect());
    }
}

/// Longest a `hang` fault holds a request.
pub const MAX_HANG: Duration = Duration::from_secs(60);

/// A sandbox the common control endpoints drive.
pub(crate) trait Controlled: Clone + Send + Sync + 'static {
    type Stats: Serialize;
    fn stats(&self) -> Self::Stats;
    fn clear_stats(&self);
    fn reset(&self);
    fn set_latency(&self, latency: Duration);
    fn advance_clock(&self, by: Duration);
    fn set_rotation(&self, on: bool);
    fn inject(&self, fault: Fault);
}

/// `Controlled` for a sandbox type by its own methods of the same names.
macro_rules! controlled_by_own_methods {
    ($sandbox:ty, $stats:ty) => {
        impl $crate::controls::Controlled for $sandbox {
            type Stats = $stats;
            fn stats(&self) -> $stats {
                <$sandbox>::stats(self)
            }
            fn clear_stats(&self) {
                <$sandbox>::clear_stats(self)
            }
            fn reset(&self) {
                <$sandbox>::reset(self)
            }
            fn set_latency(&self, latency: ::std::time::Duration) {
                <$sandbox>::set_latency(self, latency)
            }
            fn advance_clock(&self, by: ::std::time::Duration) {
                <$sandbox>::advance_clock(self, by)
            }
            fn set_rotation(&self, on: bool) {
                <$sandbox>::set_rotation(self, on)
            }
            fn inject(&self, fault: $crate::controls::Fault) {
                <$sandbox>::inject(self, fault)
            }
        }
    };
}
pub(crate) use controlled_by_own_methods;

/// The endpoints every sandbox answers the same way.
pub(crate) fn routes<S: Controlled>() -> Router<S> {
    Router::new()
        .route("/_control/stats", get(stats::<S>).delete(clear_stats::<S>))
        .route("/_control/reset", post(reset::<S>))
        .route("/_control/latency", post(latency::<S>))
        .route("/_control/advance-clock", post(advance_clock::<S>))
        .route("/_control/rotation", post(rotation::<S>))
        .route("/_control/faults", post(faults::<S>))
}

pub(crate) fn ok() -> Json<serde_json::Value> {
    Json(json!({ "ok": true }))
}

/// A refused control request: `{"ok": false, "error": …}`, 400.
pub(crate) fn refuse(error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "ok": false, "error": error })),
    )
        .into_response()
}

/// The merge fields every sandbox's `POST /_control/merge` body has beside its own way of
/// naming the repository (flattened into it): `branch`, `into` (default: the default
/// branch), `delete_branch` (default false) and `message`.
#[derive(Deserialize)]
pub(crate) struct MergeFields {
    branch: String,
    #[serde(default)]
    into: Option<String>,
    #[serde(default)]
    delete_branch: bool,
    #[serde(default)]
    message: Option<String>,
}

impl MergeFields {
    pub(crate) fn request(&self) -> crate::history::MergeRequest<'_> {
        crate::history::MergeRequest {
            branch: &self.branch,
            into: self.into.as_deref(),
            delete_branch: self.delete_branch,
            message: self.message.as_deref(),
        }
    }
}

/// A merge refused (see `crate::history::Refused`), for the control APIs that answer
/// `{"ok": false, "error": …}`: its own status, and the conflicting `paths` when there are.
pub(crate) fn merge_refused(refused: crate::history::Refused) -> Response {
    let mut body = json!({ "ok": false, "error": refused.message });
    if !refused.paths.is_empty() {
        body["paths"] = json!(refused.paths);
    }
    (refused.status, Json(body)).into_response()
}

async fn stats<S: Controlled>(State(sandbox): State<S>) -> Json<S::Stats> {
    Json(sandbox.stats())
}

async fn clear_stats<S: Controlled>(State(sandbox): State<S>) -> Json<serde_json::Value> {
    sandbox.clear_stats();
    ok()
}

async fn reset<S: Controlled>(State(sandbox): State<S>) -> Json<serde_json::Value> {
    sandbox.reset();
    ok()
}

#[derive(Deserialize)]
struct LatencyBody {
    ms: u64,
}

async fn latency<S: Controlled>(
    State(sandbox): State<S>,
    Json(body): Json<LatencyBody>,
) -> Json<serde_json::Value> {
    sandbox.set_latency(Duration::from_millis(body.ms));
    ok()
}

#[derive(Deserialize)]
struct AdvanceBody {
    seconds: u64,
}

async fn advance_clock<S: Controlled>(
    State(sandbox): State<S>,
    Json(body): Json<AdvanceBody>,
) -> Json<serde_json::Value> {
    sandbox.advance_clock(Duration::from_secs(body.seconds));
    ok()
}

#[derive(Deserialize)]
struct RotationBody {
    enabled: bool,
}

async fn rotation<S: Controlled>(
    State(sandbox): State<S>,
    Json(body): Json<RotationBody>,
) -> Json<serde_json::Value> {
    sandbox.set_rotation(body.enabled);
    ok()
}

/// `kind` (`status`, the default for the old body shape, `hang` or `malformed_json`),
/// `status`, `count`, `path_prefix` (relative to the base URL; a trailing `$` matches
/// exactly), `latency_ms`, and `hang_ms` (how long a `hang` holds the request; default and
/// cap: 60 s).
#[derive(Deserialize)]
struct FaultBody {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default = "one")]
    count: u32,
    #[serde(default)]
    path_prefix: String,
    #[serde(default)]
    latency_ms: u64,
    #[serde(default)]
    hang_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

async fn faults<S: Controlled>(State(sandbox): State<S>, Json(body): Json<FaultBody>) -> Response {
    let kind = match body.kind.as_deref().unwrap_or("status") {
        "status" => match body.status {
            Some(s) if (400..=599).contains(&s) => FaultKind::Status(s),
            _ => return refuse("status must be between 400 and 599"),
        },
        "hang" => FaultKind::Hang(
            body.hang_ms
                .map_or(MAX_HANG, Duration::from_millis)
                .min(MAX_HANG),
        ),
        "malformed_json" => FaultKind::MalformedJson,
        _ => return refuse("kind must be status, hang or malformed_json"),
    };
    sandbox.inject(Fault {
        kind,
        count: body.count,
        path_prefix: body.path_prefix,
        latency: Duration::from_millis(body.latency_ms),
    });
    ok().into_response()
}

/// A sandbox's server task on a local port, stopped gracefully.
pub(crate) struct Serving {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Serving {
    /// Serves `app` on `listener` until [`Serving::stop`]; `name` is for the log.
    pub(crate) fn start(
        listener: tokio::net::TcpListener,
        app: Router,
        name: &'static str,
    ) -> Serving {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "{name} stopped");
            }
        });
        Serving {
            shutdown: Some(tx),
            task,
        }
    }

    /// Stops accepting connections, gives open ones a moment to finish, then drops them.
    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

/// Drops the trailing `/` of a sandbox's `base_url` and answers its path part (`""` at the
/// root, else `/prefix`), which cookie paths and same-site redirects use.
pub(crate) fn base_path(base_url: &mut String) -> String {
    while base_url.ends_with('/') {
        base_url.pop();
    }
    url::Url::parse(base_url)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// The URL a browser reaches a listener on: loopback for an unspecified address (a browser
/// cannot navigate to 0.0.0.0).
pub(crate) fn public_url(addr: SocketAddr) -> String {
    let mut public = addr;
    if public.ip().is_unspecified() {
        public.set_ip(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    }
    format!("http://{public}")
}
