//! Cloud's branch calls for the studio's `main` ([`crate::providers::branch`]) and for a new
//! project's repository ([`crate::providers::project`]): the repository (which names its
//! default branch), a branch's tip, creating a branch from another's tip
//! (`POST …/refs/branches`) and, in an empty repository, a first commit (`POST …/src`),
//! which is the only way Bitbucket creates a branch from nothing.

use async_trait::async_trait;
use secrecy::SecretString;
use serde_json::json;

use super::rest::{BitbucketRest, Rest};
use super::source::Asked;
use super::ProviderError;
use crate::providers::branch::{BranchCalls, Repo, README};
use crate::providers::project::{Described, ProjectChecks};

/// What a write is refused on, in messages.
const CREATING: &str = "repository (creating a branch needs Write access)";

impl BitbucketRest {
    /// The tip of branch `name`, `None` if there is no such branch.
    pub async fn branch_tip(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        name: &str,
        asked: Asked,
    ) -> Result<Option<String>, ProviderError> {
        Ok(self
            .branch_head(token, workspace, repo, name, asked)
            .await?
            .map(|commit| commit.hash))
    }

    /// Sends a write that makes a branch; whatever the answer, the user's cached answers
    /// are forgotten (a write whose answer was lost may have landed).
    async fn branch_write(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
    ) -> Result<(), ProviderError> {
        let sent = self.send(token, request, CREATING).await;
        self.forget_cached(token);
        sent.map(drop)
    }
}

#[async_trait]
impl BranchCalls for BitbucketRest {
    /// The repository's answer names its default branch (`mainbranch`).
    type Repository = api::Repository;

    fn label(&self) -> &'static str {
        "Bitbucket"
    }

    async fn repository(
        &self,
        token: &SecretString,
        at: Repo<'_>,
    ) -> Result<api::Repository, ProviderError> {
        Ok(BitbucketRest::repository(self, token, at.group, at.repo)
            .await?
            .0)
    }

    async fn tip(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        asked: Asked,
    ) -> Result<Option<String>, ProviderError> {
        self.branch_tip(token, at.group, at.repo, branch, asked)
            .await
    }

    async fn start_point(
        &self,
        _token: &SecretString,
        _at: Repo<'_>,
        repository: &api::Repository,
    ) -> Result<Option<String>, ProviderError> {
        Ok(repository.main_branch.clone())
    }

    fn title(&self, _at: Repo<'_>, repository: &api::Repository) -> String {
        repository.name.clone()
    }

    /// The document's create takes a commit, so `from`'s tip is read first.
    async fn create_branch(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        name: &str,
        from: &str,
    ) -> Result<(), ProviderError> {
        let tip = self
            .branch_tip(token, at.group, at.repo, from, Asked::Now)
            .await?
            .ok_or_else(|| ProviderError::NotFound(format!("The branch {from}")))?;
        let url = self.url(
            &["repositories", at.group, at.repo, "refs", "branches"],
            &[],
        );
        let body = json!({"name": name, "target": {"hash": tip}});
        self.branch_write(token, self.http().post(url).json(&body))
            .await
    }

    async fn first_commit(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        content: &str,
        message: &str,
    ) -> Result<(), ProviderError> {
        let url = self.url(&["repositories", at.group, at.repo, "src"], &[]);
        let form = [
            (README, content.to_owned()),
            ("message", message.to_owned()),
            ("branch", branch.to_owned()),
        ];
        self.branch_write(token, self.http().post(url).form(&form))
            .await
    }
}

#[async_trait]
impl ProjectChecks for BitbucketRest {
    /// The repository, and its page when the answer links it.
    type Facts = (api::Repository, Option<String>);
    const WRITE_ACCESS: &'static str = "Write";
    /// One after the other: Bitbucket allows each user 1,000 calls an hour.
    const CHECKS_AT_ONCE: bool = false;

    async fn facts(
        &self,
        token: &SecretString,
        at: Repo<'_>,
    ) -> Result<Self::Facts, ProviderError> {
        BitbucketRest::repository(self, token, at.group, at.repo).await
    }

    fn described(&self, _at: Repo<'_>, (repository, html_url): &Self::Facts) -> Described {
        Described {
            slug: repository.slug.clone(),
            full_name: repository.full_name.clone(),
            html_url: html_url.clone(),
        }
    }

    async fn writable(
        &self,
        token: &SecretString,
        _at: Repo<'_>,
        (repository, _): &Self::Facts,
    ) -> Result<bool, ProviderError> {
        self.can_write(token, repository).await
    }

    fn fallback_url(&self, _at: Repo<'_>, full_name: &str) -> String {
        format!("https://bitbucket.org/{full_name}")
    }
}
