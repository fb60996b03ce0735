//! What can go wrong when the studio calls a Git provider, and what the user is told, in the
//! provider's own name (its `short_name`, given by [`crate::providers::Grants::with_token`]).

use api::{ApiError, ErrorCode};
use axum::http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("this user has not authorized the provider")]
    NotConnected,
    /// The stored authorization no longer works; the reason is shown to the user.
    #[error("reconnect needed: {0}")]
    ReconnectNeeded(String),
    /// The provider answered 401 to an API call (a refused token); `expired` when it said the token expired.
    #[error("the provider refused the access token (expired: {expired})")]
    Unauthorized { expired: bool },
    #[error("the provider refused: {0}")]
    Forbidden(String),
    #[error("not found at the provider: {0}")]
    NotFound(String),
    /// The provider answered 409: something changed meanwhile (a branch that now exists, a
    /// commit whose parent is no longer the tip).
    #[error("conflict at the provider: {0}")]
    Conflict(String),
    /// The provider answered 400. Bitbucket's documents list it for a few calls only, and it has
    /// used it where another reading would say 409 (a branch that exists): callers that can
    /// check what happened do, the rest report it as unexpected.
    #[error("the provider refused the request: {0}")]
    BadRequest(String),
    #[error("provider rate limit (retry after {retry_after:?} s)")]
    RateLimited { retry_after: Option<u64> },
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// A file too large for the studio to read or write; the message says which.
    #[error("too large: {0}")]
    TooLarge(String),
    /// A group, repository or path name that cannot be a provider's name (and might try to
    /// steer the proxy elsewhere).
    #[error("invalid {0} name")]
    InvalidName(&'static str),
    /// The provider answered something we cannot read; a bug or an API change.
    #[error("unexpected answer from the provider: {0}")]
    Unexpected(String),
}

/// What a provider outage's answer tells the client to wait (`Retry-After`).
pub const UPSTREAM_RETRY_AFTER_SECONDS: u64 = 5;

impl ProviderError {
    pub(crate) fn status_and_body(&self, name: &str) -> (StatusCode, ApiError) {
        use ProviderError::*;
        match self {
            NotConnected => (
                StatusCode::CONFLICT,
                ApiError::new(ErrorCode::ProviderNotConnected, format!("{name} is not connected yet. Choose Authorize to connect it.")),
            ),
            ReconnectNeeded(reason) => (StatusCode::CONFLICT, ApiError::new(ErrorCode::ProviderReconnectNeeded, reason.clone())),
            Unauthorized { .. } => (
                StatusCode::CONFLICT,
                ApiError::new(
                    ErrorCode::ProviderReconnectNeeded,
                    format!("{name} no longer accepts the studio's authorization. Choose Reconnect to authorize again."),
                ),
            ),
            Forbidden(message) => (StatusCode::FORBIDDEN, ApiError::new(ErrorCode::ProviderForbidden, message.clone())),
            NotFound(what) => (
                StatusCode::NOT_FOUND,
                ApiError::new(ErrorCode::NotFound, format!("{what} was not found on {name}, or this account cannot see it.")),
            ),
            Conflict(_) => (
                StatusCode::CONFLICT,
                ApiError::new(ErrorCode::Conflict, format!("Something changed on {name} meanwhile. Reload and try again.")),
            ),
            RateLimited { retry_after } => {
                let seconds = retry_after.unwrap_or(30);
                let message = if seconds >= 90 {
                    format!(
                        "{name}'s hourly limit of calls for your account is reached, so the studio has to wait before asking it again. You can go on in about {} minutes; nothing you entered is lost.",
                        seconds.div_ceil(60)
                    )
                } else {
                    format!("{name} is limiting how often the studio may call it. Wait a moment and try again; nothing you entered is lost.")
                };
                let mut body = ApiError::new(ErrorCode::ProviderRateLimited, message);
                body.retry_after_seconds = Some(seconds);
                (StatusCode::TOO_MANY_REQUESTS, body)
            }
            Unavailable(_) | Unexpected(_) | BadRequest(_) => {
                // Not "nothing was changed": a commit whose answer never came may have landed
                // (the editor re-reads before the next save).
                let mut body = ApiError::new(ErrorCode::ProviderUnavailable, format!("{name} did not answer as expected. Try again in a moment; nothing you entered is lost."));
                // An outage says when to come back, as a database outage does; a request
                // the provider refused as malformed would fail again, so it promises nothing.
                if !matches!(self, BadRequest(_)) {
                    body.retry_after_seconds = Some(UPSTREAM_RETRY_AFTER_SECONDS);
                }
                (StatusCode::BAD_GATEWAY, body)
            }
            TooLarge(message) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::new(ErrorCode::InvalidInput, message.clone()).with_field("content"),
            ),
            InvalidName(what) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError::new(ErrorCode::InvalidInput, format!("That is not a valid {name} {what} name.")).with_field(*what),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_says_when_to_retry_and_a_refused_request_does_not() {
        for outage in [
            ProviderError::Unavailable("HTTP 503".into()),
            ProviderError::Unexpected("unreadable answer".into()),
        ] {
            let (status, body) = outage.status_and_body("GitHub");
            assert!(
                body.message.starts_with("GitHub did not answer"),
                "{}",
                body.message
            );
            assert_eq!(status, StatusCode::BAD_GATEWAY);
            assert_eq!(body.retry_after_seconds, Some(UPSTREAM_RETRY_AFTER_SECONDS));
        }
        // The same request would be refused again: waiting would not help.
        let (_, body) = ProviderError::BadRequest("bad".into()).status_and_body("GitHub");
        assert_eq!(body.retry_after_seconds, None);
    }
}
