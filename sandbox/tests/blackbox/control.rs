//! The control API, the gate (faults, latency, counters), mounting under a
//! prefix, and start-up cost.

use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, RETRY_AFTER};
use reqwest::StatusCode;
use sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

use crate::common::*;

async fn control(rs: &sandbox::RunningSandbox, path: &str, body: Value) -> StatusCode {
    http()
        .post(format!("{}/_control/{path}", rs.url))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn faults_answer_the_next_matching_calls_then_stop() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    assert_eq!(
        control(
            &rs,
            "faults",
            json!({ "status": 503, "count": 2, "path_prefix": "/2.0" })
        )
        .await,
        StatusCode::OK
    );
    for _ in 0..2 {
        let (status, body) = api_json(&rs, &t.access, "/user").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        error_message(&body);
    }
    assert_eq!(api(&rs, &t.access, "/user").await.status(), StatusCode::OK);

    control(
        &rs,
        "faults",
        json!({ "status": 429, "count": 1, "path_prefix": "/2.0/user" }),
    )
    .await;
    // A non-matching path is untouched.
    assert_eq!(
        api(&rs, &t.access, "/repositories/acme-data")
            .await
            .status(),
        StatusCode::OK
    );
    let r = api(&rs, &t.access, "/user/workspaces").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()[RETRY_AFTER], "1");
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        error_message(&body),
        "Rate limit for this resource has been exceeded"
    );

    // On the token endpoint the body is an OAuth error.
    control(
        &rs,
        "faults",
        json!({ "status": 500, "path_prefix": "/site/oauth2/access_token" }),
    )
    .await;
    let r = token_call(
        &rs,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &t.refresh),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "server_error");
    assert_eq!(rs.sandbox.stats().faults_injected, 4);

    assert_eq!(
        control(&rs, "faults", json!({ "status": 200 })).await,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn stats_count_calls_and_reset_returns_to_the_seed() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    token_call(
        &rs,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &t.refresh),
        ],
    )
    .await;
    api(&rs, &t.access, "/user").await;
    api(&rs, &t.access, "/user/workspaces").await;
    api(&rs, &t.access, "/user/workspaces").await;
    let stats: Value = http()
        .get(format!("{}/_control/stats", rs.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["token_requests"]["authorization_code"], 1);
    assert_eq!(stats["token_requests"]["refresh_token"], 1);
    assert_eq!(stats["api_requests"], 3);
    assert_eq!(
        stats["api_requests_by_endpoint"]["GET /2.0/user/workspaces"],
        2
    );
    assert_eq!(rs.sandbox.stats().api_requests, 3);

    // Reset: counters back to zero, and the tokens are gone with the grants.
    assert_eq!(control(&rs, "reset", json!({})).await, StatusCode::OK);
    assert_eq!(rs.sandbox.stats(), sandbox::Stats::default());
    assert_eq!(
        api(&rs, &t.access, "/user").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn control_revoke_and_advance_clock() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    assert_eq!(
        control(&rs, "advance-clock", json!({ "seconds": 7201 })).await,
        StatusCode::OK
    );
    let (_, body) = api_json(&rs, &t.access, "/user").await;
    assert!(error_message(&body).starts_with("Access token expired"));
    assert_eq!(
        control(
            &rs,
            "revoke",
            json!({ "nickname": "alex", "consumer": KEY })
        )
        .await,
        StatusCode::OK
    );
    let r = token_call(
        &rs,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &t.refresh),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn latency_delays_api_and_token_calls_only() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    assert_eq!(
        control(&rs, "latency", json!({ "ms": 60 })).await,
        StatusCode::OK
    );
    let started = Instant::now();
    api(&rs, &t.access, "/user").await;
    assert!(started.elapsed() >= Duration::from_millis(60));
    let started = Instant::now();
    http()
        .get(format!("{}/_control/stats", rs.url))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(60));
    rs.sandbox.set_latency(Duration::ZERO);
}

/// The server nests the router under `/_sandbox/bitbucket`: links, redirects
/// and cookies must carry the prefix.
#[tokio::test]
async fn works_nested_under_a_prefix() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let base_url = format!("{origin}/_sandbox/bitbucket");
    let sb = Sandbox::new(SandboxConfig {
        base_url: base_url.clone(),
        consumers: vec![consumer()],
        require_pkce: false,
    });
    let app = axum::Router::new().nest("/_sandbox/bitbucket", sb.router());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    assert_eq!(
        sb.authorize_url(),
        format!("{base_url}/site/oauth2/authorize")
    );

    let params = authorize_params("nested");
    let mut form = vec![
        ("account".to_owned(), "bigco".to_owned()),
        (
            "return_path".to_owned(),
            "/site/oauth2/authorize".to_owned(),
        ),
    ];
    form.extend(params.clone());
    let r = http()
        .post(format!("{base_url}/site/oauth2/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("Path=/_sandbox/bitbucket"),
        "{set_cookie}"
    );
    let loc = location(&r);
    assert!(
        loc.starts_with("/_sandbox/bitbucket/site/oauth2/authorize?"),
        "{loc}"
    );
    let cookie = cookie_from(&r);

    let html = http()
        .get(format!("{origin}{loc}"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"action="/_sandbox/bitbucket/site/oauth2/authorize""#));
    assert!(html.contains(r#"href="/_sandbox/bitbucket/_static/sandbox.css""#));
    let mut grant = vec![
        ("csrf_token".to_owned(), hidden_value(&html, "csrf_token")),
        ("action".to_owned(), "grant".to_owned()),
    ];
    grant.extend(params);
    let r = http()
        .post(sb.authorize_url())
        .header(COOKIE, &cookie)
        .form(&grant)
        .send()
        .await
        .unwrap();
    let code = param(&location(&r), "code").unwrap();
    let body: Value = http()
        .post(sb.token_url())
        .basic_auth(KEY, Some(SECRET))
        .form(&[("grant_type", "authorization_code"), ("code", &code)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = body["access_token"].as_str().unwrap();
    let (status, page) = get_url(access, &format!("{}/repositories/bigco-02", sb.api_url())).await;
    assert_eq!(status, StatusCode::OK);
    let next = page["next"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{base_url}/2.0/repositories/bigco-02?")),
        "{next}"
    );
    assert_eq!(get_url(access, next).await.0, StatusCode::OK);
    let repo_html = page["values"][0]["links"]["html"]["href"].as_str().unwrap();
    let r = http()
        .get(repo_html)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http()
        .get(format!("{base_url}/2.0/nothing/here/at/all"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        sb.stats().api_requests_by_endpoint["GET /2.0/repositories/{workspace}"],
        2
    );
}

#[test]
fn startup_is_cheap_and_big_workspaces_are_built_on_demand() {
    let started = Instant::now();
    let sb = Sandbox::new(SandboxConfig {
        base_url: "http://127.0.0.1:1".into(),
        consumers: vec![consumer()],
        require_pkce: false,
    });
    let elapsed = started.elapsed();
    eprintln!("Sandbox::new took {elapsed:?}");
    // The target is < 50 ms in release; leave room for a loaded debug run.
    assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
    drop(sb);
}

#[tokio::test]
async fn a_big_workspace_is_listed_quickly_even_on_first_touch() {
    let rs = start().await;
    let t = tokens_for(&rs, "bigco").await;
    let started = Instant::now();
    let (status, page) = api_json(
        &rs,
        &t.access,
        "/repositories/bigco-11?role=contributor&pagelen=100",
    )
    .await;
    let first = started.elapsed();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["size"], 500);
    let started = Instant::now();
    api_json(
        &rs,
        &t.access,
        "/repositories/bigco-11?role=contributor&pagelen=100&page=5",
    )
    .await;
    let second = started.elapsed();
    eprintln!("first page of a generated workspace: {first:?}; a later page: {second:?}");
    assert!(first < Duration::from_secs(2), "{first:?}");
}

/// `Sandbox::new` (the server's dev mode) keeps the control API shut.
#[tokio::test]
async fn the_control_api_is_404_unless_enabled() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let sb = Sandbox::new(SandboxConfig {
        base_url: base_url.clone(),
        consumers: vec![consumer()],
        require_pkce: false,
    });
    assert!(!sb.control_enabled());
    let app = sb.router();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let reset = || {
        http()
            .post(format!("{base_url}/_control/reset"))
            .json(&json!({}))
            .send()
    };
    assert_eq!(reset().await.unwrap().status(), StatusCode::NOT_FOUND);
    for path in ["stats", "faults"] {
        let r = http()
            .get(format!("{base_url}/_control/{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // The Rust methods work regardless.
    sb.set_latency(Duration::ZERO);
    sb.inject_fault(503, 0, "/2.0");
    sb.enable_control(true);
    assert_eq!(reset().await.unwrap().status(), StatusCode::OK);
    sb.enable_control(false);
    assert_eq!(reset().await.unwrap().status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_hang_fault_outlasts_the_client_then_gives_504() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    assert_eq!(
        control(
            &rs,
            "faults",
            json!({ "kind": "hang", "hang_ms": 2000, "path_prefix": "/2.0/user" })
        )
        .await,
        StatusCode::OK
    );
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = impatient
        .get(format!("{}/user", rs.sandbox.api_url()))
        .bearer_auth(&t.access)
        .send()
        .await
        .expect_err("the request hangs");
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_millis(1500));
    // Used up: the next call is normal.
    assert_eq!(api(&rs, &t.access, "/user").await.status(), StatusCode::OK);

    // A patient client gets a 504 once the hang ends.
    rs.sandbox.inject(sandbox::Fault {
        kind: sandbox::FaultKind::Hang(Duration::from_millis(100)),
        count: 1,
        path_prefix: "/2.0".into(),
        latency: Duration::ZERO,
    });
    let started = Instant::now();
    let (status, body) = api_json(&rs, &t.access, "/user").await;
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
    error_message(&body);

    // Reset releases a hung request at once.
    rs.sandbox.inject(sandbox::Fault {
        kind: sandbox::FaultKind::Hang(Duration::from_secs(60)),
        count: 1,
        path_prefix: "/2.0".into(),
        latency: Duration::ZERO,
    });
    let sb = rs.sandbox.clone();
    let access = t.access.clone();
    let url = format!("{}/user", sb.api_url());
    let hung = tokio::spawn(async move { http().get(url).bearer_auth(access).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    sb.reset();
    let r = hung.await.unwrap().unwrap();
    assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn malformed_json_and_per_fault_latency() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    assert_eq!(
        control(
            &rs,
            "faults",
            json!({ "kind": "malformed_json", "path_prefix": "/2.0/repositories" })
        )
        .await,
        StatusCode::OK
    );
    let r = api(&rs, &t.access, "/repositories/acme-data").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body = r.text().await.unwrap();
    assert!(body.starts_with('{'));
    assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
    assert_eq!(
        api(&rs, &t.access, "/repositories/acme-data")
            .await
            .status(),
        StatusCode::OK
    );

    control(
        &rs,
        "faults",
        json!({ "kind": "status", "status": 503, "latency_ms": 80, "path_prefix": "/2.0/user" }),
    )
    .await;
    let started = Instant::now();
    assert_eq!(
        api(&rs, &t.access, "/user").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(started.elapsed() >= Duration::from_millis(80));
    assert_eq!(
        control(&rs, "faults", json!({ "kind": "explode" })).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        control(&rs, "faults", json!({ "kind": "status" })).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(rs.sandbox.stats().faults_injected, 2);
}

#[tokio::test]
async fn a_control_commit_moves_the_branch_as_a_push_would() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let tip = |body: &Value| body["target"]["hash"].as_str().unwrap().to_owned();
    let branch = "/repositories/alex-rivera/sandbox-pipelines/refs/branches/main";
    let before = tip(&api_json(&rs, &t.access, branch).await.1);

    let answer: Value = http()
        .post(format!("{}/_control/commit", rs.url))
        .json(&json!({
            "nickname": "alex",
            "workspace": "alex-rivera",
            "repository": "sandbox-pipelines",
            "message": "Pushed from a laptop",
            "files": { "hello.orch.yaml": "type: orchestration\n" },
            "delete": ["transform/demo.tran.yaml"],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let after = tip(&api_json(&rs, &t.access, branch).await.1);
    assert_ne!(after, before);
    assert_eq!(answer["hash"], json!(after));
    let file = api(
        &rs,
        &t.access,
        &format!("/repositories/alex-rivera/sandbox-pipelines/src/{after}/hello.orch.yaml"),
    )
    .await;
    assert_eq!(file.text().await.unwrap(), "type: orchestration\n");
    let (status, _) = api_json(
        &rs,
        &t.access,
        &format!(
            "/repositories/alex-rivera/sandbox-pipelines/src/{after}/transform/demo.tran.yaml"
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The same rules as the API: no write access, no commit.
    let refused = http()
        .post(format!("{}/_control/commit", rs.url))
        .json(&json!({
            "nickname": "sam",
            "workspace": "alex-rivera",
            "repository": "sandbox-pipelines",
            "files": { "x.txt": "x" },
        }))
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error());
}
