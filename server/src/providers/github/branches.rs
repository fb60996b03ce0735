//! GitHub's branch calls for the studio's `main` ([`crate::providers::branch`]) and for a new
//! project's repository ([`crate::providers::project`]): the repository names its default
//! branch and the user's `permissions`; a branch is a ref made at its start point's tip; an
//! empty repository gets its first commit through the contents API.

use async_trait::async_trait;
use secrecy::SecretString;

use super::model::Repository;
use super::rest::GitHubRest;
use crate::providers::branch::{Asked, BranchCalls, Repo, README};
use crate::providers::project::{Described, ProjectChecks};
use crate::providers::ProviderError;

#[async_trait]
impl BranchCalls for GitHubRest {
    /// The repository names its default branch.
    type Repository = Repository;

    fn label(&self) -> &'static str {
        "GitHub"
    }

    async fn repository(
        &self,
        token: &SecretString,
        at: Repo<'_>,
    ) -> Result<Repository, ProviderError> {
        GitHubRest::repository(self, token, at.group, at.repo).await
    }

    async fn tip(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        _asked: Asked,
    ) -> Result<Option<String>, ProviderError> {
        GitHubRest::tip(self, token, at.group, at.repo, branch).await
    }

    /// The default branch, when it has a commit (an empty repository names one too).
    async fn start_point(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        repository: &Repository,
    ) -> Result<Option<String>, ProviderError> {
        let Some(default) = repository.default_branch.as_deref() else {
            return Ok(None);
        };
        let tip = GitHubRest::tip(self, token, at.group, at.repo, default).await?;
        Ok(tip.map(|_| default.to_owned()))
    }

    fn title(&self, at: Repo<'_>, repository: &Repository) -> String {
        if repository.name.is_empty() {
            at.repo.to_owned()
        } else {
            repository.name.clone()
        }
    }

    async fn create_branch(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        name: &str,
        from: &str,
    ) -> Result<(), ProviderError> {
        let tip = GitHubRest::tip(self, token, at.group, at.repo, from)
            .await?
            .ok_or_else(|| ProviderError::Conflict(format!("{from} has no commit")))?;
        self.create_ref(token, at.group, at.repo, name, &tip).await
    }

    async fn first_commit(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        content: &str,
        message: &str,
    ) -> Result<(), ProviderError> {
        self.put_file(token, at, branch, README, content, message)
            .await
            .map(drop)
    }
}

#[async_trait]
impl ProjectChecks for GitHubRest {
    type Facts = Repository;
    /// GitHub's role names: Write includes push.
    const WRITE_ACCESS: &'static str = "Write";
    /// Each user's calls count against an hourly limit: one after the other.
    const CHECKS_AT_ONCE: bool = false;

    async fn facts(&self, token: &SecretString, at: Repo<'_>) -> Result<Repository, ProviderError> {
        GitHubRest::repository(self, token, at.group, at.repo).await
    }

    fn described(&self, at: Repo<'_>, repository: &Repository) -> Described {
        Described {
            slug: at.repo.to_owned(),
            full_name: format!("{}/{}", at.group, at.repo),
            html_url: repository.html_url(),
        }
    }

    /// The repository's own `permissions`, read with the user's token (no call).
    async fn writable(
        &self,
        _token: &SecretString,
        _at: Repo<'_>,
        repository: &Repository,
    ) -> Result<bool, ProviderError> {
        Ok(repository.writable())
    }

    fn fallback_url(&self, _at: Repo<'_>, full_name: &str) -> String {
        format!("{}/{full_name}", self.web_url())
    }
}
