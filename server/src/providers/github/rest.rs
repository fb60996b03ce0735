//! The client under GitHub's calls ([`super::calls`]): the REST API root, the user's token,
//! GitHub's media type and API version, and GitHub's refusals read by status
//! ([`STATUSES`]), except its rate limits, which it answers as 403 as well as 429 and tells
//! apart by their headers ([`rate_limited`]).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use reqwest::StatusCode;
use secrecy::SecretString;
use url::Url;

use super::model::ErrorBody;
use crate::providers::refusal::{retry_after, Meaning, RefusalBody, StatusTable};
pub use crate::providers::upstream::Rest;
use crate::providers::upstream::Upstream;
use crate::providers::ProviderError;
use crate::telemetry::Metrics;

/// GitHub's media type for its REST API, and the API version the studio was written against
/// (GitHub's description, `info.version` of its REST API 2022-11-28 calendar version).
const MEDIA_TYPE: &str = "application/vnd.github+json";
const API_VERSION: &str = "2022-11-28";

/// What GitHub's refusals mean. A 403 is a missing permission unless its headers say it is a
/// rate limit ([`rate_limited`]); a 422 is a request GitHub would not apply (a branch that
/// exists, an update that is not a fast forward), which the callers that can tell read.
pub const STATUSES: StatusTable = StatusTable {
    entries: &[
        (
            StatusCode::UNAUTHORIZED,
            Meaning::Unauthorized {
                lacking_permission: None,
            },
        ),
        (
            StatusCode::FORBIDDEN,
            Meaning::Forbidden(
                "GitHub refused access to the {what}. Check that the studio's GitHub App is installed on its account with access to it, and that you can push to it.",
            ),
        ),
        (StatusCode::NOT_FOUND, Meaning::NotFound),
        (StatusCode::CONFLICT, Meaning::Conflict),
        (StatusCode::UNPROCESSABLE_ENTITY, Meaning::BadRequest),
        (StatusCode::BAD_REQUEST, Meaning::BadRequest),
        (StatusCode::TOO_MANY_REQUESTS, Meaning::RateLimited),
    ],
};

impl RefusalBody for ErrorBody {
    fn message(&self) -> String {
        self.message.clone().unwrap_or_default()
    }
}

/// A GitHub rate limit, from a refusal's headers: GitHub's page "Rate limits for the REST
/// API" says a primary limit answers 403 or 429 with `x-ratelimit-remaining: 0` (wait until
/// `x-ratelimit-reset`, epoch seconds), and a secondary limit 403 or 429, with `retry-after`
/// when it says how long. `None`: the refusal is not a rate limit.
pub fn rate_limited(status: StatusCode, headers: &HeaderMap) -> Option<ProviderError> {
    if !matches!(
        status,
        StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
    ) {
        return None;
    }
    if let Some(seconds) = retry_after(headers) {
        return Some(ProviderError::RateLimited {
            retry_after: Some(seconds),
        });
    }
    let header = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    if header("x-ratelimit-remaining") == Some(0) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let wait = header("x-ratelimit-reset").map(|reset| reset.saturating_sub(now).max(1));
        return Some(ProviderError::RateLimited { retry_after: wait });
    }
    // A 429 without either header is still a limit; GitHub's page says to wait a minute.
    (status == StatusCode::TOO_MANY_REQUESTS).then_some(ProviderError::RateLimited {
        retry_after: Some(60),
    })
}

/// An account login or repository name that can go into a URL.
pub fn name<'a>(value: &'a str, what: &'static str) -> Result<&'a str, ProviderError> {
    if wire::github::is_name(value) {
        Ok(value)
    } else {
        Err(ProviderError::InvalidName(what))
    }
}

#[derive(Clone, Debug)]
pub struct GitHubRest {
    up: Upstream,
    /// GitHub's web address, for a repository's page when an answer links none.
    web: Arc<str>,
}

/// The app's own credentials, with which it revokes a user's grant
/// (`DELETE /applications/{client_id}/grant`).
pub struct Revocation {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl GitHubRest {
    pub fn new(
        http: reqwest::Client,
        api_url: &str,
        web_url: &str,
        metrics: Arc<Metrics>,
    ) -> Result<Self, url::ParseError> {
        Ok(Self {
            up: Upstream::new(http, api_url, metrics)?,
            web: Arc::from(web_url.trim_end_matches('/')),
        })
    }

    pub fn web_url(&self) -> &str {
        &self.web
    }

    /// `{api}/{segments…}?{query}`, each segment percent-encoded.
    pub fn api(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        self.up.url(segments, query)
    }

    /// `{api}/repos/{owner}/{repo}/{tail…}`.
    pub fn repo(&self, owner: &str, repo: &str, tail: &[&str], query: &[(&str, String)]) -> Url {
        let mut segments = vec!["repos", owner, repo];
        segments.extend_from_slice(tail);
        self.api(&segments, query)
    }
}

#[async_trait]
impl Rest for GitHubRest {
    fn upstream(&self) -> &Upstream {
        &self.up
    }

    async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        let mut request = self.up.prepare(token, request)?;
        let headers = request.headers_mut();
        if headers.get(ACCEPT) == Some(&HeaderValue::from_static("application/json")) {
            headers.insert(ACCEPT, HeaderValue::from_static(MEDIA_TYPE));
        }
        headers.insert(
            "x-github-api-version",
            HeaderValue::from_static(API_VERSION),
        );
        let writes = request.method() != reqwest::Method::GET;
        let response = self.up.transmit(request, super::endpoint::template).await?;
        if writes {
            // A new branch or commit changes what the kept lists say.
            self.forget_cached(token);
        }
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if let Some(limited) = rate_limited(status, response.headers()) {
            return Err(limited);
        }
        Err(STATUSES.refusal::<ErrorBody>(response, what).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn a_403_is_a_rate_limit_only_when_its_headers_say_so() {
        let forbidden = StatusCode::FORBIDDEN;
        assert!(rate_limited(forbidden, &headers(&[("x-ratelimit-remaining", "4999")])).is_none());
        assert!(matches!(
            rate_limited(forbidden, &headers(&[("retry-after", "30")])),
            Some(ProviderError::RateLimited {
                retry_after: Some(30)
            })
        ));
        let reset = (SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 600)
            .to_string();
        let primary = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ]);
        let Some(ProviderError::RateLimited {
            retry_after: Some(wait),
        }) = rate_limited(forbidden, &primary)
        else {
            panic!("a spent primary limit is a rate limit");
        };
        assert!((595..=600).contains(&wait), "{wait}");
        assert!(matches!(
            rate_limited(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new()),
            Some(ProviderError::RateLimited {
                retry_after: Some(60)
            })
        ));
        assert!(rate_limited(StatusCode::NOT_FOUND, &primary).is_none());
    }

    #[test]
    fn urls_stay_under_the_api_root_and_encode_every_segment() {
        let rest = GitHubRest::new(
            reqwest::Client::new(),
            "https://ghe.example.com/api/v3/",
            "https://ghe.example.com",
            Metrics::new(),
        )
        .unwrap();
        assert_eq!(
            rest.repo(
                "acme",
                "etl",
                &["contents", "pipelines", "a b.yaml"],
                &[("ref", "abc".into())]
            )
            .as_str(),
            "https://ghe.example.com/api/v3/repos/acme/etl/contents/pipelines/a%20b.yaml?ref=abc"
        );
        assert!(name("a/b", "repository").is_err());
    }
}
