//! The signed-in user's connection to each provider (`{slug}` is `bitbucket` or
//! `bitbucket-dc`):
//! - `GET /api/connections/{slug}`: is the authorization usable?
//! - `DELETE /api/connections/{slug}`: disconnect (forget the stored tokens);
//! - `GET /api/connections/{slug}/events`: the audit trail, newest first.
//!
//! "Connected" is checked, not assumed: when the access token has expired, or the link was not
//! proven by a provider call in the last [`REVALIDATE_AFTER_SECS`], the status asks the
//! provider whether the token still works (refreshing an expired token on the way), so a revoked
//! authorization shows as `reconnect_needed` here, before the user reaches the repository step.
//!
//! Neither provider has a token revocation endpoint for OAuth clients, so disconnecting can
//! only forget the tokens; the app then links to the provider's page to revoke there as well.

use api::{BitbucketAccount, ConnectionEvent, ConnectionEventKind, ConnectionStatus, GitProvider};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};

use super::{provider_routes, AppState};
use crate::error::{AppError, AppResult};
use crate::extract::Json;
use crate::providers::{grants, ProviderError};
use crate::session::CurrentUser;
use crate::store::{self, GrantStatus, StoredGrant};

const REVALIDATE_AFTER_SECS: i64 = 60;

pub fn router() -> Router<AppState> {
    provider_routes(|provider| {
        Router::new()
            .route(
                &api::paths::connection(provider),
                get(status).delete(disconnect),
            )
            .route(&api::paths::connection_events(provider), get(events))
    })
}

async fn status(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
) -> AppResult<Json<ConnectionStatus>> {
    let provider = state.providers.get(id)?;
    let Some(link) = state.db.stored_grant(user.id, id).await? else {
        return Ok(Json(ConnectionStatus::NotConnected));
    };
    let unproven = store::now() - link.validated_at > REVALIDATE_AFTER_SECS;
    if link.status() == GrantStatus::Connected && (unproven || grants::expired(&link)) {
        let checked = provider
            .call(
                user.id,
                |host, token| async move { host.check(&token).await },
            )
            .await;
        match checked {
            Ok(_) => {}
            // The link now says why; read it again below.
            Err(AppError::Provider(ProviderError::ReconnectNeeded(_))) => {}
            // The provider unreachable or rate-limiting: the link itself is fine (a transient
            // failure never marks it), so report what we know.
            Err(AppError::Provider(error)) => {
                tracing::warn!(%error, "could not validate the Bitbucket link")
            }
            Err(other) => return Err(other),
        }
    }
    Ok(Json(match state.db.stored_grant(user.id, id).await? {
        Some(link) => describe(link),
        // Disconnected by a concurrent request.
        None => ConnectionStatus::NotConnected,
    }))
}

/// Forgets the tokens. Idempotent: disconnecting twice answers 204 both times and records
/// one event.
async fn disconnect(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
    _: Json<api::EmptyBody>,
) -> AppResult<StatusCode> {
    state.providers.get(id)?;
    if state.db.delete_grant(user.id, id).await? {
        state
            .db
            .record_connection_event(user.id, id.slug(), ConnectionEventKind::Disconnected, None)
            .await?;
        tracing::info!(user_id = user.id, provider = id.slug(), "disconnected");
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn events(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
) -> AppResult<Json<Vec<ConnectionEvent>>> {
    state.providers.get(id)?;
    Ok(Json(state.db.connection_events(user.id, id.slug()).await?))
}

fn describe(link: StoredGrant) -> ConnectionStatus {
    let account = BitbucketAccount {
        // Stored as empty text when the provider's answer had none (the columns predate that).
        account_id: Some(link.account_id.clone()).filter(|id| !id.is_empty()),
        nickname: Some(link.nickname.clone()).filter(|nickname| !nickname.is_empty()),
        display_name: link.display_name.clone(),
        avatar_url: link.avatar_url.clone(),
    };
    match link.status() {
        GrantStatus::Connected => ConnectionStatus::Connected {
            account,
            scopes: link.scopes.split_whitespace().map(str::to_owned).collect(),
            connected_at: link.connected_at,
            last_used_at: link.last_used_at,
        },
        GrantStatus::ReconnectNeeded => ConnectionStatus::ReconnectNeeded {
            reason: link
                .status_reason
                .unwrap_or_else(|| "Bitbucket needs to be authorized again.".into()),
            account: Some(account),
        },
    }
}
