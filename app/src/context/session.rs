//! Who is signed in, as far as the app knows.
//!
//! The session cookie is HttpOnly, so the app learns the user only from `GET /api/me`
//! (through [`crate::components::RequireUser`]) or from a successful sign-in. The header
//! reads this to show the email and the "Sign out" button; the guard reads it to render a
//! page at once when the user is already known, re-checking in the background.

use api::Me;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Not asked yet (first page load).
    Unknown,
    SignedOut,
    SignedIn(Me),
}

#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
}

impl Session {
    /// Creates the session state and provides it to the component tree.
    pub fn provide() -> Self {
        let session = Self {
            state: RwSignal::new(SessionState::Unknown),
        };
        provide_context(session);
        session
    }

    /// The session provided by [`crate::App`].
    pub fn expect() -> Self {
        expect_context::<Self>()
    }

    /// The signed-in user, tracked.
    pub fn user(&self) -> Option<Me> {
        match self.state.get() {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    /// Whether a user is known to be signed in, tracked.
    pub fn is_signed_in(&self) -> bool {
        self.state
            .with(|state| matches!(state, SessionState::SignedIn(_)))
    }

    pub fn signed_in(&self, me: Me) {
        crate::draft::kept::signed_in(me.id);
        self.replace(SessionState::SignedIn(me));
    }

    pub fn signed_out(&self) {
        self.replace(SessionState::SignedOut);
    }

    /// Writes only on change, so re-confirming the same user re-renders nothing.
    fn replace(&self, next: SessionState) {
        if self.state.try_with_untracked(|state| *state != next) == Some(true) {
            self.state.try_set(next);
        }
    }
}
