//! How the OAuth callback reports a failed authorization back to the wizard.
//!
//! The callback is a browser navigation, not a fetch, so it cannot answer with an [`ApiError`]
//! body: it redirects to the page the wizard asked to return to, adding
//! `?oauth_error=<code>` ([`OAuthFailure::QUERY_PARAM`]). The app turns the code into a sentence.
//!
//! [`ApiError`]: crate::ApiError

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OAuthFailure {
    /// The user chose Cancel on Bitbucket's consent page.
    AccessDenied,
    /// The `state` was missing, forged, expired, already used or from another session.
    StateInvalid,
    /// Bitbucket refused to exchange the code (expired or reused code, consumer misconfigured).
    ExchangeFailed,
    /// Bitbucket granted fewer permissions than the studio needs (consumer misconfiguration).
    ScopeMissing,
    /// Bitbucket did not answer or answered with a server error.
    BitbucketUnavailable,
    /// The studio session ended during the round trip: sign in and authorize again.
    NotSignedIn,
}

impl OAuthFailure {
    pub const QUERY_PARAM: &'static str = "oauth_error";
    /// With [`OAuthFailure::ScopeMissing`]: the scope Bitbucket did not grant.
    pub const MISSING_SCOPE_PARAM: &'static str = "oauth_missing_scope";

    pub fn code(self) -> &'static str {
        match self {
            OAuthFailure::AccessDenied => "access_denied",
            OAuthFailure::StateInvalid => "state_invalid",
            OAuthFailure::ExchangeFailed => "exchange_failed",
            OAuthFailure::ScopeMissing => "scope_missing",
            OAuthFailure::BitbucketUnavailable => "bitbucket_unavailable",
            OAuthFailure::NotSignedIn => "not_signed_in",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            OAuthFailure::AccessDenied,
            OAuthFailure::StateInvalid,
            OAuthFailure::ExchangeFailed,
            OAuthFailure::ScopeMissing,
            OAuthFailure::BitbucketUnavailable,
            OAuthFailure::NotSignedIn,
        ]
        .into_iter()
        .find(|failure| failure.code() == code)
    }

    /// What happened and what to do, for the user.
    pub fn message(self) -> &'static str {
        match self {
            OAuthFailure::AccessDenied => {
                "Bitbucket access was not granted, because Cancel was chosen on Bitbucket's consent page. Choose Authorize to try again."
            }
            OAuthFailure::StateInvalid => {
                "That authorization request had expired or was already used, so it was ignored for your safety. Choose Authorize to start again."
            }
            OAuthFailure::ExchangeFailed => {
                "Bitbucket did not accept the authorization. Choose Authorize to try again; if it keeps failing, the studio's Bitbucket OAuth consumer may be misconfigured."
            }
            OAuthFailure::ScopeMissing => {
                "Bitbucket granted fewer permissions than the studio needs (Account: Read and Repositories: Write). An administrator must enable them on the studio's Bitbucket OAuth consumer."
            }
            OAuthFailure::BitbucketUnavailable => {
                "Bitbucket did not answer. Nothing was changed; try Authorize again in a moment."
            }
            OAuthFailure::NotSignedIn => {
                "Your studio session ended during the authorization. Sign in and choose Authorize again."
            }
        }
    }
}

/// The scopes the studio needs, as Bitbucket names them in a token response.
pub const REQUIRED_SCOPES: [&str; 2] = ["account", "repository:write"];

/// How Bitbucket labels a scope on the OAuth consumer's form ("Repositories: Write"), for the
/// scopes the studio knows. Unknown names get `None`: the value arrives in a URL an attacker
/// can craft, so it is never echoed.
pub fn scope_label(scope: &str) -> Option<&'static str> {
    match scope {
        "account" => Some("Account: Read"),
        "repository:write" => Some("Repositories: Write"),
        _ => None,
    }
}

/// The sentence for a failure, naming the missing permission when it is one the studio
/// requires.
pub fn failure_message(failure: OAuthFailure, missing_scope: Option<&str>) -> String {
    match (failure, missing_scope.and_then(scope_label)) {
        (OAuthFailure::ScopeMissing, Some(label)) => format!(
            "Bitbucket did not grant the permission \u{201c}{label}\u{201d}, which the studio needs. \
             An administrator must tick it on the studio's Bitbucket OAuth consumer; then choose Authorize again."
        ),
        _ => failure.message().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for failure in [
            OAuthFailure::AccessDenied,
            OAuthFailure::ScopeMissing,
            OAuthFailure::NotSignedIn,
        ] {
            assert_eq!(OAuthFailure::from_code(failure.code()), Some(failure));
        }
        assert_eq!(OAuthFailure::from_code("<script>"), None);
    }

    #[test]
    fn a_missing_scope_is_named_only_when_known() {
        let named = failure_message(OAuthFailure::ScopeMissing, Some("repository:write"));
        assert!(named.contains("Repositories: Write"), "{named}");
        let unknown = failure_message(OAuthFailure::ScopeMissing, Some("<b>pwned</b>"));
        assert_eq!(unknown, OAuthFailure::ScopeMissing.message());
        for scope in REQUIRED_SCOPES {
            assert!(scope_label(scope).is_some(), "{scope} has a label");
        }
    }
}
