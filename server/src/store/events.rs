//! The audit trail of a user's provider connections: what happened to the authorization and
//! when, for the user to read on the connections page and for support to read in the database.

use api::{ConnectionEvent, ConnectionEventKind};

use super::{on_pool, Db, StoreError};

/// The connections page shows this many; older events stay in the table.
pub const EVENTS_SHOWN: i64 = 50;

#[derive(sqlx::FromRow)]
struct EventRow {
    kind: String,
    detail: Option<String>,
    at: i64,
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

    /// The user's latest events with `provider`, newest first. Rows of a kind this build does
    /// not know (written by a newer one) are skipped rather than failing the page.
    pub async fn connection_events(
        &self,
        user_id: i64,
        provider: &str,
    ) -> Result<Vec<ConnectionEvent>, StoreError> {
        let sql =
            "SELECT kind, detail, at FROM connection_events WHERE user_id = $1 AND provider = $2 \
                   ORDER BY at DESC, id DESC LIMIT $3";
        let rows: Vec<EventRow> = on_pool!(self, pool => sqlx::query_as(sql)
            .bind(user_id)
            .bind(provider)
            .bind(EVENTS_SHOWN)
            .fetch_all(pool)
            .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(ConnectionEvent {
                    kind: ConnectionEventKind::from_name(&row.kind)?,
                    detail: row.detail,
                    at: row.at,
                })
            })
            .collect())
    }
}
