//! The repository step's first screen, prepared by the step before it: at the first sign that
//! a connected user is about to press **Continue** (the pointer over it, focus on it, a
//! press), the connect step asks for the picker, so **Continue** only has to paint
//! (BENCHMARKS.md, figure 1).
//!
//! - Asked for on intent, not as soon as the user is known to be connected: a user who reads
//!   the connect step and leaves costs the provider no call the step did not cost before
//!   (figure 6). A pointer reaches a button some hundred milliseconds before it clicks, about
//!   the provider's round trip.
//! - One answer is prepared at a time, for one provider, and taken once: a second visit to
//!   the repository step asks again. Intent shown again while an answer waits asks nothing.
//! - It is taken only when the step opens on no particular group (a `?workspace=` asks for
//!   that group) and within [`PREPARED_FOR_MS`] of being asked for: the same minute the
//!   server trusts a proven connection without asking the provider again.
//! - A failed answer is never shown from here: the step asks again, so an outage that has
//!   passed costs nothing and one that has not shows exactly as it would have.
//! - A **Continue** before the answer is back waits for that same request instead of sending
//!   a second one.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};

use api::{ApiError, GitProvider, RepositoryPicker};

use crate::client;
use crate::tasks::spawn_detached;
use crate::time::now_ms;

/// How long a prepared answer may wait for the user.
pub const PREPARED_FOR_MS: f64 = 60_000.0;

type Answer = Result<RepositoryPicker, ApiError>;

#[derive(Default)]
struct Pending {
    answer: Option<Answer>,
    waiting: Vec<Waker>,
}

struct Prepared {
    provider: GitProvider,
    asked_at: f64,
    pending: Rc<RefCell<Pending>>,
}

thread_local! {
    static PREPARED: RefCell<Option<Prepared>> = const { RefCell::new(None) };
}

/// Asks for `provider`'s first screen now, in the background, unless an answer for it is
/// already prepared (or on its way) and young.
pub fn prepare(provider: GitProvider) {
    let Some(pending) = replace(provider, now_ms()) else {
        return;
    };
    // Detached: the connect step is gone by the time the answer is wanted.
    spawn_detached(async move {
        let answer = client::repository_picker(provider, None, false).await;
        let waiting = {
            let mut pending = pending.borrow_mut();
            pending.answer = Some(answer);
            std::mem::take(&mut pending.waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
    });
}

/// The first screen for `provider` opened on `asked` (a group, or none): the prepared
/// answer when there is a usable one, otherwise (or when it failed) asked for now.
pub async fn first_screen(provider: GitProvider, asked: Option<String>) -> Answer {
    if asked.is_none() {
        if let Some(prepared) = take(provider, now_ms()) {
            if let Ok(screen) = prepared.await {
                return Ok(screen);
            }
        }
    }
    client::repository_picker(provider, asked, false).await
}

/// Starts a new preparation for `provider` at `now`, unless a young one for it is there.
fn replace(provider: GitProvider, now: f64) -> Option<Rc<RefCell<Pending>>> {
    PREPARED.with_borrow_mut(|prepared| {
        let fresh = prepared.as_ref().is_some_and(|prepared| {
            prepared.provider == provider && now - prepared.asked_at <= PREPARED_FOR_MS
        });
        if fresh {
            return None;
        }
        let pending = Rc::new(RefCell::new(Pending::default()));
        *prepared = Some(Prepared {
            provider,
            asked_at: now,
            pending: pending.clone(),
        });
        Some(pending)
    })
}

/// Takes what was prepared, if it is for `provider` and still young at `now`.
fn take(provider: GitProvider, now: f64) -> Option<impl Future<Output = Answer>> {
    let prepared = PREPARED.with_borrow_mut(Option::take)?;
    let young = now - prepared.asked_at <= PREPARED_FOR_MS;
    (prepared.provider == provider && young).then(|| answer_of(prepared.pending))
}

fn answer_of(pending: Rc<RefCell<Pending>>) -> impl Future<Output = Answer> {
    poll_fn(move |cx| {
        let mut pending = pending.borrow_mut();
        match pending.answer.take() {
            Some(answer) => Poll::Ready(answer),
            None => {
                pending.waiting.push(cx.waker().clone());
                Poll::Pending
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared_at(provider: GitProvider, asked_at: f64) -> Rc<RefCell<Pending>> {
        let pending = Rc::new(RefCell::new(Pending::default()));
        PREPARED.with_borrow_mut(|prepared| {
            *prepared = Some(Prepared {
                provider,
                asked_at,
                pending: pending.clone(),
            })
        });
        pending
    }

    #[test]
    fn a_prepared_answer_is_taken_once_by_its_own_provider_while_young() {
        let cloud = GitProvider::BitbucketCloud;
        prepared_at(cloud, 1_000.0);
        assert!(take(cloud, 1_000.0 + PREPARED_FOR_MS).is_some());
        assert!(take(cloud, 1_000.0).is_none(), "taken once");

        prepared_at(cloud, 1_000.0);
        assert!(take(GitProvider::BitbucketDataCenter, 1_000.0).is_none());
        assert!(
            take(cloud, 1_000.0).is_none(),
            "another provider's step took it away"
        );

        prepared_at(cloud, 1_000.0);
        assert!(take(cloud, 1_001.0 + PREPARED_FOR_MS).is_none(), "too old");
    }

    #[test]
    fn intent_shown_again_asks_nothing_while_an_answer_waits() {
        let cloud = GitProvider::BitbucketCloud;
        PREPARED.with_borrow_mut(|prepared| *prepared = None);
        assert!(replace(cloud, 1_000.0).is_some(), "the first intent asks");
        assert!(
            replace(cloud, 1_500.0).is_none(),
            "the pointer back over Continue"
        );
        assert!(
            replace(GitProvider::BitbucketDataCenter, 1_600.0).is_some(),
            "another provider's step asks for its own"
        );
        assert!(replace(cloud, 1_700.0).is_some(), "replaced: asked again");
        assert!(
            replace(cloud, 1_701.0 + PREPARED_FOR_MS).is_some(),
            "too old to be taken: asked again"
        );
        assert!(take(cloud, 1_702.0 + PREPARED_FOR_MS).is_some());
        assert!(
            replace(cloud, 1_703.0 + PREPARED_FOR_MS).is_some(),
            "taken: asked again"
        );
    }

    #[test]
    fn a_step_that_arrives_first_waits_for_the_same_answer() {
        let pending = prepared_at(GitProvider::BitbucketCloud, 0.0);
        let mut answer = Box::pin(take(GitProvider::BitbucketCloud, 0.0).unwrap());
        let waker = Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(answer.as_mut().poll(&mut cx).is_pending());
        assert_eq!(pending.borrow().waiting.len(), 1);
        pending.borrow_mut().answer = Some(Err(ApiError::new(
            api::ErrorCode::ProviderUnavailable,
            "down",
        )));
        assert!(matches!(answer.as_mut().poll(&mut cx), Poll::Ready(Err(_))));
    }
}
