//! The suite's harness: a Data Center sandbox on 127.0.0.1:0, a small browser (cookies kept
//! by hand, redirects not followed) that goes through the real sign-in and consent pages,
//! tokens from the real token endpoint, and [`Dc`], which sends a call and checks its answer
//! against what Atlassian's document says for that path, method and status.
//!
//! Checks are soft: every broken rule of a test is collected and the test fails once, at
//! [`Dc::finish`], listing them all.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{RequestBuilder, Response, StatusCode};
use sandbox::datacenter::{spawn, DcClient, RunningDataCenter, PASSWORD};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::schema::{Document, Documented};
pub use crate::support::{enc, http, location, param, values, Answer};

pub const CLIENT: &str = "studio";
pub const SECRET: &str = "studio-secret";
pub const REDIRECT: &str = "http://127.0.0.1:9/oauth/bitbucket-dc/callback";
/// A second application link, for "another client's code" checks.
pub const OTHER: &str = "other-app";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const WRITE: &str = "REPO_WRITE";

/// The Cloud document: `schema.rs`'s own tests read it through this name.
pub fn document_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/bitbucket-cloud.openapi.json")
}

/// The Data Center document kept in the repository (`sandbox/openapi/`).
pub fn dc_document() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| {
        Document::load(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("openapi/bitbucket-datacenter.openapi.json"),
        )
    })
}

/// The Data Center document as plain JSON, for the rules `schema.rs` does not check.
fn dc_json() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("openapi/bitbucket-datacenter.openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// Every field of `value` that `schema` marks `writeOnly` (a client sends it; an answer
/// never holds it), by JSON path: `$ref`, `allOf`, `properties` and `items` are followed.
pub fn write_only_fields(schema: &Value, value: &Value) -> Vec<String> {
    fn walk(schema: &Value, value: &Value, path: &str, depth: usize, out: &mut Vec<String>) {
        if depth > 32 {
            return;
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|r| dc_json().pointer(r))
        {
            return walk(target, value, path, depth + 1, out);
        }
        for branch in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(branch, value, path, depth + 1, out);
        }
        match value {
            Value::Object(fields) => {
                let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                    return;
                };
                for (name, field) in fields {
                    let Some(prop) = props.get(name) else {
                        continue;
                    };
                    let prop_path = format!("{path}.{name}");
                    let resolved = prop
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix('#'))
                        .and_then(|r| dc_json().pointer(r))
                        .unwrap_or(prop);
                    if resolved.get("writeOnly") == Some(&Value::Bool(true)) {
                        out.push(prop_path);
                    } else {
                        walk(prop, field, &prop_path, depth + 1, out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        walk(item, v, &format!("{path}[{i}]"), depth + 1, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(schema, value, "$", 0, &mut out);
    out
}

/// DC's error body as the document writes it inline for every error status, with
/// `errors` required (the document leaves it optional; the sandbox always sends it).
pub fn errors_schema() -> Value {
    json!({
        "type": "object",
        "required": ["errors"],
        "properties": {"errors": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/RestErrorMessage"}}}
    })
}

pub fn clients() -> Vec<DcClient> {
    [CLIENT, OTHER]
        .iter()
        .map(|id| DcClient {
            id: (*id).to_owned(),
            secret: SECRET.to_owned(),
            name: format!("Pipeline Studio ({id})"),
            redirect_uri: REDIRECT.to_owned(),
        })
        .collect()
}

pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A `Location` (path-absolute on the sandbox's own pages) as an absolute URL.
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
        .find(&format!(r#"action="{action}""#))
        .or_else(|| html.find(&format!(r#"{action}""#)))
        .unwrap_or_else(|| panic!("no form posting to {action} in:\n{html}"));
    let end = html[start..].find("</form>").unwrap() + start;
    let form = &html[start..end];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find(r#"<input type="hidden" name=""#) {
        rest = &rest[i + r#"<input type="hidden" name=""#.len()..];
        let name_end = rest.find('"').unwrap();
        let name = html_escape::decode_html_entities(&rest[..name_end]).into_owned();
        let v = rest.find(r#"value=""#).unwrap() + r#"value=""#.len();
        let v_end = rest[v..].find('"').unwrap() + v;
        out.push((
            name,
            html_escape::decode_html_entities(&rest[v..v_end]).into_owned(),
        ));
        rest = &rest[v_end..];
    }
    out
}

/// A browser: cookies by name (paths checked by the tests that care), no redirects followed.
#[derive(Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
    /// Every `Set-Cookie` seen, whole, for attribute checks.
    pub set_cookies: Vec<String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &Response) {
        for set in r.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap().to_owned();
            let pair = set.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || set.to_ascii_lowercase().contains("max-age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
            self.set_cookies.push(set);
        }
    }

    pub async fn get(&mut self, url: &str) -> Response {
        let r = http()
            .get(url)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }

    pub async fn post(&mut self, url: &str, form: &[(String, String)]) -> Response {
        let r = http()
            .post(url)
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        r
    }
}

pub fn authorize_url(base: &str, scope: &str, state: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", CLIENT)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("response_type", "code")
        .append_pair("scope", scope)
        .append_pair("state", state)
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("{base}/rest/oauth2/latest/authorize?{query}")
}

/// Fills and submits the sign-in page `html` (shown at `base`) as `user`.
pub async fn sign_in(
    browser: &mut Browser,
    base: &str,
    html: &str,
    user: &str,
    password: &str,
) -> Response {
    let mut form = hidden_fields(html, "/login");
    form.push(("username".into(), user.into()));
    form.push(("password".into(), password.into()));
    browser.post(&format!("{base}/login"), &form).await
}

/// Opens the authorize page, signs in as `user`, presses `decision` ("allow" or "deny") on
/// the consent page, and answers where the browser was sent.
pub async fn through_pages(base: &str, user: &str, scope: &str, decision: &str) -> String {
    let mut browser = Browser::default();
    let page = browser.get(&authorize_url(base, scope, "st-1")).await;
    assert_eq!(page.status(), StatusCode::OK, "the sign-in page");
    let html = page.text().await.unwrap();
    let signed = sign_in(&mut browser, base, &html, user, PASSWORD).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER, "signed in");
    let consent = browser.get(&absolute(base, &location(&signed))).await;
    assert_eq!(consent.status(), StatusCode::OK, "the consent page");
    let html = consent.text().await.unwrap();
    let mut form = hidden_fields(&html, "/rest/oauth2/latest/authorize");
    form.push(("decision".into(), decision.into()));
    let decided = browser
        .post(&format!("{base}/rest/oauth2/latest/authorize"), &form)
        .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER, "consent answered");
    location(&decided)
}

/// A code for `user` with `scope`, through the pages.
pub async fn code(base: &str, user: &str, scope: &str) -> String {
    let back = through_pages(base, user, scope, "allow").await;
    param(&back, "code").expect("a code")
}

/// The token endpoint's answer to a code exchange (client authenticated in the body).
pub async fn exchange(token_url: &str, code: &str) -> Response {
    http()
        .post(token_url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap()
}

/// Access and refresh token for `user` with `scope`.
pub async fn tokens(rs: &RunningDataCenter, user: &str, scope: &str) -> (String, String) {
    let code = code(&rs.url, user, scope).await;
    let r = exchange(&rs.sandbox.token_url(), &code).await;
    assert_eq!(r.status(), StatusCode::OK, "token call");
    let body: Value = r.json().await.unwrap();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// The operation a call exercises, as the document names it (template relative to `/rest`).
#[derive(Debug, Clone, Copy)]
pub struct Op {
    pub method: &'static str,
    pub template: &'static str,
}

pub const fn op(method: &'static str, template: &'static str) -> Op {
    Op { method, template }
}

pub const REPO: &str = "/api/latest/projects/{projectKey}/repos/{repositorySlug}";

/// A running sandbox, `alex`'s token, and the failures found so far in one test.
pub struct Dc {
    pub rs: RunningDataCenter,
    /// `alex` with `REPO_WRITE`.
    pub alex: String,
    failures: Mutex<Vec<String>>,
}

impl Dc {
    pub async fn start() -> Dc {
        let rs = spawn(clients()).await.expect("the sandbox starts");
        let (alex, _) = tokens(&rs, "alex", WRITE).await;
        Dc {
            rs,
            alex,
            failures: Mutex::new(Vec::new()),
        }
    }

    pub async fn token(&self, user: &str, scope: &str) -> String {
        tokens(&self.rs, user, scope).await.0
    }

    pub fn rest(&self) -> String {
        self.rs.sandbox.rest_url()
    }

    pub fn fail(&self, message: impl Into<String>) {
        self.failures.lock().unwrap().push(message.into());
    }

    pub fn expect(&self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.fail(message());
        }
    }

    pub async fn send(&self, token: Option<&str>, request: RequestBuilder) -> Answer {
        crate::support::send(&self.rs.url, token, request).await
    }

    /// `GET {rest}{path_and_query}`.
    pub async fn get(&self, token: Option<&str>, path_and_query: &str) -> Answer {
        self.send(
            token,
            http().get(format!("{}{path_and_query}", self.rest())),
        )
        .await
    }

    fn status_is(&self, a: &Answer, expected: u16) {
        if a.status.as_u16() != expected {
            self.fail(format!(
                "{} → {} (expected {expected}): {}",
                a.request,
                a.status.as_u16(),
                a.shown()
            ));
        }
    }

    fn json_body(&self, a: &Answer) -> Option<Value> {
        let ct = a.header("content-type").unwrap_or("");
        if !ct.starts_with("application/json") {
            self.fail(format!("{} → {}: Content-Type {ct:?}", a.request, a.status));
        }
        let v = a.json();
        if v.is_none() {
            self.fail(format!(
                "{} → {}: not JSON: {}",
                a.request,
                a.status,
                a.shown()
            ));
        }
        v
    }

    fn validate(&self, a: &Answer, schema: &Value, value: &Value) {
        for v in dc_document().validate(schema, value) {
            self.fail(format!("{} → {}: {v}", a.request, a.status.as_u16()));
        }
    }

    /// The status is `expected`, which the document lists for `op`, and the JSON body
    /// validates against the schema the document gives for it (error statuses: also the
    /// errors envelope with `errors` present). Answers the body.
    pub fn documented(&self, op: Op, a: &Answer, expected: u16) -> Option<Value> {
        let doc = dc_document();
        match doc.response(op.template, op.method, expected) {
            Documented::Undocumented => panic!(
                "the test is wrong: {} {} does not document {expected}; use `undocumented`",
                op.method, op.template
            ),
            Documented::NoBody if expected != 204 => panic!(
                "the test is wrong: {} {} gives {expected} no schema; use `unschematized`",
                op.method, op.template
            ),
            _ => {}
        }
        self.status_is(a, expected);
        if a.status == StatusCode::NO_CONTENT {
            self.expect(a.body.is_empty(), || {
                format!("{}: a 204 with a body", a.request)
            });
            return None;
        }
        let value = self.json_body(a)?;
        match doc.response(op.template, op.method, a.status.as_u16()) {
            Documented::Json(schema) => {
                self.validate(a, schema, &value);
                for field in write_only_fields(schema, &value) {
                    self.fail(format!(
                        "{} → {}: {field} is write-only in the document, so never in an answer",
                        a.request, a.status
                    ));
                }
            }
            _ => self.fail(format!(
                "{} → {}: {} {} does not document it",
                a.request, a.status, op.method, op.template
            )),
        }
        if a.status.as_u16() >= 400 {
            self.validate(a, &errors_schema(), &value);
        }
        Some(value)
    }

    /// An error status the document does not list for `op` (DC answers it anyway): the
    /// body is still DC's errors envelope.
    pub fn undocumented(&self, op: Op, a: &Answer, expected: u16) -> Option<Value> {
        if !matches!(
            dc_document().response(op.template, op.method, expected),
            Documented::Undocumented
        ) {
            panic!(
                "the test is wrong: {} {} documents {expected}; use `documented`",
                op.method, op.template
            );
        }
        self.status_is(a, expected);
        let value = self.json_body(a)?;
        self.validate(a, &errors_schema(), &value);
        Some(value)
    }

    /// A 200 the document lists with no schema (`browse`, `raw`): the status only; the
    /// caller checks the shape.
    pub fn unschematized(&self, op: Op, a: &Answer, expected: u16) {
        assert!(
            matches!(
                dc_document().response(op.template, op.method, expected),
                Documented::NoBody
            ),
            "the test is wrong: {} {} gives {expected} a schema; use `documented`",
            op.method,
            op.template
        );
        self.status_is(a, expected);
    }

    /// A value checked against a named component schema (for bodies the document describes
    /// only in prose).
    pub fn against(&self, a: &Answer, component: &str, value: &Value) {
        assert!(
            dc_document().has_component(component),
            "no schema {component}"
        );
        self.validate(a, &Document::component(component), value);
    }

    pub async fn finish(self) {
        let failures = std::mem::take(&mut *self.failures.lock().unwrap());
        self.rs.shutdown().await;
        if !failures.is_empty() {
            panic!(
                "{} failure(s):\n  - {}",
                failures.len(),
                failures.join("\n  - ")
            );
        }
    }
}

/// Multipart form for `PUT …/browse/{path}`.
pub fn edit_form(fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    fields
        .iter()
        .fold(reqwest::multipart::Form::new(), |form, (k, v)| {
            form.text((*k).to_owned(), (*v).to_owned())
        })
}
