//! Building and running the server: bind, connect storage, choose Bitbucket or the sandbox,
//! assemble the router and its layers.
//!
//! The listener is bound first so that `--addr 127.0.0.1:0` works: URLs derived from the
//! address (public origin, callback URL, the mounted sandbox) need the real port.

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::Router;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::bitbucket::oauth::BitbucketOAuth;
use crate::bitbucket::rest::BitbucketRest;
use crate::bitbucket::Bitbucket;
use crate::config::{BitbucketSettings, Settings, SANDBOX_MOUNT};
use crate::crypto::TokenCipher;
use crate::routes::{self, AppState};
use crate::security::{csrf, headers};
use crate::session;
use crate::store::Db;

/// Largest request body any route accepts.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// The sandbox's OAuth consumer key, as the studio registers itself with it.
pub const SANDBOX_CLIENT_ID: &str = "pipeline-studio-sandbox";

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("storage: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("token encryption: {0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("a Bitbucket URL is invalid: {0}")]
    Url(#[from] url::ParseError),
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    public_url: String,
    db: Db,
    sandbox: Option<sandbox::Sandbox>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let listener =
            TcpListener::bind(settings.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.addr,
                    source,
                })?;
        Self::with_listener(settings, listener).await
    }

    /// Builds on a listener bound by the caller (tests bind port 0 first, to know the
    /// callback URL before anything else starts). `settings.addr` is ignored.
    pub async fn with_listener(
        settings: Settings,
        listener: TcpListener,
    ) -> Result<Self, StartupError> {
        let addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.addr,
            source,
        })?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));

        let db = Db::connect(&settings.database_url).await?;
        let cipher = Arc::new(TokenCipher::from_settings(&settings.token_keys)?);

        let (bitbucket_settings, sandbox) = match settings.bitbucket.clone() {
            Some(bitbucket) => (bitbucket, None),
            None => {
                let (bitbucket, sandbox) = sandbox_settings(&public_url, settings.bitbucket_pkce);
                if settings.sandbox_control {
                    tracing::warn!("the sandbox's control API is on (SANDBOX_CONTROL): tests only");
                    sandbox.enable_control(true);
                }
                (bitbucket, Some(sandbox))
            }
        };

        // No redirects: a token or API call that redirects is an error, never followed with
        // the credentials attached (DESIGN §4.8).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("pipeline-studio/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let bitbucket = Bitbucket::new(
            BitbucketOAuth::new(&bitbucket_settings, http.clone())?,
            BitbucketRest::new(http, &bitbucket_settings.api_url)?,
            bitbucket_settings.app_authorizations_url.clone(),
            db.clone(),
            cipher.clone(),
        );

        let session_store = session::Store::for_db(&db).await?;
        session_store.spawn_expiry_sweeper(Duration::from_secs(3600));

        let state = AppState {
            db: db.clone(),
            cipher,
            bitbucket: Arc::new(bitbucket),
            sandbox: sandbox.is_some(),
        };
        let origin = origin_of(&public_url);
        let csp = headers::content_security_policy(settings.live_reload_port);

        let mut app = Router::new()
            .merge(routes::health::router())
            .merge(routes::info::router())
            .merge(routes::auth::router())
            .merge(routes::connections::router())
            .merge(routes::drafts::router())
            .merge(routes::oauth::router())
            .merge(routes::bitbucket::router())
            .merge(routes::projects::router())
            .merge(routes::pipelines::router());
        if let Some(sandbox) = &sandbox {
            app = app.nest_service(SANDBOX_MOUNT, sandbox.router());
        }
        let mut router = app
            .merge(routes::spa::router(&settings))
            .with_state(state)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(session::layer(session_store))
            .layer(middleware::from_fn_with_state(
                csrf::Origin(origin),
                csrf::require_same_origin,
            ))
            .layer(middleware::from_fn(move |request, next| {
                headers::security_headers(csp.clone(), request, next)
            }))
            .layer(TraceLayer::new_for_http().make_span_with(request_span));
        if settings.bench_bare_route {
            // Merged after the layers, so none of them wraps it.
            router = Router::new()
                .route("/_bench/bare", axum::routing::get(|| async { "ok" }))
                .merge(router);
        }

        Ok(Self {
            listener,
            router,
            addr,
            public_url,
            db,
            sandbox,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The storage, for tests that inspect what the server wrote.
    pub fn db(&self) -> Db {
        self.db.clone()
    }

    /// The mounted sandbox, in sandbox mode.
    pub fn sandbox(&self) -> Option<&sandbox::Sandbox> {
        self.sandbox.as_ref()
    }

    /// Serves until Ctrl-C or SIGTERM, letting in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

/// The sandbox consumer this server registers, and the settings pointing at it.
fn sandbox_settings(public_url: &str, pkce: Option<bool>) -> (BitbucketSettings, sandbox::Sandbox) {
    let base_url = format!("{public_url}{SANDBOX_MOUNT}");
    let callback_url = format!("{public_url}{}", api::paths::BITBUCKET_OAUTH_CALLBACK);
    let secret = crate::random::token(32);
    let sandbox = sandbox::Sandbox::new(sandbox::SandboxConfig {
        base_url,
        consumers: vec![sandbox::Consumer {
            key: SANDBOX_CLIENT_ID.to_owned(),
            secret: secret.clone(),
            name: "Pipeline Studio (sandbox)".to_owned(),
            callback_url: callback_url.clone(),
            scopes: crate::bitbucket::REQUIRED_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }],
        require_pkce: false,
    });
    let settings = BitbucketSettings {
        client_id: SANDBOX_CLIENT_ID.to_owned(),
        client_secret: SecretString::from(secret),
        authorize_url: sandbox.authorize_url(),
        token_url: sandbox.token_url(),
        api_url: sandbox.api_url(),
        app_authorizations_url: sandbox.app_authorizations_url(),
        callback_url,
        pkce: pkce.unwrap_or(true),
    };
    (settings, sandbox)
}

/// `scheme://host[:port]` of a URL, as browsers send it in `Origin`.
fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_owned())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// The span of each request: method and path only. Query strings are left out on purpose:
/// the OAuth callback's carries the authorization code and `state` (DESIGN §4.9, secrets
/// never in logs).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %request.uri().path())
}
