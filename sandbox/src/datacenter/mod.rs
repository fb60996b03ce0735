//! A stand-in for Bitbucket Data Center 9.2: OAuth 2.0 as an incoming application link
//! (`/rest/oauth2/latest/…`, sign-in and consent pages, token endpoint), the REST subset a
//! studio needs (`/rest/api/latest/…`, `/rest/branch-utils/latest/…`) in the shapes of
//! Atlassian's document (`sandbox/openapi/bitbucket-datacenter.openapi.json`), seeded users
//! and projects (10,000 writable repositories for `bigdc`), fault injection, and a control
//! API (`/_control/…`) mirroring the Cloud sandbox's.
//!
//! Everything lives in memory behind one `std::sync::Mutex`, locked briefly and never across
//! an `.await`, as in the Cloud sandbox. Routes are relative to
//! [`DataCenterConfig::base_url`]: the studio nests [`DataCenter::router`] under
//! `/_sandbox/bitbucket-dc`, tests serve it at the root of a port with [`spawn`]; cookie
//! paths and redirects use the base URL's path.

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
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub use seed::{BIG_PROJECTS, BIG_REPOSITORIES_PER_PROJECT, PASSWORD};
pub use world::DcStats;
use world::World;

use crate::served::{built_on_core, Core};

/// An incoming application link: the studio as Data Center knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DcClient {
    pub id: String,
    pub secret: String,
    pub name: String,
    /// Compared exactly: DC allows no variation.
    pub redirect_uri: String,
}

#[derive(Debug, Clone)]
pub struct DataCenterConfig {
    /// Public URL of the sandbox, without a trailing slash, e.g.
    /// `http://127.0.0.1:3000/_sandbox/bitbucket-dc` or `http://127.0.0.1:41234`.
    pub base_url: String,
    pub clients: Vec<DcClient>,
}

/// A Data Center sandbox: cheap to clone (an `Arc`), all clones share one world.
#[derive(Clone)]
pub struct DataCenter {
    inner: Arc<Inner>,
}

struct Inner {
    config: DataCenterConfig,
    core: Core<World>,
}

built_on_core!(
    DataCenter,
    World,
    "Data Center sandbox",
    "RunningDataCenter"
);

impl DataCenter {
    /// A sandbox holding the seeded world, with the control API off.
    pub fn new(mut config: DataCenterConfig) -> DataCenter {
        let core = Core::new(&mut config.base_url, World::seed());
        DataCenter {
            inner: Arc::new(Inner { config, core }),
        }
    }

    /// Every route, relative to `base_url`.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(oauth::routes())
            .merge(api::routes(self))
            .merge(control::routes())
            .merge(web::routes())
            .route("/_static/sandbox.css", get(stylesheet))
            .fallback(fallback)
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                crate::controls::gate::<DataCenter>,
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

    /// `{base}/rest`: `api/latest` and `branch-utils/latest` live under it.
    pub fn rest_url(&self) -> String {
        format!("{}/rest", self.base_url())
    }

    /// Refresh-token rotation (on by default): each refresh returns a new refresh token and
    /// the old one dies at once. Off, a refresh returns the same refresh token.
    pub fn set_rotation(&self, on: bool) {
        self.world().oauth.rotation = on;
    }

    /// What revoking the application's access on the user's account does: the grant, its
    /// codes, access and refresh tokens all die.
    pub fn revoke(&self, user_slug: &str, client_id: &str) {
        self.world().oauth.revoke(user_slug, client_id);
    }

    /// Back to the seeded world: grants, sessions, tokens, counters, faults, latency,
    /// rotation, clock offset and every commit are forgotten; hanging requests are released.
    pub fn reset(&self) {
        *self.world() = World::seed();
        self.release_hangs();
    }

    /// Every code, access token and refresh token issued to the user that the sandbox still
    /// remembers, live or dead: for tests proving no secret leaks.
    pub fn secrets_issued_to(&self, user_slug: &str) -> Vec<String> {
        self.world().oauth.secrets_of(user_slug)
    }

    /// A file's text at the tip of `branch`; `None` when the repository, branch or file is
    /// not there.
    pub fn file_on_branch(
        &self,
        project_key: &str,
        repo_slug: &str,
        branch: &str,
        path: &str,
    ) -> Option<String> {
        let world = self.world();
        let repo = world.repository(project_key, repo_slug)?;
        let tip = repo.commits.get(repo.branches.get(branch)?)?;
        tip.tree
            .get(path)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    /// A colleague's commit made elsewhere: sets (`Some`) or deletes (`None`) one file on a
    /// branch; returns the new commit id. The branch must exist (or the repository be empty).
    pub fn commit_elsewhere(
        &self,
        project_key: &str,
        repo_slug: &str,
        branch: &str,
        path: &str,
        content: Option<&str>,
    ) -> Result<String, String> {
        let path = api_path(path)?;
        self.world()
            .commit_file(
                project_key,
                repo_slug,
                branch,
                None,
                &path,
                content.map(|c| Arc::from(c.as_bytes())),
                (world::COLLEAGUE_NAME, world::COLLEAGUE_EMAIL),
                "A colleague's change",
            )
            .map(|c| c.id.clone())
    }

    pub(crate) fn client(&self, id: &str) -> Option<&DcClient> {
        self.inner.config.clients.iter().find(|c| c.id == id)
    }
}

/// A file path given to [`DataCenter::commit_elsewhere`], checked as the REST API checks one.
fn api_path(path: &str) -> Result<String, String> {
    match api::repo_path(path) {
        Ok(p) if !p.is_empty() => Ok(p),
        Ok(_) => Err("a file path is required".to_owned()),
        Err(e) => Err(e.message),
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

async fn fallback(State(dc): State<DataCenter>, uri: Uri) -> Response {
    not_found_page(&dc, uri.path())
}

/// DC's 404: the errors body under `/rest`, a page elsewhere.
pub(crate) fn not_found_page(dc: &DataCenter, path: &str) -> Response {
    if path.starts_with("/rest/") {
        return api::not_found();
    }
    oauth::error_page(
        dc,
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address in the Bitbucket Data Center sandbox.",
    )
}

/// A Data Center sandbox served on a local port.
pub type RunningDataCenter = crate::Running<DataCenter>;

/// Serves a new Data Center sandbox on `127.0.0.1:0` (`url` `http://127.0.0.1:{port}`),
/// control API enabled. Returns as soon as the port is bound.
pub async fn spawn(clients: Vec<DcClient>) -> std::io::Result<RunningDataCenter> {
    crate::served::serve(crate::served::LOOPBACK, |base_url| {
        DataCenter::new(DataCenterConfig { base_url, clients })
    })
    .await
}
