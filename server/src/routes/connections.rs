//! The signed-in user's connection to each provider (`{slug}` is the provider's slug):
//! - `GET /api/connections/{slug}`: is the authorization usable?
//! - `DELETE /api/connections/{slug}`: disconnect (revoke where the provider lets the studio,
//!   and forget the stored tokens);
//! - `GET /api/connections/{slug}/events`: the audit trail, newest first.
//!
//! "Connected" is checked, not assumed: when the access token has expired, or the link was not
//! proven by a provider call in the last [`REVALIDATE_AFTER_SECS`], the status asks the
//! provider whether the token still works (refreshing an expired token on the way), so a revoked
//! authorization shows as `reconnect_needed` here, before the user reaches the repository step.
//!
//! Bitbucket has no token revocation endpoint for OAuth clients, so disconnecting there can
//! only forget the tokens, and the app links to the provider's page to revoke there as well;
//! GitHub lets its apps revoke their grant ([`crate::providers::GitHost::revoke`]).

use api::{ConnectionEvent, ConnectionEventKind, ConnectionStatus, GitProvider, ProviderAccount};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};

use super::{provider_routes, AppState};
use crate::error::AppResult;
use crate::extract::Json;
use crate::providers::{grants, Grants, ProviderError};
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
        if let Err(error) = checked {
            match error.provider_error() {
                // The link now says why; read it again below.
                Some(ProviderError::ReconnectNeeded(_)) => {}
                // The provider unreachable or rate-limiting: the link itself is fine (a
                // transient failure never marks it), so report what we know.
                Some(failure) => {
                    tracing::warn!(error = %failure, provider = id.slug(), "could not validate the link")
                }
                None => return Err(error),
            }
        }
    }
    Ok(Json(match state.db.stored_grant(user.id, id).await? {
        Some(link) => describe(link, &provider.grants),
        // Disconnected by a concurrent request.
        None => ConnectionStatus::NotConnected,
    }))
}

/// Revokes the grant at the provider where the provider lets the studio, then forgets the
/// tokens. Idempotent: disconnecting twice answers 204 both times and records one event. A
/// revocation that fails (the provider down, the grant already gone) does not keep the user
/// connected: the tokens are forgotten all the same and the event says what to do.
async fn disconnect(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
    _: Json<api::EmptyBody>,
) -> AppResult<StatusCode> {
    let provider = state.providers.get(id)?;
    let revoked = match state.db.stored_grant(user.id, id).await? {
        Some(_) => Some(
            provider
                .call(
                    user.id,
                    |host, token| async move { host.revoke(&token).await },
                )
                .await,
        ),
        None => None,
    };
    let name = &provider.grants.name;
    let detail = match revoked {
        Some(Ok(true)) => Some(format!("Revoked on {name} as well.")),
        Some(Err(error)) => {
            tracing::warn!(%error, provider = id.slug(), "the grant could not be revoked");
            Some(format!(
                "{name} could not be asked to revoke the studio's access; revoke it under {} on {name}.",
                provider.info.wording.revoke_page
            ))
        }
        Some(Ok(false)) | None => None,
    };
    if state.db.delete_grant(user.id, id).await? {
        state
            .db
            .record_connection_event(
                user.id,
                id.slug(),
                ConnectionEventKind::Disconnected,
                detail.as_deref(),
            )
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

fn describe(link: StoredGrant, grants: &Grants) -> ConnectionStatus {
    let account = ProviderAccount {
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
            reason: link.status_reason.unwrap_or_else(|| grants.reauthorize()),
            account: Some(account),
        },
    }
}
