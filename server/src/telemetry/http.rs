//! Per-request metrics: a layer on the router, so it runs after routing and reads the route
//! template ([`MatchedPath`]) rather than the path as sent, which could name anything.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Instant;

use super::Metrics;
#[cfg(feature = "sandbox")]
use crate::sandboxes::SANDBOX_MOUNT;

/// Records each request's route, method, status and duration.
pub async fn record(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // An `Arc<str>` inside: cloning it is a reference count.
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let method = method_label(request.method());
    let response = next.run(request).await;
    metrics.observe_request(
        route_label(matched.as_ref()),
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

fn route_label(matched: Option<&MatchedPath>) -> &str {
    match matched.map(MatchedPath::as_str) {
        // The single-page app's fallback: its pages and static files.
        None => "(app)",
        // The mounted sandboxes (both mounts start with the Cloud one's) are services with
        // routes of their own.
        #[cfg(feature = "sandbox")]
        Some(path) if path.starts_with(SANDBOX_MOUNT) => "/_sandbox/bitbucket/…",
        Some(path) => path,
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
