//! What the app says about Bitbucket Cloud (served on `/api/info`, `api::ProviderWording`):
//! its permissions in Atlassian's words (its scope documentation) and the names of its
//! consent page and OAuth consumer.

use api::{FailureWording, OAuthFailure, PermissionWording, ProviderWording};

/// Scopes the studio needs on its OAuth consumer. Bitbucket ignores a `scope` parameter:
/// scopes are the boxes ticked on the consumer, so the callback checks what was granted.
pub const REQUIRED_SCOPES: [&str; 2] = ["account", "repository:write"];

/// What authorizing grants (its permissions are listed after it).
const AUTHORIZE_EXPLANATION: &str = "Authorizing gives the studio two Bitbucket permissions. You authorize once; every project you create reuses it, and you can disconnect or revoke it at any time.";

/// What each permission the studio asks for really grants, so nobody reads "write to the
/// repository you choose" into a grant that covers every repository their account can
/// write to: (scope, label, Atlassian's description, what the studio does with it).
const PERMISSIONS: [(&str, &str, &str, &str); 2] = [
    (
        "account",
        "Account: Read",
        "\u{201c}Gives read-only access to the user's account information\u{201d}, and lets the holder view the workspaces' users, user permissions and projects.",
        "The studio reads which Bitbucket account you are and which workspaces you belong to.",
    ),
    (
        "repository:write",
        "Repositories: Write",
        "\u{201c}Provides write (not admin) access to a repository or repositories. No distinction is made between public and private repositories.\u{201d} It covers every repository your Bitbucket account can write to; Bitbucket cannot narrow it to one.",
        "The studio lists the repositories you can write to, and reads, commits and deletes pipeline files (and creates the main branch) only in the repository of a project you create, as commits by your own account.",
    ),
];

/// Failures whose sentence names Bitbucket's consent page or its OAuth consumer.
const FAILURES: [(OAuthFailure, &str); 4] = [
    (
        OAuthFailure::AccessDenied,
        "Bitbucket access was not granted, because Cancel was chosen on Bitbucket's consent page. Choose Authorize to try again.",
    ),
    (
        OAuthFailure::ExchangeFailed,
        "Bitbucket did not accept the authorization. Choose Authorize to try again; if it keeps failing, the studio's Bitbucket OAuth consumer may be misconfigured.",
    ),
    (
        OAuthFailure::ScopeMissing,
        "Bitbucket granted fewer permissions than the studio needs (Account: Read and Repositories: Write). An administrator must enable them on the studio's Bitbucket OAuth consumer.",
    ),
    (
        OAuthFailure::ProviderUnavailable,
        "Bitbucket did not answer. Nothing was changed; try Authorize again in a moment.",
    ),
];

pub fn wording() -> ProviderWording {
    ProviderWording {
        short_name: "Bitbucket".to_owned(),
        group_noun: super::host::NAMES.group.to_owned(),
        revoke_page: "App authorizations".to_owned(),
        authorize_explanation: AUTHORIZE_EXPLANATION.to_owned(),
        permissions: PERMISSIONS
            .iter()
            .map(|(scope, label, atlassian, studio)| PermissionWording {
                scope: (*scope).to_owned(),
                label: (*label).to_owned(),
                provider_says: (*atlassian).to_owned(),
                studio_does: (*studio).to_owned(),
            })
            .collect(),
        failures: FAILURES
            .iter()
            .map(|(failure, message)| FailureWording {
                failure: *failure,
                message: (*message).to_owned(),
            })
            .collect(),
        permission_missing: Some(
            "Bitbucket did not grant the permission \u{201c}{permission}\u{201d}, which the studio needs. \
             An administrator must tick it on the studio's Bitbucket OAuth consumer; then choose Authorize again."
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_required_scope_is_explained() {
        let wording = wording();
        for scope in REQUIRED_SCOPES {
            assert!(wording.scope_label(scope).is_some(), "{scope} has a label");
        }
        assert!(wording.permissions[1]
            .provider_says
            .contains("every repository"));
        let named = wording.failure_message(OAuthFailure::ScopeMissing, Some("repository:write"));
        assert!(
            named.contains("\u{201c}Repositories: Write\u{201d}"),
            "{named}"
        );
    }
}
