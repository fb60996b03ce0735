//! GitHub's part of a project's pipelines ([`crate::providers::pipelines`]), through the Git
//! data API: a save is a tree on the parent's, a commit with the parent as its one parent,
//! and the branch moved to it without `force`, which GitHub refuses (422) when the branch no
//! longer points at the parent: the shared rules then decide, as on Bitbucket Cloud. A
//! deletion is the same with the file's entry removed (`sha: null`).

use api::pipeline::MAX_PIPELINE_BYTES;
use api::{Change, PipelinePath};
use async_trait::async_trait;
use secrecy::SecretString;

use super::rest::GitHubRest;
use crate::providers::pipelines::{BranchFiles, FileCommit, NewCommit};
use crate::providers::{PipelineLocation, ProviderError};

/// GitHub's [`BranchFiles`].
pub struct GitHubFiles {
    pub rest: GitHubRest,
}

#[async_trait]
impl BranchFiles for GitHubFiles {
    fn label(&self) -> &'static str {
        "GitHub"
    }

    fn revision<'a>(&self, raw: &'a str) -> Result<&'a str, ProviderError> {
        if wire::github::is_object_id(raw) {
            Ok(raw)
        } else {
            Err(ProviderError::InvalidName("revision"))
        }
    }

    /// The branch's ref names only its commit: the shared layer describes it from what it
    /// kept, or asks [`Self::describe`].
    const TIP_APART: bool = true;

    async fn tip(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
    ) -> Result<Option<String>, ProviderError> {
        self.rest.tip(token, &at.group, &at.repo, &at.branch).await
    }

    async fn describe(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
    ) -> Result<Change, ProviderError> {
        let commit = self
            .rest
            .git_commit(token, &at.group, &at.repo, commit)
            .await?;
        Ok(commit.to_change())
    }

    async fn head(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
    ) -> Result<Option<Change>, ProviderError> {
        let Some(tip) = self
            .rest
            .tip(token, &at.group, &at.repo, &at.branch)
            .await?
        else {
            return Ok(None);
        };
        let commit = self
            .rest
            .git_commit(token, &at.group, &at.repo, &tip)
            .await?;
        Ok(Some(commit.to_change()))
    }

    /// The commit's whole tree, in one answer; a tree GitHub truncates (over 100,000
    /// entries, or 7 MB) is a stopped listing.
    async fn paths(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
    ) -> Result<(Vec<String>, bool), ProviderError> {
        let commit = self
            .rest
            .git_commit(token, &at.group, &at.repo, commit)
            .await?;
        let tree = self
            .rest
            .tree(token, &at.group, &at.repo, &commit.tree.sha)
            .await?;
        Ok((
            tree.files_under(at.folder.as_str()),
            tree.truncated == Some(true),
        ))
    }

    async fn file(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Vec<u8>>, ProviderError> {
        self.rest
            .raw(
                token,
                &at.group,
                &at.repo,
                path.as_str(),
                commit,
                MAX_PIPELINE_BYTES,
            )
            .await
    }

    async fn last_change(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Change>, ProviderError> {
        let last = self
            .rest
            .last_commit(token, &at.group, &at.repo, commit, Some(path.as_str()))
            .await?;
        Ok(last.as_ref().map(super::model::Commit::to_change))
    }

    async fn commit(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        change: FileCommit<'_>,
    ) -> Result<NewCommit, ProviderError> {
        let (owner, repo) = (at.group.as_str(), at.repo.as_str());
        let parent = self
            .rest
            .git_commit(token, owner, repo, change.parent)
            .await?;
        let tree = self
            .rest
            .change_tree(
                token,
                owner,
                repo,
                &parent.tree.sha,
                change.path.as_str(),
                change.content,
            )
            .await?;
        let commit = self
            .rest
            .create_commit(token, owner, repo, change.message, &tree.sha, change.parent)
            .await?;
        self.rest
            .move_branch(token, owner, repo, &at.branch, &commit.sha)
            .await?;
        // The commit names `change.parent` as its parent, and the branch moves to it only
        // from there (a fast-forward).
        Ok(NewCommit::on(commit.sha, &change))
    }
}
