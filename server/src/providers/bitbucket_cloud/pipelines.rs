//! Pipelines as files on the project's branch in Bitbucket, through the user's own token.
//!
//! Reads happen at the branch's head commit, which becomes the edit's revision. Saves and
//! deletes are commits whose parent is that revision. When Bitbucket answers 409 (the branch
//! moved), the file is compared at the revision and at the new head: if someone else changed
//! *other* files, the commit is made again on the new head (nothing of theirs is touched);
//! if this file changed, the user decides ([`AppError::PipelineChanged`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use api::pipeline::MAX_PIPELINE_BYTES;
use api::{
    Change, PipelineFile, PipelineFolder, PipelineList, PipelinePath, PipelineStorage,
    PipelineSummary, SavedPipeline,
};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;

use crate::error::{AppError, AppResult};
use crate::pipelines::{already_exists, Edit, PipelineStore};
use crate::providers::bitbucket_cloud::model::Commit;
use crate::providers::bitbucket_cloud::rest::BitbucketRest;
use crate::providers::bitbucket_cloud::source::{commit_hash, FileChanges};
use crate::providers::{BitbucketError, Grants};
use crate::store::Db;

/// Folder levels searched below the project's folder.
const MAX_DEPTH: usize = 8;
/// Folders listed for one pipeline list, and pipelines shown: bounds on a huge repository.
const MAX_FOLDERS: usize = 200;
const MAX_PIPELINES: usize = 500;
/// Pages of one folder read (100 entries each).
const MAX_FOLDER_PAGES: u32 = 20;
/// Bitbucket calls in flight at once for one list.
const AT_ONCE: usize = 6;
/// Commits attempted on a branch that keeps moving under unrelated changes. The soak (eight
/// users committing to one branch) found three too few: a third of the saves gave up, and
/// were told, wrongly, that their pipeline had changed.
const COMMIT_ATTEMPTS: u32 = 8;
/// The pause before attempt n is up to n times this (random, so the writers that collided
/// do not collide again in step).
const COMMIT_BACKOFF: Duration = Duration::from_millis(40);

pub struct BitbucketPipelines {
    pub grants: Arc<Grants>,
    pub rest: BitbucketRest,
    pub db: Db,
    pub user_id: i64,
    pub workspace: String,
    pub repo: String,
    pub full_name: String,
    pub branch: String,
    pub folder: PipelineFolder,
}

/// What a commit attempt came to, short of a Bitbucket failure.
enum Outcome {
    Committed(String),
    /// The file changed (or appeared, or went) on the branch since the edit's revision.
    Changed,
    /// A new pipeline's path is taken.
    Exists,
    /// The branch moved under unrelated changes at every attempt; the file is unchanged.
    Busy,
}

fn busy(branch: &str) -> AppError {
    AppError::StoreBusy(format!(
        "Other commits kept arriving on the branch {branch} while the studio saved, so nothing was saved yet. \
         Your pipeline did not change and your text is kept: save again in a moment."
    ))
}

fn short(hash: &str) -> String {
    hash.chars().take(7).collect()
}

/// Bitbucket's ISO 8601 date as Unix seconds (0 if absent or unreadable: shown as unknown).
fn unix(date: Option<&str>) -> i64 {
    date.and_then(|date| {
        time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339).ok()
    })
    .map(|t| t.unix_timestamp())
    .unwrap_or(0)
}

pub fn to_change(commit: &Commit) -> Change {
    Change {
        revision: commit.hash.clone(),
        label: short(&commit.hash),
        author: commit.author.clone(),
        at: unix(commit.date.as_deref()),
        message: commit.message.trim_end().to_owned(),
    }
}

fn changed() -> AppError {
    AppError::PipelineChanged(
        "This pipeline changed on Bitbucket since you opened it (someone committed a new version, or deleted it). \
         Nothing was overwritten: reload it to see the new version, or save your text as a new pipeline."
            .into(),
    )
}

impl BitbucketPipelines {
    fn rest(&self) -> &BitbucketRest {
        &self.rest
    }

    async fn head(&self, token: &SecretString) -> Result<Commit, BitbucketError> {
        self.rest()
            .branch_head(token, &self.workspace, &self.repo, &self.branch)
            .await?
            .ok_or_else(|| {
                BitbucketError::NotFound(format!(
                    "The branch {} of {}",
                    self.branch, self.full_name
                ))
            })
    }

    async fn file(
        &self,
        token: &SecretString,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Vec<u8>>, BitbucketError> {
        self.rest()
            .source_file(
                token,
                &self.workspace,
                &self.repo,
                commit,
                path.as_str(),
                MAX_PIPELINE_BYTES,
            )
            .await
    }

    /// Every pipeline path under the folder at `commit`, level by level, each level's
    /// folders listed concurrently. `true` when a bound stopped the search.
    async fn walk(
        &self,
        token: &SecretString,
        commit: &str,
    ) -> Result<(Vec<PipelinePath>, bool), BitbucketError> {
        let mut found = Vec::new();
        let mut level = vec![self.folder.as_str().to_owned()];
        let mut listed = 0;
        let mut truncated = false;
        for _depth in 0..=MAX_DEPTH {
            if level.is_empty() {
                break;
            }
            if listed + level.len() > MAX_FOLDERS {
                level.truncate(MAX_FOLDERS.saturating_sub(listed));
                truncated = true;
            }
            listed += level.len();
            let pages: Vec<(Vec<String>, Vec<String>)> = futures::stream::iter(level)
                .map(|folder| self.list_folder(token, commit, folder))
                .buffered(AT_ONCE)
                .try_collect()
                .await?;
            level = Vec::new();
            for (files, folders) in pages {
                found.extend(
                    files
                        .iter()
                        .filter_map(|f| PipelinePath::parse(f).ok())
                        .filter(|p| self.folder.contains(p)),
                );
                level.extend(folders);
            }
            if found.len() > MAX_PIPELINES {
                found.truncate(MAX_PIPELINES);
                truncated = true;
                break;
            }
        }
        truncated |= !level.is_empty();
        Ok((found, truncated))
    }

    /// The files and sub-folders of one folder; a folder that does not exist is empty.
    async fn list_folder(
        &self,
        token: &SecretString,
        commit: &str,
        folder: String,
    ) -> Result<(Vec<String>, Vec<String>), BitbucketError> {
        let (mut files, mut folders) = (Vec::new(), Vec::new());
        let listing = self
            .rest()
            .source_directory(
                token,
                &self.workspace,
                &self.repo,
                commit,
                &folder,
                MAX_FOLDER_PAGES,
            )
            .await;
        let entries = match listing {
            Ok((entries, _more)) => entries,
            Err(BitbucketError::NotFound(_)) => Vec::new(),
            Err(other) => return Err(other),
        };
        for entry in entries {
            if entry.is_directory {
                folders.push(entry.path.trim_end_matches('/').to_owned());
            } else {
                files.push(entry.path);
            }
        }
        Ok((files, folders))
    }

    /// Commits `writes`/`deletes` on the branch starting from `base` (the head if `None`,
    /// for a new pipeline), moving onto a newer head while the file itself is unchanged.
    ///
    /// `sent` says whether an earlier run of this same save already sent a commit: then a
    /// branch that holds exactly what the save would make means that commit landed, and the
    /// save succeeds. That happens when the commit's answer, or a read after it, failed: a
    /// refused token makes [`Grants::with_token`] refresh and run the
    /// whole save again. (The soak found such saves told "your pipeline changed".) Without
    /// an earlier commit the rules stay strict: a new pipeline never lands on a taken path.
    async fn commit(
        &self,
        token: &SecretString,
        path: &PipelinePath,
        base: Option<&str>,
        message: &str,
        content: Option<&str>,
        sent: &AtomicBool,
    ) -> Result<Outcome, BitbucketError> {
        let landed_before = sent.load(Ordering::Acquire);
        let mut parent = match base {
            Some(base) => commit_hash(base)?.to_owned(),
            None => self.head(token).await?.hash,
        };
        // What the file was when the edit started, the state it must still be in: read only
        // if the branch turns out to have moved (a save without conflict costs one call).
        let mut before: Option<Option<Vec<u8>>> = base.is_none().then_some(None);
        let wanted: Option<&[u8]> = content.map(str::as_bytes);
        if base.is_none() {
            if let Some(existing) = self.file(token, &parent, path).await? {
                return Ok(if landed_before && Some(existing.as_slice()) == wanted {
                    Outcome::Committed(parent)
                } else {
                    Outcome::Exists
                });
            }
        }
        for attempt in 0..COMMIT_ATTEMPTS {
            if attempt > 0 {
                let most = COMMIT_BACKOFF * attempt;
                tokio::time::sleep(most.mul_f64(rand::random::<f64>())).await;
            }
            let changes = FileChanges {
                branch: &self.branch,
                parent: &parent,
                message,
                writes: content.map(|c| (path.as_str(), c)).into_iter().collect(),
                deletes: if content.is_none() {
                    vec![path.as_str()]
                } else {
                    Vec::new()
                },
            };
            // From here the commit may land, whatever answer comes back.
            sent.store(true, Ordering::Release);
            match self
                .rest()
                .commit_changes(token, &self.workspace, &self.repo, changes)
                .await
            {
                Ok(hash) => return Ok(Outcome::Committed(hash)),
                Err(BitbucketError::Conflict(_)) => {}
                Err(other) => return Err(other),
            }
            let head = self.head(token).await?.hash;
            let was = match (&before, base) {
                (Some(was), _) => was.clone(),
                (None, Some(base)) => self.file(token, base, path).await?,
                (None, None) => None,
            };
            let now = self.file(token, &head, path).await?;
            if landed_before && now.as_deref() == wanted {
                return Ok(Outcome::Committed(head));
            }
            if now != was {
                return Ok(if base.is_none() {
                    Outcome::Exists
                } else {
                    Outcome::Changed
                });
            }
            before = Some(was);
            parent = head;
        }
        Ok(Outcome::Busy)
    }

    /// Runs a commit through the user's token and describes the result.
    async fn committed(
        &self,
        path: &PipelinePath,
        base: Option<&str>,
        message: &str,
        content: Option<&str>,
    ) -> AppResult<SavedPipeline> {
        let outcome = {
            // The branch's turn covers the commit only, not the reads that describe it.
            let branch = format!("{}/{}/{}", self.workspace, self.repo, self.branch);
            let _turn = self.grants.commit_turns.wait(&branch).await;
            let sent = AtomicBool::new(false);
            let sent = &sent;
            self.grants
                .with_token(self.user_id, |token| async move {
                    self.commit(&token, path, base, message, content, sent)
                        .await
                })
                .await?
        };
        let hash = match outcome {
            Outcome::Committed(hash) => hash,
            Outcome::Changed => return Err(changed()),
            Outcome::Exists => return Err(already_exists(path)),
            Outcome::Busy => return Err(busy(&self.branch)),
        };
        // Bitbucket records the token's account as the author.
        let author = self
            .db
            .stored_grant(self.user_id, self.grants.provider)
            .await?
            .map(|link| link.display_name)
            .unwrap_or_default();
        Ok(SavedPipeline {
            path: path.as_str().to_owned(),
            change: Change {
                label: short(&hash),
                revision: hash,
                author,
                at: crate::store::now(),
                message: message.to_owned(),
            },
        })
    }
}

#[async_trait]
impl PipelineStore for BitbucketPipelines {
    async fn list(&self) -> AppResult<PipelineList> {
        let (head, mut pipelines, truncated) = self
            .grants
            .with_token(self.user_id, |token| async move {
                let head = self.head(&token).await?;
                let (paths, truncated) = self.walk(&token, &head.hash).await?;
                let token = &token;
                let head_hash = head.hash.as_str();
                let pipelines: Vec<PipelineSummary> = futures::stream::iter(paths)
                    .map(|path| async move {
                        let last = self
                            .rest()
                            .last_commit(
                                token,
                                &self.workspace,
                                &self.repo,
                                head_hash,
                                path.as_str(),
                            )
                            .await?;
                        Ok::<_, BitbucketError>(PipelineSummary {
                            kind: path.kind(),
                            path: path.as_str().to_owned(),
                            last_change: last.as_ref().map(to_change),
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
                full_name: self.full_name.clone(),
                branch: self.branch.clone(),
                folder: self.folder.as_str().to_owned(),
                head: to_change(&head),
            },
            pipelines,
            truncated,
        })
    }

    async fn read(&self, path: &PipelinePath) -> AppResult<PipelineFile> {
        let (head, bytes, last) = self
            .grants
            .with_token(self.user_id, |token| async move {
                let head = self.head(&token).await?;
                let (bytes, last) = tokio::join!(
                    self.file(&token, &head.hash, path),
                    self.rest().last_commit(
                        &token,
                        &self.workspace,
                        &self.repo,
                        &head.hash,
                        path.as_str()
                    )
                );
                Ok((head, bytes?, last?))
            })
            .await?;
        let bytes = bytes.ok_or_else(|| {
            AppError::NotFound(format!(
                "The pipeline {} on branch {}",
                path.as_str(),
                self.branch
            ))
        })?;
        let content = String::from_utf8(bytes).map_err(|_| AppError::InvalidInput {
            field: "path",
            message: format!(
                "{} is not a text file, so the studio cannot show it.",
                path.as_str()
            ),
        })?;
        Ok(PipelineFile {
            path: path.as_str().to_owned(),
            kind: path.kind(),
            content,
            revision_label: short(&head.hash),
            revision: head.hash,
            last_change: last.as_ref().map(to_change),
        })
    }

    async fn save(&self, edit: &Edit) -> AppResult<SavedPipeline> {
        self.committed(
            &edit.path,
            edit.base.as_deref(),
            &edit.message,
            Some(&edit.content),
        )
        .await
    }

    async fn delete(
        &self,
        path: &PipelinePath,
        base: &str,
        message: &str,
    ) -> AppResult<SavedPipeline> {
        self.committed(path, Some(base), message, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::bitbucket_cloud::model::WireCommit;

    fn commit(author: &str) -> Commit {
        let json = serde_json::json!({
            "type": "commit",
            "hash": "0123456789abcdef",
            "date": "2026-11-23T10:00:00+00:00",
            "message": "Fix the load\n",
            "author": serde_json::from_str::<serde_json::Value>(author).unwrap(),
        });
        serde_json::from_value::<WireCommit>(json)
            .unwrap()
            .into_commit()
            .unwrap()
    }

    #[test]
    fn changes_show_the_account_or_the_raw_name() {
        let change = to_change(&commit(
            r#"{"type":"author","raw":"Alex <alex@example.com>","user":{"type":"user","display_name":"Alex Kim"}}"#,
        ));
        assert_eq!(change.author, "Alex Kim");
        assert_eq!(change.label, "0123456");
        assert_eq!(change.message, "Fix the load");
        assert_eq!(change.at, 1_795_428_000);
        assert_eq!(
            to_change(&commit(
                r#"{"type":"author","raw":"Robot CI <ci@example.com>"}"#
            ))
            .author,
            "Robot CI"
        );
        let bare: Commit =
            serde_json::from_str::<WireCommit>(r#"{"type":"commit","hash":"abcdef0"}"#)
                .unwrap()
                .into_commit()
                .unwrap();
        assert_eq!(to_change(&bare).at, 0, "no date: shown as unknown");
    }
}
