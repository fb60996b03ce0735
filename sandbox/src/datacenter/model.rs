//! Users, projects, repositories, branches and commits as Bitbucket Data
//! Center models them.
//!
//! Access is DC's: a user holds a permission on a project (which covers every
//! repository in it) and may hold a stronger one on single repositories; the
//! owner of a personal project (`~ALEX`) administers it. A repository the
//! caller cannot read does not exist as far as the REST API is concerned
//! (404).
//!
//! A branch's history is a chain of commits, but for the merge commits the control API's
//! `merge` makes: [`Repository::history`] follows first parents, enough to answer "has this
//! file changed since the commit the editor started from?", which is what DC's file-edit
//! conflict check asks; comparisons walk every parent (`crate::history`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub(crate) use crate::files::{children, files_under, lookup, Entry, Tree};

/// Repository permission levels, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Permission {
    Read,
    Write,
    Admin,
}

impl Permission {
    /// `REPO_READ`, `REPO_WRITE`, `REPO_ADMIN`: the `permission` filter of `/repos`.
    pub(crate) fn parse_repo(s: &str) -> Option<Permission> {
        match s {
            "REPO_READ" => Some(Permission::Read),
            "REPO_WRITE" => Some(Permission::Write),
            "REPO_ADMIN" => Some(Permission::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub slug: String,
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub id: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub key: String,
    pub id: u32,
    pub name: String,
    pub description: Option<String>,
    /// The user slug of a personal project's owner (`~ALEX` → `alex`).
    pub personal_of: Option<String>,
    pub public: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub id: String,
    pub parents: Vec<String>,
    pub author_name: String,
    pub author_email: String,
    /// Milliseconds since the epoch, as DC's `authorTimestamp`.
    pub timestamp_ms: i64,
    pub message: String,
    pub tree: Tree,
    /// Paths this commit added, changed or deleted (a root commit: all of them).
    /// Shared: the generated repositories' root commits all list the same file.
    pub changed: Arc<[String]>,
}

impl Commit {
    pub(crate) fn touches(&self, path: &str) -> bool {
        self.changed.iter().any(|p| {
            p == path
                || (p.len() > path.len() && p.starts_with(path) && p[path.len()..].starts_with('/'))
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Repository {
    pub id: u32,
    pub slug: String,
    pub name: String,
    pub project_key: String,
    pub hierarchy_id: String,
    pub description: Option<String>,
    pub archived: bool,
    pub public: bool,
    /// The *configured* default branch: it exists even in an empty repository.
    pub default_branch: String,
    /// Branch name (without `refs/heads/`) → commit id.
    pub branches: BTreeMap<String, String>,
    pub commits: HashMap<String, Arc<Commit>>,
}

/// Longest history walk: a bound, so a pathological branch cannot stall the lock.
const MAX_WALK: usize = 100_000;

impl Repository {
    pub(crate) fn is_empty(&self) -> bool {
        self.branches.is_empty()
    }

    /// A commit by full id or by an unambiguous prefix of at least 7 digits.
    pub(crate) fn commit_by_id(&self, id: &str) -> Option<&Arc<Commit>> {
        if let Some(c) = self.commits.get(id) {
            return Some(c);
        }
        if id.len() < 7 || id.len() > 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let id = id.to_ascii_lowercase();
        let mut found = self.commits.iter().filter(|(k, _)| k.starts_with(&id));
        match (found.next(), found.next()) {
            (Some((_, c)), None) => Some(c),
            _ => None,
        }
    }

    /// `at`/`until` as DC reads them: a branch name, `refs/heads/…`, or a commit id.
    pub(crate) fn resolve(&self, rev: &str) -> Option<&Arc<Commit>> {
        let branch = rev.strip_prefix("refs/heads/").unwrap_or(rev);
        if let Some(id) = self.branches.get(branch) {
            return self.commits.get(id);
        }
        self.commit_by_id(rev)
    }

    /// The tip of the configured default branch, if that branch exists.
    pub(crate) fn default_tip(&self) -> Option<&Arc<Commit>> {
        self.branches
            .get(&self.default_branch)
            .and_then(|id| self.commits.get(id))
    }

    /// `from` and its ancestors, newest first (first parents only: history is linear).
    pub(crate) fn history<'a>(
        &'a self,
        from: &'a Arc<Commit>,
    ) -> impl Iterator<Item = &'a Arc<Commit>> + 'a {
        let mut next = Some(from);
        std::iter::from_fn(move || {
            let current = next?;
            next = current.parents.first().and_then(|p| self.commits.get(p));
            Some(current)
        })
        .take(MAX_WALK)
    }

    pub(crate) fn is_ancestor_or_equal(&self, ancestor: &str, of: &Arc<Commit>) -> bool {
        self.history(of).any(|c| c.id == ancestor)
    }

    /// The newest commit reachable from `from` that changed `path`.
    pub(crate) fn last_change<'a>(
        &'a self,
        from: &'a Arc<Commit>,
        path: &str,
    ) -> Option<&'a Arc<Commit>> {
        self.history(from).find(|c| c.touches(path))
    }
}

impl crate::history::CommitGraph for Repository {
    fn parents(&self, id: &str) -> Option<&[String]> {
        self.commits.get(id).map(|c| c.parents.as_slice())
    }

    fn when(&self, id: &str) -> i64 {
        self.commits.get(id).map_or(0, |c| c.timestamp_ms)
    }

    fn tree(&self, id: &str) -> Option<&Tree> {
        self.commits.get(id).map(|c| &c.tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> Tree {
        Arc::new(
            paths
                .iter()
                .map(|p| ((*p).to_owned(), Arc::from(b"x".as_slice())))
                .collect(),
        )
    }

    #[test]
    fn touches_matches_whole_segments() {
        let c = Commit {
            id: "1".into(),
            parents: vec![],
            author_name: String::new(),
            author_email: String::new(),
            timestamp_ms: 0,
            message: String::new(),
            tree: tree(&[]),
            changed: vec!["pipelines/a.yaml".to_owned()].into(),
        };
        assert!(c.touches("pipelines/a.yaml"));
        assert!(c.touches("pipelines"));
        assert!(!c.touches("pipe"));
        assert!(!c.touches("pipelines/a"));
    }
}
