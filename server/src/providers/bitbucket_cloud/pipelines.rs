//! Cloud's part of a project's pipelines ([`crate::providers::pipelines`]): the branch's
//! head, a folder walk (Cloud lists one folder at a time), a file at a commit, a file's last
//! commit, and a commit whose parent must be the branch's tip (Bitbucket answers 409 when
//! the branch moved).

use api::pipeline::MAX_PIPELINE_BYTES;
use api::{Change, PipelinePath};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;

use crate::providers::bitbucket_cloud::model::Commit;
use crate::providers::bitbucket_cloud::rest::BitbucketRest;
use crate::providers::bitbucket_cloud::source::{commit_hash, Asked, FileChanges};
use crate::providers::pipelines::{
    short, BranchFiles, FileCommit, NewCommit, AT_ONCE, MAX_PIPELINES,
};
use crate::providers::{PipelineLocation, ProviderError};

/// Folder levels searched below the project's folder.
const MAX_DEPTH: usize = 8;
/// Folders listed for one pipeline list: a bound on a huge repository.
const MAX_FOLDERS: usize = 200;
/// Pages of one folder read (100 entries each).
const MAX_FOLDER_PAGES: u32 = 20;

/// Cloud's [`BranchFiles`].
pub struct CloudFiles {
    pub rest: BitbucketRest,
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

impl CloudFiles {
    /// The files and sub-folders of one folder; a folder that does not exist is empty.
    async fn list_folder(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
        folder: String,
    ) -> Result<(Vec<String>, Vec<String>), ProviderError> {
        let (mut files, mut folders) = (Vec::new(), Vec::new());
        let listing = self
            .rest
            .source_directory(
                token,
                &at.group,
                &at.repo,
                commit,
                &folder,
                MAX_FOLDER_PAGES,
            )
            .await;
        let entries = match listing {
            Ok((entries, _more)) => entries,
            Err(ProviderError::NotFound(_)) => Vec::new(),
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
}

#[async_trait]
impl BranchFiles for CloudFiles {
    fn label(&self) -> &'static str {
        "Bitbucket"
    }

    fn revision<'a>(&self, raw: &'a str) -> Result<&'a str, ProviderError> {
        commit_hash(raw)
    }

    async fn head(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
    ) -> Result<Option<Change>, ProviderError> {
        let head = self
            .rest
            .branch_head(token, &at.group, &at.repo, &at.branch, Asked::Now)
            .await?;
        Ok(head.as_ref().map(to_change))
    }

    /// Every pipeline path under the folder at `commit`, level by level, each level's
    /// folders listed concurrently. `true` when a bound stopped the search.
    async fn paths(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
    ) -> Result<(Vec<String>, bool), ProviderError> {
        let mut found = Vec::new();
        let mut level = vec![at.folder.as_str().to_owned()];
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
                .map(|folder| self.list_folder(token, at, commit, folder))
                .buffered(AT_ONCE)
                .try_collect()
                .await?;
            level = Vec::new();
            for (files, folders) in pages {
                found.extend(
                    files
                        .into_iter()
                        .filter(|f| PipelinePath::parse(f).is_ok_and(|p| at.folder.contains(&p))),
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

    async fn file(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        commit: &str,
        path: &PipelinePath,
    ) -> Result<Option<Vec<u8>>, ProviderError> {
        self.rest
            .source_file(
                token,
                &at.group,
                &at.repo,
                commit,
                path.as_str(),
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
            .last_commit(token, &at.group, &at.repo, commit, path.as_str())
            .await?;
        Ok(last.as_ref().map(to_change))
    }

    /// Bitbucket refuses (409) unless `parent` is the branch's tip.
    async fn commit(
        &self,
        token: &SecretString,
        at: &PipelineLocation,
        change: FileCommit<'_>,
    ) -> Result<NewCommit, ProviderError> {
        let path = change.path.as_str();
        let changes = FileChanges {
            branch: &at.branch,
            parent: change.parent,
            message: change.message,
            writes: change.content.map(|c| (path, c)).into_iter().collect(),
            deletes: if change.content.is_none() {
                vec![path]
            } else {
                Vec::new()
            },
        };
        let id = self
            .rest
            .commit_changes(token, &at.group, &at.repo, changes)
            .await?;
        Ok(NewCommit::on(id, &change))
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
