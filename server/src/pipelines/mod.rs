//! A project's pipelines, wherever they are kept: one [`PipelineStore`] interface, three
//! implementations.
//!
//! - [`bitbucket::BitbucketPipelines`]: files on the project's branch in Bitbucket Cloud,
//!   read and committed through the user's own token. The version token is the commit a
//!   text was read at; a save names it as the new commit's parent, so a branch that moved is
//!   refused by Bitbucket (409) rather than overwritten.
//! - [`crate::providers::bitbucket_datacenter::pipelines::DataCenterPipelines`]: the same on Bitbucket Data
//!   Center, where a save names the commit as `sourceCommitId` and Data Center refuses it
//!   (409) if the file changed since.
//! - [`studio::StudioPipelines`]: Quick start projects, kept in the studio's database with a
//!   version number playing the commit's part.
//!
//! The routes ([`crate::routes::pipelines`]) validate input into an [`Edit`] once, pick the
//! store with [`for_project`] (each provider's [`crate::providers::GitHost::pipelines`]),
//! and never learn which one answered.

pub mod studio;

use api::pipeline::{check_pipeline, commit_message, default_message, MAX_PIPELINE_BYTES};
use api::{PipelineFile, PipelineFolder, PipelineList, PipelinePath, SavePipeline, SavedPipeline};
use async_trait::async_trait;

use crate::error::{AppError, AppResult};
use crate::providers::PipelineLocation;
use crate::routes::AppState;
use crate::store::ProjectRow;

#[async_trait]
pub trait PipelineStore: Send + Sync {
    /// The pipelines under the project's folder, most recently changed first.
    async fn list(&self) -> AppResult<PipelineList>;
    /// One pipeline, with the revision a later save must name.
    async fn read(&self, path: &PipelinePath) -> AppResult<PipelineFile>;
    /// Creates (`edit.base` is `None`; never overwrites) or replaces a pipeline.
    /// [`AppError::PipelineChanged`] when it changed since `edit.base`.
    async fn save(&self, edit: &Edit) -> AppResult<SavedPipeline>;
    /// Removes a pipeline, if it is still as it was at `base`.
    async fn delete(
        &self,
        path: &PipelinePath,
        base: &str,
        message: &str,
    ) -> AppResult<SavedPipeline>;
}

/// A save request that passed every check: path inside the project's folder, content within
/// the size limit and a valid pipeline, commit message set.
#[derive(Debug)]
pub struct Edit {
    pub path: PipelinePath,
    pub content: String,
    pub message: String,
    pub base: Option<String>,
}

impl Edit {
    pub fn parse(request: SavePipeline, folder: &PipelineFolder) -> AppResult<Edit> {
        let path = pipeline_path(&request.path, folder)?;
        if request.content.len() > MAX_PIPELINE_BYTES {
            return Err(invalid(
                "content",
                format!(
                    "The pipeline is too large: at most {} KiB.",
                    MAX_PIPELINE_BYTES / 1024
                ),
            ));
        }
        if let Err(problems) = check_pipeline(path.kind(), &request.content) {
            let more = match problems.len() {
                1 => String::new(),
                n => format!(" ({} more problems below it)", n - 1),
            };
            return Err(invalid(
                "content",
                format!("The pipeline cannot be saved. {}{more}", problems[0]),
            ));
        }
        let verb = if request.base_revision.is_some() {
            "Update"
        } else {
            "Add"
        };
        let message = checked_message(&request.message, || default_message(verb, path.as_str()))?;
        Ok(Edit {
            path,
            content: request.content,
            message,
            base: request.base_revision.filter(|b| !b.trim().is_empty()),
        })
    }
}

/// Parses a pipeline path and checks it is inside the project's folder.
pub fn pipeline_path(raw: &str, folder: &PipelineFolder) -> AppResult<PipelinePath> {
    let path = PipelinePath::parse(raw).map_err(|m| invalid("path", m))?;
    if !folder.contains(&path) {
        return Err(invalid(
            "path",
            format!(
                "This project keeps its pipelines in {}: start the path with {}.",
                folder.as_str(),
                folder.prefix()
            ),
        ));
    }
    Ok(path)
}

pub fn checked_message(raw: &str, fallback: impl FnOnce() -> String) -> AppResult<String> {
    commit_message(raw, fallback).map_err(|m| invalid("message", m))
}

fn invalid(field: &'static str, message: String) -> AppError {
    AppError::InvalidInput { field, message }
}

/// The refusal when a path is already taken by another pipeline.
pub(crate) fn already_exists(path: &PipelinePath) -> AppError {
    AppError::Conflict {
        field: "path",
        message: format!(
            "A pipeline already exists at {}. Choose another name, or open that pipeline.",
            path.as_str()
        ),
    }
}

/// The project's folder as stored (validated when it was set; re-checked here anyway).
pub fn project_folder(project: &ProjectRow) -> PipelineFolder {
    PipelineFolder::parse(&project.pipeline_folder).unwrap_or_default()
}

/// The store that keeps `project`'s pipelines, acting as `user_id`: its provider's, or the
/// studio's own for a Quick start project.
pub async fn for_project(
    state: &AppState,
    user_id: i64,
    project: &ProjectRow,
) -> AppResult<Box<dyn PipelineStore>> {
    let folder = project_folder(project);
    match (&project.workspace, &project.repo_slug) {
        (Some(workspace), Some(repo)) => {
            let provider = state
                .providers
                .by_slug(project.provider.as_deref().unwrap_or("bitbucket"))?;
            Ok(provider.host.pipelines(PipelineLocation {
                user_id,
                workspace: workspace.clone(),
                repo: repo.clone(),
                full_name: project
                    .repo_full_name
                    .clone()
                    .unwrap_or_else(|| format!("{workspace}/{repo}")),
                branch: project
                    .branch
                    .clone()
                    .unwrap_or_else(|| api::PROJECT_BRANCH.to_owned()),
                folder,
            }))
        }
        _ => {
            let author = state
                .db
                .user_by_id(user_id)
                .await?
                .map(|u| u.email)
                .ok_or(AppError::NotSignedIn)?;
            Ok(Box::new(studio::StudioPipelines {
                db: state.db.clone(),
                project_id: project.id,
                author,
                folder,
            }))
        }
    }
}
