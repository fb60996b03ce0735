//! Configuration: command-line flags, each with an environment variable, resolved into
//! [`Settings`].
//!
//! With no provider configured, the server mounts the built-in sandboxes, but only when asked
//! (`SANDBOX=true`, which `scripts/dev.sh` and the tests set) or when it answers on a loopback
//! address only: a server deployed with a credential missing must not quietly become a
//! sandbox that connects fake accounts and shows every sign-up link to anyone (SECURITY.md,
//! rule 22). Setting `BITBUCKET_CLIENT_ID` and
//! `BITBUCKET_CLIENT_SECRET` switches to bitbucket.org; every Bitbucket URL can still be
//! overridden (tests point them at a sandbox on its own port). A server built without the
//! `sandbox` feature (the production build) has no sandboxes: sandbox mode is a configuration
//! error there ([`ConfigError::SandboxNotBuilt`]).
//!
//! Each provider's flags, settings and their rules live in its folder
//! (`providers/<provider>/settings.rs`), gathered in [`crate::providers::registry`]: `Args`
//! flattens its `Flags` in as one field, [`Settings`] holds its `Settings` as one field, and
//! the choice between providers and the sandboxes stays here (ARCHITECTURE.md, "Adding a Git
//! provider").

use clap::Parser;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::providers::registry;

pub mod error;
pub use error::ConfigError;

/// Whether this binary holds the built-in sandboxes (the `sandbox` cargo feature; see
/// [`crate::sandboxes`]). The production build does not.
pub const SANDBOX_BUILT: bool = cfg!(feature = "sandbox");
/// A session's absolute lifetime unless configured (SECURITY.md, "Sessions that never end").
pub const DEFAULT_SESSION_ABSOLUTE_LIFETIME_DAYS: u32 = 30;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "server",
    version,
    about = "Pipeline Studio's backend-for-frontend: sessions, Bitbucket OAuth, a narrow Bitbucket proxy."
)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Public origin browsers use to reach this server, e.g. https://studio.example.com.
    /// Defaults to http://<addr>.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// sqlite://path/to/file.db (created when missing) or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/studio.db")]
    pub database_url: String,

    /// Folder holding the built front end (`site build`'s output).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Sub-folder of the site root with the wasm, JS and CSS bundles.
    #[arg(long, env = "LEPTOS_SITE_PKG_DIR", default_value = "pkg")]
    pub site_pkg_dir: String,

    /// Base name of the front-end bundles (`<name>.js`, `<name>.wasm`, `<name>.css`).
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", default_value = "studio")]
    pub output_name: String,

    /// Set by `site watch` (scripts/dev.sh): pages reload themselves when a new front end
    /// lands.
    #[arg(long, env = "LEPTOS_WATCH", hide = true)]
    pub watch: bool,

    #[command(flatten)]
    pub providers: registry::Flags,

    /// AES-256-GCM keys for tokens at rest, base64 (32 bytes), comma-separated, newest first.
    /// Required with a real Bitbucket consumer; in sandbox mode a key file is used instead.
    #[arg(long, env = "TOKEN_ENCRYPTION_KEYS", hide_env_values = true)]
    pub token_encryption_keys: Option<String>,

    /// Key file created (mode 0600) in sandbox mode when no key is configured.
    #[arg(long, env = "TOKEN_KEY_FILE", default_value = "data/token.key")]
    pub token_key_file: PathBuf,

    /// Serve the built-in sandboxes of every provider (fake accounts, the studio's mailbox)
    /// instead of real providers. Needed unless the server only answers on a loopback address
    /// (PUBLIC_URL, or the listen address without one); refused beside a configured provider.
    #[arg(long, env = "SANDBOX", default_value_t = false)]
    pub sandbox: bool,

    /// Sandbox mode only: serve each sandbox's control API (reset, faults, latency, clock) under
    /// its `_control/` path. For end-to-end tests; never on a shared server, as any browser
    /// could reset the sandbox.
    #[arg(long, env = "SANDBOX_CONTROL", default_value_t = false)]
    pub sandbox_control: bool,

    /// Also serve `GET /_bench/bare`: a handler answering "ok" with no middleware at all, the
    /// floor the throughput benchmark compares `/api/me` against in the same process.
    #[arg(long, env = "BENCH_BARE_ROUTE", default_value_t = false, hide = true)]
    pub bench_bare_route: bool,

    /// SMTP server for the studio's mail (sign-up links), e.g.
    /// smtps://user:password@smtp.example.com or smtp://smtp.example.com:587?tls=required.
    /// Unset: mail is kept in the studio's mailbox in sandbox mode, and sign-up is unavailable
    /// otherwise.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The From of the studio's mail. Defaults to no-reply@<public host>.
    #[arg(long, env = "MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Keep mail in the database and show it at /_sandbox/mail instead of sending it.
    /// Default: on in sandbox mode without SMTP_URL, off otherwise. Anyone can read that page:
    /// never on a shared server.
    #[arg(long, env = "MAIL_OUTBOX")]
    pub mail_outbox: Option<bool>,

    /// Sign-ups allowed per client address per hour (each sends a mail).
    #[arg(long, env = "SIGN_UP_LIMIT_PER_CLIENT", default_value_t = 20)]
    pub sign_up_limit_per_client: i64,

    /// Header naming the client's address, set by the reverse proxies in front of the studio
    /// (e.g. X-Forwarded-For). Every line of it is read as one list, and the entry appended by
    /// the outermost trusted proxy is used (see CLIENT_IP_TRUSTED_HOPS). Unset: the
    /// Sign-in attempts allowed per client address per 15 minutes, right or wrong, counted
    /// before any password is hashed (failures per account are limited apart: 5 per 15
    /// minutes).
    #[arg(long, env = "SIGN_IN_LIMIT_PER_CLIENT", default_value_t = 100)]
    pub sign_in_limit_per_client: i64,

    /// Passwords being hashed or waiting for a core (sign-ins and sign-ups), at most; a request
    /// beyond is refused at once with 429 and Retry-After instead of waiting behind them.
    #[arg(long, env = "PASSWORD_HASH_QUEUE", default_value_t = 32)]
    pub password_hash_queue: usize,

    /// Of those, at most this many per client address, so one client's flood fills only its
    /// own share and everyone else's sign-in waits behind at most that many hashes of it.
    #[arg(long, env = "PASSWORD_HASH_QUEUE_PER_CLIENT", default_value_t = 2)]
    pub password_hash_queue_per_client: usize,

    /// Seconds a request's head (request line and headers) may take to arrive once its first
    /// byte has; then the connection is closed.
    #[arg(long, env = "HTTP_HEADER_TIMEOUT", default_value_t = 10)]
    pub http_header_timeout: u64,

    /// Seconds a connection may stay open with no request being handled and no byte moving
    /// (before its first request, between kept-alive requests, or while its client does not
    /// read an answer); then it is closed. Keep it above a reverse proxy's own keep-alive time.
    #[arg(long, env = "HTTP_IDLE_TIMEOUT", default_value_t = 75)]
    pub http_idle_timeout: u64,

    /// Seconds a request's body may take to arrive whole once its head has; then the request
    /// is refused (408) and the connection closed, however the body trickles in.
    #[arg(long, env = "HTTP_BODY_TIMEOUT", default_value_t = 60)]
    pub http_body_timeout: u64,

    /// Connections open at once, at most (on each listener); further ones wait to be accepted
    /// until one closes.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Header naming the client's address, set by the reverse proxy in front of the studio
    /// (e.g. X-Forwarded-For: its last entry is used, the one the proxy appended). Unset: the
    /// connection's peer address. Only set it behind a proxy that writes the header.
    #[arg(long, env = "CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// How many proxies in front of the studio append to CLIENT_IP_HEADER: the client's
    /// address is that many entries from the right (1: the last entry, written by the one
    /// proxy). A request with fewer entries counts as the proxy's own address.
    #[arg(long, env = "CLIENT_IP_TRUSTED_HOPS", default_value_t = 1)]
    pub client_ip_trusted_hops: usize,
    /// Days a session lasts from sign-in however much it is used: use pushes the end of an
    /// idle session out (7 days after the last use), never past this. A stolen cookie that
    /// keeps being used dies with it (SECURITY.md, "Sessions that never end"). Lowering it
    /// applies to sessions already open.
    #[arg(long, env = "SESSION_ABSOLUTE_LIFETIME_DAYS", default_value_t = DEFAULT_SESSION_ABSOLUTE_LIFETIME_DAYS, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub session_absolute_lifetime_days: u32,

    /// How log lines are written: `text`, or `json` (one object per line, each with the
    /// request's `request_id`). `RUST_LOG` sets the level.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = crate::telemetry::LogFormat::Text)]
    pub log_format: crate::telemetry::LogFormat,

    /// Serve Prometheus metrics at `/metrics` on a listener of its own (e.g. 127.0.0.1:9464),
    /// open to whoever reaches that address. Unset: no such listener.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Serve `/metrics` on the studio's own address too, only to requests with
    /// `Authorization: Bearer <this token>`. Unset (and no METRICS_ADDR): metrics are not
    /// served at all.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Instead of serving: rewrite every stored token under the newest key of
    /// TOKEN_ENCRYPTION_KEYS (the first), then exit. Run after adding a key, before removing
    /// the old ones.
    #[arg(long, default_value_t = false)]
    pub reencrypt_tokens: bool,
}

#[derive(Clone, Debug)]
pub enum TokenKeys {
    Configured(Vec<SecretString>),
    KeyFile(PathBuf),
}

/// How the studio sends mail; see [`crate::mail`].
#[derive(Clone, Debug, Default)]
pub struct MailSettings {
    pub smtp_url: Option<SecretString>,
    pub from: Option<String>,
    /// `None`: on in sandbox mode without SMTP, off otherwise.
    pub outbox: Option<bool>,
}

/// Limits on accounts: see `routes::auth`.
#[derive(Clone, Debug)]
pub struct AccountSettings {
    pub sign_up_limit_per_client: i64,
    /// Sign-in attempts per client address per 15 minutes.
    pub sign_in_limit_per_client: i64,
    /// Slots in the password-hashing queue, in all and per client address.
    pub password_hash_queue: usize,
    pub password_hash_queue_per_client: usize,
    /// Lower-case header name; `None`: the peer address.
    pub client_ip_header: Option<String>,
    /// Proxies that append to `client_ip_header` (at least 1).
    pub client_ip_trusted_hops: usize,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            sign_up_limit_per_client: 20,
            sign_in_limit_per_client: 100,
            password_hash_queue: 32,
            password_hash_queue_per_client: 2,
            client_ip_header: None,
            client_ip_trusted_hops: 1,
        }
    }
}

/// How long sessions last; see [`crate::session`].
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// Days from sign-in after which a session ends, used or not.
    pub absolute_lifetime_days: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            absolute_lifetime_days: DEFAULT_SESSION_ABSOLUTE_LIFETIME_DAYS,
        }
    }
}

/// Timeouts and the cap on connections: see [`crate::serve`].
pub use crate::serve::ConnectionSettings;

/// Where `/metrics` is served; see [`crate::telemetry::endpoint`].
#[derive(Clone, Debug, Default)]
pub struct MetricsSettings {
    pub addr: Option<SocketAddr>,
    pub token: Option<SecretString>,
}

/// Resolved settings. Building the server needs the bound address first (port 0), so URLs
/// derived from it are resolved in [`crate::startup`].
#[derive(Clone, Debug)]
pub struct Settings {
    pub addr: SocketAddr,
    pub public_url: Option<String>,
    pub database_url: String,
    pub site_root: PathBuf,
    pub site_pkg_dir: String,
    pub output_name: String,
    /// Under `site watch`: pages reload themselves when a new front end lands.
    pub live_reload: bool,
    /// Each provider's settings; none configured: sandbox mode (every provider simulated).
    pub providers: registry::Settings,
    /// Only used in sandbox mode, where URLs are this server's own.
    pub bitbucket_pkce: Option<bool>,
    /// Sandbox mode only: expose the sandbox's control API (tests).
    pub sandbox_control: bool,
    /// Serve `/_bench/bare` outside every layer (the throughput benchmark's floor).
    pub bench_bare_route: bool,
    pub token_keys: TokenKeys,
    pub mail: MailSettings,
    pub accounts: AccountSettings,
    pub sessions: SessionSettings,
    /// What sessions are judged by: the system clock (tests move it forward).
    pub clock: crate::clock::Clock,
    pub metrics: MetricsSettings,
    pub connections: ConnectionSettings,
}

/// Which providers serve this studio: the configured ones, or (no provider configured) the
/// built-in sandboxes, which need `SANDBOX=true` unless `origin` is a loopback address, a
/// binary built with them (`sandbox_built`, [`SANDBOX_BUILT`] outside tests), and no real
/// provider beside them. `configured`: the variable that configures each configured provider
/// (its settings module's `CONFIGURED_BY`), in the order they are registered; the first is
/// the one named when sandbox mode is refused beside them.
fn check_provider_choice(
    configured: &[&'static str],
    asked_for_sandbox: bool,
    origin: &str,
    sandbox_built: bool,
) -> Result<(), ConfigError> {
    let sandbox_mode = asked_for_sandbox || configured.is_empty();
    if sandbox_mode && !sandbox_built {
        return Err(ConfigError::SandboxNotBuilt);
    }
    match configured.first() {
        None if !asked_for_sandbox && !is_loopback(origin) => {
            Err(ConfigError::NoProvider(origin.to_owned()))
        }
        Some(variable) if asked_for_sandbox => Err(ConfigError::SandboxBesideProvider(variable)),
        _ => Ok(()),
    }
}

/// Whether only this machine can reach an origin or address: `localhost`, 127.0.0.0/8, `::1`.
fn is_loopback(origin: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl Args {
    pub fn into_settings(self) -> Result<Settings, ConfigError> {
        let public_url = self
            .public_url
            .map(|url| url.trim_end_matches('/').to_owned());
        let configured_keys = self.token_encryption_keys.map(|keys| {
            keys.split(',')
                .filter(|k| !k.trim().is_empty())
                .map(|k| SecretString::from(k.trim().to_owned()))
                .collect::<Vec<_>>()
        });
        let origin = public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr));
        // Only sandbox mode reads it, where the Cloud sandbox's PKCE defaults to on.
        let bitbucket_pkce = self.providers.sandbox_pkce();
        let providers = self.providers.into_settings(&origin)?;
        let configured = providers.configured();
        check_provider_choice(&configured, self.sandbox, &origin, SANDBOX_BUILT)?;
        let token_keys = match configured_keys.filter(|keys| !keys.is_empty()) {
            Some(keys) => TokenKeys::Configured(keys),
            None if !configured.is_empty() => return Err(ConfigError::MissingKeys),
            None => TokenKeys::KeyFile(self.token_key_file),
        };
        Ok(Settings {
            addr: self.addr,
            public_url,
            database_url: self.database_url,
            site_root: self.site_root,
            site_pkg_dir: self.site_pkg_dir,
            output_name: self.output_name,
            live_reload: self.watch,
            providers,
            bitbucket_pkce,
            sandbox_control: self.sandbox_control,
            bench_bare_route: self.bench_bare_route,
            token_keys,
            mail: MailSettings {
                smtp_url: self
                    .smtp_url
                    .filter(|url| !url.is_empty())
                    .map(SecretString::from),
                from: self.mail_from.filter(|from| !from.is_empty()),
                outbox: self.mail_outbox,
            },
            accounts: AccountSettings {
                sign_up_limit_per_client: self.sign_up_limit_per_client.max(1),
                sign_in_limit_per_client: self.sign_in_limit_per_client.max(1),
                password_hash_queue: self.password_hash_queue.max(1),
                password_hash_queue_per_client: self.password_hash_queue_per_client.max(1),
                client_ip_header: self
                    .client_ip_header
                    .filter(|name| !name.is_empty())
                    .map(|name| name.to_ascii_lowercase()),
                client_ip_trusted_hops: self.client_ip_trusted_hops.max(1),
            },
            sessions: SessionSettings {
                absolute_lifetime_days: self.session_absolute_lifetime_days,
            },
            clock: crate::clock::Clock::default(),
            metrics: MetricsSettings {
                addr: self.metrics_addr,
                token: self
                    .metrics_token
                    .filter(|token| !token.is_empty())
                    .map(SecretString::from),
            },
            connections: ConnectionSettings {
                header_timeout: std::time::Duration::from_secs(self.http_header_timeout.max(1)),
                idle_timeout: std::time::Duration::from_secs(self.http_idle_timeout.max(1)),
                body_timeout: std::time::Duration::from_secs(self.http_body_timeout.max(1)),
                max_connections: self.max_connections.max(1),
            },
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::providers::{bitbucket_cloud, bitbucket_datacenter};

    /// The settings from these flags, as the server's command line gives them; the
    /// providers' own tests (`providers/*/settings.rs`) use it too.
    pub(crate) fn parse(args: &[&str]) -> Result<Settings, ConfigError> {
        Args::try_parse_from(std::iter::once("server").chain(args.iter().copied()))
            .unwrap()
            .into_settings()
    }

    #[test]
    fn no_client_id_means_sandbox_with_a_key_file() {
        let settings = parse(&[]).unwrap();
        assert!(settings.providers.bitbucket_cloud.is_none());
        assert!(matches!(settings.token_keys, TokenKeys::KeyFile(_)));
        assert_eq!(settings.sessions.absolute_lifetime_days, 30);
    }

    #[test]
    fn the_session_lifetime_is_a_positive_number_of_days() {
        let settings = parse(&["--session-absolute-lifetime-days", "3"]).unwrap();
        assert_eq!(settings.sessions.absolute_lifetime_days, 3);
        let help = <Args as clap::CommandFactory>::command()
            .render_long_help()
            .to_string();
        assert!(help.contains("--session-absolute-lifetime-days"), "{help}");
        assert!(help.contains("SESSION_ABSOLUTE_LIFETIME_DAYS"), "{help}");
        assert!(help.contains("[default: 30]"), "{help}");
        for bad in ["0", "-1", "1.5", "forever"] {
            let parsed = Args::try_parse_from(["server", "--session-absolute-lifetime-days", bad]);
            assert!(parsed.is_err(), "{bad}");
        }
    }

    /// A deployed server whose credential went missing used to become the sandbox silently.
    #[test]
    fn the_sandbox_only_when_asked_for_or_on_loopback() {
        for deployed in [
            &["--public-url", "https://studio.example.com"][..],
            &["--addr", "0.0.0.0:3000"],
            &[
                "--addr",
                "0.0.0.0:3000",
                "--public-url",
                "http://10.0.0.5:3000",
            ],
        ] {
            let error = parse(deployed).unwrap_err();
            assert!(matches!(error, ConfigError::NoProvider(_)), "{deployed:?}");
            assert!(error.to_string().contains("BITBUCKET_CLIENT_ID"), "{error}");
        }
        for local in [
            &[][..],
            &["--public-url", "http://localhost:3000"],
            &["--addr", "[::1]:3000"],
            &["--addr", "127.0.0.2:3000"],
            &["--public-url", "https://studio.example.com", "--sandbox"],
            &["--addr", "0.0.0.0:3000", "--sandbox"],
        ] {
            let settings = parse(local).unwrap();
            assert!(settings.providers.is_empty());
        }
        let both = parse(&[
            "--sandbox",
            "--bitbucket-client-id",
            "k",
            "--bitbucket-client-secret",
            "s",
            "--token-encryption-keys",
            "a2V5",
        ]);
        assert!(matches!(
            both,
            Err(ConfigError::SandboxBesideProvider("BITBUCKET_CLIENT_ID"))
        ));
    }

    /// The production build has no sandboxes: sandbox mode, asked for or implied by no
    /// provider, is refused with what to configure instead; a configured provider is not.
    #[test]
    fn a_binary_without_the_sandbox_refuses_sandbox_mode() {
        let local = "http://127.0.0.1:3000";
        let deployed = "https://studio.example.com";
        let configured = |cloud: bool, datacenter: bool| {
            [
                cloud.then_some(bitbucket_cloud::settings::CONFIGURED_BY),
                datacenter.then_some(bitbucket_datacenter::settings::CONFIGURED_BY),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
        };
        for (cloud, datacenter, asked, origin) in [
            (false, false, true, local),
            (false, false, false, local),
            (false, false, true, deployed),
            (false, false, false, deployed),
            (true, false, true, local),
            (false, true, true, deployed),
        ] {
            let error = check_provider_choice(&configured(cloud, datacenter), asked, origin, false)
                .unwrap_err();
            assert!(
                matches!(error, ConfigError::SandboxNotBuilt),
                "{cloud} {datacenter} {asked} {origin}: {error}"
            );
            let message = error.to_string();
            for named in [
                "built without the built-in sandboxes",
                "BITBUCKET_CLIENT_ID",
                "BITBUCKET_DC_URL",
                "TOKEN_ENCRYPTION_KEYS",
            ] {
                assert!(message.contains(named), "{message}");
            }
        }
        for (cloud, datacenter) in [(true, false), (false, true), (true, true)] {
            for origin in [local, deployed] {
                check_provider_choice(&configured(cloud, datacenter), false, origin, false)
                    .unwrap();
                check_provider_choice(&configured(cloud, datacenter), false, origin, true).unwrap();
            }
        }
        // With the sandboxes built, the same choices are the rules above.
        check_provider_choice(&[], true, deployed, true).unwrap();
        check_provider_choice(&[], false, local, true).unwrap();
        assert!(matches!(
            check_provider_choice(&[], false, deployed, true),
            Err(ConfigError::NoProvider(_))
        ));
        // This binary's own answer follows how it was built.
        assert_eq!(parse(&["--sandbox"]).is_ok(), SANDBOX_BUILT);
    }

    #[test]
    fn flags_and_defaults_agree_on_the_limits() {
        let settings = parse(&[]).unwrap();
        let defaults = AccountSettings::default();
        assert_eq!(
            (
                settings.accounts.sign_up_limit_per_client,
                settings.accounts.sign_in_limit_per_client,
                settings.accounts.password_hash_queue,
                settings.accounts.password_hash_queue_per_client,
            ),
            (
                defaults.sign_up_limit_per_client,
                defaults.sign_in_limit_per_client,
                defaults.password_hash_queue,
                defaults.password_hash_queue_per_client,
            )
        );
        assert_eq!(settings.connections, ConnectionSettings::default());
        let settings = parse(&[
            "--http-header-timeout",
            "3",
            "--http-idle-timeout",
            "20",
            "--http-body-timeout",
            "30",
            "--max-connections",
            "50",
        ])
        .unwrap();
        assert_eq!(
            settings.connections,
            ConnectionSettings {
                header_timeout: std::time::Duration::from_secs(3),
                idle_timeout: std::time::Duration::from_secs(20),
                body_timeout: std::time::Duration::from_secs(30),
                max_connections: 50,
            }
        );
    }
}
