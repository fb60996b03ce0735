//! A stand-in for GitHub as a GitHub App's user sees it: the web flow of "Generating a user
//! access token for a GitHub App" (`/login/oauth/authorize`, `/login/oauth/access_token`),
//! the installation page (`/apps/{slug}/installations/new`), "Authorized GitHub Apps"
//! (`/settings/apps/authorizations`), and the REST subset a Git-provider integration uses
//! under `/api/v3` (GitHub Enterprise Server's layout; the paths below it are
//! api.github.com's), in the shapes of GitHub's published description
//! (`sandbox/openapi/github.openapi.json`). Seeded users, organizations and installations,
//! fault injection and a control API (`/_control/…`) as in the Bitbucket sandboxes.
//!
//! Everything lives in memory behind one `std::sync::Mutex`, locked briefly and never across
//! an `.await`. Routes are relative to [`GitHubConfig::base_url`].

mod api;
mod control;
mod errors;
mod model;
mod oauth;
mod seed;
mod web;
mod world;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub use seed::{BIG_ORGS, BIG_REPOSITORIES_PER_ORG, PASSWORD};
pub use world::GitHubStats;
use world::World;

use crate::served::{built_on_core, Core};

/// A GitHub App registered with the sandbox, as under "Developer settings".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubApp {
    pub app_id: u64,
    pub slug: String,
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// The callback URL: an authorize `redirect_uri` must be exactly this.
    pub callback_url: String,
    /// Where GitHub sends the user after installing the app.
    pub setup_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct GitHubConfig {
    /// Public URL of the sandbox, without a trailing slash.
    pub base_url: String,
    pub apps: Vec<GitHubApp>,
}

/// A GitHub sandbox: cheap to clone (an `Arc`), all clones share one world.
#[derive(Clone)]
pub struct GitHub {
    inner: Arc<Inner>,
}

struct Inner {
    config: GitHubConfig,
    core: Core<World>,
}

built_on_core!(GitHub, World, "GitHub sandbox", "RunningGitHub");

impl GitHub {
    /// A sandbox holding the seeded world, with the control API off.
    pub fn new(mut config: GitHubConfig) -> GitHub {
        let world = World::seed(&config.apps);
        let core = Core::new(&mut config.base_url, world);
        GitHub {
            inner: Arc::new(Inner { config, core }),
        }
    }

    /// Every route, relative to `base_url`.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(oauth::routes())
            .merge(web::routes())
            .merge(api::routes(self))
            .merge(control::routes())
            .route("/_static/sandbox.css", get(stylesheet))
            .fallback(fallback)
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                crate::controls::gate::<GitHub>,
            ))
            .with_state(self.clone())
    }

    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    pub fn authorize_url(&self) -> String {
        format!("{}{}", self.base_url(), oauth::AUTHORIZE_PATH)
    }

    pub fn token_url(&self) -> String {
        format!("{}{}", self.base_url(), oauth::TOKEN_PATH)
    }

    /// `{base}/api/v3`: the REST API root.
    pub fn api_url(&self) -> String {
        format!("{}{}", self.base_url(), api::API)
    }

    pub fn install_url(&self, slug: &str) -> String {
        format!("{}/apps/{slug}/installations/new", self.base_url())
    }

    pub fn authorized_apps_url(&self) -> String {
        format!("{}{}", self.base_url(), oauth::AUTHORIZATIONS_PATH)
    }

    /// On by default, as GitHub always rotates: a refresh token is single use. Off, it stays
    /// usable (a lenient server, for tests of a client that must not depend on that).
    pub fn set_rotation(&self, on: bool) {
        self.world().oauth.rotation = on;
    }

    /// What Revoke under "Authorized GitHub Apps" does: every code and token of the user
    /// for the app dies.
    pub fn revoke(&self, login: &str, client_id: &str) {
        self.world().oauth.revoke(login, client_id);
    }

    /// Installs the app on all repositories of `account` (no-op if it is installed there).
    pub fn install(&self, account: &str, app_slug: &str) {
        self.world().install(account, app_slug);
    }

    pub fn uninstall(&self, account: &str, app_slug: &str) {
        self.world()
            .installations
            .retain(|i| !(i.account == account && i.app_slug == app_slug));
    }

    /// Back to the seeded world; hanging requests are released.
    pub fn reset(&self) {
        *self.world() = World::seed(&self.inner.config.apps);
        self.release_hangs();
    }

    /// Sets how many requests the user has left in the current hour (0: the next call is
    /// refused with 403 and `x-ratelimit-remaining: 0`).
    pub fn set_rate_limit_remaining(&self, login: &str, remaining: u32) {
        let mut world = self.world();
        let window = world.rate_window(login);
        window.used = world::RATE_LIMIT.saturating_sub(remaining);
    }

    /// Every code and token issued to the user that the sandbox remembers, live or dead.
    pub fn secrets_issued_to(&self, login: &str) -> Vec<String> {
        self.world().oauth.secrets_of(login)
    }

    /// A file's bytes at the tip of `branch`.
    pub fn file_on_branch(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        path: &str,
    ) -> Option<Vec<u8>> {
        let world = self.world();
        let tip = world.repository(owner, repo)?.tip(branch)?;
        tip.tree.get(path).map(|b| b.to_vec())
    }

    /// A commit pushed by someone else: sets (`Some`) or deletes (`None`) one file on a
    /// branch (created in an empty repository); answers its SHA.
    pub fn commit_elsewhere(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        path: &str,
        content: Option<&str>,
    ) -> Option<String> {
        let path = path.trim_matches('/');
        if path.is_empty() {
            return None;
        }
        self.world()
            .commit_file(
                owner,
                repo,
                branch,
                path,
                content.map(|c| Arc::from(c.as_bytes())),
                (world::COLLEAGUE_NAME, world::COLLEAGUE_EMAIL),
                "A colleague's change",
            )
            .map(|c| c.sha.clone())
    }

    pub(crate) fn app_by_client(&self, client_id: &str) -> Option<&GitHubApp> {
        self.inner
            .config
            .apps
            .iter()
            .find(|a| a.client_id == client_id)
    }

    pub(crate) fn app_by_slug(&self, slug: &str) -> Option<&GitHubApp> {
        self.inner.config.apps.iter().find(|a| a.slug == slug)
    }
}

impl World {
    /// Installs `app_slug` on all repositories of `account`; answers the installation id.
    pub(crate) fn install(&mut self, account: &str, app_slug: &str) -> u64 {
        if let Some(i) = self
            .installations
            .iter()
            .find(|i| i.account == account && i.app_slug == app_slug)
        {
            return i.id;
        }
        self.next_installation_id += 1;
        let id = 40_000 + self.next_installation_id;
        let created_at = self.now_unix();
        self.installations.push(model::Installation {
            id,
            account: account.to_owned(),
            app_slug: app_slug.to_owned(),
            selection: model::Selection::All,
            created_at,
        });
        id
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::html::STYLESHEET,
    )
        .into_response()
}

async fn fallback(State(gh): State<GitHub>, uri: Uri) -> Response {
    not_found_page(&gh, uri.path())
}

/// GitHub's 404: its error body under the API, a page elsewhere.
pub(crate) fn not_found_page(gh: &GitHub, path: &str) -> Response {
    if path.starts_with(api::API) {
        return errors::ApiError::not_found().into_response();
    }
    oauth::pages::error_page(
        gh,
        axum::http::StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address in the GitHub sandbox.",
    )
}

/// A GitHub sandbox served on a local port.
pub type RunningGitHub = crate::Running<GitHub>;

/// Serves a new GitHub sandbox on `127.0.0.1:0` at the root, control API enabled.
pub async fn spawn(apps: Vec<GitHubApp>) -> std::io::Result<RunningGitHub> {
    crate::served::serve(crate::served::LOOPBACK, |base_url| {
        GitHub::new(GitHubConfig { base_url, apps })
    })
    .await
}
