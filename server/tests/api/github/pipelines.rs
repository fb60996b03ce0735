//! A project on GitHub: pipelines listed, read, saved and deleted through the Git data API,
//! never over a change made elsewhere.

use api::{ApiError, ErrorCode, PipelineFile, PipelineList, Project};
use reqwest::Method;
use serde_json::{json, Value};

use super::GH;
use crate::helpers::{Engine, TestApp};

const PATH: &str = "pipelines/orders.orch.yaml";
const EDITED: &str = "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Begin:\n      type: \"start\"\n";
const SEEDED: &str = "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Start:\n      type: \"start\"\n";

fn commit_elsewhere(app: &TestApp, path: &str, content: Option<&str>) {
    app.github
        .sandbox
        .commit_elsewhere("acme-data", "pipelines", "main", path, content)
        .expect("the sandbox commits");
}

async fn project(app: &TestApp) -> Project {
    commit_elsewhere(app, PATH, Some(SEEDED));
    let body = json!({"name": "Orders", "configuration": "advanced",
        "repository": {"provider": "github", "group": "acme-data", "slug": "pipelines"}});
    let response = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let response = app.browser.get(api::paths::PROJECTS).await;
    let projects: Vec<Project> = response.json().await.unwrap();
    projects.into_iter().next().unwrap()
}

async fn read(app: &TestApp, id: i64, path: &str) -> PipelineFile {
    let response = app
        .browser
        .get(&api::paths::pipeline_file_at(id, path))
        .await;
    assert_eq!(response.status(), 200, "reading {path}");
    response.json().await.unwrap()
}

async fn save(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.browser
        .fetch_json(Method::PUT, &api::paths::pipeline_file(id), &body)
        .await
}

async fn pipelines_are_listed_read_saved_and_deleted_in_the_repository(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let project = project(&app).await;
    let repository = project.repository.clone().unwrap();
    assert_eq!(repository.provider, GH);
    assert_eq!(repository.full_name, "acme-data/pipelines");
    let list: PipelineList = app
        .browser
        .get(&api::paths::pipelines(project.id))
        .await
        .json()
        .await
        .unwrap();
    let paths: Vec<&str> = list.pipelines.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&PATH), "{paths:?}");
    let opened = read(&app, project.id, PATH).await;
    assert_eq!(opened.content, SEEDED);
    let saved = save(&app, project.id, json!({"path": PATH, "content": EDITED, "message": "Edit orders", "base_revision": opened.revision})).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    assert_eq!(
        app.github
            .sandbox
            .file_on_branch("acme-data", "pipelines", "main", PATH)
            .as_deref(),
        Some(EDITED.as_bytes())
    );
    // Through the Git data API, the branch moved without force.
    let calls = app.github.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls.get("PATCH /repos/{owner}/{repo}/git/refs/{ref}"),
        Some(&1),
        "{calls:?}"
    );

    let new = "pipelines/new.orch.yaml";
    let created = save(
        &app,
        project.id,
        json!({"path": new, "content": EDITED, "message": "New"}),
    )
    .await;
    assert_eq!(created.status(), 200, "{}", created.text().await.unwrap());
    let head = read(&app, project.id, new).await;
    let deleted = app
        .browser
        .fetch_json(
            Method::DELETE,
            &api::paths::pipeline_file(project.id),
            &json!({"path": new, "message": "", "base_revision": head.revision}),
        )
        .await;
    assert!(
        deleted.status().is_success(),
        "{}",
        deleted.text().await.unwrap()
    );
    assert!(app
        .github
        .sandbox
        .file_on_branch("acme-data", "pipelines", "main", new)
        .is_none());
}

async fn a_change_made_elsewhere_is_never_overwritten(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let id = project(&app).await.id;
    let opened = read(&app, id, PATH).await;
    let theirs = EDITED.replace("Begin", "Kickoff");
    commit_elsewhere(&app, PATH, Some(&theirs));
    let refused = save(&app, id, json!({"path": PATH, "content": EDITED, "message": "mine", "base_revision": opened.revision})).await;
    assert_eq!(refused.status(), 409);
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::PipelineChanged);
    assert_eq!(read(&app, id, PATH).await.content, theirs);
    // A colleague's change to another file does not stand in the way.
    let opened = read(&app, id, PATH).await;
    commit_elsewhere(&app, "README.md", Some("# changed\n"));
    let saved = save(&app, id, json!({"path": PATH, "content": EDITED, "message": "mine", "base_revision": opened.revision})).await;
    assert_eq!(saved.status(), 200);
    assert_eq!(read(&app, id, PATH).await.content, EDITED);
    assert_eq!(
        app.github
            .sandbox
            .file_on_branch("acme-data", "pipelines", "main", "README.md")
            .as_deref(),
        Some(&b"# changed\n"[..]),
        "their file is kept"
    );
    let bad = save(
        &app,
        id,
        json!({"path": PATH, "content": EDITED, "message": "x", "base_revision": "heads/main"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
}

crate::both_engines!(
    pipelines_are_listed_read_saved_and_deleted_in_the_repository,
    a_change_made_elsewhere_is_never_overwritten,
);
