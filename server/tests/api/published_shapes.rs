//! The studio against Bitbucket as Atlassian publishes it (the sandbox answers in the shapes
//! of the OpenAPI document, which its contract tests hold it to): a workspace list without
//! names, `next` links that are opaque cursors, rotating long tokens, a 201 with no
//! `Location` for a commit, and the hourly rate limit.

use std::time::Duration;

use api::{
    ApiError, ErrorCode, MainBranch, Page, Project, Repository, RepositoryGroup, RepositoryPicker,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use server::crypto::TokenCipher;
use server::providers::grants::token_context;
use server::store::{NewGrant, StoredTokens};

use crate::helpers::{spawn_app, Engine, TestApp, TOKEN_KEY};

/// A server whose user authorized Bitbucket as `account` (a seeded display name).
async fn connected_as(engine: Engine, account: &str) -> TestApp {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    app.authorize_as(account, "Grant access").await;
    app
}

async fn get_json<T: serde::de::DeserializeOwned>(app: &TestApp, path: &str) -> T {
    let response = app.browser.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// A new user connects, chooses a repository and creates a project, against workspace
/// lists that carry no `name` (`workspace_base` has none, and here `fields=+…` pulls
/// nothing in): the picker shows slugs at once and the names follow from
/// `GET /workspaces/{workspace}`.
async fn the_wizard_runs_on_workspace_lists_without_names(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sandbox.sandbox.set_partial_responses(false);
    app.sign_up("ada@example.com").await;
    app.authorize_as("Alex Rivera", "Grant access").await;

    let screen: RepositoryPicker = get_json(&app, api::paths::BITBUCKET_REPOSITORY_PICKER).await;
    assert!(!screen.groups.is_empty());
    assert!(
        screen.groups.iter().all(|w| w.name.is_none()),
        "Bitbucket's workspace list names no workspace: {:?}",
        screen.groups
    );
    let named: Vec<RepositoryGroup> = get_json(&app, api::paths::BITBUCKET_WORKSPACE_NAMES).await;
    let acme = named.iter().find(|w| w.slug == "acme-data").unwrap();
    assert_eq!(acme.label(), "Acme Data");
    assert_eq!(named.len(), screen.groups.len());

    let branch: MainBranch = get_json(
        &app,
        &api::paths::bitbucket_main_branch("acme-data", "warehouse-pipelines"),
    )
    .await;
    assert!(matches!(branch, MainBranch::Ready { .. }), "{branch:?}");
    let created = app
        .browser
        .post_json(
            api::paths::PROJECTS,
            &json!({"name": "Warehouse", "configuration": "advanced",
                    "repository": {"group": "acme-data", "slug": "warehouse-pipelines"}}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let project: Project = created.json().await.unwrap();
    assert_eq!(project.name, "Warehouse");
}

/// With the partial response the REST introduction documents (`fields=+values.workspace.name`),
/// the workspace list names every workspace: the first screen shows names, and naming them
/// costs no call per workspace.
async fn workspace_names_come_with_the_workspace_list(engine: Engine) {
    let app = connected_as(engine, "Big Co Engineer").await;
    let screen: RepositoryPicker = get_json(&app, api::paths::BITBUCKET_REPOSITORY_PICKER).await;
    assert!(screen.groups.len() >= 20, "{}", screen.groups.len());
    assert!(
        screen.groups.iter().all(|w| w.name.is_some()),
        "{:?}",
        screen.groups
    );
    let before = app.sandbox.sandbox.stats().api_requests;
    let named: Vec<RepositoryGroup> = get_json(&app, api::paths::BITBUCKET_WORKSPACE_NAMES).await;
    assert_eq!(named, screen.groups);
    assert_eq!(
        app.sandbox.sandbox.stats().api_requests,
        before,
        "no GET /workspaces/{{workspace}} when the list named them"
    );
}

/// Bitbucket's `next` is opaque. With the sandbox answering cursors instead of page numbers,
/// the picker still pages through a large workspace, the app's cursor names only pages of
/// the same list, and a forged one is refused before anything reaches Bitbucket.
async fn next_links_are_followed_as_opaque_cursors(engine: Engine) {
    let app = connected_as(engine, "Big Co Engineer").await;
    app.sandbox.sandbox.set_cursor_pagination(true);
    let list = api::paths::bitbucket_repositories("bigco-03");
    let first: Page<Repository> = get_json(&app, &list).await;
    let cursor = first.next.clone().expect("a second page");
    assert!(
        !cursor.contains("page="),
        "the app sees no Bitbucket URL: {cursor}"
    );
    let second: Page<Repository> = get_json(
        &app,
        &format!("{list}?cursor={}", api::paths::encode_query_value(&cursor)),
    )
    .await;
    assert_eq!(second.values.len(), 50);
    assert!(
        second
            .values
            .iter()
            .all(|r| !first.values.iter().any(|f| f.slug == r.slug)),
        "the next page, not the first again"
    );

    let calls = app.sandbox.sandbox.stats().api_requests;
    for forged in [
        "not-a-cursor",
        // Another workspace's list, written as a cursor by hand.
        "L3JlcG9zaXRvcmllcy9iaWdjby0wND9wYWdlPTI",
    ] {
        let response = app.browser.get(&format!("{list}?cursor={forged}")).await;
        assert_eq!(response.status(), 422, "{forged}");
    }
    assert_eq!(app.sandbox.sandbox.stats().api_requests, calls);
}

/// Refresh tokens rotate on every refresh by default (as on bitbucket.org since May 2026),
/// tokens are over 2,500 characters, and both are stored, encrypted, whole.
async fn rotating_long_tokens_are_stored_whole(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let user_id = app
        .db
        .user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let before = app
        .db
        .stored_grant(user_id, api::GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .unwrap();
    let cipher = TokenCipher::new(&[SecretString::from(TOKEN_KEY.to_owned())]).unwrap();
    let open = |sealed: &str, column: &str| {
        cipher
            .decrypt(
                sealed,
                &token_context(user_id, api::GitProvider::BitbucketCloud, column),
            )
            .unwrap()
            .expose_secret()
            .to_owned()
    };
    let first_refresh = open(&before.refresh_token, "refresh_token");
    assert!(open(&before.access_token, "access_token").len() > 2500);
    assert!(first_refresh.len() > 2500);

    app.sandbox
        .sandbox
        .advance_clock(Duration::from_secs(7200 + 60));
    let response = app
        .browser
        .get(api::paths::BITBUCKET_REPOSITORY_PICKER)
        .await;
    assert_eq!(response.status(), 200);
    let after = app
        .db
        .stored_grant(user_id, api::GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .unwrap();
    let second_refresh = open(&after.refresh_token, "refresh_token");
    assert_ne!(second_refresh, first_refresh, "the refresh token rotated");
    assert!(second_refresh.len() > 2500);

    // And a token longer still (3,000 characters) round-trips through storage.
    let long = "t".repeat(3000);
    let sealed = cipher.encrypt(
        &SecretString::from(long.clone()),
        &token_context(user_id, api::GitProvider::BitbucketCloud, "access_token"),
    );
    let refresh = cipher.encrypt(
        &SecretString::from(long.clone()),
        &token_context(user_id, api::GitProvider::BitbucketCloud, "refresh_token"),
    );
    app.db
        .upsert_grant(NewGrant {
            user_id,
            provider: api::GitProvider::BitbucketCloud,
            account_id: "",
            account_uuid: "{u}",
            nickname: "",
            display_name: "Alex Rivera",
            avatar_url: None,
            scopes: "account repository:write",
            tokens: StoredTokens {
                access_token: &sealed,
                refresh_token: &refresh,
                access_expires_at: i64::MAX / 2,
            },
            preferred_workspace: None,
        })
        .await
        .unwrap();
    let stored = app
        .db
        .stored_grant(user_id, api::GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open(&stored.access_token, "access_token"), long);
    assert_eq!(open(&stored.refresh_token, "refresh_token"), long);
}

/// Bitbucket's hourly limit on `/2.0/repositories/…`: the picker used until the limit
/// answers 429 with a sentence saying when the user can go on, and works again once the
/// hour has rolled. Reads within a minute are served from the server's cache and cost no
/// part of the budget.
async fn the_hourly_rate_limit_is_explained_and_recovered_from(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox
        .sandbox
        .set_rate_limit(6, Duration::from_secs(3600));
    let list = |search: &'static str| {
        let app = &app;
        async move {
            app.browser
                .get(&format!(
                    "{}?search={search}",
                    api::paths::bitbucket_repositories("acme-data")
                ))
                .await
        }
    };
    // The same question twice costs one call: the second answer is the cached first.
    assert_eq!(list("ware").await.status(), 200);
    let calls = app.sandbox.sandbox.stats().api_requests;
    assert_eq!(list("ware").await.status(), 200);
    assert_eq!(
        app.sandbox.sandbox.stats().api_requests,
        calls,
        "no identical call twice"
    );

    let mut limited = None;
    for search in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        let response = list(search).await;
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let limited = limited.expect("the limit was reached");
    let error: ApiError = limited.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderRateLimited);
    let wait = error.retry_after_seconds.unwrap();
    assert!((3500..=3600).contains(&wait), "{wait}");
    assert!(error.message.contains("60 minutes"), "{}", error.message);
    assert!(
        error.message.contains("nothing you entered is lost"),
        "{}",
        error.message
    );

    app.sandbox.sandbox.advance_clock(Duration::from_secs(3601));
    assert_eq!(list("z").await.status(), 200, "the hour rolled");
}

/// Creating `main` when it exists already: Bitbucket's document names no status for that,
/// the sandbox answers 400 and another reading says 409. Requests racing to create it all
/// end with the branch there.
async fn a_branch_that_exists_already_is_success_in_any_reading(engine: Engine) {
    let app = connected_as(engine, "Lee Park").await;
    let path = api::paths::bitbucket_main_branch("lee-park", "etl-jobs");
    let empty = json!({});
    let requests = (0..4).map(|_| app.browser.post_json(&path, &empty));
    for response in futures::future::join_all(requests).await {
        assert_eq!(response.status(), 200);
        let branch: MainBranch = response.json().await.unwrap();
        assert!(matches!(branch, MainBranch::Ready { .. }), "{branch:?}");
    }
}

crate::both_engines!(
    the_wizard_runs_on_workspace_lists_without_names,
    workspace_names_come_with_the_workspace_list,
    next_links_are_followed_as_opaque_cursors,
    rotating_long_tokens_are_stored_whole,
    the_hourly_rate_limit_is_explained_and_recovered_from,
    a_branch_that_exists_already_is_success_in_any_reading,
);
