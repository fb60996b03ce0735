//! A user's authorization of one provider (Bitbucket Cloud, Bitbucket Data Center): the
//! account, the granted scopes and the encrypted tokens. One row per user and provider
//! (migration 0010); every statement names both. The table is `provider_grants` (named
//! `bitbucket_links` until migration 0012).
//!
//! Token columns hold ciphertexts produced by [`crate::crypto::TokenCipher`]; this module never
//! sees a token in clear.

use api::GitProvider;

use super::{on_pool, Db, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantStatus {
    Connected,
    ReconnectNeeded,
}

impl GrantStatus {
    fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Connected => "connected",
            GrantStatus::ReconnectNeeded => "reconnect_needed",
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredGrant {
    pub user_id: i64,
    pub account_id: String,
    pub account_uuid: String,
    pub nickname: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub scopes: String,
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires_at: i64,
    status: String,
    pub status_reason: Option<String>,
    pub connected_at: i64,
    pub validated_at: i64,
    pub last_used_at: Option<i64>,
    /// The workspace the repository step opens first (see migration 0004).
    pub preferred_workspace: Option<String>,
}

impl StoredGrant {
    pub fn status(&self) -> GrantStatus {
        if self.status == GrantStatus::Connected.as_str() {
            GrantStatus::Connected
        } else {
            GrantStatus::ReconnectNeeded
        }
    }
}

/// Encrypted tokens with the access token's expiry (Unix seconds).
pub struct StoredTokens<'a> {
    pub access_token: &'a str,
    pub refresh_token: &'a str,
    pub access_expires_at: i64,
}

pub struct NewGrant<'a> {
    pub user_id: i64,
    pub provider: GitProvider,
    pub account_id: &'a str,
    pub account_uuid: &'a str,
    pub nickname: &'a str,
    pub display_name: &'a str,
    pub avatar_url: Option<&'a str>,
    pub scopes: &'a str,
    pub tokens: StoredTokens<'a>,
    /// The account's first workspace, when it could be read at authorization.
    pub preferred_workspace: Option<&'a str>,
}

const COLUMNS: &str =
    "user_id, account_id, account_uuid, nickname, display_name, avatar_url, scopes, \
                       access_token, refresh_token, access_expires_at, status, status_reason, \
                       connected_at, validated_at, last_used_at, preferred_workspace";

impl Db {
    pub async fn stored_grant(
        &self,
        user_id: i64,
        provider: GitProvider,
    ) -> Result<Option<StoredGrant>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM provider_grants WHERE user_id = $1 AND provider = $2");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, StoredGrant>(&sql).bind(user_id).bind(provider.slug()).fetch_optional(pool).await)?,
        )
    }

    /// Inserts or replaces the user's link: a new authorization supersedes the old one, except
    /// that reconnecting the same account keeps the workspace the user last chose.
    pub async fn upsert_grant(&self, link: NewGrant<'_>) -> Result<(), StoreError> {
        let now = super::now();
        let sql = "INSERT INTO provider_grants \
                   (user_id, account_id, account_uuid, nickname, display_name, avatar_url, scopes, access_token, \
                    refresh_token, access_expires_at, status, status_reason, connected_at, validated_at, last_used_at, updated_at, \
                    preferred_workspace, provider) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, $12, NULL, $12, $13, $14) \
                   ON CONFLICT (user_id, provider) DO UPDATE SET \
                   account_id = excluded.account_id, account_uuid = excluded.account_uuid, nickname = excluded.nickname, \
                   display_name = excluded.display_name, avatar_url = excluded.avatar_url, scopes = excluded.scopes, \
                   access_token = excluded.access_token, refresh_token = excluded.refresh_token, \
                   access_expires_at = excluded.access_expires_at, status = excluded.status, status_reason = NULL, \
                   connected_at = excluded.connected_at, validated_at = excluded.validated_at, last_used_at = NULL, \
                   updated_at = excluded.updated_at, \
                   preferred_workspace = CASE WHEN provider_grants.account_uuid = excluded.account_uuid \
                   AND provider_grants.preferred_workspace IS NOT NULL \
                   THEN provider_grants.preferred_workspace ELSE excluded.preferred_workspace END";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(link.user_id)
            .bind(link.account_id)
            .bind(link.account_uuid)
            .bind(link.nickname)
            .bind(link.display_name)
            .bind(link.avatar_url)
            .bind(link.scopes)
            .bind(link.tokens.access_token)
            .bind(link.tokens.refresh_token)
            .bind(link.tokens.access_expires_at)
            .bind(GrantStatus::Connected.as_str())
            .bind(now)
            .bind(link.preferred_workspace)
            .bind(link.provider.slug())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Stores refreshed tokens. Called before the new access token is used, so a rotated
    /// refresh token is never lost.
    pub async fn update_grant_tokens(
        &self,
        user_id: i64,
        provider: GitProvider,
        tokens: StoredTokens<'_>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE provider_grants SET access_token = $1, refresh_token = $2, access_expires_at = $3, \
                   updated_at = $4 WHERE user_id = $5 AND provider = $6";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(tokens.access_token)
            .bind(tokens.refresh_token)
            .bind(tokens.access_expires_at)
            .bind(super::now())
            .bind(user_id)
            .bind(provider.slug())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Every stored token pair: `(user_id, provider, access_token, refresh_token)`, the tokens
    /// as ciphertexts. Rows of a provider this build does not know are left out.
    pub async fn sealed_grant_tokens(
        &self,
    ) -> Result<Vec<(i64, GitProvider, String, String)>, StoreError> {
        let sql = "SELECT user_id, provider, access_token, refresh_token FROM provider_grants \
                   ORDER BY user_id, provider";
        let rows: Vec<(i64, String, String, String)> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(user, provider, access, refresh)| {
                Some((user, GitProvider::from_slug(&provider)?, access, refresh))
            })
            .collect())
    }

    /// Replaces a token pair's ciphertexts if they are still `old` (a refresh meanwhile wins:
    /// it wrote under the newest key anyway). True when replaced.
    pub async fn reseal_grant_tokens(
        &self,
        user_id: i64,
        provider: GitProvider,
        old: (&str, &str),
        new: (&str, &str),
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE provider_grants SET access_token = $1, refresh_token = $2 \
                   WHERE user_id = $3 AND provider = $6 AND access_token = $4 AND refresh_token = $5";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(new.0)
            .bind(new.1)
            .bind(user_id)
            .bind(old.0)
            .bind(old.1)
            .bind(provider.slug())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Takes the user's refresh lease until `until_ms` (Unix milliseconds) if nobody holds it
    /// (or the holder's lease ran out). One statement, so two instances cannot both win.
    pub async fn take_refresh_lease(
        &self,
        user_id: i64,
        provider: GitProvider,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE provider_grants SET refresh_lease_until = $1 \
                   WHERE user_id = $2 AND provider = $4 AND (refresh_lease_until IS NULL OR refresh_lease_until < $3)";
        let taken = on_pool!(self, pool => sqlx::query(sql)
            .bind(until_ms)
            .bind(user_id)
            .bind(now_ms())
            .bind(provider.slug())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(taken == 1)
    }

    /// Gives the lease back, if it is still the one taken with `until_ms`.
    pub async fn release_refresh_lease(
        &self,
        user_id: i64,
        provider: GitProvider,
        until_ms: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE provider_grants SET refresh_lease_until = NULL \
                   WHERE user_id = $1 AND refresh_lease_until = $2 AND provider = $3";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(user_id)
            .bind(until_ms)
            .bind(provider.slug())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn mark_grant_reconnect_needed(
        &self,
        user_id: i64,
        provider: GitProvider,
        reason: &str,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE provider_grants SET status = $1, status_reason = $2, updated_at = $3 WHERE user_id = $4 AND provider = $5";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(GrantStatus::ReconnectNeeded.as_str())
            .bind(reason)
            .bind(super::now())
            .bind(user_id)
            .bind(provider.slug())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Records a successful Bitbucket call made with the link: it proved the authorization
    /// still works.
    pub async fn touch_grant(&self, user_id: i64, provider: GitProvider) -> Result<(), StoreError> {
        let now = super::now();
        let sql =
            "UPDATE provider_grants SET last_used_at = $1, validated_at = $1 WHERE user_id = $2 AND provider = $3";
        on_pool!(self, pool => sqlx::query(sql).bind(now).bind(user_id).bind(provider.slug()).execute(pool).await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Remembers the workspace the user last chose a repository in, so the repository step
    /// opens there next time.
    pub async fn remember_preferred_workspace(
        &self,
        user_id: i64,
        provider: GitProvider,
        workspace: &str,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE provider_grants SET preferred_workspace = $1 WHERE user_id = $2 AND provider = $3";
        on_pool!(self, pool => sqlx::query(sql).bind(workspace).bind(user_id).bind(provider.slug()).execute(pool).await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Forgets the user's link and its tokens. Returns whether there was one.
    pub async fn delete_grant(
        &self,
        user_id: i64,
        provider: GitProvider,
    ) -> Result<bool, StoreError> {
        let sql = "DELETE FROM provider_grants WHERE user_id = $1 AND provider = $2";
        let deleted = on_pool!(self, pool => sqlx::query(sql)
            .bind(user_id)
            .bind(provider.slug())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(deleted > 0)
    }
}

/// Current time in Unix milliseconds (leases are short; seconds would be too coarse).
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    now.unix_timestamp() * 1000 + i64::from(now.millisecond())
}
