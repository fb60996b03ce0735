//! The Git providers the studio keeps pipelines in, behind one interface.
//!
//! Each configured provider is a [`Provider`]: what the app shows of it
//! ([`api::ProviderInfo`]), its users' authorizations ([`grants::Grants`]: the OAuth client,
//! encrypted tokens, refresh in single flight across instances) and its REST side, a
//! [`GitHost`]. The routes, the store and the app speak only of providers; what is Cloud's
//! lives in [`crate::providers::bitbucket_cloud`], what is Data Center's in [`crate::providers::bitbucket_datacenter`].
//!
//! - [`oauth`]: the authorization-code exchange and refresh, configured per provider
//!   (endpoints, client authentication, PKCE, scopes).
//! - [`grants`]: a user's stored authorization over its life.
//! - [`picker`]: the repository step's first screen in one round trip, for every provider.
//! - [`turns`]: one commit at a time per branch on this instance.
//! - [`cursor`]: the app's sealed cursors for the next page of a list.
//! - [`body`]: every answer from a provider is read through here, bounded in size.
//! - [`error`]: what can go wrong talking to a provider, and what the user is told.

pub mod bitbucket_cloud;
pub mod bitbucket_datacenter;
pub mod body;
pub mod cursor;
pub mod error;
pub mod grants;
pub mod oauth;
pub mod picker;
pub mod turns;

use std::sync::Arc;

use api::{
    GitProvider, MainBranch, Page, PipelineFolder, Repository, RepositoryGroup, RepositoryPicker,
};
use async_trait::async_trait;
use secrecy::SecretString;

pub use error::BitbucketError;
pub use grants::Grants;

use crate::error::{AppError, AppResult};
use crate::pipelines::PipelineStore;

/// Who an access token belongs to, as read right after the code exchange.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The provider's immutable id of the account (Cloud's `{uuid}`, Data Center's user id).
    pub uuid: String,
    pub account_id: Option<String>,
    /// The handle (Cloud's nickname, Data Center's user slug).
    pub nickname: Option<String>,
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// The group the repository step opens first, when it could be read alongside.
    pub first_group: Option<String>,
}

/// A repository the user may make a project of: writable, with the studio's branch.
#[derive(Clone, Debug)]
pub struct ProjectRepository {
    pub workspace: String,
    pub slug: String,
    pub full_name: String,
    pub html_url: String,
}

/// Where a project's pipelines are, as the store keeps it.
#[derive(Clone, Debug)]
pub struct PipelineLocation {
    pub user_id: i64,
    pub workspace: String,
    pub repo: String,
    pub full_name: String,
    pub branch: String,
    pub folder: PipelineFolder,
}

/// A provider's REST side: every call the studio makes, with the user's own token (each
/// implementation runs its calls through its [`Grants::with_token`]). Names are validated by
/// the implementation before they reach a URL.
#[async_trait]
pub trait GitHost: Send + Sync {
    /// Who a freshly issued access token belongs to.
    async fn identify(&self, token: &SecretString) -> Result<Identity, BitbucketError>;
    /// Proves the stored authorization still works (the Connections status check).
    async fn check(&self, user_id: i64) -> AppResult<()>;
    /// The repository step's first screen: the groups, and the first writable repositories
    /// of `guess` if the account has it, else of the first group.
    async fn picker(
        &self,
        user_id: i64,
        guess: Option<String>,
        refresh: bool,
    ) -> AppResult<RepositoryPicker>;
    /// Every group of the account.
    async fn groups(&self, user_id: i64) -> AppResult<Vec<RepositoryGroup>>;
    /// The groups with their human names.
    async fn group_names(&self, user_id: i64) -> AppResult<Vec<RepositoryGroup>>;
    /// One page of a group's repositories the user can write to, searched by name.
    async fn repositories(
        &self,
        user_id: i64,
        workspace: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        refresh: bool,
    ) -> AppResult<Page<Repository>>;
    async fn main_branch(&self, user_id: i64, workspace: &str, repo: &str)
        -> AppResult<MainBranch>;
    /// Creates `main` from the default branch, or as the first commit of an empty repository.
    async fn create_main_branch(
        &self,
        user_id: i64,
        workspace: &str,
        repo: &str,
    ) -> AppResult<MainBranch>;
    /// The repository for a new project; refuses one the user cannot write to or without
    /// `main`.
    async fn project_repository(
        &self,
        user_id: i64,
        workspace: &str,
        repo: &str,
    ) -> AppResult<ProjectRepository>;
    /// The store of a project's pipelines on this provider.
    fn pipelines(&self, location: PipelineLocation) -> Box<dyn PipelineStore>;
}

/// One configured provider.
pub struct Provider {
    pub info: api::ProviderInfo,
    pub grants: Arc<Grants>,
    pub host: Arc<dyn GitHost>,
}

impl Provider {
    pub fn id(&self) -> GitProvider {
        self.info.provider
    }
}

/// The configured providers, in the order the wizard offers them.
#[derive(Default)]
pub struct Providers {
    list: Vec<Provider>,
}

impl Providers {
    pub fn new(list: Vec<Provider>) -> Self {
        Self { list }
    }

    /// The provider, or 404 when this server has not configured it.
    pub fn get(&self, id: GitProvider) -> AppResult<&Provider> {
        self.list
            .iter()
            .find(|p| p.id() == id)
            .ok_or_else(not_configured)
    }

    /// The provider named by a stored row's slug; a row of an unconfigured provider is 404.
    pub fn by_slug(&self, slug: &str) -> AppResult<&Provider> {
        GitProvider::from_slug(slug)
            .ok_or_else(not_configured)
            .and_then(|id| self.get(id))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Provider> {
        self.list.iter()
    }
}

fn not_configured() -> AppError {
    AppError::NotFound("This Git provider (not configured on this server)".into())
}

/// The refusal of a project in a repository without the studio's branch.
pub fn missing_main(full_name: &str) -> AppError {
    AppError::InvalidInput {
        field: "repository",
        message: format!(
            "{full_name} has no branch named {}, where the studio keeps pipelines. Go back to the branch step to create it.",
            api::PROJECT_BRANCH
        ),
    }
}
