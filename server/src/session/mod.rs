//! Sessions: tower-sessions with the studio's own store on whichever engine it uses, behind an
//! HttpOnly `__Host-` cookie (DESIGN §4.2).
//!
//! The session holds only the signed-in user's id and a random `oauth_binding` that ties an
//! OAuth transaction to this browser session; tokens never enter it. The store
//! ([`DbSessionStore`]) keeps sessions in the studio's database under a hash of their id.

pub mod store;

pub use store::DbSessionStore;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::error::AppError;

pub const COOKIE_NAME: &str = "__Host-studio_session";
pub(crate) const USER_ID: &str = "user_id";
const OAUTH_BINDING: &str = "oauth_binding";
/// Sessions end after a week without use.
const IDLE_DAYS: i64 = 7;

pub fn layer(store: DbSessionStore) -> SessionManagerLayer<DbSessionStore> {
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_secure(true)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(IDLE_DAYS),
        ))
}

/// The signed-in studio user, extracted from the session; rejects with 401 otherwise.
#[derive(Clone, Copy, Debug)]
pub struct CurrentUser {
    pub id: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| AppError::internal(why))?;
        signed_in_user(&session)
            .await?
            .map(|id| CurrentUser { id })
            .ok_or(AppError::NotSignedIn)
    }
}

/// A session that could not be read or written: its store is the database, so a store error
/// is the database being unavailable (503, try again), anything else a bug.
fn session_error(error: tower_sessions::session::Error) -> AppError {
    match error {
        tower_sessions::session::Error::Store(store) => {
            AppError::StorageUnavailable(store.to_string())
        }
        other => AppError::internal(other),
    }
}

pub async fn signed_in_user(session: &Session) -> Result<Option<i64>, AppError> {
    session.get::<i64>(USER_ID).await.map_err(session_error)
}

/// Signs the user in on a new session id (no fixation: an id planted before sign-in is dropped).
pub async fn sign_in(session: &Session, user_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID, user_id)
        .await
        .map_err(session_error)
}

/// Destroys the session on the server and clears the cookie.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// This session's OAuth binding, created on first use. An OAuth transaction stores its hash and
/// the callback must present the same session.
pub async fn oauth_binding(session: &Session) -> Result<String, AppError> {
    if let Some(binding) = session
        .get::<String>(OAUTH_BINDING)
        .await
        .map_err(session_error)?
    {
        return Ok(binding);
    }
    let binding = crate::random::token(32);
    session
        .insert(OAUTH_BINDING, &binding)
        .await
        .map_err(session_error)?;
    Ok(binding)
}

pub async fn existing_oauth_binding(session: &Session) -> Result<Option<String>, AppError> {
    session
        .get::<String>(OAUTH_BINDING)
        .await
        .map_err(session_error)
}
