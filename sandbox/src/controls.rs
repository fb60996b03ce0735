//! What both sandboxes' control APIs (`/_control/…`) have in common: the same endpoints with
//! the same bodies for stats, reset, latency, the clock, token rotation and faults, over
//! [`Controlled`], which the Cloud `Sandbox` and the Data Center `DataCenter` implement (each
//! in its own `control` module, by `controlled_by_own_methods!`, so that this module names
//! neither sandbox). Each sandbox adds its own (Cloud's rate limit;
//! revoke and commit, whose bodies name each one's own accounts and repositories).
//!
//! And the gate every other request passes ([`gate`]), which applies latency and injected
//! faults the same way for every provider, over [`Gated`].
//!
//! And serving a sandbox on a local port ([`Serving`]) and reading its base URL
//! ([`base_path`]), which both do the same way.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
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

/// Keeps a request's `X-Request-Id` (newest last, at most [`crate::REQUEST_IDS_KEPT`], each
/// cut to `max_chars`), so a test can follow a studio request upstream.
fn remember_request_id(ids: &mut Vec<String>, headers: &axum::http::HeaderMap, max_chars: usize) {
    if let Some(id) = headers.get("x-request-id").and_then(|v| v.to_str().ok()) {
        if ids.len() >= crate::REQUEST_IDS_KEPT {
            ids.remove(0);
        }
        ids.push(id.chars().take(max_chars).collect());
    }
}

/// Longest a `hang` fault holds a request.
pub const MAX_HANG: Duration = Duration::from_secs(60);

/// What the control API has set and the gate counts, for a provider with stats `S`.
#[derive(Debug, Default)]
pub(crate) struct ControlState<S> {
    pub latency: Duration,
    pub faults: Vec<Fault>,
    pub stats: S,
    /// API requests being answered right now (for [`Gated::max_in_flight`]).
    pub in_flight: u64,
}

impl<S: GateStats> ControlState<S> {
    /// Consumes one use of the first armed fault matching `path` (relative to the base URL);
    /// a fault used up is disarmed.
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
        *self.stats.counters().faults_injected += 1;
        Some(fault)
    }
}

/// The fields of a provider's stats the gate counts in; the stats stay each provider's own
/// struct, because their JSON (field names and order) is what `GET /_control/stats` answers.
pub(crate) struct GateCounters<'a> {
    pub api_requests: &'a mut u64,
    pub api_requests_by_endpoint: &'a mut BTreeMap<String, u64>,
    pub faults_injected: &'a mut u64,
    pub request_ids: &'a mut Vec<String>,
}

/// A provider's stats, as the gate counts in them.
pub(crate) trait GateStats {
    fn counters(&mut self) -> GateCounters<'_>;
}

/// What the gate does with a request, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Counted, delayed and faulted.
    Api,
    /// The OAuth token endpoint: delayed and faulted like the API (OAuth round trips cost
    /// latency too), not counted as an API request.
    Token,
    /// Faulted only.
    Page,
    /// Let through untouched.
    Open,
}

/// A sandbox whose requests pass [`gate`]: how it sorts paths and words its answers.
pub(crate) trait Gated: Controlled {
    /// The body of a `malformed_json` fault: a truncated answer of this provider's shape.
    const MALFORMED_JSON: &'static str;
    /// The `Content-Type` of a `malformed_json` fault.
    const MALFORMED_JSON_TYPE: &'static str = "application/json";
    /// How many characters of an `X-Request-Id` the stats keep.
    const REQUEST_ID_CHARS: usize = 200;

    fn gate(path: &str) -> Gate;
    /// `"GET /…"`: the key of `api_requests_by_endpoint` for a route template (or
    /// `"(unmatched)"`), which must not depend on where the server mounted the sandbox.
    fn endpoint_key(method: &str, template: &str) -> String;
    /// The answer for `/_control/…` while the control API is off: the ordinary 404.
    fn not_found(&self, path: &str) -> Response;
    /// A `status` fault (or a `hang`'s 504) in the style of the endpoint it replaces.
    fn fault_response(&self, gate: Gate, status: StatusCode) -> Response;
    /// Where the stats keep the most API requests answered at the same time; `None` for
    /// stats that do not report it.
    fn max_in_flight(_stats: &mut Self::Stats) -> Option<&mut u64> {
        None
    }
}

/// Counts an API request in flight until dropped, even when the client gives up early.
struct InFlight<P: Gated>(P);

impl<P: Gated> InFlight<P> {
    fn start(provider: &P, control: &mut ControlState<P::Stats>) -> InFlight<P> {
        control.in_flight += 1;
        if let Some(max) = P::max_in_flight(&mut control.stats) {
            *max = (*max).max(control.in_flight);
        }
        InFlight(provider.clone())
    }
}

impl<P: Gated> Drop for InFlight<P> {
    fn drop(&mut self) {
        self.0
            .with_control(|control| control.in_flight = control.in_flight.saturating_sub(1));
    }
}

/// Counts, delays and faults requests before a handler runs, so a faulted call has no side
/// effect, exactly like an upstream outage. The control routes are never delayed or faulted,
/// or a test could not undo what it set up; they answer only while the control API is
/// enabled, so a dev server that mounts a sandbox does not let any browser reset it.
pub(crate) async fn gate<P: Gated>(
    State(provider): State<P>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/_control/") {
        if !provider.control_enabled() {
            return provider.not_found(&path);
        }
        return next.run(request).await;
    }
    let gate = P::gate(&path);
    if gate == Gate::Open {
        return next.run(request).await;
    }
    let delayed = matches!(gate, Gate::Api | Gate::Token);
    let (latency, fault, _in_flight) = provider.with_control(|control| {
        let in_flight = (gate == Gate::Api).then(|| InFlight::start(&provider, control));
        let counters = control.stats.counters();
        if gate == Gate::Api {
            *counters.api_requests += 1;
            let template = request
                .extensions()
                .get::<MatchedPath>()
                .map_or("(unmatched)", MatchedPath::as_str);
            *counters
                .api_requests_by_endpoint
                .entry(P::endpoint_key(request.method().as_str(), template))
                .or_default() += 1;
        }
        if delayed {
            remember_request_id(counters.request_ids, request.headers(), P::REQUEST_ID_CHARS);
        }
        let latency = if delayed {
            control.latency
        } else {
            Duration::ZERO
        };
        (latency, control.take_fault(&path), in_flight)
    });
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    if !fault.latency.is_zero() {
        tokio::time::sleep(fault.latency).await;
    }
    let status = match fault.kind {
        FaultKind::Status(status) => status,
        FaultKind::Hang(d) => {
            let mut cancel = provider.cancel_signal();
            tokio::select! {
                () = tokio::time::sleep(d.min(MAX_HANG)) => {}
                _ = cancel.changed() => {}
            }
            504
        }
        FaultKind::MalformedJson => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, P::MALFORMED_JSON_TYPE)],
                P::MALFORMED_JSON,
            )
                .into_response()
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    provider.fault_response(gate, status)
}

/// A fault on an OAuth token endpoint: the OAuth error body, `temporarily_unavailable` when
/// retrying can help.
pub(crate) fn token_fault(status: StatusCode, message: &str) -> Response {
    let error = if matches!(status.as_u16(), 429 | 503) {
        "temporarily_unavailable"
    } else {
        "server_error"
    };
    crate::oauth::token::oauth_error(status, error, message)
}

/// A sandbox the common control endpoints drive.
pub(crate) trait Controlled: Clone + Send + Sync + 'static {
    type Stats: Serialize + GateStats;
    fn stats(&self) -> Self::Stats;
    fn clear_stats(&self);
    fn reset(&self);
    fn set_latency(&self, latency: Duration);
    fn advance_clock(&self, by: Duration);
    fn set_rotation(&self, on: bool);
    fn inject(&self, fault: Fault);
    fn control_enabled(&self) -> bool;
    /// Changes when the sandbox is reset or shut down, which ends a `hang`.
    fn cancel_signal(&self) -> tokio::sync::watch::Receiver<u64>;
    fn with_control<R>(&self, f: impl FnOnce(&mut ControlState<Self::Stats>) -> R) -> R;
}

/// `Controlled` for a sandbox type by its own methods of the same names (and its world's
/// `control`), and [`GateStats`] for its stats by their fields of the same names. The control
/// methods that read the same on every sandbox (its world's `control` and `clock`) are written
/// here as that type's own; those whose meaning is the provider's (reset, rotation,
/// revocation) stay beside its world.
macro_rules! controlled_by_own_methods {
    ($sandbox:ty, $stats:ty) => {
        impl $sandbox {
            /// What the sandbox has counted since it started or was last cleared.
            pub fn stats(&self) -> $stats {
                self.world().control.stats.clone()
            }

            /// Zeroes the counters (`DELETE /_control/stats`), so a test or benchmark can
            /// count one screen's calls; the world is left as it is.
            pub fn clear_stats(&self) {
                self.world().control.stats = <$stats>::default();
            }

            /// Delay applied to every token and API call.
            pub fn set_latency(&self, d: ::std::time::Duration) {
                self.world().control.latency = d;
            }

            /// Moves the sandbox clock forward: codes and tokens expire without sleeping.
            pub fn advance_clock(&self, d: ::std::time::Duration) {
                self.world().clock.advance(d);
            }

            /// Arms any kind of fault (status, hang, malformed JSON), with its own latency;
            /// its `path_prefix` is relative to the sandbox's base URL, a trailing `$` for one
            /// exact path.
            pub fn inject(&self, fault: $crate::controls::Fault) {
                if fault.count > 0 {
                    self.world().control.faults.push(fault);
                }
            }
        }

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
            fn control_enabled(&self) -> bool {
                <$sandbox>::control_enabled(self)
            }
            fn cancel_signal(&self) -> ::tokio::sync::watch::Receiver<u64> {
                <$sandbox>::cancel_signal(self)
            }
            fn with_control<R>(
                &self,
                f: impl FnOnce(&mut $crate::controls::ControlState<$stats>) -> R,
            ) -> R {
                f(&mut self.world().control)
            }
        }

        impl $crate::controls::GateStats for $stats {
            fn counters(&mut self) -> $crate::controls::GateCounters<'_> {
                $crate::controls::GateCounters {
                    api_requests: &mut self.api_requests,
                    api_requests_by_endpoint: &mut self.api_requests_by_endpoint,
                    faults_injected: &mut self.faults_injected,
                    request_ids: &mut self.request_ids,
                }
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
