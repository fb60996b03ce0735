//! The repository step's first screen (`GET /api/bitbucket/repository-picker`): workspaces and
//! first repositories after one round trip to Bitbucket, opening where the user left off,
//! and the same at the sandbox's large account.
//!
//! "One round trip" is asserted structurally, not with a clock: the sandbox counts the calls
//! and the most it answered at once (with latency added, so calls made together overlap).

use std::time::Duration;

use crate::helpers::{spawn_app, Engine, TestApp};
use api::{ApiError, ErrorCode, Page, Repository, RepositoryGroup, RepositoryPicker};

async fn picker(app: &TestApp, workspace: Option<&str>) -> reqwest::Response {
    picker_asking(app, workspace, false).await
}

/// `refresh`: what the picker's Refresh asks, so that nothing comes from the server's cache.
async fn picker_asking(app: &TestApp, workspace: Option<&str>, refresh: bool) -> reqwest::Response {
    let mut path = api::paths::BITBUCKET_REPOSITORY_PICKER.to_owned();
    let mut separator = '?';
    if let Some(workspace) = workspace {
        path.push_str(&format!("{separator}group={workspace}"));
        separator = '&';
    }
    if refresh {
        path.push_str(&format!("{separator}refresh=true"));
    }
    app.browser.get(&path).await
}

async fn first_screen(app: &TestApp, workspace: Option<&str>) -> RepositoryPicker {
    let response = picker(app, workspace).await;
    assert_eq!(response.status(), 200, "the repository picker");
    response.json().await.unwrap()
}

/// The first screen asked for with Refresh: every answer comes from Bitbucket.
async fn fresh_first_screen(app: &TestApp, workspace: Option<&str>) -> RepositoryPicker {
    let response = picker_asking(app, workspace, true).await;
    assert_eq!(response.status(), 200, "the repository picker");
    response.json().await.unwrap()
}

/// A server whose user authorized Bitbucket as `account` (a seeded display name).
async fn connected_as(engine: Engine, account: &str) -> TestApp {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    app.authorize_as(account, "Grant access").await;
    app
}

/// Counts the Bitbucket calls `screen` makes, with `latency` on each.
async fn upstream_calls<F: std::future::Future>(
    app: &TestApp,
    latency: Duration,
    screen: F,
) -> (F::Output, sandbox::Stats) {
    let sandbox = &app.sandbox.sandbox;
    sandbox.set_latency(latency);
    sandbox.clear_stats();
    let output = screen.await;
    let stats = sandbox.stats();
    sandbox.set_latency(Duration::ZERO);
    (output, stats)
}

fn slugs(workspaces: &[RepositoryGroup]) -> Vec<&str> {
    workspaces.iter().map(|w| w.slug.as_str()).collect()
}

fn repository_slugs(page: &Page<Repository>) -> Vec<&str> {
    let mut slugs: Vec<&str> = page.values.iter().map(|r| r.slug.as_str()).collect();
    slugs.sort();
    slugs
}

async fn the_first_screen_takes_one_round_trip(engine: Engine) {
    let app = TestApp::connected(engine).await;
    // Right after authorizing, the workspace list is known (the authorization read it): the
    // first screen asks Bitbucket only for the repositories.
    let (screen, stats) =
        upstream_calls(&app, Duration::from_millis(150), first_screen(&app, None)).await;
    assert_eq!(
        stats.api_requests_by_endpoint.keys().collect::<Vec<_>>(),
        ["GET /2.0/repositories/{workspace}"],
        "{stats:?}"
    );
    assert_eq!(screen.groups.len(), 3);

    // With nothing known (Refresh), both are asked for together: still one round trip.
    let (screen, stats) = upstream_calls(
        &app,
        Duration::from_millis(150),
        fresh_first_screen(&app, None),
    )
    .await;

    assert_eq!(
        slugs(&screen.groups),
        ["acme-data", "alex-lab", "alex-rivera"]
    );
    assert_eq!(
        screen.group.as_deref(),
        Some("acme-data"),
        "the first workspace, learnt at authorization"
    );
    assert_eq!(
        repository_slugs(&screen.repositories),
        ["marketing-etl", "warehouse-pipelines"],
        "only repositories the account can write to"
    );
    assert_eq!(stats.api_requests, 2, "{stats:?}");
    assert_eq!(
        stats
            .api_requests_by_endpoint
            .get("GET /2.0/user/workspaces"),
        Some(&1)
    );
    assert_eq!(
        stats
            .api_requests_by_endpoint
            .get("GET /2.0/repositories/{workspace}"),
        Some(&1)
    );
    assert_eq!(
        stats.max_api_in_flight, 2,
        "the workspace list and the repositories are asked for together"
    );
}

async fn the_step_opens_where_the_user_last_chose(engine: Engine) {
    let app = TestApp::connected(engine).await;
    // Checking a repository's branch is choosing it.
    let branch = app
        .browser
        .get(&api::paths::bitbucket_main_branch(
            "alex-rivera",
            "sandbox-pipelines",
        ))
        .await;
    assert_eq!(branch.status(), 200);
    assert_eq!(
        first_screen(&app, None).await.group.as_deref(),
        Some("alex-rivera")
    );

    // The URL's workspace wins; one the account lacks falls back to the first, with a
    // second trip for its repositories.
    assert_eq!(
        first_screen(&app, Some("alex-lab")).await.group.as_deref(),
        Some("alex-lab")
    );
    let (screen, stats) = upstream_calls(
        &app,
        Duration::ZERO,
        fresh_first_screen(&app, Some("someone-elses")),
    )
    .await;
    assert_eq!(screen.group.as_deref(), Some("acme-data"));
    assert_eq!(repository_slugs(&screen.repositories).len(), 2);
    assert_eq!(stats.api_requests, 3, "{stats:?}");

    let invalid = picker(&app, Some("..")).await;
    assert_eq!(invalid.status(), 422);
}

async fn reconnecting_the_same_account_keeps_the_last_choice(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.browser
        .get(&api::paths::bitbucket_main_branch(
            "alex-rivera",
            "sandbox-pipelines",
        ))
        .await;
    app.authorize_as("Alex Rivera", "Grant access").await;
    assert_eq!(
        first_screen(&app, None).await.group.as_deref(),
        Some("alex-rivera")
    );
}

async fn a_large_account_shows_a_first_page_and_searches_server_side(engine: Engine) {
    let app = connected_as(engine, "Big Co Engineer").await;
    let latency = Duration::from_millis(100);
    let (screen, stats) = upstream_calls(&app, latency, fresh_first_screen(&app, None)).await;
    assert_eq!(screen.groups.len(), 20);
    assert_eq!(screen.group.as_deref(), Some("bigco-01"));
    assert_eq!(screen.repositories.size, Some(500));
    assert_eq!(
        screen.repositories.values.len(),
        50,
        "one page, not the whole list"
    );
    assert!(screen.repositories.next.is_some());
    assert_eq!((stats.api_requests, stats.max_api_in_flight), (2, 2));

    let search = async {
        let response = app
            .browser
            .get(&format!(
                "{}?search=repo-0042",
                api::paths::bitbucket_repositories("bigco-07")
            ))
            .await;
        assert_eq!(response.status(), 200);
        response.json::<Page<Repository>>().await.unwrap()
    };
    let (found, stats) = upstream_calls(&app, latency, search).await;
    assert_eq!(repository_slugs(&found), ["repo-0042"]);
    assert_eq!(stats.api_requests, 1, "a search is one filtered call");
}

async fn an_account_with_nothing_writable_gets_an_empty_list(engine: Engine) {
    let app = connected_as(engine, "Nora Quinn").await;
    let screen = first_screen(&app, None).await;
    assert_eq!(slugs(&screen.groups), ["nora-quinn"]);
    assert_eq!(screen.group.as_deref(), Some("nora-quinn"));
    assert!(screen.repositories.values.is_empty());
    assert_eq!(screen.repositories.next, None);
}

async fn missing_and_broken_connections_are_named(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let refused = picker(&app, None).await;
    assert_eq!(refused.status(), 409);
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderNotConnected);

    app.authorize_as("Alex Rivera", "Grant access").await;
    app.sandbox
        .sandbox
        .revoke("alex", crate::helpers::CLIENT_ID);
    let revoked = picker(&app, None).await;
    assert_eq!(revoked.status(), 409);
    let error: ApiError = revoked.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderReconnectNeeded);
}

async fn rate_limiting_is_passed_on_with_its_wait(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox
        .sandbox
        .inject_fault(429, 1, "/2.0/user/workspaces");
    let limited = picker_asking(&app, None, true).await;
    assert_eq!(limited.status(), 429);
    let error: ApiError = limited.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderRateLimited);
    assert_eq!(error.retry_after_seconds, Some(1));
    assert_eq!(first_screen(&app, None).await.groups.len(), 3, "recovers");
}

/// The connect step checks the connection, then prepares the repository step's first screen
/// (`app::pages::wizard::prepared`): the check proves the token with the workspace list
/// and hands it over, so the two together cost what the first screen alone does.
async fn the_connection_check_hands_its_workspace_list_to_the_picker(engine: Engine) {
    let app = TestApp::connected(engine).await;
    first_screen(&app, None).await; // takes what the authorization handed over
    app.sql("UPDATE provider_grants SET validated_at = 0").await;
    let endpoints = |stats: &sandbox::Stats| {
        let mut endpoints: Vec<String> = stats.api_requests_by_endpoint.keys().cloned().collect();
        endpoints.sort();
        (endpoints, stats.api_requests)
    };

    let (status, stats) = upstream_calls(&app, Duration::ZERO, app.connection()).await;
    assert!(matches!(status, api::ConnectionStatus::Connected { .. }));
    assert_eq!(
        endpoints(&stats),
        (vec!["GET /2.0/user/workspaces".to_owned()], 1),
        "the check proves the token with the list the picker opens with"
    );
    let (screen, stats) = upstream_calls(&app, Duration::ZERO, first_screen(&app, None)).await;
    assert_eq!(screen.groups.len(), 3);
    assert_eq!(
        stats
            .api_requests_by_endpoint
            .get("GET /2.0/user/workspaces"),
        None,
        "the picker takes the check's list"
    );

    // Taken once: the next opening asks Bitbucket again, as every opening does.
    let (_, stats) = upstream_calls(&app, Duration::ZERO, first_screen(&app, None)).await;
    assert_eq!(
        stats
            .api_requests_by_endpoint
            .get("GET /2.0/user/workspaces"),
        Some(&1)
    );
}

crate::both_engines!(
    the_connection_check_hands_its_workspace_list_to_the_picker,
    the_first_screen_takes_one_round_trip,
    the_step_opens_where_the_user_last_chose,
    reconnecting_the_same_account_keeps_the_last_choice,
    a_large_account_shows_a_first_page_and_searches_server_side,
    an_account_with_nothing_writable_gets_an_empty_list,
    missing_and_broken_connections_are_named,
    rate_limiting_is_passed_on_with_its_wait,
);
