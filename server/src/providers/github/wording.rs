//! What the app says about GitHub (served on `/api/info`, `api::ProviderWording`): the
//! studio's GitHub App's permissions in GitHub's words (its pages on GitHub App
//! permissions), its consent page's buttons, and where users revoke it.

use api::{FailureWording, OAuthFailure, PermissionWording, ProviderWording};

const AUTHORIZE_EXPLANATION: &str = "Authorizing lets the studio act as you, through its GitHub App, on the accounts where that app is installed, and never beyond what your own account may do there. You authorize once; every project you create reuses it, and you can disconnect or revoke it at any time.";

/// The app's two permissions: (name, label, GitHub's description, what the studio does).
const PERMISSIONS: [(&str, &str, &str, &str); 2] = [
    (
        "metadata",
        "Metadata: Read-only",
        "\u{201c}Search repositories, list collaborators, and access repository metadata.\u{201d} Every GitHub App has it.",
        "The studio lists the repositories of the accounts where its app is installed, with what you may do in each.",
    ),
    (
        "contents",
        "Contents: Read and write",
        "\u{201c}Repository contents, commits, branches, downloads, releases, and merges.\u{201d} Only in repositories where the app is installed, and only where your own account can push.",
        "The studio reads, commits and deletes pipeline files, and creates the main branch, only in the repository of a project you create, as commits by your own account.",
    ),
];

const FAILURES: [(OAuthFailure, &str); 4] = [
    (
        OAuthFailure::AccessDenied,
        "GitHub access was not granted, because Cancel was chosen on GitHub's authorization page. Choose Authorize to try again.",
    ),
    (
        OAuthFailure::ExchangeFailed,
        "GitHub did not accept the authorization. Choose Authorize to try again; if it keeps failing, the studio's GitHub App may be misconfigured (its client secret or callback URL).",
    ),
    (
        OAuthFailure::ScopeMissing,
        "GitHub granted fewer permissions than the studio needs. An administrator must check the studio's GitHub App permissions (Contents: Read and write, Metadata: Read-only).",
    ),
    (
        OAuthFailure::ProviderUnavailable,
        "GitHub did not answer. Nothing was changed; try Authorize again in a moment.",
    ),
];

pub fn wording() -> ProviderWording {
    ProviderWording {
        short_name: "GitHub".to_owned(),
        group_noun: super::host::NAMES.group.to_owned(),
        revoke_page: "Authorized GitHub Apps".to_owned(),
        authorize_explanation: AUTHORIZE_EXPLANATION.to_owned(),
        permissions: PERMISSIONS
            .iter()
            .map(|(scope, label, github, studio)| PermissionWording {
                scope: (*scope).to_owned(),
                label: (*label).to_owned(),
                provider_says: (*github).to_owned(),
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
        permission_missing: None,
    }
}
