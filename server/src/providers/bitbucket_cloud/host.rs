//! Bitbucket Cloud as a [`crate::providers::GitHost`], through its [`HostPrimitives`]: the REST calls of [`super::rest`], [`super::branches`]
//! and [`super::source`], each made with the token it is given.
//!
//! Bitbucket allows each user 1,000 calls an hour on `/2.0/repositories/…`: answers are
//! cached for a minute per user ([`crate::providers::cache`]), `refresh` (the picker's Refresh) asks
//! again, and a 429 tells the user when they can go on.

use api::{Page, Repository, RepositoryGroup};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;

use super::model::WorkspaceRef;
use super::pipelines::CloudFiles;
use super::rest::{slug, BitbucketRest, Reading, RepositoryPage};
use crate::providers::{HostPrimitives, Identity, NameRule, ProviderError};

/// Workspaces and repositories are named by their slugs.
pub(super) const NAMES: NameRule = NameRule {
    check: slug,
    group: "workspace",
};

/// Workspace names asked for at once.
const NAMES_AT_ONCE: usize = 4;

pub struct CloudHost {
    pub rest: BitbucketRest,
}

#[async_trait]
impl HostPrimitives for CloudHost {
    type Calls = BitbucketRest;
    type Files = CloudFiles;
    /// Bitbucket's `next` link, sealed for the app (checked in
    /// [`BitbucketRest::writable_repositories`]).
    type Cursor = Option<String>;
    const NAMES: NameRule = NAMES;
    /// `GET /user/workspaces` answers 401 to a token it does not accept (Atlassian's Cloud
    /// document, `../shared/bitbucket/cloud-openapi.subset.json`).
    const GROUPS_PROVE_THE_TOKEN: bool = true;

    fn calls(&self) -> &BitbucketRest {
        &self.rest
    }

    fn files(&self) -> CloudFiles {
        CloudFiles {
            rest: self.rest.clone(),
        }
    }

    async fn account(&self, token: &SecretString) -> Result<Identity, ProviderError> {
        let account = self.rest.current_user(token).await?;
        Ok(Identity {
            uuid: account.uuid,
            account_id: account.account_id,
            nickname: account.nickname,
            display_name: account.display_name,
            avatar_url: account.avatar_url,
            first_group: None,
        })
    }

    /// The first workspace by slug; its page is handed over to the repository step's
    /// opening read.
    async fn first_group(&self, token: &SecretString) -> Result<Option<String>, ProviderError> {
        let first = self.rest.first_workspace(token).await?;
        Ok(first.map(|workspace| workspace.slug))
    }

    /// The workspace list; usually read, and handed over, by the authorization itself.
    async fn read_groups(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<RepositoryGroup>, ProviderError> {
        let workspaces = self.rest.all_workspaces(token, reading).await?;
        Ok(workspaces.into_iter().map(to_api_workspace).collect())
    }

    /// The names the workspace list carried (usually all of them), and for each it did not,
    /// `GET /workspaces/{workspace}`, a few at a time, cached for an hour: asked for after
    /// the first screen, which shows slugs meanwhile, so the names never delay the first
    /// repositories. A workspace whose name cannot be read keeps its slug.
    async fn named_groups(
        &self,
        token: &SecretString,
    ) -> Result<Vec<RepositoryGroup>, ProviderError> {
        let rest = &self.rest;
        let workspaces = rest.all_workspaces(token, Reading::Cached).await?;
        let named = futures::stream::iter(workspaces)
            .map(|workspace| async move {
                if workspace.name.is_some() {
                    return Ok(workspace);
                }
                let name = match rest.workspace_name(token, &workspace.slug).await {
                    Ok(name) => name,
                    Err(
                        error @ (ProviderError::Unauthorized { .. }
                        | ProviderError::RateLimited { .. }),
                    ) => return Err(error),
                    Err(error) => {
                        tracing::debug!(%error, "a workspace name could not be read");
                        None
                    }
                };
                Ok(WorkspaceRef { name, ..workspace })
            })
            .buffered(NAMES_AT_ONCE)
            .try_collect::<Vec<_>>()
            .await?;
        Ok(named.into_iter().map(to_api_workspace).collect())
    }

    fn cursor(&self, raw: Option<&str>) -> Result<Option<String>, ProviderError> {
        Ok(raw.map(str::to_owned))
    }

    async fn repository_page(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        cursor: Option<String>,
    ) -> Result<Page<Repository>, ProviderError> {
        let page = self
            .rest
            .writable_repositories(token, group, search, cursor.as_deref())
            .await?;
        Ok(to_api_page(page))
    }
}

fn to_api_workspace(workspace: WorkspaceRef) -> RepositoryGroup {
    RepositoryGroup {
        slug: workspace.slug,
        name: workspace.name,
    }
}

fn to_api_page(page: RepositoryPage) -> Page<Repository> {
    Page {
        values: page.values,
        next: page.next,
        size: page.size,
    }
}
