//! Sandbox mode: the built-in stand-ins for Bitbucket Cloud, Data Center and GitHub (the
//! `sandbox` crate), registered with this server and mounted under `/_sandbox/`, used when no provider
//! is configured.
//!
//! Compiled only with the `sandbox` cargo feature (`server/Cargo.toml`): on for
//! `scripts/dev.sh`, the tests and the benchmarks, off for the production build (README,
//! "Production build"), where asking for sandbox mode is a start-up error
//! ([`crate::config::ConfigError::SandboxNotBuilt`]). `scripts/test.sh` checks that the
//! production binary holds none of it.
//!
//! The studio's mailbox (`/_sandbox/mail`) is not part of this: it shows mail kept by
//! [`crate::mail::Mailer::Outbox`], which `MAIL_OUTBOX` can choose in any build.

use axum::Router;
use secrecy::SecretString;

use crate::providers::{bitbucket_cloud, bitbucket_datacenter, github, registry};
use sandbox::datacenter as dc_sandbox;
use sandbox::github as github_sandbox;

/// Where the Bitbucket Cloud sandbox is mounted on this server in sandbox mode.
pub const SANDBOX_MOUNT: &str = "/_sandbox/bitbucket";
/// Where the Bitbucket Data Center sandbox is mounted on this server in sandbox mode.
pub const DATACENTER_SANDBOX_MOUNT: &str = "/_sandbox/bitbucket-dc";
/// Where the GitHub sandbox is mounted on this server in sandbox mode.
pub const GITHUB_SANDBOX_MOUNT: &str = "/_sandbox/github";
/// The GitHub sandbox's app, as the studio registers itself with it.
pub const GITHUB_APP_SLUG: &str = "pipeline-studio-sandbox";
/// The sandbox's OAuth consumer key, as the studio registers itself with it.
pub const SANDBOX_CLIENT_ID: &str = "pipeline-studio-sandbox";

/// The sandboxes of one server, and the provider settings that point at them.
pub struct Sandboxes {
    pub cloud: sandbox::Sandbox,
    pub datacenter: dc_sandbox::DataCenter,
    pub github: github_sandbox::GitHub,
    pub cloud_settings: bitbucket_cloud::Settings,
    pub datacenter_settings: bitbucket_datacenter::Settings,
    pub github_settings: github::Settings,
}

impl Sandboxes {
    /// The sandboxes served at `public_url`, each with this studio registered as its client
    /// (a fresh secret per start). `pkce`: `BITBUCKET_PKCE`, on unless set to false.
    pub fn new(public_url: &str, pkce: Option<bool>) -> Self {
        let (cloud_settings, cloud) = cloud(public_url, pkce);
        let (datacenter_settings, datacenter) = datacenter(public_url);
        let (github_settings, github) = github(public_url);
        Self {
            cloud,
            datacenter,
            github,
            cloud_settings,
            datacenter_settings,
            github_settings,
        }
    }

    /// The provider settings pointing at the sandboxes: every provider is its sandbox.
    pub fn provider_settings(&self) -> registry::Settings {
        registry::Settings {
            bitbucket_cloud: Some(self.cloud_settings.clone()),
            bitbucket_datacenter: Some(self.datacenter_settings.clone()),
            github: Some(self.github_settings.clone()),
        }
    }

    /// Turns on both sandboxes' control API (reset, faults, latency, clock): tests only.
    pub fn enable_control(&self) {
        tracing::warn!("the sandboxes' control API is on (SANDBOX_CONTROL): tests only");
        self.cloud.enable_control(true);
        self.datacenter.enable_control(true);
        self.github.enable_control(true);
    }

    /// `router` with both sandboxes mounted at their paths.
    pub fn mount<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        router
            .nest_service(SANDBOX_MOUNT, self.cloud.router())
            .nest_service(DATACENTER_SANDBOX_MOUNT, self.datacenter.router())
            .nest_service(GITHUB_SANDBOX_MOUNT, self.github.router())
    }
}

/// The Cloud sandbox's consumer this server registers, and the settings pointing at it.
fn cloud(public_url: &str, pkce: Option<bool>) -> (bitbucket_cloud::Settings, sandbox::Sandbox) {
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
            scopes: crate::providers::bitbucket_cloud::REQUIRED_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }],
        require_pkce: false,
    });
    let settings = bitbucket_cloud::Settings {
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

/// The Data Center sandbox's client this server registers, and the settings pointing at it.
fn datacenter(public_url: &str) -> (bitbucket_datacenter::Settings, dc_sandbox::DataCenter) {
    let base_url = format!("{public_url}{DATACENTER_SANDBOX_MOUNT}");
    let callback_url = format!(
        "{public_url}{}",
        api::paths::oauth_callback(api::GitProvider::BitbucketDataCenter)
    );
    let secret = crate::random::token(32);
    let sandbox = dc_sandbox::DataCenter::new(dc_sandbox::DataCenterConfig {
        base_url: base_url.clone(),
        clients: vec![dc_sandbox::DcClient {
            id: SANDBOX_CLIENT_ID.to_owned(),
            secret: secret.clone(),
            name: "Pipeline Studio (sandbox)".to_owned(),
            redirect_uri: callback_url.clone(),
        }],
    });
    let settings = bitbucket_datacenter::Settings {
        revoke_url: format!("{base_url}/account"),
        base_url,
        name: "Bitbucket Data Center (sandbox)".to_owned(),
        client_id: SANDBOX_CLIENT_ID.to_owned(),
        client_secret: SecretString::from(secret),
        callback_url,
    };
    (settings, sandbox)
}

/// The GitHub sandbox's app this server registers (its Setup URL back to the studio), and
/// the settings pointing at it.
fn github(public_url: &str) -> (github::Settings, github_sandbox::GitHub) {
    let base_url = format!("{public_url}{GITHUB_SANDBOX_MOUNT}");
    let provider = api::GitProvider::GitHub;
    let callback_url = format!("{public_url}{}", api::paths::oauth_callback(provider));
    let secret = crate::random::token(32);
    let sandbox = github_sandbox::GitHub::new(github_sandbox::GitHubConfig {
        base_url: base_url.clone(),
        apps: vec![github_sandbox::GitHubApp {
            app_id: 1,
            slug: GITHUB_APP_SLUG.to_owned(),
            name: "Pipeline Studio (sandbox)".to_owned(),
            client_id: SANDBOX_CLIENT_ID.to_owned(),
            client_secret: secret.clone(),
            callback_url: callback_url.clone(),
            setup_url: Some(format!(
                "{public_url}{}",
                api::paths::oauth_installed(provider)
            )),
        }],
    });
    let settings = github::Settings {
        app_slug: GITHUB_APP_SLUG.to_owned(),
        app_id: Some(1),
        client_id: SANDBOX_CLIENT_ID.to_owned(),
        client_secret: SecretString::from(secret),
        callback_url,
        api_url: sandbox.api_url(),
        web_url: base_url,
        name: "GitHub (sandbox)".to_owned(),
    };
    (settings, sandbox)
}
