//! How the OAuth callback reports a failed authorization back to the wizard.
//!
//! The callback is a browser navigation, not a fetch, so it cannot answer with an [`ApiError`]
//! body: it redirects to the page the wizard asked to return to, adding
//! `?oauth_error=<code>` ([`OAuthFailure::QUERY_PARAM`]). The app turns the code into a sentence.
//!
//! [`ApiError`]: crate::ApiError

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// What the provider's redirect to the callback carries (RFC 6749 §4.1.2): `code` and `state`
/// on success, `error` (and `state`) on failure. Parsed from the raw query string by
/// [`CallbackQuery::parse`], which never fails: whatever cannot be trusted is left out, and
/// the callback then answers "state invalid" or "exchange failed".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallbackQuery {
    /// 1 to [`CallbackQuery::MAX_STATE_CHARS`] characters.
    pub state: Option<String>,
    /// 1 to [`CallbackQuery::MAX_CODE_CHARS`] characters.
    pub code: Option<String>,
    /// An RFC 6749 error code: 1 to 64 characters of `[A-Za-z0-9_.-]`; others become
    /// `"invalid_error"`, which the callback treats as a failed exchange.
    pub error: Option<String>,
    /// For the log only, cut to 500 characters.
    pub error_description: Option<String>,
    /// A parameter the callback reads appeared twice: treat the whole request as forged.
    pub repeated: bool,
}

impl CallbackQuery {
    pub const MAX_STATE_CHARS: usize = 512;
    pub const MAX_CODE_CHARS: usize = 4096;
    const MAX_ERROR_CHARS: usize = 64;
    const MAX_DESCRIPTION_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Self {
        let mut query = CallbackQuery::default();
        for (name, value) in crate::query::pairs(raw) {
            let slot = match name.as_str() {
                "state" => &mut query.state,
                "code" => &mut query.code,
                "error" => &mut query.error,
                "error_description" => &mut query.error_description,
                _ => continue,
            };
            if slot.is_some() {
                query.repeated = true;
            }
            *slot = Some(value);
        }
        let bounded = |value: Option<String>, max: usize| {
            value.filter(|v| !v.is_empty() && v.chars().count() <= max)
        };
        query.state = bounded(query.state, Self::MAX_STATE_CHARS);
        query.code = bounded(query.code, Self::MAX_CODE_CHARS);
        query.error = query.error.map(|error| {
            let well_formed = (1..=Self::MAX_ERROR_CHARS).contains(&error.len())
                && error
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if well_formed {
                error
            } else {
                "invalid_error".to_owned()
            }
        });
        query.error_description = query
            .error_description
            .map(|d| d.chars().take(Self::MAX_DESCRIPTION_CHARS).collect());
        query
    }
}

/// The scopes the studio needs, as Bitbucket names them in a token response.
pub const REQUIRED_SCOPES: [&str; 2] = ["account", "repository:write"];

/// What one permission the studio asks for really grants, in Atlassian's words (its scope
/// documentation), and what the studio does with it. Shown before Authorize and on the
/// Connections page, so nobody reads "write to the repository you choose" into a grant that
/// covers every repository their account can write to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    pub scope: &'static str,
    /// As the consumer's form and the consent page name it.
    pub label: &'static str,
    /// Atlassian's description of the scope.
    pub atlassian: &'static str,
    /// What the studio uses it for.
    pub studio: &'static str,
}

pub const PERMISSIONS: [Permission; 2] = [
    Permission {
        scope: "account",
        label: "Account: Read",
        atlassian: "\u{201c}Gives read-only access to the user's account information\u{201d}, and lets the holder view the workspaces' users, user permissions and projects.",
        studio: "The studio reads which Bitbucket account you are and which workspaces you belong to.",
    },
    Permission {
        scope: "repository:write",
        label: "Repositories: Write",
        atlassian: "\u{201c}Provides write (not admin) access to a repository or repositories. No distinction is made between public and private repositories.\u{201d} It covers every repository your Bitbucket account can write to; Bitbucket cannot narrow it to one.",
        studio: "The studio lists the repositories you can write to, and reads, commits and deletes pipeline files (and creates the main branch) only in the repository of a project you create, as commits by your own account.",
    },
];

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
    fn callback_queries_keep_only_what_can_be_trusted() {
        let ok = CallbackQuery::parse("code=abc&state=s%2Bt");
        assert_eq!(ok.code.as_deref(), Some("abc"));
        assert_eq!(ok.state.as_deref(), Some("s+t"));
        assert!(!ok.repeated);
        let denied = CallbackQuery::parse("error=access_denied&state=s&error_description=no");
        assert_eq!(denied.error.as_deref(), Some("access_denied"));
        assert!(CallbackQuery::parse("state=a&state=b").repeated);
        let long_state = format!("state={}", "s".repeat(600));
        assert_eq!(CallbackQuery::parse(&long_state).state, None);
        assert_eq!(CallbackQuery::parse("state=&code=").state, None);
        let odd = CallbackQuery::parse("error=%3Cscript%3E");
        assert_eq!(odd.error.as_deref(), Some("invalid_error"));
    }

    #[test]
    fn every_required_scope_is_explained() {
        for scope in REQUIRED_SCOPES {
            let permission = PERMISSIONS.iter().find(|p| p.scope == scope).unwrap();
            assert_eq!(scope_label(scope), Some(permission.label));
        }
        assert!(PERMISSIONS[1].atlassian.contains("every repository"));
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
