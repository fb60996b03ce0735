//! Faults, latency, request ids, and the control API over HTTP.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sandbox::{Fault, FaultKind};
use serde_json::{json, Value};

use crate::common::*;

const REPOS: Op = op("GET", "/api/latest/repos");

async fn control(dc: &Dc, path: &str, body: Value) -> Value {
    let r = http()
        .post(format!("{}/_control/{path}", dc.rs.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn faults_answer_dc_errors_before_the_handler_runs() {
    let dc = Dc::start().await;
    dc.rs
        .sandbox
        .inject(Fault::status(503, 1, "/rest/api/latest/repos"));
    let a = dc.get(Some(&dc.alex), "/api/latest/repos").await;
    dc.undocumented(REPOS, &a, 503);
    assert_eq!(a.header("retry-after"), Some("1"));
    // One use only.
    let a = dc.get(Some(&dc.alex), "/api/latest/repos").await;
    dc.documented(REPOS, &a, 200);

    // `$` matches one path exactly: the save, not the reads below it.
    let save = "/rest/api/latest/projects/DATA/repos/pipelines/browse/new.txt";
    control(
        &dc,
        "faults",
        json!({"status": 500, "count": 2, "path_prefix": format!("{save}$")}),
    )
    .await;
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/pipelines/browse/new.txt/x",
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "not faulted");
    let a = dc
        .send(
            Some(&dc.alex),
            http()
                .put(format!("{}{}", dc.rs.url, save))
                .multipart(edit_form(&[("content", "x"), ("branch", "main")])),
        )
        .await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(a.json().unwrap()["errors"][0]["message"].is_string());
    assert!(
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", "new.txt")
            .is_none(),
        "a faulted save has no effect"
    );

    // The token endpoint fails in OAuth's words.
    dc.rs
        .sandbox
        .inject(Fault::status(503, 1, "/rest/oauth2/latest/token"));
    let c = code(&dc.rs.url, "alex", WRITE).await;
    let r = exchange(&dc.rs.sandbox.token_url(), &c).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    // The page and the code were not touched by the fault: the code still works.
    assert_eq!(
        exchange(&dc.rs.sandbox.token_url(), &c).await.status(),
        StatusCode::OK
    );

    // Malformed JSON.
    control(
        &dc,
        "faults",
        json!({"kind": "malformed_json", "path_prefix": "/rest/api/"}),
    )
    .await;
    let a = dc.get(Some(&dc.alex), "/api/latest/repos").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.json().is_none());
    let stats: Value = http()
        .get(format!("{}/_control/stats", dc.rs.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["faults_injected"], 4);
    // A bad fault body is refused.
    let r = http()
        .post(format!("{}/_control/faults", dc.rs.url))
        .json(&json!({"status": 200}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    dc.finish().await;
}

#[tokio::test]
async fn a_hang_is_released_by_reset_and_latency_delays_rest_and_token_calls() {
    let dc = Dc::start().await;
    dc.rs.sandbox.inject(Fault {
        kind: FaultKind::Hang(Duration::from_secs(30)),
        count: 1,
        path_prefix: "/rest/api/latest/application-properties".into(),
        latency: Duration::ZERO,
    });
    let url = format!("{}/api/latest/application-properties", dc.rest());
    let hung = tokio::spawn(async move { http().get(url).send().await.unwrap().status() });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    control(&dc, "reset", json!({})).await;
    assert_eq!(hung.await.unwrap(), StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() < Duration::from_secs(5));

    control(&dc, "latency", json!({"ms": 300})).await;
    let alex = dc.token("alex", WRITE).await;
    let started = Instant::now();
    let a = dc.get(Some(&alex), "/api/latest/repos").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Pages and the control API are not delayed.
    let started = Instant::now();
    let r = http()
        .get(authorize_url(&dc.rs.url, WRITE, "s"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(300));
    dc.rs.sandbox.set_latency(Duration::ZERO);
    dc.finish().await;
}

#[tokio::test]
async fn the_control_api_counts_commits_revokes_and_resets() {
    let dc = Dc::start().await;
    let r = http()
        .delete(format!("{}/_control/stats", dc.rs.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let a = dc
        .send(
            Some(&dc.alex),
            http()
                .get(format!(
                    "{}/api/latest/projects/DATA/repos/pipelines/browse/README.md",
                    dc.rest()
                ))
                .header("x-request-id", "req-42"),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let stats = dc.rs.sandbox.stats();
    assert_eq!(stats.api_requests, 1);
    assert_eq!(
        stats.api_requests_by_endpoint
            ["GET /api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}"],
        1
    );
    assert_eq!(stats.request_ids, ["req-42"]);

    let made = control(&dc, "commit", json!({"project": "DATA", "repository": "pipelines", "branch": "main", "path": "notes.txt", "content": "hi\n"})).await;
    let id = made["commit"].as_str().unwrap();
    assert_eq!(id.len(), 40);
    assert_eq!(
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", "notes.txt")
            .as_deref(),
        Some("hi\n")
    );
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("/api/latest/projects/DATA/repos/pipelines/commits/{id}"),
        )
        .await;
    assert_eq!(a.json().unwrap()["author"]["name"], "Jordan Lee");
    control(&dc, "commit", json!({"project": "DATA", "repository": "pipelines", "branch": "main", "path": "notes.txt", "content": null})).await;
    assert!(dc
        .rs
        .sandbox
        .file_on_branch("DATA", "pipelines", "main", "notes.txt")
        .is_none());
    let refused = http()
        .post(format!("{}/_control/commit", dc.rs.url))
        .json(&json!({"project": "DATA", "repository": "nope", "branch": "main", "path": "x", "content": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);

    control(&dc, "revoke", json!({"user": "alex", "client_id": CLIENT})).await;
    let a = dc
        .get(Some(&dc.alex), "/api/latest/projects/DATA/repos/pipelines")
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    control(&dc, "rotation", json!({"enabled": false})).await;
    control(&dc, "advance-clock", json!({"seconds": 10})).await;
    control(&dc, "reset", json!({})).await;
    assert!(dc.rs.sandbox.secrets_issued_to("alex").is_empty());
    assert_eq!(dc.rs.sandbox.stats(), Default::default());
    // Unknown REST paths are DC's 404 body; unknown pages a 404 page.
    let a = dc.get(None, "/api/latest/nothing-here").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.json().unwrap()["errors"][0]["message"].is_string());
    let r = http()
        .get(format!("{}/nothing", dc.rs.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    dc.finish().await;
}
