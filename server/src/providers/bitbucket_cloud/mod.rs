//! Bitbucket Cloud (or the sandbox, which speaks the same protocol) as one of the studio's
//! providers ([`crate::providers`]).
//!
//! - [`provider`]: this provider built from its settings, as [`crate::startup`] registers it.
//! - [`host`]: the [`crate::providers::GitHost`] implementation the routes call.
//! - [`pipelines`]: its primitive calls for the shared pipeline store
//!   ([`crate::providers::pipelines`]).
//! - [`rest`]: the few REST API 2.0 calls the app needs, against a fixed base URL.
//! - [`branches`]: its primitive calls for the studio's `main` branch
//!   ([`crate::providers::branch`]) and a project's repository ([`crate::providers::project`]).
//! - [`source`]: files on a branch: list, read, last commit, commit changes.
//! - [`model`]: Bitbucket's JSON shapes (only the fields we read).
//! - [`endpoint`]: endpoint templates, the `endpoint` label of Bitbucket calls in metrics.
//! - [`settings`]: its flags and [`Settings`], as [`crate::config`] reads them.
//! - [`wording`]: what the app says about it, served on `/api/info`.

pub mod branch_work;
pub mod branches;
pub mod endpoint;
pub mod host;
pub mod pipelines;
/// Cloud's JSON shapes live in the `wire` crate, with Data Center's, so they can be fuzzed.
pub use wire::cloud as model;
pub mod rest;
pub mod settings;
pub mod source;
pub mod wording;

pub use settings::Settings;

pub use crate::providers::ProviderError;

pub use wording::REQUIRED_SCOPES;

/// Bitbucket Cloud from its settings: HTTP Basic client authentication, scopes set on the
/// consumer (checked at the callback).
pub fn provider(
    settings: &Settings,
    shared: &crate::providers::Shared<'_>,
) -> Result<crate::providers::Provider, url::ParseError> {
    use crate::providers::oauth::{ClientAuth, OAuthSettings};
    let oauth = OAuthSettings {
        client_id: settings.client_id.clone(),
        client_secret: settings.client_secret.clone(),
        authorize_url: settings.authorize_url.clone(),
        token_url: settings.token_url.clone(),
        callback_url: settings.callback_url.clone(),
        pkce: settings.pkce,
        client_auth: ClientAuth::Basic,
        scopes: Vec::new(),
        required_scopes: REQUIRED_SCOPES.iter().map(|s| s.to_string()).collect(),
    };
    let id = api::GitProvider::BitbucketCloud;
    let host = host::CloudHost {
        rest: rest::BitbucketRest::new(
            shared.http.clone(),
            &settings.api_url,
            shared.metrics.clone(),
        )?,
    };
    shared.provider(
        api::ProviderInfo {
            provider: id,
            name: "Bitbucket Cloud".to_owned(),
            host: "bitbucket.org".to_owned(),
            revoke_url: settings.app_authorizations_url.clone(),
            wording: wording::wording(),
            install_url: None,
            revokes_on_disconnect: false,
        },
        &oauth,
        host,
    )
}
