//! A project's pipelines, wherever they are kept: one [`PipelineStore`] interface, and what
//! every store shares (a checked [`Edit`], paths inside the project's folder, commit
//! messages, the refusal of a taken path).
//!
//! - [`crate::providers::pipelines::ProviderPipelines`]: files on the project's branch at its
//!   Git provider, read and committed through the user's own token, written once over each
//!   provider's few primitive calls. The version token is the commit a text was read at; a
//!   save names it as the new commit's parent, so a change made since is refused by the
//!   provider (409) rather than overwritten.
//! - [`studio::StudioPipelines`]: Quick start projects, kept in the studio's database with a
//!   version number playing the commit's part.
//!
//! This module depends on neither the providers nor the routes: the routes
//! ([`crate::routes::pipelines`]) validate input into an [`Edit`] once, pick the store (a
//! provider's, by [`crate::providers::Provider::pipelines`], or the studio's) and never learn
//! which one answered.

pub mod studio;

use api::pipeline::{check_pipeline, commit_message, default_message, MAX_PIPELINE_BYTES};
use api::{PipelineFile, PipelineFolder, PipelineList, PipelinePath, SavePipeline, SavedPipeline};
use async_trait::async_trait;

use crate::error::{AppError, AppResult};
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
