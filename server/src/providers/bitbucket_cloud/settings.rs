//! Bitbucket Cloud's configuration: its flags (each with an environment variable), the
//! settings they resolve into, and the rules for that. [`crate::config`] embeds the flags in
//! the server's and keeps the result; this folder owns what they mean (ARCHITECTURE.md,
//! "Adding a Git provider").

use secrecy::SecretString;

use crate::config::error::ConfigError;

pub const AUTHORIZE_URL: &str = "https://bitbucket.org/site/oauth2/authorize";
pub const TOKEN_URL: &str = "https://bitbucket.org/site/oauth2/access_token";
pub const API_URL: &str = "https://api.bitbucket.org/2.0";
pub const APP_AUTHORIZATIONS_URL: &str =
    "https://bitbucket.org/account/settings/app-authorizations/";
/// The variable that, set, configures this provider: what the provider-choice rule names
/// when it refuses sandbox mode beside it.
pub const CONFIGURED_BY: &str = "BITBUCKET_CLIENT_ID";

/// Bitbucket Cloud's flags, flattened into [`crate::config::Args`] through
/// [`crate::providers::registry::Flags`].
#[derive(clap::Args, Debug, Clone)]
// Each provider's flags are named apart: clap names a flattened struct's group after its
// type, and every provider's is `Flags`.
#[group(id = "bitbucket_cloud")]
pub struct Flags {
    /// Key of the Bitbucket OAuth consumer. Unset: use the built-in Bitbucket sandbox.
    #[arg(long, env = "BITBUCKET_CLIENT_ID")]
    pub bitbucket_client_id: Option<String>,

    /// Secret of the Bitbucket OAuth consumer (prefer the environment variable: flags show in
    /// process listings).
    #[arg(long, env = "BITBUCKET_CLIENT_SECRET", hide_env_values = true)]
    pub bitbucket_client_secret: Option<String>,

    /// Bitbucket's OAuth consent page.
    #[arg(long, env = "BITBUCKET_AUTHORIZE_URL", default_value = AUTHORIZE_URL)]
    pub bitbucket_authorize_url: String,

    /// Bitbucket's OAuth token endpoint (code exchange and refresh).
    #[arg(long, env = "BITBUCKET_TOKEN_URL", default_value = TOKEN_URL)]
    pub bitbucket_token_url: String,

    /// Base URL of Bitbucket's REST API 2.0; the proxy calls nothing outside it.
    #[arg(long, env = "BITBUCKET_API_URL", default_value = API_URL)]
    pub bitbucket_api_url: String,

    /// Where users revoke the studio's access on Bitbucket (linked from the app).
    #[arg(long, env = "BITBUCKET_APP_AUTHORIZATIONS_URL", default_value = APP_AUTHORIZATIONS_URL)]
    pub bitbucket_app_authorizations_url: String,

    /// The consumer's callback URL, exactly as registered on Bitbucket.
    /// Defaults to <public-url>/oauth/bitbucket/callback.
    #[arg(long, env = "BITBUCKET_CALLBACK_URL")]
    pub bitbucket_callback_url: Option<String>,

    /// Send a PKCE S256 challenge with Bitbucket authorizations. Default: on for the sandbox,
    /// off for bitbucket.org (its PKCE support is unconfirmed).
    #[arg(long, env = "BITBUCKET_PKCE")]
    pub bitbucket_pkce: Option<bool>,
}

/// Where Bitbucket is and who the studio is to it.
#[derive(Clone, Debug)]
pub struct Settings {
    pub client_id: String,
    pub client_secret: SecretString,
    pub authorize_url: String,
    pub token_url: String,
    pub api_url: String,
    pub app_authorizations_url: String,
    pub callback_url: String,
    pub pkce: bool,
}

impl Flags {
    /// The settings, or `None` when no consumer key is set (this provider is not configured).
    /// `origin`: the studio's public origin, without a trailing slash, for the default
    /// callback URL.
    pub fn into_settings(self, origin: &str) -> Result<Option<Settings>, ConfigError> {
        let Some(client_id) = self.bitbucket_client_id.filter(|id| !id.is_empty()) else {
            return Ok(None);
        };
        let secret = self
            .bitbucket_client_secret
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::MissingSecret)?;
        let callback_url = self
            .bitbucket_callback_url
            .unwrap_or_else(|| format!("{origin}{}", api::paths::BITBUCKET_OAUTH_CALLBACK));
        Ok(Some(Settings {
            client_id,
            client_secret: SecretString::from(secret),
            authorize_url: self.bitbucket_authorize_url,
            token_url: self.bitbucket_token_url,
            api_url: self.bitbucket_api_url.trim_end_matches('/').to_owned(),
            app_authorizations_url: self.bitbucket_app_authorizations_url,
            callback_url,
            pkce: self.bitbucket_pkce.unwrap_or(false),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::parse;

    #[test]
    fn a_real_consumer_defaults_to_bitbucket_cloud_and_needs_secret_and_keys() {
        assert!(matches!(
            parse(&["--bitbucket-client-id", "k"]),
            Err(ConfigError::MissingSecret)
        ));
        assert!(matches!(
            parse(&[
                "--bitbucket-client-id",
                "k",
                "--bitbucket-client-secret",
                "s"
            ]),
            Err(ConfigError::MissingKeys)
        ));
        let settings = parse(&[
            "--bitbucket-client-id",
            "k",
            "--bitbucket-client-secret",
            "s",
            "--token-encryption-keys",
            "a2V5",
            "--public-url",
            "https://studio.example.com/",
        ])
        .unwrap();
        let bitbucket = settings.providers.bitbucket_cloud.unwrap();
        assert_eq!(bitbucket.authorize_url, AUTHORIZE_URL);
        assert_eq!(bitbucket.token_url, TOKEN_URL);
        assert_eq!(bitbucket.api_url, API_URL);
        assert_eq!(
            bitbucket.callback_url,
            "https://studio.example.com/oauth/bitbucket/callback"
        );
        assert!(!bitbucket.pkce);
        assert!(settings.providers.bitbucket_datacenter.is_none());
    }
}
