//! The Git providers as the app names them, in their own words.
//!
//! Every page that talks about a provider takes its words from a [`Provider`], built from
//! the server's `api::ProviderInfo`: its name, host and `api::ProviderWording` (group noun,
//! consent wording, permissions, failure sentences), which each provider's folder on the
//! server writes. The app spells out no provider's words itself, so a new provider needs no
//! change here. When `/api/info` could not be read, a provider goes by neutral words.

use api::{GitProvider, ProviderInfo, ProviderWording, ServerInfo};

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
    pub wording: ProviderWording,
    /// Where the user installs the studio's app on an account, for a provider that asks for
    /// that beside authorization (see `api::ProviderInfo::install_url`).
    pub install_url: Option<String>,
    /// Whether Disconnect also revokes the grant on the provider's side.
    pub revokes_on_disconnect: bool,
}

/// The name of a provider the server did not describe.
const UNDESCRIBED: &str = "your Git provider";

impl Provider {
    /// `id` as the server describes it, if it does.
    pub fn described(id: GitProvider, info: Option<&ServerInfo>) -> Option<Self> {
        info.and_then(|info| info.providers.iter().find(|p| p.provider == id))
            .map(Self::from)
    }

    /// `id` as the server describes it, else in neutral words.
    pub fn of(id: GitProvider, info: Option<&ServerInfo>) -> Self {
        Self::described(id, info).unwrap_or_else(|| Self {
            id,
            name: UNDESCRIBED.to_owned(),
            host: String::new(),
            revoke_url: String::new(),
            wording: ProviderWording::default(),
            install_url: None,
            revokes_on_disconnect: false,
        })
    }

    /// The name inside sentences ("Connect Bitbucket", "Open in Acme Bitbucket"): the
    /// provider's own short name, else its name.
    pub fn short_name(&self) -> &str {
        if self.wording.short_name.is_empty() {
            &self.name
        } else {
            &self.wording.short_name
        }
    }

    /// What the provider groups repositories in: "workspace", "project".
    pub fn group(&self) -> &str {
        if self.wording.group_noun.is_empty() {
            "group"
        } else {
            &self.wording.group_noun
        }
    }

    /// [`Provider::group`] with its indefinite article: "a workspace", "an account".
    pub fn a_group(&self) -> String {
        with_article(self.group())
    }

    /// [`Provider::group`] at the start of a label: "Workspace", "Project".
    pub fn group_title(&self) -> String {
        capitalized(self.group())
    }

    /// The name of the provider's page where a user revokes an application's access.
    pub fn revoke_page(&self) -> &str {
        if self.wording.revoke_page.is_empty() {
            "its list of authorized applications"
        } else {
            &self.wording.revoke_page
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

    /// "Repositories: Write" for the scopes the provider labels; other names as sent.
    pub fn scope_names(&self, scopes: &[String]) -> String {
        scopes
            .iter()
            .map(|scope| self.wording.scope_label(scope).unwrap_or(scope).to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl From<&ProviderInfo> for Provider {
    fn from(info: &ProviderInfo) -> Self {
        Self {
            id: info.provider,
            name: info.name.clone(),
            host: info.host.clone(),
            revoke_url: info.revoke_url.clone(),
            wording: info.wording.clone(),
            install_url: info.install_url.clone(),
            revokes_on_disconnect: info.revokes_on_disconnect,
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

/// `noun` with its indefinite article, by its first letter ("a project", "an account").
pub fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_reads_as_english() {
        assert_eq!(with_article("account"), "an account");
        assert_eq!(with_article("workspace"), "a workspace");
        assert_eq!(with_article("project"), "a project");
    }

    fn info() -> ServerInfo {
        ServerInfo {
            sandbox: true,
            providers: vec![
                ProviderInfo {
                    provider: GitProvider::BitbucketCloud,
                    name: "Bitbucket Cloud".into(),
                    host: "bitbucket.org".into(),
                    revoke_url: "https://bitbucket.org/account/settings/app-authorizations/".into(),
                    wording: ProviderWording {
                        short_name: "Bitbucket".into(),
                        group_noun: "workspace".into(),
                        ..ProviderWording::default()
                    },
                    install_url: None,
                    revokes_on_disconnect: false,
                },
                ProviderInfo {
                    provider: GitProvider::BitbucketDataCenter,
                    name: "Acme Bitbucket".into(),
                    host: "git.acme.example".into(),
                    revoke_url: "https://git.acme.example/plugins/servlet/oauth/tokens".into(),
                    wording: ProviderWording {
                        group_noun: "project".into(),
                        ..ProviderWording::default()
                    },
                    install_url: None,
                    revokes_on_disconnect: false,
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
    fn an_undescribed_provider_goes_by_neutral_words() {
        let dc = Provider::of(GitProvider::BitbucketDataCenter, None);
        assert_eq!(dc.short_name(), "your Git provider");
        assert_eq!(dc.name_and_host(), "your Git provider");
        assert_eq!(dc.group_title(), "Group");
        assert_eq!(dc.scope_names(&["REPO_WRITE".into()]), "REPO_WRITE");
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
