//! Accounts, workspaces, repositories, branches and commits: the data the REST
//! API serves.
//!
//! Access is modelled the way Bitbucket Cloud does it: a workspace
//! *administrator* is admin on every repository in it; other members see only
//! the repositories they hold an explicit permission on. Anything an account
//! cannot see does not exist as far as the API is concerned (404, not 403).
//!
//! Large generated workspaces (the `bigco` account's 10,000 repositories) are
//! kept as a recipe and only materialised the first time one of them is
//! touched, so that creating a sandbox stays cheap for every test.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Permission {
    Read,
    Write,
    Admin,
}

impl Permission {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Admin => "admin",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Permission> {
        match s {
            "read" => Some(Permission::Read),
            "write" => Some(Permission::Write),
            "admin" => Some(Permission::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub nickname: String,
    pub display_name: String,
    pub account_id: String,
    pub uuid: Uuid,
    pub created_on: OffsetDateTime,
}

impl Account {
    /// `Full Name <nickname@example.com>`: how the sandbox signs an account's commits.
    pub(crate) fn raw_author(&self) -> String {
        format!("{} <{}@example.com>", self.display_name, self.nickname)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub key: String,
    pub name: String,
    pub uuid: Uuid,
}

/// A file tree snapshot: full path (no leading `/`) → content. Directories
/// are implied by the paths. Shared between commits (and between generated
/// repositories) because most commits change little.
pub(crate) type Tree = Arc<BTreeMap<String, Arc<[u8]>>>;

#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub hash: String,
    pub parents: Vec<String>,
    pub date: OffsetDateTime,
    pub message: String,
    /// Nickname of the seeded account that authored it, if any.
    pub author: Option<String>,
    pub author_raw: String,
    pub tree: Tree,
}

#[derive(Debug, Clone)]
pub(crate) struct Repository {
    pub slug: String,
    pub name: String,
    pub uuid: Uuid,
    pub description: String,
    pub is_private: bool,
    pub language: String,
    pub size: u64,
    pub created_on: OffsetDateTime,
    pub updated_on: OffsetDateTime,
    pub project_key: String,
    /// Name of the default branch; `None` for a repository without commits.
    pub mainbranch: Option<String>,
    /// Branch name → commit hash.
    pub branches: BTreeMap<String, String>,
    pub commits: BTreeMap<String, Arc<Commit>>,
    /// Explicit per-account permissions (workspace administrators get admin
    /// implicitly, see [`Workspace::permission`]).
    pub permissions: BTreeMap<String, Permission>,
}

impl Repository {
    /// Resolves a full hash or an unambiguous prefix of at least 7 digits, as
    /// git and Bitbucket do.
    pub(crate) fn resolve_commit(&self, hash: &str) -> Option<&Arc<Commit>> {
        if let Some(c) = self.commits.get(hash) {
            return Some(c);
        }
        if hash.len() < 7 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut found = self
            .commits
            .range(hash.to_owned()..)
            .take_while(|(k, _)| k.starts_with(hash));
        match (found.next(), found.next()) {
            (Some((_, c)), None) => Some(c),
            _ => None,
        }
    }
}

impl Repository {
    /// A revision as `src/{commit}` and `commits/{revision}` take it: a branch
    /// name, else a full hash or unambiguous prefix.
    pub(crate) fn resolve_revision(&self, rev: &str) -> Option<&Arc<Commit>> {
        match self.branches.get(rev) {
            Some(hash) => self.commits.get(hash),
            None => self.resolve_commit(rev),
        }
    }

    /// Splits `{revision}/{path}` where the revision may itself contain `/`
    /// (branch `feature/x`): the first segment is tried as a branch or hash,
    /// then longer prefixes as branch names (git forbids `a` and `a/b` both
    /// being branches, so at most one prefix is a branch).
    pub(crate) fn split_revision<'a>(&self, rest: &'a str) -> Option<(&Arc<Commit>, &'a str)> {
        let ends = rest
            .match_indices('/')
            .map(|(i, _)| i)
            .chain(std::iter::once(rest.len()));
        for (n, end) in ends.enumerate() {
            let rev = &rest[..end];
            let commit = if n == 0 {
                self.resolve_revision(rev)
            } else {
                self.branches.get(rev).and_then(|h| self.commits.get(h))
            };
            if let Some(c) = commit {
                let path = rest.get(end + 1..).unwrap_or("");
                return Some((c, path));
            }
        }
        None
    }

    /// Tip of the main branch, if the repository has commits.
    pub(crate) fn main_tip(&self) -> Option<&Arc<Commit>> {
        let name = self.mainbranch.as_ref()?;
        self.commits.get(self.branches.get(name)?)
    }

    /// `git log heads ^excluded`: newest first, every commit before its parents.
    pub(crate) fn history<'a>(
        &'a self,
        heads: &[&'a str],
        excluded: &[&'a str],
    ) -> Vec<&'a Arc<Commit>> {
        crate::history::log(self, heads, excluded)
            .into_iter()
            .filter_map(|hash| self.commits.get(hash))
            .collect()
    }
}

impl crate::history::CommitGraph for Repository {
    fn parents(&self, id: &str) -> Option<&[String]> {
        self.commits.get(id).map(|c| c.parents.as_slice())
    }

    fn when(&self, id: &str) -> i64 {
        self.commits
            .get(id)
            .map_or(0, |c| (c.date.unix_timestamp_nanos() / 1_000) as i64)
    }

    fn tree(&self, id: &str) -> Option<&Tree> {
        self.commits.get(id).map(|c| &c.tree)
    }
}

/// What a path names in a tree.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Entry<'a> {
    File(&'a Arc<[u8]>),
    Directory,
}

/// `path` without leading or trailing `/`; `""` is the root directory.
pub(crate) fn lookup<'a>(tree: &'a Tree, path: &str) -> Option<Entry<'a>> {
    if path.is_empty() {
        return Some(Entry::Directory);
    }
    if let Some(bytes) = tree.get(path) {
        return Some(Entry::File(bytes));
    }
    let prefix = format!("{path}/");
    tree.range(prefix.clone()..)
        .next()
        .filter(|(k, _)| k.starts_with(&prefix))
        .map(|_| Entry::Directory)
}

/// The direct children of directory `path` (`""` = root), in path order:
/// `(full path, Some(size))` for files, `(full path, None)` for directories.
pub(crate) fn children(tree: &Tree, path: &str) -> Vec<(String, Option<u64>)> {
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    let mut out: Vec<(String, Option<u64>)> = Vec::new();
    for (key, bytes) in tree.range(prefix.clone()..) {
        let Some(rest) = key.strip_prefix(&prefix) else {
            break;
        };
        match rest.split_once('/') {
            Some((dir, _)) => {
                let full = format!("{prefix}{dir}");
                if out.last().map(|(p, _)| p) != Some(&full) {
                    out.push((full, None));
                }
            }
            None => out.push((key.clone(), Some(bytes.len() as u64))),
        }
    }
    out
}

/// Whether `c` changed anything at or under `path` relative to its first
/// parent (a root commit changes everything it holds).
pub(crate) fn touches(repo: &Repository, c: &Commit, path: &str) -> bool {
    let under = |tree: &Tree| -> Vec<(String, Arc<[u8]>)> {
        let prefix = format!("{path}/");
        let mut v: Vec<_> = tree
            .get(path)
            .map(|b| (path.to_owned(), b.clone()))
            .into_iter()
            .collect();
        v.extend(
            tree.range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .map(|(k, b)| (k.clone(), b.clone())),
        );
        v
    };
    let mine = under(&c.tree);
    match c.parents.first().and_then(|p| repo.commits.get(p)) {
        Some(parent) => mine != under(&parent.tree),
        None => !mine.is_empty(),
    }
}

/// Builds `count` repositories for a workspace (slug), each writable by the accounts given.
pub(crate) type Generator = fn(&str, usize, &[String]) -> BTreeMap<String, Repository>;

/// How a workspace's repositories are held.
#[derive(Debug, Clone)]
pub(crate) enum Repositories {
    Materialized(BTreeMap<String, Repository>),
    /// `count` repositories, each writable by `writers`, built by `generate` on first use
    /// (the seed passes its generator in, so this module needs nothing from the seed).
    Generated {
        count: usize,
        writers: Vec<String>,
        generate: Generator,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    pub slug: String,
    pub name: String,
    pub uuid: Uuid,
    /// The account whose personal workspace this is.
    pub personal_of: Option<String>,
    /// Member nickname → is administrator.
    pub members: BTreeMap<String, bool>,
    pub projects: BTreeMap<String, Project>,
    pub repositories: Repositories,
}

impl Workspace {
    pub(crate) fn is_member(&self, nickname: &str) -> bool {
        self.members.contains_key(nickname)
    }

    pub(crate) fn is_admin(&self, nickname: &str) -> bool {
        self.members.get(nickname).copied().unwrap_or(false)
    }

    /// The account's effective permission on a repository of this workspace.
    pub(crate) fn permission(&self, repo: &Repository, nickname: &str) -> Option<Permission> {
        if self.is_admin(nickname) {
            return Some(Permission::Admin);
        }
        if !self.is_member(nickname) {
            return None;
        }
        repo.permissions.get(nickname).copied()
    }

    pub(crate) fn materialize(&mut self) -> &mut BTreeMap<String, Repository> {
        if let Repositories::Generated {
            count,
            writers,
            generate,
        } = &self.repositories
        {
            let repos = generate(&self.slug, *count, writers);
            self.repositories = Repositories::Materialized(repos);
        }
        match &mut self.repositories {
            Repositories::Materialized(map) => map,
            Repositories::Generated { .. } => unreachable!("materialised just above"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Directory {
    pub accounts: BTreeMap<String, Account>,
    pub workspaces: BTreeMap<String, Workspace>,
}

impl Directory {
    pub(crate) fn account(&self, nickname: &str) -> Option<&Account> {
        self.accounts.get(nickname)
    }

    /// Workspaces the account belongs to, with its administrator flag, in slug
    /// order.
    pub(crate) fn workspaces_of(&self, nickname: &str) -> Vec<(&Workspace, bool)> {
        self.workspaces
            .values()
            .filter_map(|ws| ws.members.get(nickname).map(|admin| (ws, *admin)))
            .collect()
    }

    /// Materialises a generated workspace before it is read. Split from the
    /// lookups so those can take `&self` and be combined freely.
    pub(crate) fn prepare(&mut self, slug: &str) {
        if let Some(ws) = self.workspaces.get_mut(slug) {
            ws.materialize();
        }
    }

    /// A workspace the account can see (it is a member).
    pub(crate) fn visible_workspace(&self, slug: &str, nickname: &str) -> Option<&Workspace> {
        self.workspaces
            .get(slug)
            .filter(|ws| ws.is_member(nickname))
    }

    /// Repositories of a workspace the account can see, with its permission
    /// (call [`Directory::prepare`] first).
    pub(crate) fn visible_repositories(
        &self,
        slug: &str,
        nickname: &str,
    ) -> Option<(&Workspace, Vec<(&Repository, Permission)>)> {
        let ws = self.visible_workspace(slug, nickname)?;
        let repos = match &ws.repositories {
            Repositories::Materialized(map) => map
                .values()
                .filter_map(|r| ws.permission(r, nickname).map(|p| (r, p)))
                .collect(),
            Repositories::Generated { .. } => Vec::new(),
        };
        Some((ws, repos))
    }

    /// One repository the account can see, with its permission (call
    /// [`Directory::prepare`] first).
    pub(crate) fn visible_repository(
        &self,
        ws_slug: &str,
        repo_slug: &str,
        nickname: &str,
    ) -> Option<(&Workspace, &Repository, Permission)> {
        let ws = self.visible_workspace(ws_slug, nickname)?;
        let Repositories::Materialized(map) = &ws.repositories else {
            return None;
        };
        let repo = map.get(repo_slug)?;
        let perm = ws.permission(repo, nickname)?;
        Some((ws, repo, perm))
    }

    pub(crate) fn repository_mut(
        &mut self,
        ws_slug: &str,
        repo_slug: &str,
    ) -> Option<&mut Repository> {
        self.workspaces
            .get_mut(ws_slug)?
            .materialize()
            .get_mut(repo_slug)
    }
}
