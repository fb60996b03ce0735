//! Data Center's REST error body: `{"errors":[{"context","message","exceptionName"}]}`.
//!
//! The document types `context` as a string and does not allow null, so the sandbox leaves
//! it out unless an error names a field (`"name"` for a bad branch name): a client that
//! reads it must cope with it missing, which is what the document promises.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// Bad, expired or revoked access token.
pub(crate) const AUTHENTICATION: &str = "com.atlassian.bitbucket.auth.AuthenticationException";
/// Signed in (or anonymous) but not allowed: DC answers these 401.
pub(crate) const AUTHORISATION: &str = "com.atlassian.bitbucket.AuthorisationException";
pub(crate) const NO_SUCH_REPOSITORY: &str =
    "com.atlassian.bitbucket.repository.NoSuchRepositoryException";
pub(crate) const NO_SUCH_USER: &str = "com.atlassian.bitbucket.user.NoSuchUserException";
pub(crate) const NO_SUCH_COMMIT: &str = "com.atlassian.bitbucket.commit.NoSuchCommitException";
pub(crate) const NO_SUCH_PATH: &str = "com.atlassian.bitbucket.content.NoSuchPathException";
pub(crate) const NO_SUCH_BRANCH: &str = "com.atlassian.bitbucket.repository.NoSuchBranchException";
pub(crate) const DUPLICATE_REF: &str = "com.atlassian.bitbucket.repository.DuplicateRefException";
pub(crate) const INVALID_REF_NAME: &str =
    "com.atlassian.bitbucket.repository.InvalidRefNameException";
pub(crate) const VALIDATION: &str =
    "com.atlassian.bitbucket.validation.ArgumentValidationException";
pub(crate) const FILE_CONFLICT: &str =
    "com.atlassian.bitbucket.content.FileContentConflictException";
pub(crate) const FILE_EXISTS: &str = "com.atlassian.bitbucket.content.FileAlreadyExistsException";
pub(crate) const NO_CHANGE: &str = "com.atlassian.bitbucket.content.EditFileNoChangeException";
pub(crate) const ARCHIVED: &str = "com.atlassian.bitbucket.repository.ArchivedRepositoryException";
pub(crate) const NOT_FOUND: &str = "com.sun.jersey.api.NotFoundException";
pub(crate) const TOO_LARGE: &str = "com.atlassian.bitbucket.content.ContentTooLargeException";
pub(crate) const SERVER: &str = "com.atlassian.bitbucket.ServiceException";

#[derive(Debug, Clone)]
pub(crate) struct DcError {
    pub status: StatusCode,
    pub message: String,
    pub exception: &'static str,
    /// The request field the error is about, if any.
    pub context: Option<&'static str>,
}

impl DcError {
    pub(crate) fn new(
        status: StatusCode,
        exception: &'static str,
        message: impl Into<String>,
    ) -> DcError {
        DcError {
            status,
            message: message.into(),
            exception,
            context: None,
        }
    }

    pub(crate) fn about(mut self, field: &'static str) -> DcError {
        self.context = Some(field);
        self
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> DcError {
        DcError::new(StatusCode::BAD_REQUEST, VALIDATION, message)
    }

    pub(crate) fn unauthenticated(message: impl Into<String>) -> DcError {
        DcError::new(StatusCode::UNAUTHORIZED, AUTHENTICATION, message)
    }

    pub(crate) fn not_permitted(message: impl Into<String>) -> DcError {
        DcError::new(StatusCode::UNAUTHORIZED, AUTHORISATION, message)
    }

    pub(crate) fn no_repository(key: &str, slug: &str) -> DcError {
        DcError::new(
            StatusCode::NOT_FOUND,
            NO_SUCH_REPOSITORY,
            format!("Repository {key}/{slug} does not exist."),
        )
    }

    pub(crate) fn no_commit(rev: &str, slug: &str) -> DcError {
        DcError::new(
            StatusCode::NOT_FOUND,
            NO_SUCH_COMMIT,
            format!("Commit '{rev}' does not exist in repository '{slug}'."),
        )
    }

    pub(crate) fn conflict(exception: &'static str, message: impl Into<String>) -> DcError {
        DcError::new(StatusCode::CONFLICT, exception, message)
    }

    pub(crate) fn body(&self) -> Value {
        let mut error = Map::new();
        if let Some(field) = self.context {
            error.insert("context".into(), Value::String(field.to_owned()));
        }
        error.insert("message".into(), Value::String(self.message.clone()));
        error.insert(
            "exceptionName".into(),
            Value::String(self.exception.to_owned()),
        );
        json!({ "errors": [Value::Object(error)] })
    }
}

impl IntoResponse for DcError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_only_when_a_field_is_named() {
        let plain = DcError::bad_request("x").body();
        assert!(plain["errors"][0].get("context").is_none());
        let named = DcError::bad_request("x").about("name").body();
        assert_eq!(named["errors"][0]["context"], "name");
        assert_eq!(named["errors"][0]["exceptionName"], VALIDATION);
    }
}
