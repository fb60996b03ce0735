//! The Git providers the studio keeps pipelines in, behind one interface.
//!
//! Each configured provider is a [`Provider`]: what the app shows of it
//! ([`api::ProviderInfo`]), its users' authorizations ([`grants::Grants`]: the OAuth client,
//! encrypted tokens, refresh in single flight across instances) and its REST side, a
//! [`GitHost`]. The routes, the store and the app speak only of providers; what is Cloud's
//! lives in [`crate::providers::bitbucket_cloud`], what is Data Center's in
//! [`crate::providers::bitbucket_datacenter`], what is GitHub's in [`crate::providers::github`].
//!
//! - [`oauth`]: the authorization-code exchange and refresh, configured per provider
//!   (endpoints, client authentication, PKCE, scopes).
//! - [`grants`]: a user's stored authorization over its life.
//! - [`picker`]: the repository step's first screen in one round trip, for every provider.
//! - [`host`]: the one implementation of [`GitHost`], over each provider's
//!   [`HostPrimitives`].
//! - [`branch`]: the studio's `main` branch: is it there, creating it; [`project`]: checking
//!   a new project's repository. Both over each provider's primitive calls.
//! - [`turns`]: one commit at a time per branch on this instance.
//! - [`cursor`]: the app's sealed cursors for the next page of a list.
//! - [`cache`]: a minute's memory of answers per user, the same for every provider.
//! - [`body`]: every answer from a provider is read through here, bounded in size.
//! - [`error`]: what can go wrong talking to a provider, and what the user is told.
//! - [`refusal`]: the one mapping of a provider's HTTP refusals to errors, from each
//!   provider's table of what its statuses mean.
//! - [`registry`]: the providers this server knows, in order: their flags, their settings,
//!   their registration.

pub mod at_commit;
pub mod bitbucket_cloud;
pub mod bitbucket_datacenter;
pub mod body;
pub mod branch;
pub mod branching;
pub mod cache;
pub mod cursor;
pub mod error;
pub mod github;
pub mod grants;
pub mod host;
pub mod oauth;
pub mod picker;
pub mod pipelines;
pub mod project;
pub mod refusal;
pub mod registry;
pub mod turns;
pub mod upstream;

use std::future::Future;
use std::sync::Arc;

use api::{
    GitProvider, MainBranch, Page, PipelineFolder, Repository, RepositoryGroup, RepositoryPicker,
};
use async_trait::async_trait;
use secrecy::SecretString;

pub use branching::{BranchPage, Compared};
pub use error::ProviderError;
pub use grants::Grants;
pub use host::HostPrimitives;

use crate::crypto::TokenCipher;
use crate::error::{AppError, AppResult};
use crate::pipelines::PipelineStore;
use crate::store::Db;
use crate::telemetry::Metrics;

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
    /// The provider's group of repositories the repository is in.
    pub group: String,
    pub slug: String,
    pub full_name: String,
    pub html_url: String,
}

/// Where a project's pipelines are, as the store keeps it.
#[derive(Clone, Debug)]
pub struct PipelineLocation {
    pub user_id: i64,
    /// The provider's group of repositories (Cloud's workspace, Data Center's project key).
    pub group: String,
    pub repo: String,
    pub full_name: String,
    pub branch: String,
    pub folder: PipelineFolder,
}

/// A project's repository, as its row names it: checked by the provider's name rule again
/// before any call.
#[derive(Clone, Copy, Debug)]
pub struct BranchAt<'a> {
    pub group: &'a str,
    pub repo: &'a str,
}

/// A provider's REST side: every call the studio makes, each with the access token it is
/// given. Getting that token, refreshing it, making the call once more after a refresh and
/// marking the link "reconnect needed" happen in one place above every provider,
/// [`Provider::call`] (over [`Grants::with_token`]); an implementation never sees a user id.
/// Names are validated by the implementation before they reach a URL. A provider's group of
/// repositories (Cloud's workspace, Data Center's project) is a `group` here.
///
/// Its one implementation is written once, in [`host`], over each provider's
/// [`HostPrimitives`].
#[async_trait]
pub trait GitHost: Send + Sync {
    /// Who a freshly issued access token belongs to.
    async fn identify(&self, token: &SecretString) -> Result<Identity, ProviderError>;
    /// Proves the token still works (the Connections status check), with a read the
    /// repository step's opening takes over.
    async fn check(&self, token: &SecretString) -> AppResult<()>;
    /// The repository step's first screen: the groups, and the first writable repositories
    /// of `guess` if the account has it, else of the first group. `refresh` asks the
    /// provider again instead of reusing a recent answer.
    async fn picker(
        &self,
        token: &SecretString,
        guess: Option<&str>,
        refresh: bool,
    ) -> AppResult<RepositoryPicker>;
    /// Every group of the account.
    async fn groups(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>>;
    /// The groups with their human names.
    async fn group_names(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>>;
    /// One page of a group's repositories the user can write to, searched by name.
    async fn repositories(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        refresh: bool,
    ) -> AppResult<Page<Repository>>;
    async fn main_branch(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<MainBranch>;
    /// Creates `main` from the default branch, or as the first commit of an empty repository.
    async fn create_main_branch(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<MainBranch>;
    /// The repository for a new project; refuses one the user cannot write to or without
    /// `main`.
    async fn project_repository(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<ProjectRepository>;
    /// Revokes the user's grant at the provider (Disconnect); `false` where the provider
    /// gives the studio no way to.
    async fn revoke(&self, token: &SecretString) -> AppResult<bool>;
    /// One screen of the repository's branch names, those containing `search` if given.
    async fn branch_names(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        search: Option<&str>,
    ) -> AppResult<BranchPage>;
    /// Creates branch `name` at the tip of `from`.
    async fn create_branch(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        name: &str,
        from: &str,
    ) -> AppResult<()>;
    /// `head` against `base`; `None` when `head` is not there any more.
    async fn compare(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        base: &str,
        head: &str,
    ) -> AppResult<Option<Compared>>;
    /// One file's diff from where `head` left `base` to `head`, bounded; whether it was cut.
    async fn file_diff(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        base: &str,
        head: &str,
        path: &str,
    ) -> AppResult<(Vec<api::DiffHunk>, bool)>;
    /// The provider's page creating a pull request of `head` into `base`, from the
    /// repository's page (`None` when that is not an http(s) URL).
    fn pull_request_url(
        &self,
        repository_page: &str,
        head: &str,
        base: &str,
    ) -> AppResult<Option<String>>;
    /// The store of a project's pipelines on this provider, its calls made through
    /// `connected` (the project's user's token).
    fn pipelines(&self, connected: Connected, location: PipelineLocation)
        -> Box<dyn PipelineStore>;
}

/// One user's authorization of one provider: what a pipeline store calls through, so its
/// calls get, refresh and retry the token in the same one place as the routes'.
#[derive(Clone)]
pub struct Connected {
    pub grants: Arc<Grants>,
    pub user_id: i64,
}

impl Connected {
    /// Runs `call` with the user's access token ([`Grants::with_token`]).
    pub async fn call<T, F, Fut>(&self, call: F) -> AppResult<T>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        self.grants.with_token(self.user_id, call).await
    }

    /// The name of the account the user authorized as (the author of their commits).
    pub async fn account_name(&self) -> AppResult<String> {
        Ok(self
            .grants
            .account_name(self.user_id)
            .await?
            .unwrap_or_default())
    }
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

    /// Runs `call` on this provider's host with `user_id`'s access token: the one place the
    /// routes reach a provider through (see [`GitHost`]).
    pub async fn call<'a, T, F, Fut>(&'a self, user_id: i64, call: F) -> AppResult<T>
    where
        F: Fn(&'a dyn GitHost, SecretString) -> Fut,
        Fut: Future<Output = AppResult<T>> + 'a,
    {
        let host: &'a dyn GitHost = &*self.host;
        self.grants
            .with_token(user_id, |token| call(host, token))
            .await
    }

    /// The store of a project's pipelines, acting as `location`'s user.
    pub fn pipelines(&self, location: PipelineLocation) -> Box<dyn PipelineStore> {
        let connected = Connected {
            grants: Arc::clone(&self.grants),
            user_id: location.user_id,
        };
        self.host.pipelines(connected, location)
    }
}

/// What the server hands every provider's constructor (each folder's `provider` function,
/// called from the one list in [`registry`]).
pub struct Shared<'a> {
    /// The outgoing client: no redirects, bounded timeouts.
    pub http: &'a reqwest::Client,
    pub db: &'a Db,
    pub cipher: &'a Arc<TokenCipher>,
    pub metrics: &'a Arc<Metrics>,
}

impl Shared<'_> {
    /// A provider from what its folder supplies: how the app names it, its OAuth client and
    /// its REST side. Its stored authorizations and every failure of its calls go by the name
    /// the app uses in sentences (its wording's `short_name`, else its name).
    pub fn provider(
        &self,
        info: api::ProviderInfo,
        oauth: &oauth::OAuthSettings,
        host: impl GitHost + 'static,
    ) -> Result<Provider, url::ParseError> {
        let name = match info.wording.short_name.as_str() {
            "" => info.name.clone(),
            short => short.to_owned(),
        };
        let grants = Arc::new(Grants::new(
            info.provider,
            &name,
            oauth::ProviderOAuth::new(oauth, self.http.clone(), self.metrics.clone())?,
            self.db.clone(),
            self.cipher.clone(),
            self.metrics.clone(),
        ));
        Ok(Provider {
            info,
            grants,
            host: Arc::new(host),
        })
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

/// How a provider checks the names the app sends (a group, a repository) before any goes
/// into a URL: its rule for one name (ARCHITECTURE.md: "one validated, percent-encoded
/// segment at a time") and its word for a group, which the refusal names.
#[derive(Clone, Copy)]
pub struct NameRule {
    pub check: for<'a> fn(&'a str, &'static str) -> Result<&'a str, ProviderError>,
    pub group: &'static str,
}

impl NameRule {
    pub fn group<'a>(&self, group: &'a str) -> Result<&'a str, ProviderError> {
        (self.check)(group, self.group)
    }

    /// A guessed group, checked like any other when there is one.
    pub fn guess(&self, guess: Option<&str>) -> Result<(), ProviderError> {
        guess.map_or(Ok(()), |guess| self.group(guess).map(drop))
    }

    /// A group and a repository in it, the group checked first.
    pub fn group_and_repo<'a>(
        &self,
        group: &'a str,
        repo: &'a str,
    ) -> Result<(&'a str, &'a str), ProviderError> {
        Ok((self.group(group)?, (self.check)(repo, "repository")?))
    }
}

/// How a provider's address is shown beside its name: its host, with its port when it has one.
pub fn shown_host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_owned();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_else(|| url.to_owned())
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
