//! Bitbucket Data Center as a [`crate::providers::GitHost`], through its [`HostPrimitives`]: projects play the part of Cloud's workspaces
//! (`RepositoryGroup.slug` is the project key), repositories are listed with
//! `permission=REPO_WRITE` and searched by `name` on the server, pages go by `start`.
//! Listing and search answers are kept a minute per user ([`crate::providers::cache`]), as
//! on Cloud; `refresh` (the picker's Refresh) asks again.

use api::{Page, Repository, RepositoryGroup};
use async_trait::async_trait;
use secrecy::SecretString;

use super::model::{Paged, Repository as WireRepository};
use super::pipelines::DataCenterFiles;
use super::rest::{name, DataCenterRest};
use crate::providers::cache::Reading;
use crate::providers::{HostPrimitives, Identity, NameRule, ProviderError};

/// Projects by their keys, repositories by their slugs.
pub(super) const NAMES: NameRule = NameRule {
    check: name,
    group: "project",
};

/// Largest `start` a cursor may name: 10,000 repositories in one project are 200 pages.
const MAX_START: u64 = 1_000_000;

pub struct DataCenterHost {
    pub rest: DataCenterRest,
}

/// The app's opaque cursor is Data Center's `nextPageStart`.
fn start_of(cursor: Option<&str>) -> Result<u64, ProviderError> {
    match cursor {
        None => Ok(0),
        Some(cursor) => cursor
            .parse::<u64>()
            .ok()
            .filter(|start| *start <= MAX_START)
            .ok_or(ProviderError::InvalidName("page")),
    }
}

/// Data Center's `size` counts the page, not the list: it is the total only for a list
/// that fits in its first page.
fn to_api_page(page: Paged<WireRepository>, start: u64) -> Page<Repository> {
    let next = super::calls::next_start(
        &page,
        start,
        super::calls::REPOSITORY_LIMIT.into(),
        "repository list",
    )
    .map(|n| n.to_string());
    Page {
        size: page.size.filter(|_| next.is_none() && start == 0),
        values: page
            .values
            .into_iter()
            .filter_map(WireRepository::into_api)
            .collect(),
        next,
    }
}

#[async_trait]
impl HostPrimitives for DataCenterHost {
    type Calls = DataCenterRest;
    type Files = DataCenterFiles;
    /// The page's `start`.
    type Cursor = u64;
    const NAMES: NameRule = NAMES;
    /// Atlassian's Data Center document gives `GET /api/latest/projects` no 401 (only the
    /// projects the caller may view, which may be public ones to an anonymous caller), so
    /// the account's `GET …/users` proves the token (see `DataCenterRest::current_user`).
    const GROUPS_PROVE_THE_TOKEN: bool = false;

    fn calls(&self) -> &DataCenterRest {
        &self.rest
    }

    fn files(&self) -> DataCenterFiles {
        DataCenterFiles {
            rest: self.rest.clone(),
        }
    }

    async fn account(&self, token: &SecretString) -> Result<Identity, ProviderError> {
        let user = self.rest.current_user(token).await?;
        let slug = user.slug.clone().unwrap_or_default();
        Ok(Identity {
            uuid: user
                .id
                .map(|id| id.to_string())
                .unwrap_or_else(|| slug.clone()),
            account_id: user.id.map(|id| id.to_string()),
            display_name: user
                .display_name
                .clone()
                .or(user.name.clone())
                .unwrap_or_else(|| slug.clone()),
            nickname: Some(slug).filter(|s| !s.is_empty()),
            avatar_url: None,
            first_group: None,
        })
    }

    async fn first_group(&self, token: &SecretString) -> Result<Option<String>, ProviderError> {
        self.rest.first_writable_project(token).await
    }

    async fn read_groups(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<RepositoryGroup>, ProviderError> {
        self.rest.all_projects(token, reading).await
    }

    /// Data Center's project list carries the names already.
    async fn named_groups(
        &self,
        token: &SecretString,
    ) -> Result<Vec<RepositoryGroup>, ProviderError> {
        self.read_groups(token, Reading::Cached).await
    }

    fn cursor(&self, raw: Option<&str>) -> Result<u64, ProviderError> {
        start_of(raw)
    }

    async fn repository_page(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        start: u64,
    ) -> Result<Page<Repository>, ProviderError> {
        let page = self
            .rest
            .writable_repositories(token, group, search, start)
            .await?;
        Ok(to_api_page(page, start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_bounded_page_starts() {
        assert_eq!(start_of(None).unwrap(), 0);
        assert_eq!(start_of(Some("50")).unwrap(), 50);
        for bad in ["-1", "x", "1e3", "99999999999", ""] {
            assert!(start_of(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
