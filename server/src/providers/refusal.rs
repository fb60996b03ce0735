//! The one mapping from a provider's refusal (an HTTP status and its error body) to a
//! [`ProviderError`]. Each provider declares a [`StatusTable`]: what each status means on
//! it, in its own words, and how it reads its error body ([`RefusalBody`]); the algorithm
//! here is the same for all of them.

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::body;
use super::ProviderError;

/// What one status means on one provider. Messages are templates: `{what}` becomes the
/// thing asked for ("repository").
#[derive(Clone, Copy, Debug)]
pub enum Meaning {
    /// The access token was refused: refresh it and try once more
    /// ([`super::Grants::with_token`]). A provider whose document gives the status a second
    /// meaning, "the user lacks a permission", words that case in `lacking_permission`
    /// ([`StatusTable::lacking_permission`]); the provider decides which it is by asking
    /// again elsewhere, never by the error's text.
    Unauthorized {
        lacking_permission: Option<&'static str>,
    },
    /// The account may not do this; the message tells the user.
    Forbidden(&'static str),
    NotFound,
    Conflict,
    BadRequest,
    /// The provider refused a body as too large; the message tells the user.
    TooLarge(&'static str),
    RateLimited,
}

/// One provider's reading of the statuses it answers. A status it does not list is
/// [`ProviderError::Unavailable`] when it is a server error, else
/// [`ProviderError::Unexpected`].
#[derive(Clone, Copy, Debug)]
pub struct StatusTable {
    pub entries: &'static [(StatusCode, Meaning)],
}

/// A provider's error body, as far as the mapping reads it.
pub trait RefusalBody: DeserializeOwned + Default {
    /// The provider's own message, for logs and the error's detail.
    fn message(&self) -> String;
}

impl RefusalBody for wire::cloud::ErrorBody {
    fn message(&self) -> String {
        self.error
            .as_ref()
            .and_then(|e| e.message.clone())
            .unwrap_or_default()
    }
}

impl RefusalBody for wire::datacenter::ErrorBody {
    fn message(&self) -> String {
        wire::datacenter::ErrorBody::message(self)
    }
}

/// The seconds a `Retry-After` header asks to wait, when it is a number.
pub fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

impl StatusTable {
    /// Reads a refusal's body (bounded, see [`body::error_json`]) and maps it; `what` names
    /// the thing asked for in messages.
    pub async fn refusal<B: RefusalBody>(
        &self,
        response: reqwest::Response,
        what: &str,
    ) -> ProviderError {
        let status = response.status();
        let retry = retry_after(response.headers());
        let body = body::error_json::<B>(response).await;
        self.map(status, retry, &body, what)
    }

    /// The refusal for `status` when it turned out to be a missing permission, for a table
    /// that words that case ([`Meaning::Unauthorized`]).
    pub fn lacking_permission(&self, status: StatusCode, what: &str) -> Option<ProviderError> {
        self.entries
            .iter()
            .find_map(|(listed, meaning)| match meaning {
                Meaning::Unauthorized {
                    lacking_permission: Some(template),
                } if *listed == status => {
                    Some(ProviderError::Forbidden(template.replace("{what}", what)))
                }
                _ => None,
            })
    }

    /// What `status` with `body` means, by this table.
    pub fn map<B: RefusalBody>(
        &self,
        status: StatusCode,
        retry_after: Option<u64>,
        body: &B,
        what: &str,
    ) -> ProviderError {
        let message = body.message();
        let meaning = self
            .entries
            .iter()
            .find(|(listed, _)| *listed == status)
            .map(|(_, meaning)| *meaning);
        let worded = |template: &str| template.replace("{what}", what);
        match meaning {
            Some(Meaning::Unauthorized { .. }) => ProviderError::Unauthorized {
                expired: message.to_ascii_lowercase().contains("expired"),
            },
            Some(Meaning::Forbidden(template)) => ProviderError::Forbidden(worded(template)),
            Some(Meaning::NotFound) => ProviderError::NotFound(format!("The {what}")),
            Some(Meaning::Conflict) => ProviderError::Conflict(message),
            Some(Meaning::BadRequest) => ProviderError::BadRequest(message),
            Some(Meaning::TooLarge(template)) => ProviderError::TooLarge(worded(template)),
            Some(Meaning::RateLimited) => ProviderError::RateLimited { retry_after },
            None if status.is_server_error() => {
                ProviderError::Unavailable(format!("HTTP {status}: {message}"))
            }
            None => ProviderError::Unexpected(format!("HTTP {status}: {message}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, serde::Deserialize)]
    struct Body {
        message: String,
    }

    impl RefusalBody for Body {
        fn message(&self) -> String {
            self.message.clone()
        }
    }

    const TABLE: StatusTable = StatusTable {
        entries: &[
            (
                StatusCode::UNAUTHORIZED,
                Meaning::Unauthorized {
                    lacking_permission: Some("No permission on the {what}."),
                },
            ),
            (
                StatusCode::FORBIDDEN,
                Meaning::Forbidden("Refused: {what}."),
            ),
            (StatusCode::CONFLICT, Meaning::Conflict),
            (StatusCode::TOO_MANY_REQUESTS, Meaning::RateLimited),
        ],
    };

    fn body(message: &str) -> Body {
        Body {
            message: message.into(),
        }
    }

    #[test]
    fn each_status_means_what_the_table_says() {
        let map = |status, body: &Body| TABLE.map(status, Some(7), body, "repository");
        assert!(matches!(
            map(StatusCode::UNAUTHORIZED, &body("Token expired")),
            ProviderError::Unauthorized { expired: true }
        ));
        // The text never turns a 401 into a missing permission; the table only words it.
        assert!(matches!(
            map(StatusCode::UNAUTHORIZED, &body("You lack the permission")),
            ProviderError::Unauthorized { expired: false }
        ));
        assert!(matches!(
            TABLE.lacking_permission(StatusCode::UNAUTHORIZED, "repository"),
            Some(ProviderError::Forbidden(m)) if m == "No permission on the repository."
        ));
        assert!(TABLE
            .lacking_permission(StatusCode::FORBIDDEN, "repository")
            .is_none());
        assert!(matches!(
            map(StatusCode::FORBIDDEN, &body("")),
            ProviderError::Forbidden(m) if m == "Refused: repository."
        ));
        assert!(matches!(
            map(StatusCode::CONFLICT, &body("moved")),
            ProviderError::Conflict(m) if m == "moved"
        ));
        assert!(matches!(
            map(StatusCode::TOO_MANY_REQUESTS, &body("")),
            ProviderError::RateLimited {
                retry_after: Some(7)
            }
        ));
    }

    #[test]
    fn unlisted_statuses_are_outages_or_unexpected() {
        // Not in the table: a 404 here is not "not found", a 503 is an outage.
        assert!(matches!(
            TABLE.map(StatusCode::NOT_FOUND, None, &body(""), "file"),
            ProviderError::Unexpected(_)
        ));
        assert!(matches!(
            TABLE.map(StatusCode::SERVICE_UNAVAILABLE, None, &body(""), "file"),
            ProviderError::Unavailable(_)
        ));
    }
}
