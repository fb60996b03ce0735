//! The studio's `main` branch: checked before a project is created, created on request from
//! the default branch or, in an empty repository, with a first commit.

use crate::helpers::{spawn_app, Engine, TestApp};
use api::{ApiError, ErrorCode, MainBranch};
use serde_json::json;

async fn main_branch(app: &TestApp, workspace: &str, repository: &str) -> MainBranch {
    let response = app
        .browser
        .get(&api::paths::bitbucket_main_branch(workspace, repository))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn create_main(app: &TestApp, workspace: &str, repository: &str) -> reqwest::Response {
    app.browser
        .post_json(
            &api::paths::bitbucket_main_branch(workspace, repository),
            &json!({}),
        )
        .await
}

async fn create_project(
    app: &TestApp,
    name: &str,
    workspace: &str,
    repository: &str,
) -> reqwest::Response {
    let body = json!({"name": name, "configuration": "advanced",
                      "repository": {"group": workspace, "slug": repository}});
    app.browser.post_json(api::paths::PROJECTS, &body).await
}

async fn an_existing_main_is_ready(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let MainBranch::Ready { tip } = main_branch(&app, "acme-data", "warehouse-pipelines").await
    else {
        panic!("warehouse-pipelines has main");
    };
    assert_eq!(tip.len(), 40, "a full commit hash: {tip}");
}

async fn a_missing_main_is_created_from_the_default_branch(engine: Engine) {
    let app = TestApp::connected(engine).await;
    assert_eq!(
        main_branch(&app, "acme-data", "marketing-etl").await,
        MainBranch::Missing {
            default_branch: "master".into()
        }
    );
    let refused = create_project(&app, "Marketing", "acme-data", "marketing-etl").await;
    assert_eq!(refused.status(), 422);
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(error.field.as_deref(), Some("repository"));
    assert!(
        error.message.contains("no branch named main"),
        "{}",
        error.message
    );

    let created = create_main(&app, "acme-data", "marketing-etl").await;
    assert_eq!(created.status(), 200);
    let MainBranch::Ready { tip } = created.json().await.unwrap() else {
        panic!("main was created");
    };
    // One branch-creation call, pointing at the default branch's tip.
    let calls = app.sandbox.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls.get("POST /2.0/repositories/{workspace}/{repo_slug}/refs/branches"),
        Some(&1)
    );
    assert_eq!(
        main_branch(&app, "acme-data", "marketing-etl").await,
        MainBranch::Ready { tip: tip.clone() }
    );
    // Asking again is harmless.
    assert_eq!(
        create_main(&app, "acme-data", "marketing-etl")
            .await
            .json::<MainBranch>()
            .await
            .unwrap(),
        MainBranch::Ready { tip }
    );
    assert_eq!(
        create_project(&app, "Marketing", "acme-data", "marketing-etl")
            .await
            .status(),
        201
    );
}

async fn an_empty_repository_gets_a_first_commit_on_main(engine: Engine) {
    let app = TestApp::connected(engine).await;
    assert_eq!(
        main_branch(&app, "alex-rivera", "empty-repo").await,
        MainBranch::EmptyRepository
    );
    let created = create_main(&app, "alex-rivera", "empty-repo").await;
    assert_eq!(created.status(), 200);
    assert!(matches!(
        created.json::<MainBranch>().await.unwrap(),
        MainBranch::Ready { .. }
    ));
    let calls = app.sandbox.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls.get("POST /2.0/repositories/{workspace}/{repo_slug}/src"),
        Some(&1)
    );
    assert_eq!(
        create_project(&app, "Fresh", "alex-rivera", "empty-repo")
            .await
            .status(),
        201
    );
}

async fn creating_main_needs_write_access(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("sam@example.com").await;
    app.authorize_as("Sam Chen", "Grant access").await;
    let refused = create_main(&app, "acme-data", "marketing-etl").await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<ApiError>().await.unwrap().code,
        ErrorCode::ProviderForbidden
    );
    assert!(matches!(
        main_branch(&app, "acme-data", "marketing-etl").await,
        MainBranch::Missing { .. }
    ));
}

async fn branch_routes_refuse_names_that_leave_the_api(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let before = app.sandbox.sandbox.stats().api_requests;
    for (workspace, repository) in [
        ("..", "x"),
        ("acme-data", "a%2F..%2Fb"),
        ("acme-data", "%2E%2E"),
    ] {
        let path =
            format!("/api/bitbucket/workspaces/{workspace}/repositories/{repository}/main-branch");
        let status = app.browser.get(&path).await.status().as_u16();
        assert!(
            matches!(status, 404 | 422),
            "{workspace}/{repository}: {status}"
        );
    }
    assert_eq!(app.sandbox.sandbox.stats().api_requests, before);
}

crate::both_engines!(
    an_existing_main_is_ready,
    a_missing_main_is_created_from_the_default_branch,
    an_empty_repository_gets_a_first_commit_on_main,
    creating_main_needs_write_access,
    branch_routes_refuse_names_that_leave_the_api,
);
