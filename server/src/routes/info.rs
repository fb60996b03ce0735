//! `GET /api/info`: what the server offers, so the app renders only real choices.

use api::{GitProvider, ServerInfo};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(api::paths::INFO, get(info))
}

async fn info(State(state): State<AppState>) -> Json<ServerInfo> {
    Json(ServerInfo {
        sandbox: state.sandbox,
        providers: vec![GitProvider::Bitbucket],
        bitbucket_app_authorizations_url: state.bitbucket.app_authorizations_url.clone(),
    })
}
