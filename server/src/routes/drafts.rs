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

/// A stored draft as the contract type `T` with its time, or `None` when there is none or it
/// is unreadable (written by an older build, say): a lost draft must not break the page.
pub(super) fn readable<T: serde::de::DeserializeOwned>(
    user_id: i64,
    stored: Option<(String, i64)>,
) -> Option<(T, i64)> {
    let (body, updated_at) = stored?;
    match serde_json::from_str::<T>(&body) {
        Ok(draft) => Some((draft, updated_at)),
        Err(error) => {
            tracing::warn!(user_id, %error, "an unreadable draft was ignored");
            None
        }
    }
}

/// The draft, or `null` when there is none (see [`readable`]).
async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Option<SavedDraft>>> {
    let stored = state.db.project_draft(user.id).await?;
    Ok(Json(readable::<ProjectDraft>(user.id, stored).map(
        |(draft, updated_at)| SavedDraft { draft, updated_at },
    )))
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
