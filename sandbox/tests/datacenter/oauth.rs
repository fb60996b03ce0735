//! The authorize pages: sign-in, consent, their CSRF tickets, strict validation, and a
//! sandbox mounted under a path prefix.

use reqwest::StatusCode;
use sandbox::datacenter::{spawn, DataCenter, DataCenterConfig, PASSWORD};

use crate::common::*;

fn set_cookie<'a>(browser: &'a Browser, name: &str) -> &'a str {
    browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no Set-Cookie for {name}: {:?}", browser.set_cookies))
}

#[tokio::test]
async fn signing_in_and_allowing_sends_a_code_and_the_state_back() {
    let rs = spawn(clients()).await.unwrap();
    let base = rs.url.clone();
    let mut browser = Browser::default();
    let page = browser
        .get(&authorize_url(&base, "REPO_WRITE", "st-1"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    for needle in [
        r#"<label for="username">Username</label>"#,
        r#"<label for="password">Password</label>"#,
        ">Log in</button>",
        "<code>alex</code>",
        "<code>bigdc</code>",
        &format!("<code>{PASSWORD}</code>"),
    ] {
        assert!(html.contains(needle), "{needle} in:\n{html}");
    }
    let cookie = set_cookie(&browser, "bb_dc_sandbox_browser");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );

    let wrong = sign_in(&mut browser, &base, &html, "alex", "not-it").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Incorrect username or password."), "{html}");
    assert!(!browser.cookies.contains_key("BITBUCKETSESSIONID"));

    let signed = sign_in(&mut browser, &base, &html, "Alex", PASSWORD).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&browser, "BITBUCKETSESSIONID");
    assert!(
        session.contains("HttpOnly") && session.contains("Path=/"),
        "{session}"
    );
    let consent = browser.get(&absolute(&base, &location(&signed))).await;
    assert_eq!(consent.status(), StatusCode::OK);
    let html = consent.text().await.unwrap();
    for needle in [
        "Pipeline Studio (studio) wants to access your Bitbucket account",
        "Logged in as <strong>Alex Rivera</strong> (alex)",
        "<strong>REPO_WRITE</strong>",
        "Create branches and commit changes",
        r#"name="decision" value="allow" class="primary">Allow</button>"#,
        r#"name="decision" value="deny">Deny</button>"#,
        ">Switch user</button>",
        "127.0.0.1:9",
    ] {
        assert!(html.contains(needle), "{needle} in:\n{html}");
    }
    let mut form = hidden_fields(&html, "/rest/oauth2/latest/authorize");
    form.push(("decision".into(), "allow".into()));
    let back = browser
        .post(&format!("{base}/rest/oauth2/latest/authorize"), &form)
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let back = location(&back);
    assert!(back.starts_with(REDIRECT), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some("st-1"));
    assert!(param(&back, "code").is_some());
    // The page was opened twice (sign-in, then consent).
    assert_eq!(rs.sandbox.stats().authorize_requests, 2);
    rs.shutdown().await;
}

#[tokio::test]
async fn deny_sends_access_denied_and_the_state() {
    let rs = spawn(clients()).await.unwrap();
    let back = through_pages(&rs.url, "sam", "REPO_READ", "deny").await;
    assert!(back.starts_with(REDIRECT), "{back}");
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state").as_deref(), Some("st-1"));
    assert!(param(&back, "code").is_none());
    rs.shutdown().await;
}

#[tokio::test]
async fn untrusted_clients_and_redirects_get_a_page_never_a_redirect() {
    let rs = spawn(clients()).await.unwrap();
    let good = authorize_url(&rs.url, WRITE, "s");
    let cases = [
        good.replace("client_id=studio", "client_id=unknown"),
        good.replace("client_id=studio&", ""),
        good.replace(&enc(REDIRECT), &enc("http://127.0.0.1:9/evil")),
        good.replace(&format!("redirect_uri={}&", enc(REDIRECT)), ""),
        format!("{good}&state=again"),
    ];
    for url in cases {
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(r.headers().get("location").is_none(), "{url}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    rs.shutdown().await;
}

#[tokio::test]
async fn bad_requests_go_back_to_the_client_with_an_error_and_the_state() {
    let rs = spawn(clients()).await.unwrap();
    let good = authorize_url(&rs.url, WRITE, "s-9");
    let challenge_pair = format!("code_challenge={}&", challenge(VERIFIER));
    let cases = [
        (good.replace("response_type=code&", ""), "invalid_request"),
        (
            good.replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (good.replace(&challenge_pair, ""), "invalid_request"),
        (
            good.replace("code_challenge_method=S256", "code_challenge_method=plain"),
            "invalid_request",
        ),
        (
            good.replace("&code_challenge_method=S256", ""),
            "invalid_request",
        ),
        (
            good.replace(&challenge_pair, "code_challenge=short&"),
            "invalid_request",
        ),
        (good.replace("scope=REPO_WRITE&", ""), "invalid_scope"),
        (
            good.replace("scope=REPO_WRITE", "scope=REPO_WRITE+BOGUS"),
            "invalid_scope",
        ),
        (
            good.replace("scope=REPO_WRITE", "scope=repo_write"),
            "invalid_scope",
        ),
    ];
    for (url, error) in cases {
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{url}");
        let back = location(&r);
        assert!(back.starts_with(REDIRECT), "{back}");
        assert_eq!(param(&back, "error").as_deref(), Some(error), "{url}");
        assert_eq!(param(&back, "state").as_deref(), Some("s-9"), "{url}");
    }
    rs.shutdown().await;
}

/// Opens the consent page as `user` and answers (browser, page HTML).
async fn consent_page(base: &str, user: &str) -> (Browser, String) {
    let mut browser = Browser::default();
    let page = browser.get(&authorize_url(base, WRITE, "c")).await;
    let html = page.text().await.unwrap();
    let signed = sign_in(&mut browser, base, &html, user, PASSWORD).await;
    let consent = browser.get(&absolute(base, &location(&signed))).await;
    assert_eq!(consent.status(), StatusCode::OK);
    let html = consent.text().await.unwrap();
    (browser, html)
}

#[tokio::test]
async fn the_forms_are_protected_against_forgery_and_replay() {
    let rs = spawn(clients()).await.unwrap();
    let base = rs.url.clone();
    let action = format!("{base}/rest/oauth2/latest/authorize");
    let (mut alex, html) = consent_page(&base, "alex").await;
    let mut form = hidden_fields(&html, "/rest/oauth2/latest/authorize");
    form.push(("decision".into(), "allow".into()));

    // No ticket, a made-up one, or altered parameters: refused, nothing issued.
    let without: Vec<_> = form
        .iter()
        .filter(|(k, _)| k != "atl_token")
        .cloned()
        .collect();
    assert_eq!(
        alex.post(&action, &without).await.status(),
        StatusCode::BAD_REQUEST
    );
    let mut forged = without.clone();
    forged.push(("atl_token".into(), "made-up".into()));
    assert_eq!(
        alex.post(&action, &forged).await.status(),
        StatusCode::BAD_REQUEST
    );

    // Another user's browser cannot submit alex's page.
    let (mut sam, _) = consent_page(&base, "sam").await;
    assert_eq!(
        sam.post(&action, &form).await.status(),
        StatusCode::BAD_REQUEST
    );
    // That try used the ticket up: alex's own submission is now refused too.
    assert_eq!(
        alex.post(&action, &form).await.status(),
        StatusCode::BAD_REQUEST
    );

    // A fresh page, with its scope widened in the form: refused.
    let (mut alex, html) = consent_page(&base, "alex").await;
    let mut widened = hidden_fields(&html, "/rest/oauth2/latest/authorize");
    for (k, v) in widened.iter_mut() {
        if k == "scope" {
            *v = "REPO_ADMIN".into();
        }
    }
    widened.push(("decision".into(), "allow".into()));
    assert_eq!(
        alex.post(&action, &widened).await.status(),
        StatusCode::BAD_REQUEST
    );

    // A sign-in form posted from another browser (no pre-session cookie): refused.
    let page = Browser::default()
        .get(&authorize_url(&base, WRITE, "x"))
        .await;
    let html = page.text().await.unwrap();
    let mut stranger = Browser::default();
    let r = sign_in(&mut stranger, &base, &html, "alex", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!stranger.cookies.contains_key("BITBUCKETSESSIONID"));

    // A sign-in that would return anywhere but the authorize page: refused.
    let mut browser = Browser::default();
    let page = browser.get(&authorize_url(&base, WRITE, "x")).await;
    let html = page.text().await.unwrap();
    let mut form = hidden_fields(&html, "/login");
    for (k, v) in form.iter_mut() {
        if k == "next" {
            *v = "//evil.example/".into();
        }
    }
    form.push(("username".into(), "alex".into()));
    form.push(("password".into(), PASSWORD.into()));
    assert_eq!(
        browser.post(&format!("{base}/login"), &form).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert!(
        rs.sandbox.secrets_issued_to("alex").is_empty(),
        "no code was issued"
    );
    rs.shutdown().await;
}

#[tokio::test]
async fn consent_is_asked_every_time_and_switch_user_signs_out() {
    let rs = spawn(clients()).await.unwrap();
    let base = rs.url.clone();
    let (mut browser, html) = consent_page(&base, "alex").await;
    let mut form = hidden_fields(&html, "/rest/oauth2/latest/authorize");
    form.push(("decision".into(), "allow".into()));
    let r = browser
        .post(&format!("{base}/rest/oauth2/latest/authorize"), &form)
        .await;
    assert!(param(&location(&r), "code").is_some());
    // The same client, the same scopes: DC asks again, and so does the sandbox.
    let again = browser.get(&authorize_url(&base, WRITE, "c2")).await;
    assert_eq!(again.status(), StatusCode::OK);
    let html = again.text().await.unwrap();
    assert!(html.contains(">Allow</button>"), "{html}");

    let form = hidden_fields(&html, "/logout");
    let out = browser.post(&format!("{base}/logout"), &form).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let login = location(&out);
    assert!(login.starts_with("/login?next="), "{login}");
    assert!(!browser.cookies.contains_key("BITBUCKETSESSIONID"));
    let page = browser.get(&absolute(&base, &login)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let signed = sign_in(&mut browser, &base, &html, "sam", PASSWORD).await;
    let consent = browser.get(&absolute(&base, &location(&signed))).await;
    let html = consent.text().await.unwrap();
    assert!(
        html.contains("Logged in as <strong>Sam Chen</strong>"),
        "{html}"
    );
    rs.shutdown().await;
}

#[tokio::test]
async fn under_a_path_prefix_cookies_forms_and_redirects_keep_the_prefix() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let base = format!("{origin}/_sandbox/bitbucket-dc");
    let dc = DataCenter::new(DataCenterConfig {
        base_url: format!("{base}/"),
        clients: clients(),
    });
    assert_eq!(dc.base_url(), base);
    assert_eq!(dc.rest_url(), format!("{base}/rest"));
    assert_eq!(
        dc.authorize_url(),
        format!("{base}/rest/oauth2/latest/authorize")
    );
    assert_eq!(dc.token_url(), format!("{base}/rest/oauth2/latest/token"));
    let app = axum::Router::new().nest("/_sandbox/bitbucket-dc", dc.router());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let mut browser = Browser::default();
    let page = browser.get(&authorize_url(&base, WRITE, "p")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"action="/_sandbox/bitbucket-dc/login""#),
        "{html}"
    );
    assert!(html.contains(r#"href="/_sandbox/bitbucket-dc/_static/sandbox.css""#));
    assert!(set_cookie(&browser, "bb_dc_sandbox_browser").contains("Path=/_sandbox/bitbucket-dc"));
    let signed = sign_in(&mut browser, &base, &html, "alex", PASSWORD).await;
    let next = location(&signed);
    assert!(
        next.starts_with("/_sandbox/bitbucket-dc/rest/oauth2/latest/authorize?"),
        "{next}"
    );
    assert!(set_cookie(&browser, "BITBUCKETSESSIONID").contains("Path=/_sandbox/bitbucket-dc"));
    let consent = browser.get(&absolute(&origin, &next)).await;
    let html = consent.text().await.unwrap();
    let mut form = hidden_fields(&html, "/_sandbox/bitbucket-dc/rest/oauth2/latest/authorize");
    form.push(("decision".into(), "allow".into()));
    let back = browser.post(&dc.authorize_url(), &form).await;
    let code = param(&location(&back), "code").expect("a code");
    let r = exchange(&dc.token_url(), &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    let token: serde_json::Value = r.json().await.unwrap();
    let repos = http()
        .get(format!(
            "{}/api/latest/repos?projectkey=DATA",
            dc.rest_url()
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(repos.status(), StatusCode::OK);
    let body: serde_json::Value = repos.json().await.unwrap();
    let pipelines = body["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == "pipelines")
        .expect("pipelines is listed");
    // `links` is write-only in the document: the answer never holds it, mounted or not.
    assert!(pipelines.get("links").is_none());
    // The key does not depend on the mount; the control API is off for `new`.
    assert_eq!(
        dc.stats().api_requests_by_endpoint["GET /api/latest/repos"],
        1
    );
    let control = http()
        .get(format!("{base}/_control/stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(control.status(), StatusCode::NOT_FOUND);
    server.abort();
}

#[tokio::test]
async fn authorized_applications_lists_the_grant_and_revoke_ends_it() {
    let rs = spawn(clients()).await.unwrap();
    let base = rs.url.clone();
    let (access, _) = tokens(&rs, "alex", WRITE).await;
    let repos = format!("{base}/rest/api/latest/repos?permission=REPO_WRITE");
    let works = http()
        .get(&repos)
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(works.status(), StatusCode::OK);

    // Signed out, the page asks for sign-in first, then comes back to itself.
    let mut browser = Browser::default();
    let page = browser.get(&format!("{base}/account")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(">Log in</button>"), "{html}");
    let signed = sign_in(&mut browser, &base, &html, "alex", PASSWORD).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed), "/account");
    let page = browser.get(&format!("{base}/account")).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Authorized applications</h1>"), "{html}");
    assert!(html.contains("Pipeline Studio (studio)"), "{html}");
    assert!(
        !html.contains("Pipeline Studio (other-app)"),
        "only what alex allowed: {html}"
    );

    let form = hidden_fields(&html, "/account/revoke");
    assert!(
        form.iter().any(|(k, v)| k == "client" && v == CLIENT),
        "{form:?}"
    );
    let revoked = browser.post(&format!("{base}/account/revoke"), &form).await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&revoked), "/account");
    // The token is dead, the page lists nothing, and the used form does not work again.
    let refused = http()
        .get(&repos)
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let html = browser
        .get(&format!("{base}/account"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("No application has access"), "{html}");
    let replayed = browser.post(&format!("{base}/account/revoke"), &form).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);

    // Another browser (no session) cannot use someone's form.
    let (_, _) = tokens(&rs, "alex", WRITE).await;
    let html = browser
        .get(&format!("{base}/account"))
        .await
        .text()
        .await
        .unwrap();
    let form = hidden_fields(&html, "/account/revoke");
    let stranger = Browser::default()
        .post(&format!("{base}/account/revoke"), &form)
        .await;
    assert_eq!(stranger.status(), StatusCode::BAD_REQUEST);
    rs.shutdown().await;
}
