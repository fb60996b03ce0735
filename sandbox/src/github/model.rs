//! Accounts, repositories, installations and Git objects as GitHub models them.
//!
//! Access is GitHub's: an organization gives its members a base permission on every
//! repository and may grant single repositories more (`pull` < `triage` < `push` <
//! `maintain` < `admin`); a personal account administers its own repositories. A GitHub
//! App's user access token sees a repository only when the user can and the app is
//! installed on it (an installation on the owner, on all or on selected repositories).
//!
//! Git objects are content-addressed as in Git: a blob's, tree's and commit's SHA is a
//! digest of its content (SHA-256 cut to 40 hex digits here, Git's own SHA-1 not being a
//! dependency), so the same content always gets the same id and a reset answers the same
//! ids. Trees are kept whole ([`Tree`], full path → content); a subtree is a prefix of one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub(crate) use crate::files::Tree;
use crate::ids::object_id;

/// Repository permission levels, weakest first (the `permissions` object's keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Permission {
    Pull,
    Triage,
    Push,
    Maintain,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountKind {
    User,
    Organization,
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub login: String,
    pub id: u64,
    pub name: String,
    pub kind: AccountKind,
    /// Organizations only: what every member may do on every repository.
    pub base_permission: Option<Permission>,
}

/// Author or committer of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    pub name: String,
    pub email: String,
    /// Unix seconds.
    pub date: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub sha: String,
    pub parents: Vec<String>,
    pub tree_sha: String,
    pub tree: Tree,
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
    /// Paths this commit added, changed or deleted against its first parent (a root commit:
    /// all of them), for `GET …/commits?path=`.
    pub changed: Arc<[String]>,
}

impl Commit {
    pub(crate) fn touches(&self, path: &str) -> bool {
        path.is_empty()
            || self
                .changed
                .iter()
                .any(|p| p == path || (p.starts_with(path) && p[path.len()..].starts_with('/')))
    }
}

/// A tree object: the directory `prefix` (`""`: the root) of a whole snapshot.
#[derive(Debug, Clone)]
pub(crate) struct TreeObject {
    pub files: Tree,
    pub prefix: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Repository {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub description: Option<String>,
    pub private: bool,
    /// The configured default branch: named even in an empty repository.
    pub default_branch: String,
    pub created_at: i64,
    pub pushed_at: i64,
    /// Branch name (without `refs/heads/`) → commit SHA.
    pub branches: BTreeMap<String, String>,
    pub commits: HashMap<String, Arc<Commit>>,
    pub trees: HashMap<String, TreeObject>,
    pub blobs: HashMap<String, Arc<[u8]>>,
}

/// Longest history walk: a bound, so a pathological branch cannot stall the lock.
const MAX_WALK: usize = 100_000;

impl Repository {
    pub(crate) fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.branches.is_empty()
    }

    pub(crate) fn tip(&self, branch: &str) -> Option<&Arc<Commit>> {
        self.commits.get(self.branches.get(branch)?)
    }

    /// A `ref`/`sha` parameter: a branch name, `refs/heads/…`, or a commit SHA.
    pub(crate) fn resolve(&self, rev: &str) -> Option<&Arc<Commit>> {
        let branch = rev.strip_prefix("refs/heads/").unwrap_or(rev);
        self.tip(branch).or_else(|| self.commits.get(rev))
    }

    /// `from` and its ancestors by first parent, newest first.
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

    /// Whether `ancestor` is `of` or reachable from it through any parents.
    pub(crate) fn descends(&self, of: &str, ancestor: &str) -> bool {
        crate::history::reachable(self, &[of]).contains(ancestor)
    }

    /// Stores a whole snapshot as a root tree object with its blobs; answers its SHA.
    pub(crate) fn store_tree(&mut self, files: &Tree) -> String {
        for bytes in files.values() {
            self.blobs
                .entry(blob_sha(bytes))
                .or_insert_with(|| bytes.clone());
        }
        let sha = tree_sha(files, "");
        self.trees.entry(sha.clone()).or_insert(TreeObject {
            files: files.clone(),
            prefix: String::new(),
        });
        sha
    }
}

impl crate::history::CommitGraph for Repository {
    fn parents(&self, id: &str) -> Option<&[String]> {
        self.commits.get(id).map(|c| c.parents.as_slice())
    }

    fn when(&self, id: &str) -> i64 {
        self.commits.get(id).map_or(0, |c| c.committer.date)
    }

    fn tree(&self, id: &str) -> Option<&Tree> {
        self.commits.get(id).map(|c| &c.tree)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selection {
    All,
    /// Repository names of the account.
    Selected(BTreeSet<String>),
}

#[derive(Debug, Clone)]
pub(crate) struct Installation {
    pub id: u64,
    pub account: String,
    pub app_slug: String,
    pub selection: Selection,
    pub created_at: i64,
}

impl Installation {
    pub(crate) fn covers(&self, repo: &Repository) -> bool {
        repo.owner == self.account
            && match &self.selection {
                Selection::All => true,
                Selection::Selected(names) => names.contains(&repo.name),
            }
    }
}

pub(crate) fn blob_sha(bytes: &[u8]) -> String {
    object_id("blob", bytes)
}

/// The SHA of directory `prefix` of `files`: a digest of its entries (mode, name, SHA).
pub(crate) fn tree_sha(files: &Tree, prefix: &str) -> String {
    let mut body = Vec::new();
    for (name, file) in crate::files::children(files, prefix) {
        let (mode, sha) = match file {
            Some(bytes) => ("100644", blob_sha(bytes)),
            None => ("40000", tree_sha(files, &join(prefix, &name))),
        };
        body.extend_from_slice(format!("{mode} {name}\0{sha}").as_bytes());
    }
    object_id("tree", &body)
}

pub(crate) fn commit_sha(
    tree: &str,
    parents: &[String],
    author: &Signature,
    committer: &Signature,
    message: &str,
) -> String {
    let mut body = format!("tree {tree}\n");
    for p in parents {
        body.push_str(&format!("parent {p}\n"));
    }
    for (role, s) in [("author", author), ("committer", committer)] {
        body.push_str(&format!(
            "{role} {} <{}> {} +0000\n",
            s.name, s.email, s.date
        ));
    }
    body.push('\n');
    body.push_str(message);
    object_id("commit", body.as_bytes())
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}
