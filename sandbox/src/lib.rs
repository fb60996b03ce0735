//! A stand-in for Bitbucket Cloud: its OAuth 2.0 pages (`/site/oauth2/…`), a
//! subset of REST API 2.0 (`/2.0/…`), a few website pages, and a control API
//! (`/_control/…`) for tests.
//!
//! The studio's dev mode, its tests and its benchmarks run against this crate
//! instead of bitbucket.org, so it copies Bitbucket's paths, parameter names,
//! status codes, JSON shapes and error bodies; where Bitbucket's behaviour is
//! undocumented it takes the strict reading, so code that works here does not
//! lean on leniency production may not have.
//!
//! Everything lives in memory behind one `std::sync::Mutex` (module
//! `world`); handlers lock it briefly and never across an `.await`.
//!
//! All routes are relative to [`SandboxConfig::base_url`]: the server nests
//! [`Sandbox::router`] under `/_sandbox/bitbucket`, tests serve it at the root
//! of a port with [`spawn`].

// `serde_json::json!` of GitHub's repository shape (over 90 fields) nests deeper than the default.
#![recursion_limit = "256"]

mod api;
mod clock;
mod control;
mod controls;
/// The Bitbucket Data Center 9.2 stand-in, built from the same parts.
pub mod datacenter;
mod directory;
mod files;
/// The GitHub stand-in: a GitHub App's web flow and installation pages, and the REST subset
/// a Git-provider integration uses.
pub mod github;
mod history;
mod html;
mod ids;
mod oauth;
mod seed;
mod served;
mod sessions;
mod web;
mod world;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use controls::{Fault, FaultKind, MAX_HANG};
pub use served::Running;
use world::World;

/// An OAuth consumer registered with the sandbox, as configured under a
/// workspace's "OAuth consumers" on bitbucket.org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    pub key: String,
    pub secret: String,
    pub name: String,
    pub callback_url: String,
    /// The boxes ticked on the consumer, e.g. `["account", "repository:write"]`.
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Public URL of the sandbox, without a trailing slash, e.g.
    /// `http://127.0.0.1:3000/_sandbox/bitbucket` or `http://127.0.0.1:41234`.
    pub base_url: String,
    pub consumers: Vec<Consumer>,
    /// When false, PKCE is checked only if the authorize request carried a
    /// `code_challenge`; when true, an authorize request without one is
    /// refused.
    pub require_pkce: bool,
}

/// Counters exposed by [`Sandbox::stats`] and `GET /_control/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub token_requests: TokenRequestStats,
    /// Every request under `/2.0`, including refused and faulted ones.
    pub api_requests: u64,
    /// `"GET /2.0/user/workspaces"` → count, keyed by route template, so
    /// benchmarks can assert how many upstream round trips a screen costs.
    pub api_requests_by_endpoint: BTreeMap<String, u64>,
    /// `GET /site/oauth2/authorize` hits.
    pub authorize_requests: u64,
    /// Responses replaced by an injected fault.
    pub faults_injected: u64,
    /// Most API requests answered at the same time: 2 when a screen's two calls went out
    /// together, 1 when one waited for the other.
    pub max_api_in_flight: u64,
    /// The `X-Request-Id` of the latest API and token requests that carried one (the newest
    /// last; at most [`REQUEST_IDS_KEPT`]), so a test can follow a studio request upstream.
    #[serde(default)]
    pub request_ids: Vec<String>,
}

/// How many request ids [`Stats::request_ids`] keeps.
pub const REQUEST_IDS_KEPT: usize = 256;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequestStats {
    pub authorization_code: u64,
    pub refresh_token: u64,
    /// Refreshes that presented a refresh token already exchanged (rotation on): two
    /// refreshes of one grant racing. The studio's single flight keeps this at 0.
    #[serde(default)]
    pub rotated_refresh_reused: u64,
    /// Token requests refused (where the answer does not say so by its status alone: GitHub
    /// answers every refusal with HTTP 200 and an `error`).
    #[serde(default)]
    pub refused: u64,
}

/// A sandbox: cheap to clone (an `Arc`), all clones share one world.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    core: served::Core<World>,
    /// `next` links carry an opaque cursor instead of a page number (see
    /// [`Sandbox::set_cursor_pagination`]).
    cursor_pagination: AtomicBool,
    /// `fields=+…` is ignored (see [`Sandbox::set_partial_responses`]).
    no_partial_responses: AtomicBool,
}

served::built_on_core!(Sandbox, World, "sandbox server", "RunningSandbox");

impl Sandbox {
    /// A sandbox holding the seeded world, with the control API (`/_control/*`)
    /// off: see [`Sandbox::enable_control`].
    pub fn new(mut config: SandboxConfig) -> Sandbox {
        let core = served::Core::new(&mut config.base_url, World::seed());
        Sandbox {
            inner: Arc::new(Inner {
                config,
                core,
                cursor_pagination: AtomicBool::new(false),
                no_partial_responses: AtomicBool::new(false),
            }),
        }
    }

    /// Every route, relative to `base_url`.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .merge(oauth::routes())
            .merge(api::routes())
            .merge(web::routes())
            .merge(control::routes())
            .fallback(web::not_found)
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                crate::controls::gate::<Sandbox>,
            ))
            .with_state(self.clone())
    }

    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    pub fn authorize_url(&self) -> String {
        format!("{}/site/oauth2/authorize", self.base_url())
    }

    pub fn token_url(&self) -> String {
        format!("{}/site/oauth2/access_token", self.base_url())
    }

    pub fn api_url(&self) -> String {
        format!("{}/2.0", self.base_url())
    }

    pub fn app_authorizations_url(&self) -> String {
        format!("{}/account/settings/app-authorizations/", self.base_url())
    }

    /// What the "Revoke" button on App authorizations does: forgets the grant
    /// and kills the account's codes, access and refresh tokens for that
    /// consumer.
    pub fn revoke(&self, nickname: &str, consumer_key: &str) {
        self.world().oauth.revoke(nickname, consumer_key);
    }

    /// Every authorization code, access token and refresh token issued to the account (by
    /// nickname) that the sandbox still remembers, live or dead. For tests that prove no
    /// secret reaches a log, a database or a browser.
    pub fn secrets_issued_to(&self, nickname: &str) -> Vec<String> {
        self.world().oauth.secrets_of(nickname)
    }

    /// Refresh-token rotation (on by default, as on bitbucket.org since May 2026): each
    /// refresh returns a new refresh token and the old one dies 10 minutes after first
    /// use. Off, refreshes return the same refresh token (the older behaviour).
    pub fn set_rotation(&self, enabled: bool) {
        self.world().oauth.rotation = enabled;
    }

    /// Bitbucket's hourly request limit per user on `/2.0/repositories/…` (1,000 requests
    /// a rolling hour by default): lower it to see the studio meet it.
    pub fn set_rate_limit(&self, limit: usize, window: Duration) {
        let mut world = self.world();
        world.rate_limits.limit = limit;
        world.rate_limits.window = window;
    }

    /// The next `count` requests whose path (relative to `base_url`) starts
    /// with `path_prefix` answer `status` with a Bitbucket error body.
    pub fn inject_fault(&self, status: u16, count: u32, path_prefix: &str) {
        self.inject(Fault::status(status, count, path_prefix));
    }

    /// Bitbucket's `next` link is opaque: a page number for list-based collections, "an
    /// unpredictable hash" for iterator-based ones (its pagination page). On, every
    /// paginated answer's `next` and `previous` carry an opaque `cursor` instead of `page`,
    /// so a client that builds page URLs itself breaks here as it would on Bitbucket.
    pub fn set_cursor_pagination(&self, on: bool) {
        self.inner.cursor_pagination.store(on, Ordering::Relaxed);
    }

    pub(crate) fn cursor_pagination(&self) -> bool {
        self.inner.cursor_pagination.load(Ordering::Relaxed)
    }

    /// Off, `fields=+…` pulls nothing in, as if Bitbucket answered condensed objects
    /// whatever was asked: a client must still work on the document's required shapes.
    pub fn set_partial_responses(&self, on: bool) {
        self.inner
            .no_partial_responses
            .store(!on, Ordering::Relaxed);
    }

    pub(crate) fn partial_responses(&self) -> bool {
        !self.inner.no_partial_responses.load(Ordering::Relaxed)
    }

    /// Back to the seeded world: grants, tokens, counters, faults, latency,
    /// rotation, clock offset and every commit pushed are all forgotten, and
    /// requests held by `hang` faults are released.
    /// A file's text at the head of `branch`, as `nickname` sees the repository (the soak
    /// checks every acknowledged save against it); `None` when it is not there.
    pub fn file_on_branch(
        &self,
        nickname: &str,
        workspace: &str,
        repository: &str,
        branch: &str,
        path: &str,
    ) -> Option<String> {
        api::source::file_on_branch(self, nickname, workspace, repository, branch, path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }

    pub fn reset(&self) {
        *self.world() = World::seed();
        self.release_hangs();
    }

    pub(crate) fn consumer(&self, key: &str) -> Option<&Consumer> {
        self.inner.config.consumers.iter().find(|c| c.key == key)
    }

    pub(crate) fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }
}

/// A sandbox served on a local port.
pub type RunningSandbox = Running<Sandbox>;

/// Serves a new sandbox on `127.0.0.1:0`; `url` is
/// `http://127.0.0.1:{port}`. Returns as soon as the port is bound. The
/// control API is enabled (tests drive it over HTTP).
pub async fn spawn(
    consumers: Vec<Consumer>,
    require_pkce: bool,
) -> std::io::Result<RunningSandbox> {
    spawn_at(served::LOOPBACK, consumers, require_pkce).await
}

/// Like [`spawn`], on a given address (the standalone binary uses it, and
/// turns the control API off again unless started with `--control`).
pub async fn spawn_at(
    addr: SocketAddr,
    consumers: Vec<Consumer>,
    require_pkce: bool,
) -> std::io::Result<RunningSandbox> {
    served::serve(addr, |base_url| {
        Sandbox::new(SandboxConfig {
            base_url,
            consumers,
            require_pkce,
        })
    })
    .await
}
