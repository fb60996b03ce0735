//! Quick start projects: pipelines kept in the studio's database. A version number per file
//! is the revision; a save or delete succeeds only while the stored version is the one the
//! editor started from.

use api::{
    Change, PipelineFile, PipelineFolder, PipelineList, PipelinePath, PipelineStorage,
    PipelineSummary, SavedPipeline,
};
use async_trait::async_trait;

use super::{already_exists, Edit, PipelineStore};
use crate::error::{AppError, AppResult};
use crate::store::{Db, PipelineWrite, StoreError, StudioPipelineRow};

pub struct StudioPipelines {
    pub db: Db,
    pub project_id: i64,
    /// Who the changes are recorded as: the studio user's email.
    pub author: String,
    pub folder: PipelineFolder,
}

fn change(row: &StudioPipelineRow) -> Change {
    Change {
        revision: row.version.to_string(),
        label: format!("version {}", row.version),
        author: row.updated_by.clone(),
        at: row.updated_at,
        message: row.message.clone(),
    }
}

fn changed() -> AppError {
    AppError::PipelineChanged(
        "This pipeline changed in the studio since you opened it (perhaps in another tab), or was deleted. \
         Nothing was overwritten: reload it to see the current version, or save your text as a new pipeline."
            .into(),
    )
}

/// A revision from the app: a version number, or the pipeline cannot be the same one.
fn version(revision: &str) -> AppResult<i64> {
    revision.trim().parse().map_err(|_| changed())
}

fn missing(path: &PipelinePath) -> AppError {
    AppError::NotFound(format!("The pipeline {}", path.as_str()))
}

#[async_trait]
impl PipelineStore for StudioPipelines {
    async fn list(&self) -> AppResult<PipelineList> {
        let rows = self.db.studio_pipelines(self.project_id).await?;
        let pipelines = rows
            .iter()
            .filter_map(|row| {
                let path = PipelinePath::parse(&row.path).ok()?;
                self.folder.contains(&path).then(|| PipelineSummary {
                    kind: path.kind(),
                    path: row.path.clone(),
                    last_change: Some(change(row)),
                })
            })
            .collect();
        Ok(PipelineList {
            storage: PipelineStorage::Studio,
            pipelines,
            truncated: false,
        })
    }

    async fn read(&self, path: &PipelinePath) -> AppResult<PipelineFile> {
        let row = self
            .db
            .studio_pipeline(self.project_id, path.as_str())
            .await?
            .ok_or_else(|| missing(path))?;
        let last = change(&row);
        Ok(PipelineFile {
            path: row.path,
            kind: path.kind(),
            content: row.content,
            revision: last.revision.clone(),
            revision_label: last.label.clone(),
            last_change: Some(last),
        })
    }

    async fn save(&self, edit: &Edit) -> AppResult<SavedPipeline> {
        let write = PipelineWrite {
            project_id: self.project_id,
            path: edit.path.as_str(),
            content: &edit.content,
            author: &self.author,
            message: &edit.message,
        };
        let row = match &edit.base {
            None => self
                .db
                .create_studio_pipeline(write)
                .await
                .map_err(|e| match e {
                    StoreError::UniqueViolation => already_exists(&edit.path),
                    other => other.into(),
                })?,
            Some(base) => self
                .db
                .update_studio_pipeline(write, version(base)?)
                .await?
                .ok_or_else(changed)?,
        };
        Ok(SavedPipeline {
            path: row.path.clone(),
            change: change(&row),
        })
    }

    async fn delete(
        &self,
        path: &PipelinePath,
        base: &str,
        message: &str,
    ) -> AppResult<SavedPipeline> {
        let base = version(base)?;
        if !self
            .db
            .delete_studio_pipeline(self.project_id, path.as_str(), base)
            .await?
        {
            return Err(changed());
        }
        Ok(SavedPipeline {
            path: path.as_str().to_owned(),
            change: Change {
                revision: String::new(),
                label: "deleted".into(),
                author: self.author.clone(),
                at: crate::store::now(),
                message: message.to_owned(),
            },
        })
    }
}
