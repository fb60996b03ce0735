//! `GET /metrics`, never public by default. An operator chooses one or both:
//! - `METRICS_ADDR`: a listener of its own (e.g. `127.0.0.1:9464`, or an address only the
//!   monitoring network reaches), open to whoever reaches it;
//! - `METRICS_TOKEN`: `/metrics` on the studio's own address, answered only with
//!   `Authorization: Bearer <token>`.
//!
//! With neither, `/metrics` is not served at all.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use subtle::ConstantTimeEq;

use super::Metrics;
use crate::store::Db;

pub const PATH: &str = "/metrics";
/// The Prometheus text exposition format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone)]
struct Scrape {
    metrics: Arc<Metrics>,
    db: Db,
    token: Option<Arc<SecretString>>,
}

/// `/metrics` answering anyone: for the listener of its own (`METRICS_ADDR`).
pub fn open_router(metrics: Arc<Metrics>, db: Db) -> Router {
    router(Scrape {
        metrics,
        db,
        token: None,
    })
}

/// `/metrics` answering only the bearer of `token`: for the studio's own address.
pub fn guarded_router(metrics: Arc<Metrics>, db: Db, token: SecretString) -> Router {
    router(Scrape {
        metrics,
        db,
        token: Some(Arc::new(token)),
    })
}

fn router(scrape: Scrape) -> Router {
    Router::new().route(PATH, get(render)).with_state(scrape)
}

async fn render(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    if let Some(token) = &scrape.token {
        if !bearer_matches(&headers, token) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need the bearer token set in METRICS_TOKEN\n",
            )
                .into_response();
        }
    }
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        scrape.metrics.render(scrape.db.pool_use()),
    )
        .into_response()
}

fn bearer_matches(headers: &HeaderMap, token: &SecretString) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    // Constant time: the comparison must not tell how much of a guess was right.
    given
        .as_bytes()
        .ct_eq(token.expose_secret().as_bytes())
        .into()
}
