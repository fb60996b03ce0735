//! A JSON body, read whole (within the route's body limit) and deserialised with the path of
//! the failing field, so the answer can name it: `{"code":"invalid_input","field":"email",…}`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::missing_field;
use super::strict::Strict;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !declares_json(request.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                        AppError::PayloadTooLarge
                    }
                    BytesRejection::FailedToBufferBody(failed) if timed_out(&failed) => {
                        AppError::BodyTimedOut
                    }
                    other => AppError::MalformedRequest(format!(
                        "The request body could not be read ({}).",
                        other.status()
                    )),
                })?;
        parse(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Whether reading the body failed on [`crate::serve::BodyTimedOut`], somewhere in its causes.
fn timed_out(failed: &FailedToBufferBody) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(failed);
    while let Some(error) = cause {
        if error.is::<crate::serve::BodyTimedOut>() {
            return true;
        }
        cause = error.source();
    }
    false
}

fn declares_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || (mime.len() > 5 && mime[mime.len() - 5..].eq_ignore_ascii_case("+json"))
        })
}

/// Deserialises a body, mapping each kind of failure to a sentence: first the JSON itself
/// (serde_json stops at 128 levels of nesting, so no body can exhaust the stack here), then
/// the contract's type, structs only from objects ([`Strict`]).
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| describe("", &error))?;
    serde_path_to_error::deserialize(Strict(value)).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        describe(&field, &inner)
    })
}

fn describe(field: &str, error: &serde_json::Error) -> AppError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => AppError::MalformedRequest(format!(
            "The request body is not valid JSON (line {}, column {}).",
            error.line(),
            error.column()
        )),
        Category::Data => {
            let message = error.to_string();
            match missing_field(&message) {
                Some(name) => AppError::InvalidBody {
                    field: Some(name.to_owned()),
                    message: format!("The request is missing its {name} field."),
                },
                None if field.is_empty() || field == "." => AppError::InvalidBody {
                    field: None,
                    message:
                        "The request body must be a JSON object with the fields this request takes."
                            .into(),
                },
                None => AppError::InvalidBody {
                    field: Some(field.to_owned()),
                    message: format!("The request's {field} field has a value of the wrong kind."),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Credentials {
        email: String,
        password: String,
    }

    fn refusal(body: &str) -> (String, Option<String>) {
        let (status, error) = parse::<Credentials>(body.as_bytes())
            .unwrap_err()
            .status_and_body();
        (
            format!("{} {}", status.as_u16(), error.message),
            error.field,
        )
    }

    #[test]
    fn every_failure_is_worded_without_rust_types() {
        for (body, status, field) in [
            ("[]", "422", None),
            ("[\"a@b.c\", \"correct horse\"]", "422", None),
            ("{\"email\":\"a\"}", "422", Some("password")),
            ("{\"email\":1,\"password\":\"x\"}", "422", Some("email")),
            ("{\"email\":", "400", None),
            ("not json", "400", None),
            ("{\"email\":\"a\",\"password\":\"b\"} trailing", "400", None),
        ] {
            let (message, got_field) = refusal(body);
            assert!(message.starts_with(status), "{body}: {message}");
            assert_eq!(got_field.as_deref(), field, "{body}");
            for leak in ["struct", "Credentials", "expected", "invalid type"] {
                assert!(!message.contains(leak), "{body}: {message}");
            }
        }
    }

    #[test]
    fn deep_json_is_refused_not_a_crash() {
        let deep = "[".repeat(100_000);
        let (status, _) = parse::<serde_json::Value>(deep.as_bytes())
            .unwrap_err()
            .status_and_body();
        assert_eq!(status, 400);
    }
}
