//! The browser leg of the flow: authorize, sign in, consent, redirects.

use reqwest::header::{CACHE_CONTROL, COOKIE, LOCATION};
use reqwest::StatusCode;

use crate::common::*;

#[tokio::test]
async fn authorize_without_account_shows_the_sign_in_page() {
    let rs = start().await;
    let r = get_authorize(&rs, None, &authorize_params("abc")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("<title>"));
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(html.contains("Log in to Bitbucket (sandbox)"));
    for name in ["Alex Rivera", "Sam Chen", "Nora Quinn", "Big Co Engineer"] {
        assert!(
            html.contains(&format!(">Sign in as {name}</button>")),
            "{name}"
        );
    }
    assert_eq!(hidden_value(&html, "state"), "abc");
    assert_eq!(hidden_value(&html, "client_id"), KEY);
    assert!(!html.contains("<script"));
}

#[tokio::test]
async fn login_sets_the_cookie_and_returns_to_authorize() {
    let rs = start().await;
    let params = authorize_params("xyz");
    let mut form = vec![
        ("account".to_owned(), "alex".to_owned()),
        (
            "return_path".to_owned(),
            "/site/oauth2/authorize".to_owned(),
        ),
    ];
    form.extend(params.clone());
    let r = http()
        .post(format!("{}/site/oauth2/login", rs.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("bb_sandbox_account=alex"));
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert!(set_cookie.contains("Path=/"));
    let loc = location(&r);
    assert!(loc.starts_with("/site/oauth2/authorize?"), "{loc}");
    assert_eq!(param(&loc, "state").as_deref(), Some("xyz"));
    assert_eq!(param(&loc, "client_id").as_deref(), Some(KEY));
}

#[tokio::test]
async fn consent_page_names_consumer_account_and_scopes() {
    let rs = start().await;
    let params = authorize_params("s");
    let cookie = sign_in(&rs, "alex", &params).await;
    let r = get_authorize(&rs, Some(&cookie), &params).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(html.contains("<h1>Studio Test is requesting access</h1>"));
    assert!(html.contains("Signed in as <strong>Alex Rivera</strong>"));
    assert!(html.contains(">Switch account</button>"));
    assert!(html.contains("<li>Read your account information</li>"));
    assert!(html.contains("<li>Read and modify your repositories</li>"));
    assert!(html.contains(">Grant access</button>"));
    assert!(html.contains(">Cancel</button>"));
    assert!(!hidden_value(&html, "csrf_token").is_empty());
}

#[tokio::test]
async fn grant_redirects_with_code_and_state_then_later_authorizes_skip_consent() {
    let rs = start().await;
    let callback = authorize(&rs, "alex", &authorize_params("first")).await;
    assert!(callback.starts_with(CALLBACK), "{callback}");
    assert_eq!(param(&callback, "state").as_deref(), Some("first"));
    let code = param(&callback, "code").unwrap();
    assert!(code.len() >= 22, "at least 128 bits");

    // Already granted: straight back to the callback, as Bitbucket does.
    let params = authorize_params("second");
    let cookie = sign_in(&rs, "alex", &params).await;
    let r = get_authorize(&rs, Some(&cookie), &params).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = location(&r);
    assert_eq!(param(&loc, "state").as_deref(), Some("second"));
    assert_ne!(param(&loc, "code").unwrap(), code);

    // Another account still has to consent.
    let cookie = sign_in(&rs, "sam", &params).await;
    assert_eq!(
        get_authorize(&rs, Some(&cookie), &params).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn state_is_omitted_when_none_was_sent() {
    let rs = start().await;
    let params = vec![
        ("client_id".to_owned(), KEY.to_owned()),
        ("response_type".to_owned(), "code".to_owned()),
    ];
    let callback = authorize(&rs, "alex", &params).await;
    assert!(param(&callback, "code").is_some());
    assert!(param(&callback, "state").is_none());
}

#[tokio::test]
async fn cancel_redirects_with_access_denied() {
    let rs = start().await;
    let params = authorize_params("st");
    let cookie = sign_in(&rs, "alex", &params).await;
    let html = get_authorize(&rs, Some(&cookie), &params)
        .await
        .text()
        .await
        .unwrap();
    let r = decide(&rs, &cookie, &html, &params, "cancel").await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = location(&r);
    assert!(loc.starts_with(CALLBACK));
    assert_eq!(param(&loc, "error").as_deref(), Some("access_denied"));
    assert!(param(&loc, "error_description").is_some());
    assert_eq!(param(&loc, "state").as_deref(), Some("st"));
    assert!(param(&loc, "code").is_none());
}

#[tokio::test]
async fn consent_form_needs_a_fresh_ticket_for_the_same_account() {
    let rs = start().await;
    let params = authorize_params("st");
    let cookie = sign_in(&rs, "alex", &params).await;
    let html = get_authorize(&rs, Some(&cookie), &params)
        .await
        .text()
        .await
        .unwrap();

    // Forged ticket.
    let forged = html.replace(&hidden_value(&html, "csrf_token"), "forged");
    assert_eq!(
        decide(&rs, &cookie, &forged, &params, "grant")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    // Right ticket, other account.
    let sam = sign_in(&rs, "sam", &params).await;
    let html = get_authorize(&rs, Some(&cookie), &params)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        decide(&rs, &sam, &html, &params, "grant").await.status(),
        StatusCode::BAD_REQUEST
    );
    // Right ticket, tampered parameters.
    let html = get_authorize(&rs, Some(&cookie), &params)
        .await
        .text()
        .await
        .unwrap();
    let tampered = authorize_params("other-state");
    assert_eq!(
        decide(&rs, &cookie, &html, &tampered, "grant")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    // A ticket works once.
    let html = get_authorize(&rs, Some(&cookie), &params)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        decide(&rs, &cookie, &html, &params, "grant").await.status(),
        StatusCode::FOUND
    );
    assert_eq!(
        decide(&rs, &cookie, &html, &params, "grant").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn invalid_redirect_uri_shows_a_page_and_never_redirects() {
    let rs = start().await;
    for bad in [
        "http://evil.example/oauth/bitbucket/callback",
        "http://127.0.0.1:9/oauth/bitbucket/callbackx",
        "http://127.0.0.1:9/oauth/bitbucket/callback/../../../evil",
    ] {
        let mut params = authorize_params("s");
        params.push(("redirect_uri".into(), bad.into()));
        let r = get_authorize(&rs, None, &params).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.headers().get(LOCATION).is_none());
        assert!(r.text().await.unwrap().contains("Invalid redirect_uri"));
    }
    // Extending the callback by path is allowed, and lands there.
    let mut params = authorize_params("s");
    let extended = format!("{CALLBACK}/more");
    params.push(("redirect_uri".into(), extended.clone()));
    let callback = authorize(&rs, "alex", &params).await;
    assert!(callback.starts_with(&extended), "{callback}");
}

#[tokio::test]
async fn bad_client_or_response_type_is_an_error_page() {
    let rs = start().await;
    let mut params = authorize_params("s");
    params[0].1 = "nobody".into();
    let r = get_authorize(&rs, None, &params).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get(LOCATION).is_none());

    let mut params = authorize_params("s");
    params[1].1 = "token".into();
    let r = get_authorize(&rs, None, &params).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get(LOCATION).is_none());
}

#[tokio::test]
async fn require_pkce_refuses_authorize_without_a_challenge() {
    let rs = sandbox::spawn(vec![consumer()], true).await.unwrap();
    let r = get_authorize(&rs, None, &authorize_params("s")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("code_challenge"));

    let mut params = authorize_params("s");
    params.push((
        "code_challenge".into(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
    ));
    params.push(("code_challenge_method".into(), "S256".into()));
    assert_eq!(
        get_authorize(&rs, None, &params).await.status(),
        StatusCode::OK
    );

    params.pop();
    params.push(("code_challenge_method".into(), "plain".into()));
    assert_eq!(
        get_authorize(&rs, None, &params).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn switch_account_clears_the_cookie_and_returns_to_sign_in() {
    let rs = start().await;
    let params = authorize_params("s");
    let mut form = vec![(
        "return_path".to_owned(),
        "/site/oauth2/authorize".to_owned(),
    )];
    form.extend(params.clone());
    let cookie = sign_in(&rs, "alex", &params).await;
    let r = http()
        .post(format!("{}/site/oauth2/logout", rs.url))
        .header(COOKIE, cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        set_cookie.starts_with("bb_sandbox_account=;"),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("Max-Age=0"), "{set_cookie}");
    let html = get_authorize(&rs, None, &params)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Log in to Bitbucket (sandbox)"));
}

#[tokio::test]
async fn page_output_is_escaped() {
    let rs = start().await;
    let params = authorize_params(r#""><script>alert(1)</script>"#);
    let html = get_authorize(&rs, None, &params)
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn login_refuses_foreign_return_paths() {
    let rs = start().await;
    for bad in ["//evil.example/", "https://evil.example/", "/a/b/c"] {
        let r = http()
            .post(format!("{}/site/oauth2/login", rs.url))
            .form(&[("account", "alex"), ("return_path", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn app_authorizations_lists_and_revokes() {
    let rs = start().await;
    let tokens = tokens_for(&rs, "alex").await;
    let page = rs.sandbox.app_authorizations_url();

    // Signed out: the sign-in page, returning here.
    let html = http()
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Log in to Bitbucket (sandbox)"));
    assert_eq!(
        hidden_value(&html, "return_path"),
        "/account/settings/app-authorizations/"
    );

    let cookie = sign_in(&rs, "alex", &[]).await;
    let html = http()
        .get(&page)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Studio Test"));
    assert!(html.contains(">Revoke</button>"));
    let r = http()
        .post(format!("{page}revoke"))
        .header(COOKIE, &cookie)
        .form(&[
            ("csrf_token", hidden_value(&html, "csrf_token")),
            ("consumer", KEY.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = http()
        .get(&page)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("You have not authorized any apps."));
    assert_eq!(
        api(&rs, &tokens.access, "/user").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn repository_html_link_lands_on_a_page() {
    let rs = start().await;
    let tokens = tokens_for(&rs, "alex").await;
    let (_, repo) = api_json(
        &rs,
        &tokens.access,
        "/repositories/acme-data/warehouse-pipelines",
    )
    .await;
    let html_url = repo["links"]["html"]["href"].as_str().unwrap().to_owned();
    assert_eq!(
        html_url,
        format!("{}/acme-data/warehouse-pipelines", rs.url)
    );
    let cookie = sign_in(&rs, "alex", &[]).await;
    let r = http()
        .get(&html_url)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("warehouse-pipelines"));
    assert!(html.contains("develop"));
    // Nora cannot see it.
    let nora = sign_in(&rs, "nora", &[]).await;
    let r = http()
        .get(&html_url)
        .header(COOKIE, &nora)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Avatars resolve.
    let (_, me) = api_json(&rs, &tokens.access, "/user").await;
    let avatar = me["links"]["avatar"]["href"].as_str().unwrap();
    let r = http().get(avatar).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
}
