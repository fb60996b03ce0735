//! The providers this server knows, in one place: their flags (flattened into
//! [`crate::config::Args`] as one field), their settings (kept in [`crate::config::Settings`]
//! as one field), and their registration, in the order the wizard offers them. A new provider
//! adds one line to each of the three lists below (ARCHITECTURE.md, "Adding a Git provider");
//! `config/` and `startup.rs` name no provider.

use super::{bitbucket_cloud, bitbucket_datacenter, github, Provider, Shared};
use crate::config::error::ConfigError;

/// Every provider's flags. Field order is the order `server --help` lists them in.
#[derive(clap::Args, Debug, Clone)]
// Named apart from the providers' own groups (see their `settings.rs`).
#[group(id = "providers")]
pub struct Flags {
    #[command(flatten)]
    pub bitbucket_cloud: bitbucket_cloud::settings::Flags,

    #[command(flatten)]
    pub bitbucket_datacenter: bitbucket_datacenter::settings::Flags,

    #[command(flatten)]
    pub github: github::settings::Flags,
}

/// Every provider's settings, `None` where it is not configured. All `None`: sandbox mode
/// (every provider is its built-in sandbox).
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub bitbucket_cloud: Option<bitbucket_cloud::Settings>,
    pub bitbucket_datacenter: Option<bitbucket_datacenter::Settings>,
    pub github: Option<github::Settings>,
}

impl Flags {
    /// Each provider's settings from its flags (its own rules, in its `settings.rs`);
    /// `origin`: the studio's public origin, for default callback URLs.
    pub fn into_settings(self, origin: &str) -> Result<Settings, ConfigError> {
        Ok(Settings {
            bitbucket_cloud: self.bitbucket_cloud.into_settings(origin)?,
            bitbucket_datacenter: self.bitbucket_datacenter.into_settings(origin)?,
            github: self.github.into_settings(origin)?,
        })
    }

    /// `BITBUCKET_PKCE`: sandbox mode reads it, where the Cloud sandbox's PKCE defaults to on.
    pub fn sandbox_pkce(&self) -> Option<bool> {
        self.bitbucket_cloud.bitbucket_pkce
    }
}

impl Settings {
    /// The variable that configures each configured provider (its `CONFIGURED_BY`), in the
    /// order they are registered: what the provider-choice rule in `config/` reads.
    pub fn configured(&self) -> Vec<&'static str> {
        [
            self.bitbucket_cloud
                .as_ref()
                .map(|_| bitbucket_cloud::settings::CONFIGURED_BY),
            self.bitbucket_datacenter
                .as_ref()
                .map(|_| bitbucket_datacenter::settings::CONFIGURED_BY),
            self.github
                .as_ref()
                .map(|_| github::settings::CONFIGURED_BY),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether no provider is configured (sandbox mode).
    pub fn is_empty(&self) -> bool {
        self.configured().is_empty()
    }

    /// Every configured provider, in the order the wizard offers them: each folder's one
    /// constructor, called when its settings are there.
    pub fn providers(&self, shared: &Shared<'_>) -> Result<Vec<Provider>, url::ParseError> {
        let registered = [
            self.bitbucket_cloud
                .as_ref()
                .map(|settings| bitbucket_cloud::provider(settings, shared)),
            self.bitbucket_datacenter
                .as_ref()
                .map(|settings| bitbucket_datacenter::provider(settings, shared)),
            self.github
                .as_ref()
                .map(|settings| github::provider(settings, shared)),
        ];
        registered.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::parse;

    /// Each configured provider is named in registration order; none is sandbox mode.
    #[test]
    fn configured_providers_are_named_in_registration_order() {
        let keys = ["--token-encryption-keys", "a2V5"];
        let cloud = [
            "--bitbucket-client-id",
            "k",
            "--bitbucket-client-secret",
            "s",
        ];
        let dc = [
            "--bitbucket-dc-url",
            "https://git.example.com",
            "--bitbucket-dc-client-id",
            "i",
            "--bitbucket-dc-client-secret",
            "s",
        ];
        let both: Vec<&str> = keys.iter().chain(&dc).chain(&cloud).copied().collect();
        let settings = parse(&both).unwrap().providers;
        assert_eq!(
            settings.configured(),
            ["BITBUCKET_CLIENT_ID", "BITBUCKET_DC_URL"]
        );
        assert!(!settings.is_empty());
        let dc_only: Vec<&str> = keys.iter().chain(&dc).copied().collect();
        assert_eq!(
            parse(&dc_only).unwrap().providers.configured(),
            ["BITBUCKET_DC_URL"]
        );
        assert!(parse(&[]).unwrap().providers.is_empty());
        assert!(Settings::default().is_empty());
    }
}
