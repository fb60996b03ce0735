//! The repository step and project creation, through the server's Bitbucket proxy.

use crate::helpers::{sign_up_on, spawn_app, Browser, Engine, TestApp};
use api::{ApiError, ErrorCode, Page, Project, Repository, RepositoryGroup};
use serde_json::json;

async fn repositories(app: &TestApp, workspace: &str, query: &str) -> Page<Repository> {
    let response = app
        .browser
        .get(&format!(
            "{}{query}",
            api::paths::bitbucket_repositories(workspace)
        ))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn names(page: &Page<Repository>) -> Vec<&str> {
    let mut names: Vec<&str> = page.values.iter().map(|r| r.slug.as_str()).collect();
    names.sort();
    names
}

async fn lists_workspaces_and_only_writable_repositories(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let workspaces: Page<RepositoryGroup> = app
        .browser
        .get(api::paths::BITBUCKET_WORKSPACES)
        .await
        .json()
        .await
        .unwrap();
    let mut slugs: Vec<&str> = workspaces.values.iter().map(|w| w.slug.as_str()).collect();
    slugs.sort();
    assert_eq!(slugs, ["acme-data", "alex-lab", "alex-rivera"]);

    let acme = repositories(&app, "acme-data", "").await;
    assert_eq!(
        names(&acme),
        ["marketing-etl", "warehouse-pipelines"],
        "read-only repositories are left out"
    );
    assert_eq!(acme.size, Some(2));
    let search = repositories(&app, "acme-data", "?search=WARE").await;
    assert_eq!(
        names(&search),
        ["warehouse-pipelines"],
        "search is case-insensitive and server-side"
    );
    let quote = repositories(&app, "acme-data", "?search=%22%20OR%20name%20~%20%22").await;
    assert!(
        quote.values.is_empty(),
        "a search cannot inject into Bitbucket's query language"
    );
}

async fn creates_a_project_on_a_writable_repository(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let body = json!({"name": "  Sales ETL ", "description": "Nightly loads", "configuration": "advanced",
                      "repository": {"group": "acme-data", "slug": "warehouse-pipelines"}});
    let response = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(response.status(), 201);
    let project: Project = response.json().await.unwrap();
    assert_eq!(project.name, "Sales ETL");
    let repository = project.repository.clone().unwrap();
    assert_eq!(repository.full_name, "acme-data/warehouse-pipelines");
    assert_eq!(repository.branch, "main");
    assert!(
        repository
            .html_url
            .ends_with("/acme-data/warehouse-pipelines"),
        "{}",
        repository.html_url
    );

    let read: Project = app
        .browser
        .get(&api::paths::project(project.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, project);
    let list: Vec<Project> = app
        .browser
        .get(api::paths::PROJECTS)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, vec![project]);

    let again = app
        .browser
        .post_json(
            api::paths::PROJECTS,
            &json!({"name": "sales etl", "configuration": "quick_start"}),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        again.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("name")
    );
}

async fn refuses_a_repository_without_write_access(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let body = json!({"name": "Reports", "configuration": "advanced",
                      "repository": {"group": "acme-data", "slug": "finance-reports"}});
    let response = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(response.status(), 403);
    let error: ApiError = response.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderForbidden);
    assert!(
        error.message.contains("acme-data/finance-reports"),
        "{}",
        error.message
    );
    let list: Vec<Project> = app
        .browser
        .get(api::paths::PROJECTS)
        .await
        .json()
        .await
        .unwrap();
    assert!(list.is_empty());
}

async fn validates_names_and_needs_a_connection(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let long = json!({"name": "x".repeat(256), "configuration": "quick_start"});
    let response = app.browser.post_json(api::paths::PROJECTS, &long).await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("name")
    );

    let advanced = json!({"name": "P", "configuration": "advanced", "repository": {"group": "acme-data", "slug": "warehouse-pipelines"}});
    let response = app.browser.post_json(api::paths::PROJECTS, &advanced).await;
    assert_eq!(
        response.json::<ApiError>().await.unwrap().code,
        ErrorCode::ProviderNotConnected
    );

    let quick = app
        .browser
        .post_json(
            api::paths::PROJECTS,
            &json!({"name": "Quick", "configuration": "quick_start"}),
        )
        .await;
    assert_eq!(quick.status(), 201);
    assert!(quick.json::<Project>().await.unwrap().repository.is_none());
}

async fn projects_are_private_to_their_owner(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let project: Project = app
        .browser
        .post_json(
            api::paths::PROJECTS,
            &json!({"name": "Mine", "configuration": "quick_start"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let other = crate::helpers::Browser::new(&app.url);
    crate::helpers::sign_up_on(&other, "eve@example.com").await;
    assert_eq!(
        other.get(&api::paths::project(project.id)).await.status(),
        404
    );
}

/// The attack of SECURITY.md's "Following `next` links elsewhere": a cursor written by hand
/// for another list of the same workspace (`role=member`: what Alex may only read). Before
/// cursors were sealed it listed `finance-reports`, which then counted as writable and became
/// a project (201).
async fn a_crafted_cursor_neither_lists_nor_unlocks_a_read_only_repository(engine: Engine) {
    use base64::Engine as _;
    let app = TestApp::connected(engine).await;
    let crafted = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode("/repositories/acme-data?role=member&pagelen=50");
    let calls = app.sandbox.sandbox.stats().api_requests;
    let listed = app
        .browser
        .get(&format!(
            "{}?cursor={crafted}",
            api::paths::bitbucket_repositories("acme-data")
        ))
        .await;
    assert_eq!(listed.status(), 422);
    assert_eq!(
        app.sandbox.sandbox.stats().api_requests,
        calls,
        "refused before Bitbucket is asked"
    );
    let body = json!({"name": "Reports", "configuration": "advanced",
                      "repository": {"group": "acme-data", "slug": "finance-reports"}});
    let created = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(created.status(), 403);
}

/// A cursor the server handed out names one list: the same user's, provider's, workspace's
/// and search's. Taken to any other, it is refused before Bitbucket is asked.
async fn a_cursor_works_only_for_the_list_it_came_from(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("big@example.com").await;
    app.authorize_as("Big Co Engineer", "Grant access").await;
    let first = repositories(&app, "bigco-03", "").await;
    let cursor = first.next.clone().expect("a second page");
    let encoded = api::paths::encode_query_value(&cursor);
    let second = repositories(&app, "bigco-03", &format!("?cursor={encoded}")).await;
    assert_eq!(second.values.len(), 50, "the cursor works for its own list");

    let other_user = Browser::new(&app.url);
    sign_up_on(&other_user, "ada@example.com").await;
    app.authorize_on(&other_user, "Alex Rivera", "Grant access")
        .await;
    let calls = app.sandbox.sandbox.stats().api_requests;
    for elsewhere in [
        format!(
            "{}?cursor={encoded}",
            api::paths::bitbucket_repositories("bigco-04")
        ),
        format!(
            "{}?search=1&cursor={encoded}",
            api::paths::bitbucket_repositories("bigco-03")
        ),
    ] {
        let response = app.browser.get(&elsewhere).await;
        assert_eq!(response.status(), 422, "{elsewhere}");
    }
    assert_eq!(app.sandbox.sandbox.stats().api_requests, calls);
    let stolen = other_user
        .get(&format!(
            "{}?cursor={encoded}",
            api::paths::bitbucket_repositories("bigco-03")
        ))
        .await;
    assert_eq!(stolen.status(), 422, "another user's cursor");
}

crate::both_engines!(
    lists_workspaces_and_only_writable_repositories,
    creates_a_project_on_a_writable_repository,
    refuses_a_repository_without_write_access,
    a_crafted_cursor_neither_lists_nor_unlocks_a_read_only_repository,
    a_cursor_works_only_for_the_list_it_came_from,
    validates_names_and_needs_a_connection,
    projects_are_private_to_their_owner,
);
