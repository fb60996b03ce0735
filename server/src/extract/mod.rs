//! The studio's own extractors: [`Json`], [`Path`] and [`Query`] behave like axum's, but every
//! rejection is an [`AppError`], so a malformed request gets the same typed `api::ApiError`
//! JSON as every other failure, in words meant for people and with no Rust type names (axum's
//! own answer is text/plain such as "invalid length 0, expected struct Credentials").
//! [`ClientAddress`] names the client for per-client limits.
//!
//! Routes use these instead of axum's; axum's `Json` remains the response type.

mod client;
mod json;
mod strict;

pub use client::ClientAddress;
pub use json::Json;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Path parameters. An id that is not a number (or any segment that does not parse) is an
/// address that names nothing: 404.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "path parameters refused");
                Err(AppError::NotFound("That address".into()))
            }
        }
    }
}

/// The query string, deserialised with the failing parameter named.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let parameter = error.path().to_string();
                let inner = error.into_inner().to_string();
                AppError::MalformedRequest(query_message(&parameter, &inner))
            })
    }
}

/// "missing field `path`" names the parameter in the message, not in the error's path.
fn query_message(parameter: &str, serde_message: &str) -> String {
    match missing_field(serde_message) {
        Some(name) => format!("The address is missing its {name} parameter."),
        None if parameter.is_empty() || parameter == "." => {
            "The address's parameters are not valid.".to_owned()
        }
        None => format!("The address's {parameter} parameter is not valid."),
    }
}

/// The field named by serde's "missing field `x`" message.
pub(crate) fn missing_field(serde_message: &str) -> Option<&str> {
    let rest = serde_message.strip_prefix("missing field `")?;
    rest.split('`').next().filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_parameter_without_type_details() {
        assert_eq!(
            query_message("", "missing field `path`"),
            "The address is missing its path parameter."
        );
        assert_eq!(
            query_message("page", "invalid digit found in string"),
            "The address's page parameter is not valid."
        );
        assert_eq!(missing_field("invalid length 0, expected struct X"), None);
    }
}
