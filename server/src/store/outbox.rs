//! Mail kept instead of sent (`mail_outbox`), for the studio's own mailbox page.

use super::{on_pool, Db, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct KeptMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub sent_at: i64,
}

/// Most messages the mailbox page shows.
pub const MAILBOX_SHOWN: i64 = 100;

impl Db {
    pub async fn keep_mail(
        &self,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        let sql =
            "INSERT INTO mail_outbox (recipient, subject, body, sent_at) VALUES ($1, $2, $3, $4)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(super::now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The newest kept messages, newest first, to `recipient` only when given.
    pub async fn kept_mail(&self, recipient: Option<&str>) -> Result<Vec<KeptMail>, StoreError> {
        let sql = "SELECT id, recipient, subject, body, sent_at FROM mail_outbox \
                   WHERE ($1 IS NULL OR recipient = $1) ORDER BY id DESC LIMIT $2";
        Ok(on_pool!(self, pool => sqlx::query_as::<_, KeptMail>(sql)
            .bind(recipient)
            .bind(MAILBOX_SHOWN)
            .fetch_all(pool)
            .await)?)
    }
}
