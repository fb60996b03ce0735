//! `GET /api/connections/bitbucket`: is the signed-in user's Bitbucket authorization usable?
//!
//! "Connected" is checked, not assumed: when the link was not proven by a Bitbucket call in
//! the last [`REVALIDATE_AFTER_SECS`], this asks Bitbucket who the token belongs to (refreshing
//! an expired token on the way), so a revoked authorization shows as `reconnect_needed` here,
//! before the user reaches the repository step.

use api::{BitbucketAccount, ConnectionStatus};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use crate::bitbucket::BitbucketError;
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::store::{self, BitbucketLink, LinkStatus};

const REVALIDATE_AFTER_SECS: i64 = 60;

pub fn router() -> Router<AppState> {
    Router::new().route(api::paths::BITBUCKET_CONNECTION, get(status))
}

async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<ConnectionStatus>> {
    let Some(link) = state.db.bitbucket_link(user.id).await? else {
        return Ok(Json(ConnectionStatus::NotConnected));
    };
    if link.status() == LinkStatus::Connected
        && store::now() - link.validated_at > REVALIDATE_AFTER_SECS
    {
        let rest = state.bitbucket.rest.clone();
        let checked = state.bitbucket.with_token(user.id, |token| {
            let rest = rest.clone();
            async move { rest.current_user(&token).await }
        });
        match checked.await {
            Ok(_) => {}
            // The link now says why; read it again below.
            Err(AppError::Bitbucket(BitbucketError::ReconnectNeeded(_))) => {}
            // Bitbucket unreachable: the link itself is fine, report what we know.
            Err(AppError::Bitbucket(error)) => {
                tracing::warn!(%error, "could not validate the Bitbucket link")
            }
            Err(other) => return Err(other),
        }
    }
    let link = state
        .db
        .bitbucket_link(user.id)
        .await?
        .ok_or(AppError::internal("the link vanished"))?;
    Ok(Json(describe(link)))
}

fn describe(link: BitbucketLink) -> ConnectionStatus {
    let account = BitbucketAccount {
        account_id: link.account_id.clone(),
        nickname: link.nickname.clone(),
        display_name: link.display_name.clone(),
        avatar_url: link.avatar_url.clone(),
    };
    match link.status() {
        LinkStatus::Connected => ConnectionStatus::Connected {
            account,
            scopes: link.scopes.split_whitespace().map(str::to_owned).collect(),
            connected_at: link.connected_at,
            last_used_at: link.last_used_at,
        },
        LinkStatus::ReconnectNeeded => ConnectionStatus::ReconnectNeeded {
            reason: link
                .status_reason
                .unwrap_or_else(|| "Bitbucket needs to be authorized again.".into()),
            account: Some(account),
        },
    }
}
