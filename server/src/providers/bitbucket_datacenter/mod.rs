//! Bitbucket Data Center (or its sandbox) as one of the studio's providers
//! ([`crate::providers`]), per Atlassian's Data Center 9.2 REST document.
//!
//! - [`provider`]: this provider built from its settings, as [`crate::startup`] registers it.
//! - [`host`]: the [`crate::providers::GitHost`] implementation the routes call.
//! - [`pipelines`]: its primitive calls for the shared pipeline store
//!   ([`crate::providers::pipelines`]): one file committed with `sourceCommitId`.
//! - [`branches`]: its primitive calls for the studio's `main` branch
//!   ([`crate::providers::branch`]) and a project's repository ([`crate::providers::project`]).
//! - [`calls`]: the REST calls, one method each; [`rest`]: the client under them (token,
//!   errors, request ids, metrics).
//! - [`model`]: Data Center's JSON shapes (only the fields read, none required that the
//!   document does not define).
//! - [`endpoint`]: endpoint templates, the `endpoint` label of calls in metrics.
//! - [`settings`]: its flags and [`Settings`], as [`crate::config`] reads them.
//! - [`wording`]: what the app says about it, served on `/api/info`.
//!
//! OAuth 2.0 goes through an *incoming application link*: authorize at
//! `{base}/rest/oauth2/latest/authorize`, token at `{base}/rest/oauth2/latest/token`, the
//! client's id and secret in the form body, PKCE S256, and the one scope the studio asks for,
//! `REPO_WRITE` (which implies reading).

pub mod branch_work;
pub mod branches;
pub mod calls;
pub mod endpoint;
pub mod host;
/// Data Center's JSON shapes live in the `wire` crate, with Cloud's, so they can be fuzzed.
pub use wire::datacenter as model;
pub mod pipelines;
pub mod rest;
pub mod settings;
pub mod wording;

pub use settings::Settings;

/// The scope the studio asks for: write, and so read, the repositories the user may.
pub const SCOPE: &str = "REPO_WRITE";

/// The authorization endpoint of the instance at `base`.
pub fn authorize_url(base: &str) -> String {
    format!(
        "{}/rest/oauth2/latest/authorize",
        base.trim_end_matches('/')
    )
}

/// The token endpoint of the instance at `base`.
pub fn token_url(base: &str) -> String {
    format!("{}/rest/oauth2/latest/token", base.trim_end_matches('/'))
}

/// Bitbucket Data Center from its settings: client credentials in the form body, PKCE S256,
/// [`SCOPE`]. The wizard shows the instance by its configured name and host.
pub fn provider(
    settings: &Settings,
    shared: &crate::providers::Shared<'_>,
) -> Result<crate::providers::Provider, url::ParseError> {
    use crate::providers::oauth::{ClientAuth, OAuthSettings};
    let oauth = OAuthSettings {
        client_id: settings.client_id.clone(),
        client_secret: settings.client_secret.clone(),
        authorize_url: authorize_url(&settings.base_url),
        token_url: token_url(&settings.base_url),
        callback_url: settings.callback_url.clone(),
        pkce: true,
        client_auth: ClientAuth::RequestBody,
        scopes: vec![SCOPE.to_owned()],
        required_scopes: vec![SCOPE.to_owned()],
    };
    let id = api::GitProvider::BitbucketDataCenter;
    let host = host::DataCenterHost {
        rest: rest::DataCenterRest::new(
            shared.http.clone(),
            &settings.base_url,
            shared.metrics.clone(),
        )?,
    };
    let shown_host = crate::providers::shown_host(&settings.base_url);
    shared.provider(
        api::ProviderInfo {
            provider: id,
            name: settings.name.clone(),
            host: shown_host,
            revoke_url: settings.revoke_url.clone(),
            wording: wording::wording(&settings.name),
            install_url: None,
            revokes_on_disconnect: false,
        },
        &oauth,
        host,
    )
}
