//! `GET /api/info`: what the server offers, so the app renders only real choices.

use api::ServerInfo;
use axum::extract::State;
use axum::routing::get;
use axum::Router;

use super::AppState;
use crate::extract::Json;

pub fn router() -> Router<AppState> {
    Router::new().route(api::paths::INFO, get(info))
}

async fn info(State(state): State<AppState>) -> Json<ServerInfo> {
    Json(ServerInfo {
        sandbox: state.sandbox,
        providers: state.providers.iter().map(|p| p.info.clone()).collect(),
        mailbox_url: state
            .mailer
            .keeps_mail()
            .then(|| api::paths::SANDBOX_MAILBOX.to_owned()),
    })
}
