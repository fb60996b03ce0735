//! What every provider's REST client is built on: its HTTP client, its fixed base URL, its
//! answer cache ([`super::cache`]) and the metrics, and the sending every call shares: the
//! token only in the `Authorization` header, JSON asked for unless the call asks for something
//! else, and each call counted under its endpoint template (ARCHITECTURE.md, "Adding a Git
//! provider", `rest.rs`). What a refusal means stays with each provider's `StatusTable`.
//! A provider's client implements [`Rest`] (its `Upstream`, and how it sends), and reads JSON,
//! through the cache or not, the one way written here.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderValue, ACCEPT};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::body;
use super::cache::{Reading, ResponseCache};
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

    /// `{base}/{segments…}?{query}`: each segment percent-encoded in turn, so no name can
    /// leave the path it is put in (ARCHITECTURE.md, "one validated, percent-encoded segment
    /// at a time").
    pub fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
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

/// A provider's REST client: its [`Upstream`] and how it sends a request (with the token,
/// counted, a refusal read by its `StatusTable`); reading answers is the same for all.
#[async_trait]
pub trait Rest: Sync {
    fn upstream(&self) -> &Upstream;

    /// Sends a request with the user's token and maps every failure to a [`ProviderError`];
    /// `what` names the thing asked for in messages ("repository").
    async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, ProviderError>;

    /// `GET url`, its JSON answer read within [`body`]'s bounds.
    async fn get<T: DeserializeOwned + Send>(
        &self,
        token: &SecretString,
        url: Url,
        what: &str,
    ) -> Result<T, ProviderError> {
        let response = self
            .send(token, self.upstream().http.get(url), what)
            .await?;
        body::json(response, what).await
    }

    /// [`Rest::get`] through the per-token cache ([`super::cache`]), as `reading` allows;
    /// the answer is kept for `ttl`.
    async fn read<T: DeserializeOwned + Send>(
        &self,
        token: &SecretString,
        url: Url,
        what: &str,
        ttl: Duration,
        reading: Reading,
    ) -> Result<T, ProviderError> {
        let up = self.upstream();
        let send = self.send(token, up.http.get(url.clone()), what);
        up.cache
            .read_json(token, url.as_str(), what, ttl, reading, send)
            .await
    }

    /// Forgets what was cached for this token: after the user's own write, or Refresh.
    fn forget_cached(&self, token: &SecretString) {
        self.upstream().forget_cached(token);
    }

    fn http(&self) -> &reqwest::Client {
        &self.upstream().http
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A client whose every request is answered here, with the URL asked for, and counted.
    struct Echo {
        up: Upstream,
        sent: AtomicUsize,
    }

    #[async_trait]
    impl Rest for Echo {
        fn upstream(&self) -> &Upstream {
            &self.up
        }

        async fn send(
            &self,
            _token: &SecretString,
            request: reqwest::RequestBuilder,
            _what: &str,
        ) -> Result<reqwest::Response, ProviderError> {
            self.sent.fetch_add(1, Ordering::SeqCst);
            let url = request.build().unwrap().url().to_string();
            let body = serde_json::json!({ "url": url }).to_string();
            Ok(axum::http::Response::new(body).into())
        }
    }

    fn echo(base: &str) -> Echo {
        Echo {
            up: Upstream::new(reqwest::Client::new(), base, Metrics::new()).unwrap(),
            sent: AtomicUsize::new(0),
        }
    }

    #[test]
    fn urls_are_the_base_and_one_encoded_segment_each() {
        let up = echo("https://git.example.com/ctx/").up;
        let url = up.url(&["repos", "a/b", ".."], &[("q", "x&y".into())]);
        // A `/` is encoded; a `..` cannot climb out of the base (it is left out).
        assert_eq!(
            url.as_str(),
            "https://git.example.com/ctx/repos/a%2Fb?q=x%26y"
        );
        // A base without a path gets no empty segment before the first one.
        let root = echo("https://git.example.com").up;
        assert_eq!(
            root.url(&["user"], &[]).as_str(),
            "https://git.example.com/user"
        );
    }

    #[tokio::test]
    async fn plain_reads_ask_each_time_cached_reads_once_until_forgotten() {
        let client = echo("https://git.example.com/api");
        let token = SecretString::from("token".to_owned());
        let url = client.up.url(&["list"], &[]);
        let read = || async {
            let answer: serde_json::Value = client
                .read(
                    &token,
                    url.clone(),
                    "list",
                    Duration::from_secs(60),
                    Reading::Cached,
                )
                .await
                .unwrap();
            answer
        };
        let got: serde_json::Value = client.get(&token, url.clone(), "list").await.unwrap();
        assert_eq!(got["url"], "https://git.example.com/api/list");
        let _: serde_json::Value = client.get(&token, url.clone(), "list").await.unwrap();
        assert_eq!(client.sent.load(Ordering::SeqCst), 2);
        assert_eq!(read().await, got);
        assert_eq!(read().await, got);
        assert_eq!(
            client.sent.load(Ordering::SeqCst),
            3,
            "the second read is kept"
        );
        client.forget_cached(&token);
        read().await;
        assert_eq!(
            client.sent.load(Ordering::SeqCst),
            4,
            "forgotten: asked again"
        );
    }
}
