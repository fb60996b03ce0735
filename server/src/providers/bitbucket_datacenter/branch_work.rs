//! Data Center's calls for work on branches ([`crate::providers::branching`]), per its
//! document (`datacenter-openapi.subset.json`), each naming branches as qualified refs:
//!
//! - the branch list: `GET …/branches?filterText=&orderBy=MODIFICATION`;
//! - a comparison: the files (`GET …/compare/changes?from={branch}&to={base}`) and the
//!   commits on each side (`GET …/compare/commits`, both ways), the three at once;
//! - a file's diff: `GET …/compare/diff/{path}?from=&to=` (Data Center's JSON hunks);
//! - the pull request page: `{repository}/pull-requests?create&sourceBranch=&targetBranch=`.

use api::{DiffHunk, FileChange};
use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::calls::at_branch;
use super::model::{path_of, Branch, Change, Diff, Paged};
use super::rest::{DataCenterRest, Rest};
use crate::providers::branch::Repo;
use crate::providers::branching::{below, BranchPage, BranchWork, Changed, Compared, BRANCH_PAGE};
use crate::providers::ProviderError;

/// Commits counted on each side: one page of the document's usual largest.
const COUNTED: usize = 100;
/// Files of a comparison read.
const CHANGES_PAGE: usize = 500;

fn changed(change: Change) -> Option<Changed> {
    let kind = match change.kind.as_deref()? {
        "ADD" | "COPY" => FileChange::Added,
        "DELETE" => FileChange::Removed,
        "MOVE" => FileChange::Renamed,
        "MODIFY" => FileChange::Modified,
        _ => return None,
    };
    Some(Changed {
        path: path_of(change.path.as_ref()?)?,
        previous_path: change
            .src_path
            .as_ref()
            .and_then(path_of)
            .filter(|_| kind == FileChange::Renamed),
        change: kind,
    })
}

impl DataCenterRest {
    /// The commits reachable from `from` and not from `to`: how many (up to [`COUNTED`]), and
    /// whether there were more.
    async fn count_between(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        from: &str,
        to: &str,
    ) -> Result<(u32, bool), ProviderError> {
        let query = [
            ("from", at_branch(from)),
            ("to", at_branch(to)),
            ("limit", COUNTED.to_string()),
        ];
        let url = self.repo(at.group, at.repo, &["compare", "commits"], &query);
        let page: Paged<serde_json::Value> = self.get(token, url, "commits").await?;
        let count = u32::try_from(page.values.len()).unwrap_or(u32::MAX);
        Ok((count, page.is_last_page == Some(false)))
    }
}

#[async_trait]
impl BranchWork for DataCenterRest {
    async fn branch_names(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        search: Option<&str>,
    ) -> Result<BranchPage, ProviderError> {
        let mut query = vec![
            ("orderBy", "MODIFICATION".to_owned()),
            ("limit", BRANCH_PAGE.to_string()),
        ];
        if let Some(search) = search {
            query.push(("filterText", search.to_owned()));
        }
        let url = self.repo(at.group, at.repo, &["branches"], &query);
        let page: Paged<Branch> = self.get(token, url, "branches").await?;
        Ok(BranchPage {
            names: page
                .values
                .iter()
                .filter_map(|b| b.name().map(str::to_owned))
                .collect(),
            more: page.is_last_page == Some(false),
        })
    }

    async fn compare(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
    ) -> Result<Compared, ProviderError> {
        let files = async {
            let query = [
                ("from", at_branch(head)),
                ("to", at_branch(base)),
                ("limit", CHANGES_PAGE.to_string()),
            ];
            let url = self.repo(at.group, at.repo, &["compare", "changes"], &query);
            let page: Paged<Change> = self.get(token, url, "comparison").await?;
            let more = page.is_last_page == Some(false);
            let files: Vec<Changed> = page.values.into_iter().filter_map(changed).collect();
            Ok::<_, ProviderError>((files, more))
        };
        let (files, ahead, behind) = tokio::join!(
            files,
            self.count_between(token, at, head, base),
            self.count_between(token, at, base, head)
        );
        let ((ahead, more_ahead), (behind, more_behind)) = (ahead?, behind?);
        let (files, files_capped) = files?;
        Ok(Compared {
            ahead,
            behind,
            capped: more_ahead || more_behind,
            files,
            files_capped,
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
        let mut tail = vec!["compare", "diff"];
        tail.extend(path.split('/').filter(|s| !s.is_empty()));
        let query = [("from", at_branch(head)), ("to", at_branch(base))];
        let url = self.repo(at.group, at.repo, &tail, &query);
        let diff: Diff = self.get(token, url, "diff").await?;
        Ok(diff.into_hunks())
    }

    /// Data Center's "Create pull request" page with both branches chosen; the stored page
    /// is the repository's `…/browse`.
    fn pull_request_url(&self, repository: &Url, head: &str, base: &str) -> Url {
        let up = if repository.path().ends_with("/browse/") {
            "../"
        } else {
            ""
        };
        let mut url = below(repository, &format!("{up}pull-requests"));
        let encode = |branch: &str| api::paths::encode_query_value(&at_branch(branch));
        url.set_query(Some(&format!(
            "create&sourceBranch={}&targetBranch={}",
            encode(head),
            encode(base)
        )));
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pull_request_page_is_beside_browse() {
        let rest_page =
            Url::parse("https://git.acme.test/projects/DATA/repos/etl/browse/").unwrap();
        let rest = DataCenterRest::new(
            reqwest::Client::new(),
            "https://git.acme.test/",
            crate::telemetry::Metrics::new(),
        )
        .unwrap();
        let url = rest.pull_request_url(&rest_page, "feature/x", "main");
        assert_eq!(
            url.as_str(),
            "https://git.acme.test/projects/DATA/repos/etl/pull-requests?create&sourceBranch=refs%2Fheads%2Ffeature%2Fx&targetBranch=refs%2Fheads%2Fmain"
        );
    }

    #[test]
    fn changes_are_read_from_path_objects_and_strays_dropped() {
        let change: Change = serde_json::from_str(
            r#"{"type":"MOVE","path":{"components":["p","b.orch.yaml"]},"srcPath":{"toString":"p/a.orch.yaml"}}"#,
        )
        .unwrap();
        let changed = changed(change).unwrap();
        assert_eq!(changed.path, "p/b.orch.yaml");
        assert_eq!(changed.previous_path.as_deref(), Some("p/a.orch.yaml"));
        let stray: Change = serde_json::from_str(r#"{"type":"UNKNOWN","path":"x"}"#).unwrap();
        assert!(super::changed(stray).is_none());
    }
}
