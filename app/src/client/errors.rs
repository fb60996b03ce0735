//! Turning transport failures into the contract's [`ApiError`], so pages only ever show a
//! sentence, never a raw status code or a decoder message.

use api::{ApiError, ErrorCode};

/// The fetch itself failed: offline, DNS, server down, request blocked.
pub fn unreachable() -> ApiError {
    ApiError::new(
        ErrorCode::Unavailable,
        "The studio server could not be reached. Check your connection and try again.",
    )
}

/// The server answered with a body this app cannot read (a version mismatch or a proxy page).
pub fn unreadable() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "The studio server sent an answer this page could not read. Reload the page and try again.",
    )
}

/// The request body could not be built (should not happen with the contract's types).
pub fn unsendable() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "The request could not be prepared. Reload the page and try again.",
    )
}

/// The error of a non-2xx response: the server's own [`ApiError`] body when there is one,
/// otherwise a sentence chosen from the status code.
pub fn from_response(status: u16, body: &str) -> ApiError {
    serde_json::from_str::<ApiError>(body).unwrap_or_else(|_| from_status(status))
}

/// A sentence for a failed response that carried no readable [`ApiError`].
pub fn from_status(status: u16) -> ApiError {
    match status {
        401 => ApiError::new(
            ErrorCode::NotSignedIn,
            "Your studio session has ended. Sign in again.",
        ),
        403 => ApiError::new(
            ErrorCode::Forbidden,
            "The studio server refused this request. Reload the page and try again.",
        ),
        404 => ApiError::new(ErrorCode::NotFound, "This page or item does not exist."),
        429 => ApiError::new(
            ErrorCode::TooManyRequests,
            "Too many attempts in a short time. Wait a minute and try again.",
        ),
        502..=504 => unreachable(),
        500..=599 => ApiError::new(
            ErrorCode::Unavailable,
            "The studio server is not answering properly right now. Try again in a moment.",
        ),
        _ => ApiError::new(
            ErrorCode::Internal,
            "Something went wrong on the studio server. Try again.",
        ),
    }
}

/// Splits an error into a message for one of `fields` (shown next to that input) or an error
/// for the page's alert.
pub fn for_field<'a>(error: ApiError, fields: &[&'a str]) -> Result<(&'a str, String), ApiError> {
    let matched = error
        .field
        .as_deref()
        .and_then(|field| fields.iter().find(|candidate| **candidate == field))
        .copied();
    match matched {
        Some(field) if matches!(error.code, ErrorCode::InvalidInput | ErrorCode::Conflict) => {
            Ok((field, error.message))
        }
        _ => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_error_bodies_are_kept() {
        let body = r#"{"code":"conflict","message":"That email is taken.","field":"email"}"#;
        let error = from_response(409, body);
        assert_eq!(error.code, ErrorCode::Conflict);
        assert_eq!(error.message, "That email is taken.");
        assert_eq!(error.field.as_deref(), Some("email"));
    }

    #[test]
    fn unreadable_bodies_fall_back_to_the_status() {
        assert_eq!(from_response(401, "").code, ErrorCode::NotSignedIn);
        assert_eq!(from_response(404, "<html>").code, ErrorCode::NotFound);
        assert_eq!(
            from_response(502, "Bad gateway").code,
            ErrorCode::Unavailable
        );
        assert_eq!(from_response(500, "").code, ErrorCode::Unavailable);
        assert_eq!(from_response(418, "").code, ErrorCode::Internal);
        for status in [400, 401, 403, 404, 429, 500, 502, 503] {
            let message = from_response(status, "").message;
            assert!(message.ends_with('.'), "{status}: {message}");
            assert!(
                !message.contains(&status.to_string()),
                "{status}: {message}"
            );
        }
    }

    #[test]
    fn field_errors_go_next_to_their_input() {
        let error = ApiError::new(ErrorCode::InvalidInput, "Enter an email.").with_field("email");
        assert_eq!(
            for_field(error, &["email", "password"]),
            Ok(("email", "Enter an email.".to_owned()))
        );

        let other_field = ApiError::new(ErrorCode::Conflict, "Taken.").with_field("name");
        assert!(for_field(other_field, &["email"]).is_err());

        let no_field = ApiError::new(ErrorCode::InvalidCredentials, "Wrong email or password.");
        assert!(for_field(no_field, &["email"]).is_err());
    }
}
