//! Bitbucket Data Center as a [`GitHost`]: projects play the part of Cloud's workspaces
//! (`RepositoryGroup.slug` is the project key), repositories are listed with
//! `permission=REPO_WRITE` and searched by `name` on the server, pages go by `start`.
//! Listing and search answers are kept a minute per user ([`crate::providers::cache`]), as
//! on Cloud; `refresh` (the picker's Refresh) asks again.

use api::{MainBranch, Page, Repository, RepositoryGroup, RepositoryPicker};
use async_trait::async_trait;
use secrecy::SecretString;

use super::model::{Paged, Repository as WireRepository};
use super::pipelines::DataCenterFiles;
use super::rest::{name, DataCenterRest, Rest};
use crate::error::AppResult;
use crate::pipelines::PipelineStore;
use crate::providers::cache::Reading;
use crate::providers::picker::{first_screen, picker_of};
use crate::providers::pipelines::ProviderPipelines;
use crate::providers::{branch, project};
use crate::providers::{
    Connected, GitHost, Identity, NameRule, PipelineLocation, ProjectRepository, ProviderError,
};

/// Projects by their keys, repositories by their slugs.
const NAMES: NameRule = NameRule {
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
impl GitHost for DataCenterHost {
    async fn identify(&self, token: &SecretString) -> Result<Identity, ProviderError> {
        let (user, first_project) = tokio::join!(
            self.rest.current_user(token),
            self.rest.first_writable_project(token)
        );
        let user = user?;
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
            first_group: first_project.ok().flatten(),
        })
    }

    async fn check(&self, token: &SecretString) -> AppResult<()> {
        Ok(self.rest.current_user(token).await.map(drop)?)
    }

    /// One round trip as a rule (see [`first_screen`]): the projects and the guessed
    /// project's first repositories at the same time.
    async fn picker(
        &self,
        token: &SecretString,
        guess: Option<&str>,
        refresh: bool,
    ) -> AppResult<RepositoryPicker> {
        NAMES.guess(guess)?;
        let rest = &self.rest;
        if refresh {
            rest.forget_cached(token);
        }
        let (projects, shown) = first_screen(
            guess.map(str::to_owned),
            rest.all_projects(token, Reading::Opening),
            |key| async move { rest.writable_repositories(token, &key, None, 0).await },
            |project: &RepositoryGroup| project.slug.as_str(),
        )
        .await?;
        Ok(picker_of(
            projects,
            shown.map(|(key, page)| (key, to_api_page(page, 0))),
        ))
    }

    async fn groups(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>> {
        Ok(self.rest.all_projects(token, Reading::Cached).await?)
    }

    /// Data Center's project list carries the names already.
    async fn group_names(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>> {
        self.groups(token).await
    }

    async fn repositories(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        refresh: bool,
    ) -> AppResult<Page<Repository>> {
        let project = NAMES.group(group)?;
        let start = start_of(cursor)?;
        if refresh {
            self.rest.forget_cached(token);
        }
        let page = self
            .rest
            .writable_repositories(token, project, search, start)
            .await?;
        Ok(to_api_page(page, start))
    }

    async fn main_branch(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<MainBranch> {
        branch::main_branch(&self.rest, NAMES, token, group, repo).await
    }

    async fn create_main_branch(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<MainBranch> {
        branch::create_main_branch(&self.rest, NAMES, token, group, repo).await
    }

    /// Reads the repository, then the account's permission on it and `main` at once
    /// ([`project::project_repository`]).
    async fn project_repository(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<ProjectRepository> {
        project::project_repository(&self.rest, NAMES, token, group, repo).await
    }

    fn pipelines(
        &self,
        connected: Connected,
        location: PipelineLocation,
    ) -> Box<dyn PipelineStore> {
        let files = DataCenterFiles {
            rest: self.rest.clone(),
        };
        ProviderPipelines::boxed(connected, location, files)
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
