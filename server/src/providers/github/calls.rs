//! The GitHub REST calls the studio makes, one method each, with the paths, parameters and
//! shapes of GitHub's description (`sandbox/openapi/github.openapi.json`). Names reach a URL
//! one validated, percent-encoded segment at a time; a branch or file path is split into its
//! segments, each encoded.

use base64::Engine;
use reqwest::header::{HeaderValue, ACCEPT};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::model::{
    FileCommit, GitCommit, GitRef, GitTree, Installation, InstallationRepositories, Installations,
    Repository, User,
};
use super::rest::{GitHubRest, Rest};
use crate::providers::body;
use crate::providers::branch::Repo;
use crate::providers::cache::{Reading, LIST_TTL};
use crate::providers::ProviderError;

/// GitHub's largest page.
pub const PER_PAGE: u32 = 100;
/// How long a commit read by its id is kept ([`GitHubRest::git_commit`]).
const COMMIT_TTL: std::time::Duration = std::time::Duration::from_secs(600);
/// Most installation pages read for one list (10,000 installations).
const MAX_INSTALLATION_PAGES: u32 = 100;

/// A path's segments, for a URL (`refs/heads/feature/x`, `pipelines/a.yaml`).
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Turns a 404 into "not there".
fn found<T>(result: Result<T, ProviderError>) -> Result<Option<T>, ProviderError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ProviderError::NotFound(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

impl GitHubRest {
    /// `GET /user`.
    pub async fn user(&self, token: &SecretString) -> Result<User, ProviderError> {
        self.get(token, self.api(&["user"], &[]), "account").await
    }

    /// `GET /user/installations`, every page: the installations of the studio's app this
    /// user's token can see. GitHub's description gives it a 401, so the list proves the token.
    pub async fn installations(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<Installation>, ProviderError> {
        let mut all = Vec::new();
        for page in 1..=MAX_INSTALLATION_PAGES {
            let url = self.api(
                &["user", "installations"],
                &[
                    ("per_page", PER_PAGE.to_string()),
                    ("page", page.to_string()),
                ],
            );
            // Only the first page is an opening read; later pages may be kept.
            let reading = if page == 1 { reading } else { Reading::Cached };
            let answer: Installations = self
                .read(token, url, "installations", LIST_TTL, reading)
                .await?;
            let last = answer.installations.len() < PER_PAGE as usize
                || answer
                    .total_count
                    .is_some_and(|total| u64::from(page * PER_PAGE) >= total);
            all.extend(answer.installations);
            if last {
                return Ok(all);
            }
        }
        tracing::warn!("GitHub listed more installations than the studio reads; the list stops");
        Ok(all)
    }

    /// `GET /user/installations/{installation_id}/repositories`, page `page`.
    pub async fn installation_repositories(
        &self,
        token: &SecretString,
        installation: u64,
        page: u32,
    ) -> Result<InstallationRepositories, ProviderError> {
        let url = self.api(
            &[
                "user",
                "installations",
                &installation.to_string(),
                "repositories",
            ],
            &[
                ("per_page", PER_PAGE.to_string()),
                ("page", page.to_string()),
            ],
        );
        self.read(token, url, "repository list", LIST_TTL, Reading::Cached)
            .await
    }

    /// `GET /repos/{owner}/{repo}`.
    pub async fn repository(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
    ) -> Result<Repository, ProviderError> {
        self.get(token, self.repo(owner, repo, &[], &[]), "repository")
            .await
    }

    /// The tip of `branch` (`GET …/git/ref/heads/{branch}`); `None` when there is no such
    /// branch, or no commit at all (GitHub answers 409 for an empty repository).
    pub async fn tip(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        branch: &str,
    ) -> Result<Option<String>, ProviderError> {
        let mut tail = vec!["git", "ref", "heads"];
        tail.extend(segments(branch));
        let read: Result<GitRef, _> = self
            .get(token, self.repo(owner, repo, &tail, &[]), "branch")
            .await;
        match read {
            Ok(found) => Ok(Some(found.object.sha)),
            Err(ProviderError::NotFound(_) | ProviderError::Conflict(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// `POST …/git/refs`: branch `name` at `sha`. GitHub answers 422 when it exists.
    pub async fn create_ref(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        name: &str,
        sha: &str,
    ) -> Result<(), ProviderError> {
        let url = self.repo(owner, repo, &["git", "refs"], &[]);
        let body = json!({ "ref": format!("refs/heads/{name}"), "sha": sha });
        self.send(token, self.http().post(url).json(&body), "branch")
            .await
            .map(drop)
    }

    /// `PATCH …/git/refs/heads/{branch}` to `sha`, never forced: GitHub refuses (422) an
    /// update that is not a fast forward, which is a [`ProviderError::Conflict`] here.
    pub async fn move_branch(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        branch: &str,
        sha: &str,
    ) -> Result<(), ProviderError> {
        let mut tail = vec!["git", "refs", "heads"];
        tail.extend(segments(branch));
        let url = self.repo(owner, repo, &tail, &[]);
        let body = json!({ "sha": sha, "force": false });
        match self
            .send(token, self.http().patch(url).json(&body), "branch")
            .await
        {
            Ok(_) => Ok(()),
            Err(ProviderError::BadRequest(message)) => Err(ProviderError::Conflict(message)),
            Err(other) => Err(other),
        }
    }

    /// `GET …/git/commits/{sha}`.
    pub async fn git_commit(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        sha: &str,
    ) -> Result<GitCommit, ProviderError> {
        let url = self.repo(owner, repo, &["git", "commits", sha], &[]);
        // A commit named by its id never changes: kept a while in the token's cache (the
        // branch's ref, read first and never kept, is what proves the token now).
        self.read(token, url, "commit", COMMIT_TTL, Reading::Cached)
            .await
    }

    /// `GET …/git/trees/{sha}?recursive=1`.
    pub async fn tree(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        sha: &str,
    ) -> Result<GitTree, ProviderError> {
        let url = self.repo(
            owner,
            repo,
            &["git", "trees", sha],
            &[("recursive", "1".into())],
        );
        self.get(token, url, "file list").await
    }

    /// `POST …/git/trees`: `base` with `path` set to `content`, or removed (`sha: null`).
    pub async fn change_tree(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        base: &str,
        path: &str,
        content: Option<&str>,
    ) -> Result<GitTree, ProviderError> {
        let entry = match content {
            Some(content) => {
                json!({ "path": path, "mode": "100644", "type": "blob", "content": content })
            }
            None => json!({ "path": path, "mode": "100644", "type": "blob", "sha": null }),
        };
        let body = json!({ "base_tree": base, "tree": [entry] });
        let url = self.repo(owner, repo, &["git", "trees"], &[]);
        let response = self
            .send(token, self.http().post(url).json(&body), "file")
            .await?;
        body::json(response, "file").await
    }

    /// `POST …/git/commits`: `tree` with `parent` as its one parent, by the token's user.
    pub async fn create_commit(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        message: &str,
        tree: &str,
        parent: &str,
    ) -> Result<GitCommit, ProviderError> {
        let body = json!({ "message": message, "tree": tree, "parents": [parent] });
        let url = self.repo(owner, repo, &["git", "commits"], &[]);
        let response = self
            .send(token, self.http().post(url).json(&body), "commit")
            .await?;
        body::json(response, "commit").await
    }

    /// A file's bytes at `commit` (`GET …/contents/{path}?ref=` in the raw media type), at
    /// most `max`; `None` when it is not there.
    pub async fn raw(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        path: &str,
        commit: &str,
        max: usize,
    ) -> Result<Option<Vec<u8>>, ProviderError> {
        let mut tail = vec!["contents"];
        tail.extend(segments(path));
        let url = self.repo(owner, repo, &tail, &[("ref", commit.to_owned())]);
        let request = self.http().get(url).header(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github.raw+json"),
        );
        let Some(response) = found(self.send(token, request, "file").await)? else {
            return Ok(None);
        };
        let bytes = body::at_most(response, max)
            .await
            .map_err(|e| ProviderError::Unavailable(e.without_url().to_string()))?;
        bytes.map(Some).ok_or_else(|| {
            ProviderError::TooLarge(format!(
                "{path} is larger than the studio opens ({} KiB).",
                max / 1024
            ))
        })
    }

    /// The last commit that changed `path` up to `sha` (`GET …/commits?sha=&path=&per_page=1`),
    /// or the commit `sha` itself without a path.
    pub async fn last_commit(
        &self,
        token: &SecretString,
        owner: &str,
        repo: &str,
        sha: &str,
        path: Option<&str>,
    ) -> Result<Option<super::model::Commit>, ProviderError> {
        let mut query = vec![("sha", sha.to_owned()), ("per_page", "1".to_owned())];
        if let Some(path) = path {
            query.push(("path", path.to_owned()));
        }
        let url = self.repo(owner, repo, &["commits"], &query);
        let commits: Option<Vec<super::model::Commit>> =
            found(self.get(token, url, "commit").await)?;
        Ok(commits.and_then(|commits| commits.into_iter().next()))
    }

    /// `PUT …/contents/{path}` on `branch`: how an empty repository gets its first commit
    /// (GitHub's Git data API answers 409 for a repository without one).
    pub async fn put_file(
        &self,
        token: &SecretString,
        Repo { group: owner, repo }: Repo<'_>,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> Result<Option<String>, ProviderError> {
        let mut tail = vec!["contents"];
        tail.extend(segments(path));
        let url = self.repo(owner, repo, &tail, &[]);
        let body = json!({
            "message": message,
            "content": base64::engine::general_purpose::STANDARD.encode(content),
            "branch": branch,
        });
        let response = self
            .send(token, self.http().put(url).json(&body), "file")
            .await?;
        let made: FileCommit = body::json(response, "file").await?;
        Ok(made.commit.sha)
    }

    /// `DELETE /applications/{client_id}/grant`, as the app (HTTP Basic with its client id
    /// and secret): every token of this user for the app is revoked. GitHub answers 204; a
    /// 422 is a token it no longer knows, which is what was asked for too.
    pub async fn revoke_grant(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        token: &SecretString,
    ) -> Result<(), ProviderError> {
        let url = self.api(&["applications", client_id, "grant"], &[]);
        let request = self
            .http()
            .delete(url)
            .basic_auth(client_id, Some(client_secret.expose_secret()))
            .header(ACCEPT, "application/vnd.github+json")
            .json(&json!({ "access_token": token.expose_secret() }))
            .build()
            .map_err(|e| ProviderError::Unexpected(e.without_url().to_string()))?;
        let response = self
            .upstream()
            .transmit(request, super::endpoint::template)
            .await?;
        // GitHub's description lists 204 and 422 only; anything else (bad client
        // credentials included) is a revocation that did not happen, which Disconnect reports.
        match response.status().as_u16() {
            200..=299 | 422 => Ok(()),
            status => Err(ProviderError::Unavailable(format!(
                "GitHub answered {status} to the revocation"
            ))),
        }
    }
}
