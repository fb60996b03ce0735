//! Rate limits as attempt counters, one row per limited key (`migrations/*/0008_rate_limits.sql`).
//!
//! [`Db::reserve_attempt`] checks the limit and counts the attempt in **one statement**, an
//! upsert whose update only happens under the limit. Both engines run it atomically (SQLite
//! has one writer; PostgreSQL locks the conflicting row and re-checks the condition on its
//! latest version), so attempts sent in parallel, to one instance or to several, are counted
//! one by one and the limit holds exactly. The attempt is reserved *before* the expensive or
//! revealing work (hashing a password, sending a mail), never recorded after it.
//!
//! A window opens at the first attempt and lasts `window_secs`; the next attempt after it
//! opens a new one.

use super::{on_pool, Db, StoreError};

/// At most `max` attempts per `window_secs` for one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Prefixes the key, so limits never share counters.
    pub name: &'static str,
    pub max: i64,
    pub window_secs: i64,
}

/// The limit is reached; the next attempt may come in `retry_after` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    pub retry_after: u64,
}

/// Counters idle this long are deleted by [`Db::prune_rate_limits`]; longer than any window.
pub const KEEP_SECS: i64 = 24 * 3600;

impl Db {
    /// Counts one attempt for `key` under `limit`, or refuses it when the window is full.
    pub async fn reserve_attempt(
        &self,
        limit: Limit,
        key: &str,
    ) -> Result<Result<(), Refused>, StoreError> {
        let key = format!("{}:{key}", limit.name);
        let now = super::now();
        let expired_before = now - limit.window_secs;
        let sql = "INSERT INTO rate_limits (key, window_start, attempts) VALUES ($1, $2, 1) \
                   ON CONFLICT (key) DO UPDATE SET \
                     attempts = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.attempts + 1 END, \
                     window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
                   WHERE rate_limits.window_start <= $3 OR rate_limits.attempts < $4 \
                   RETURNING attempts";
        let counted: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(&key)
            .bind(now)
            .bind(expired_before)
            .bind(limit.max)
            .fetch_optional(pool)
            .await)?;
        if counted.is_some() {
            return Ok(Ok(()));
        }
        let sql = "SELECT window_start FROM rate_limits WHERE key = $1";
        let window_start: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(sql)
            .bind(&key)
            .fetch_optional(pool)
            .await)?;
        let reopens = window_start.unwrap_or(now) + limit.window_secs;
        Ok(Err(Refused {
            retry_after: u64::try_from(reopens - now).unwrap_or(0).max(1),
        }))
    }

    /// Forgets the attempts counted for `key` (a successful sign-in clears its failures).
    pub async fn clear_attempts(&self, limit: Limit, key: &str) -> Result<(), StoreError> {
        let sql = "DELETE FROM rate_limits WHERE key = $1";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(format!("{}:{key}", limit.name))
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Deletes counters whose window opened more than [`KEEP_SECS`] ago.
    pub async fn prune_rate_limits(&self) -> Result<u64, StoreError> {
        let sql = "DELETE FROM rate_limits WHERE window_start < $1";
        Ok(on_pool!(self, pool => sqlx::query(sql)
            .bind(super::now() - KEEP_SECS)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?)
    }
}
