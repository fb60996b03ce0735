//! A project on Data Center: its pipelines listed, read and saved through the user's own
//! token with `sourceCommitId`, never over a change made elsewhere.

use api::{ApiError, ErrorCode, PipelineFile, PipelineList, Project};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp};

const PATH: &str = "pipelines/orders.orch.yaml";
const EDITED: &str = "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Begin:\n      type: \"start\"\n";

/// The pipeline every test starts from, committed first (whatever else the seed holds).
const SEEDED: &str = "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Start:\n      type: \"start\"\n";

async fn project(app: &TestApp) -> Project {
    app.datacenter_commit("pipelines", PATH, Some(SEEDED)).await;
    let body = json!({"name": "Orders", "configuration": "advanced",
        "repository": {"provider": "bitbucket_data_center", "group": "DATA", "slug": "pipelines"}});
    let response = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
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

async fn error_of(response: reqwest::Response, status: u16) -> ApiError {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

async fn pipelines_are_listed_read_and_saved_in_the_repository(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    let project = project(&app).await;
    let repository = project.repository.clone().unwrap();
    assert_eq!(repository.provider, api::GitProvider::BitbucketDataCenter);
    assert_eq!(repository.full_name, "DATA/pipelines");
    assert!(
        repository
            .html_url
            .ends_with("/projects/DATA/repos/pipelines/browse"),
        "{}",
        repository.html_url
    );

    let list: PipelineList = app
        .browser
        .get(&api::paths::pipelines(project.id))
        .await
        .json()
        .await
        .unwrap();
    let paths: Vec<&str> = list.pipelines.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths.first(),
        Some(&PATH),
        "the newest change first: {paths:?}"
    );
    assert!(paths
        .iter()
        .all(|p| p.ends_with(".orch.yaml") || p.ends_with(".tran.yaml")));

    let opened = read(&app, project.id, PATH).await;
    let saved = save(&app, project.id, json!({"path": PATH, "content": EDITED, "message": "Rename start", "base_revision": opened.revision})).await;
    assert_eq!(saved.status(), 200);
    let saved: api::SavedPipeline = saved.json().await.unwrap();
    assert_eq!(saved.change.author, "Alex Rivera");
    assert_eq!(
        app.datacenter
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", PATH)
            .as_deref(),
        Some(EDITED)
    );

    // The same text again changes nothing and loses nothing.
    let again = read(&app, project.id, PATH).await;
    let same = save(&app, project.id, json!({"path": PATH, "content": EDITED, "message": "again", "base_revision": again.revision})).await;
    assert_eq!(same.status(), 200);

    // A new pipeline, then the same name again: refused, never overwritten.
    let new_path = "pipelines/daily.orch.yaml";
    let created = save(
        &app,
        project.id,
        json!({"path": new_path, "content": EDITED, "message": ""}),
    )
    .await;
    assert_eq!(created.status(), 200);
    let taken = error_of(
        save(
            &app,
            project.id,
            json!({"path": new_path, "content": EDITED.replace("Begin", "Go"), "message": ""}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(taken.field.as_deref(), Some("path"));
}

async fn a_change_made_elsewhere_is_never_overwritten(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    let id = project(&app).await.id;
    let opened = read(&app, id, PATH).await;
    let theirs = EDITED.replace("Begin", "Kickoff");
    app.datacenter_commit("pipelines", PATH, Some(&theirs))
        .await;
    let refused = save(&app, id, json!({"path": PATH, "content": EDITED, "message": "mine", "base_revision": opened.revision})).await;
    let error = error_of(refused, 409).await;
    assert_eq!(error.code, ErrorCode::PipelineChanged);
    assert_eq!(read(&app, id, PATH).await.content, theirs);

    // A colleague's change to another file does not stand in the way.
    let opened = read(&app, id, PATH).await;
    app.datacenter_commit("pipelines", "README.md", Some("# changed\n"))
        .await;
    let saved = save(&app, id, json!({"path": PATH, "content": EDITED, "message": "mine", "base_revision": opened.revision})).await;
    assert_eq!(saved.status(), 200);
    assert_eq!(read(&app, id, PATH).await.content, EDITED);
    // A revision that is not a commit id never reaches Data Center's form.
    let bad = save(&app, id, json!({"path": PATH, "content": EDITED, "message": "x", "base_revision": "refs/heads/main"})).await;
    assert_eq!(bad.status(), 422);
}

async fn deleting_says_how_since_data_center_cannot(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    let id = project(&app).await.id;
    let opened = read(&app, id, PATH).await;
    let refused = app
        .browser
        .fetch_json(
            Method::DELETE,
            &api::paths::pipeline_file(id),
            &json!({"path": PATH, "base_revision": opened.revision, "message": ""}),
        )
        .await;
    let error = error_of(refused, 409).await;
    assert!(
        error.message.contains("delete it with Git")
            || error.message.contains("Delete it with Git"),
        "{}",
        error.message
    );
    assert!(app
        .datacenter
        .sandbox
        .file_on_branch("DATA", "pipelines", "main", PATH)
        .is_some());
}

async fn a_user_who_only_reads_cannot_save(engine: Engine) {
    // sam reads DATA but writes nothing: no project can be made there, and a write that
    // reaches Data Center anyway is refused without asking to reconnect.
    let app = crate::helpers::spawn_app(engine).await;
    app.sign_up("sam@example.com").await;
    app.authorize_datacenter(&app.browser, "sam", "Allow").await;
    let picker: api::RepositoryPicker = app
        .browser
        .get(&api::paths::repository_picker(super::DC))
        .await
        .json()
        .await
        .unwrap();
    assert!(picker.repositories.values.is_empty());
    let create = api::paths::main_branch(super::DC, "DATA", "warehouse");
    let refused = app.browser.post_json(&create, &json!({})).await;
    assert_eq!(refused.status(), 403);
    let status: api::ConnectionStatus = app
        .browser
        .get(&api::paths::connection(super::DC))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        matches!(status, api::ConnectionStatus::Connected { .. }),
        "a missing permission is not a revoked grant"
    );
}

crate::both_engines!(
    pipelines_are_listed_read_and_saved_in_the_repository,
    a_change_made_elsewhere_is_never_overwritten,
    deleting_says_how_since_data_center_cannot,
    a_user_who_only_reads_cannot_save,
);
