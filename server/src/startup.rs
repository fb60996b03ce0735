//! Building and running the server: bind, connect storage, choose Bitbucket or the sandbox,
//! assemble the router and its layers.
//!
//! The listener is bound first so that `--addr 127.0.0.1:0` works: URLs derived from the
//! address (public origin, callback URL, the mounted sandbox) need the real port.

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::IntoResponse;
use axum::Router;
use secrecy::ExposeSecret;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::config::{MailSettings, Settings};
use crate::crypto::TokenCipher;
use crate::error::AppError;
use crate::mail::{Mailer, SmtpMailer};
use crate::providers::{self, Providers};
use crate::routes::auth::PasswordHashing;
use crate::routes::{self, AppState};
#[cfg(feature = "sandbox")]
use crate::sandboxes::Sandboxes;
use crate::security::{csrf, headers};
use crate::serve::{self, ConnectionSettings};
use crate::session;
use crate::store::Db;
use crate::telemetry::{self, Metrics};

/// Largest request body any route accepts.
const MAX_BODY_BYTES: usize = 64 * 1024;

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
    /// Sandbox mode asked of a server built without the `sandbox` feature ([`Settings`] made
    /// by hand; `Args::into_settings` refuses it first).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error("cannot listen for metrics on {addr}: {source}")]
    MetricsBind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    public_url: String,
    db: Db,
    #[cfg(feature = "sandbox")]
    sandboxes: Option<Sandboxes>,
    /// `METRICS_ADDR`'s listener and its `/metrics` router.
    metrics_listener: Option<(TcpListener, Router)>,
    /// Timeouts and the cap, for both listeners.
    connections: ConnectionSettings,
    /// The password-hashing queue, shared with the routes (tests hold its slots).
    hashing: PasswordHashing,
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

        // No provider configured: both are the built-in sandboxes, served by this server.
        let sandboxed = settings.providers.is_empty();
        #[cfg(feature = "sandbox")]
        let sandboxes = sandboxed.then(|| Sandboxes::new(&public_url, settings.bitbucket_pkce));
        #[cfg(feature = "sandbox")]
        let provider_settings = match &sandboxes {
            Some(sandboxes) => {
                if settings.sandbox_control {
                    sandboxes.enable_control();
                }
                sandboxes.provider_settings()
            }
            None => settings.providers.clone(),
        };
        #[cfg(not(feature = "sandbox"))]
        if sandboxed {
            return Err(crate::config::ConfigError::SandboxNotBuilt.into());
        }
        #[cfg(not(feature = "sandbox"))]
        let provider_settings = settings.providers.clone();

        // No redirects: a token or API call that redirects is an error, never followed with
        // the credentials attached (SECURITY.md, rule 11).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("pipeline-studio/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let metrics = Metrics::new();
        let shared = providers::Shared {
            http: &http,
            db: &db,
            cipher: &cipher,
            metrics: &metrics,
        };
        // Every configured provider, in the order the wizard offers them: the one list in
        // `providers::registry`.
        let providers = provider_settings.providers(&shared)?;

        let sessions =
            session::Sessions::new(db.clone(), settings.clock.clone(), &settings.sessions);
        sessions.start();
        spawn_rate_limit_pruner(db.clone(), Duration::from_secs(3600));

        let mailer = mailer(&settings.mail, sandboxed, &public_url, &db)?;
        let hashing = PasswordHashing::new(
            settings.accounts.password_hash_queue,
            settings.accounts.password_hash_queue_per_client,
            metrics.clone(),
        );
        let state = AppState::new(routes::Shared {
            db: db.clone(),
            cipher,
            providers: Arc::new(Providers::new(providers)),
            sandbox: sandboxed,
            mailer: mailer.clone(),
            public_url: public_url.as_str().into(),
            accounts: Arc::new(settings.accounts.clone()),
            hashing: hashing.clone(),
        });
        let origin = origin_of(&public_url);
        let csp = headers::content_security_policy();
        let hsts = public_url.starts_with("https://");

        let mut app = Router::new()
            .merge(routes::health::router())
            .merge(routes::info::router())
            .merge(routes::auth::router())
            .merge(routes::connections::router())
            .merge(routes::drafts::router())
            .merge(routes::pipeline_drafts::router())
            .merge(routes::oauth::router())
            .merge(routes::openapi::router())
            .merge(routes::repositories::router())
            .merge(routes::projects::router())
            .merge(routes::pipelines::router())
            .merge(routes::branches::router());
        #[cfg(feature = "sandbox")]
        if let Some(sandboxes) = &sandboxes {
            app = sandboxes.mount(app);
        }
        let site = routes::spa::Site::find(&settings);
        if mailer.keeps_mail() {
            app = app.merge(routes::mailbox::router(site.stylesheet_href()));
        }
        if let Some(token) = settings.metrics.token.clone() {
            app = app.route_service(
                telemetry::endpoint::PATH,
                telemetry::endpoint::guarded_router(metrics.clone(), db.clone(), token),
            );
        }
        // A route layer: the CSRF gate runs only for a method a route takes, so any other
        // method gets the router's 405 instead of a misleading "cross-site" 403.
        let app = app.route_layer(middleware::from_fn_with_state(
            csrf::Origin(origin),
            csrf::require_same_origin,
        ));
        let mut router = app
            .merge(routes::spa::router(&settings, site))
            .method_not_allowed_fallback(method_not_allowed)
            .with_state(state)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(session::SessionLayer::new(sessions))
            // Inside the headers layer, so a handler's panic answers as every error does.
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(headers::SecurityHeadersLayer::new(csp, hsts))
            .layer(TraceLayer::new_for_http().make_span_with(request_span))
            .layer(middleware::from_fn_with_state(
                metrics.clone(),
                telemetry::http::record,
            ))
            // Outermost: every layer inside, and the request span, see the id.
            .layer(middleware::from_fn(telemetry::request_id::assign));
        if settings.bench_bare_route {
            // Merged after the layers, so none of them wraps it.
            router = Router::new()
                .route("/_bench/bare", axum::routing::get(|| async { "ok" }))
                .merge(router);
        }

        let metrics_listener = match settings.metrics.addr {
            None => None,
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartupError::MetricsBind { addr, source })?;
                Some((
                    listener,
                    telemetry::endpoint::open_router(metrics.clone(), db.clone()),
                ))
            }
        };

        Ok(Self {
            listener,
            router,
            addr,
            public_url,
            db,
            #[cfg(feature = "sandbox")]
            sandboxes,
            metrics_listener,
            connections: settings.connections,
            hashing,
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

    /// The mounted Data Center sandbox, in sandbox mode.
    #[cfg(feature = "sandbox")]
    pub fn datacenter_sandbox(&self) -> Option<&sandbox::datacenter::DataCenter> {
        self.sandboxes
            .as_ref()
            .map(|sandboxes| &sandboxes.datacenter)
    }

    /// The mounted GitHub sandbox, in sandbox mode.
    #[cfg(feature = "sandbox")]
    pub fn github_sandbox(&self) -> Option<&sandbox::github::GitHub> {
        self.sandboxes.as_ref().map(|sandboxes| &sandboxes.github)
    }

    /// The mounted Bitbucket Cloud sandbox, in sandbox mode.
    #[cfg(feature = "sandbox")]
    pub fn sandbox(&self) -> Option<&sandbox::Sandbox> {
        self.sandboxes.as_ref().map(|sandboxes| &sandboxes.cloud)
    }

    /// Where `METRICS_ADDR`'s listener is bound (port 0 picks one).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// The queue every password hash waits in (see [`PasswordHashing`]).
    pub fn password_hashing(&self) -> PasswordHashing {
        self.hashing.clone()
    }

    /// Serves until Ctrl-C or SIGTERM, letting in-flight requests finish, with the
    /// connection limits of [`crate::serve`]. Each request knows its peer address
    /// ([`crate::extract::ClientAddress`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if let Some((listener, router)) = self.metrics_listener {
            // The same limits (a scraper is a client too); it stops with the process, as a
            // scrape needs no graceful end.
            let connections = self.connections;
            tokio::spawn(async move {
                let forever = std::future::pending::<()>();
                if let Err(error) = serve::serve(listener, router, connections, forever).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        serve::serve(
            self.listener,
            self.router,
            self.connections,
            shutdown_signal(),
        )
        .await
    }
}

/// The mail transport the settings choose (see [`crate::mail`]).
fn mailer(
    settings: &MailSettings,
    sandbox_mode: bool,
    public_url: &str,
    db: &Db,
) -> Result<Mailer, StartupError> {
    let keep = settings
        .outbox
        .unwrap_or(sandbox_mode && settings.smtp_url.is_none());
    if keep {
        if !sandbox_mode {
            tracing::warn!("mail is kept at /_sandbox/mail instead of sent (MAIL_OUTBOX): anyone can read it there; never on a shared server");
        }
        return Ok(Mailer::Outbox(db.clone()));
    }
    match &settings.smtp_url {
        Some(url) => {
            let from = settings
                .from
                .clone()
                .unwrap_or_else(|| default_from(public_url));
            Ok(Mailer::Smtp(Arc::new(SmtpMailer::new(
                url.expose_secret(),
                &from,
            )?)))
        }
        None => {
            tracing::warn!("no SMTP_URL: sign-up is unavailable, since its links cannot be mailed");
            Ok(Mailer::Off)
        }
    }
}

/// `Pipeline Studio <no-reply@host>` for the public URL's host (`localhost` for an IP).
fn default_from(public_url: &str) -> String {
    let host = url::Url::parse(public_url)
        .ok()
        .and_then(|url| url.domain().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("Pipeline Studio <no-reply@{host}>")
}

/// Deletes idle rate-limit counters every `period`, for as long as the server runs.
fn spawn_rate_limit_pruner(db: Db, period: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            if let Err(error) = db.prune_rate_limits().await {
                tracing::warn!(%error, "could not prune rate-limit counters");
            }
        }
    });
}

/// Every method an address does not take answers as every other error does.
async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// A handler that panicked answers 500 with the usual body; the panic itself is logged here
/// (the process, and every other request, carries on).
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    AppError::internal(format!("handler panicked: {detail}")).into_response()
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

/// The span of each request: its id, method, route template and path. Query strings are
/// left out on purpose: the OAuth callback's carries the authorization code and `state`
/// (SECURITY.md, rule 35: secrets never in logs). At `info`, so every line logged while handling a
/// request names it.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get(telemetry::request_id::HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(axum::extract::MatchedPath::as_str)
        .unwrap_or("(app)");
    tracing::info_span!(
        "request",
        request_id = id,
        method = %request.method(),
        route,
        path = request.uri().path()
    )
}
