//! What every provider's REST client is built on: its HTTP client, its fixed base URL, its
//! answer cache ([`super::cache`]) and the metrics, and the sending every call shares: the
//! token only in the `Authorization` header, JSON asked for unless the call asks for something
//! else, and each call counted under its endpoint template (ARCHITECTURE.md, "Adding a Git
//! provider", `rest.rs`). What a refusal means stays with each provider's `StatusTable`.

use std::sync::Arc;

use reqwest::header::{HeaderValue, ACCEPT};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::cache::ResponseCache;
use super::ProviderError;
use crate::telemetry::Metrics;

#[derive(Clone, Debug)]
pub struct Upstream {
    pub http: reqwest::Client,
    /// Every URL is built from it, one segment at a time.
    pub base: Url,
    /// Listing and search answers, per user, for a short time.
    pub cache: Arc<ResponseCache>,
    metrics: Arc<Metrics>,
}

impl Upstream {
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

    /// `request` with the user's token, and JSON unless it asked for something else.
    pub fn prepare(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Request, ProviderError> {
        let mut request = request
            .bearer_auth(token.expose_secret())
            .build()
            .map_err(|e| ProviderError::Unexpected(e.without_url().to_string()))?;
        if !request.headers().contains_key(ACCEPT) {
            request
                .headers_mut()
                .insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        Ok(request)
    }

    /// Sends `request`, counted in the metrics under the endpoint `template` makes of its
    /// path below the base ([`below`]); no answer at all is [`ProviderError::Unavailable`].
    pub async fn transmit(
        &self,
        request: reqwest::Request,
        template: fn(&[&str]) -> String,
    ) -> Result<reqwest::Response, ProviderError> {
        let endpoint = endpoint(&self.base, request.url(), template);
        self.metrics
            .send_upstream(&self.http, request, &endpoint)
            .await
            .map_err(|e| ProviderError::Unavailable(e.without_url().to_string()))
    }

    /// Forgets what was cached for this token: after the user's own write, or Refresh.
    pub fn forget_cached(&self, token: &SecretString) {
        self.cache.forget(token);
    }
}

/// The name a call to `url` is counted under: the provider's `template` of its path below
/// `base`, `/` for the base itself.
pub fn endpoint(base: &Url, url: &Url, template: fn(&[&str]) -> String) -> String {
    let named = template(&below(base, url));
    if named.is_empty() {
        "/".to_owned()
    } else {
        named
    }
}

/// The non-empty path segments of `url` below `base`'s: what a provider's endpoint template
/// reads (a path as called names the user's repositories and files, too many series for the
/// metrics).
pub fn below<'a>(base: &Url, url: &'a Url) -> Vec<&'a str> {
    let skip = base
        .path_segments()
        .map_or(0, |s| s.filter(|s| !s.is_empty()).count());
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).skip(skip).collect())
        .unwrap_or_default();
    segments
}
