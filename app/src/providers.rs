//! The Git providers as the app names them: Bitbucket Cloud, and a Bitbucket Data Center
//! instance under the name its operator gave it.
//!
//! Every page that talks about a provider takes its words from a [`Provider`], built from
//! the server's `api::ProviderInfo` (or, when `/api/info` could not be read, from the
//! provider's product label), so no page spells out "Bitbucket Cloud" for another provider.

use api::{GitProvider, ProviderInfo, ServerInfo};

/// One provider, with what the app says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    pub id: GitProvider,
    /// "Bitbucket Cloud", "Acme Bitbucket": headings, the provider choice, facts.
    pub name: String,
    /// "bitbucket.org", "git.acme.example"; empty when unknown.
    pub host: String,
    /// Where a user withdraws the studio's access on the provider's side; empty when unknown.
    pub revoke_url: String,
}

impl Provider {
    /// `id` as the server describes it, else by its product label.
    pub fn of(id: GitProvider, info: Option<&ServerInfo>) -> Self {
        info.and_then(|info| info.providers.iter().find(|p| p.provider == id))
            .map(Self::from)
            .unwrap_or_else(|| Self {
                id,
                name: id.label().to_owned(),
                host: String::new(),
                revoke_url: String::new(),
            })
    }

    /// The name inside sentences ("Connect Bitbucket", "Open in Acme Bitbucket"). Cloud's
    /// sentences have always said plain "Bitbucket"; a Data Center instance goes by its name.
    pub fn short_name(&self) -> &str {
        match self.id {
            GitProvider::BitbucketCloud => "Bitbucket",
            GitProvider::BitbucketDataCenter => &self.name,
        }
    }

    /// What the provider groups repositories in: "workspace" or "project".
    pub fn group(&self) -> &'static str {
        self.id.group_noun()
    }

    /// [`Provider::group`] at the start of a label: "Workspace", "Project".
    pub fn group_title(&self) -> String {
        capitalized(self.group())
    }

    /// The name of the provider's page where a user revokes an application's access.
    pub fn revoke_page(&self) -> &'static str {
        match self.id {
            GitProvider::BitbucketCloud => "App authorizations",
            GitProvider::BitbucketDataCenter => "Authorized applications",
        }
    }

    /// "Bitbucket Cloud · bitbucket.org"; the name alone when the host is unknown.
    pub fn name_and_host(&self) -> String {
        if self.host.is_empty() {
            self.name.clone()
        } else {
            format!("{} · {}", self.name, self.host)
        }
    }
}

impl From<&ProviderInfo> for Provider {
    fn from(info: &ProviderInfo) -> Self {
        Self {
            id: info.provider,
            name: info.name.clone(),
            host: info.host.clone(),
            revoke_url: info.revoke_url.clone(),
        }
    }
}

/// The configured provider `asked` for, else the first configured one.
pub fn choose(providers: &[ProviderInfo], asked: Option<GitProvider>) -> Option<&ProviderInfo> {
    asked
        .and_then(|id| providers.iter().find(|p| p.provider == id))
        .or_else(|| providers.first())
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> ServerInfo {
        ServerInfo {
            sandbox: true,
            providers: vec![
                ProviderInfo {
                    provider: GitProvider::BitbucketCloud,
                    name: "Bitbucket Cloud".into(),
                    host: "bitbucket.org".into(),
                    revoke_url: "https://bitbucket.org/account/settings/app-authorizations/".into(),
                },
                ProviderInfo {
                    provider: GitProvider::BitbucketDataCenter,
                    name: "Acme Bitbucket".into(),
                    host: "git.acme.example".into(),
                    revoke_url: "https://git.acme.example/plugins/servlet/oauth/tokens".into(),
                },
            ],
            mailbox_url: None,
        }
    }

    #[test]
    fn providers_are_named_as_the_server_describes_them() {
        let info = info();
        let cloud = Provider::of(GitProvider::BitbucketCloud, Some(&info));
        assert_eq!(cloud.short_name(), "Bitbucket");
        assert_eq!(cloud.name_and_host(), "Bitbucket Cloud · bitbucket.org");
        assert_eq!(cloud.group_title(), "Workspace");
        let dc = Provider::of(GitProvider::BitbucketDataCenter, Some(&info));
        assert_eq!(dc.short_name(), "Acme Bitbucket");
        assert_eq!(dc.name_and_host(), "Acme Bitbucket · git.acme.example");
        assert_eq!(dc.group_title(), "Project");
    }

    #[test]
    fn an_unknown_provider_falls_back_to_its_label() {
        let dc = Provider::of(GitProvider::BitbucketDataCenter, None);
        assert_eq!(dc.name, "Bitbucket Data Center");
        assert_eq!(dc.short_name(), "Bitbucket Data Center");
        assert_eq!(dc.name_and_host(), "Bitbucket Data Center");
    }

    #[test]
    fn the_asked_provider_is_chosen_when_configured() {
        let info = info();
        let pick = |asked| choose(&info.providers, asked).map(|p| p.provider);
        assert_eq!(
            pick(Some(GitProvider::BitbucketDataCenter)),
            Some(GitProvider::BitbucketDataCenter)
        );
        assert_eq!(pick(None), Some(GitProvider::BitbucketCloud));
        assert_eq!(
            choose(&info.providers[1..], Some(GitProvider::BitbucketCloud)).map(|p| p.provider),
            Some(GitProvider::BitbucketDataCenter)
        );
        assert_eq!(choose(&[], None), None);
    }
}
