//! The few Bitbucket Data Center REST calls the studio makes (`{base}/rest/api/latest/…`,
//! Atlassian's Data Center 9.2 document), with the user's OAuth access token.
//!
//! Data Center answers 401 both for a token it does not accept and for a user without the
//! permission a call needs ("insufficient permissions"); the error's `exceptionName` tells
//! them apart, and only the first becomes [`ProviderError::Unauthorized`] (which refreshes
//! the token and, at worst, asks the user to reconnect). A missing permission is
//! [`ProviderError::Forbidden`]: reconnecting would not help.

use std::sync::Arc;

use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::model::ErrorBody;
use crate::providers::cache::{Reading, ResponseCache, LIST_TTL};
use crate::providers::refusal::{Meaning, StatusTable};
use crate::providers::{body, ProviderError};
use crate::telemetry::Metrics;

/// What Data Center's refusals mean ([`crate::providers::refusal`]). A 401 is a refused
/// token unless its body says the user lacks a permission (see the module's documentation).
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
    http: reqwest::Client,
    /// The instance, e.g. `https://git.example.com` or `…/bitbucket` behind a context path.
    base: Url,
    /// Listing and search answers, per user, for a short time (as on Cloud).
    cache: Arc<ResponseCache>,
    metrics: Arc<Metrics>,
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
        let base = Url::parse(base.trim_end_matches('/'))?;
        Ok(Self {
            http,
            base,
            cache: Arc::default(),
            metrics,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `{base}/rest/api/latest/{segments…}?{query}`; segments are percent-encoded, and a
    /// file path is passed as its own segments.
    pub fn api(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .pop_if_empty()
            .extend(["rest", "api", "latest"])
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// `…/projects/{key}/repos/{slug}/{tail…}`.
    pub fn repo(&self, key: &str, slug: &str, tail: &[&str], query: &[(&str, String)]) -> Url {
        let mut segments = vec!["projects", key, "repos", slug];
        segments.extend_from_slice(tail);
        self.api(&segments, query)
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        url: Url,
        what: &str,
    ) -> Result<T, ProviderError> {
        let response = self.send(token, self.http.get(url), what).await?;
        body::json(response, what).await
    }

    /// [`DataCenterRest::get`] through the per-token cache ([`crate::providers::cache`]):
    /// `reading` says whether a recent answer may be reused.
    pub async fn get_cached<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        url: Url,
        what: &str,
        reading: Reading,
    ) -> Result<T, ProviderError> {
        let key = url.as_str().to_owned();
        let ask = async {
            let response = self.send(token, self.http.get(url), what).await?;
            Ok(axum::body::Bytes::from(body::answer(response, what).await?))
        };
        let body = self.cache.read(token, &key, LIST_TTL, reading, ask).await?;
        serde_json::from_slice(&body).map_err(|e| ProviderError::Unexpected(e.to_string()))
    }

    /// Forgets what was cached for this token: after the user's own write, or Refresh.
    pub fn forget_cached(&self, token: &SecretString) {
        self.cache.forget(token);
    }

    /// Sends a request with the user's token and maps every failure to a [`ProviderError`];
    /// `what` names the thing asked for in messages. The request's id goes along and the
    /// call is counted in the metrics under its endpoint template.
    pub async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        Ok(self.answer(token, request, what).await?.0)
    }

    /// Like [`DataCenterRest::send`], but also returns the header Data Center names the
    /// token's user in (`X-AUSERNAME`).
    pub async fn answer(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(reqwest::Response, Option<String>), ProviderError> {
        let mut request = request
            .bearer_auth(token.expose_secret())
            .build()
            .map_err(|e| ProviderError::Unexpected(e.without_url().to_string()))?;
        // JSON unless the call asked for something else (a raw file).
        if !request.headers().contains_key(ACCEPT) {
            request.headers_mut().insert(
                ACCEPT,
                reqwest::header::HeaderValue::from_static("application/json"),
            );
        }
        let endpoint = super::endpoint::template(&self.base, request.url());
        let writes = request.method() != reqwest::Method::GET;
        let response = self
            .metrics
            .send_upstream(&self.http, request, &endpoint)
            .await
            .map_err(|e| ProviderError::Unavailable(e.without_url().to_string()))?;
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
        Err(STATUSES.refusal::<ErrorBody>(response, what).await)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
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
        let permission = serde_json::json!({"errors": [{"message": "no",
            "exceptionName": "com.atlassian.bitbucket.AuthorisationException"}]});
        assert!(matches!(
            map(StatusCode::UNAUTHORIZED, permission),
            ProviderError::Forbidden(m) if m.starts_with("Bitbucket Data Center refused access to the repository: your account lacks the permission.")
        ));
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
