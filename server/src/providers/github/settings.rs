//! GitHub's configuration: its flags (each with an environment variable), the settings they
//! resolve into, and the rules for that (ARCHITECTURE.md, "Adding a Git provider").
//!
//! The studio is a **GitHub App** acting for its users (user access tokens), registered
//! under *Settings → Developer settings → GitHub Apps* with: the callback URL
//! `<public-url>/oauth/github/callback`; *Expire user authorization tokens* on; *Setup URL*
//! `<public-url>/oauth/github/installed` with *Redirect on update* on; repository permissions
//! *Contents: Read and write* and *Metadata: Read-only*, and nothing else; no webhook.

use secrecy::SecretString;

use crate::config::error::ConfigError;

/// The variable that, set, configures this provider.
pub const CONFIGURED_BY: &str = "GITHUB_CLIENT_ID";
const TOGETHER: &str = "GITHUB_APP_SLUG, GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET";

/// GitHub's flags, flattened into [`crate::config::Args`] through
/// [`crate::providers::registry::Flags`].
#[derive(clap::Args, Debug, Clone)]
#[group(id = "github")]
pub struct Flags {
    /// The studio's GitHub App's slug, as in https://github.com/apps/<slug> (its install page).
    /// Set with GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET to offer GitHub. The app needs the
    /// repository permissions Contents: Read and write and Metadata: Read-only, nothing else;
    /// Expire user authorization tokens on; callback URL <public-url>/oauth/github/callback;
    /// Setup URL <public-url>/oauth/github/installed.
    #[arg(long, env = "GITHUB_APP_SLUG")]
    pub github_app_slug: Option<String>,

    /// The GitHub App's numeric App ID (shown on its settings page), for the logs and the
    /// Connections page.
    #[arg(long, env = "GITHUB_APP_ID")]
    pub github_app_id: Option<u64>,

    /// The GitHub App's Client ID (Iv23…).
    #[arg(long, env = "GITHUB_CLIENT_ID")]
    pub github_client_id: Option<String>,

    /// A client secret of the GitHub App (prefer the environment variable).
    #[arg(long, env = "GITHUB_CLIENT_SECRET", hide_env_values = true)]
    pub github_client_secret: Option<String>,

    /// The app's callback URL, exactly as registered. Defaults to
    /// <public-url>/oauth/github/callback.
    #[arg(long, env = "GITHUB_CALLBACK_URL")]
    pub github_callback_url: Option<String>,

    /// GitHub's web address (its sign-in, consent and install pages).
    #[arg(long, env = "GITHUB_URL", default_value = "https://github.com")]
    pub github_url: String,

    /// GitHub's REST API root.
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    pub github_api_url: String,
}

/// The studio's GitHub App and where GitHub is.
#[derive(Clone, Debug)]
pub struct Settings {
    pub app_slug: String,
    pub app_id: Option<u64>,
    pub client_id: String,
    pub client_secret: SecretString,
    pub callback_url: String,
    /// GitHub's web address, without a trailing slash.
    pub web_url: String,
    /// The REST API root, without a trailing slash.
    pub api_url: String,
    /// What users see it called.
    pub name: String,
}

fn http_url(variable: &'static str, value: &str) -> Result<String, ConfigError> {
    let parsed =
        url::Url::parse(value.trim()).map_err(|e| ConfigError::NotAUrl(variable, e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(ConfigError::NotAUrl(variable, value.to_owned()));
    }
    Ok(value.trim().trim_end_matches('/').to_owned())
}

impl Flags {
    /// The settings, or `None` when none of the slug, client id and secret is set; some but
    /// not all of them is an error. `origin`: the studio's public origin.
    pub fn into_settings(self, origin: &str) -> Result<Option<Settings>, ConfigError> {
        let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let (slug, client_id, secret) = match (
            non_empty(self.github_app_slug),
            non_empty(self.github_client_id),
            non_empty(self.github_client_secret),
        ) {
            (None, None, None) => return Ok(None),
            (Some(slug), Some(id), Some(secret)) => (slug, id, secret),
            _ => return Err(ConfigError::Incomplete(TOGETHER)),
        };
        if !wire::github::is_name(slug.trim()) {
            return Err(ConfigError::Incomplete(TOGETHER));
        }
        Ok(Some(Settings {
            app_slug: slug.trim().to_owned(),
            app_id: self.github_app_id,
            client_id: client_id.trim().to_owned(),
            client_secret: SecretString::from(secret),
            callback_url: non_empty(self.github_callback_url).unwrap_or_else(|| {
                format!(
                    "{origin}{}",
                    api::paths::oauth_callback(api::GitProvider::GitHub)
                )
            }),
            web_url: http_url("GITHUB_URL", &self.github_url)?,
            api_url: http_url("GITHUB_API_URL", &self.github_api_url)?,
            name: "GitHub".to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::parse;

    #[test]
    fn a_github_app_needs_its_slug_id_and_secret() {
        assert!(matches!(
            parse(&["--github-client-id", "Iv23abc"]),
            Err(ConfigError::Incomplete(_))
        ));
        let app = [
            "--github-app-slug",
            "pipeline-studio",
            "--github-client-id",
            "Iv23abc",
            "--github-client-secret",
            "s",
            "--token-encryption-keys",
            "a2V5",
            "--public-url",
            "https://studio.example.com",
        ];
        let github = parse(&app).unwrap().providers.github.unwrap();
        assert_eq!(github.app_slug, "pipeline-studio");
        assert_eq!(
            github.callback_url,
            "https://studio.example.com/oauth/github/callback"
        );
        assert_eq!(github.web_url, "https://github.com");
        assert_eq!(github.api_url, "https://api.github.com");
        let bad: Vec<&str> = app
            .iter()
            .copied()
            .chain(["--github-api-url", "ftp://x"])
            .collect();
        assert!(matches!(
            parse(&bad),
            Err(ConfigError::NotAUrl("GITHUB_API_URL", _))
        ));
    }
}
