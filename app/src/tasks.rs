//! Where the app's async work runs, so that no answer can reach a page that is gone.
//!
//! A request started from a page (a button, a form, a changed search) is awaited in a task.
//! By the time its answer arrives the user may have left, and the page's signals, stored
//! values and callbacks are disposed: in Leptos 0.8 reading one of them (or running a
//! callback) then panics, and in the release front end a panic is a trap that stops the whole
//! app (issue 26, item 9). Rather than trusting every line after every `.await` to use only
//! the `try_` accessors, a task is tied to the page that started it:
//!
//! - [`PageTasks`]: made in a component's body, where the component's signals are made, it
//!   learns when the reactive owner of those signals is cleaned up; a task it spawned is
//!   dropped then, at its next wake-up, so nothing after its `.await`s ever runs against
//!   disposed state. (Not the owner current when a button is pressed: that may be a closure
//!   that re-renders because of the very click, which would drop the task with its answer.)
//! - [`Latest`]: one task of a page at a time, for a question the user keeps changing (a
//!   search as they type): starting the next drops the one before at once, and with it the
//!   fetch it awaited, which is aborted (`client::http::InFlight`).
//! - [`spawn_detached`]: work that must finish whatever the page does (the wizard's draft,
//!   saved on the way to the next step; fetching a page's code ahead). It must not touch
//!   reactive state.
//!
//! `clippy.toml` forbids Leptos' and wasm-bindgen's `spawn_local` elsewhere, so every task in
//! the app is one of these two. Tasks still use the `try_` accessors, as a second defence.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use leptos::reactive::owner::on_cleanup;

thread_local! {
    /// The pages (of [`PageTasks::new`]) whose owner has not been cleaned up yet.
    static LIVE_PAGES: RefCell<HashSet<u64>> = RefCell::new(HashSet::new());
    static NEXT_PAGE: Cell<u64> = const { Cell::new(0) };
    /// The running task of each [`Latest`].
    static LATEST: RefCell<HashMap<u64, Rc<RefCell<Running>>>> = RefCell::new(HashMap::new());
}

fn next_id() -> u64 {
    NEXT_PAGE.with(|next| {
        let id = next.get();
        next.set(id.wrapping_add(1));
        id
    })
}

/// Spawns the tasks of one page, and drops them when the page is gone. `Copy`, like the
/// signals the page's event handlers capture beside it; it holds nothing that is disposed.
#[derive(Clone, Copy, Debug)]
pub struct PageTasks {
    page: u64,
}

impl PageTasks {
    /// Call in the component's body (where its signals are made): the tasks end with the
    /// owner that is current there.
    pub fn new() -> Self {
        let page = next_id();
        LIVE_PAGES.with_borrow_mut(|live| live.insert(page));
        on_cleanup(move || {
            LIVE_PAGES.with_borrow_mut(|live| live.remove(&page));
        });
        Self { page }
    }

    /// Runs `task` until it ends or the page is gone, whichever comes first.
    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        spawn(self.cancellable(task));
    }

    fn cancellable<F: Future<Output = ()>>(self, task: F) -> Cancellable<F> {
        Cancellable {
            task: Box::pin(task),
            page: self,
        }
    }

    fn is_gone(self) -> bool {
        !LIVE_PAGES.with_borrow(|live| live.contains(&self.page))
    }
}

impl Default for PageTasks {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs `task` to its end whatever happens to the page that started it. `task` must not touch
/// reactive state (see the module docs).
pub fn spawn_detached(task: impl Future<Output = ()> + 'static) {
    spawn(task);
}

#[allow(clippy::disallowed_methods)] // the one place the app hands a task to the executor
fn spawn(task: impl Future<Output = ()> + 'static) {
    leptos::task::spawn_local(task);
}

/// Runs one task of a page at a time: [`Latest::spawn`] drops the task before at once (not
/// at its next wake-up), so a request it awaited is aborted rather than answered. `Copy`,
/// like [`PageTasks`]; its task is dropped at once when the page is gone, too.
#[derive(Clone, Copy, Debug)]
pub struct Latest {
    id: u64,
}

impl Latest {
    /// Call in the component's body, like [`PageTasks::new`].
    pub fn new() -> Self {
        let id = next_id();
        on_cleanup(move || Self::stop_running(id));
        Self { id }
    }

    /// Runs `task` instead of the task running now, if any.
    pub fn spawn(self, task: impl Future<Output = ()> + 'static) {
        let running = Rc::new(RefCell::new(Running {
            task: Some(Box::pin(task)),
            ..Running::default()
        }));
        let before = LATEST.with_borrow_mut(|latest| latest.insert(self.id, running.clone()));
        if let Some(before) = before {
            Running::stop(&before);
        }
        spawn(Driven(running));
    }

    /// Drops the task running now, if any.
    pub fn stop(self) {
        Self::stop_running(self.id);
    }

    fn stop_running(id: u64) {
        if let Some(running) = LATEST.with_borrow_mut(|latest| latest.remove(&id)) {
            Running::stop(&running);
        }
    }
}

impl Default for Latest {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Default)]
struct Running {
    task: Option<Pin<Box<dyn Future<Output = ()>>>>,
    stopped: bool,
    waker: Option<Waker>,
}

impl Running {
    fn stop(running: &Rc<RefCell<Running>>) {
        let (task, waker) = {
            let mut running = running.borrow_mut();
            running.stopped = true;
            (running.task.take(), running.waker.take())
        };
        drop(task);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Polls a [`Latest`] task until it ends or is stopped.
struct Driven(Rc<RefCell<Running>>);

impl Future for Driven {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Polled outside the borrow, so that the task may itself start the next one.
        let Some(mut task) = self.0.borrow_mut().task.take() else {
            return Poll::Ready(());
        };
        if task.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        let mut running = self.0.borrow_mut();
        if running.stopped {
            return Poll::Ready(()); // `task` is dropped here
        }
        running.task = Some(task);
        running.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// A task that ends, without polling what it wraps, at its first wake-up once its page is
/// gone: an answer that arrives for a page that is gone wakes it, and it ends without looking.
struct Cancellable<F> {
    task: Pin<Box<F>>,
    page: PageTasks,
}

impl<F: Future<Output = ()>> Future for Cancellable<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.page.is_gone() {
            return Poll::Ready(());
        }
        self.task.as_mut().poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::reactive::owner::Owner;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::task::Waker;

    /// Polls a task of a page made under a fresh owner, after cleaning that owner up or not;
    /// returns whether the task's body ran.
    fn runs_after(clean_up_first: bool) -> bool {
        let ran = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&ran);
        let owner = Owner::new();
        let tasks = owner.with(PageTasks::new);
        let mut task = tasks.cancellable(async move {
            seen.store(true, Ordering::Relaxed);
        });
        if clean_up_first {
            owner.cleanup();
        }
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(Pin::new(&mut task).poll(&mut cx), Poll::Ready(()));
        ran.load(Ordering::Relaxed)
    }

    /// A future that never ends (a request never answered), and counts its drops.
    struct Gate {
        dropped: Rc<Cell<u32>>,
    }

    impl Future for Gate {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }

    impl Drop for Gate {
        fn drop(&mut self) {
            self.dropped.set(self.dropped.get() + 1);
        }
    }

    #[test]
    fn a_later_task_drops_the_one_before_at_once() {
        let owner = Owner::new();
        let latest = owner.with(Latest::new);
        let dropped = Rc::new(Cell::new(0));
        let gate = || Gate {
            dropped: dropped.clone(),
        };
        let first = Rc::new(RefCell::new(Running {
            task: Some(Box::pin(gate())),
            ..Running::default()
        }));
        LATEST.with_borrow_mut(|latest_tasks| latest_tasks.insert(latest.id, first.clone()));
        let mut driven = Driven(first.clone());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut driven).poll(&mut cx).is_pending());

        // What `spawn` does to the task before, without an executor.
        let second = LATEST.with_borrow_mut(|latest_tasks| latest_tasks.remove(&latest.id));
        Running::stop(&second.unwrap());
        assert_eq!(
            dropped.get(),
            1,
            "dropped when superseded, not at its next wake-up"
        );
        assert_eq!(Pin::new(&mut driven).poll(&mut cx), Poll::Ready(()));

        let third = Rc::new(RefCell::new(Running {
            task: Some(Box::pin(gate())),
            ..Running::default()
        }));
        LATEST.with_borrow_mut(|latest_tasks| latest_tasks.insert(latest.id, third));
        owner.cleanup();
        assert_eq!(dropped.get(), 2, "and when the page is gone");
    }

    #[test]
    fn a_task_whose_page_is_gone_never_runs_again() {
        assert!(runs_after(false), "a live page's task runs");
        assert!(!runs_after(true), "a gone page's task does not");
    }
}
