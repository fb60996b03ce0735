//! GitHub (github.com, or a GitHub Enterprise Server) as one of the studio's providers
//! ([`crate::providers`]), through the studio's **GitHub App** acting for each user with a
//! user access token, per GitHub's description of its REST API
//! (`sandbox/openapi/github.openapi.json`) and its pages on GitHub Apps.
//!
//! - [`provider`]: this provider built from its settings, as the registry registers it.
//! - [`host`]: accounts where the app is installed, and their repositories the user can push to.
//! - [`branches`], [`pipelines`]: the primitive calls for `main`, a project's repository and
//!   its pipelines (the Git data API: a commit on the parent, the branch moved without force).
//! - [`calls`]: the REST calls, one method each; [`rest`]: the client under them (GitHub's
//!   media type, its refusals and rate limits).
//! - [`model`]: GitHub's JSON shapes, in the `wire` crate.
//! - [`endpoint`], [`settings`], [`wording`]: metrics names, flags, the app's words.
//!
//! OAuth: authorize at `{web}/login/oauth/authorize`, token at
//! `{web}/login/oauth/access_token`, the client's id and secret in the form body, PKCE S256,
//! no scope (a GitHub App's permissions are set on the app). Access tokens last 8 hours and
//! each refresh token is usable once ("Refreshing user access tokens").

pub mod branch_work;
pub mod branches;
pub mod calls;
pub mod endpoint;
pub mod host;
/// GitHub's JSON shapes live in the `wire` crate, with the other providers', to be fuzzed.
pub use wire::github as model;
pub mod pipelines;
pub mod rest;
pub mod settings;
pub mod wording;

pub use settings::Settings;

/// GitHub from its settings: client credentials in the form body, PKCE S256, no scopes.
pub fn provider(
    settings: &Settings,
    shared: &crate::providers::Shared<'_>,
) -> Result<crate::providers::Provider, url::ParseError> {
    use crate::providers::oauth::{ClientAuth, OAuthSettings};
    let web = &settings.web_url;
    let oauth = OAuthSettings {
        client_id: settings.client_id.clone(),
        client_secret: settings.client_secret.clone(),
        authorize_url: format!("{web}/login/oauth/authorize"),
        token_url: format!("{web}/login/oauth/access_token"),
        callback_url: settings.callback_url.clone(),
        pkce: true,
        client_auth: ClientAuth::RequestBody,
        scopes: Vec::new(),
        required_scopes: Vec::new(),
    };
    let rest = rest::GitHubRest::new(
        shared.http.clone(),
        &settings.api_url,
        web,
        shared.metrics.clone(),
    )?;
    let revoke = rest::Revocation {
        client_id: settings.client_id.clone(),
        client_secret: settings.client_secret.clone(),
    };
    let shown_host = crate::providers::shown_host(web);
    shared.provider(
        api::ProviderInfo {
            provider: api::GitProvider::GitHub,
            name: settings.name.clone(),
            host: shown_host,
            revoke_url: format!("{web}/settings/apps/authorizations"),
            wording: wording::wording(),
            install_url: Some(format!(
                "{web}/apps/{}/installations/new",
                settings.app_slug
            )),
            revokes_on_disconnect: true,
        },
        &oauth,
        host::GitHubHost::new(rest, revoke),
    )
}
