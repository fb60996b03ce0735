//! Failed sign-ins per account, counted in a sliding window (see `routes::auth`). Kept in the
//! database, not in memory, so every instance behind a load balancer enforces one limit.

use super::{on_pool, Db, StoreError};

impl Db {
    /// Records a failed sign-in for `email_key` and forgets failures older than `window_start`.
    pub async fn record_sign_in_failure(
        &self,
        email_key: &str,
        window_start: i64,
    ) -> Result<(), StoreError> {
        let insert = "INSERT INTO sign_in_failures (email_key, at) VALUES ($1, $2)";
        on_pool!(self, pool => sqlx::query(insert)
            .bind(email_key)
            .bind(super::now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        let prune = "DELETE FROM sign_in_failures WHERE at < $1";
        on_pool!(self, pool => sqlx::query(prune)
            .bind(window_start)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// How many failures `email_key` has since `window_start`, and when the oldest of them was.
    pub async fn sign_in_failures_since(
        &self,
        email_key: &str,
        window_start: i64,
    ) -> Result<(i64, Option<i64>), StoreError> {
        let sql =
            "SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE email_key = $1 AND at >= $2";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, (i64, Option<i64>)>(sql)
            .bind(email_key)
            .bind(window_start)
            .fetch_one(pool)
            .await)?,
        )
    }

    /// A successful sign-in clears the account's failures.
    pub async fn clear_sign_in_failures(&self, email_key: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM sign_in_failures WHERE email_key = $1";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(email_key)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
