//! Cross-cutting defences: cookie attributes, session fixation, CSRF, open redirects,
//! proxy path validation, headers. (The OAuth `state` cases are in oauth_flow.rs.)

use crate::helpers::{spawn_app, Browser, Engine, REPOSITORY_STEP};
use api::{ApiError, ErrorCode};
use serde_json::json;

async fn the_session_cookie_is_host_only_secure_httponly_lax(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-studio_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing in {cookie}"
        );
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
}

async fn signing_in_rotates_the_session_id(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let before = app.browser.cookie(server::session::COOKIE_NAME).unwrap();
    // Signing in on a browser that already holds a valid session id must not keep that id:
    // whoever planted or observed it would share the signed-in session.
    let response = app
        .browser
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let after = app.browser.cookie(server::session::COOKIE_NAME).unwrap();
    assert_ne!(after, before, "a new session id at sign-in");

    let old = Browser::new(&app.url);
    old.set_cookie(server::session::COOKIE_NAME, &before);
    assert_eq!(
        old.get(api::paths::ME).await.status(),
        401,
        "the old id is dead"
    );
}

async fn cross_site_writes_are_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let body = json!({"name": "P", "configuration": "quick_start"});
    let attempts = [
        app.browser
            .raw()
            .post(app.browser.url(api::paths::PROJECTS))
            .header("sec-fetch-site", "cross-site")
            .json(&body),
        app.browser
            .raw()
            .post(app.browser.url(api::paths::PROJECTS))
            .header("origin", "https://evil.example")
            .json(&body),
        app.browser
            .raw()
            .post(app.browser.url(api::paths::PROJECTS))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "text/plain")
            .body(body.to_string()),
        app.browser
            .raw()
            .post(app.browser.url(api::paths::PROJECTS))
            .form(&[("name", "P"), ("configuration", "quick_start")]),
    ];
    let disconnect = app.browser.url(api::paths::BITBUCKET_CONNECTION);
    let attempts = attempts.into_iter().chain([
        app.browser
            .raw()
            .delete(&disconnect)
            .header("sec-fetch-site", "cross-site")
            .json(&json!({})),
        app.browser
            .raw()
            .delete(&disconnect)
            .header("sec-fetch-site", "same-origin"),
        app.browser
            .raw()
            .post(app.browser.url(api::paths::SIGN_OUT))
            .header("sec-fetch-site", "same-site")
            .json(&json!({})),
    ]);
    for attempt in attempts {
        let response = app.browser.send(attempt).await;
        assert_eq!(response.status(), 403);
        assert_eq!(
            response.json::<ApiError>().await.unwrap().code,
            ErrorCode::Forbidden
        );
    }
    let list: Vec<api::Project> = app
        .browser
        .get(api::paths::PROJECTS)
        .await
        .json()
        .await
        .unwrap();
    assert!(list.is_empty(), "nothing was created");
    assert_eq!(
        app.browser.get(api::paths::ME).await.status(),
        200,
        "still signed in"
    );
}

async fn return_to_cannot_leave_the_studio(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    app.authorize_as("Alex Rivera", "Grant access").await;
    for payload in [
        "//evil.example",
        "/%5Cevil.example",
        "https:evil.example",
        "%2F%2Fevil.example",
        "/\\evil.example",
    ] {
        let start = format!(
            "{}?return_to={}",
            api::paths::BITBUCKET_OAUTH_START,
            api::paths::encode_query_value(payload)
        );
        let to_bitbucket = app.browser.get(&start).await;
        let authorize = app.browser.get(&Browser::location(&to_bitbucket)).await;
        let callback = app.browser.get(&Browser::location(&authorize)).await;
        assert_eq!(
            Browser::location(&callback),
            "/projects/new/advanced/bitbucket",
            "{payload}"
        );
    }
    // A valid one is kept.
    let start = format!(
        "{}?return_to={REPOSITORY_STEP}",
        api::paths::BITBUCKET_OAUTH_START
    );
    let authorize = app
        .browser
        .get(&Browser::location(&app.browser.get(&start).await))
        .await;
    assert_eq!(
        Browser::location(&app.browser.get(&Browser::location(&authorize)).await),
        REPOSITORY_STEP
    );
}

async fn proxy_names_cannot_leave_the_bitbucket_api(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    app.authorize_as("Alex Rivera", "Grant access").await;
    let before = app.sandbox.sandbox.stats().api_requests;
    for workspace in [
        "..",
        "a%2F..%2F..%2Fuser",
        "https:%2F%2Fevil.example",
        "%2E%2E",
        "a%5Cb",
    ] {
        let response = app
            .browser
            .get(&format!(
                "/api/bitbucket/workspaces/{workspace}/repositories"
            ))
            .await;
        assert!(
            matches!(response.status().as_u16(), 404 | 422),
            "{workspace}: {}",
            response.status()
        );
    }
    let body = json!({"name": "P", "configuration": "advanced", "repository": {"workspace": "acme-data", "slug": "../../user"}});
    assert_eq!(
        app.browser
            .post_json(api::paths::PROJECTS, &body)
            .await
            .status(),
        422
    );
    assert_eq!(
        app.sandbox.sandbox.stats().api_requests,
        before,
        "no request reached Bitbucket"
    );
}

async fn every_response_carries_security_headers(engine: Engine) {
    let app = spawn_app(engine).await;
    for path in [
        "/",
        "/projects/new",
        api::paths::INFO,
        api::paths::ME,
        "/api/nope",
        api::paths::BITBUCKET_OAUTH_START,
        api::paths::BITBUCKET_OAUTH_CALLBACK,
    ] {
        let response = app.browser.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("'wasm-unsafe-eval'")
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        if path.starts_with("/api") || path.starts_with("/oauth") {
            assert_eq!(headers["cache-control"], "no-store", "{path}");
        }
    }
    assert_eq!(
        app.browser.get("/projects/new/advanced").await.status(),
        200,
        "deep links get the app shell"
    );
    assert_eq!(app.browser.get("/api/nope").await.status(), 404);
}

async fn oversized_bodies_are_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let body = json!({"name": "x".repeat(100 * 1024), "configuration": "quick_start"});
    assert_eq!(
        app.browser
            .post_json(api::paths::PROJECTS, &body)
            .await
            .status(),
        413
    );
}

crate::both_engines!(
    the_session_cookie_is_host_only_secure_httponly_lax,
    signing_in_rotates_the_session_id,
    cross_site_writes_are_refused,
    return_to_cannot_leave_the_studio,
    proxy_names_cannot_leave_the_bitbucket_api,
    every_response_carries_security_headers,
    oversized_bodies_are_refused,
);
