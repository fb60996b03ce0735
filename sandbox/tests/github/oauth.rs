//! The web flow ("Generating a user access token for a GitHub App", "Refreshing user access
//! tokens", "Troubleshooting authorization request errors"): sign-in, consent, codes,
//! PKCE, every 200-with-error answer, refresh rotation, expiry, revocation.

use std::time::Duration;

use reqwest::StatusCode;
use sandbox::github::spawn;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn consent_then_code_then_tokens_and_the_code_is_single_use() {
    let rs = spawn(apps()).await.unwrap();
    let (back, mut browser) = authorize(&rs.url, "alex").await;
    assert!(back.starts_with(CALLBACK), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some("st-1"));
    let code = param(&back, "code").unwrap();
    let body = exchange(&rs, &code).await;
    assert!(
        body["access_token"].as_str().unwrap().starts_with("ghu_"),
        "{body}"
    );
    assert!(body["refresh_token"].as_str().unwrap().starts_with("ghr_"));
    assert_eq!(body["expires_in"], 28800);
    assert_eq!(body["refresh_token_expires_in"], 15811200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["scope"], "");
    let again = exchange(&rs, &code).await;
    assert_eq!(again["error"], "bad_verification_code", "{again}");
    assert!(again["error_uri"].as_str().is_some());
    // Authorized already: straight back with a code, no consent page.
    let r = browser.get(&authorize_url(&rs.url, &[])).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert!(param(&location(&r), "code").is_some());
    rs.shutdown().await;
}

#[tokio::test]
async fn form_answers_unless_json_is_accepted() {
    let rs = spawn(apps()).await.unwrap();
    let (back, _) = authorize(&rs.url, "sam").await;
    let r = http()
        .post(rs.sandbox.token_url())
        .form(&[
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code", &param(&back, "code").unwrap()),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains("access_token=ghu_") && text.contains("token_type=bearer"),
        "{text}"
    );
    rs.shutdown().await;
}

#[tokio::test]
async fn every_refusal_is_a_200_with_an_error() {
    let rs = spawn(apps()).await.unwrap();
    let (back, _) = authorize(&rs.url, "alex").await;
    let code = param(&back, "code").unwrap();
    let bad_secret = token_call(
        &rs,
        &[
            ("client_id", CLIENT),
            ("client_secret", "nope"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(bad_secret["error"], "incorrect_client_credentials");
    let grant = token_call(
        &rs,
        &[
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("grant_type", "password"),
        ],
    )
    .await;
    assert_eq!(grant["error"], "unsupported_grant_type");
    let mismatch = token_call(
        &rs,
        &[
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(mismatch["error"], "redirect_uri_mismatch");
    let refresh = token_call(
        &rs,
        &[
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", "ghr_nope"),
        ],
    )
    .await;
    assert_eq!(refresh["error"], "bad_refresh_token");
    for body in [&bad_secret, &grant, &mismatch, &refresh] {
        assert!(
            body["error_description"].is_string() && body["error_uri"].is_string(),
            "{body}"
        );
    }
    // PKCE: a code issued with a challenge needs its verifier.
    let (back, _) = authorize(&rs.url, "alex").await;
    let code = param(&back, "code").unwrap();
    let wrong = token_call(
        &rs,
        &[
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code", &code),
            ("code_verifier", "x".repeat(43).as_str()),
        ],
    )
    .await;
    assert_eq!(wrong["error"], "bad_verification_code");
    assert!(rs.sandbox.stats().token_requests.refused >= 5);
    rs.shutdown().await;
}

#[tokio::test]
async fn authorize_errors_follow_the_troubleshooting_page() {
    let rs = spawn(apps()).await.unwrap();
    let unknown = http()
        .get(format!("{}/login/oauth/authorize?client_id=nope", rs.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unknown.status(),
        StatusCode::NOT_FOUND,
        "no redirect for an unknown app"
    );
    let r = http()
        .get(authorize_url(&rs.url, &[]).replace("oauth%2Fgithub%2Fcallback", "evil"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let to = location(&r);
    assert!(to.starts_with(CALLBACK), "to the registered callback: {to}");
    assert_eq!(
        param(&to, "error").as_deref(),
        Some("redirect_uri_mismatch")
    );
    assert_eq!(param(&to, "state").as_deref(), Some("st-1"));
    // Cancel on the consent page.
    let mut b = Browser::default();
    let html = b
        .get(&authorize_url(&rs.url, &[("login", "newbie")]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"value="newbie""#),
        "login pre-fills the username"
    );
    let next = b.sign_in(&rs.url, &html, "newbie").await;
    let consent = b.get(&next).await.text().await.unwrap();
    let start = consent
        .find("href=\"http://127.0.0.1:9")
        .expect("a Cancel link");
    let href = html_escape::decode_html_entities(
        &consent[start + 6..][..consent[start + 6..].find('"').unwrap()],
    )
    .into_owned();
    assert_eq!(param(&href, "error").as_deref(), Some("access_denied"));
    assert!(param(&href, "error_uri").is_some() && param(&href, "state").is_some());
    rs.shutdown().await;
}

#[tokio::test]
async fn refresh_rotates_once_and_tokens_expire_by_the_clock() {
    let gh = Gh::start().await;
    let rs = &gh.rs;
    let (access, refresh) = tokens(rs, "sam").await;
    let form = |r: &str| {
        vec![
            ("client_id", CLIENT.to_owned()),
            ("client_secret", SECRET.to_owned()),
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", r.to_owned()),
        ]
    };
    let call = |f: Vec<(&'static str, String)>| async move {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        token_call(rs, &pairs).await
    };
    let fresh = call(form(&refresh)).await;
    let new_refresh = fresh["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, refresh);
    assert_eq!(
        call(form(&refresh)).await["error"],
        "bad_refresh_token",
        "single use"
    );
    assert_eq!(rs.sandbox.stats().token_requests.rotated_refresh_reused, 1);
    assert_eq!(
        gh.get(&access, "/user").await.status,
        StatusCode::UNAUTHORIZED,
        "the old access token died with it"
    );
    let new_access = fresh["access_token"].as_str().unwrap().to_owned();
    let me = gh.get(&new_access, "/user").await;
    assert_eq!(gh.check("GET", "/user", &me, 200)["login"], "sam");
    rs.sandbox.advance_clock(Duration::from_secs(8 * 3600));
    let expired = gh.get(&new_access, "/user").await;
    assert_eq!(
        gh.check("GET", "/user", &expired, 401)["message"],
        "Bad credentials"
    );
    assert!(
        call(form(&new_refresh)).await["access_token"].is_string(),
        "the refresh token outlives it"
    );
    gh.finish().await;
}

#[tokio::test]
async fn revoking_on_the_page_and_through_the_grant_endpoint_kills_every_token() {
    let gh = Gh::start().await;
    let (back, mut browser) = authorize(&gh.rs.url, "sam").await;
    let body = exchange(&gh.rs, &param(&back, "code").unwrap()).await;
    let (access, refresh) = (
        body["access_token"].as_str().unwrap(),
        body["refresh_token"].as_str().unwrap(),
    );
    let page = browser
        .get(&gh.rs.sandbox.authorized_apps_url())
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Authorized GitHub Apps") && page.contains("Revoke"),
        "{page}"
    );
    let form = hidden_fields(&page, "/settings/apps/authorizations/revoke");
    let r = browser
        .post(
            &format!("{}/settings/apps/authorizations/revoke", gh.rs.url),
            &form,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let after = gh.get(access, "/user").await;
    gh.check("GET", "/user", &after, 401);
    let again = token_call(
        &gh.rs,
        &[
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_eq!(again["error"], "bad_refresh_token");
    // The app deletes alex's grant.
    let grant_url = format!("{}/applications/{CLIENT}/grant", gh.api());
    let bad = gh
        .send(
            None,
            http()
                .delete(&grant_url)
                .basic_auth(CLIENT, Some("nope"))
                .json(&json!({"access_token": gh.alex})),
        )
        .await;
    gh.check("DELETE", "/applications/{client_id}/grant", &bad, 404);
    let unknown = gh
        .send(
            None,
            http()
                .delete(&grant_url)
                .basic_auth(CLIENT, Some(SECRET))
                .json(&json!({"access_token": "ghu_nope"})),
        )
        .await;
    gh.check("DELETE", "/applications/{client_id}/grant", &unknown, 422);
    let ok = gh
        .send(
            None,
            http()
                .delete(&grant_url)
                .basic_auth(CLIENT, Some(SECRET))
                .json(&json!({"access_token": gh.alex})),
        )
        .await;
    gh.check("DELETE", "/applications/{client_id}/grant", &ok, 204);
    let dead = gh.get(&gh.alex, "/user/installations").await;
    gh.check("GET", "/user/installations", &dead, 401);
    gh.finish().await;
}
