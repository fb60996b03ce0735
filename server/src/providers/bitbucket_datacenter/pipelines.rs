//! Pipelines as files on the project's branch in Bitbucket Data Center.
//!
//! A text is read at the branch's head commit, which becomes its revision; a save is one
//! `PUT …/browse/{path}` naming that revision as `sourceCommitId`, so Data Center itself
//! refuses (409) a save over a change made since, and creating never overwrites (409 when
//! the file exists). Other files changing meanwhile do not matter: the check is per file,
//! so there is no retry loop as on Cloud.
//!
//! Data Center also answers 409 when the content would not change the file. A save whose
//! text is already on the branch is therefore told apart by reading the file: it is a
//! success when the text is exactly what the user saved and either this save already sent
//! its commit (an answer lost, a token refreshed and the save run again) or it is an update
//! of a file that still matches the base. A new pipeline on a taken path is always refused.
//!
//! The Data Center document has no file deletion, so deleting a pipeline is refused with a
//! message saying how to do it instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use api::pipeline::MAX_PIPELINE_BYTES;
use api::{
    Change, PipelineFile, PipelineList, PipelinePath, PipelineStorage, PipelineSummary,
    SavedPipeline,
};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;

use super::calls::{at_branch, FileEdit};
use super::model::Commit;
use super::rest::DataCenterRest;
use crate::error::{AppError, AppResult};
use crate::pipelines::{already_exists, Edit, PipelineStore};
use crate::providers::{BitbucketError, Grants, PipelineLocation};

/// Pipelines listed for one project: a bound on a huge repository.
const MAX_PIPELINES: usize = 500;
/// Files looked at under the folder before giving up on finding more pipelines.
const MAX_FILES: usize = 5000;
/// Data Center calls in flight at once for one list.
const AT_ONCE: usize = 6;

pub struct DataCenterPipelines {
    pub grants: Arc<Grants>,
    pub rest: DataCenterRest,
    pub location: PipelineLocation,
}

fn changed() -> AppError {
    AppError::PipelineChanged(
        "This pipeline changed on Bitbucket Data Center since you opened it (someone committed a new version, or deleted it). \
         Nothing was overwritten: reload it to see the new version, or save your text as a new pipeline."
            .into(),
    )
}

impl DataCenterPipelines {
    fn project(&self) -> &str {
        &self.location.workspace
    }

    fn repo(&self) -> &str {
        &self.location.repo
    }

    async fn head(&self, token: &SecretString) -> Result<Commit, BitbucketError> {
        self.rest
            .last_commit(
                token,
                self.project(),
                self.repo(),
                &at_branch(&self.location.branch),
                None,
            )
            .await?
            .ok_or_else(|| {
                BitbucketError::NotFound(format!(
                    "The branch {} of {}",
                    self.location.branch, self.location.full_name
                ))
            })
    }

    async fn file(
        &self,
        token: &SecretString,
        at: &str,
        path: &PipelinePath,
    ) -> Result<Option<Vec<u8>>, BitbucketError> {
        self.rest
            .raw(
                token,
                self.project(),
                self.repo(),
                path.as_str(),
                at,
                MAX_PIPELINE_BYTES,
            )
            .await
    }

    async fn last_change(
        &self,
        token: &SecretString,
        until: &str,
        path: &PipelinePath,
    ) -> Result<Option<Commit>, BitbucketError> {
        self.rest
            .last_commit(
                token,
                self.project(),
                self.repo(),
                until,
                Some(path.as_str()),
            )
            .await
    }

    /// One save attempt; see the module documentation for the 409 rules.
    async fn put(
        &self,
        token: &SecretString,
        edit: &Edit,
        sent: &AtomicBool,
    ) -> Result<Result<String, AppError>, BitbucketError> {
        let landed_before = sent.load(Ordering::Acquire);
        if let Some(base) = edit.base.as_deref() {
            if !is_commit_id(base) {
                return Err(BitbucketError::InvalidName("revision"));
            }
        }
        sent.store(true, Ordering::Release);
        let attempt = self
            .rest
            .edit_file(
                token,
                self.project(),
                self.repo(),
                FileEdit {
                    branch: &self.location.branch,
                    path: edit.path.as_str(),
                    content: &edit.content,
                    message: &edit.message,
                    source_commit: edit.base.as_deref(),
                },
            )
            .await;
        match attempt {
            Ok(commit) => Ok(Ok(commit.id)),
            Err(BitbucketError::Conflict(_)) => {
                let head = self.head(token).await?.id;
                let now = self.file(token, &head, &edit.path).await?;
                let ours = now.as_deref() == Some(edit.content.as_bytes());
                Ok(match edit.base.as_deref() {
                    None if ours && landed_before => Ok(head),
                    None => Err(already_exists(&edit.path)),
                    Some(_) if ours && landed_before => Ok(head),
                    Some(base) => {
                        // Unchanged text on an unchanged file: nothing to commit, and
                        // nothing lost. Anything else changed since the base.
                        let was = self.file(token, base, &edit.path).await?;
                        if ours && was == now {
                            Ok(head)
                        } else {
                            Err(changed())
                        }
                    }
                })
            }
            Err(other) => Err(other),
        }
    }
}

/// A full or abbreviated commit id: what a revision must be before it reaches a form field.
fn is_commit_id(value: &str) -> bool {
    (4..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[async_trait]
impl PipelineStore for DataCenterPipelines {
    async fn list(&self) -> AppResult<PipelineList> {
        let (head, mut pipelines, truncated) = self
            .grants
            .with_token(self.location.user_id, |token| async move {
                let head = self.head(&token).await?;
                let (files, more) = self
                    .rest
                    .files(
                        &token,
                        self.project(),
                        self.repo(),
                        self.location.folder.as_str(),
                        &head.id,
                        MAX_FILES,
                    )
                    .await?;
                let mut paths: Vec<PipelinePath> = files
                    .iter()
                    .filter_map(|f| PipelinePath::parse(f).ok())
                    .filter(|p| self.location.folder.contains(p))
                    .collect();
                let truncated = more || paths.len() > MAX_PIPELINES;
                paths.truncate(MAX_PIPELINES);
                let token = &token;
                let head_id = head.id.as_str();
                let pipelines: Vec<PipelineSummary> = futures::stream::iter(paths)
                    .map(|path| async move {
                        let last = self.last_change(token, head_id, &path).await?;
                        Ok::<_, BitbucketError>(PipelineSummary {
                            kind: path.kind(),
                            path: path.as_str().to_owned(),
                            last_change: last.as_ref().map(Commit::to_change),
                        })
                    })
                    .buffer_unordered(AT_ONCE)
                    .try_collect()
                    .await?;
                Ok((head, pipelines, truncated))
            })
            .await?;
        pipelines.sort_by(|a, b| {
            let at = |p: &PipelineSummary| p.last_change.as_ref().map_or(0, |c| c.at);
            at(b).cmp(&at(a)).then_with(|| a.path.cmp(&b.path))
        });
        Ok(PipelineList {
            storage: PipelineStorage::Bitbucket {
                full_name: self.location.full_name.clone(),
                branch: self.location.branch.clone(),
                folder: self.location.folder.as_str().to_owned(),
                head: head.to_change(),
            },
            pipelines,
            truncated,
        })
    }

    async fn read(&self, path: &PipelinePath) -> AppResult<PipelineFile> {
        let (head, bytes, last) = self
            .grants
            .with_token(self.location.user_id, |token| async move {
                let head = self.head(&token).await?;
                let (bytes, last) = tokio::join!(
                    self.file(&token, &head.id, path),
                    self.last_change(&token, &head.id, path)
                );
                Ok((head, bytes?, last?))
            })
            .await?;
        let bytes = bytes.ok_or_else(|| {
            AppError::NotFound(format!(
                "The pipeline {} on branch {}",
                path.as_str(),
                self.location.branch
            ))
        })?;
        let content = String::from_utf8(bytes).map_err(|_| AppError::InvalidInput {
            field: "path",
            message: format!(
                "{} is not a text file, so the studio cannot show it.",
                path.as_str()
            ),
        })?;
        let change = head.to_change();
        Ok(PipelineFile {
            path: path.as_str().to_owned(),
            kind: path.kind(),
            content,
            revision_label: change.label,
            revision: change.revision,
            last_change: last.as_ref().map(Commit::to_change),
        })
    }

    async fn save(&self, edit: &Edit) -> AppResult<SavedPipeline> {
        let turn = format!(
            "{}/{}/{}",
            self.project(),
            self.repo(),
            self.location.branch
        );
        let outcome = {
            let _turn = self.grants.commit_turns.wait(&turn).await;
            let sent = AtomicBool::new(false);
            let sent = &sent;
            self.grants
                .with_token(self.location.user_id, |token| async move {
                    self.put(&token, edit, sent).await
                })
                .await?
        };
        let id = outcome?;
        let author = self
            .grants
            .account_name(self.location.user_id)
            .await?
            .unwrap_or_default();
        Ok(SavedPipeline {
            path: edit.path.as_str().to_owned(),
            change: Change {
                label: id.chars().take(7).collect(),
                revision: id,
                author,
                at: crate::store::now(),
                message: edit.message.clone(),
            },
        })
    }

    async fn delete(
        &self,
        path: &PipelinePath,
        _base: &str,
        _message: &str,
    ) -> AppResult<SavedPipeline> {
        Err(AppError::Conflict {
            field: "path",
            message: format!(
                "Bitbucket Data Center cannot delete files through its REST API, so the studio cannot delete {}. \
                 Delete it with Git (or in Bitbucket's web editor) on the branch {}; it disappears from this list once it is gone.",
                path.as_str(),
                self.location.branch
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
