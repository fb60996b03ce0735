//! The one error body every `/api` route answers with when it fails.

use serde::{Deserialize, Serialize};

/// What went wrong, as a machine-readable code the app can branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No signed-in studio user: sign in again.
    NotSignedIn,
    /// Sign-in failed: unknown email or wrong password (deliberately not told apart).
    InvalidCredentials,
    /// A field failed validation; `field` names it.
    InvalidInput,
    /// The request is malformed (not JSON, a missing parameter, too large, a method the
    /// address does not take); the message says which.
    BadRequest,
    /// The thing already exists (an email, a project name).
    Conflict,
    /// A sign-up link was confirmed in a browser where another account is signed in, without
    /// saying to switch: nothing changed (see [`crate::ConfirmSignUp::switch_account`]).
    SignedInAsSomeoneElse,
    NotFound,
    /// A pipeline changed in its store (a new commit on the branch, a newer version) since
    /// the editor read it; nothing was overwritten.
    PipelineChanged,
    /// The request was refused as cross-site or malformed (CSRF defence).
    Forbidden,
    // The provider codes had Bitbucket's name when Bitbucket was the only provider: a body
    // with the old name (an older server, a stored answer) still reads.
    /// This user has not authorized the Git provider yet.
    #[serde(alias = "bitbucket_not_connected")]
    ProviderNotConnected,
    /// The provider's authorization no longer works (revoked, expired); authorize again.
    #[serde(alias = "bitbucket_reconnect_needed")]
    ProviderReconnectNeeded,
    /// The provider's account may not do this (for example: no write access to the
    /// repository).
    #[serde(alias = "bitbucket_forbidden")]
    ProviderForbidden,
    /// The provider is rate-limiting; `retry_after_seconds` says when to try again.
    #[serde(alias = "bitbucket_rate_limited")]
    ProviderRateLimited,
    /// The provider did not answer, or answered with a server error.
    #[serde(alias = "bitbucket_unavailable")]
    ProviderUnavailable,
    /// Too many attempts (sign-in); wait and retry.
    TooManyRequests,
    /// The server's storage is unavailable for a moment.
    Unavailable,
    /// Anything else. Details are in the server's log, never in the response.
    Internal,
}

/// The JSON body of every failed `/api` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence for the user: what happened and what to do.
    pub message: String,
    /// The input field at fault, for [`ErrorCode::InvalidInput`] and [`ErrorCode::Conflict`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            retry_after_seconds: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_codes_are_neutral_and_the_old_names_still_read() {
        for (code, old, new) in [
            (
                ErrorCode::ProviderNotConnected,
                "bitbucket_not_connected",
                "provider_not_connected",
            ),
            (
                ErrorCode::ProviderReconnectNeeded,
                "bitbucket_reconnect_needed",
                "provider_reconnect_needed",
            ),
            (
                ErrorCode::ProviderForbidden,
                "bitbucket_forbidden",
                "provider_forbidden",
            ),
            (
                ErrorCode::ProviderRateLimited,
                "bitbucket_rate_limited",
                "provider_rate_limited",
            ),
            (
                ErrorCode::ProviderUnavailable,
                "bitbucket_unavailable",
                "provider_unavailable",
            ),
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(new));
            for name in [old, new] {
                let read: ErrorCode = serde_json::from_value(serde_json::json!(name)).unwrap();
                assert_eq!(read, code, "{name}");
            }
        }
    }
}
