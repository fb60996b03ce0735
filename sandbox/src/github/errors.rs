//! GitHub's REST error body: `{"message", "documentation_url", "status"}` (the description's
//! `basic-error`; a 422 is its `validation-error`, which may add `errors`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Where GitHub's errors point when no page is more specific.
pub(crate) const DOCS: &str = "https://docs.github.com/rest";

#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub documentation_url: &'static str,
    pub errors: Option<Value>,
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            documentation_url: DOCS,
            errors: None,
            retry_after: None,
        }
    }

    pub(crate) fn doc(mut self, url: &'static str) -> ApiError {
        self.documentation_url = url;
        self
    }

    pub(crate) fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "Not Found")
    }

    pub(crate) fn bad_credentials() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Bad credentials")
    }

    pub(crate) fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, message)
    }

    /// "Git Repository is empty.": the Git data API's answer on a repository with no commit.
    pub(crate) fn empty_repository() -> ApiError {
        ApiError::conflict("Git Repository is empty.")
    }

    /// A write the token may not make: a user access token carries the user's permission,
    /// and GitHub answers a user without push "Resource not accessible by integration"
    /// (403), as "Troubleshooting the REST API" describes for tokens of GitHub Apps.
    pub(crate) fn not_accessible() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration",
        )
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = json!({
            "message": self.message,
            "documentation_url": self.documentation_url,
            "status": self.status.as_u16().to_string(),
        });
        if let Some(errors) = &self.errors {
            body["errors"] = errors.clone();
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                response.headers_mut().insert("retry-after", v);
            }
        }
        response
    }
}

pub(crate) type ApiResult<T = Response> = Result<T, ApiError>;
