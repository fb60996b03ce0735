//! The wizard's draft per user, stored as the contract's JSON so a new draft field needs no
//! migration.

use super::{on_pool, Db, StoreError};

impl Db {
    /// The user's draft JSON and when it was saved.
    pub async fn project_draft(&self, user_id: i64) -> Result<Option<(String, i64)>, StoreError> {
        let sql = "SELECT body, updated_at FROM project_drafts WHERE user_id = $1";
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, (String, i64)>(sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// Saves (inserts or replaces) the user's draft; returns the time it was saved.
    pub async fn save_project_draft(&self, user_id: i64, body: &str) -> Result<i64, StoreError> {
        let now = super::now();
        let sql = "INSERT INTO project_drafts (user_id, body, updated_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(user_id)
            .bind(body)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(now)
    }

    pub async fn delete_project_draft(&self, user_id: i64) -> Result<(), StoreError> {
        let sql = "DELETE FROM project_drafts WHERE user_id = $1";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
