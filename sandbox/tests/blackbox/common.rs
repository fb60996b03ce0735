//! Helpers that play the browser (cookies by hand, no redirects followed) and
//! the studio's back end (Basic-authenticated token calls).

use reqwest::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use sandbox::{spawn, Consumer, RunningSandbox};
use serde_json::Value;

pub const KEY: &str = "studio-key";
pub const SECRET: &str = "studio-secret";
pub const CALLBACK: &str = "http://127.0.0.1:9/oauth/bitbucket/callback";

pub fn consumer() -> Consumer {
    Consumer {
        key: KEY.into(),
        secret: SECRET.into(),
        name: "Studio Test".into(),
        callback_url: CALLBACK.into(),
        scopes: vec!["account".into(), "repository:write".into()],
    }
}

pub async fn start() -> RunningSandbox {
    spawn(vec![consumer()], false)
        .await
        .expect("sandbox starts")
}

pub fn http() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn authorize_params(state: &str) -> Vec<(String, String)> {
    vec![
        ("client_id".into(), KEY.into()),
        ("response_type".into(), "code".into()),
        ("state".into(), state.into()),
    ]
}

pub fn query(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub use crate::support::location;

/// Query parameters of an absolute or path-absolute URL.
pub fn params_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::options()
        .base_url(Some(&url::Url::parse("http://base.invalid").unwrap()))
        .parse(location)
        .unwrap();
    url.query_pairs().into_owned().collect()
}

pub fn param(location: &str, name: &str) -> Option<String> {
    params_of(location)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

pub fn hidden_value(html: &str, name: &str) -> String {
    let needle = format!(r#"name="{name}" value=""#);
    let start = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + needle.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// Signs in through the sign-in form; returns the `Cookie` header value.
pub async fn sign_in(rs: &RunningSandbox, nickname: &str, params: &[(String, String)]) -> String {
    let mut form = vec![
        ("account".to_owned(), nickname.to_owned()),
        (
            "return_path".to_owned(),
            "/site/oauth2/authorize".to_owned(),
        ),
    ];
    form.extend_from_slice(params);
    let r = http()
        .post(format!("{}/site/oauth2/login", rs.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    cookie_from(&r)
}

pub fn cookie_from(r: &Response) -> String {
    let set = r
        .headers()
        .get(SET_COOKIE)
        .expect("Set-Cookie")
        .to_str()
        .unwrap();
    set.split(';').next().unwrap().to_owned()
}

pub async fn get_authorize(
    rs: &RunningSandbox,
    cookie: Option<&str>,
    params: &[(String, String)],
) -> Response {
    let mut req = http().get(format!(
        "{}/site/oauth2/authorize?{}",
        rs.url,
        query(params)
    ));
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req.send().await.unwrap()
}

/// Posts the consent form shown in `html` with `action`.
pub async fn decide(
    rs: &RunningSandbox,
    cookie: &str,
    html: &str,
    params: &[(String, String)],
    action: &str,
) -> Response {
    let mut form = vec![
        ("csrf_token".to_owned(), hidden_value(html, "csrf_token")),
        ("action".to_owned(), action.to_owned()),
    ];
    form.extend_from_slice(params);
    http()
        .post(format!("{}/site/oauth2/authorize", rs.url))
        .header(COOKIE, cookie)
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The whole browser leg: sign in as `nickname`, consent if asked, and return
/// the callback URL the sandbox redirected to.
pub async fn authorize(rs: &RunningSandbox, nickname: &str, params: &[(String, String)]) -> String {
    let cookie = sign_in(rs, nickname, params).await;
    let r = get_authorize(rs, Some(&cookie), params).await;
    if r.status() == StatusCode::FOUND {
        return location(&r);
    }
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let r = decide(rs, &cookie, &html, params, "grant").await;
    assert_eq!(r.status(), StatusCode::FOUND);
    location(&r)
}

pub async fn code_for(rs: &RunningSandbox, nickname: &str) -> String {
    let callback = authorize(rs, nickname, &authorize_params("s1")).await;
    param(&callback, "code").expect("a code")
}

pub async fn token_call(rs: &RunningSandbox, form: &[(&str, &str)]) -> Response {
    http()
        .post(rs.sandbox.token_url())
        .basic_auth(KEY, Some(SECRET))
        .form(form)
        .send()
        .await
        .unwrap()
}

pub async fn exchange(rs: &RunningSandbox, code: &str) -> Response {
    token_call(rs, &[("grant_type", "authorization_code"), ("code", code)]).await
}

pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

pub async fn tokens_for(rs: &RunningSandbox, nickname: &str) -> Tokens {
    let code = code_for(rs, nickname).await;
    let r = exchange(rs, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    Tokens {
        access: body["access_token"].as_str().unwrap().to_owned(),
        refresh: body["refresh_token"].as_str().unwrap().to_owned(),
    }
}

pub async fn api(rs: &RunningSandbox, token: &str, path: &str) -> Response {
    http()
        .get(format!("{}{path}", rs.sandbox.api_url()))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
}

pub async fn api_json(rs: &RunningSandbox, token: &str, path: &str) -> (StatusCode, Value) {
    let r = api(rs, token, path).await;
    let status = r.status();
    (status, r.json().await.unwrap())
}

pub async fn get_url(token: &str, url: &str) -> (StatusCode, Value) {
    let r = http()
        .get(url)
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

pub fn error_message(body: &Value) -> &str {
    assert_eq!(body["type"], "error", "{body}");
    body["error"]["message"].as_str().unwrap()
}
