//! Editors' unsaved text per user, project and pipeline, stored as the contract's JSON.
//!
//! A user keeps at most `limit` of them: each may be as large as a pipeline. The count and the
//! write are one statement, so two saves racing cannot both pass a check made before either
//! wrote (on PostgreSQL the statement also takes the user's row lock first, which orders
//! concurrent saves of one user).

use super::{on_pool, Db, StoreError};

/// Where one draft lives.
#[derive(Clone, Copy, Debug)]
pub struct DraftSlot<'a> {
    pub user_id: i64,
    pub project_id: i64,
    /// The pipeline's path, or `""` for a new pipeline.
    pub slot: &'a str,
}

/// Inserts or replaces a draft unless it is new and the user keeps `$6` drafts already.
const SAVE: &str = "INSERT INTO pipeline_drafts (user_id, project_id, slot, body, updated_at) \
                    SELECT $1, $2, $3, $4, $5 \
                    WHERE (SELECT COUNT(*) FROM pipeline_drafts WHERE user_id = $1) < $6 \
                       OR EXISTS (SELECT 1 FROM pipeline_drafts \
                                  WHERE user_id = $1 AND project_id = $2 AND slot = $3) \
                    ON CONFLICT (user_id, project_id, slot) \
                    DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";

impl Db {
    /// The draft's JSON and when it was saved.
    pub async fn pipeline_draft(
        &self,
        at: DraftSlot<'_>,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let sql = "SELECT body, updated_at FROM pipeline_drafts \
                   WHERE user_id = $1 AND project_id = $2 AND slot = $3";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, (String, i64)>(sql)
            .bind(at.user_id)
            .bind(at.project_id)
            .bind(at.slot)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// Saves (inserts or replaces) the draft; `None` when it is new and the user already
    /// keeps `limit` drafts (nothing is written then).
    pub async fn save_pipeline_draft(
        &self,
        at: DraftSlot<'_>,
        body: &str,
        limit: usize,
    ) -> Result<Option<i64>, StoreError> {
        let now = super::now();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // One statement, bound the same way on either engine.
        macro_rules! save_on {
            ($executor:expr) => {
                sqlx::query(SAVE)
                    .bind(at.user_id)
                    .bind(at.project_id)
                    .bind(at.slot)
                    .bind(body)
                    .bind(now)
                    .bind(limit)
                    .execute($executor)
                    .await?
                    .rows_affected()
            };
        }
        let written = match self {
            // SQLite runs one write at a time, so the count and the insert cannot interleave.
            Db::Sqlite(pool) => save_on!(pool),
            Db::Postgres(pool) => {
                // The user's row lock orders this user's concurrent saves, so each counts what
                // the one before it wrote.
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                    .bind(at.user_id)
                    .execute(&mut *tx)
                    .await?;
                let written = save_on!(&mut *tx);
                tx.commit().await?;
                written
            }
        };
        Ok((written > 0).then_some(now))
    }

    pub async fn delete_pipeline_draft(&self, at: DraftSlot<'_>) -> Result<(), StoreError> {
        let sql =
            "DELETE FROM pipeline_drafts WHERE user_id = $1 AND project_id = $2 AND slot = $3";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(at.user_id)
            .bind(at.project_id)
            .bind(at.slot)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
