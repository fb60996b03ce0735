//! What the app says about a Bitbucket Data Center instance (served on `/api/info`,
//! `api::ProviderWording`), under the name its operator gave it: its consent page says
//! "Deny", the studio is registered as an application link, and its users revoke tokens
//! under "Authorized applications".

use api::{FailureWording, OAuthFailure, ProviderWording};

/// The words for the instance called `name`.
pub fn wording(name: &str) -> ProviderWording {
    let failures = [
        (
            OAuthFailure::AccessDenied,
            format!("{name} access was not granted, because Deny was chosen on {name}'s consent page. Choose Authorize to try again."),
        ),
        (
            OAuthFailure::ExchangeFailed,
            format!("{name} did not accept the authorization. Choose Authorize to try again; if it keeps failing, the studio's application link on {name} may be misconfigured."),
        ),
        (
            OAuthFailure::ScopeMissing,
            format!("{name} granted fewer permissions than the studio needs (write access to repositories). An administrator must check the studio's application link on {name}."),
        ),
        (
            OAuthFailure::ProviderUnavailable,
            format!("{name} did not answer. Nothing was changed; try Authorize again in a moment."),
        ),
    ];
    ProviderWording {
        short_name: name.to_owned(),
        group_noun: super::host::NAMES.group.to_owned(),
        revoke_page: "Authorized applications".to_owned(),
        authorize_explanation: format!(
            "Authorizing lets the studio read which {name} account you are and write to the repositories your account can write to, as you. You authorize once; every project you create reuses it, and you can disconnect or revoke it at any time."
        ),
        permissions: Vec::new(),
        failures: failures
            .into_iter()
            .map(|(failure, message)| FailureWording { failure, message })
            .collect(),
        permission_missing: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_is_named_as_its_operator_named_it() {
        let wording = wording("Acme Bitbucket");
        assert_eq!(wording.short_name, "Acme Bitbucket");
        let denied = wording.failure_message(OAuthFailure::AccessDenied, None);
        assert!(
            denied.contains("Deny was chosen on Acme Bitbucket's consent page"),
            "{denied}"
        );
        let missing = wording.failure_message(OAuthFailure::ScopeMissing, Some("REPO_WRITE"));
        assert!(
            missing.contains("application link on Acme Bitbucket"),
            "{missing}"
        );
    }
}
