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

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub key: String,
    pub name: String,
    pub uuid: Uuid,
}

/// A file tree snapshot. Shared between commits (and between generated
/// repositories) because most commits change little; the `src` endpoints will
/// read it.
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
    #[allow(dead_code)] // read by the `src` endpoints (a later task)
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

/// How a workspace's repositories are held.
#[derive(Debug, Clone)]
pub(crate) enum Repositories {
    Materialized(BTreeMap<String, Repository>),
    /// `count` repositories `repo-0001`…, each writable by `writers`; built by
    /// [`crate::seed::generate_repositories`] on first use.
    Generated {
        count: usize,
        writers: Vec<String>,
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
        if let Repositories::Generated { count, writers } = &self.repositories {
            let repos = crate::seed::generate_repositories(&self.slug, *count, writers);
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
