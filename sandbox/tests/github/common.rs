//! The suite's harness: a GitHub sandbox on 127.0.0.1:0, a small browser (cookies by hand,
//! redirects not followed) that goes through the real sign-in and consent pages, tokens from
//! the real token endpoint, and [`Gh`], which sends a call and checks its answer against the
//! description. Checks are soft: failures are collected and reported at [`Gh::finish`].

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{RequestBuilder, Response, StatusCode};
use sandbox::github::{spawn, GitHubApp, RunningGitHub, PASSWORD};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::schema::{Document, Documented};
pub use crate::support::{http, location, param, Answer};

pub const CLIENT: &str = "Iv23liStudio";
pub const SECRET: &str = "studio-secret";
pub const SLUG: &str = "pipeline-studio";
pub const CALLBACK: &str = "http://127.0.0.1:9/oauth/github/callback";
pub const SETUP: &str = "http://127.0.0.1:9/oauth/github/setup";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The Cloud document: `schema.rs`'s own tests read it through this name.
pub fn document_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/bitbucket-cloud.openapi.json")
}

pub fn doc() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| {
        Document::load(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/github.openapi.json"),
        )
    })
}

pub fn apps() -> Vec<GitHubApp> {
    vec![GitHubApp {
        app_id: 901,
        slug: SLUG.into(),
        name: "Pipeline Studio".into(),
        client_id: CLIENT.into(),
        client_secret: SECRET.into(),
        callback_url: CALLBACK.into(),
        setup_url: Some(SETUP.into()),
    }]
}

pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}

/// Every hidden input of the form whose `action` ends with `action`.
pub fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!(r#"{action}""#))
        .unwrap_or_else(|| panic!("no form posting to {action} in:\n{html}"));
    let end = html[start..].find("</form>").unwrap() + start;
    let mut out = Vec::new();
    let mut rest = &html[start..end];
    let marker = r#"<input type="hidden" name=""#;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let name_end = rest.find('"').unwrap();
        let name = html_escape::decode_html_entities(&rest[..name_end]).into_owned();
        let v = rest.find(r#"value=""#).unwrap() + 7;
        let v_end = rest[v..].find('"').unwrap() + v;
        out.push((
            name,
            html_escape::decode_html_entities(&rest[v..v_end]).into_owned(),
        ));
        rest = &rest[v_end..];
    }
    out
}

#[derive(Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &Response) {
        for set in r.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (k, v) = set.split(';').next().unwrap().split_once('=').unwrap();
            self.cookies.insert(k.to_owned(), v.to_owned());
        }
    }

    pub async fn get(&mut self, url: &str) -> Response {
        let r = http()
            .get(url)
            .header(COOKIE, self.header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    pub async fn post(&mut self, url: &str, form: &[(String, String)]) -> Response {
        let r = http()
            .post(url)
            .header(COOKIE, self.header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    /// Signs in on the sign-in page `html` as `user`; answers where it sends the browser.
    pub async fn sign_in(&mut self, base: &str, html: &str, user: &str) -> String {
        let mut form = hidden_fields(html, "/session");
        form.push(("login".into(), user.into()));
        form.push(("password".into(), PASSWORD.into()));
        let r = self.post(&format!("{base}/session"), &form).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in as {user}");
        absolute(base, &location(&r))
    }
}

pub fn authorize_url(base: &str, extra: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", CLIENT)
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("state", "st-1")
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256");
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("{base}/login/oauth/authorize?{}", q.finish())
}

/// Signs `user` in and presses "Authorize"; answers the redirect back to the app and the
/// browser (signed in).
pub async fn authorize(base: &str, user: &str) -> (String, Browser) {
    let mut b = Browser::default();
    let page = b.get(&authorize_url(base, &[])).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let next = b.sign_in(base, &html, user).await;
    let consent = b.get(&next).await;
    if consent.status() == StatusCode::FOUND {
        // Authorized before: GitHub skips the consent page.
        return (location(&consent), b);
    }
    assert_eq!(consent.status(), StatusCode::OK, "the consent page");
    let html = consent.text().await.unwrap();
    assert!(html.contains("Authorize Pipeline Studio"), "{html}");
    let form = hidden_fields(&html, "/login/oauth/authorize");
    let r = b
        .post(&format!("{base}/login/oauth/authorize"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::FOUND, "back to the app");
    (location(&r), b)
}

pub async fn token_call(rs: &RunningGitHub, form: &[(&str, &str)]) -> Value {
    let r = http()
        .post(rs.sandbox.token_url())
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the token endpoint answers 200 whatever happens"
    );
    r.json().await.unwrap()
}

pub async fn exchange(rs: &RunningGitHub, code: &str) -> Value {
    token_call(
        rs,
        &[
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

/// `(access_token, refresh_token)` of `user`, through the pages.
pub async fn tokens(rs: &RunningGitHub, user: &str) -> (String, String) {
    let (back, _) = authorize(&rs.url, user).await;
    let body = exchange(rs, &param(&back, "code").expect("a code")).await;
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// A running sandbox, `alex`'s token, and the failures found so far.
pub struct Gh {
    pub rs: RunningGitHub,
    pub alex: String,
    failures: Mutex<Vec<String>>,
}

impl Gh {
    pub async fn start() -> Gh {
        let rs = spawn(apps()).await.expect("the sandbox starts");
        let (alex, _) = tokens(&rs, "alex").await;
        Gh {
            rs,
            alex,
            failures: Mutex::new(Vec::new()),
        }
    }

    pub fn api(&self) -> String {
        self.rs.sandbox.api_url()
    }

    pub fn fail(&self, m: impl Into<String>) {
        self.failures.lock().unwrap().push(m.into());
    }

    pub async fn send(&self, token: Option<&str>, request: RequestBuilder) -> Answer {
        crate::support::send(&self.rs.url, token, request).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Answer {
        self.send(Some(token), http().get(format!("{}{path}", self.api())))
            .await
    }

    pub async fn call(&self, token: &str, method: &str, path: &str, body: Value) -> Answer {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.send(
            Some(token),
            http()
                .request(m, format!("{}{path}", self.api()))
                .json(&body),
        )
        .await
    }

    /// The status is `expected`; a JSON body validates against the description's schema
    /// for `method template expected`, or (a status it does not list) against
    /// `basic-error`. Answers the body.
    pub fn check(&self, method: &str, template: &str, a: &Answer, expected: u16) -> Value {
        if a.status.as_u16() != expected {
            self.fail(format!(
                "{} → {} (expected {expected}): {}",
                a.request,
                a.status.as_u16(),
                a.shown()
            ));
        }
        for h in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-used",
            "x-ratelimit-reset",
            "x-ratelimit-resource",
            "x-github-request-id",
        ] {
            if a.header(h).is_none() {
                self.fail(format!("{}: no {h} header", a.request));
            }
        }
        if expected == 204 {
            return Value::Null;
        }
        let Some(value) = a.json() else {
            self.fail(format!(
                "{} → {}: not JSON: {}",
                a.request,
                a.status,
                a.shown()
            ));
            return Value::Null;
        };
        let schema = match doc().response(template, method, expected) {
            Documented::Json(s) => s.clone(),
            Documented::NoBody | Documented::Undocumented => {
                json!({"$ref": "#/components/schemas/basic-error"})
            }
        };
        for v in doc().validate(&schema, &value) {
            self.fail(format!("{} → {}: {v}", a.request, a.status.as_u16()));
        }
        if expected >= 400 {
            for v in doc().validate(&json!({"$ref": "#/components/schemas/basic-error"}), &value) {
                self.fail(format!(
                    "{} → {}: error body: {v}",
                    a.request,
                    a.status.as_u16()
                ));
            }
            if value["status"] != json!(expected.to_string()) || value["message"].as_str().is_none()
            {
                self.fail(format!(
                    "{}: error body without message/status: {value}",
                    a.request
                ));
            }
        }
        value
    }

    pub async fn finish(self) {
        let failures = std::mem::take(&mut *self.failures.lock().unwrap());
        self.rs.shutdown().await;
        assert!(
            failures.is_empty(),
            "{} failure(s):\n  - {}",
            failures.len(),
            failures.join("\n  - ")
        );
    }
}
