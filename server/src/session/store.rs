//! The session store: tower-sessions' [`SessionStore`] over the studio's own `sessions`
//! table, on whichever engine the server uses.
//!
//! The cookie carries the session id, a 128-bit random bearer secret. The table keeps only
//! its SHA-256 ([`id_hash`]), as a password table keeps hashes: a copy of the database (a
//! backup, a read-only replica, an SQL injection elsewhere) hands out no live session. A
//! plain hash suffices because the id is random and long; nothing can be guessed to match.

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use tower_sessions::SessionStore;

use super::USER_ID;
use crate::store::{Db, StoreError};

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes expired sessions every `period`, for as long as the server runs (a failed
    /// sweep, say while the database restarts, is retried at the next one).
    pub fn spawn_expiry_sweeper(&self, period: std::time::Duration) {
        let db = self.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                let now = OffsetDateTime::now_utc().unix_timestamp();
                if let Err(error) = db.delete_expired_sessions(now).await {
                    tracing::warn!(%error, "could not delete expired sessions");
                }
            }
        });
    }
}

/// What the table keys a session by: the SHA-256 of the id as the cookie carries it.
pub fn id_hash(id: &Id) -> String {
    crate::random::digest(&id.to_string())
}

fn backend(error: StoreError) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

struct Encoded {
    user_id: Option<i64>,
    data: String,
    expires_at: i64,
}

fn encode(record: &Record) -> session_store::Result<Encoded> {
    Ok(Encoded {
        user_id: record.data.get(USER_ID).and_then(serde_json::Value::as_i64),
        data: serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?,
        expires_at: record.expiry_date.unix_timestamp(),
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let row = encode(record)?;
        // A collision of 128 random bits does not happen; if it ever did, another id is drawn
        // rather than overwriting someone's session.
        while !self
            .db
            .insert_session(&id_hash(&record.id), row.user_id, &row.data, row.expires_at)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let row = encode(record)?;
        self.db
            .update_session(&id_hash(&record.id), row.user_id, &row.data, row.expires_at)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        let Some(row) = self
            .db
            .load_session(&id_hash(id), now.unix_timestamp())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(row.expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.db.delete_session(&id_hash(id)).await.map_err(backend)
    }
}
