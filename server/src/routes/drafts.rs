//! `GET/PUT/DELETE /api/drafts/project`: the wizard's draft, saved as the user goes.
//!
//! Kept on the server (not in the browser) so it follows the user: across the OAuth round
//! trip, reloads, another browser, signing out and in, and server restarts.

use api::{ProjectDraft, SavedDraft};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::Json;
use crate::session::CurrentUser;

pub fn router() -> Router<AppState> {
    Router::new().route(
        api::paths::PROJECT_DRAFT,
        get(read).put(save).delete(discard),
    )
}

/// The draft, or `null` when there is none (or it was unreadable, e.g. written by an older
/// build: a lost draft must not break the wizard).
async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Option<SavedDraft>>> {
    let Some((body, updated_at)) = state.db.project_draft(user.id).await? else {
        return Ok(Json(None));
    };
    Ok(Json(match serde_json::from_str::<ProjectDraft>(&body) {
        Ok(draft) => Some(SavedDraft { draft, updated_at }),
        Err(error) => {
            tracing::warn!(user_id = user.id, %error, "an unreadable draft was ignored");
            None
        }
    }))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(draft): Json<ProjectDraft>,
) -> AppResult<Json<Option<SavedDraft>>> {
    if let Some(field) = draft.oversized_field() {
        return Err(AppError::InvalidInput {
            field,
            message: format!("The {field} is too long to keep as a draft. Shorten it."),
        });
    }
    if draft.is_empty() {
        state.db.delete_project_draft(user.id).await?;
        return Ok(Json(None));
    }
    let body = serde_json::to_string(&draft).map_err(AppError::internal)?;
    let updated_at = state.db.save_project_draft(user.id, &body).await?;
    Ok(Json(Some(SavedDraft { draft, updated_at })))
}

async fn discard(
    State(state): State<AppState>,
    user: CurrentUser,
    _: Json<api::EmptyBody>,
) -> AppResult<StatusCode> {
    state.db.delete_project_draft(user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
