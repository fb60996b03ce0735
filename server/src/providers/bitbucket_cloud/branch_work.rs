//! Cloud's calls for work on branches ([`crate::providers::branching`]), per Bitbucket's
//! document (`cloud-openapi.subset.json`):
//!
//! - the branch list: `GET …/refs/branches` with `q=name ~ "…"` and the newest first;
//! - a comparison: the commits on each side and not the other (`GET …/commits?include=&exclude=`,
//!   both at once), then, when the branch has commits of its own, the files it changed
//!   (`GET …/diffstat/{branch tip}..{base tip}`, three-dot by `topic`). The document's `spec`
//!   is commits, so the tips come from those answers: the base's is the newest commit behind,
//!   or, with none behind, the one commit the branch's own were made on (their `parents`),
//!   and only failing both is its branch asked;
//! - a file's diff: `GET …/diff/{branch tip}..{base tip}?path=` (raw text), the tips those of
//!   the summary a moment before (its commits are kept a minute);
//! - the pull request page: `{repository}/pull-requests/new?source=&dest=`.

use api::{DiffHunk, FileChange};
use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::model::{BranchName, DiffStat, Paginated, WireCommit};
use super::rest::{slug, BitbucketRest, Rest};
use super::source::Asked;
use crate::providers::branch::Repo;
use crate::providers::branching::{
    below, BranchPage, BranchWork, Changed, Compared, BRANCH_PAGE, DIFF_READING, SUMMARY_READING,
};
use crate::providers::cache::{Reading, LIST_TTL};
use crate::providers::{body, ProviderError};
use wire::diff;

/// Commits counted on each side of a comparison: one page, Bitbucket's largest.
const COUNTED: usize = 100;
/// Files of a comparison read: the first pages of the diffstat.
const DIFFSTAT_PAGE: usize = 500;
/// Largest raw diff of one file read.
const MAX_DIFF_BYTES: usize = 2 * 1024 * 1024;

/// A BBQL string literal: `"` and `\` escaped (Bitbucket's filtering, REST intro).
fn literal(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

fn change(status: &str) -> Option<FileChange> {
    Some(match status {
        "added" => FileChange::Added,
        "removed" => FileChange::Removed,
        "renamed" => FileChange::Renamed,
        "modified" => FileChange::Modified,
        _ => return None,
    })
}

fn changed(stat: DiffStat) -> Option<Changed> {
    let change = change(stat.status.as_deref()?)?;
    let path = |side: Option<super::model::CommitFilePath>| side.and_then(|f| f.path);
    let (old, new) = (path(stat.old), path(stat.new));
    let (path, previous_path) = match change {
        FileChange::Removed => (old?, None),
        FileChange::Renamed => (new?, old),
        _ => (new?, None),
    };
    Some(Changed {
        path,
        change,
        previous_path,
    })
}

/// The commits on one side of a comparison and not the other.
#[derive(Default)]
struct Between {
    /// Newest first.
    hashes: Vec<String>,
    /// Their parents, as the answer names them.
    parents: Vec<String>,
    /// Whether there were more than one page.
    more: bool,
}

impl Between {
    /// The one commit outside these that they were made on, when the page is all of them and
    /// names exactly one: with nothing on the other side, the other side's tip. (Each commit
    /// here descends from that tip, and the one made on it has it as a parent; a second
    /// outside parent, a merge from elsewhere, leaves it unknown.)
    fn made_on(&self) -> Option<&str> {
        if self.more {
            return None;
        }
        let mut outside = self
            .parents
            .iter()
            .filter(|parent| !self.hashes.contains(parent));
        let first = outside.next()?;
        outside
            .all(|other| other == first)
            .then_some(first.as_str())
    }
}

impl BitbucketRest {
    /// The commits on `include` and not on `exclude`: the first page (newest first).
    async fn commits_between(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        include: &str,
        exclude: &str,
        reading: Reading,
    ) -> Result<Between, ProviderError> {
        let (workspace, repo) = (slug(at.group, "workspace")?, slug(at.repo, "repository")?);
        let query = [
            ("include", include.to_owned()),
            ("exclude", exclude.to_owned()),
            ("pagelen", COUNTED.to_string()),
        ];
        let url = self.url(&["repositories", workspace, repo, "commits"], &query);
        let page: Paginated<WireCommit> =
            self.read(token, url, "commits", LIST_TTL, reading).await?;
        let more = page.next.is_some();
        let mut between = Between {
            more,
            ..Between::default()
        };
        for commit in page.values {
            let Some(hash) = commit.hash else { continue };
            let parents = commit.parents.unwrap_or_default();
            between
                .parents
                .extend(parents.into_iter().filter_map(|parent| parent.hash));
            between.hashes.push(hash);
        }
        Ok(between)
    }

    /// The commits on each side, read as [`SUMMARY_READING`] or [`DIFF_READING`] say.
    async fn sides(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
        reading: Reading,
    ) -> Result<(Between, Between), ProviderError> {
        let (ahead, behind) = tokio::join!(
            self.commits_between(token, at, head, base, reading),
            self.commits_between(token, at, base, head, reading)
        );
        Ok((ahead?, behind?))
    }

    /// The base's tip: the newest commit behind or, with none behind, the one commit the
    /// branch's own were made on; only failing both is the base branch asked for.
    async fn base_tip(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        (ahead, behind): &(Between, Between),
    ) -> Result<String, ProviderError> {
        match (behind.hashes.first(), ahead.made_on()) {
            (Some(tip), _) => Ok(tip.clone()),
            (None, Some(tip)) => Ok(tip.to_owned()),
            (None, None) => self.tip_of(token, at, base).await,
        }
    }

    /// `{head}..{base}` of two tips, each checked as a commit hash.
    fn spec(head: &str, base: &str) -> Result<String, ProviderError> {
        let (head, base) = (
            super::source::commit_hash(head)?,
            super::source::commit_hash(base)?,
        );
        Ok(format!("{head}..{base}"))
    }

    async fn tip_of(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
    ) -> Result<String, ProviderError> {
        self.branch_tip(token, at.group, at.repo, branch, Asked::Recent)
            .await?
            .ok_or_else(|| ProviderError::NotFound(format!("The branch {branch}")))
    }
}

#[async_trait]
impl BranchWork for BitbucketRest {
    async fn branch_names(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        search: Option<&str>,
    ) -> Result<BranchPage, ProviderError> {
        let (workspace, repo) = (slug(at.group, "workspace")?, slug(at.repo, "repository")?);
        let mut query = vec![
            ("sort", "-target.date".to_owned()),
            ("pagelen", BRANCH_PAGE.to_string()),
        ];
        if let Some(search) = search {
            query.push(("q", format!("name ~ {}", literal(search))));
        }
        let url = self.url(
            &["repositories", workspace, repo, "refs", "branches"],
            &query,
        );
        let page: Paginated<BranchName> = self.get(token, url, "branches").await?;
        Ok(BranchPage {
            names: page.values.into_iter().filter_map(|b| b.name).collect(),
            more: page.next.is_some(),
        })
    }

    async fn compare(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
    ) -> Result<Compared, ProviderError> {
        let sides = self.sides(token, at, base, head, SUMMARY_READING).await?;
        let (ahead, behind) = &sides;
        let mut compared = Compared {
            ahead: u32::try_from(ahead.hashes.len()).unwrap_or(u32::MAX),
            behind: u32::try_from(behind.hashes.len()).unwrap_or(u32::MAX),
            capped: ahead.more || behind.more,
            files: Vec::new(),
            files_capped: false,
        };
        let Some(head_tip) = ahead.hashes.first() else {
            return Ok(compared);
        };
        let base_tip = self.base_tip(token, at, base, &sides).await?;
        let (workspace, repo) = (slug(at.group, "workspace")?, slug(at.repo, "repository")?);
        let spec = Self::spec(head_tip, &base_tip)?;
        let query = [
            ("topic", "true".to_owned()),
            ("pagelen", DIFFSTAT_PAGE.to_string()),
        ];
        let url = self.url(
            &["repositories", workspace, repo, "diffstat", &spec],
            &query,
        );
        let stats: Paginated<DiffStat> = self.get(token, url, "comparison").await?;
        compared.files_capped = stats.next.is_some();
        compared.files = stats.values.into_iter().filter_map(changed).collect();
        Ok(compared)
    }

    async fn file_diff(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
        path: &str,
    ) -> Result<Vec<DiffHunk>, ProviderError> {
        let sides = self.sides(token, at, base, head, DIFF_READING).await?;
        let Some(head_tip) = sides.0.hashes.first() else {
            // Nothing on the branch that the base lacks: nothing to show.
            return Ok(Vec::new());
        };
        let base_tip = self.base_tip(token, at, base, &sides).await?;
        let spec = Self::spec(head_tip, &base_tip)?;
        let (workspace, repo) = (slug(at.group, "workspace")?, slug(at.repo, "repository")?);
        let query = [("topic", "true".to_owned()), ("path", path.to_owned())];
        let url = self.url(&["repositories", workspace, repo, "diff", &spec], &query);
        let response = self.send(token, self.http().get(url), "diff").await?;
        let bytes = body::at_most(response, MAX_DIFF_BYTES)
            .await
            .map_err(|e| ProviderError::Unavailable(e.without_url().to_string()))?
            .ok_or_else(|| {
                ProviderError::TooLarge(format!(
                    "The diff of {path} is larger than the studio shows."
                ))
            })?;
        Ok(diff::hunks(&String::from_utf8_lossy(&bytes)))
    }

    /// Bitbucket's "Create a pull request" page with both branches chosen.
    fn pull_request_url(&self, repository: &Url, head: &str, base: &str) -> Url {
        let mut url = below(repository, "pull-requests/new");
        url.query_pairs_mut()
            .append_pair("source", head)
            .append_pair("dest", base);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_one_bbql_string() {
        assert_eq!(literal(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn diffstats_become_changes_and_strays_are_dropped() {
        let stat = |status: &str, old: Option<&str>, new: Option<&str>| DiffStat {
            status: Some(status.into()),
            old: old.map(|p| super::super::model::CommitFilePath {
                path: Some(p.into()),
            }),
            new: new.map(|p| super::super::model::CommitFilePath {
                path: Some(p.into()),
            }),
        };
        let renamed = changed(stat("renamed", Some("a"), Some("b"))).unwrap();
        assert_eq!(
            (renamed.path.as_str(), renamed.previous_path.as_deref()),
            ("b", Some("a"))
        );
        assert_eq!(changed(stat("removed", Some("a"), None)).unwrap().path, "a");
        assert!(changed(stat("added", Some("a"), None)).is_none());
        assert!(changed(stat("merge conflict", None, Some("a"))).is_none());
    }

    #[test]
    fn the_base_tip_is_the_one_commit_the_branch_was_made_on() {
        let between = |commits: &[(&str, &[&str])], more: bool| Between {
            hashes: commits.iter().map(|(hash, _)| (*hash).to_owned()).collect(),
            parents: commits
                .iter()
                .flat_map(|(_, parents)| parents.iter().map(|p| (*p).to_owned()))
                .collect(),
            more,
        };
        let linear = between(&[("c3", &["c2"]), ("c2", &["base"])], false);
        assert_eq!(linear.made_on(), Some("base"));
        let twice = between(&[("m", &["c1", "base"]), ("c1", &["base"])], false);
        assert_eq!(twice.made_on(), Some("base"), "the same parent twice");
        let merged_from_elsewhere = between(&[("m", &["c1", "old"]), ("c1", &["base"])], false);
        assert_eq!(merged_from_elsewhere.made_on(), None);
        assert_eq!(
            between(&[("c2", &["base"])], true).made_on(),
            None,
            "a page of more"
        );
        assert_eq!(
            between(&[("c1", &[])], false).made_on(),
            None,
            "no parent named"
        );
        assert_eq!(between(&[], false).made_on(), None);
    }
}
