//! The back-end leg: the token endpoint, refresh, expiry, revocation.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::CACHE_CONTROL;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::*;

async fn oauth_error(r: reqwest::Response) -> (StatusCode, String, String) {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap().to_owned(),
        body["error_description"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn exchange_with_basic_auth_returns_bitbuckets_shape() {
    let rs = start().await;
    let code = code_for(&rs, "alex").await;
    let r = exchange(&rs, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let body: Value = r.json().await.unwrap();
    // Since 4 May 2026: `scope`, not `scopes`.
    assert_eq!(body["scope"], "account repository:write");
    assert_eq!(body["scopes"], Value::Null);
    assert_eq!(body["expires_in"], 7200);
    assert_eq!(body["token_type"], "bearer");
    let access = body["access_token"].as_str().unwrap();
    assert!(access.len() > 2500, "tokens can exceed 2,500 characters");
    assert!(!body["refresh_token"].as_str().unwrap().is_empty());
    let (status, me) = api_json(&rs, access, "/user").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["nickname"], "alex");
}

#[tokio::test]
async fn client_credentials_in_the_form_work_and_bad_ones_do_not() {
    let rs = start().await;
    let code = code_for(&rs, "alex").await;
    let r = http()
        .post(rs.sandbox.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", KEY),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let r = http()
        .post(rs.sandbox.token_url())
        .basic_auth(KEY, Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert!(r.headers().contains_key("www-authenticate"));
    assert_eq!(oauth_error(r).await.0, StatusCode::UNAUTHORIZED);

    let r = http()
        .post(rs.sandbox.token_url())
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    let (status, error, _) = oauth_error(r).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
}

#[tokio::test]
async fn a_json_body_is_an_unsupported_grant_type_none() {
    let rs = start().await;
    let code = code_for(&rs, "alex").await;
    let r = http()
        .post(rs.sandbox.token_url())
        .basic_auth(KEY, Some(SECRET))
        .json(&serde_json::json!({ "grant_type": "authorization_code", "code": code }))
        .send()
        .await
        .unwrap();
    let (status, error, description) = oauth_error(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error, "invalid_grant");
    assert_eq!(description, "Unsupported grant type: None");
}

#[tokio::test]
async fn unknown_grant_type_is_unsupported() {
    let rs = start().await;
    let r = token_call(&rs, &[("grant_type", "password"), ("username", "a")]).await;
    let (status, error, _) = oauth_error(r).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "unsupported_grant_type")
    );
}

#[tokio::test]
async fn a_reused_code_fails_and_kills_the_tokens_it_issued() {
    let rs = start().await;
    let code = code_for(&rs, "alex").await;
    let first: Value = exchange(&rs, &code).await.json().await.unwrap();
    let access = first["access_token"].as_str().unwrap();
    let refresh = first["refresh_token"].as_str().unwrap();
    assert_eq!(api(&rs, access, "/user").await.status(), StatusCode::OK);

    let (status, error, _) = oauth_error(exchange(&rs, &code).await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert_eq!(
        api(&rs, access, "/user").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = token_call(
        &rs,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");
}

#[tokio::test]
async fn unknown_and_expired_codes_are_invalid_grant() {
    let rs = start().await;
    let (status, error, _) = oauth_error(exchange(&rs, "nope").await).await;
    assert_eq!(
        (status, error.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    let code = code_for(&rs, "alex").await;
    rs.sandbox.advance_clock(Duration::from_secs(301));
    assert_eq!(
        oauth_error(exchange(&rs, &code).await).await.1,
        "invalid_grant"
    );
}

#[tokio::test]
async fn redirect_uri_at_token_time_must_match_authorize() {
    let rs = start().await;
    let mut params = authorize_params("s");
    params.push(("redirect_uri".into(), CALLBACK.into()));
    let code = param(&authorize(&rs, "alex", &params).await, "code").unwrap();
    let r = token_call(
        &rs,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant", "omitted");

    let code = param(&authorize(&rs, "alex", &params).await, "code").unwrap();
    let other = format!("{CALLBACK}/x");
    let r = token_call(
        &rs,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &other),
        ],
    )
    .await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant", "different");

    let code = param(&authorize(&rs, "alex", &params).await, "code").unwrap();
    let r = token_call(
        &rs,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
}

fn pkce_pair() -> (String, String) {
    let verifier = "a-verifier-that-is-long-enough-to-satisfy-rfc7636-yes".to_owned();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

async fn pkce_code(rs: &sandbox::RunningSandbox, challenge: &str) -> String {
    let mut params = authorize_params("s");
    params.push(("code_challenge".into(), challenge.into()));
    params.push(("code_challenge_method".into(), "S256".into()));
    param(&authorize(rs, "alex", &params).await, "code").unwrap()
}

#[tokio::test]
async fn pkce_is_verified_when_a_challenge_was_sent() {
    let rs = sandbox::spawn(vec![consumer()], true).await.unwrap();
    let (verifier, challenge) = pkce_pair();

    let code = pkce_code(&rs, &challenge).await;
    let r = token_call(
        &rs,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);

    let code = pkce_code(&rs, &challenge).await;
    let wrong = format!("{verifier}x");
    let r = token_call(
        &rs,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", &wrong),
        ],
    )
    .await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant", "wrong verifier");

    let code = pkce_code(&rs, &challenge).await;
    let r = exchange(&rs, &code).await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant", "missing verifier");
}

#[tokio::test]
async fn a_verifier_without_a_challenge_is_refused() {
    let rs = start().await;
    let code = code_for(&rs, "alex").await;
    let (verifier, _) = pkce_pair();
    let r = token_call(
        &rs,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");
}

#[tokio::test]
async fn refresh_issues_a_working_access_token() {
    let rs = start().await;
    let tokens = tokens_for(&rs, "alex").await;
    let r = token_call(
        &rs,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    assert_ne!(access, tokens.access);
    let rotated = body["refresh_token"].as_str().unwrap();
    assert_ne!(
        rotated,
        tokens.refresh.as_str(),
        "every refresh rotates the refresh token, as on bitbucket.org since May 2026"
    );
    assert!(rotated.len() > 2500, "refresh tokens are long too");
    assert_eq!(body["scope"], "account repository:write");
    assert_eq!(api(&rs, access, "/user").await.status(), StatusCode::OK);

    let r = token_call(
        &rs,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "unknown"),
        ],
    )
    .await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");
}

#[tokio::test]
async fn expiry_via_the_clock_gives_bitbuckets_401_and_refresh_recovers() {
    let rs = start().await;
    let tokens = tokens_for(&rs, "alex").await;
    rs.sandbox.advance_clock(Duration::from_secs(7201));
    let (status, body) = api_json(&rs, &tokens.access, "/user").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_message(&body),
        "Access token expired. Use your refresh token to obtain a new access token."
    );
    let r = token_call(
        &rs,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh),
        ],
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        api(&rs, body["access_token"].as_str().unwrap(), "/user")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn revoke_kills_access_and_refresh_and_brings_consent_back() {
    let rs = start().await;
    let tokens = tokens_for(&rs, "alex").await;
    rs.sandbox.revoke("alex", KEY);
    let (status, body) = api_json(&rs, &tokens.access, "/user").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!error_message(&body).starts_with("Access token expired"));
    let r = token_call(
        &rs,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &tokens.refresh),
        ],
    )
    .await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");
    // The grant is gone too: the next authorize asks again.
    let params = authorize_params("s");
    let cookie = sign_in(&rs, "alex", &params).await;
    assert_eq!(
        get_authorize(&rs, Some(&cookie), &params).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn rotation_issues_new_refresh_tokens_and_retires_old_ones() {
    let rs = start().await;
    let r = http()
        .post(format!("{}/_control/rotation", rs.url))
        .json(&serde_json::json!({ "enabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let tokens = tokens_for(&rs, "alex").await;
    let refresh = |t: String| {
        let rs = &rs;
        async move {
            token_call(
                rs,
                &[("grant_type", "refresh_token"), ("refresh_token", &t)],
            )
            .await
        }
    };
    let body: Value = refresh(tokens.refresh.clone()).await.json().await.unwrap();
    let second = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, tokens.refresh);
    // The old one survives a retry inside ten minutes…
    rs.sandbox.advance_clock(Duration::from_secs(300));
    assert_eq!(
        refresh(tokens.refresh.clone()).await.status(),
        StatusCode::OK
    );
    // …and is dead after.
    rs.sandbox.advance_clock(Duration::from_secs(301));
    assert_eq!(
        oauth_error(refresh(tokens.refresh.clone()).await).await.1,
        "invalid_grant"
    );
    assert_eq!(refresh(second).await.status(), StatusCode::OK);
}
