//! The whole mutable state of a GitHub sandbox, behind one mutex (locked briefly, never
//! across an `.await`, as in the other sandboxes).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::model::{
    commit_sha, Account, Commit, Installation, Permission, Repository, Signature, Tree,
};
use super::oauth::store::OAuthState;
use crate::clock::Clock;
use crate::controls::ControlState;
use crate::history::{self, changed_paths, MergeRequest, Plan, Refused};

/// GitHub's primary rate limit for a user access token: 5,000 requests an hour.
pub(crate) const RATE_LIMIT: u32 = 5000;
const RATE_WINDOW: Duration = Duration::from_secs(3600);

/// Counters of `GitHub::stats` and `GET /_control/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitHubStats {
    pub token_requests: crate::TokenRequestStats,
    /// Every request under `/api/v3`, refused and faulted ones included.
    pub api_requests: u64,
    /// `"GET /user/installations"` → count, by route template relative to `/api/v3`.
    pub api_requests_by_endpoint: BTreeMap<String, u64>,
    /// `GET /login/oauth/authorize` hits.
    pub authorize_requests: u64,
    /// Responses replaced by an injected fault.
    pub faults_injected: u64,
    /// Most API requests answered at the same time.
    pub max_concurrent: u64,
    /// The `X-Request-Id` of the latest API and token requests that carried one, newest
    /// last, at most [`crate::REQUEST_IDS_KEPT`].
    #[serde(default)]
    pub request_ids: Vec<String>,
}

/// One user's primary rate-limit window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateWindow {
    pub used: u32,
    /// Sandbox clock reading at which the window resets.
    pub resets_at: Duration,
}

pub(crate) struct World {
    pub clock: Clock,
    pub accounts: BTreeMap<String, Account>,
    /// User login → (organization login → member).
    pub memberships: HashMap<String, Vec<String>>,
    /// (user login, `owner/name`) → a permission granted on that repository alone.
    pub grants: HashMap<(String, String), Permission>,
    /// Owner login → repository name → repository.
    pub repositories: BTreeMap<String, BTreeMap<String, Repository>>,
    pub installations: Vec<Installation>,
    pub next_installation_id: u64,
    pub rate: HashMap<String, RateWindow>,
    pub oauth: OAuthState,
    pub control: ControlState<GitHubStats>,
}

/// Who a commit made through the control API ("someone else") is by.
pub(crate) const COLLEAGUE_NAME: &str = "Jordan Lee";
pub(crate) const COLLEAGUE_EMAIL: &str = "jordan.lee@example.com";

impl World {
    pub(crate) fn empty() -> World {
        World {
            clock: Clock::new(),
            accounts: BTreeMap::new(),
            memberships: HashMap::new(),
            grants: HashMap::new(),
            repositories: BTreeMap::new(),
            installations: Vec::new(),
            next_installation_id: 0,
            rate: HashMap::new(),
            oauth: OAuthState::default(),
            control: ControlState::default(),
        }
    }

    pub(crate) fn now_unix(&self) -> i64 {
        self.clock.wall_now().unix_timestamp()
    }

    pub(crate) fn repository(&self, owner: &str, name: &str) -> Option<&Repository> {
        self.repositories.get(owner)?.get(name)
    }

    pub(crate) fn repository_mut(&mut self, owner: &str, name: &str) -> Option<&mut Repository> {
        self.repositories.get_mut(owner)?.get_mut(name)
    }

    pub(crate) fn is_member(&self, user: &str, org: &str) -> bool {
        self.memberships
            .get(user)
            .is_some_and(|orgs| orgs.iter().any(|o| o == org))
    }

    /// The accounts a user acts for: themselves, then their organizations.
    pub(crate) fn accounts_of(&self, user: &str) -> Vec<String> {
        let mut out = vec![user.to_owned()];
        out.extend(self.memberships.get(user).cloned().unwrap_or_default());
        out
    }

    /// The user's own permission on a repository, before any app is considered.
    pub(crate) fn permission(&self, user: &str, repo: &Repository) -> Option<Permission> {
        if repo.owner == user {
            return Some(Permission::Admin);
        }
        let base = self
            .accounts
            .get(&repo.owner)
            .filter(|_| self.is_member(user, &repo.owner))
            .and_then(|org| org.base_permission);
        let granted = self
            .grants
            .get(&(user.to_owned(), repo.full_name()))
            .copied();
        base.max(granted)
    }

    /// The installation of `app_slug` covering `repo`, if any.
    pub(crate) fn installation_covering(
        &self,
        app_slug: &str,
        repo: &Repository,
    ) -> Option<&Installation> {
        self.installations
            .iter()
            .find(|i| i.app_slug == app_slug && i.covers(repo))
    }

    /// What a user access token of `app_slug` for `user` may do on a repository: the user's
    /// permission where the app is installed, nothing elsewhere.
    pub(crate) fn token_permission(
        &self,
        user: &str,
        app_slug: &str,
        repo: &Repository,
    ) -> Option<Permission> {
        self.installation_covering(app_slug, repo)?;
        self.permission(user, repo)
    }

    /// The installations of `app_slug` a user can see: on their account and their
    /// organizations.
    pub(crate) fn installations_of(&self, user: &str, app_slug: &str) -> Vec<&Installation> {
        let accounts = self.accounts_of(user);
        self.installations
            .iter()
            .filter(|i| i.app_slug == app_slug && accounts.contains(&i.account))
            .collect()
    }

    /// The user's rate window, started or restarted as the clock requires.
    pub(crate) fn rate_window(&mut self, user: &str) -> &mut RateWindow {
        let now = self.clock.now();
        let window = self.rate.entry(user.to_owned()).or_insert(RateWindow {
            used: 0,
            resets_at: now + RATE_WINDOW,
        });
        if now >= window.resets_at {
            *window = RateWindow {
                used: 0,
                resets_at: now + RATE_WINDOW,
            };
        }
        window
    }

    /// Epoch seconds at which a window resets.
    pub(crate) fn reset_epoch(&self, window: &RateWindow) -> i64 {
        let left = window.resets_at.saturating_sub(self.clock.now());
        self.now_unix() + left.as_secs() as i64
    }

    /// Writes a commit of `files` on top of `parents` in the repository; answers it. Its SHA
    /// is a digest of its content, as in Git.
    pub(crate) fn write_commit(
        repo: &mut Repository,
        files: Tree,
        parents: Vec<String>,
        author: Signature,
        committer: Signature,
        message: &str,
    ) -> Arc<Commit> {
        let tree_sha = repo.store_tree(&files);
        let old = parents
            .first()
            .and_then(|p| repo.commits.get(p))
            .map(|c| c.tree.clone());
        let sha = commit_sha(&tree_sha, &parents, &author, &committer, message);
        let commit = Arc::new(Commit {
            sha: sha.clone(),
            parents,
            tree_sha,
            changed: changed_paths(old.as_deref(), &files).into(),
            tree: files,
            author,
            committer,
            message: message.to_owned(),
        });
        repo.commits.insert(sha, commit.clone());
        commit
    }

    /// Sets (`Some`) or deletes (`None`) one file on `branch` in a new commit by `who`,
    /// moving the branch (created in an empty repository). `None` when the repository or
    /// branch is not there, or nothing would change.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn commit_file(
        &mut self,
        owner: &str,
        name: &str,
        branch: &str,
        path: &str,
        content: Option<Arc<[u8]>>,
        who: (&str, &str),
        message: &str,
    ) -> Option<Arc<Commit>> {
        let date = self.now_unix();
        let repo = self.repository_mut(owner, name)?;
        let parent = match repo.tip(branch) {
            Some(c) => Some(c.clone()),
            None if repo.is_empty() => None,
            None => return None,
        };
        let mut files = parent
            .as_ref()
            .map(|p| p.tree.as_ref().clone())
            .unwrap_or_default();
        let changed = match content {
            Some(bytes) => files.insert(path.to_owned(), bytes.clone()).as_deref() != Some(&*bytes),
            None => files.remove(path).is_some(),
        };
        if !changed {
            return None;
        }
        let sig = Signature {
            name: who.0.to_owned(),
            email: who.1.to_owned(),
            date,
        };
        let parents = parent.iter().map(|p| p.sha.clone()).collect();
        let commit = World::write_commit(repo, Arc::new(files), parents, sig.clone(), sig, message);
        repo.branches.insert(branch.to_owned(), commit.sha.clone());
        repo.pushed_at = date;
        Some(commit)
    }

    /// Merges as a merged pull request's "Create a merge commit" does (see
    /// `crate::history::plan`), as the colleague ("someone else"), then "Delete branch" if
    /// asked; answers the merge commit. Nothing changes when it is refused.
    pub(crate) fn merge(
        &mut self,
        owner: &str,
        name: &str,
        request: &MergeRequest<'_>,
    ) -> Result<Arc<Commit>, Refused> {
        let date = self.now_unix();
        let repo = self
            .repository_mut(owner, name)
            .ok_or_else(|| Refused::no_repository(&format!("{owner}/{name}")))?;
        let Plan {
            into,
            parents,
            files,
            message,
        } = history::plan(&*repo, &repo.branches, Some(&repo.default_branch), request)?;
        let sig = Signature {
            name: COLLEAGUE_NAME.to_owned(),
            email: COLLEAGUE_EMAIL.to_owned(),
            date,
        };
        let commit =
            World::write_commit(repo, Arc::new(files), parents, sig.clone(), sig, &message);
        history::apply(&mut repo.branches, into, commit.sha.clone(), request);
        repo.pushed_at = date;
        Ok(commit)
    }
}
