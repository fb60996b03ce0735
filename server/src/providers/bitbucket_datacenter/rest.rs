//! The few Bitbucket Data Center REST calls the studio makes (`{base}/rest/api/latest/…`,
//! Atlassian's Data Center 9.2 document), with the user's OAuth access token.
//!
//! Errors are classified by status, never by an error's text ([`error_of`]): Atlassian's
//! document declares no values for `exceptionName`. A 401 is an authentication problem,
//! [`BitbucketError::Unauthorized`] (the token is refreshed and, at worst, the user is asked
//! to reconnect), except that the document's 401 also means "the currently authenticated
//! user has insufficient permissions" for most operations. So a 401 is told apart by a
//! second status: the token is shown to a resource every accepted token may read
//! ([`DataCenterRest::accepts`]); when that succeeds the token is fine and the 401 was a
//! missing permission, [`BitbucketError::Forbidden`] (reconnecting would not help).

use std::sync::Arc;

use reqwest::header::ACCEPT;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::model::ErrorBody;
use crate::providers::bitbucket_cloud::rest::retry_after;
use crate::providers::{body, BitbucketError};
use crate::telemetry::Metrics;

#[derive(Clone, Debug)]
pub struct DataCenterRest {
    http: reqwest::Client,
    /// The instance, e.g. `https://git.example.com` or `…/bitbucket` behind a context path.
    base: Url,
    metrics: Arc<Metrics>,
}

/// A project key (`DATA`, or `~ALEX` for a personal project) or repository slug that can be
/// put in a URL: letters, digits, `-`, `_`, `.`, and `~` first for a personal project.
pub fn name<'a>(value: &'a str, what: &'static str) -> Result<&'a str, BitbucketError> {
    if !super::model::is_name(value) {
        return Err(BitbucketError::InvalidName(what));
    }
    Ok(value)
}

/// The error for a refused call, by its status (see the module documentation, and
/// [`DataCenterRest::answer`] for a 401 with an accepted token); `what` names the thing
/// asked for in messages. A call whose document gives a status another
/// meaning (`last_commit`'s 400, `raw`'s 404, …) reads that status itself.
pub fn error_of(
    status: StatusCode,
    body: &ErrorBody,
    what: &str,
    retry: Option<u64>,
) -> BitbucketError {
    let message = body.message();
    match status {
        // The message only words it: an expired token is said to be expired.
        StatusCode::UNAUTHORIZED => BitbucketError::Unauthorized {
            expired: message.to_ascii_lowercase().contains("expired"),
        },
        StatusCode::FORBIDDEN => BitbucketError::Forbidden(format!(
            "Bitbucket Data Center refused access to the {what}. Check that your account has the needed permission."
        )),
        StatusCode::NOT_FOUND => BitbucketError::NotFound(format!("The {what}")),
        StatusCode::CONFLICT => BitbucketError::Conflict(message),
        StatusCode::BAD_REQUEST => BitbucketError::BadRequest(message),
        StatusCode::PAYLOAD_TOO_LARGE => BitbucketError::TooLarge(format!(
            "Bitbucket Data Center refused the {what} as too large."
        )),
        StatusCode::TOO_MANY_REQUESTS => BitbucketError::RateLimited { retry_after: retry },
        s if s.is_server_error() => BitbucketError::Unavailable(format!("HTTP {s}: {message}")),
        s => BitbucketError::Unexpected(format!("HTTP {s}: {message}")),
    }
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
            metrics,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `{base}/{segments…}`, for the few resources outside the REST API.
    pub fn outside_api(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .pop_if_empty()
            .extend(segments);
        url
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
    ) -> Result<T, BitbucketError> {
        let response = self.send(token, self.http.get(url), what).await?;
        body::json(response, what).await
    }

    /// Sends a request with the user's token and maps every failure to a [`BitbucketError`];
    /// `what` names the thing asked for in messages. The request's id goes along and the
    /// call is counted in the metrics under its endpoint template.
    pub async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, BitbucketError> {
        Ok(self.answer(token, request, what).await?.0)
    }

    /// Like [`DataCenterRest::send`], but also returns the header Data Center names the
    /// token's user in (`X-AUSERNAME`).
    pub async fn answer(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<(reqwest::Response, Option<String>), BitbucketError> {
        let mut request = request
            .bearer_auth(token.expose_secret())
            .build()
            .map_err(|e| BitbucketError::Unexpected(e.without_url().to_string()))?;
        // JSON unless the call asked for something else (a raw file).
        if !request.headers().contains_key(ACCEPT) {
            request.headers_mut().insert(
                ACCEPT,
                reqwest::header::HeaderValue::from_static("application/json"),
            );
        }
        let endpoint = super::endpoint::template(&self.base, request.url());
        let response = self
            .metrics
            .send_to_bitbucket(&self.http, request, &endpoint)
            .await
            .map_err(|e| BitbucketError::Unavailable(e.without_url().to_string()))?;
        let status = response.status();
        let user = response
            .headers()
            .get("x-ausername")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status.is_success() {
            return Ok((response, user));
        }
        let retry = retry_after(response.headers());
        let body = body::error_json::<ErrorBody>(response).await;
        if status == StatusCode::UNAUTHORIZED && self.accepts(token).await {
            return Err(BitbucketError::Forbidden(format!(
                "Bitbucket Data Center refused access to the {what}: your account lacks the permission. Ask a project admin for write access, or choose another repository."
            )));
        }
        Err(error_of(status, &body, what, retry))
    }

    /// Whether Data Center accepts `token`, by the status of `GET …/users?limit=1`, a
    /// resource that needs a signed-in user and nothing more (a token Data Center does not
    /// accept is a 401 there). Not being able to ask counts as "not accepted".
    async fn accepts(&self, token: &SecretString) -> bool {
        let url = self.api(&["users"], &[("limit", "1".to_owned())]);
        let Ok(request) = self
            .http
            .get(url)
            .bearer_auth(token.expose_secret())
            .header(ACCEPT, "application/json")
            .build()
        else {
            return false;
        };
        let endpoint = super::endpoint::template(&self.base, request.url());
        self.metrics
            .send_to_bitbucket(&self.http, request, &endpoint)
            .await
            .is_ok_and(|response| response.status().is_success())
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    error_of(StatusCode::UNAUTHORIZED, &parse(body), "file", None),
                    BitbucketError::Unauthorized { expired: false }
                ),
                "{body}"
            );
        }
        assert!(matches!(
            error_of(
                StatusCode::UNAUTHORIZED,
                &parse(r#"{"errors":[{"message":"The access token has expired."}]}"#),
                "file",
                None
            ),
            BitbucketError::Unauthorized { expired: true }
        ));
        assert!(matches!(
            error_of(StatusCode::NOT_FOUND, &parse("{}"), "repository", None),
            BitbucketError::NotFound(m) if m == "The repository"
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
