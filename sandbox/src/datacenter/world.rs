//! The whole mutable state of a Data Center sandbox, behind one mutex (see
//! the Cloud sandbox's `world` for why one lock is enough).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::model::{Commit, Permission, Project, Repository, Tree, User};
use super::oauth::store::OAuthState;
use crate::clock::Clock;
use crate::controls::ControlState;
use crate::history::{self, MergeRequest, Plan, Refused};
use crate::ids::new_commit_hash;

/// What one user may do, beyond public repositories.
#[derive(Debug, Default, Clone)]
pub(crate) struct Access {
    /// Project key → permission on every repository in it.
    pub projects: HashMap<String, Permission>,
    /// Repository id → a permission on that repository alone.
    pub repositories: HashMap<u32, Permission>,
}

pub(crate) struct World {
    pub clock: Clock,
    pub users: BTreeMap<String, User>,
    pub projects: BTreeMap<String, Project>,
    /// Project key → repository slug → repository.
    pub repositories: BTreeMap<String, BTreeMap<String, Repository>>,
    /// User slug → grants.
    pub access: HashMap<String, Access>,
    pub oauth: OAuthState,
    pub control: ControlState<DcStats>,
}

/// Counters of `DataCenter::stats` and `GET /_control/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcStats {
    pub token_requests: crate::TokenRequestStats,
    /// Every request under `/rest/api` and `/rest/branch-utils`, refused and faulted ones
    /// included.
    pub api_requests: u64,
    /// `"GET /api/latest/repos"` → count, by route template relative to `/rest`.
    pub api_requests_by_endpoint: BTreeMap<String, u64>,
    /// `GET /rest/oauth2/latest/authorize` hits.
    pub authorize_requests: u64,
    /// Responses replaced by an injected fault.
    pub faults_injected: u64,
    /// The `X-Request-Id` of the latest REST and token requests that carried one, newest
    /// last, at most [`crate::REQUEST_IDS_KEPT`].
    #[serde(default)]
    pub request_ids: Vec<String>,
}

/// Who a commit made through the control API ("someone else") is by.
pub(crate) const COLLEAGUE_NAME: &str = "Jordan Lee";
pub(crate) const COLLEAGUE_EMAIL: &str = "jordan.lee@example.com";

impl World {
    /// No users, projects or repositories yet (`World::seed`, in `seed`, fills it).
    pub(crate) fn empty() -> World {
        World {
            clock: Clock::new(),
            users: BTreeMap::new(),
            projects: BTreeMap::new(),
            repositories: BTreeMap::new(),
            access: HashMap::new(),
            oauth: OAuthState::default(),
            control: ControlState::default(),
        }
    }

    pub(crate) fn repository(&self, key: &str, slug: &str) -> Option<&Repository> {
        self.repositories.get(key)?.get(slug)
    }

    pub(crate) fn repository_mut(&mut self, key: &str, slug: &str) -> Option<&mut Repository> {
        self.repositories.get_mut(key)?.get_mut(slug)
    }

    /// The user's own permission on a repository (before any token scope):
    /// the strongest of project grant, repository grant and personal-project
    /// ownership; public repositories are readable by everyone, even anonymously.
    pub(crate) fn permission(&self, user: Option<&str>, repo: &Repository) -> Option<Permission> {
        let public = repo.public.then_some(Permission::Read);
        let Some(user) = user else {
            return public;
        };
        let owner = self
            .projects
            .get(&repo.project_key)
            .and_then(|p| p.personal_of.as_deref())
            .filter(|owner| *owner == user)
            .map(|_| Permission::Admin);
        let granted = self.access.get(user).and_then(|a| {
            let project = a.projects.get(&repo.project_key).copied();
            let single = a.repositories.get(&repo.id).copied();
            project.max(single)
        });
        public.max(owner).max(granted)
    }

    /// The user's grant on the project itself (ownership of a personal project is admin).
    pub(crate) fn project_grant(&self, user: Option<&str>, key: &str) -> Option<Permission> {
        let user = user?;
        let project = self.projects.get(key)?;
        if project.personal_of.as_deref() == Some(user) {
            return Some(Permission::Admin);
        }
        self.access.get(user)?.projects.get(key).copied()
    }

    /// Whether the user sees the project at all (`PROJECT_VIEW`): a grant on it, or a
    /// repository in it the user can read (public ones included).
    pub(crate) fn project_visible(&self, user: Option<&str>, key: &str) -> bool {
        self.project_grant(user, key).is_some()
            || self
                .repositories
                .get(key)
                .is_some_and(|repos| repos.values().any(|r| self.permission(user, r).is_some()))
    }

    /// Commits `content` (`None`: deletes) at `path` on `branch`, on top of its tip; the
    /// branch is created (from `start`, or as a root commit in an empty repository) when
    /// it does not exist yet. Answers the new commit. The caller has checked everything
    /// a REST client can get wrong; this refuses only what cannot be committed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn commit_file(
        &mut self,
        key: &str,
        slug: &str,
        branch: &str,
        start: Option<&str>,
        path: &str,
        content: Option<Arc<[u8]>>,
        author: (&str, &str),
        message: &str,
    ) -> Result<Arc<Commit>, String> {
        let timestamp_ms = (self.clock.wall_now().unix_timestamp_nanos() / 1_000_000) as i64;
        let repo = self
            .repository_mut(key, slug)
            .ok_or_else(|| format!("Repository {key}/{slug} does not exist."))?;
        let parent = match repo
            .branches
            .get(branch)
            .or_else(|| start.and_then(|s| repo.branches.get(s)))
        {
            Some(id) => repo.commits.get(id).cloned(),
            None if repo.is_empty() => None,
            None => return Err(format!("Branch \"{branch}\" does not exist.")),
        };
        let mut files = parent
            .as_ref()
            .map(|p| p.tree.as_ref().clone())
            .unwrap_or_default();
        let changed = match content {
            Some(bytes) => {
                if files.get(path).is_some_and(|old| **old == *bytes) {
                    return Err(format!("\"{path}\" already has this content."));
                }
                files.insert(path.to_owned(), bytes);
                true
            }
            None => files.remove(path).is_some(),
        };
        if !changed {
            return Err(format!("\"{path}\" does not exist on {branch}."));
        }
        let parents: Vec<String> = parent.iter().map(|p| p.id.clone()).collect();
        let id = new_commit_hash(&format!("{key}/{slug}/{branch}/{path}"));
        let tree: Tree = Arc::new(files);
        let commit = Arc::new(Commit {
            id: id.clone(),
            parents,
            author_name: author.0.to_owned(),
            author_email: author.1.to_owned(),
            timestamp_ms,
            message: message.to_owned(),
            tree,
            changed: vec![path.to_owned()].into(),
        });
        repo.commits.insert(id.clone(), commit.clone());
        repo.branches.insert(branch.to_owned(), id);
        Ok(commit)
    }

    /// Merges as a merged pull request does (see `crate::history::plan`), as the colleague
    /// ("someone else"); answers the merge commit. Nothing changes when it is refused.
    pub(crate) fn merge(
        &mut self,
        key: &str,
        slug: &str,
        request: &MergeRequest<'_>,
    ) -> Result<Arc<Commit>, Refused> {
        let timestamp_ms = (self.clock.wall_now().unix_timestamp_nanos() / 1_000_000) as i64;
        let repo = self
            .repository_mut(key, slug)
            .ok_or_else(|| Refused::no_repository(&format!("{key}/{slug}")))?;
        let Plan {
            into,
            parents,
            files,
            message,
        } = history::plan(&*repo, &repo.branches, Some(&repo.default_branch), request)?;
        let changed = history::changed_paths(
            parents
                .first()
                .and_then(|p| repo.commits.get(p))
                .map(|c| &*c.tree),
            &files,
        );
        let id = new_commit_hash(&format!("{key}/{slug}/merge/{parents:?}"));
        let commit = Arc::new(Commit {
            id: id.clone(),
            parents,
            author_name: COLLEAGUE_NAME.to_owned(),
            author_email: COLLEAGUE_EMAIL.to_owned(),
            timestamp_ms,
            message,
            tree: Arc::new(files),
            changed: changed.into(),
        });
        repo.commits.insert(id.clone(), commit.clone());
        history::apply(&mut repo.branches, into, id, request);
        Ok(commit)
    }
}
