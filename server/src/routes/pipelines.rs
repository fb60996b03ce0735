//! `/api/projects/{id}/pipelines…`: list, read, save and delete a project's pipelines.
//!
//! Input is checked here (path, size, YAML schema, message) before any storage call; the
//! project's [`PipelineStore`](crate::pipelines::PipelineStore) does the rest, through the
//! user's own provider token for repository projects. Which store answers is chosen here
//! (`for_project`), so the pipelines module depends on neither the providers nor the routes.

use api::pipeline::MAX_PIPELINE_BYTES;
use api::{
    BranchQuery, DeletePipeline, PipelineFile, PipelineList, PipelineQuery, SavePipeline,
    SavedPipeline,
};
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::get;
use axum::Router;

use super::pipeline_drafts::discard_after_write;
use super::projects::owned_project;
use super::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Path, Query};
use crate::pipelines::studio::StudioPipelines;
use crate::pipelines::{checked_message, pipeline_path, project_folder, Edit, PipelineStore};
use crate::providers::PipelineLocation;
use crate::session::CurrentUser;
use crate::store::ProjectRow;

/// A save carries up to 1 MiB of YAML, JSON-escaped: room for escapes and the other fields.
const SAVE_BODY_BYTES: usize = 3 * MAX_PIPELINE_BYTES;

pub fn router() -> Router<AppState> {
    let project = format!("{}/{{id}}", api::paths::PROJECTS);
    Router::new()
        .route(&format!("{project}/pipelines"), get(list))
        .route(
            &format!("{project}/pipelines/file"),
            get(read)
                .put(save)
                .delete(remove)
                .layer(DefaultBodyLimit::max(SAVE_BODY_BYTES)),
        )
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<BranchQuery>,
) -> AppResult<Json<PipelineList>> {
    let project = owned_project(&state, &user, id).await?;
    let store = for_project(&state, user.id, &project, query.branch.as_deref()).await?;
    Ok(Json(store.list().await?))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<PipelineQuery>,
) -> AppResult<Json<PipelineFile>> {
    let project = owned_project(&state, &user, id).await?;
    let path = pipeline_path(&query.path, &project_folder(&project))?;
    let store = for_project(&state, user.id, &project, query.branch.as_deref()).await?;
    Ok(Json(store.read(&path).await?))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<SavePipeline>,
) -> AppResult<Json<SavedPipeline>> {
    let project = owned_project(&state, &user, id).await?;
    let branch = body.branch.clone();
    let edit = Edit::parse(body, &project_folder(&project))?;
    let store = for_project(&state, user.id, &project, branch.as_deref()).await?;
    let saved = store.save(&edit).await?;
    committed_on(&state, user.id, &project, branch.as_deref()).await?;
    let new = edit.base.is_none();
    discard_after_write(
        &state,
        user.id,
        &project,
        branch.as_deref(),
        edit.path.as_str(),
        new,
    )
    .await;
    Ok(Json(saved))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<DeletePipeline>,
) -> AppResult<Json<SavedPipeline>> {
    let project = owned_project(&state, &user, id).await?;
    let path = pipeline_path(&body.path, &project_folder(&project))?;
    let message = checked_message(&body.message, || {
        api::pipeline::default_message("Delete", path.as_str())
    })?;
    let store = for_project(&state, user.id, &project, body.branch.as_deref()).await?;
    let deleted = store.delete(&path, &body.base_revision, &message).await?;
    committed_on(&state, user.id, &project, body.branch.as_deref()).await?;
    let branch = body.branch.as_deref();
    discard_after_write(&state, user.id, &project, branch, path.as_str(), false).await;
    Ok(Json(deleted))
}

/// Records a commit the studio made for the user on a branch other than the project's, so
/// the comparison can tell a merged branch from one with nothing on it yet.
async fn committed_on(
    state: &AppState,
    user_id: i64,
    project: &ProjectRow,
    branch: Option<&str>,
) -> AppResult<()> {
    match branch.filter(|branch| *branch != project.base_branch()) {
        Some(branch) => Ok(state
            .db
            .use_branch(user_id, project.id, branch, true)
            .await?),
        None => Ok(()),
    }
}

/// The store that keeps `project`'s pipelines on `branch` (the project's own when `None`),
/// acting as `user_id`: its provider's, or the studio's own for a Quick start project.
async fn for_project(
    state: &AppState,
    user_id: i64,
    project: &ProjectRow,
    branch: Option<&str>,
) -> AppResult<Box<dyn PipelineStore>> {
    let folder = project_folder(project);
    let branch = branch
        .map(|branch| super::branches::checked_branch(branch, "branch"))
        .transpose()?;
    match (&project.workspace, &project.repo_slug) {
        (Some(workspace), Some(repo)) => {
            let provider = state.providers.by_slug(project.provider_slug())?;
            Ok(provider.pipelines(PipelineLocation {
                user_id,
                group: workspace.clone(),
                repo: repo.clone(),
                full_name: project
                    .repo_full_name
                    .clone()
                    .unwrap_or_else(|| format!("{workspace}/{repo}")),
                branch: branch.unwrap_or_else(|| project.base_branch().to_owned()),
                folder,
            }))
        }
        _ if branch.as_deref().is_some_and(|b| b != api::PROJECT_BRANCH) => {
            Err(super::branches::no_branches())
        }
        _ => {
            let author = state
                .db
                .user_by_id(user_id)
                .await?
                .map(|u| u.email)
                .ok_or(AppError::NotSignedIn)?;
            Ok(Box::new(StudioPipelines {
                db: state.db.clone(),
                project_id: project.id,
                author,
                folder,
            }))
        }
    }
}
