//! `/healthz`: the process answers (for a liveness probe: restart me if this fails).
//! `/readyz`: the database answers and its schema is this build's (for a load balancer's
//! readiness probe: send me traffic only if this succeeds). During a database outage an
//! instance stays alive but not ready, and becomes ready again by itself.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ready().await {
        Ok(()) => "ready".into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "5")],
                "not ready: the database is unreachable or not migrated",
            )
                .into_response()
        }
    }
}
