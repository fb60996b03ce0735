//! [`AppError`]: the one error type of the server's routes.
//!
//! Each variant maps to a status and a typed [`api::ApiError`] body. Internal causes are
//! logged here, once, and never sent to the browser.

use api::{ApiError, ErrorCode};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::providers::error::ProviderError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("invalid input in {field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error("conflict on {field}: {message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// A sign-up link was confirmed where `email` is signed in, without the user choosing to
    /// switch accounts: nothing changed.
    #[error("signed in as someone else")]
    SignedInAsSomeoneElse { email: String },
    /// A pipeline changed in its store since the editor read it; the message says where.
    #[error("pipeline changed: {0}")]
    PipelineChanged(String),
    /// The store kept moving under unrelated changes while a save tried to land (a branch
    /// with many committers): nothing was written, and the pipeline itself did not change.
    #[error("store busy: {0}")]
    StoreBusy(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A limit on attempts was reached; try again after `retry_after` seconds.
    #[error("too many attempts at {action:?} (retry after {retry_after} s)")]
    TooManyAttempts { action: Throttled, retry_after: u64 },
    /// The request itself is malformed: not JSON, a missing query parameter.
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    /// The JSON body parsed but does not have the fields the route takes.
    #[error("invalid body ({field:?}): {message}")]
    InvalidBody {
        field: Option<String>,
        message: String,
    },
    #[error("body too large")]
    PayloadTooLarge,
    /// The body did not arrive whole in time (`crate::serve`'s body timeout).
    #[error("body too slow")]
    BodyTimedOut,
    #[error("body not declared as JSON")]
    UnsupportedMediaType,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A feature the operator has not configured (sign-up without a mail transport).
    #[error("not configured: {0}")]
    NotConfigured(&'static str),
    /// A provider's failure, before it has left the one place provider calls pass through
    /// ([`crate::providers::Grants::with_token`]), which names the provider
    /// ([`AppError::ProviderNamed`]).
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// A provider's failure told in the provider's own name ("GitHub is limiting…").
    #[error("{name}: {error}")]
    ProviderNamed {
        name: std::sync::Arc<str>,
        error: ProviderError,
    },
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    /// The database did not answer (seen through a layer that hides its error type, such as
    /// the session store).
    #[error("storage unavailable: {0}")]
    StorageUnavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

/// What a [`AppError::TooManyAttempts`] limited, for its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttled {
    /// Failed sign-ins for one account.
    SignIn,
    /// Sign-ins from one client address.
    SignInFromClient,
    SignUp,
    /// No room in the password-hashing queue, or in this client's share of it.
    Busy,
}

impl Throttled {
    fn message(self, minutes: u64) -> String {
        match self {
            Throttled::SignIn => format!("Too many failed sign-ins for this account. Wait {minutes} minute(s) and try again, or check the email address."),
            Throttled::SignInFromClient => format!("Too many sign-ins from here. Wait {minutes} minute(s) and try again."),
            Throttled::Busy => "The studio is checking many passwords at the moment. Try again in a few seconds.".to_owned(),
            Throttled::SignUp => format!("Too many sign-ups from here or for this address. Wait {minutes} minute(s) and try again; if a sign-up mail arrived meanwhile, use its link."),
        }
    }
}

impl AppError {
    /// A provider refused the access token of a call: the token is refreshed and the call
    /// made once more ([`crate::providers::Grants::with_token`]).
    pub fn is_refused_token(&self) -> bool {
        matches!(
            self.provider_error(),
            Some(ProviderError::Unauthorized { .. })
        )
    }

    /// The provider's failure this is, named or not.
    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            AppError::Provider(error) | AppError::ProviderNamed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// This error told in the provider's name `name`, when it is a provider's failure.
    pub fn named(self, name: &std::sync::Arc<str>) -> Self {
        match self {
            AppError::Provider(error) => AppError::ProviderNamed {
                name: name.clone(),
                error,
            },
            other => other,
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        AppError::Internal(error.to_string())
    }

    pub(crate) fn status_and_body(&self) -> (StatusCode, ApiError) {
        use AppError::*;
        match self {
            NotSignedIn => (StatusCode::UNAUTHORIZED, ApiError::new(ErrorCode::NotSignedIn, "You are not signed in. Sign in to continue.")),
            InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                ApiError::new(ErrorCode::InvalidCredentials, "That email and password do not match an account. Check them and try again."),
            ),
            InvalidInput { field, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ApiError::new(ErrorCode::InvalidInput, message.clone()).with_field(*field))
            }
            Conflict { field, message } => (StatusCode::CONFLICT, ApiError::new(ErrorCode::Conflict, message.clone()).with_field(*field)),
            SignedInAsSomeoneElse { email } => (
                StatusCode::CONFLICT,
                ApiError::new(
                    ErrorCode::SignedInAsSomeoneElse,
                    format!("You are signed in as {email}. This link is for another account: sign out of {email} first, or choose to switch."),
                ),
            ),
            PipelineChanged(message) => (StatusCode::CONFLICT, ApiError::new(ErrorCode::PipelineChanged, message.clone())),
            StoreBusy(message) => {
                let mut body = ApiError::new(ErrorCode::Unavailable, message.clone());
                body.retry_after_seconds = Some(2);
                (StatusCode::SERVICE_UNAVAILABLE, body)
            }
            NotFound(what) => (StatusCode::NOT_FOUND, ApiError::new(ErrorCode::NotFound, format!("{what} was not found."))),
            Forbidden(why) => (StatusCode::FORBIDDEN, ApiError::new(ErrorCode::Forbidden, *why)),
            TooManyAttempts { action, retry_after } => {
                let minutes = retry_after.div_ceil(60).max(1);
                let mut body = ApiError::new(ErrorCode::TooManyRequests, action.message(minutes));
                body.retry_after_seconds = Some(*retry_after);
                (StatusCode::TOO_MANY_REQUESTS, body)
            }
            MalformedRequest(message) => (StatusCode::BAD_REQUEST, ApiError::new(ErrorCode::BadRequest, message.clone())),
            InvalidBody { field, message } => {
                let body = ApiError::new(ErrorCode::InvalidInput, message.clone());
                (StatusCode::UNPROCESSABLE_ENTITY, match field { Some(field) => body.with_field(field.clone()), None => body })
            }
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::new(ErrorCode::BadRequest, "The request is larger than the studio accepts. Shorten what you entered and try again."),
            ),
            BodyTimedOut => (
                StatusCode::REQUEST_TIMEOUT,
                ApiError::new(ErrorCode::BadRequest, "The request took too long to arrive. Check your connection and try again."),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ApiError::new(ErrorCode::BadRequest, "The request body must be sent as application/json."),
            ),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ApiError::new(ErrorCode::BadRequest, "This address does not take that kind of request."),
            ),
            NotConfigured(what) => (StatusCode::SERVICE_UNAVAILABLE, ApiError::new(ErrorCode::Unavailable, *what)),
            Provider(error) => error.status_and_body(GENERIC_PROVIDER),
            ProviderNamed { name, error } => error.status_and_body(name),
            Store(StoreError::UniqueViolation) => {
                (StatusCode::CONFLICT, ApiError::new(ErrorCode::Conflict, "That already exists."))
            }
            StorageUnavailable(_) => storage_unavailable(),
            Store(error) if error.is_unavailable() => storage_unavailable(),
            Store(_) | Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ApiError::new(ErrorCode::Internal, "Something went wrong on the studio's side. Try again; if it keeps happening, contact support."),
            ),
        }
    }
}

/// A provider's failure that never passed through [`crate::providers::Grants::with_token`]
/// (none should) is told without a name.
const GENERIC_PROVIDER: &str = "The Git provider";

/// 503 for a database that does not answer; `into_response` adds `Retry-After`.
fn storage_unavailable() -> (StatusCode, ApiError) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        ApiError::new(
            ErrorCode::Unavailable,
            "The studio's storage is unavailable for a moment. Nothing was lost; try again shortly.",
        ),
    )
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
        }
        let retry_after = body
            .retry_after_seconds
            .or((status == StatusCode::SERVICE_UNAVAILABLE).then_some(5));
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_causes_never_reach_the_body() {
        let secret_cause = "connection to postgres://admin:hunter2@db failed at store.rs:42";
        for error in [
            AppError::internal(secret_cause),
            AppError::Store(StoreError::UnsupportedUrl(secret_cause.into())),
            AppError::Provider(ProviderError::Unexpected(secret_cause.into())),
            AppError::Provider(ProviderError::Unavailable(secret_cause.into())),
        ] {
            let (status, body) = error.status_and_body();
            assert!(status.is_server_error(), "{status}");
            let json = serde_json::to_string(&body).unwrap();
            assert!(
                !json.contains("hunter2") && !json.contains("store.rs"),
                "{json}"
            );
        }
    }

    #[test]
    fn throttled_sign_ins_say_when_to_retry() {
        let (status, body) = AppError::TooManyAttempts {
            action: Throttled::SignIn,
            retry_after: 61,
        }
        .status_and_body();
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body.code, ErrorCode::TooManyRequests);
        assert_eq!(body.retry_after_seconds, Some(61));
        assert!(body.message.contains("2 minute"), "{}", body.message);
    }
}
