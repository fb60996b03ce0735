//! Browser sessions, keyed by the SHA-256 of their id (see `migrations/*/0007_sessions.sql`;
//! `0011_session_created_at.sql` adds the creation time their absolute lifetime counts from).
//! The session logic (cookie, cache, sliding expiry) is [`crate::session`]; this module only
//! knows rows.

use super::{on_pool, Db, StoreError};

/// The PostgreSQL channel on which every ended session's id hash is announced, from the
/// transaction that deleted it: each instance drops it from its cache.
pub const SESSION_ENDED_CHANNEL: &str = "studio_session_ended";

/// What each instance's heartbeat channel is called, before a random part of its own: the
/// session listener sends itself a `NOTIFY` there to prove it still hears (`session/listener.rs`).
pub const SESSION_HEARTBEAT_CHANNEL_PREFIX: &str = "studio_session_heartbeat_";

/// A live session and its user, read together.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionWithUser {
    pub user_id: i64,
    pub email: String,
    pub expires_at: i64,
    pub created_at: i64,
}

impl Db {
    /// Inserts a new session of `user_id`, created at `created_at`; `false` when a session with
    /// this id hash exists already (the caller draws another id).
    pub async fn insert_session(
        &self,
        id_hash: &str,
        user_id: i64,
        created_at: i64,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        // `data` is kept for what a session may one day carry; nothing needs it today.
        let sql = "INSERT INTO sessions (id_hash, user_id, data, created_at, expires_at) \
                   VALUES ($1, $2, '{}', $3, $4) ON CONFLICT (id_hash) DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(sql)
            .bind(id_hash)
            .bind(user_id)
            .bind(created_at)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// The session and its user in one query, unless it is unknown, over at `now`, or created
    /// at or before `created_after` (past its absolute lifetime).
    pub async fn session_with_user(
        &self,
        id_hash: &str,
        now: i64,
        created_after: i64,
    ) -> Result<Option<SessionWithUser>, StoreError> {
        let sql = "SELECT u.id AS user_id, u.email, s.expires_at, s.created_at \
                   FROM sessions s JOIN users u ON u.id = s.user_id \
                   WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.created_at > $3";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, SessionWithUser>(sql)
            .bind(id_hash)
            .bind(now)
            .bind(created_after)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// Pushes a live session's end out to `expires_at`. Only ever an `UPDATE` of a session
    /// that is still there and not over, neither idle (`expires_at > now`) nor past its
    /// absolute lifetime (created after `created_after`): one ended meanwhile (signed out on
    /// another instance, expired) stays ended, whatever a cache remembered. `false` when there
    /// was none.
    pub async fn renew_session(
        &self,
        id_hash: &str,
        now: i64,
        expires_at: i64,
        created_after: i64,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE sessions SET expires_at = $3 \
                   WHERE id_hash = $1 AND expires_at > $2 AND created_at > $4";
        let renewed = on_pool!(self, pool => sqlx::query(sql)
            .bind(id_hash)
            .bind(now)
            .bind(expires_at)
            .bind(created_after)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(renewed == 1)
    }

    /// Ends a session. On PostgreSQL the same transaction announces it on
    /// [`SESSION_ENDED_CHANNEL`], so no instance hears of an ending that did not happen, and
    /// none misses one that did (while its listener is connected).
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let delete = "DELETE FROM sessions WHERE id_hash = $1";
        match self {
            Db::Sqlite(pool) => {
                sqlx::query(delete).bind(id_hash).execute(pool).await?;
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query(delete).bind(id_hash).execute(&mut *tx).await?;
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(SESSION_ENDED_CHANNEL)
                    .bind(id_hash)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Deletes sessions over at `now`, idle or created at or before `created_after`; returns
    /// how many. (No announcement: every instance checks a session's ends itself.)
    pub async fn delete_expired_sessions(
        &self,
        now: i64,
        created_after: i64,
    ) -> Result<u64, StoreError> {
        let sql = "DELETE FROM sessions WHERE expires_at <= $1 OR created_at <= $2";
        Ok(on_pool!(self, pool => sqlx::query(sql)
            .bind(now)
            .bind(created_after)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?)
    }

    /// A new pool of one connection for the session listener (one per connection it makes),
    /// named so an operator (and the tests) can find it in `pg_stat_activity`; `None` on
    /// SQLite.
    pub fn session_listener_pool(&self) -> Option<sqlx::PgPool> {
        let Db::Postgres(pool) = self else {
            return None;
        };
        let options = (*pool.connect_options())
            .clone()
            .application_name(SESSION_LISTENER_NAME);
        Some(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .min_connections(0)
                .acquire_timeout(std::time::Duration::from_secs(5))
                .max_lifetime(None)
                .idle_timeout(None)
                .connect_lazy_with(options),
        )
    }
}

/// The session listener's `application_name`.
pub const SESSION_LISTENER_NAME: &str = "pipeline-studio session listener";
