//! Bitbucket's API error body, as its OpenAPI document's `error` schema
//! defines it: `{"type":"error","error":{"message":…,"detail"?:…,"data"?:{…}}}`,
//! where `error` allows no other key, `detail` is a string and `data` an
//! object of endpoint-specific fields. Whatever a handler attaches ends up in
//! one of those three: a non-string detail and every [`ApiError::with`] field
//! go into `data`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub detail: Option<Value>,
    /// Fields of `error.data`.
    pub extra: Map<String, Value>,
    /// A 429's wait and limit, sent as `Retry-After` and `X-RateLimit-*`.
    pub limited: Option<super::rate_limit::Limited>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            detail: None,
            extra: Map::new(),
            limited: None,
        }
    }

    /// Over the hourly limit (see [`super::rate_limit`]).
    pub(crate) fn rate_limited(limited: super::rate_limit::Limited) -> ApiError {
        ApiError {
            limited: Some(limited),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit for this resource has been exceeded",
            )
        }
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<Value>) -> ApiError {
        self.detail = Some(detail.into());
        self
    }

    /// Adds `key` to `error.data`.
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
        let mut data = self.extra;
        match self.detail {
            Some(Value::String(detail)) => {
                error.insert("detail".into(), Value::String(detail));
            }
            // `detail` is a string in the document: structured detail (the
            // scopes of a 403) is data.
            Some(Value::Object(fields)) => data.extend(fields),
            Some(other) => {
                data.insert("detail".into(), other);
            }
            None => {}
        }
        if !data.is_empty() {
            error.insert("data".into(), Value::Object(data));
        }
        let mut response = (
            self.status,
            Json(json!({ "type": "error", "error": error })),
        )
            .into_response();
        if let Some(limited) = self.limited {
            let seconds = limited.retry_after.as_secs().max(1);
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            headers.insert("x-ratelimit-limit", HeaderValue::from(limited.limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"Bitbucket.org HTTP\""),
            );
        }
        response
    }
}
