//! Bitbucket's API error body: `{"type":"error","error":{"message":…}}`,
//! sometimes with `detail` (a string or an object) or extra keys.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub detail: Option<Value>,
    pub extra: Map<String, Value>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            detail: None,
            extra: Map::new(),
        }
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<Value>) -> ApiError {
        self.detail = Some(detail.into());
        self
    }

    pub(crate) fn with(mut self, key: &str, value: Value) -> ApiError {
        self.extra.insert(key.to_owned(), value);
        self
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn no_workspace(slug: &str) -> ApiError {
        ApiError::not_found(format!("No workspace with identifier '{slug}'."))
    }

    pub(crate) fn no_repository(ws: &str, slug: &str) -> ApiError {
        ApiError::not_found(format!("Repository {ws}/{slug} not found"))
    }

    pub(crate) fn invalid_query(reason: impl std::fmt::Display) -> ApiError {
        ApiError::bad_request(format!("Invalid query: {reason}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = Map::new();
        error.insert("message".into(), Value::String(self.message));
        if let Some(detail) = self.detail {
            error.insert("detail".into(), detail);
        }
        error.extend(self.extra);
        let mut response = (
            self.status,
            Json(json!({ "type": "error", "error": error })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"Bitbucket.org HTTP\""),
            );
        }
        response
    }
}
