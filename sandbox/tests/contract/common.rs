//! The suite's harness: a sandbox on 127.0.0.1:0, tokens through the real
//! OAuth flow (sign in, consent, code, token call — copied from the
//! black-box helpers), and [`Contract`], which sends a call and checks its
//! answer against what Atlassian's document says for that path, method and
//! status.
//!
//! Checks are soft: every broken rule of a test is collected and the test
//! fails once, at [`Contract::finish`], listing them all, so one run shows
//! every way the sandbox disagrees with the document.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{RequestBuilder, Response, StatusCode};
use sandbox::{spawn, Consumer, RunningSandbox};
use serde_json::Value;

use crate::schema::{Document, Documented};
pub use crate::support::{enc, http, location, param, values, Answer};

pub const KEY: &str = "studio-key";
pub const SECRET: &str = "studio-secret";
pub const CALLBACK: &str = "http://127.0.0.1:9/oauth/bitbucket/callback";
/// A second consumer with only `account`, for the scope 403.
pub const NARROW_KEY: &str = "narrow-key";

/// The document kept in the repository (`sandbox/openapi/`).
pub fn document_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/bitbucket-cloud.openapi.json")
}

pub fn document() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| Document::load(&document_path()))
}

fn consumer(key: &str, scopes: &[&str]) -> Consumer {
    Consumer {
        key: key.into(),
        secret: SECRET.into(),
        name: format!("Contract {key}"),
        callback_url: CALLBACK.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

// ---- the OAuth flow, as in sandbox/tests/blackbox/common.rs ----

fn query(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn hidden_value(html: &str, name: &str) -> String {
    let needle = format!(r#"name="{name}" value=""#);
    let start = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + needle.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

fn cookie_from(r: &Response) -> String {
    let set = r
        .headers()
        .get(SET_COOKIE)
        .expect("Set-Cookie")
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// Signs in as `nickname`, grants `key` access if asked, exchanges the code
/// (HTTP Basic, form body) and answers the access token.
pub async fn access_token(rs: &RunningSandbox, key: &str, nickname: &str) -> String {
    let params: Vec<(String, String)> = vec![
        ("client_id".into(), key.into()),
        ("response_type".into(), "code".into()),
        ("state".into(), "contract-state".into()),
    ];
    let mut form = vec![
        ("account".to_owned(), nickname.to_owned()),
        (
            "return_path".to_owned(),
            "/site/oauth2/authorize".to_owned(),
        ),
    ];
    form.extend_from_slice(&params);
    let r = http()
        .post(format!("{}/site/oauth2/login", rs.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in");
    let cookie = cookie_from(&r);
    let r = http()
        .get(format!(
            "{}/site/oauth2/authorize?{}",
            rs.url,
            query(&params)
        ))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    let callback = if r.status() == StatusCode::FOUND {
        location(&r)
    } else {
        assert_eq!(r.status(), StatusCode::OK, "consent page");
        let html = r.text().await.unwrap();
        let mut form = vec![
            ("csrf_token".to_owned(), hidden_value(&html, "csrf_token")),
            ("action".to_owned(), "grant".to_owned()),
        ];
        form.extend_from_slice(&params);
        let r = http()
            .post(format!("{}/site/oauth2/authorize", rs.url))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FOUND, "consent");
        location(&r)
    };
    let code = param(&callback, "code").expect("a code");
    let r = http()
        .post(rs.sandbox.token_url())
        .basic_auth(key, Some(SECRET))
        .form(&[("grant_type", "authorization_code"), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "token call");
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

// ---- calls and checks ----

/// A running sandbox, the seeded accounts' tokens, and the failures found so
/// far in one test.
pub struct Contract {
    pub rs: RunningSandbox,
    /// `alex`: a bit of everything (admin, write, read-only, empty repository).
    pub alex: String,
    failures: Mutex<Vec<String>>,
}

/// The operation a call exercises, as the document names it.
#[derive(Debug, Clone, Copy)]
pub struct Op {
    pub method: &'static str,
    pub template: &'static str,
}

pub const fn op(method: &'static str, template: &'static str) -> Op {
    Op { method, template }
}

impl Contract {
    pub async fn start() -> Contract {
        let rs = spawn(
            vec![
                consumer(KEY, &["account", "repository:write"]),
                consumer(NARROW_KEY, &["account"]),
            ],
            false,
        )
        .await
        .expect("sandbox starts");
        let alex = access_token(&rs, KEY, "alex").await;
        Contract {
            rs,
            alex,
            failures: Mutex::new(Vec::new()),
        }
    }

    /// A token for another seeded account (`bigco`, `sam`, …).
    pub async fn token(&self, nickname: &str) -> String {
        access_token(&self.rs, KEY, nickname).await
    }

    pub fn api_url(&self) -> String {
        self.rs.sandbox.api_url()
    }

    /// Records a failure without stopping the test.
    pub fn fail(&self, message: impl Into<String>) {
        self.failures.lock().unwrap().push(message.into());
    }

    /// `assert!`, softly.
    pub fn expect(&self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.fail(message());
        }
    }

    /// Sends `request` (with `token` as `Authorization: Bearer`, if any).
    pub async fn send(&self, token: Option<&str>, request: RequestBuilder) -> Answer {
        crate::support::send(&self.rs.url, token, request).await
    }

    /// `GET {api}{path_and_query}`.
    pub async fn get(&self, token: Option<&str>, path_and_query: &str) -> Answer {
        self.send(
            token,
            http().get(format!("{}{path_and_query}", self.api_url())),
        )
        .await
    }

    /// `GET` of an absolute URL the sandbox handed out (a `next` link), as given.
    pub async fn follow(&self, token: &str, url: &str) -> Answer {
        self.send(Some(token), http().get(url)).await
    }

    fn status_is(&self, answer: &Answer, expected: u16) -> bool {
        if answer.status.as_u16() == expected {
            return true;
        }
        self.fail(format!(
            "{} → {} (expected {expected}): {}",
            answer.request,
            answer.status.as_u16(),
            answer.shown()
        ));
        false
    }

    /// Validates `value` against `schema`, recording each violation.
    pub fn validate(&self, answer: &Answer, schema_name: &str, schema: &Value, value: &Value) {
        for v in document().validate(schema, value) {
            self.fail(format!(
                "{} → {} [{schema_name}] {v}",
                answer.request,
                answer.status.as_u16()
            ));
        }
    }

    fn json_body(&self, answer: &Answer) -> Option<Value> {
        if !answer.content_type().starts_with("application/json") {
            self.fail(format!(
                "{} → {}: Content-Type {:?}, expected application/json",
                answer.request,
                answer.status.as_u16(),
                answer.content_type()
            ));
        }
        let value = answer.json();
        if value.is_none() {
            self.fail(format!(
                "{} → {}: the body is not JSON: {}",
                answer.request,
                answer.status.as_u16(),
                answer.shown()
            ));
        }
        value
    }

    /// Checks an answer the document describes: the status is `expected`, and
    /// the body validates against the schema the document gives for
    /// `op`/status (the status the sandbox actually answered, so a wrong
    /// status is still checked for shape). Answers the JSON body.
    pub fn documented(&self, op: Op, answer: &Answer, expected: u16) -> Option<Value> {
        if let Documented::Undocumented = document().response(op.template, op.method, expected) {
            panic!(
                "the test is wrong: {} {} does not document {expected}; use `undocumented`",
                op.method, op.template
            );
        }
        self.status_is(answer, expected);
        let status = answer.status.as_u16();
        match document().response(op.template, op.method, status) {
            Documented::Json(schema) => {
                let value = self.json_body(answer)?;
                self.validate(answer, &schema_name(schema), schema, &value);
                Some(value)
            }
            Documented::NoBody => answer.json(),
            Documented::Undocumented => {
                // A status the document does not list: at least an error envelope.
                let value = self.json_body(answer)?;
                self.fail(format!(
                    "{} → {status}: {} {} does not document status {status}",
                    answer.request, op.method, op.template
                ));
                self.validate(answer, "error", &Document::component("error"), &value);
                Some(value)
            }
        }
    }

    /// Checks an error answer whose status the document does not list for
    /// `op` (410 on the CHANGE-2770 paths, 429, some 400/401/409): the status
    /// is `expected` and the body is Bitbucket's `error` envelope.
    pub fn undocumented(&self, op: Op, answer: &Answer, expected: u16) -> Option<Value> {
        if !matches!(
            document().response(op.template, op.method, expected),
            Documented::Undocumented
        ) {
            panic!(
                "the test is wrong: {} {} documents {expected}; use `documented`",
                op.method, op.template
            );
        }
        self.status_is(answer, expected);
        let value = self.json_body(answer)?;
        self.validate(answer, "error", &Document::component("error"), &value);
        Some(value)
    }

    /// Checks a JSON answer against a named component schema, for answers the
    /// document describes in prose only (`format=meta` gives `commit_file`).
    pub fn against(&self, answer: &Answer, expected: u16, component: &str) -> Option<Value> {
        assert!(
            document().has_component(component),
            "the document has no schema {component}"
        );
        self.status_is(answer, expected);
        let value = self.json_body(answer)?;
        self.validate(answer, component, &Document::component(component), &value);
        Some(value)
    }

    /// The `next` link of a page, which must be there.
    pub fn next_of(&self, answer: &Answer, page: &Value) -> Option<String> {
        let next = page.get("next").and_then(Value::as_str).map(str::to_owned);
        if next.is_none() {
            self.fail(format!(
                "{}: no `next` link on a page that has one",
                answer.request
            ));
        }
        next
    }

    /// Fails the test with every failure recorded, then stops the sandbox.
    pub async fn finish(self) {
        let failures = std::mem::take(&mut *self.failures.lock().unwrap());
        self.rs.shutdown().await;
        if !failures.is_empty() {
            panic!(
                "{} contract failure(s):\n  - {}",
                failures.len(),
                failures.join("\n  - ")
            );
        }
    }
}

/// `#/components/schemas/x` → `x`, for messages.
fn schema_name(schema: &Value) -> String {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or("inline schema")
        .to_owned()
}
