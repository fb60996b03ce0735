//! GitHub's repositories in the picker: the accounts where the studio's app is installed, the
//! repositories the user can push to, a missing installation and the way back from
//! installing, search and paging over 500 a account, and the `main` branch.

use api::{MainBranch, Page, Repository, RepositoryPicker};

use super::GH;
use crate::helpers::{Engine, TestApp};

async fn picker(app: &TestApp, group: Option<&str>) -> RepositoryPicker {
    let mut path = api::paths::repository_picker(GH);
    if let Some(group) = group {
        path = format!("{path}?group={group}");
    }
    let response = app.browser.get(&path).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn page(app: &TestApp, group: &str, query: &str) -> Page<Repository> {
    let path = format!("{}?{query}", api::paths::repositories(GH, group));
    let response = app.browser.get(&path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

fn slugs(page: &Page<Repository>) -> Vec<&str> {
    page.values.iter().map(|r| r.slug.as_str()).collect()
}

async fn installed_accounts_group_the_repositories_the_user_can_push_to(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let opened = picker(&app, Some("acme-data")).await;
    let groups: Vec<&str> = opened.groups.iter().map(|g| g.slug.as_str()).collect();
    assert!(
        groups.contains(&"acme-data") && groups.contains(&"alex"),
        "{groups:?}"
    );
    assert!(
        !groups.contains(&"globex"),
        "not installed there: {groups:?}"
    );
    let shown = opened.repositories;
    let names = slugs(&shown);
    assert!(
        names.contains(&"pipelines") && names.contains(&"warehouse"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"runbooks"),
        "read-only is not offered: {names:?}"
    );
    // The personal installation covers selected repositories only.
    let own = page(&app, "alex", "").await;
    assert!(slugs(&own).contains(&"notes"));
    assert!(!slugs(&own).contains(&"scratch"), "{:?}", slugs(&own));
}

async fn a_missing_installation_is_installed_and_the_user_comes_back(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let globex = format!("{}?", api::paths::repositories(GH, "globex"));
    let missing = app.browser.get(&globex).await;
    assert_eq!(missing.status(), 404);
    let error: api::ApiError = missing.json().await.unwrap();
    assert!(error.message.contains("GitHub"), "{}", error.message);
    // GitHub's Setup URL brings the browser back to the page named in `state`; an
    // `installation_id` anyone could make up is not read.
    let back = "/projects/new/advanced/github/repository";
    let returned = app
        .browser
        .get(&format!(
            "{}?installation_id=999&setup_action=install&state={}",
            api::paths::oauth_installed(GH),
            api::paths::encode_query_value(back)
        ))
        .await;
    assert_eq!(returned.status(), 303);
    assert_eq!(crate::helpers::Browser::location(&returned), back);
    let off_site = app
        .browser
        .get(&format!(
            "{}?state=https://evil.example/",
            api::paths::oauth_installed(GH)
        ))
        .await;
    assert!(!crate::helpers::Browser::location(&off_site).contains("evil"));
    app.github
        .sandbox
        .install("globex", crate::helpers::GITHUB_APP_SLUG);
    let refreshed = app
        .browser
        .get(&format!(
            "{}?refresh=true",
            api::paths::repository_picker(GH)
        ))
        .await;
    let refreshed: RepositoryPicker = refreshed.json().await.unwrap();
    assert!(refreshed.groups.iter().any(|g| g.slug == "globex"));
    assert!(slugs(&page(&app, "globex", "").await).contains(&"etl"));
}

async fn a_user_without_any_installation_sees_no_account(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "newbie").await;
    let opened = picker(&app, None).await;
    assert!(opened.groups.is_empty(), "{:?}", opened.groups);
}

async fn five_hundred_repositories_an_account_are_searched_and_paged(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "bigco").await;
    let opened = picker(&app, None).await;
    assert_eq!(opened.groups.len(), sandbox::github::BIG_ORGS);
    let first = page(&app, "bigco-01", "").await;
    assert_eq!(first.values.len(), 50);
    // Page after page, every repository once: ten pages of 50 from five of GitHub's 100.
    let mut seen: Vec<String> = slugs(&first).iter().map(|s| s.to_string()).collect();
    let mut next = first.next.clone();
    while let Some(cursor) = next {
        let more = page(&app, "bigco-01", &format!("cursor={cursor}")).await;
        seen.extend(slugs(&more).iter().map(|s| s.to_string()));
        next = more.next;
    }
    assert_eq!(seen.len(), sandbox::github::BIG_REPOSITORIES_PER_ORG);
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen.len(),
        sandbox::github::BIG_REPOSITORIES_PER_ORG,
        "none twice"
    );
    let found = page(&app, "bigco-01", "search=service-00042").await;
    assert_eq!(slugs(&found), ["service-00042"]);
    assert_eq!(found.size, Some(1));
    let calls = app.github.sandbox.stats().api_requests_by_endpoint;
    let listed = calls["GET /user/installations/{installation_id}/repositories"];
    // Another term in the same minute reads nothing again.
    let again = page(&app, "bigco-01", "search=service-0044").await;
    assert_eq!(again.values.len(), 10);
    let calls = app.github.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls["GET /user/installations/{installation_id}/repositories"],
        listed
    );
    // A first search of an account not listed yet reads its whole list once: five pages of
    // 100, the first and then the other four at the same time.
    let other = page(&app, "bigco-02", "search=service-00542").await;
    assert_eq!(slugs(&other), ["service-00542"]);
    let calls = app.github.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls["GET /user/installations/{installation_id}/repositories"],
        listed + 5
    );
    let bad = app
        .browser
        .get(&format!(
            "{}?cursor=0",
            api::paths::repositories(GH, "bigco-01")
        ))
        .await;
    assert_eq!(bad.status(), 422);
}

async fn main_is_checked_and_created_from_the_default_branch_or_from_nothing(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let path = api::paths::main_branch(GH, "acme-data", "warehouse");
    let state: MainBranch = app.browser.get(&path).await.json().await.unwrap();
    assert_eq!(
        state,
        MainBranch::Missing {
            default_branch: "master".into()
        }
    );
    let created = app.browser.post_json(&path, &serde_json::json!({})).await;
    assert_eq!(created.status(), 200);
    assert!(matches!(
        created.json().await.unwrap(),
        MainBranch::Ready { .. }
    ));
    let empty = api::paths::main_branch(GH, "acme-data", "empty-repo");
    let state: MainBranch = app.browser.get(&empty).await.json().await.unwrap();
    assert_eq!(state, MainBranch::EmptyRepository);
    let created = app.browser.post_json(&empty, &serde_json::json!({})).await;
    assert_eq!(created.status(), 200);
    assert!(matches!(
        created.json().await.unwrap(),
        MainBranch::Ready { .. }
    ));
    assert!(app
        .github
        .sandbox
        .file_on_branch("acme-data", "empty-repo", "main", "README.md")
        .is_some());
    let again = app.browser.post_json(&empty, &serde_json::json!({})).await;
    assert_eq!(again.status(), 200, "creating again is harmless");
}

async fn a_repository_the_user_only_reads_cannot_become_a_project(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let body = serde_json::json!({"name": "Runbooks", "configuration": "advanced",
        "repository": {"provider": "github", "group": "acme-data", "slug": "runbooks"}});
    let refused = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(refused.status(), 403);
    let error: api::ApiError = refused.json().await.unwrap();
    assert!(
        error.message.contains("cannot write to acme-data/runbooks"),
        "{}",
        error.message
    );
}

crate::both_engines!(
    installed_accounts_group_the_repositories_the_user_can_push_to,
    a_missing_installation_is_installed_and_the_user_comes_back,
    a_user_without_any_installation_sees_no_account,
    five_hundred_repositories_an_account_are_searched_and_paged,
    main_is_checked_and_created_from_the_default_branch_or_from_nothing,
    a_repository_the_user_only_reads_cannot_become_a_project,
);
