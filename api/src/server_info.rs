//! What the server offers, for the app to render the right choices.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerInfo {
    /// True when Bitbucket is the built-in sandbox, not bitbucket.org. The app shows a banner.
    pub sandbox: bool,
    /// Git providers the server has configured, in the order to offer them (no placeholders
    /// for ones it has not).
    pub providers: Vec<ProviderInfo>,
    /// Where this studio's mail can be read, when it keeps mail instead of sending it
    /// (sandbox mode): sign-up links arrive there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox_url: Option<String>,
}

/// One configured Git provider, as the wizard and the Connections page name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProviderInfo {
    pub provider: GitProvider,
    /// "Bitbucket Cloud", or the name the operator gave their Data Center instance.
    pub name: String,
    /// The provider's host, shown beside the name ("bitbucket.org", "git.example.com").
    pub host: String,
    /// Where a user withdraws the studio's access on the provider's side: disconnecting in
    /// the studio forgets the tokens but cannot revoke them (neither Bitbucket has a
    /// revocation endpoint).
    pub revoke_url: String,
    /// What the app says about the provider, in the provider's own words.
    #[serde(default)]
    pub wording: crate::ProviderWording,
    /// Where a user installs the studio's app on one of their accounts, for a provider where
    /// authorizing is not enough to reach an account's repositories (GitHub). The picker
    /// offers it when an account is missing, with `?state=` naming where to come back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_url: Option<String>,
    /// Whether Disconnect also revokes the studio's grant on the provider's side (GitHub lets
    /// its apps; Bitbucket has no revocation endpoint, so there it only forgets the tokens).
    #[serde(default)]
    pub revokes_on_disconnect: bool,
}

/// The Git providers the studio can keep pipelines in. Each has its own authorization, per
/// user, and its own routes under `/api/{slug}`, `/oauth/{slug}` and
/// `/api/connections/{slug}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GitProvider {
    /// Bitbucket Cloud (bitbucket.org). Its serialized name and slug stay `bitbucket`, as
    /// stored rows, URLs and the app have them.
    #[default]
    #[serde(rename = "bitbucket")]
    BitbucketCloud,
    /// A Bitbucket Data Center instance on the operator's own servers.
    BitbucketDataCenter,
    /// GitHub (github.com, or a GitHub Enterprise Server), through the studio's GitHub App.
    #[serde(rename = "github")]
    GitHub,
}

impl GitProvider {
    pub const ALL: [GitProvider; 3] = [
        GitProvider::BitbucketCloud,
        GitProvider::BitbucketDataCenter,
        GitProvider::GitHub,
    ];

    /// The path segment of its routes, in the wizard and on the server; also its name in
    /// stored rows.
    pub fn slug(self) -> &'static str {
        match self {
            GitProvider::BitbucketCloud => "bitbucket",
            GitProvider::BitbucketDataCenter => "bitbucket-dc",
            GitProvider::GitHub => "github",
        }
    }

    pub fn from_slug(slug: &str) -> Option<GitProvider> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_name_one_provider_each() {
        for provider in GitProvider::ALL {
            assert_eq!(GitProvider::from_slug(provider.slug()), Some(provider));
        }
        assert_eq!(GitProvider::from_slug("gitlab"), None);
        // Cloud's names from before there were two providers, kept.
        assert_eq!(GitProvider::BitbucketCloud.slug(), "bitbucket");
        assert_eq!(
            serde_json::to_value(GitProvider::BitbucketCloud).unwrap(),
            serde_json::json!("bitbucket")
        );
        assert_eq!(
            serde_json::from_value::<GitProvider>(serde_json::json!("bitbucket")).unwrap(),
            GitProvider::BitbucketCloud
        );
        assert_eq!(
            serde_json::to_value(GitProvider::BitbucketDataCenter).unwrap(),
            serde_json::json!("bitbucket_data_center")
        );
    }
}
