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
    /// The user declined on the provider's consent page.
    AccessDenied,
    /// The `state` was missing, forged, expired, already used or from another session.
    StateInvalid,
    /// The provider refused to exchange the code (expired or reused code, the studio's client
    /// registration misconfigured).
    ExchangeFailed,
    /// The provider granted fewer permissions than the studio needs (misconfiguration).
    ScopeMissing,
    /// The provider did not answer or answered with a server error.
    #[serde(alias = "bitbucket_unavailable")]
    ProviderUnavailable,
    /// The studio session ended during the round trip: sign in and authorize again.
    NotSignedIn,
}

impl OAuthFailure {
    pub const QUERY_PARAM: &'static str = "oauth_error";
    /// With [`OAuthFailure::ScopeMissing`]: the scope the provider did not grant.
    pub const MISSING_SCOPE_PARAM: &'static str = "oauth_missing_scope";

    pub fn code(self) -> &'static str {
        match self {
            OAuthFailure::AccessDenied => "access_denied",
            OAuthFailure::StateInvalid => "state_invalid",
            OAuthFailure::ExchangeFailed => "exchange_failed",
            OAuthFailure::ScopeMissing => "scope_missing",
            OAuthFailure::ProviderUnavailable => "provider_unavailable",
            OAuthFailure::NotSignedIn => "not_signed_in",
        }
    }

    /// The failure a code names; also the codes of older servers (a page reloaded from
    /// history still says `bitbucket_unavailable`).
    pub fn from_code(code: &str) -> Option<Self> {
        if code == "bitbucket_unavailable" {
            return Some(OAuthFailure::ProviderUnavailable);
        }
        [
            OAuthFailure::AccessDenied,
            OAuthFailure::StateInvalid,
            OAuthFailure::ExchangeFailed,
            OAuthFailure::ScopeMissing,
            OAuthFailure::ProviderUnavailable,
            OAuthFailure::NotSignedIn,
        ]
        .into_iter()
        .find(|failure| failure.code() == code)
    }

    /// What happened and what to do, in words that fit every provider. A provider whose
    /// consent page or settings need naming words these itself
    /// ([`crate::wording::ProviderWording::failures`]).
    pub fn message(self) -> &'static str {
        match self {
            OAuthFailure::AccessDenied => {
                "Access was not granted, because it was declined on the provider's consent page. Choose Authorize to try again."
            }
            OAuthFailure::StateInvalid => {
                "That authorization request had expired or was already used, so it was ignored for your safety. Choose Authorize to start again."
            }
            OAuthFailure::ExchangeFailed => {
                "The provider did not accept the authorization. Choose Authorize to try again; if it keeps failing, the studio's registration with the provider may be misconfigured."
            }
            OAuthFailure::ScopeMissing => {
                "The provider granted fewer permissions than the studio needs. An administrator must check the studio's registration with the provider."
            }
            OAuthFailure::ProviderUnavailable => {
                "The provider did not answer. Nothing was changed; try Authorize again in a moment."
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
    fn older_servers_codes_still_read() {
        assert_eq!(
            OAuthFailure::from_code("bitbucket_unavailable"),
            Some(OAuthFailure::ProviderUnavailable)
        );
        assert_eq!(
            OAuthFailure::ProviderUnavailable.code(),
            "provider_unavailable"
        );
    }
}
