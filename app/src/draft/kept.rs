//! Nothing typed is lost: every draft is kept in the browser at once and on the server when
//! it can be, and the two are reconciled when the user comes back.
//!
//! - **At once**: [`Kept::keep`] writes the browser's copy ([`super::browser`]) synchronously
//!   on every keystroke, marked "not on the server yet".
//! - **When it can**: after [`SERVER_PAUSE`] without typing the copy is sent to the server
//!   (one request at a time per draft, always the newest text); on success it is marked
//!   synced. A failure leaves it marked, and the next keystroke, the next visit or the next
//!   sign-out sends it again.
//! - **On return** ([`Kept::restore`]): a browser copy the server has not got is newer than
//!   anything the server holds (it was written first), so it wins and is sent; otherwise the
//!   server's draft is shown, which may come from another browser.
//! - **Sign-out** ([`flush_all`], then [`signed_out`]): every unsent copy goes to the server
//!   first, and then every copy leaves the browser. Signing in ([`signed_in`]) removes other
//!   users' copies: a session that expired without a sign-out left them.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::time::Duration;

use api::{ApiError, ErrorCode};
use leptos::prelude::set_timeout;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::browser::{self, Entry};
use crate::client::{errors, http};
use crate::tasks::spawn_detached;

/// How long typing pauses before the server gets the text (the browser has it already).
pub const SERVER_PAUSE: Duration = Duration::from_millis(300);

thread_local! {
    static USER: Cell<Option<i64>> = const { Cell::new(None) };
    static SENDS: RefCell<HashMap<String, Send>> = RefCell::new(HashMap::new());
}

/// One draft's traffic to the server.
#[derive(Default)]
struct Send {
    /// Bumped by every keystroke; a pause ends when its ticket is still the newest.
    ticket: u64,
    in_flight: bool,
    /// Typed again while a request was in flight: send again when it ends.
    again: bool,
    /// Forgotten while a request was in flight: that request may recreate the server's
    /// copy after the call that ended it, so it is deleted again when the request ends.
    forgotten: bool,
}

/// A user is signed in: their drafts are theirs to keep, and nobody else's stay here.
pub fn signed_in(user: i64) {
    USER.set(Some(user));
    browser::remove_where(|owner| owner == Some(user));
}

/// The user signed out: nothing they typed stays in this browser.
pub fn signed_out() {
    USER.set(None);
    SENDS.with_borrow_mut(HashMap::clear);
    browser::remove_where(|_| false);
}

/// Sends every draft the server does not have yet; the first failure, if any.
pub async fn flush_all() -> Result<(), ApiError> {
    let Some(user) = USER.get() else {
        return Ok(());
    };
    let mut first_failure = None;
    for endpoint in browser::unsynced(user) {
        if let Err(error) = send_once(user, &endpoint).await {
            first_failure.get_or_insert(error);
        }
    }
    first_failure.map_or(Ok(()), Err)
}

/// A draft restored on return, and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Restored<T> {
    pub value: T,
    /// Unix seconds.
    pub updated_at: i64,
}

/// How the server answers a draft's `GET`: `{ "draft": …, "updated_at": … }` or `null`.
#[derive(Deserialize)]
struct Stored<T> {
    draft: T,
    updated_at: i64,
}

/// One draft, named by its server endpoint (`api::paths`), holding the contract type `T`.
pub struct Kept<T> {
    endpoint: String,
    value: PhantomData<T>,
}

impl<T: Serialize + DeserializeOwned> Kept<T> {
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            value: PhantomData,
        }
    }

    /// The browser's copy, when the server does not have it yet: what was typed last here,
    /// available at once (before any request).
    pub fn unsent(&self) -> Option<Restored<T>> {
        let user = USER.get()?;
        let entry = browser::load(user, &self.endpoint).filter(|entry| !entry.synced)?;
        let value = serde_json::from_str(&entry.body).ok()?;
        schedule(user, &self.endpoint, Duration::ZERO);
        Some(Restored {
            value,
            updated_at: entry.saved_at,
        })
    }

    /// The draft to show on return: the browser's unsent copy, else the server's (or, when
    /// the server cannot be reached, the browser's copy of what the server had).
    pub async fn restore(&self) -> Result<Option<Restored<T>>, ApiError> {
        if let Some(unsent) = self.unsent() {
            return Ok(Some(unsent));
        }
        match http::get_json::<Option<Stored<T>>>(&self.endpoint).await {
            Ok(stored) => Ok(stored.map(|stored| Restored {
                value: stored.draft,
                updated_at: stored.updated_at,
            })),
            Err(error) => {
                let user = USER.get().ok_or_else(|| error.clone())?;
                let entry = browser::load(user, &self.endpoint).ok_or_else(|| error.clone())?;
                let value = serde_json::from_str(&entry.body).map_err(|_| error)?;
                Ok(Some(Restored {
                    value,
                    updated_at: entry.saved_at,
                }))
            }
        }
    }

    /// Keeps `value`: in the browser now, on the server after a pause.
    pub fn keep(&self, value: &T) {
        let (Some(user), Ok(body)) = (USER.get(), serde_json::to_string(value)) else {
            return;
        };
        let entry = Entry {
            body,
            synced: false,
            saved_at: now_seconds(),
        };
        browser::store(user, &self.endpoint, &entry);
        with_send(&self.endpoint, |send| send.forgotten = false);
        schedule(user, &self.endpoint, SERVER_PAUSE);
    }

    /// Keeps `value` and sends it now, for a step that reads it from the server next.
    pub async fn save_now(&self, value: &T) -> Result<(), ApiError> {
        self.keep(value);
        match USER.get() {
            Some(user) => send_once(user, &self.endpoint).await,
            None => {
                let body = serde_json::to_string(value).map_err(|_| errors::unsendable())?;
                http::put_json_text(&self.endpoint, body).await
            }
        }
    }

    /// The draft is over (submitted): the browser's copy goes, and a send still pending or
    /// in flight cannot bring the server's back. The server ends its own copy in the call
    /// that submitted it.
    pub fn forget(&self) {
        if let Some(user) = USER.get() {
            browser::remove(user, &self.endpoint);
        }
        with_send(&self.endpoint, |send| {
            send.ticket = send.ticket.wrapping_add(1);
            send.forgotten = send.in_flight;
        });
    }

    /// The user discarded the draft: gone here and on the server.
    pub async fn discard(&self) -> Result<(), ApiError> {
        self.forget();
        http::delete_no_content(&self.endpoint).await
    }

    /// Whether this browser holds a copy of the draft.
    pub fn is_held(&self) -> bool {
        USER.get()
            .is_some_and(|user| browser::load(user, &self.endpoint).is_some())
    }

    /// [`Self::discard`] without waiting: for text changed back to what is stored, or moved
    /// to another draft, where a failure only leaves a stale copy the user can discard.
    pub fn discard_in_background(&self) {
        self.forget();
        let endpoint = self.endpoint.clone();
        spawn_detached(async move {
            if let Err(error) = http::delete_no_content(&endpoint).await {
                log_failure(&error);
            }
        });
    }
}

fn with_send<R>(endpoint: &str, change: impl FnOnce(&mut Send) -> R) -> R {
    SENDS.with_borrow_mut(|sends| change(sends.entry(endpoint.to_owned()).or_default()))
}

/// Sends `endpoint`'s draft after `pause`, unless another keystroke comes first.
fn schedule(user: i64, endpoint: &str, pause: Duration) {
    let ticket = with_send(endpoint, |send| {
        send.ticket = send.ticket.wrapping_add(1);
        send.ticket
    });
    let endpoint = endpoint.to_owned();
    set_timeout(
        move || {
            if with_send(&endpoint, |send| send.ticket) == ticket && USER.get() == Some(user) {
                spawn_detached(send_in_background(user, endpoint));
            }
        },
        pause,
    );
}

/// Sends until the server has the newest copy, one request at a time.
async fn send_in_background(user: i64, endpoint: String) {
    let busy = with_send(&endpoint, |send| {
        let busy = send.in_flight;
        send.again |= busy;
        send.in_flight = true;
        busy
    });
    if busy {
        return;
    }
    loop {
        if let Err(error) = send_once(user, &endpoint).await {
            log_failure(&error);
        }
        let (again, forgotten) = with_send(&endpoint, |send| {
            let next = (
                std::mem::take(&mut send.again),
                std::mem::take(&mut send.forgotten),
            );
            send.in_flight = next.0;
            next
        });
        if forgotten {
            if let Err(error) = http::delete_no_content(&endpoint).await {
                log_failure(&error);
            }
        }
        if !again {
            return;
        }
    }
}

/// Sends the browser's copy once, and marks it synced if it did not change meanwhile.
async fn send_once(user: i64, endpoint: &str) -> Result<(), ApiError> {
    let Some(entry) = browser::load(user, endpoint).filter(|entry| !entry.synced) else {
        return Ok(());
    };
    http::put_json_text(endpoint, entry.body.clone()).await?;
    if browser::load(user, endpoint).as_ref() == Some(&entry) && USER.get() == Some(user) {
        browser::store(
            user,
            endpoint,
            &Entry {
                synced: true,
                ..entry
            },
        );
    }
    Ok(())
}

fn log_failure(error: &ApiError) {
    if error.code != ErrorCode::NotSignedIn {
        leptos::logging::warn!(
            "a draft stays in this browser until the server takes it: {}",
            error.message
        );
    }
}

fn now_seconds() -> i64 {
    (crate::time::now_ms() / 1000.0) as i64
}
