//! A request's session ([`Session`]) and the signed-in user extractor ([`CurrentUser`]).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use tokio::sync::Mutex;

use super::cache::{KnownSession, SessionUser};
use super::cookie::{self, SessionId};
use super::Sessions;
use crate::error::AppError;

/// The request's session, looked up on first use (a request that never asks costs nothing).
/// Cloned into the request's extensions by [`super::SessionLayer`], which afterwards sends the
/// cookie its outcome calls for.
#[derive(Clone, Debug)]
pub struct Session(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    sessions: Sessions,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The id the browser presented, until the session it names is found missing or ended.
    id: Option<SessionId>,
    /// `None` until looked up; then the session the id names, if it is live.
    found: Option<Option<KnownSession>>,
    cookie: CookieChange,
}

#[derive(Debug)]
enum CookieChange {
    Keep,
    /// A new id, or a renewed end: the cookie's `Max-Age` runs to the session's (new) end.
    Send,
    Remove,
}

impl Session {
    pub(super) fn new(sessions: Sessions, presented: Option<SessionId>) -> Self {
        Self(Arc::new(Inner {
            sessions,
            state: Mutex::new(State {
                id: presented,
                found: None,
                cookie: CookieChange::Keep,
            }),
        }))
    }

    /// The signed-in user, if this request carries a live session.
    pub async fn user(&self) -> Result<Option<SessionUser>, AppError> {
        let mut state = self.0.state.lock().await;
        Ok(self.look_up(&mut state).await?.map(|known| known.user))
    }

    /// What binds an OAuth transaction to this browser session (the session id's hash: the
    /// callback must come with the same cookie); `None` when not signed in.
    pub async fn oauth_binding(&self) -> Result<Option<String>, AppError> {
        let mut state = self.0.state.lock().await;
        let signed_in = self.look_up(&mut state).await?.is_some();
        Ok(state.id.as_ref().filter(|_| signed_in).map(SessionId::hash))
    }

    /// Signs `user` in on a new session id: the session this browser had (if any) ends, so
    /// an id planted or seen before sign-in is worth nothing after it (no fixation).
    pub async fn sign_in(&self, user: SessionUser) -> Result<(), AppError> {
        let mut state = self.0.state.lock().await;
        if let Some(old) = state.id.take() {
            self.0.sessions.end(&old).await?;
        }
        let (id, known) = self.0.sessions.create(user).await?;
        state.id = Some(id);
        state.found = Some(Some(known));
        state.cookie = CookieChange::Send;
        Ok(())
    }

    /// Ends this browser's session on every instance and removes the cookie.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        let mut state = self.0.state.lock().await;
        if let Some(id) = state.id.take() {
            self.0.sessions.end(&id).await?;
        }
        state.found = Some(None);
        state.cookie = CookieChange::Remove;
        Ok(())
    }

    async fn look_up(&self, state: &mut State) -> Result<Option<KnownSession>, AppError> {
        if let Some(found) = &state.found {
            return Ok(found.clone());
        }
        let Some(id) = state.id.clone() else {
            state.found = Some(None);
            return Ok(None);
        };
        let found = match self.0.sessions.find(&id).await? {
            Some(found) => {
                if found.renewed {
                    // Its end is a full idle period away again: so is the cookie's.
                    state.cookie = CookieChange::Send;
                }
                Some(found.session)
            }
            None => {
                state.id = None;
                state.cookie = CookieChange::Remove;
                None
            }
        };
        state.found = Some(found.clone());
        Ok(found)
    }

    /// The `Set-Cookie` this request's outcome calls for, if any.
    /// Called once the handler is done, so nothing holds the state any more; if something
    /// still did (a task the handler spawned), the cookie is left as it was.
    pub(super) fn cookie_to_send(&self) -> Option<HeaderValue> {
        let state = self.0.state.try_lock().ok()?;
        match (&state.cookie, &state.id, &state.found) {
            (CookieChange::Keep, _, _) => None,
            (CookieChange::Send, Some(id), Some(Some(session))) => {
                let max_age = self.0.sessions.cookie_max_age(session);
                Some(if max_age > 0 {
                    cookie::set(id, max_age)
                } else {
                    cookie::clear()
                })
            }
            (CookieChange::Send, _, _) | (CookieChange::Remove, _, _) => Some(cookie::clear()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::internal("the session middleware is not installed"))
    }
}

/// The signed-in studio user; rejects with 401 otherwise.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        let user = session.user().await?.ok_or(AppError::NotSignedIn)?;
        Ok(CurrentUser {
            id: user.id,
            email: user.email,
        })
    }
}
