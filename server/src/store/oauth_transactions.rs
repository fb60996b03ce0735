//! Pending authorizations: what `/oauth/{provider}/start` remembers for its callback.
//!
//! Kept in the database rather than in memory so that a callback landing on another server
//! instance, or after a restart, still completes.

use super::{on_pool, Db, StoreError};

pub struct NewOAuthTransaction<'a> {
    pub state_hash: &'a str,
    pub user_id: i64,
    pub session_binding: &'a str,
    pub provider: &'a str,
    /// Encrypted PKCE verifier, when the provider uses PKCE.
    pub pkce_verifier: Option<&'a str>,
    pub return_to: &'a str,
    pub expires_at: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OAuthTransaction {
    pub user_id: i64,
    pub session_binding: String,
    pub provider: String,
    pub pkce_verifier: Option<String>,
    pub return_to: String,
}

impl Db {
    pub async fn insert_oauth_transaction(
        &self,
        tx: NewOAuthTransaction<'_>,
    ) -> Result<(), StoreError> {
        let now = super::now();
        let sql = "INSERT INTO oauth_transactions \
                   (state_hash, user_id, session_binding, provider, pkce_verifier, return_to, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(tx.state_hash)
            .bind(tx.user_id)
            .bind(tx.session_binding)
            .bind(tx.provider)
            .bind(tx.pkce_verifier)
            .bind(tx.return_to)
            .bind(now)
            .bind(tx.expires_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        // Opportunistic clean-up keeps the table small without a background job.
        let sql = "DELETE FROM oauth_transactions WHERE expires_at < $1";
        on_pool!(self, pool => sqlx::query(sql).bind(now - 3600).execute(pool).await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Marks the transaction used and returns it, in one statement, so two callbacks racing
    /// with the same `state` cannot both succeed. `None` when unknown, expired or already used.
    pub async fn consume_oauth_transaction(
        &self,
        state_hash: &str,
        provider: &str,
    ) -> Result<Option<OAuthTransaction>, StoreError> {
        let sql = "UPDATE oauth_transactions SET used_at = $1 \
                   WHERE state_hash = $2 AND provider = $3 AND used_at IS NULL AND expires_at > $1 \
                   RETURNING user_id, session_binding, provider, pkce_verifier, return_to";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, OAuthTransaction>(sql)
            .bind(super::now())
            .bind(state_hash)
            .bind(provider)
            .fetch_optional(pool)
            .await)?,
        )
    }
}
