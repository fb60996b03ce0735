//! How a provider is worded to the user: the words each provider needs that the studio cannot
//! make up from its name, as the provider's folder on the server writes them and
//! `/api/info` serves them ([`crate::ProviderInfo::wording`]). The app holds no provider's
//! words of its own, so a new provider brings its words with it.

use serde::{Deserialize, Serialize};

use crate::OAuthFailure;

/// What the app says about one provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProviderWording {
    /// The provider inside sentences ("Connect Bitbucket"); when empty, its name.
    pub short_name: String,
    /// What the provider calls the group a repository belongs to ("workspace", "project");
    /// the contract's `group` fields hold that group's key.
    pub group_noun: String,
    /// The provider's page where a user withdraws an application's access
    /// ("App authorizations").
    pub revoke_page: String,
    /// What authorizing grants, shown before Authorize.
    pub authorize_explanation: String,
    /// Each permission the studio asks for, in the provider's words; may be empty when the
    /// explanation says it all.
    pub permissions: Vec<PermissionWording>,
    /// The provider's own sentence for an authorization failure, where the studio's generic
    /// one ([`OAuthFailure::message`]) would name the wrong page or setting.
    pub failures: Vec<FailureWording>,
    /// For [`OAuthFailure::ScopeMissing`] with a known permission: a sentence holding
    /// `{permission}`, which becomes the permission's label.
    pub permission_missing: Option<String>,
}

/// One permission: what it is called, what the provider says it grants, and what the studio
/// does with it. Shown before Authorize and on the Connections page, so nobody reads "write
/// to the repository you choose" into a grant that covers every repository they can write to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermissionWording {
    /// As the provider names it in a token response ("repository:write").
    pub scope: String,
    /// As the provider's forms and consent page label it ("Repositories: Write").
    pub label: String,
    /// The provider's own description of it.
    pub provider_says: String,
    /// What the studio uses it for.
    pub studio_does: String,
}

/// The provider's sentence for one failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailureWording {
    pub failure: OAuthFailure,
    pub message: String,
}

impl ProviderWording {
    /// The label of a scope the studio asks for ("Repositories: Write"). Unknown names get
    /// `None`: a scope can arrive in a URL an attacker crafted, so it is never echoed.
    pub fn scope_label(&self, scope: &str) -> Option<&str> {
        self.permissions
            .iter()
            .find(|permission| permission.scope == scope)
            .map(|permission| permission.label.as_str())
    }

    /// The sentence for a failed authorization: the provider's own where it has one, naming
    /// the missing permission when it is one the studio asks for; else the studio's.
    pub fn failure_message(&self, failure: OAuthFailure, missing_scope: Option<&str>) -> String {
        let label = missing_scope.and_then(|scope| self.scope_label(scope));
        if let (OAuthFailure::ScopeMissing, Some(label), Some(sentence)) =
            (failure, label, self.permission_missing.as_deref())
        {
            return sentence.replace("{permission}", label);
        }
        self.failures
            .iter()
            .find(|worded| worded.failure == failure)
            .map_or_else(
                || failure.message().to_owned(),
                |worded| worded.message.clone(),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wording() -> ProviderWording {
        ProviderWording {
            permissions: vec![PermissionWording {
                scope: "repository:write".into(),
                label: "Repositories: Write".into(),
                ..PermissionWording::default()
            }],
            failures: vec![FailureWording {
                failure: OAuthFailure::AccessDenied,
                message: "Cancel was chosen on Acme's page.".into(),
            }],
            permission_missing: Some("Acme did not grant \u{201c}{permission}\u{201d}.".into()),
            ..ProviderWording::default()
        }
    }

    #[test]
    fn a_provider_words_its_own_failures_and_the_studio_the_rest() {
        let wording = wording();
        assert_eq!(
            wording.failure_message(OAuthFailure::AccessDenied, None),
            "Cancel was chosen on Acme's page."
        );
        assert_eq!(
            wording.failure_message(OAuthFailure::StateInvalid, None),
            OAuthFailure::StateInvalid.message()
        );
    }

    #[test]
    fn a_missing_permission_is_named_only_when_the_studio_knows_it() {
        let wording = wording();
        assert_eq!(
            wording.failure_message(OAuthFailure::ScopeMissing, Some("repository:write")),
            "Acme did not grant \u{201c}Repositories: Write\u{201d}."
        );
        let crafted = wording.failure_message(OAuthFailure::ScopeMissing, Some("<b>pwned</b>"));
        assert!(!crafted.contains("pwned"), "{crafted}");
        assert_eq!(crafted, OAuthFailure::ScopeMissing.message());
    }

    #[test]
    fn a_server_without_wording_still_reads() {
        let wording: ProviderWording = serde_json::from_str("{}").unwrap();
        assert_eq!(wording, ProviderWording::default());
    }
}
