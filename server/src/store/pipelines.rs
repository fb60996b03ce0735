//! Pipelines of Quick start projects, kept by the studio. Every write names the version it
//! starts from and succeeds only if that is still the stored one, so two editors cannot
//! overwrite each other (the same rule as a Bitbucket commit's `parents`).

use super::{now, on_pool, unique_violation, Db, StoreError};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StudioPipelineRow {
    pub path: String,
    pub content: String,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: String,
    pub message: String,
}

/// What a write stores besides the content.
pub struct PipelineWrite<'a> {
    pub project_id: i64,
    pub path: &'a str,
    pub content: &'a str,
    pub author: &'a str,
    pub message: &'a str,
}

const COLUMNS: &str = "path, content, version, updated_at, updated_by, message";

impl Db {
    /// The project's pipelines, most recently changed first (content included: a Quick start
    /// project's pipelines are few and small, and one query beats one per file).
    pub async fn studio_pipelines(
        &self,
        project_id: i64,
    ) -> Result<Vec<StudioPipelineRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM studio_pipelines WHERE project_id = $1 \
             ORDER BY updated_at DESC, path"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, StudioPipelineRow>(&sql)
            .bind(project_id)
            .fetch_all(pool)
            .await)?,
        )
    }

    pub async fn studio_pipeline(
        &self,
        project_id: i64,
        path: &str,
    ) -> Result<Option<StudioPipelineRow>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM studio_pipelines WHERE project_id = $1 AND path = $2");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, StudioPipelineRow>(&sql)
            .bind(project_id)
            .bind(path)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// Stores a new pipeline at version 1; [`StoreError::UniqueViolation`] if the path is taken.
    pub async fn create_studio_pipeline(
        &self,
        write: PipelineWrite<'_>,
    ) -> Result<StudioPipelineRow, StoreError> {
        let sql = format!(
            "INSERT INTO studio_pipelines (project_id, path, content, version, updated_at, updated_by, message) \
             VALUES ($1, $2, $3, 1, $4, $5, $6) RETURNING {COLUMNS}"
        );
        on_pool!(self, pool => sqlx::query_as::<_, StudioPipelineRow>(&sql)
            .bind(write.project_id)
            .bind(write.path)
            .bind(write.content)
            .bind(now())
            .bind(write.author)
            .bind(write.message)
            .fetch_one(pool)
            .await
            .map_err(unique_violation))
    }

    /// Replaces the content if the stored version is still `base`; `None` when it is not (or
    /// the pipeline is gone).
    pub async fn update_studio_pipeline(
        &self,
        write: PipelineWrite<'_>,
        base: i64,
    ) -> Result<Option<StudioPipelineRow>, StoreError> {
        let sql = format!(
            "UPDATE studio_pipelines SET content = $3, version = version + 1, updated_at = $4, \
             updated_by = $5, message = $6 \
             WHERE project_id = $1 AND path = $2 AND version = $7 RETURNING {COLUMNS}"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, StudioPipelineRow>(&sql)
            .bind(write.project_id)
            .bind(write.path)
            .bind(write.content)
            .bind(now())
            .bind(write.author)
            .bind(write.message)
            .bind(base)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// Deletes the pipeline if its version is still `base`; false when it is not.
    pub async fn delete_studio_pipeline(
        &self,
        project_id: i64,
        path: &str,
        base: i64,
    ) -> Result<bool, StoreError> {
        let sql =
            "DELETE FROM studio_pipelines WHERE project_id = $1 AND path = $2 AND version = $3";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(project_id)
            .bind(path)
            .bind(base)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Sets where the project keeps its pipelines; false if it is not the user's project.
    pub async fn set_pipeline_folder(
        &self,
        user_id: i64,
        project_id: i64,
        folder: &str,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE projects SET pipeline_folder = $3 WHERE user_id = $1 AND id = $2";
        let done = on_pool!(self, pool => sqlx::query(sql)
            .bind(user_id)
            .bind(project_id)
            .bind(folder)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
