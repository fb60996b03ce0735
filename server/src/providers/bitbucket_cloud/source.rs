//! Files on a branch: the branch's head, a folder's listing, a file's bytes and last commit,
//! and new commits (`POST …/src`). Every commit names its parent, so when the branch has
//! moved Bitbucket answers 409 instead of silently stacking our change on someone else's.
//!
//! The document gives `POST …/src` a bare 201: no body and no `Location`. So the new
//! commit is found on the branch afterwards ([`BitbucketRest::find_new_commit`]): the commit
//! whose parent is ours and whose message is ours. A `Location` naming a commit, if Bitbucket
//! sends one, is only a hint that is checked the same way.

use reqwest::header::LOCATION;
use reqwest::multipart::{Form, Part};
use secrecy::SecretString;

use super::model::{Branch, Commit, Paginated, SourceEntry, WireCommit};
use super::rest::{slug, BitbucketRest, Rest, MAX_PAGELEN};
use super::ProviderError;
use crate::providers::body;

/// A directory entry of a listing: `commit_file` or `commit_directory`, and its path.
pub struct Entry {
    pub is_directory: bool,
    pub path: String,
}

/// Commits of the branch searched for the one just made, when someone else committed on top
/// of it in the same instant.
const NEW_COMMIT_SEARCH: u32 = 20;

/// What one commit changes.
pub struct FileChanges<'a> {
    pub branch: &'a str,
    /// The commit the change was made on; Bitbucket refuses (409) unless it is the tip.
    pub parent: &'a str,
    pub message: &'a str,
    pub writes: Vec<(&'a str, &'a str)>,
    pub deletes: Vec<&'a str>,
}

/// A full or abbreviated commit hash: the only revisions put in a URL by this module.
pub fn commit_hash(value: &str) -> Result<&str, ProviderError> {
    if (7..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value)
    } else {
        Err(ProviderError::InvalidName("commit"))
    }
}

fn unreadable(e: reqwest::Error) -> ProviderError {
    ProviderError::Unexpected(e.without_url().to_string())
}

/// How fresh a branch's tip must be (the wizard's branch step and project creation ask
/// about the same branch a moment apart).
pub use crate::providers::branch::Asked;

impl BitbucketRest {
    /// The commit at the tip of `branch`, `None` if there is no such branch: `GET
    /// …/refs/branches/{branch}`, asked afresh or, [`Asked::Recent`], through the per-token
    /// cache.
    pub async fn branch_head(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        branch: &str,
        asked: Asked,
    ) -> Result<Option<Commit>, ProviderError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        let url = self.url(
            &["repositories", workspace, repo, "refs", "branches", branch],
            &[],
        );
        let answer = if asked == Asked::Recent {
            self.get_cached::<Branch>(token, url, "branch", crate::providers::cache::LIST_TTL)
                .await
        } else {
            self.get::<Branch>(token, url, "branch").await
        };
        match answer {
            Ok(branch) => branch
                .target
                .and_then(WireCommit::into_commit)
                .map(Some)
                .ok_or_else(|| {
                    ProviderError::Unexpected("a branch answer without its tip commit".into())
                }),
            Err(ProviderError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// A folder's entries at `commit` (`folder` empty for the root): the first page, then
    /// each `next` as given, at most `max_pages`. `true` with the entries when there were
    /// more pages than that.
    pub async fn source_directory(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        commit: &str,
        folder: &str,
        max_pages: u32,
    ) -> Result<(Vec<Entry>, bool), ProviderError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        let mut segments = vec!["repositories", workspace, repo, "src", commit_hash(commit)?];
        segments.extend(folder.split('/').filter(|s| !s.is_empty()));
        // A trailing empty segment asks for the folder itself (`…/src/{commit}/dir/`).
        segments.push("");
        let first = self.url(&segments, &[("pagelen", MAX_PAGELEN.to_string())]);
        let path = first.path().to_owned();
        let mut url = Some(first);
        let mut entries = Vec::new();
        for _ in 0..max_pages {
            let Some(page_url) = url.take() else {
                return Ok((entries, false));
            };
            let page: Paginated<SourceEntry> = body::json(
                self.send(token, self.http().get(page_url), "folder")
                    .await?,
                "folder",
            )
            .await?;
            entries.extend(page.values.into_iter().filter_map(|entry| {
                Some(Entry {
                    is_directory: match entry.kind.as_str() {
                        "commit_directory" => true,
                        "commit_file" => false,
                        _ => return None,
                    },
                    path: entry.path.filter(|p| !p.is_empty())?,
                })
            }));
            url = self.next_link(page.next.as_deref(), &path);
        }
        Ok((entries, url.is_some()))
    }

    /// A file's bytes at `commit`, `None` if there is no file there. Files larger than
    /// `max_bytes` are refused before their body is read.
    pub async fn source_file(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        commit: &str,
        path: &str,
        max_bytes: usize,
    ) -> Result<Option<Vec<u8>>, ProviderError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        let mut segments = vec!["repositories", workspace, repo, "src", commit_hash(commit)?];
        segments.extend(path.split('/'));
        let url = self.url(&segments, &[]);
        let response = match self.send(token, self.http().get(url), "file").await {
            Ok(response) => response,
            Err(ProviderError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        // Announced or not (a chunked answer), nothing past `max_bytes` is buffered.
        let bytes = body::at_most(response, max_bytes)
            .await
            .map_err(unreadable)?
            .ok_or_else(|| {
                ProviderError::TooLarge(format!(
                    "{path} is larger than {} KiB, more than the studio edits.",
                    max_bytes / 1024
                ))
            })?;
        Ok(Some(bytes))
    }

    /// The newest commit reachable from `revision` that changed `path`.
    pub async fn last_commit(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        revision: &str,
        path: &str,
    ) -> Result<Option<Commit>, ProviderError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        let url = self.url(
            &[
                "repositories",
                workspace,
                repo,
                "commits",
                commit_hash(revision)?,
            ],
            &[("path", path.to_owned()), ("pagelen", "1".to_owned())],
        );
        let page: Paginated<WireCommit> = body::json(
            self.send(token, self.http().get(url), "file history")
                .await?,
            "file history",
        )
        .await?;
        Ok(page.values.into_iter().find_map(WireCommit::into_commit))
    }

    /// Makes one commit on `changes.branch` with the token's account as author; answers the
    /// new commit's hash. [`ProviderError::Conflict`] when the branch moved past the parent.
    pub async fn commit_changes(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        changes: FileChanges<'_>,
    ) -> Result<String, ProviderError> {
        let (workspace, repo) = (slug(workspace, "workspace")?, slug(repo, "repository")?);
        // Field names are the paths, sent as curl and browsers send them (`name="dir/a.yaml"`):
        // Bitbucket reads the name as the path, and an RFC 2231 `name*=` would not be one.
        // Paths are validated to hold no quote or control character.
        let mut form = Form::new()
            .percent_encode_noop()
            .text("message", changes.message.to_owned())
            .text("branch", changes.branch.to_owned())
            .text("parents", commit_hash(changes.parent)?.to_owned());
        for path in changes.deletes {
            form = form.text("files", path.to_owned());
        }
        for (path, content) in changes.writes {
            let part = Part::text(content.to_owned())
                .file_name(path.rsplit('/').next().unwrap_or(path).to_owned());
            form = form.part(path.to_owned(), part);
        }
        let url = self.url(&["repositories", workspace, repo, "src"], &[]);
        let what = "repository (saving needs Write access)";
        let response = self
            .send(token, self.http().post(url).multipart(form), what)
            .await?;
        // The lists this token read are stale now.
        self.forget_cached(token);
        let hint = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .and_then(|h| commit_hash(h).ok())
            .map(str::to_owned);
        let parent = commit_hash(changes.parent)?;
        self.find_new_commit(
            token,
            workspace,
            repo,
            changes.branch,
            parent,
            changes.message,
            hint,
        )
        .await
    }

    /// The commit just made on `branch`: the tip when it is ours (its parent is `parent` and
    /// its message `message`), else the newest such commit among the branch's latest
    /// [`NEW_COMMIT_SEARCH`] (someone committed on top in the same instant).
    #[allow(clippy::too_many_arguments)]
    async fn find_new_commit(
        &self,
        token: &SecretString,
        workspace: &str,
        repo: &str,
        branch: &str,
        parent: &str,
        message: &str,
        hint: Option<String>,
    ) -> Result<String, ProviderError> {
        let ours = |commit: &Commit| {
            commit.parents.iter().any(|p| p == parent) && commit.message.trim() == message.trim()
        };
        let tip = self
            .branch_head(token, workspace, repo, branch, Asked::Now)
            .await?;
        if let Some(tip) = tip.filter(ours) {
            return Ok(tip.hash);
        }
        let url = self.url(
            &["repositories", workspace, repo, "commits", branch],
            &[("pagelen", NEW_COMMIT_SEARCH.to_string())],
        );
        let page: Paginated<WireCommit> = body::json(
            self.send(token, self.http().get(url), "branch history")
                .await?,
            "branch history",
        )
        .await?;
        page.values
            .into_iter()
            .filter_map(WireCommit::into_commit)
            .find(|commit| ours(commit) || hint.as_deref() == Some(commit.hash.as_str()))
            .map(|commit| commit.hash)
            .ok_or_else(|| {
                ProviderError::Unexpected(
                    "Bitbucket accepted the commit but the branch does not show it".into(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hex_hashes_become_revisions() {
        assert!(commit_hash("0123abc").is_ok());
        assert!(commit_hash(&"a".repeat(40)).is_ok());
        for bad in ["main", "abc", "../../x", "0123abc/..", "g123456"] {
            assert!(commit_hash(bad).is_err(), "{bad}");
        }
    }
}
