//! A project's pipelines: listed, read, created, edited and deleted in its Bitbucket
//! repository through the user's own token (or in the studio's store for Quick start), with
//! the conflict rule (a moved branch never gets overwritten) and a revoked connection.

use api::{
    check_pipeline, ApiError, ErrorCode, PipelineFile, PipelineKind, PipelineList, PipelineStorage,
    Project, SavedPipeline,
};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Engine, TestApp, CLIENT_ID};

const EDITED: &str = "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Start:\n      type: \"start\"\n";

async fn project(app: &TestApp, body: Value) -> Project {
    let response = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn bitbucket_project(app: &TestApp, workspace: &str, repository: &str) -> i64 {
    let body = json!({"name": repository, "configuration": "advanced",
                      "repository": {"group": workspace, "slug": repository}});
    project(app, body).await.id
}

async fn list(app: &TestApp, id: i64) -> PipelineList {
    let response = app.browser.get(&api::paths::pipelines(id)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn read(app: &TestApp, id: i64, path: &str) -> reqwest::Response {
    app.browser
        .get(&api::paths::pipeline_file_at(id, path))
        .await
}

async fn read_ok(app: &TestApp, id: i64, path: &str) -> PipelineFile {
    let response = read(app, id, path).await;
    assert_eq!(response.status(), 200, "reading {path}");
    response.json().await.unwrap()
}

async fn save(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.browser
        .fetch_json(Method::PUT, &api::paths::pipeline_file(id), &body)
        .await
}

async fn delete(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.browser
        .fetch_json(Method::DELETE, &api::paths::pipeline_file(id), &body)
        .await
}

async fn error_of(response: reqwest::Response, status: u16) -> ApiError {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

/// A commit made on Bitbucket by someone else (through the sandbox's control API).
async fn push(app: &TestApp, repository: &str, files: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/_control/commit", app.sandbox.url))
        .json(
            &json!({"nickname": "alex", "workspace": "acme-data", "repository": repository,
                      "message": "Pushed from a laptop", "files": files}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

fn sandbox_calls(app: &TestApp) -> u64 {
    app.sandbox.sandbox.stats().api_requests
}

async fn pipelines_on_the_branch_are_listed_with_their_last_commit(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let listed = list(&app, id).await;
    let PipelineStorage::Provider {
        full_name,
        branch,
        folder,
        head,
    } = &listed.storage
    else {
        panic!("a repository project lists from Bitbucket");
    };
    assert_eq!(
        (full_name.as_str(), branch.as_str(), folder.as_str()),
        ("acme-data/warehouse-pipelines", "main", "")
    );
    assert_eq!(head.revision.len(), 40);
    let paths: Vec<&str> = listed.pipelines.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.contains(&"pipelines/nightly-load.orch.yaml"));
    assert!(paths.contains(&"pipelines/orders-clean.tran.yaml"));
    for pipeline in &listed.pipelines {
        let change = pipeline
            .last_change
            .as_ref()
            .expect("each file has a last commit");
        assert_eq!(change.author, "Alex Rivera");
        assert!(change.at > 0);
        // The seeded pipelines follow the schema the editor checks.
        let file = read_ok(&app, id, &pipeline.path).await;
        assert_eq!(file.revision, head.revision, "read at the branch head");
        assert_eq!(
            check_pipeline(pipeline.kind, &file.content),
            Ok(()),
            "{}",
            pipeline.path
        );
    }
    assert!(!listed.truncated);
}

async fn edits_are_commits_on_the_branch_and_read_back(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let path = "pipelines/nightly-load.orch.yaml";
    let opened = read_ok(&app, id, path).await;

    let calls_before_save = sandbox_calls(&app);
    let saved = save(
        &app,
        id,
        json!({"path": path, "content": EDITED, "message": "Simplify the nightly load",
                                      "base_revision": opened.revision}),
    )
    .await;
    assert_eq!(saved.status(), 200);
    let saved: SavedPipeline = saved.json().await.unwrap();
    assert_ne!(saved.change.revision, opened.revision);
    assert_eq!(
        sandbox_calls(&app) - calls_before_save,
        2,
        "a save without conflict is the commit, and one read of the branch to learn its hash \
         (Bitbucket's document gives POST …/src no body and no Location)"
    );

    let reread = read_ok(&app, id, path).await;
    assert_eq!(reread.content, EDITED);
    assert_eq!(reread.revision, saved.change.revision);
    let last = reread.last_change.unwrap();
    assert_eq!(
        (last.message.as_str(), last.author.as_str()),
        ("Simplify the nightly load", "Alex Rivera")
    );
    // One commit, made with the parent the editor started from.
    let calls = app.sandbox.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls.get("POST /2.0/repositories/{workspace}/{repo_slug}/src"),
        Some(&1)
    );

    // Create: a new file, never over an existing one.
    let new = "pipelines/weekly.orch.yaml";
    let created = save(
        &app,
        id,
        json!({"path": new, "content": EDITED, "message": ""}),
    )
    .await;
    assert_eq!(created.status(), 200);
    assert_eq!(
        read_ok(&app, id, new).await.last_change.unwrap().message,
        format!("Add {new}")
    );
    let again = error_of(
        save(
            &app,
            id,
            json!({"path": new, "content": EDITED, "message": ""}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(
        (again.code, again.field.as_deref()),
        (ErrorCode::Conflict, Some("path"))
    );

    // Delete, from the revision it was read at.
    let current = read_ok(&app, id, new).await;
    let deleted = delete(
        &app,
        id,
        json!({"path": new, "message": "", "base_revision": current.revision}),
    )
    .await;
    assert_eq!(deleted.status(), 200);
    assert_eq!(read(&app, id, new).await.status(), 404);
    assert_eq!(list(&app, id).await.pipelines.len(), 2);
}

async fn a_moved_branch_is_never_overwritten(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let path = "pipelines/nightly-load.orch.yaml";
    let opened = read_ok(&app, id, path).await;

    // Someone else changes the same file after the editor opened it: a conflict.
    let theirs = EDITED.replace("Start", "Begin");
    push(&app, "warehouse-pipelines", json!({ path: theirs })).await;
    let refused = save(
        &app,
        id,
        json!({"path": path, "content": EDITED, "message": "mine",
                                        "base_revision": opened.revision}),
    )
    .await;
    let error = error_of(refused, 409).await;
    assert_eq!(error.code, ErrorCode::PipelineChanged);
    assert!(
        error.message.contains("Nothing was overwritten"),
        "{}",
        error.message
    );
    assert_eq!(read_ok(&app, id, path).await.content, theirs);

    // Someone changes *another* file: the save goes on top of their commit, keeping both.
    let opened = read_ok(&app, id, path).await;
    let other = "pipelines/orders-clean.tran.yaml";
    let their_other = "type: \"transformation\"\nversion: \"2\"\npipeline:\n  components: {}\n";
    push(&app, "warehouse-pipelines", json!({ other: their_other })).await;
    let saved = save(
        &app,
        id,
        json!({"path": path, "content": EDITED, "message": "mine",
                                      "base_revision": opened.revision}),
    )
    .await;
    assert_eq!(saved.status(), 200);
    assert_eq!(read_ok(&app, id, path).await.content, EDITED);
    assert_eq!(read_ok(&app, id, other).await.content, their_other);

    // A delete from a stale revision of a changed file is refused too.
    let stale = read_ok(&app, id, path).await.revision;
    push(&app, "warehouse-pipelines", json!({ path: theirs })).await;
    let error = error_of(
        delete(
            &app,
            id,
            json!({"path": path, "message": "", "base_revision": stale}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(error.code, ErrorCode::PipelineChanged);
    assert_eq!(read_ok(&app, id, path).await.content, theirs);
}

async fn a_revoked_connection_asks_to_reconnect(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let opened = read_ok(&app, id, "pipelines/nightly-load.orch.yaml").await;
    app.sandbox.sandbox.revoke("alex", CLIENT_ID);

    let listed = error_of(app.browser.get(&api::paths::pipelines(id)).await, 409).await;
    assert_eq!(listed.code, ErrorCode::ProviderReconnectNeeded);
    let saved = save(
        &app,
        id,
        json!({"path": opened.path, "content": EDITED, "message": "",
                                      "base_revision": opened.revision}),
    )
    .await;
    assert_eq!(
        error_of(saved, 409).await.code,
        ErrorCode::ProviderReconnectNeeded
    );
}

async fn bad_input_is_refused_before_bitbucket_is_called(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let before = sandbox_calls(&app);
    for (path, content, field) in [
        ("../escape.orch.yaml", EDITED, "path"),
        ("/etc/passwd.orch.yaml", EDITED, "path"),
        ("pipelines/notes.txt", EDITED, "path"),
        ("pipelines/x.orch.yaml", "type: [", "content"),
        ("pipelines/x.tran.yaml", EDITED, "content"),
    ] {
        let response = save(
            &app,
            id,
            json!({"path": path, "content": content, "message": ""}),
        )
        .await;
        let error = error_of(response, 422).await;
        assert_eq!(
            error.field.as_deref(),
            Some(field),
            "{path}: {}",
            error.message
        );
    }
    let broken = error_of(save(&app, id, json!({"path": "x.orch.yaml", "content": "type: orchestration\nversion: 1\npipeline:\n  components:\n    A: {}\n", "message": ""})).await, 422).await;
    assert!(broken.message.contains("Line 5"), "{}", broken.message);
    let huge = format!(
        "{EDITED}# {}\n",
        "x".repeat(api::pipeline::MAX_PIPELINE_BYTES)
    );
    let too_large = error_of(
        save(
            &app,
            id,
            json!({"path": "x.orch.yaml", "content": huge, "message": ""}),
        )
        .await,
        422,
    )
    .await;
    assert!(
        too_large.message.contains("too large"),
        "{}",
        too_large.message
    );
    assert_eq!(read(&app, id, "../x.orch.yaml").await.status(), 422);
    assert_eq!(sandbox_calls(&app), before, "nothing reached Bitbucket");
}

/// A file nested far deeper than any pipeline needs: `- - - … x` once crashed the whole
/// process (the YAML check recursed once per level and overflowed the worker's stack).
/// Saving it is refused with a clear problem, reading one committed elsewhere is fine, and
/// the server keeps serving.
async fn hostile_yaml_is_refused_and_never_takes_the_server_down(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let quick = project(
        &app,
        json!({"name": "Scratch", "configuration": "quick_start"}),
    )
    .await
    .id;
    let repository = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let hostile = [
        format!("{}x", "- ".repeat(1_000)),
        format!("{}x", "? ".repeat(1_000)),
        format!("{}x", "- ".repeat(400_000)),
        "[".repeat(300_000),
        "{a: ".repeat(100_000),
    ];
    for id in [quick, repository] {
        for content in &hostile {
            let response = save(
                &app,
                id,
                json!({"path": "d.orch.yaml", "content": content, "message": ""}),
            )
            .await;
            let error = error_of(response, 422).await;
            assert_eq!(error.field.as_deref(), Some("content"));
            assert!(error.message.contains("deeper than"), "{}", error.message);
        }
    }
    // Committed to the repository by someone with write access: the studio reads it (the
    // editor shows the same problem, from the same check).
    push(
        &app,
        "warehouse-pipelines",
        json!({"deep.orch.yaml": hostile[0]}),
    )
    .await;
    let file = read_ok(&app, repository, "deep.orch.yaml").await;
    assert_eq!(file.content, hostile[0]);
    let problems = check_pipeline(PipelineKind::Orchestration, &file.content).unwrap_err();
    assert!(problems[0].message.contains("deeper than"));
    assert_eq!(
        app.browser.get(api::paths::ME).await.status(),
        200,
        "still serving"
    );
}

async fn the_pipelines_folder_scopes_the_list_and_new_paths(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "alex-rivera", "sandbox-pipelines").await;
    assert_eq!(list(&app, id).await.pipelines.len(), 2);
    let set = |folder: &'static str| {
        let app = &app;
        async move {
            app.browser
                .fetch_json(
                    Method::PATCH,
                    &api::paths::project(id),
                    &json!({"pipeline_folder": folder}),
                )
                .await
        }
    };
    let updated: Project = set("/transform/").await.json().await.unwrap();
    assert_eq!(updated.pipeline_folder, "transform");
    let listed = list(&app, id).await;
    let paths: Vec<&str> = listed.pipelines.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["transform/demo.tran.yaml"]);
    let outside = error_of(
        save(
            &app,
            id,
            json!({"path": "root.orch.yaml", "content": EDITED, "message": ""}),
        )
        .await,
        422,
    )
    .await;
    assert!(
        outside.message.contains("transform/"),
        "{}",
        outside.message
    );
    assert_eq!(
        error_of(set("a/../b").await, 422).await.field.as_deref(),
        Some("pipeline_folder")
    );
    // A folder that does not exist yet lists nothing, rather than failing.
    set("not-yet").await;
    assert!(list(&app, id).await.pipelines.is_empty());
}

async fn quick_start_pipelines_are_kept_by_the_studio_with_versions(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = project(
        &app,
        json!({"name": "Quick", "configuration": "quick_start"}),
    )
    .await
    .id;
    let before = sandbox_calls(&app);
    assert_eq!(list(&app, id).await.storage, PipelineStorage::Studio);
    let path = "daily.tran.yaml";
    let content = PipelineKind::Transformation.template();
    let created: SavedPipeline = save(
        &app,
        id,
        json!({"path": path, "content": content, "message": ""}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(created.change.revision, "1");
    let opened = read_ok(&app, id, path).await;
    assert_eq!(
        (opened.content.as_str(), opened.revision.as_str()),
        (content.as_str(), "1")
    );
    assert_eq!(opened.last_change.unwrap().author, "ada@example.com");

    let edited = content.replace("Input", "Orders");
    let saved: SavedPipeline = save(
        &app,
        id,
        json!({"path": path, "content": edited, "message": "Rename",
                                                     "base_revision": "1"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(saved.change.label, "version 2");
    // A second editor that opened version 1 is refused, and nothing is overwritten.
    let stale = save(
        &app,
        id,
        json!({"path": path, "content": content, "message": "", "base_revision": "1"}),
    )
    .await;
    assert_eq!(error_of(stale, 409).await.code, ErrorCode::PipelineChanged);
    assert_eq!(read_ok(&app, id, path).await.content, edited);
    let again = save(
        &app,
        id,
        json!({"path": path, "content": content, "message": ""}),
    )
    .await;
    assert_eq!(error_of(again, 409).await.field.as_deref(), Some("path"));

    let stale_delete = delete(
        &app,
        id,
        json!({"path": path, "message": "", "base_revision": "1"}),
    )
    .await;
    assert_eq!(
        error_of(stale_delete, 409).await.code,
        ErrorCode::PipelineChanged
    );
    assert_eq!(
        delete(
            &app,
            id,
            json!({"path": path, "message": "", "base_revision": "2"})
        )
        .await
        .status(),
        200
    );
    assert!(list(&app, id).await.pipelines.is_empty());
    assert_eq!(
        sandbox_calls(&app),
        before,
        "Quick start never calls Bitbucket"
    );
}

async fn someone_elses_project_reads_as_missing(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = project(
        &app,
        json!({"name": "Mine", "configuration": "quick_start"}),
    )
    .await
    .id;
    app.browser.forget_cookies();
    app.sign_up("eve@example.com").await;
    assert_eq!(
        app.browser.get(&api::paths::pipelines(id)).await.status(),
        404
    );
    let saved = save(
        &app,
        id,
        json!({"path": "x.orch.yaml", "content": EDITED, "message": ""}),
    )
    .await;
    assert_eq!(saved.status(), 404);
}

/// A branch with many committers moves under every save; the soak found saves told "your
/// pipeline changed" after three tries. Now the save keeps trying (with pauses) and, if the
/// branch never settles, says so, never that the pipeline changed.
async fn a_busy_branch_is_never_mistaken_for_a_changed_pipeline(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let path = "pipelines/nightly-load.orch.yaml";
    let commits = "/2.0/repositories/acme-data/warehouse-pipelines/src$";
    let sandbox = &app.sandbox.sandbox;

    // Five commits in a row find the branch moved by someone else's unrelated commit.
    let opened = read_ok(&app, id, path).await;
    sandbox.inject_fault(409, 5, commits);
    let body = json!({"path": path, "content": EDITED, "message": "Busy branch",
                      "base_revision": opened.revision});
    let saved = save(&app, id, body).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());

    // It never settles: the save gives up, saying the branch is busy and when to retry.
    let opened = read_ok(&app, id, path).await;
    sandbox.inject_fault(409, 100, commits);
    let body = json!({"path": path, "content": format!("{EDITED}# again\n"),
                      "message": "Busier branch", "base_revision": opened.revision});
    let refused = save(&app, id, body).await;
    assert_eq!(refused.headers()["retry-after"], "2");
    let error = error_of(refused, 503).await;
    assert_eq!(error.code, ErrorCode::Unavailable, "{}", error.message);
    assert!(
        error.message.contains("did not change"),
        "{}",
        error.message
    );

    // A new pipeline on the busy branch is not told its name is taken either.
    let body = json!({"path": "pipelines/fresh.orch.yaml", "content": EDITED, "message": "New"});
    let refused = save(&app, id, body).await;
    assert_eq!(error_of(refused, 503).await.code, ErrorCode::Unavailable);
}

/// The commit lands, then the read that finds its hash meets a refused token: the studio
/// refreshes and runs the save again. It must see that its change is already there (the soak
/// found the save told "your pipeline changed" though it had landed).
async fn a_save_that_landed_is_never_reported_as_a_conflict(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = bitbucket_project(&app, "acme-data", "warehouse-pipelines").await;
    let path = "pipelines/nightly-load.orch.yaml";
    let head = "/2.0/repositories/acme-data/warehouse-pipelines/refs/branches/main$";
    let sandbox = &app.sandbox.sandbox;

    let opened = read_ok(&app, id, path).await;
    sandbox.inject_fault(401, 1, head);
    let body = json!({"path": path, "content": EDITED, "message": "Lost answer",
                      "base_revision": opened.revision});
    let saved = save(&app, id, body).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    assert_eq!(sandbox.stats().faults_injected, 1, "the fault was met");
    assert_eq!(read_ok(&app, id, path).await.content, EDITED);

    // The same for a new pipeline: its name is not "taken" by itself.
    let fresh = "pipelines/fresh.orch.yaml";
    sandbox.inject_fault(401, 1, head);
    let body = json!({"path": fresh, "content": EDITED, "message": "Lost answer, new"});
    let created = save(&app, id, body).await;
    assert_eq!(created.status(), 200, "{}", created.text().await.unwrap());
    assert_eq!(read_ok(&app, id, fresh).await.content, EDITED);
}

crate::both_engines!(
    a_save_that_landed_is_never_reported_as_a_conflict,
    a_busy_branch_is_never_mistaken_for_a_changed_pipeline,
    pipelines_on_the_branch_are_listed_with_their_last_commit,
    edits_are_commits_on_the_branch_and_read_back,
    a_moved_branch_is_never_overwritten,
    a_revoked_connection_asks_to_reconnect,
    bad_input_is_refused_before_bitbucket_is_called,
    hostile_yaml_is_refused_and_never_takes_the_server_down,
    the_pipelines_folder_scopes_the_list_and_new_paths,
    quick_start_pipelines_are_kept_by_the_studio_with_versions,
    someone_elses_project_reads_as_missing,
);
