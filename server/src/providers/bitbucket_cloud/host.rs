//! Bitbucket Cloud as a [`GitHost`]: the REST calls of [`super::rest`], [`super::branches`]
//! and [`super::source`], each made with the token it is given.
//!
//! Bitbucket allows each user 1,000 calls an hour on `/2.0/repositories/…`: answers are
//! cached for a minute per user ([`crate::providers::cache`]), `refresh` (the picker's Refresh) asks
//! again, and a 429 tells the user when they can go on.

use api::{MainBranch, Page, Repository, RepositoryGroup, RepositoryPicker};
use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use secrecy::SecretString;

use super::model::WorkspaceRef;
use super::pipelines::CloudFiles;
use super::rest::{slug, BitbucketRest, Reading, RepositoryPage, Rest};
use crate::error::AppResult;
use crate::pipelines::PipelineStore;
use crate::providers::picker::{first_screen, picker_of, FirstScreen};
use crate::providers::pipelines::ProviderPipelines;
use crate::providers::{branch, project};
use crate::providers::{
    Connected, GitHost, Identity, NameRule, PipelineLocation, ProjectRepository, ProviderError,
};

/// Workspaces and repositories are named by their slugs.
const NAMES: NameRule = NameRule {
    check: slug,
    group: "workspace",
};

/// Workspace names asked for at once.
const NAMES_AT_ONCE: usize = 4;

pub struct CloudHost {
    pub rest: BitbucketRest,
}

#[async_trait]
impl GitHost for CloudHost {
    /// The account, and alongside it (no added wait) the first workspace, so the repository
    /// step can open on it at once. The workspace is a convenience: failing to read it fails
    /// nothing.
    async fn identify(&self, token: &SecretString) -> Result<Identity, ProviderError> {
        let (account, first_workspace) = tokio::join!(
            self.rest.current_user(token),
            self.rest.first_workspace(token)
        );
        let account = account?;
        Ok(Identity {
            uuid: account.uuid,
            account_id: account.account_id,
            nickname: account.nickname,
            display_name: account.display_name,
            avatar_url: account.avatar_url,
            first_group: first_workspace.ok().flatten().map(|w| w.slug),
        })
    }

    async fn check(&self, token: &SecretString) -> AppResult<()> {
        Ok(self.rest.current_user(token).await.map(drop)?)
    }

    /// One round trip as a rule (see [`first_screen`]); the workspace list was usually read,
    /// and cached, by the authorization itself.
    async fn picker(
        &self,
        token: &SecretString,
        guess: Option<&str>,
        refresh: bool,
    ) -> AppResult<RepositoryPicker> {
        NAMES.guess(guess)?;
        if refresh {
            self.rest.forget_cached(token);
        }
        let (workspaces, shown) =
            first_workspace_screen(&self.rest, token, guess.map(str::to_owned)).await?;
        Ok(picker_of(
            workspaces.into_iter().map(to_api_workspace).collect(),
            shown.map(|(workspace, page)| (workspace, to_api_page(page))),
        ))
    }

    async fn groups(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>> {
        let workspaces = self.rest.all_workspaces(token, Reading::Cached).await?;
        Ok(workspaces.into_iter().map(to_api_workspace).collect())
    }

    /// `GET /workspaces/{workspace}` each, a few at a time, cached for an hour: asked for
    /// after the first screen, which shows slugs, so the names never delay the first
    /// repositories. A workspace whose name cannot be read keeps its slug.
    async fn group_names(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>> {
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

    async fn repositories(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        refresh: bool,
    ) -> AppResult<Page<Repository>> {
        let workspace = NAMES.group(group)?;
        if refresh {
            self.rest.forget_cached(token);
        }
        let page = self
            .rest
            .writable_repositories(token, workspace, search, cursor)
            .await?;
        Ok(to_api_page(page))
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

    /// Reads the repository, then the account's permission on it, then `main`
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
        let files = CloudFiles {
            rest: self.rest.clone(),
        };
        ProviderPipelines::boxed(connected, location, files)
    }
}

/// The workspaces and the repositories to show first. With a `guess`, both are asked for at
/// once; the guess is used only if the account has that workspace, else (and without a
/// guess) the first workspace's repositories are fetched after the list.
/// The workspaces and a workspace's first repositories (see [`first_screen`]); the list
/// is read as the repository step's opening one, taking over what the authorization read.
async fn first_workspace_screen(
    rest: &BitbucketRest,
    token: &SecretString,
    guess: Option<String>,
) -> Result<FirstScreen<WorkspaceRef, RepositoryPage>, ProviderError> {
    first_screen(
        guess,
        rest.all_workspaces(token, Reading::Opening),
        |workspace| async move {
            rest.writable_repositories(token, &workspace, None, None)
                .await
        },
        |workspace: &WorkspaceRef| workspace.slug.as_str(),
    )
    .await
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
