//! `GET/PUT/DELETE /api/projects/{id}/pipelines/draft[?path=]`: an editor's unsaved text.
//!
//! The app keeps the text in the browser at once and sends it here when it can, so it
//! follows the user to another browser and outlives a sign-out, which clears the browser's
//! copy (`ARCHITECTURE.md`, "Nothing typed is lost"). Saving or deleting the pipeline
//! discards it ([`discard_after_write`]).

use api::draft::MAX_PIPELINE_DRAFTS;
use api::{PipelineDraft, PipelineDraftQuery, PipelinePath, SavedPipelineDraft};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::branches::checked_branch;
use super::drafts::readable;
use super::projects::owned_project;
use super::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Path, Query};
use crate::session::CurrentUser;
use crate::store::{DraftSlot, ProjectRow};

/// A draft carries up to a pipeline of text, JSON-escaped, and the other fields.
const DRAFT_BODY_BYTES: usize = 3 * api::pipeline::MAX_PIPELINE_BYTES;

pub fn router() -> Router<AppState> {
    let draft = format!("{}/{{id}}/pipelines/draft", api::paths::PROJECTS);
    Router::new().route(
        &draft,
        get(read)
            .put(save)
            .delete(discard)
            .layer(DefaultBodyLimit::max(DRAFT_BODY_BYTES)),
    )
}

/// The slot of `query` in `project`: a stored pipeline's path (checked with the path rule, so
/// the key is bounded), or `""` for a new pipeline; on a branch other than the project's,
/// prefixed with the branch and `:` (which neither a branch name nor a path contains).
fn slot_of(query: &PipelineDraftQuery, project: &ProjectRow) -> AppResult<String> {
    let path =
        match query.path.as_deref() {
            Some(path) => PipelinePath::parse(path).map(|_| path).map_err(|message| {
                AppError::InvalidInput {
                    field: "path",
                    message: message.to_owned(),
                }
            })?,
            None => "",
        };
    let branch = query
        .branch
        .as_deref()
        .map(|branch| checked_branch(branch, "branch"))
        .transpose()?;
    Ok(slot_at(project, path, branch.as_deref()))
}

/// The slot of a pipeline at `path` on `branch` (`None`: the project's own).
fn slot_at(project: &ProjectRow, path: &str, branch: Option<&str>) -> String {
    match branch.filter(|branch| *branch != project.base_branch()) {
        Some(branch) => format!("{branch}:{path}"),
        None => path.to_owned(),
    }
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<PipelineDraftQuery>,
) -> AppResult<Json<Option<SavedPipelineDraft>>> {
    let project = owned_project(&state, &user, id).await?;
    let slot = slot_of(&query, &project)?;
    let at = DraftSlot {
        user_id: user.id,
        project_id: id,
        slot: &slot,
    };
    let stored = state.db.pipeline_draft(at).await?;
    Ok(Json(readable::<PipelineDraft>(user.id, stored).map(
        |(draft, updated_at)| SavedPipelineDraft { draft, updated_at },
    )))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<PipelineDraftQuery>,
    Json(draft): Json<PipelineDraft>,
) -> AppResult<Json<SavedPipelineDraft>> {
    let project = owned_project(&state, &user, id).await?;
    if let Some(field) = draft.oversized_field() {
        return Err(AppError::InvalidInput {
            field,
            message: format!("The {field} is too long to keep as a draft. Shorten it."),
        });
    }
    let slot = slot_of(&query, &project)?;
    let at = DraftSlot {
        user_id: user.id,
        project_id: id,
        slot: &slot,
    };
    let body = serde_json::to_string(&draft).map_err(AppError::internal)?;
    match state
        .db
        .save_pipeline_draft(at, &body, MAX_PIPELINE_DRAFTS)
        .await?
    {
        Some(updated_at) => Ok(Json(SavedPipelineDraft { draft, updated_at })),
        None => Err(AppError::Conflict {
            field: "draft",
            message: format!(
                "You have {MAX_PIPELINE_DRAFTS} pipelines with unsaved changes. Save or discard \
                 some of them: until then this text is kept only in this browser."
            ),
        }),
    }
}

async fn discard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<PipelineDraftQuery>,
    _: Json<api::EmptyBody>,
) -> AppResult<StatusCode> {
    let project = owned_project(&state, &user, id).await?;
    let slot = slot_of(&query, &project)?;
    let at = DraftSlot {
        user_id: user.id,
        project_id: id,
        slot: &slot,
    };
    state.db.delete_pipeline_draft(at).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// After a pipeline was saved or deleted: its draft is over (and a new pipeline's, which
/// `new` says this was). A failure here leaves a stale draft, which the editor shows as
/// restorable text the user can discard; it must not fail the write that succeeded.
pub async fn discard_after_write(
    state: &AppState,
    user_id: i64,
    project: &ProjectRow,
    branch: Option<&str>,
    path: &str,
    new: bool,
) {
    let project_id = project.id;
    let slots = [Some(path), new.then_some("")];
    for slot in slots.into_iter().flatten() {
        let slot = slot_at(project, slot, branch);
        let at = DraftSlot {
            user_id,
            project_id,
            slot: &slot,
        };
        if let Err(error) = state.db.delete_pipeline_draft(at).await {
            tracing::warn!(user_id, project_id, %error, "a pipeline draft outlived its save");
        }
    }
}
