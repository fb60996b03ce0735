//! What the three stand-ins ask of a repository's history, written once: walks over the
//! commit graph (`git log a b ^c`, the merge base, ahead/behind counts), the file changes
//! between two trees, a line diff of two texts in unified-diff hunks, and the three-way
//! merge a merged pull request makes.
//!
//! Each sandbox keeps its own commit type; it lends this module its history through
//! [`CommitGraph`] (parents, a date, the tree) and renders the results in its provider's
//! shapes. Nothing here knows a provider.

mod changes;
mod graph;
mod lines;
mod merge;

pub(crate) use changes::{changed_paths, changes, Change, Status, EMPTY};
pub(crate) use graph::{ahead_behind, log, merge_base, reachable};
pub(crate) use lines::{change_diff, git_diff, unified, Kind};
pub(crate) use merge::{apply, plan, MergeRequest, Plan, Refused};

use crate::files::Tree;

/// A repository's commits as the walks see them. Ids are full hashes; an unknown id has no
/// parents and no tree.
pub(crate) trait CommitGraph {
    /// The parents of commit `id` (first parent first), `None` when there is no such commit.
    fn parents(&self, id: &str) -> Option<&[String]>;
    /// When the commit was made, in any unit that orders (newer is larger).
    fn when(&self, id: &str) -> i64;
    /// The commit's whole snapshot.
    fn tree(&self, id: &str) -> Option<&Tree>;
}

/// The message of a merge commit made without a pull request: git's own.
pub(crate) fn merge_message(branch: &str, into: &str) -> String {
    format!("Merge branch '{branch}' into {into}")
}

#[cfg(test)]
pub(crate) mod testing {
    //! A toy history for the module's tests.

    use std::collections::HashMap;
    use std::sync::Arc;

    use super::CommitGraph;
    use crate::files::Tree;

    #[derive(Default)]
    pub(crate) struct Toy {
        commits: HashMap<String, (Vec<String>, i64, Tree)>,
        clock: i64,
    }

    pub(crate) fn tree(files: &[(&str, &str)]) -> Tree {
        Arc::new(
            files
                .iter()
                .map(|(p, c)| ((*p).to_owned(), Arc::from(c.as_bytes())))
                .collect(),
        )
    }

    impl Toy {
        /// Adds commit `id` with `parents` and `files`, one tick after the last.
        pub(crate) fn commit(&mut self, id: &str, parents: &[&str], files: &[(&str, &str)]) {
            self.clock += 1;
            let parents = parents.iter().map(|p| (*p).to_owned()).collect();
            self.commits
                .insert(id.to_owned(), (parents, self.clock, tree(files)));
        }
    }

    impl CommitGraph for Toy {
        fn parents(&self, id: &str) -> Option<&[String]> {
            self.commits.get(id).map(|c| c.0.as_slice())
        }
        fn when(&self, id: &str) -> i64 {
            self.commits.get(id).map_or(0, |c| c.1)
        }
        fn tree(&self, id: &str) -> Option<&Tree> {
            self.commits.get(id).map(|c| &c.2)
        }
    }
}
