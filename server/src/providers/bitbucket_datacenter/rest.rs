//! The few Bitbucket Data Center REST calls the studio makes (`{base}/rest/api/latest/…`,
//! Atlassian's Data Center 9.2 document), with the user's OAuth access token.
//!
//! Refusals are read by status, never by an error's text: Atlassian's document declares no
//! values for `exceptionName`. Data Center's table is [`STATUSES`], read by the one mapping
//! in [`crate::providers::refusal`]. A 401 is an authentication problem,
//! [`ProviderError::Unauthorized`] (the token is refreshed and, at worst, the user is asked
//! to reconnect), except that the document's 401 also means "the currently authenticated
//! user has insufficient permissions" for most operations. So a 401 is told apart by a
//! second status: the token is shown to a resource every accepted token may read
//! ([`DataCenterRest::accepts`]); when that succeeds the token is fine and the 401 was a
//! missing permission, [`ProviderError::Forbidden`] (reconnecting would not help).

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use url::Url;

use super::model::ErrorBody;
use crate::providers::cache::{Reading, LIST_TTL};
use crate::providers::refusal::{Meaning, StatusTable};
pub use crate::providers::upstream::Rest;
use crate::providers::upstream::Upstream;
use crate::providers::ProviderError;
use crate::telemetry::Metrics;

/// What Data Center's refusals mean ([`crate::providers::refusal`]). A 401 is a refused
/// token, or a missing permission when the token is still accepted (see the module's
/// documentation and [`DataCenterRest::accepts`]).
pub const STATUSES: StatusTable = StatusTable {
    entries: &[
        (
            StatusCode::UNAUTHORIZED,
            Meaning::Unauthorized {
                lacking_permission: Some(
                    "Bitbucket Data Center refused access to the {what}: your account lacks the permission. Ask a project admin for write access, or choose another repository.",
                ),
            },
        ),
        (
            StatusCode::FORBIDDEN,
            Meaning::Forbidden(
                "Bitbucket Data Center refused access to the {what}. Check that your account has the needed permission.",
            ),
        ),
        (StatusCode::NOT_FOUND, Meaning::NotFound),
        (StatusCode::CONFLICT, Meaning::Conflict),
        (StatusCode::BAD_REQUEST, Meaning::BadRequest),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            Meaning::TooLarge("Bitbucket Data Center refused the {what} as too large."),
        ),
        (StatusCode::TOO_MANY_REQUESTS, Meaning::RateLimited),
    ],
};

#[derive(Clone, Debug)]
pub struct DataCenterRest {
    up: Upstream,
}

/// A project key (`DATA`, or `~ALEX` for a personal project) or repository slug that can be
/// put in a URL: letters, digits, `-`, `_`, `.`, and `~` first for a personal project.
pub fn name<'a>(value: &'a str, what: &'static str) -> Result<&'a str, ProviderError> {
    if !super::model::is_name(value) {
        return Err(ProviderError::InvalidName(what));
    }
    Ok(value)
}

impl DataCenterRest {
    pub fn new(
        http: reqwest::Client,
        base: &str,
        metrics: Arc<Metrics>,
    ) -> Result<Self, url::ParseError> {
        Ok(Self {
            up: Upstream::new(http, base, metrics)?,
        })
    }

    pub fn base(&self) -> &Url {
        &self.up.base
    }

    /// `{base}/{segments…}`, for the few resources outside the REST API.
    pub fn outside_api(&self, segments: &[&str]) -> Url {
        self.up.url(segments, &[])
    }

    /// `{base}/rest/api/latest/{segments…}?{query}`; segments are percent-encoded, and a
    /// file path is passed as its own segments.
    pub fn api(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut path = vec!["rest", "api", "latest"];
        path.extend_from_slice(segments);
        self.up.url(&path, query)
    }

    /// `…/projects/{key}/repos/{slug}/{tail…}`.
    pub fn repo(&self, key: &str, slug: &str, tail: &[&str], query: &[(&str, String)]) -> Url {
        let mut segments = vec!["projects", key, "repos", slug];
        segments.extend_from_slice(tail);
        self.api(&segments, query)
    }

    /// [`Rest::get`] through the per-token cache ([`crate::providers::cache`]): `reading`
    /// says whether a recent answer may be reused.
    pub async fn get_cached<T: DeserializeOwned + Send>(
        &self,
        token: &SecretString,
        url: Url,
        what: &str,
        reading: Reading,
    ) -> Result<T, ProviderError> {
        self.read(token, url, what, LIST_TTL, reading).await
    }

    /// Like [`Rest::send`], but also returns the header Data Center names the
    /// token's user in (`X-AUSERNAME`).
    pub async fn answer(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(reqwest::Response, Option<String>), ProviderError> {
        let request = self.up.prepare(token, request)?;
        let writes = request.method() != reqwest::Method::GET;
        let response = self.up.transmit(request, super::endpoint::template).await?;
        if writes {
            // A new branch or commit changes what the kept lists say (whatever the answer:
            // a write whose answer was lost may have landed).
            self.forget_cached(token);
        }
        let status = response.status();
        let user = response
            .headers()
            .get("x-ausername")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status.is_success() {
            return Ok((response, user));
        }
        let refusal = STATUSES.refusal::<ErrorBody>(response, what).await;
        if matches!(refusal, ProviderError::Unauthorized { .. }) {
            if let Some(lacking) = STATUSES.lacking_permission(status, what) {
                if self.accepts(token).await {
                    return Err(lacking);
                }
            }
        }
        Err(refusal)
    }

    /// Whether Data Center accepts `token`, by the status of `GET …/users?limit=1`, a
    /// resource that needs a signed-in user and nothing more (a token Data Center does not
    /// accept is a 401 there). Not being able to ask counts as "not accepted".
    async fn accepts(&self, token: &SecretString) -> bool {
        let url = self.api(&["users"], &[("limit", "1".to_owned())]);
        let Ok(request) = self.up.prepare(token, self.up.http.get(url)) else {
            return false;
        };
        self.up
            .transmit(request, super::endpoint::template)
            .await
            .is_ok_and(|response| response.status().is_success())
    }
}

#[async_trait]
impl Rest for DataCenterRest {
    fn upstream(&self) -> &Upstream {
        &self.up
    }

    /// The request's id goes along and the call is counted in the metrics under its
    /// endpoint template.
    async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        Ok(self.answer(token, request, what).await?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> ErrorBody {
        serde_json::from_value(json).unwrap()
    }

    /// Data Center's table reads its statuses as its client always has.
    #[test]
    fn the_status_table_keeps_data_centers_readings() {
        let map = |status, json| STATUSES.map(status, Some(3), &body(json), "repository");
        assert!(matches!(
            STATUSES.lacking_permission(StatusCode::UNAUTHORIZED, "repository"),
            Some(ProviderError::Forbidden(m)) if m.starts_with("Bitbucket Data Center refused access to the repository: your account lacks the permission.")
        ));
        assert!(STATUSES
            .lacking_permission(StatusCode::FORBIDDEN, "repository")
            .is_none());
        let expired = serde_json::json!({"errors": [{"message": "Token expired"}]});
        assert!(matches!(
            map(StatusCode::UNAUTHORIZED, expired),
            ProviderError::Unauthorized { expired: true }
        ));
        assert!(matches!(
            map(StatusCode::PAYLOAD_TOO_LARGE, serde_json::json!({})),
            ProviderError::TooLarge(m) if m == "Bitbucket Data Center refused the repository as too large."
        ));
        assert!(matches!(
            map(StatusCode::TOO_MANY_REQUESTS, serde_json::json!({})),
            ProviderError::RateLimited {
                retry_after: Some(3)
            }
        ));
        assert!(matches!(
            map(StatusCode::BAD_GATEWAY, serde_json::json!({})),
            ProviderError::Unavailable(_)
        ));
    }

    #[test]
    fn names_cannot_steer_the_url() {
        assert_eq!(name("DATA", "project").unwrap(), "DATA");
        assert_eq!(name("~ALEX", "project").unwrap(), "~ALEX");
        assert_eq!(name("my-repo.v2_x", "repository").unwrap(), "my-repo.v2_x");
        for bad in ["", "..", ".", "a/b", "a?b", "a b", "~", "a%2Fb", "~~x"] {
            assert!(name(bad, "repository").is_err(), "{bad:?}");
        }
        assert!(name(&"a".repeat(129), "repository").is_err());
    }

    #[test]
    fn a_401_is_a_refused_token_whatever_its_body_says() {
        let parse = |json: &str| -> ErrorBody { serde_json::from_str(json).unwrap() };
        for body in [
            "{}",
            r#"{"errors":[{"message":"You are not permitted to write to repository DATA/etl.","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}"#,
        ] {
            assert!(
                matches!(
                    STATUSES.map(StatusCode::UNAUTHORIZED, None, &parse(body), "file"),
                    ProviderError::Unauthorized { expired: false }
                ),
                "{body}"
            );
        }
        assert!(matches!(
            STATUSES.map(
                StatusCode::UNAUTHORIZED,
                None,
                &parse(r#"{"errors":[{"message":"The access token has expired."}]}"#),
                "file",
            ),
            ProviderError::Unauthorized { expired: true }
        ));
        assert!(matches!(
            STATUSES.map(StatusCode::NOT_FOUND, None, &parse("{}"), "repository"),
            ProviderError::NotFound(m) if m == "The repository"
        ));
    }

    #[test]
    fn urls_stay_under_the_instance_and_encode_every_segment() {
        let rest = DataCenterRest::new(
            reqwest::Client::new(),
            "https://git.example.com/bitbucket/",
            Metrics::new(),
        )
        .unwrap();
        let url = rest.repo(
            "DATA",
            "etl",
            &["browse", "pipelines", "a b.yaml"],
            &[("at", "refs/heads/main".into())],
        );
        assert_eq!(
            url.as_str(),
            "https://git.example.com/bitbucket/rest/api/latest/projects/DATA/repos/etl/browse/pipelines/a%20b.yaml?at=refs%2Fheads%2Fmain"
        );
    }
}
