//! A PostgreSQL restart under the server: requests during the outage get a clear 503 with
//! `Retry-After` (never a 500, never a half-written row), `/readyz` says not ready while
//! `/healthz` stays up, and the server recovers by itself when the database is back. The test
//! stops and starts a PostgreSQL server of its own, never the machine's shared one.

use std::time::{Duration, Instant};

use api::{ErrorCode, Project};
use serde_json::json;

use crate::helpers::own_postgres::OwnPostgres;
use crate::helpers::{spawn_app_with, Engine, Options, TestApp};

async fn create(app: &TestApp, name: &str) -> reqwest::Response {
    app.browser
        .post_json(
            api::paths::PROJECTS,
            &json!({"name": name, "configuration": "quick_start"}),
        )
        .await
}

async fn status_of(app: &TestApp, path: &str) -> u16 {
    app.browser.get(path).await.status().as_u16()
}

#[tokio::test]
async fn a_database_restart_is_a_503_and_the_server_recovers_by_itself() {
    let postgres = OwnPostgres::start();
    let app = spawn_app_with(
        Engine::Postgres,
        Options {
            database_url: Some(postgres.url()),
            ..Options::default()
        },
    )
    .await;
    app.sign_up("ada@example.com").await;
    assert_eq!(create(&app, "Before").await.status(), 201);
    assert_eq!(status_of(&app, "/readyz").await, 200);

    postgres.stop();
    let listed = app.browser.get(api::paths::PROJECTS).await;
    assert_eq!(listed.status(), 503);
    assert!(listed.headers().contains_key("retry-after"));
    let error: api::ApiError = listed.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::Unavailable);
    let during = create(&app, "During").await;
    assert_eq!(
        during.status(),
        503,
        "a write during the outage is refused, not half-done"
    );
    assert_eq!(status_of(&app, "/readyz").await, 503);
    assert_eq!(
        status_of(&app, "/healthz").await,
        200,
        "the process itself is fine"
    );

    postgres.start_again();
    let back = Instant::now();
    let projects: Vec<Project> = loop {
        let response = app.browser.get(api::paths::PROJECTS).await;
        if response.status() == 200 {
            break response.json().await.unwrap();
        }
        assert!(
            back.elapsed() < Duration::from_secs(20),
            "the server did not recover: {}",
            response.status()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Before"]);
    assert_eq!(status_of(&app, "/readyz").await, 200);
    assert_eq!(create(&app, "After").await.status(), 201);
}
