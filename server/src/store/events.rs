//! The audit trail of a user's provider connections.

use super::{on_pool, Db, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionEventKind {
    Connected,
    Refreshed,
    RefreshFailed,
    ReconnectNeeded,
    Disconnected,
}

impl ConnectionEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionEventKind::Connected => "connected",
            ConnectionEventKind::Refreshed => "refreshed",
            ConnectionEventKind::RefreshFailed => "refresh_failed",
            ConnectionEventKind::ReconnectNeeded => "reconnect_needed",
            ConnectionEventKind::Disconnected => "disconnected",
        }
    }
}

impl Db {
    pub async fn record_connection_event(
        &self,
        user_id: i64,
        provider: &str,
        kind: ConnectionEventKind,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO connection_events (user_id, provider, kind, detail, at) VALUES ($1, $2, $3, $4, $5)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(user_id)
            .bind(provider)
            .bind(kind.as_str())
            .bind(detail)
            .bind(super::now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Kinds of a user's events, oldest first (used by tests and, later, the connections page).
    pub async fn connection_event_kinds(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT kind FROM connection_events WHERE user_id = $1 ORDER BY at, id";
        Ok(
            on_pool!(self, pool => sqlx::query_scalar::<_, String>(sql).bind(user_id).fetch_all(pool).await)?,
        )
    }
}
