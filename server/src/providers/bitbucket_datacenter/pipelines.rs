//! Data Center's part of a project's pipelines ([`crate::providers::pipelines`]).
//!
//! A save is one `PUT …/browse/{path}` naming the parent as `sourceCommitId` (none for a
//! new file), so Data Center itself refuses (409) a save over a change made to the file
//! since, and creating never overwrites (409 when the file exists). Other files changing
//! meanwhile do not matter: the check is per file. Data Center also answers 409 when the
//! content would not change the file; the shared rules read that as a save that landed.
//!
//! The Data Center document has no file deletion, so deleting a pipeline is refused with a
//! message saying how to do it instead.

use api::pipeline::MAX_PIPELINE_BYTES;
use api::{Change, PipelinePath};
use async_trait::async_trait;
use secrecy::SecretString;

use super::calls::{at_branch, FileEdit};
use super::model::Commit;
use super::rest::DataCenterRest;
use crate::error::AppError;
use crate::providers::pipelines::{BranchFiles, FileCommit, NewCommit};
use crate::providers::{PipelineLocation, ProviderError};

/// Files looked at under the folder before giving up on finding more pipelines.
const MAX_FILES: usize = 5000;

/// Data Center's [`BranchFiles`].
pub struct DataCenterFiles {
    pub rest: DataCenterRest,
}

/// A full or abbreviated commit id: what a revision must be before it reaches a form field.
fn is_commit_id(value: &str) -> bool {
    (4..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[async_trait]
impl BranchFiles for DataCenterFiles {
    fn label(&self) -> &'static str {
        "Bitbucket Data Center"
    }

    fn revision<'a>(&self, raw: &'a str) -> Result<&'a str, ProviderError> {
        if is_commit_id(raw) {
            Ok(raw)
        } else {
            Err(ProviderError::InvalidName("revision"))
        }
    }

    async fn head(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
    ) -> Result<Option<Change>, ProviderError> {
        let head = self
            .rest
            .last_commit(token, &at.group, &at.repo, &at_branch(&at.branch), None)
            .await?;
        Ok(head.as_ref().map(Commit::to_change))
    }

    async fn paths(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
    ) -> Result<(Vec<String>, bool), ProviderError> {
        self.rest
            .files(
                token,
                &at.group,
                &at.repo,
                at.folder.as_str(),
                commit,
                MAX_FILES,
            )
            .await
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
        Ok(last.as_ref().map(Commit::to_change))
    }

    async fn commit(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        change: FileCommit<'_>,
    ) -> Result<NewCommit, ProviderError> {
        // Deletions are refused before they come here (`refuses_delete`).
        let Some(content) = change.content else {
            return Err(ProviderError::Unexpected(
                "Bitbucket Data Center cannot delete files".into(),
            ));
        };
        let edit = FileEdit {
            branch: &at.branch,
            path: change.path.as_str(),
            content,
            message: change.message,
            source_commit: (!change.new_file).then_some(change.parent),
        };
        let commit = self
            .rest
            .edit_file(token, &at.group, &at.repo, edit)
            .await?;
        // Data Center commits on the branch's tip whenever the file is unchanged since
        // `sourceCommitId` (and a new file always on the tip), so the parent given is not
        // assumed: the parent is the one its answer names (`RestCommit.parents`), when it
        // names exactly one.
        let parent = commit.only_parent().map(str::to_owned);
        Ok(NewCommit {
            id: commit.id,
            parent,
        })
    }

    fn refuses_delete(&self, at: &PipelineLocation, path: &PipelinePath) -> Option<AppError> {
        Some(AppError::Conflict {
            field: "path",
            message: format!(
                "Bitbucket Data Center cannot delete files through its REST API, so the studio cannot delete {}. \
                 Delete it with Git (or in Bitbucket's web editor) on the branch {}; it disappears from this list once it is gone.",
                path.as_str(),
                at.branch
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_commit_ids_reach_the_form() {
        assert!(is_commit_id("8d51122def5632836d1cb1026e879069e10a1e13"));
        for bad in [
            "",
            "main",
            "refs/heads/main",
            "abc",
            "zz12345",
            &"a".repeat(65),
        ] {
            assert!(!is_commit_id(bad), "{bad:?}");
        }
    }
}
