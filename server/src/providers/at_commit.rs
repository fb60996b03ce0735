//! What a repository holds at a commit, kept: a commit never changes, so the pipelines'
//! paths under a folder at a commit, and each pipeline's last change up to it, are the same
//! whenever they are asked. Switching between branches that share commits (a branch just
//! made from `main`, and `main` again) then costs the provider one call, the branch's head.
//!
//! Whose answers these are: an entry is read only after the user's own token has just read
//! the branch's head, that commit (so the user can read the repository at it now); the entry
//! is keyed by provider, repository and commit, never by anything the app sends unchecked.
//!
//! Bounded: at most [`MAX_ENTRIES`] entries; when full, the oldest half goes.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use api::Change;

/// Entries kept (each a path list or one last change).
pub const MAX_ENTRIES: usize = 20_000;
/// Paths in one kept listing; a larger listing is not kept.
const MAX_LISTED: usize = 2_000;

#[derive(Clone, Debug)]
enum Kept {
    Paths(Vec<String>, bool),
    LastChange(Option<Change>),
    Described(Change),
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Kept>,
    order: VecDeque<String>,
}

/// The cache; one per provider ([`super::Grants::at_commit`]).
#[derive(Default)]
pub struct AtCommit {
    inner: Mutex<Inner>,
}

/// The key of `what` in `repository` (group/repo) at `commit`.
fn key(repository: &str, commit: &str, what: &str) -> String {
    format!("{repository}\u{0}{commit}\u{0}{what}")
}

impl AtCommit {
    fn get(&self, key: &str) -> Option<Kept> {
        self.inner.lock().unwrap().entries.get(key).cloned()
    }

    fn put(&self, key: String, kept: Kept) {
        let mut inner = self.inner.lock().unwrap();
        if inner.entries.len() >= MAX_ENTRIES {
            let drop = inner.order.len() / 2;
            for old in inner.order.drain(..drop).collect::<Vec<_>>() {
                inner.entries.remove(&old);
            }
        }
        if inner.entries.insert(key.clone(), kept).is_none() {
            inner.order.push_back(key);
        }
    }

    /// The file paths under `folder` at `commit`, and whether the listing was cut.
    pub fn paths(
        &self,
        repository: &str,
        commit: &str,
        folder: &str,
    ) -> Option<(Vec<String>, bool)> {
        match self.get(&key(repository, commit, &format!("paths:{folder}")))? {
            Kept::Paths(paths, cut) => Some((paths, cut)),
            _ => None,
        }
    }

    pub fn keep_paths(
        &self,
        repository: &str,
        commit: &str,
        folder: &str,
        paths: &[String],
        cut: bool,
    ) {
        if paths.len() <= MAX_LISTED {
            let key = key(repository, commit, &format!("paths:{folder}"));
            self.put(key, Kept::Paths(paths.to_vec(), cut));
        }
    }

    /// The last change of `path` up to `commit`: `Some(None)` when known to be unknown.
    pub fn last_change(
        &self,
        repository: &str,
        commit: &str,
        path: &str,
    ) -> Option<Option<Change>> {
        match self.get(&key(repository, commit, &format!("last:{path}")))? {
            Kept::LastChange(change) => Some(change),
            _ => None,
        }
    }

    /// The commit `commit` itself, as a branch head shows it.
    pub fn described(&self, repository: &str, commit: &str) -> Option<Change> {
        match self.get(&key(repository, commit, "commit"))? {
            Kept::Described(change) => Some(change),
            _ => None,
        }
    }

    pub fn keep_described(&self, repository: &str, commit: &str, change: Change) {
        self.put(key(repository, commit, "commit"), Kept::Described(change));
    }

    pub fn keep_last_change(
        &self,
        repository: &str,
        commit: &str,
        path: &str,
        change: Option<Change>,
    ) {
        self.put(
            key(repository, commit, &format!("last:{path}")),
            Kept::LastChange(change),
        );
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(revision: &str) -> Change {
        Change {
            revision: revision.into(),
            label: revision.into(),
            author: "Alex".into(),
            at: 1,
            message: "m".into(),
        }
    }

    #[test]
    fn kept_by_repository_commit_and_what() {
        let kept = AtCommit::default();
        kept.keep_paths("a/r", "c1", "", &["x.orch.yaml".into()], false);
        kept.keep_last_change("a/r", "c1", "x.orch.yaml", Some(change("c0")));
        assert_eq!(kept.paths("a/r", "c1", "").unwrap().0, ["x.orch.yaml"]);
        assert!(kept.paths("a/r", "c1", "sub").is_none(), "another folder");
        assert!(kept.paths("a/r", "c2", "").is_none(), "another commit");
        assert!(kept.paths("b/r", "c1", "").is_none(), "another repository");
        assert_eq!(
            kept.last_change("a/r", "c1", "x.orch.yaml")
                .unwrap()
                .unwrap()
                .revision,
            "c0"
        );
        assert!(kept.last_change("a/r", "c1", "y.orch.yaml").is_none());
    }

    #[test]
    fn bounded() {
        let kept = AtCommit::default();
        for n in 0..(MAX_ENTRIES + 10) {
            kept.keep_last_change("a/r", &n.to_string(), "p", None);
        }
        assert!(kept.len() <= MAX_ENTRIES);
        assert!(kept
            .last_change("a/r", &(MAX_ENTRIES + 9).to_string(), "p")
            .is_some());
        let many: Vec<String> = (0..=MAX_LISTED).map(|n| n.to_string()).collect();
        kept.keep_paths("a/r", "big", "", &many, false);
        assert!(kept.paths("a/r", "big", "").is_none(), "too large to keep");
    }
}
