//! One commit at a time per branch on this instance. Saves of many users to one branch (a
//! shared repository) otherwise collide at the provider, and each collision costs the loser
//! three more calls and a pause; the soak measured one save in ten giving up as "busy" with
//! eight users on one branch. Queued here, saves from this instance take turns, and only
//! saves from other instances (or people) still collide.
//!
//! A turn is waited for at most [`MAX_WAIT`]: behind a commit that hangs (the provider slow to
//! answer), a save goes ahead and takes its chances, so no request waits for another's
//! timeout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use tokio::sync::{Mutex as TurnLock, OwnedMutexGuard};

/// The longest a save waits for the branch's turn.
pub const MAX_WAIT: Duration = Duration::from_secs(3);

#[derive(Default)]
pub struct CommitTurns {
    /// Weak: a branch nobody is committing to holds no entry (pruned as others arrive).
    branches: Mutex<HashMap<String, Weak<TurnLock<()>>>>,
}

impl CommitTurns {
    /// Waits for `branch`'s turn (a key naming repository and branch); `None` when it did not
    /// come within [`MAX_WAIT`]. The turn ends when the guard is dropped.
    pub async fn wait(&self, branch: &str) -> Option<OwnedMutexGuard<()>> {
        self.wait_at_most(branch, MAX_WAIT).await
    }

    async fn wait_at_most(&self, branch: &str, limit: Duration) -> Option<OwnedMutexGuard<()>> {
        let lock = {
            let mut branches = self.branches.lock().expect("turns not poisoned");
            branches.retain(|_, turn| turn.strong_count() > 0);
            match branches.get(branch).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(TurnLock::new(()));
                    branches.insert(branch.to_owned(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        tokio::time::timeout(limit, lock.lock_owned()).await.ok()
    }

    /// Branches with a save in progress or waiting (tests).
    pub fn busy_branches(&self) -> usize {
        let branches = self.branches.lock().expect("turns not poisoned");
        branches.values().filter(|t| t.strong_count() > 0).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn saves_to_one_branch_take_turns_and_others_do_not_wait() {
        let turns = CommitTurns::default();
        let first = turns.wait("acme/etl/main").await.expect("a free branch");
        // Another branch is not held up.
        assert!(turns.wait("acme/etl/dev").await.is_some());
        // The same branch waits until the first save is done.
        let waiting = tokio::time::timeout(Duration::from_millis(50), turns.wait("acme/etl/main"));
        assert!(waiting.await.is_err(), "the second save waits for its turn");
        drop(first);
        assert!(turns.wait("acme/etl/main").await.is_some());
        assert_eq!(
            turns.busy_branches(),
            0,
            "nothing is kept for idle branches"
        );
    }

    #[tokio::test]
    async fn a_hanging_save_holds_the_others_only_so_long() {
        let turns = CommitTurns::default();
        let _hanging = turns.wait("acme/etl/main").await.unwrap();
        let limit = Duration::from_millis(100);
        let started = std::time::Instant::now();
        assert!(turns.wait_at_most("acme/etl/main", limit).await.is_none());
        assert!(started.elapsed() >= limit && started.elapsed() < limit * 10);
    }
}
