//! Browser sessions, keyed by the SHA-256 of their id (see `migrations/*/0007_sessions.sql`).
//! The adapter to tower-sessions is [`crate::session::store`]; this module only knows rows.

use super::{on_pool, Db, StoreError};

/// A stored session: its serialised data and when it expires (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub data: String,
    pub expires_at: i64,
}

impl Db {
    /// Inserts a new session; `false` when a session with this id hash exists already (the
    /// caller picks another id).
    pub async fn insert_session(
        &self,
        id_hash: &str,
        user_id: Option<i64>,
        data: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let sql =
            "INSERT INTO sessions (id_hash, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (id_hash) DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(sql)
            .bind(id_hash)
            .bind(user_id)
            .bind(data)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// Rewrites an existing session. Never inserts: a session deleted meanwhile (signed out on
    /// another instance) stays deleted, whatever this request had loaded.
    pub async fn update_session(
        &self,
        id_hash: &str,
        user_id: Option<i64>,
        data: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE sessions SET user_id = $2, data = $3, expires_at = $4 WHERE id_hash = $1";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(id_hash)
            .bind(user_id)
            .bind(data)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The session, unless it is unknown or expired at `now`.
    pub async fn load_session(
        &self,
        id_hash: &str,
        now: i64,
    ) -> Result<Option<SessionRow>, StoreError> {
        let sql = "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2";
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SessionRow>(sql)
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await)?)
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM sessions WHERE id_hash = $1";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(id_hash)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Deletes sessions expired at `now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64, StoreError> {
        let sql = "DELETE FROM sessions WHERE expires_at <= $1";
        Ok(on_pool!(self, pool => sqlx::query(sql)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?)
    }
}
