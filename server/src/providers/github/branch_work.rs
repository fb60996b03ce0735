//! GitHub's calls for work on branches ([`crate::providers::branching`]): the branch list
//! (`GET …/branches`, which has no name filter, so a search reads pages and filters here),
//! one comparison (`GET …/compare/{base}...{head}`: counts, files and each file's patch in
//! one answer, kept a minute so opening a file's diff asks nothing more), and the pull
//! request page (`/{owner}/{repo}/compare/{base}...{head}?expand=1`).

use api::{DiffHunk, FileChange};
use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::calls::PER_PAGE;
use super::model::{Comparison, ShortBranch};
use super::rest::{GitHubRest, Rest};
use crate::providers::branch::Repo;
use crate::providers::branching::{
    below, path_branch, BranchPage, BranchWork, Changed, Compared, BRANCH_PAGE, DIFF_READING,
    SUMMARY_READING,
};
use crate::providers::cache::{Reading, LIST_TTL};
use crate::providers::ProviderError;
use wire::diff;

/// Files a comparison lists at most: "it includes up to 300 changed files for the entire
/// comparison" (`github-openapi.subset.json`, the compare operation); as many means there may
/// be more.
const COMPARED_FILES: usize = 300;
/// Pages of branches a search reads (1,000 branches).
const SEARCHED_PAGES: u32 = 10;

fn change(status: &str) -> FileChange {
    match status {
        "added" | "copied" => FileChange::Added,
        "removed" => FileChange::Removed,
        "renamed" => FileChange::Renamed,
        _ => FileChange::Modified,
    }
}

impl GitHubRest {
    /// `GET …/compare/{base}...{head}`, read as [`SUMMARY_READING`] or [`DIFF_READING`] say.
    async fn comparison(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
        reading: Reading,
    ) -> Result<Comparison, ProviderError> {
        let basehead = format!("{base}...{head}");
        let url = self.repo(at.group, at.repo, &["compare", &basehead], &[]);
        self.read(token, url, "comparison", LIST_TTL, reading).await
    }
}

#[async_trait]
impl BranchWork for GitHubRest {
    async fn branch_names(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        search: Option<&str>,
    ) -> Result<BranchPage, ProviderError> {
        let needle = search.map(str::to_lowercase);
        let pages = if needle.is_some() { SEARCHED_PAGES } else { 1 };
        let mut names = Vec::new();
        for page in 1..=pages {
            let query = [
                ("per_page", PER_PAGE.to_string()),
                ("page", page.to_string()),
            ];
            let url = self.repo(at.group, at.repo, &["branches"], &query);
            // The first page as it is now (a branch made elsewhere shows at once); the
            // pages a search reads after it may be a minute old.
            let reading = if page == 1 {
                Reading::Opening
            } else {
                Reading::Cached
            };
            let listed: Vec<ShortBranch> =
                self.read(token, url, "branches", LIST_TTL, reading).await?;
            let last = listed.len() < PER_PAGE as usize;
            names.extend(listed.into_iter().map(|b| b.name).filter(|name| {
                needle
                    .as_deref()
                    .is_none_or(|needle| name.to_lowercase().contains(needle))
            }));
            if names.len() > BRANCH_PAGE || last {
                let more = names.len() > BRANCH_PAGE || (!last && page == pages);
                names.truncate(BRANCH_PAGE);
                return Ok(BranchPage { names, more });
            }
        }
        Ok(BranchPage { names, more: true })
    }

    async fn compare(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
    ) -> Result<Compared, ProviderError> {
        let found = self
            .comparison(token, at, base, head, SUMMARY_READING)
            .await?;
        Ok(Compared {
            ahead: found.ahead_by,
            behind: found.behind_by,
            capped: false,
            files_capped: found.files.len() >= COMPARED_FILES,
            files: found
                .files
                .into_iter()
                .map(|file| Changed {
                    change: change(&file.status),
                    path: file.filename,
                    previous_path: file.previous_filename,
                })
                .collect(),
        })
    }

    async fn file_diff(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
        path: &str,
    ) -> Result<Vec<DiffHunk>, ProviderError> {
        let found = self.comparison(token, at, base, head, DIFF_READING).await?;
        let file = found
            .files
            .into_iter()
            .find(|file| file.filename == path)
            .ok_or_else(|| ProviderError::NotFound(format!("{path} among the branch's changes")))?;
        Ok(file.patch.as_deref().map(diff::hunks).unwrap_or_default())
    }

    /// GitHub's "Comparing changes" page with the form open (`?expand=1`).
    fn pull_request_url(&self, repository: &Url, head: &str, base: &str) -> Url {
        let tail = format!(
            "compare/{}...{}?expand=1",
            path_branch(base),
            path_branch(head)
        );
        below(repository, &tail)
    }
}
