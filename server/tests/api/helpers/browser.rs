//! A cookie-keeping HTTP client that behaves like a browser on 127.0.0.1: it sends
//! `Sec-Fetch-Site`/`Origin` on API writes, keeps `Secure` cookies on http://127.0.0.1 (as
//! Chromium does for loopback), and never follows redirects, so tests see every hop.

use reqwest::header::{HeaderMap, HeaderValue, COOKIE, LOCATION, SET_COOKIE};
use reqwest::Response;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::html::Form;

pub struct Browser {
    origin: String,
    client: reqwest::Client,
    /// Shared by [`Browser::at`]: one cookie jar, as one browser has behind a load balancer.
    cookies: Arc<Mutex<BTreeMap<String, String>>>,
}

impl Browser {
    pub fn new(origin: &str) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            origin: origin.to_owned(),
            client,
            cookies: Arc::default(),
        }
    }

    /// A browser on another machine, as the server sees it: its connections come from
    /// `address` (any of 127.0.0.0/8 reaches the server on Linux), so per-client limits count
    /// it apart from the tests' usual 127.0.0.1.
    pub fn from_address(origin: &str, address: std::net::IpAddr) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(address)
            .build()
            .unwrap();
        Self {
            origin: origin.to_owned(),
            client,
            cookies: Arc::default(),
        }
    }

    /// The same browser (same cookies) talking to another origin: another server instance
    /// that the load balancer would have picked.
    pub fn at(&self, origin: &str) -> Browser {
        Browser {
            origin: origin.to_owned(),
            client: self.client.clone(),
            cookies: Arc::clone(&self.cookies),
        }
    }

    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.origin)
        }
    }

    /// Resolves a Location against the URL that answered.
    pub fn absolute(&self, location: &str, base: &str) -> String {
        url::Url::parse(base)
            .unwrap()
            .join(location)
            .unwrap()
            .to_string()
    }

    pub fn location(response: &Response) -> String {
        response
            .headers()
            .get(LOCATION)
            .expect("a Location header")
            .to_str()
            .unwrap()
            .to_owned()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .unwrap()
            .insert(name.to_owned(), value.to_owned());
    }

    pub fn forget_cookies(&self) {
        self.cookies.lock().unwrap().clear();
    }

    fn cookie_header(&self) -> Option<HeaderValue> {
        let cookies = self.cookies.lock().unwrap();
        if cookies.is_empty() {
            return None;
        }
        let line = cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        Some(HeaderValue::from_str(&line).unwrap())
    }

    fn remember(&self, headers: &HeaderMap) {
        let mut cookies = self.cookies.lock().unwrap();
        for header in headers.get_all(SET_COOKIE) {
            let text = header.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let attributes = attributes.to_ascii_lowercase();
            let expired =
                attributes.contains("max-age=0") || attributes.contains("expires=thu, 01 jan 1970");
            if expired || value.is_empty() {
                cookies.remove(name.trim());
            } else {
                cookies.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Response {
        self.try_send(request)
            .await
            .expect("the request is answered")
    }

    /// [`Browser::send`] that reports an unanswered request instead of panicking (the soak
    /// kills instances and makes Bitbucket hang).
    pub async fn try_send(
        &self,
        mut request: reqwest::RequestBuilder,
    ) -> Result<Response, reqwest::Error> {
        if let Some(cookies) = self.cookie_header() {
            request = request.header(COOKIE, cookies);
        }
        let response = request.send().await?;
        self.remember(response.headers());
        Ok(response)
    }

    pub async fn get(&self, path_or_url: &str) -> Response {
        self.send(self.client.get(self.url(path_or_url))).await
    }

    /// A same-origin `fetch` with a JSON body, as the app sends it.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.fetch_json(reqwest::Method::POST, path, body).await
    }

    /// A same-origin `fetch` with `DELETE`, as the app sends it (JSON content type included:
    /// the CSRF gate asks it of every state-changing call).
    pub async fn delete_json(&self, path: &str) -> Response {
        self.fetch_json(reqwest::Method::DELETE, path, &serde_json::json!({}))
            .await
    }

    /// A same-origin `fetch` with any method and a JSON body.
    pub async fn fetch_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Response {
        let request = self
            .client
            .request(method, self.url(path))
            .header("sec-fetch-site", "same-origin")
            .json(body);
        self.send(request).await
    }

    pub fn raw(&self) -> &reqwest::Client {
        &self.client
    }

    /// Submits an HTML form (urlencoded), as a browser would on a button click.
    pub async fn submit(&self, form: &Form, page_url: &str) -> Response {
        let action = self.absolute(&form.action, page_url);
        self.send(self.client.post(action).form(&form.fields)).await
    }

    /// Submits a provider sandbox's form, which must redirect, and answers where to.
    pub async fn submit_to_next_page(&self, form: &Form, page_url: &str) -> String {
        let response = self.submit(form, page_url).await;
        assert!(
            response.status().is_redirection(),
            "a sandbox form redirects: {}",
            response.status()
        );
        self.absolute(&Browser::location(&response), page_url)
    }
}
