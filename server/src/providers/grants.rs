//! A user's authorization of one provider over its life: stored encrypted, refreshed when
//! expired or refused, and marked `reconnect_needed` when the provider no longer honours it.
//! Every provider shares this code; each has its own [`Grants`], keyed in
//! the store by `(user, provider)`.
//!
//! Rules (SECURITY.md, rules 43 to 47): one refresh at a time per user (callers that lose the race re-read
//! the winner's token instead of refreshing again); the new tokens are stored before the new
//! access token is used, so a rotated refresh token is never lost; `invalid_grant` and other
//! refusals are permanent (mark the link, keep the reason), network trouble, 5xx and 429 are
//! transient (retry briefly with backoff, keep the link).

use secrecy::SecretString;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::GitProvider;

use super::oauth::{ProviderOAuth, TokenError, TokenSet};
use super::ProviderError;
use crate::crypto::TokenCipher;
use crate::error::{AppError, AppResult};
use crate::store::{self, now_ms, ConnectionEventKind, Db, GrantStatus, StoredGrant, StoredTokens};
use crate::telemetry::metrics::RefreshOutcome;
use crate::telemetry::Metrics;

/// Refresh this long before the access token's stated expiry, to absorb clock skew and the
/// duration of the call that will use it.
const EXPIRY_MARGIN_SECS: i64 = 60;
/// Attempts at a refresh that fails transiently, with doubling pauses in between.
const REFRESH_ATTEMPTS: u32 = 3;
const REFRESH_FIRST_PAUSE: Duration = Duration::from_millis(200);
/// A `Retry-After` longer than this is not waited for inside a request; the user retries.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(2);
/// How long one instance may hold a user's refresh lease: longer than a refresh with all its
/// retries, short enough that a crashed holder delays the others only briefly.
const REFRESH_LEASE: Duration = Duration::from_secs(15);
/// How often an instance waiting for another's refresh looks for the new tokens.
const LEASE_POLL: Duration = Duration::from_millis(50);

/// One provider's OAuth client and its users' stored authorizations.
pub struct Grants {
    pub provider: GitProvider,
    /// The provider in sentences ("GitHub", "Acme Bitbucket"): what every failure of its
    /// calls is told in ([`AppError::named`]).
    pub name: Arc<str>,
    pub oauth: ProviderOAuth,
    db: Db,
    cipher: Arc<TokenCipher>,
    refresh_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    metrics: Arc<Metrics>,
    /// Commits to one branch from this instance take turns ([`super::turns`]).
    pub commit_turns: super::turns::CommitTurns,
    /// What repositories hold at commits already read ([`super::at_commit`]).
    pub at_commit: super::at_commit::AtCommit,
}

/// Associated data binding a ciphertext to its row and column (see crypto.rs). Cloud's rows
/// keep the form they had before there were two providers, so their ciphertexts still open;
/// for the same reason every form keeps the table's name before migration 0012
/// (`bitbucket_links`, now `provider_grants`): the data names a place, not the current schema.
pub fn token_context(user_id: i64, provider: GitProvider, column: &str) -> String {
    match provider {
        GitProvider::BitbucketCloud => format!("bitbucket_links/{user_id}/{column}"),
        other => format!("bitbucket_links/{user_id}/{}/{column}", other.slug()),
    }
}

impl Grants {
    pub fn new(
        provider: GitProvider,
        name: &str,
        oauth: ProviderOAuth,
        db: Db,
        cipher: Arc<TokenCipher>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            provider,
            name: Arc::from(name),
            oauth,
            db,
            cipher,
            refresh_locks: Mutex::default(),
            metrics,
            commit_turns: Default::default(),
            at_commit: Default::default(),
        }
    }

    /// Encrypts a fresh token set for the user's row.
    pub fn seal(
        &self,
        user_id: i64,
        tokens: &TokenSet,
        previous_refresh: Option<&str>,
    ) -> SealedTokens {
        let access = self.cipher.encrypt(
            &tokens.access_token,
            &token_context(user_id, self.provider, "access_token"),
        );
        let refresh = match (&tokens.refresh_token, previous_refresh) {
            (Some(token), _) => self.cipher.encrypt(
                token,
                &token_context(user_id, self.provider, "refresh_token"),
            ),
            // Not rotated: keep the ciphertext we have.
            (None, Some(previous)) => previous.to_owned(),
            (None, None) => String::new(),
        };
        let expires_at =
            store::now() + i64::try_from(tokens.expires_in.as_secs()).unwrap_or(i64::MAX / 2);
        SealedTokens {
            access,
            refresh,
            expires_at,
        }
    }

    /// Runs `call` with the user's access token. Refreshes first when the token has expired,
    /// and once more when the provider answers 401; a second 401 means the authorization is gone.
    ///
    /// This is the one place a provider call gets its token: the routes reach it through
    /// [`super::Provider::call`], the pipeline stores through [`super::Connected`], and no
    /// [`super::GitHost`] method sees a user id. So it is also where a failure is given the
    /// provider's name, for the user to read.
    pub async fn with_token<T, F, Fut>(&self, user_id: i64, call: F) -> AppResult<T>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        self.with_token_unnamed(user_id, call)
            .await
            .map_err(|error| error.named(&self.name))
    }

    async fn with_token_unnamed<T, F, Fut>(&self, user_id: i64, call: F) -> AppResult<T>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        let link = self.usable_link(user_id).await?;
        let token = if expired(&link) {
            self.refresh(user_id, &link.access_token).await?
        } else {
            self.decrypt(&link.access_token, user_id, "access_token")?
        };
        let result = match call(token).await {
            Err(error) if error.is_refused_token() => {
                let token = self.refresh(user_id, &link.access_token).await?;
                match call(token).await {
                    Err(error) if error.is_refused_token() => {
                        let reason = format!("{} no longer accepts the studio's authorization (it may have been revoked). Choose Reconnect to authorize again.", self.name);
                        self.mark_reconnect_needed(user_id, &reason).await?;
                        return Err(ProviderError::ReconnectNeeded(reason).into());
                    }
                    other => other,
                }
            }
            other => other,
        };
        if result.is_ok() {
            self.db.touch_grant(user_id, self.provider).await?;
        }
        result
    }

    /// The name of the account the user authorized as (the author of their commits).
    pub async fn account_name(&self, user_id: i64) -> AppResult<Option<String>> {
        Ok(self
            .db
            .stored_grant(user_id, self.provider)
            .await?
            .map(|link| link.display_name))
    }

    /// Why a link marked "reconnect needed" without a stored reason needs it.
    pub fn reauthorize(&self) -> String {
        format!("{} needs to be authorized again.", self.name)
    }

    async fn usable_link(&self, user_id: i64) -> AppResult<StoredGrant> {
        let link = self
            .db
            .stored_grant(user_id, self.provider)
            .await?
            .ok_or(ProviderError::NotConnected)?;
        if link.status() == GrantStatus::ReconnectNeeded {
            let reason = link
                .status_reason
                .clone()
                .unwrap_or_else(|| self.reauthorize());
            return Err(ProviderError::ReconnectNeeded(reason).into());
        }
        Ok(link)
    }

    fn decrypt(&self, stored: &str, user_id: i64, column: &str) -> AppResult<SecretString> {
        self.cipher
            .decrypt(stored, &token_context(user_id, self.provider, column))
            .map_err(AppError::internal)
    }

    fn lock_for(&self, user_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .refresh_locks
            .lock()
            .expect("refresh lock map poisoned");
        locks.entry(user_id).or_default().clone()
    }

    /// Returns a working access token, refreshing unless another caller already replaced
    /// `stale_access` (the ciphertext the caller found unusable).
    ///
    /// One refresh at a time per user: within this process a mutex queues the callers, and
    /// across instances the database's refresh lease ([`Db::take_refresh_lease`]) picks one;
    /// the others wait for the tokens it stores and use them.
    async fn refresh(&self, user_id: i64, stale_access: &str) -> AppResult<SecretString> {
        let lock = self.lock_for(user_id);
        let _guard = lock.lock().await;
        let gives_up = tokio::time::Instant::now() + REFRESH_LEASE + REFRESH_LEASE / 4;
        loop {
            let link = self.usable_link(user_id).await?;
            if link.access_token != stale_access && !expired(&link) {
                self.metrics.count_refresh(RefreshOutcome::Reused);
                return self.decrypt(&link.access_token, user_id, "access_token");
            }
            let lease = now_ms() + REFRESH_LEASE.as_millis() as i64;
            if self
                .db
                .take_refresh_lease(user_id, self.provider, lease)
                .await?
            {
                // Another instance may have finished between the read and the lease.
                let link = self.usable_link(user_id).await;
                let result = match link {
                    Ok(link) if link.access_token != stale_access && !expired(&link) => {
                        self.metrics.count_refresh(RefreshOutcome::Reused);
                        self.decrypt(&link.access_token, user_id, "access_token")
                    }
                    Ok(link) => self.refresh_holding_lease(user_id, &link).await,
                    Err(error) => Err(error),
                };
                if let Err(error) = self
                    .db
                    .release_refresh_lease(user_id, self.provider, lease)
                    .await
                {
                    // It runs out by itself; the refresh's own outcome matters more.
                    tracing::warn!(user_id, %error, "the refresh lease was not released");
                }
                return result;
            }
            if tokio::time::Instant::now() > gives_up {
                return Err(ProviderError::Unavailable(
                    "another instance has been refreshing this user's token for too long".into(),
                )
                .into());
            }
            tokio::time::sleep(LEASE_POLL).await;
        }
    }

    /// Refreshes `link`'s tokens and stores them (the caller holds the refresh lease).
    async fn refresh_holding_lease(
        &self,
        user_id: i64,
        link: &StoredGrant,
    ) -> AppResult<SecretString> {
        let refresh_token = self.decrypt(&link.refresh_token, user_id, "refresh_token")?;
        let mut pause = REFRESH_FIRST_PAUSE;
        for attempt in 1..=REFRESH_ATTEMPTS {
            match self.oauth.refresh(&refresh_token).await {
                Ok(tokens) => {
                    self.metrics.count_refresh(RefreshOutcome::Refreshed);
                    let sealed = self.seal(user_id, &tokens, Some(&link.refresh_token));
                    self.db
                        .update_grant_tokens(user_id, self.provider, sealed.as_stored())
                        .await?;
                    self.db
                        .record_connection_event(
                            user_id,
                            self.provider.slug(),
                            ConnectionEventKind::Refreshed,
                            None,
                        )
                        .await?;
                    return Ok(tokens.access_token);
                }
                Err(TokenError::Refused { code, description }) => {
                    tracing::warn!(user_id, %code, "the provider refused to refresh the token");
                    self.metrics.count_refresh(RefreshOutcome::Refused);
                    let detail = format!("{code}: {description}");
                    self.db
                        .record_connection_event(
                            user_id,
                            self.provider.slug(),
                            ConnectionEventKind::RefreshFailed,
                            Some(&detail),
                        )
                        .await?;
                    let reason = format!("{} no longer accepts the studio's authorization (it was revoked or has expired). Choose Reconnect to authorize again.", self.name);
                    self.mark_reconnect_needed(user_id, &reason).await?;
                    return Err(ProviderError::ReconnectNeeded(reason).into());
                }
                Err(TokenError::Transient {
                    reason,
                    retry_after,
                }) => {
                    tracing::warn!(user_id, attempt, %reason, "refreshing the provider token failed transiently");
                    let wait = retry_after.map(Duration::from_secs).unwrap_or(pause);
                    if attempt == REFRESH_ATTEMPTS || wait > MAX_INLINE_WAIT {
                        self.metrics.count_refresh(RefreshOutcome::Failed);
                        // Recorded for the user to see, but the link is kept: the refresh
                        // token is still good once the provider answers again.
                        let detail = format!("{}'s token endpoint did not answer ({reason}); the connection was kept and the next request tries again.", self.name);
                        self.db
                            .record_connection_event(
                                user_id,
                                self.provider.slug(),
                                ConnectionEventKind::RefreshFailed,
                                Some(&detail),
                            )
                            .await?;
                        return Err(match retry_after {
                            Some(_) => ProviderError::RateLimited { retry_after },
                            None => ProviderError::Unavailable(reason),
                        }
                        .into());
                    }
                    self.metrics.count_refresh(RefreshOutcome::Retried);
                    tokio::time::sleep(wait).await;
                    pause *= 2;
                }
            }
        }
        unreachable!("the last attempt returns")
    }

    async fn mark_reconnect_needed(&self, user_id: i64, reason: &str) -> AppResult<()> {
        self.db
            .mark_grant_reconnect_needed(user_id, self.provider, reason)
            .await?;
        self.db
            .record_connection_event(
                user_id,
                self.provider.slug(),
                ConnectionEventKind::ReconnectNeeded,
                Some(reason),
            )
            .await?;
        Ok(())
    }
}

/// Encrypted tokens ready to store.
pub struct SealedTokens {
    pub access: String,
    pub refresh: String,
    pub expires_at: i64,
}

impl SealedTokens {
    pub fn as_stored(&self) -> StoredTokens<'_> {
        StoredTokens {
            access_token: &self.access,
            refresh_token: &self.refresh,
            access_expires_at: self.expires_at,
        }
    }
}

/// Whether the access token is expired or about to (within [`EXPIRY_MARGIN_SECS`]): the one
/// rule for "refresh before using it".
pub fn expired(link: &StoredGrant) -> bool {
    link.access_expires_at - EXPIRY_MARGIN_SECS <= store::now()
}
