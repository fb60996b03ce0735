//! HTTP helpers both sandboxes' contract suites use (`tests/contract`, `tests/datacenter`):
//! a client that never follows redirects, reading `Location` and query parameters, and
//! [`Answer`], one answer read whole.

// Each suite uses part of this.
#![allow(dead_code)]

use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::Value;

/// A client that shows every redirect instead of following it.
pub fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get(LOCATION)
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

/// A query parameter of an absolute or relative URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::options()
        .base_url(Some(&url::Url::parse("http://base.invalid").unwrap()))
        .parse(url)
        .unwrap();
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Percent-encodes a query value the way a form serializer does.
pub fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The `values` of a page.
pub fn values(page: &Value) -> &[Value] {
    page.get("values")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// One answer, read whole.
#[derive(Debug)]
pub struct Answer {
    /// What was asked, for messages: `GET /2.0/user?…`.
    pub request: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Sends `request` to a sandbox at `base_url` (with `token` as `Authorization: Bearer`, if
/// any) and reads the answer whole; the request is named without the base in messages.
pub async fn send(base_url: &str, token: Option<&str>, request: RequestBuilder) -> Answer {
    let mut request = request;
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let built = request.build().expect("a valid request");
    let url = built.url().as_str();
    let described = format!(
        "{} {}",
        built.method(),
        url.strip_prefix(base_url).unwrap_or(url)
    );
    let response = http().execute(built).await.expect("the sandbox answers");
    Answer {
        request: described,
        status: response.status(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap_or_default().to_vec(),
    }
}

impl Answer {
    pub fn content_type(&self) -> &str {
        self.header(CONTENT_TYPE.as_str()).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body for a message: its first 300 characters.
    pub fn shown(&self) -> String {
        let text = self.text();
        if text.chars().count() > 300 {
            format!("{}…", text.chars().take(300).collect::<String>())
        } else {
            text
        }
    }
}

/// `POST {base_url}/_control/{route}` with a JSON body: the status and the JSON answer.
pub async fn control(base_url: &str, route: &str, body: &Value) -> (StatusCode, Value) {
    let r = http()
        .post(format!("{base_url}/_control/{route}"))
        .json(body)
        .send()
        .await
        .expect("the sandbox answers");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `base`'s fields and `more`'s (which win), for a control body.
pub fn with_fields(base: Value, more: Value) -> Value {
    let (Value::Object(mut base), Value::Object(more)) = (base, more) else {
        panic!("two JSON objects");
    };
    base.extend(more);
    Value::Object(base)
}

/// Checks the page every sandbox's pull-request link lands on (`crate::html::pull_request_page`
/// in the sandbox): the heading, the repository, and the labelled read-only branch fields.
pub fn assert_pull_request_page(
    html: &str,
    heading: &str,
    full_name: &str,
    source: &str,
    destination: &str,
) {
    for expected in [
        format!("<h1>{heading}</h1>"),
        format!("<strong class=\"repository\">{full_name}</strong>"),
        r#"<label for="source-branch">Source branch</label>"#.to_owned(),
        format!(r#"id="source-branch" name="source" value="{source}" readonly"#),
        r#"<label for="destination-branch">Destination branch</label>"#.to_owned(),
        format!(r#"id="destination-branch" name="destination" value="{destination}" readonly"#),
        "stand-in".to_owned(),
    ] {
        assert!(html.contains(&expected), "{expected} in {html}");
    }
}
