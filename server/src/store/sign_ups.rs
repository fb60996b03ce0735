//! Sign-ups waiting for their address to be confirmed (`migrations/*/0009_sign_ups.sql`).

use super::{on_pool, Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingSignUp {
    pub email: String,
    pub password_hash: String,
    pub return_to: String,
}

impl Db {
    pub async fn insert_sign_up(
        &self,
        token_hash: &str,
        email: &str,
        password_hash: &str,
        return_to: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO sign_ups (token_hash, email, password_hash, return_to, expires_at) \
                   VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(token_hash)
            .bind(email)
            .bind(password_hash)
            .bind(return_to)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The address of the unexpired sign-up of `token_hash`, leaving it unused: what the
    /// confirm page shows before anyone chooses to use the link.
    pub async fn pending_sign_up_email(
        &self,
        token_hash: &str,
    ) -> Result<Option<String>, StoreError> {
        let sql = "SELECT email FROM sign_ups WHERE token_hash = $1 AND expires_at > $2";
        Ok(on_pool!(self, pool => sqlx::query_scalar::<_, String>(sql)
            .bind(token_hash)
            .bind(super::now())
            .fetch_optional(pool)
            .await)?)
    }

    /// Takes the unexpired sign-up of `token_hash`, once: a second use finds nothing.
    pub async fn consume_sign_up(
        &self,
        token_hash: &str,
    ) -> Result<Option<PendingSignUp>, StoreError> {
        let sql = "DELETE FROM sign_ups WHERE token_hash = $1 AND expires_at > $2 \
                   RETURNING email, password_hash, return_to";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, PendingSignUp>(sql)
            .bind(token_hash)
            .bind(super::now())
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// Drops every other pending sign-up of `email` (its account exists now) and expired ones.
    pub async fn forget_sign_ups(&self, email: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM sign_ups WHERE email = $1 OR expires_at <= $2";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(email)
            .bind(super::now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
