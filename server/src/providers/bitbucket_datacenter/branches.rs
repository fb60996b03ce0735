//! Data Center's branch calls for the studio's `main` ([`crate::providers::branch`]) and for a
//! new project's repository ([`crate::providers::project`]). Branches are read from the
//! branch list (no cache: Data Center's branch reads are not limited per hour), a branch is
//! created with branch-utils ([`DataCenterRest::create_branch`]), and an empty repository
//! gets its first commit by editing a file on the new branch.

use async_trait::async_trait;
use secrecy::SecretString;

use super::calls::FileEdit;
use super::model::Repository;
use super::rest::DataCenterRest;
use crate::providers::branch::{Asked, BranchCalls, Repo, README};
use crate::providers::project::{Described, ProjectChecks};
use crate::providers::ProviderError;

#[async_trait]
impl BranchCalls for DataCenterRest {
    /// Nothing is read before the branches.
    type Repository = ();

    fn label(&self) -> &'static str {
        "Bitbucket Data Center"
    }

    async fn repository(&self, _token: &SecretString, _at: Repo<'_>) -> Result<(), ProviderError> {
        Ok(())
    }

    /// A branch Data Center lists without its latest commit still exists: its tip is empty.
    async fn tip(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        _asked: Asked,
    ) -> Result<Option<String>, ProviderError> {
        let found = self.branch(token, at.group, at.repo, branch).await?;
        Ok(found.map(|branch| branch.latest_commit.unwrap_or_default()))
    }

    /// Data Center names a configured default branch even in an empty repository, so the
    /// name counts only if the branch is really there; else any branch will do, and none at
    /// all means the repository is empty.
    async fn start_point(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        _repository: &(),
    ) -> Result<Option<String>, ProviderError> {
        let (project, repo) = (at.group, at.repo);
        if let Some(default) = self.default_branch(token, project, repo).await? {
            let name = default.name().unwrap_or_default().to_owned();
            if self.branch(token, project, repo, &name).await?.is_some() {
                return Ok(Some(name));
            }
        }
        let any = self.any_branch(token, project, repo).await?;
        Ok(any.map(|branch| branch.name().unwrap_or_default().to_owned()))
    }

    fn title(&self, at: Repo<'_>, _repository: &()) -> String {
        at.repo.to_owned()
    }

    async fn create_branch(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        name: &str,
        from: &str,
    ) -> Result<(), ProviderError> {
        DataCenterRest::create_branch(self, token, at.group, at.repo, name, from)
            .await
            .map(drop)
    }

    /// A commit on a new branch, of a new file: no `sourceCommitId`.
    async fn first_commit(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        content: &str,
        message: &str,
    ) -> Result<(), ProviderError> {
        let edit = FileEdit {
            branch,
            path: README,
            content,
            message,
            source_commit: None,
        };
        self.edit_file(token, at.group, at.repo, edit)
            .await
            .map(drop)
    }
}

#[async_trait]
impl ProjectChecks for DataCenterRest {
    type Facts = Repository;
    const WRITE_ACCESS: &'static str = "write";
    const CHECKS_AT_ONCE: bool = true;

    async fn facts(&self, token: &SecretString, at: Repo<'_>) -> Result<Repository, ProviderError> {
        self.repository(token, at.group, at.repo).await
    }

    fn described(&self, at: Repo<'_>, repository: &Repository) -> Described {
        Described {
            slug: at.repo.to_owned(),
            full_name: format!("{}/{}", at.group, at.repo),
            html_url: repository.html_url(),
        }
    }

    /// Among the project's writable repositories, and not archived (an archived repository
    /// refuses every write).
    async fn writable(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        repository: &Repository,
    ) -> Result<bool, ProviderError> {
        let writable = self.can_write(token, at.group, repository).await?;
        Ok(writable && repository.archived != Some(true))
    }

    /// The repository's browse page on the instance.
    fn fallback_url(&self, at: Repo<'_>, _full_name: &str) -> String {
        self.outside_api(&["projects", at.group, "repos", at.repo, "browse"])
            .to_string()
    }
}
