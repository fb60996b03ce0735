//! Cross-cutting defences: cookie attributes, session fixation, CSRF, open redirects,
//! proxy path validation, headers. (The OAuth `state` cases are in oauth_flow.rs.)

use crate::helpers::{spawn_app, spawn_app_with, Browser, Engine, Options, REPOSITORY_STEP};
use api::{ApiError, ErrorCode};
use serde_json::json;

async fn the_session_cookie_is_host_only_secure_httponly_lax(engine: Engine) {
    let app = spawn_app(engine).await;
    let started = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(started.status(), 202);
    let token = crate::helpers::sign_up_token(&app.browser, "ada@example.com").await;
    let response = app
        .browser
        .post_json(api::paths::SIGN_UP_CONFIRM, &json!({ "token": token }))
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

/// Every way the callback can end, success or failure, redirects into the studio only: dot
/// segments that a browser would normalise into `//evil.example` are refused when the flow
/// starts, and a stored target is checked again at the end.
async fn failed_authorizations_cannot_leave_the_studio_either(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let denied = "/projects/new/advanced/bitbucket?oauth_error=access_denied";
    for payload in [
        "/.//evil.example",
        "/%2e//evil.example",
        "/%2E%2E//evil.example",
        "/..//evil.example",
        "/a/..//evil.example",
        "/./\\evil.example",
        "/\t/evil.example",
    ] {
        let callback = app
            .consent_returning_to(&app.browser, payload, "Alex Rivera", "Cancel")
            .await;
        let response = app.browser.get(&callback).await;
        assert_eq!(response.status(), 303);
        assert_eq!(Browser::location(&response), denied, "{payload}");
    }

    // A target so long that the error code would push it past the rule's limit still gets
    // the code, at the wizard's own step (the return_to fuzz target found this).
    let long = format!("/{}", "a".repeat(api::return_to::MAX_BYTES - 10));
    let callback = app
        .consent_returning_to(&app.browser, &long, "Alex Rivera", "Cancel")
        .await;
    let response = app.browser.get(&callback).await;
    assert_eq!(Browser::location(&response), denied);

    // A target stored by an older build (or written by anyone with the database) is checked
    // again when the flow ends.
    let callback = app.consent_as("Alex Rivera", "Cancel").await;
    app.sql("UPDATE oauth_transactions SET return_to = '/.//evil.example'")
        .await;
    let response = app.browser.get(&callback).await;
    assert_eq!(Browser::location(&response), denied);

    // Bitbucket unavailable during the exchange: the same rule on that failure's redirect.
    let callback = app
        .consent_returning_to(
            &app.browser,
            "/.//evil.example",
            "Alex Rivera",
            "Grant access",
        )
        .await;
    app.sandbox
        .sandbox
        .inject_fault(503, 1, "/site/oauth2/access_token");
    let response = app.browser.get(&callback).await;
    assert_eq!(
        Browser::location(&response),
        "/projects/new/advanced/bitbucket?oauth_error=provider_unavailable"
    );
}

/// Malformed requests get the studio's typed error JSON, never the framework's text/plain
/// with Rust type names.
async fn malformed_requests_get_typed_errors(engine: Engine) {
    use reqwest::Method;
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let project: api::Project = app
        .browser
        .post_json(
            api::paths::PROJECTS,
            &json!({"name": "Sales", "configuration": "quick_start"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let file = api::paths::pipeline_file(project.id);
    let deep = "[".repeat(50_000);
    let big_draft = format!("{{\"name\":\"{}\"}}", "x".repeat(70_000));
    let query = Method::from_bytes(b"QUERY").unwrap();
    let json = "application/json";
    #[rustfmt::skip]
    let cases: Vec<(Method, &str, &str, &str, u16, ErrorCode)> = vec![
        (Method::POST, api::paths::SIGN_IN, json, "[]", 422, ErrorCode::InvalidInput),
        (Method::POST, api::paths::SIGN_IN, json, "{\"email\":", 400, ErrorCode::BadRequest),
        (Method::POST, api::paths::SIGN_IN, json, "{\"email\":\"a@b.c\"}", 422, ErrorCode::InvalidInput),
        (Method::POST, api::paths::SIGN_IN, json, &deep, 400, ErrorCode::BadRequest),
        (Method::POST, api::paths::SIGN_IN, "text/plain", "{}", 403, ErrorCode::Forbidden),
        // serde would read a struct from an array of its fields; the contract says object.
        (Method::PUT, api::paths::PROJECT_DRAFT, json, "[null, null]", 422, ErrorCode::InvalidInput),
        (Method::POST, api::paths::PROJECTS, json, "{\"name\":\"x\",\"configuration\":\"advanced\",\"repository\":[\"w\",\"r\"]}", 422, ErrorCode::InvalidInput),
        (Method::GET, "/api/projects/not-a-number", json, "", 404, ErrorCode::NotFound),
        (Method::GET, "/api/projects/99999999999999999999999", json, "", 404, ErrorCode::NotFound),
        (Method::GET, &file, json, "", 400, ErrorCode::BadRequest),
        (Method::DELETE, "/api/no-such-route", json, "{}", 404, ErrorCode::NotFound),
        (Method::PUT, api::paths::PROJECT_DRAFT, json, &big_draft, 413, ErrorCode::BadRequest),
        // Methods no route takes get 405, not a "cross-site" refusal.
        (Method::PATCH, api::paths::ME, json, "{}", 405, ErrorCode::BadRequest),
        (Method::PUT, api::paths::ME, "text/plain", "x", 405, ErrorCode::BadRequest),
        (Method::TRACE, api::paths::ME, json, "", 405, ErrorCode::BadRequest),
        (query, api::paths::INFO, json, "", 405, ErrorCode::BadRequest),
    ];
    for (method, path, content_type, body, status, code) in cases {
        let request = app
            .browser
            .raw()
            .request(method.clone(), app.browser.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", content_type)
            .body(body.to_owned());
        let response = app.browser.send(request).await;
        let what = format!("{method} {path}");
        assert_eq!(response.status(), status, "{what}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(content_type, "application/json", "{what}");
        let text = response.text().await.unwrap();
        let error: ApiError =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: {text}"));
        assert_eq!(error.code, code, "{what}: {text}");
        for leak in ["struct", "Credentials", "i64", "invalid length", "expected"] {
            assert!(!text.contains(leak), "{what}: {text}");
        }
        if status == 400 && path == file {
            assert!(error.message.contains("path"), "{}", error.message);
        }
    }
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
    let body = json!({"name": "P", "configuration": "advanced", "repository": {"group": "acme-data", "slug": "../../user"}});
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
        // The sandbox's mailbox holds live sign-up links; it had no Cache-Control at all.
        "/_sandbox/mail",
        "/healthz",
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
        // Nothing written from the server's state is kept: caching is opt-in, for
        // content-hashed bundles only (`assets::*` tests).
        assert_eq!(headers["cache-control"], "no-store", "{path}");
    }
    assert_eq!(
        app.browser.get("/projects/new/advanced").await.status(),
        200,
        "deep links get the app shell"
    );
    assert_eq!(app.browser.get("/api/nope").await.status(), 404);
}

/// Behind https (`PUBLIC_URL`), browsers are told to use https only; on http they are not.
async fn https_studios_send_strict_transport_security(engine: Engine) {
    let https = crate::helpers::spawn_app_with(
        engine,
        crate::helpers::Options {
            public_url: Some("https://studio.example".into()),
            ..Default::default()
        },
    )
    .await;
    let response = https.browser.get("/healthz").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let http = spawn_app(engine).await;
    let response = http.browser.get("/healthz").await;
    assert!(!response.headers().contains_key("strict-transport-security"));
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

/// Behind a proxy that adds an `X-Forwarded-For` line of its own after the client's
/// (HAProxy's `option forwardfor`), the client's line names whatever it likes: it must not
/// decide which address the per-client limit counts. Reading only the first line let six
/// sign-ups through against a limit of three.
async fn a_forwarded_for_line_of_the_clients_own_does_not_choose_its_address(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            sign_up_limit_per_client: 3,
            client_ip_header: Some("x-forwarded-for".into()),
            ..Options::default()
        },
    )
    .await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let request = app
            .browser
            .raw()
            .post(app.browser.url(api::paths::SIGN_UP))
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .header("x-forwarded-for", "203.0.113.9")
            .json(&json!({"email": format!("user{i}@example.com"), "password": crate::helpers::PASSWORD}));
        statuses.push(app.browser.send(request).await.status().as_u16());
    }
    assert_eq!(statuses, [202, 202, 202, 429, 429, 429]);
}

crate::both_engines!(
    the_session_cookie_is_host_only_secure_httponly_lax,
    a_forwarded_for_line_of_the_clients_own_does_not_choose_its_address,
    signing_in_rotates_the_session_id,
    cross_site_writes_are_refused,
    return_to_cannot_leave_the_studio,
    failed_authorizations_cannot_leave_the_studio_either,
    malformed_requests_get_typed_errors,
    proxy_names_cannot_leave_the_bitbucket_api,
    every_response_carries_security_headers,
    oversized_bodies_are_refused,
    https_studios_send_strict_transport_security,
);
