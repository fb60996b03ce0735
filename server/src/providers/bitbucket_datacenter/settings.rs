//! Bitbucket Data Center's configuration: its flags (each with an environment variable), the
//! settings they resolve into, and the rules for that. [`crate::config`] embeds the flags in
//! the server's and keeps the result; this folder owns what they mean (ARCHITECTURE.md,
//! "Adding a Git provider").

use secrecy::SecretString;

use crate::config::error::ConfigError;

/// What a Data Center instance is called when the operator gives it no name.
pub const DEFAULT_NAME: &str = "Bitbucket Data Center";
/// The variable that, set, configures this provider: what the provider-choice rule names
/// when it refuses sandbox mode beside it.
pub const CONFIGURED_BY: &str = "BITBUCKET_DC_URL";

/// Bitbucket Data Center's flags, flattened into [`crate::config::Args`] through
/// [`crate::providers::registry::Flags`].
#[derive(clap::Args, Debug, Clone)]
// Each provider's flags are named apart: clap names a flattened struct's group after its
// type, and every provider's is `Flags`.
#[group(id = "bitbucket_datacenter")]
pub struct Flags {
    /// Base URL of a Bitbucket Data Center instance (e.g. https://git.example.com, with its
    /// context path if it has one). Set with BITBUCKET_DC_CLIENT_ID and
    /// BITBUCKET_DC_CLIENT_SECRET to offer it beside (or instead of) Bitbucket Cloud.
    #[arg(long, env = "BITBUCKET_DC_URL")]
    pub bitbucket_dc_url: Option<String>,

    /// Client ID of the studio's incoming application link on the Data Center instance
    /// (Administration → Application links → Create link → External application, Incoming,
    /// redirect URL <public-url>/oauth/bitbucket-dc/callback, permission Repositories: Write).
    #[arg(long, env = "BITBUCKET_DC_CLIENT_ID")]
    pub bitbucket_dc_client_id: Option<String>,

    /// Client secret of that application link (prefer the environment variable).
    #[arg(long, env = "BITBUCKET_DC_CLIENT_SECRET", hide_env_values = true)]
    pub bitbucket_dc_client_secret: Option<String>,

    /// The name users see for the Data Center instance ("Acme Bitbucket").
    #[arg(long, env = "BITBUCKET_DC_NAME", default_value = DEFAULT_NAME)]
    pub bitbucket_dc_name: String,

    /// The application link's redirect URL, exactly as registered.
    /// Defaults to <public-url>/oauth/bitbucket-dc/callback.
    #[arg(long, env = "BITBUCKET_DC_CALLBACK_URL")]
    pub bitbucket_dc_callback_url: Option<String>,

    /// Where users withdraw the studio's access on the Data Center instance (linked from the
    /// app). Defaults to <BITBUCKET_DC_URL>/account (Manage account).
    #[arg(long, env = "BITBUCKET_DC_REVOKE_URL")]
    pub bitbucket_dc_revoke_url: Option<String>,
}

/// A Bitbucket Data Center instance and who the studio is to it.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The instance's base URL, without a trailing slash.
    pub base_url: String,
    /// What users see it called.
    pub name: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub callback_url: String,
    pub revoke_url: String,
}

impl Flags {
    /// The settings, or `None` when none of the URL, client id and secret is set (this
    /// provider is not configured); some but not all of them is an error. `origin`: the
    /// studio's public origin, without a trailing slash, for the default callback URL.
    pub fn into_settings(self, origin: &str) -> Result<Option<Settings>, ConfigError> {
        let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let (url, client_id, secret) = match (
            non_empty(self.bitbucket_dc_url),
            non_empty(self.bitbucket_dc_client_id),
            non_empty(self.bitbucket_dc_client_secret),
        ) {
            (None, None, None) => return Ok(None),
            (Some(url), Some(client_id), Some(secret)) => (url, client_id, secret),
            _ => return Err(ConfigError::IncompleteDataCenter),
        };
        let parsed =
            url::Url::parse(url.trim()).map_err(|e| ConfigError::DataCenterUrl(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(ConfigError::DataCenterUrl(url));
        }
        let base_url = url.trim().trim_end_matches('/').to_owned();
        Ok(Some(Settings {
            revoke_url: non_empty(self.bitbucket_dc_revoke_url)
                .unwrap_or_else(|| format!("{base_url}/account")),
            base_url,
            name: Some(self.bitbucket_dc_name.trim().to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| DEFAULT_NAME.to_owned()),
            client_id,
            client_secret: SecretString::from(secret),
            callback_url: non_empty(self.bitbucket_dc_callback_url).unwrap_or_else(|| {
                format!(
                    "{origin}{}",
                    api::paths::oauth_callback(api::GitProvider::BitbucketDataCenter)
                )
            }),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::parse;

    #[test]
    fn a_data_center_instance_needs_its_url_id_and_secret_and_keys() {
        assert!(matches!(
            parse(&["--bitbucket-dc-url", "https://git.example.com"]),
            Err(ConfigError::IncompleteDataCenter)
        ));
        let dc = [
            "--bitbucket-dc-url",
            "https://git.example.com/bb/",
            "--bitbucket-dc-client-id",
            "id",
            "--bitbucket-dc-client-secret",
            "s",
        ];
        assert!(matches!(parse(&dc), Err(ConfigError::MissingKeys)));
        let with_keys: Vec<&str> = dc
            .iter()
            .copied()
            .chain([
                "--token-encryption-keys",
                "a2V5",
                "--public-url",
                "https://studio.example.com",
                "--bitbucket-dc-name",
                "Acme Bitbucket",
            ])
            .collect();
        let settings = parse(&with_keys).unwrap();
        assert!(
            settings.providers.bitbucket_cloud.is_none(),
            "Data Center alone: no Cloud"
        );
        let dc = settings.providers.bitbucket_datacenter.unwrap();
        assert_eq!(dc.base_url, "https://git.example.com/bb");
        assert_eq!(dc.name, "Acme Bitbucket");
        assert_eq!(
            dc.callback_url,
            "https://studio.example.com/oauth/bitbucket-dc/callback"
        );
        assert_eq!(dc.revoke_url, "https://git.example.com/bb/account");
        for bad in ["git.example.com", "ftp://git.example.com", "not a url"] {
            let args: Vec<&str> = [
                "--bitbucket-dc-url",
                bad,
                "--bitbucket-dc-client-id",
                "id",
                "--bitbucket-dc-client-secret",
                "s",
            ]
            .to_vec();
            assert!(
                matches!(parse(&args), Err(ConfigError::DataCenterUrl(_))),
                "{bad}"
            );
        }
    }
}
