//! The repository step on Data Center: projects as groups, only writable repositories,
//! server-side search and paging (10,000 repositories), and the `main` branch.

use api::{MainBranch, Page, Repository, RepositoryPicker};

use super::DC;
use crate::helpers::{Engine, TestApp};

async fn picker(app: &TestApp, project: Option<&str>) -> RepositoryPicker {
    let mut path = api::paths::repository_picker(DC);
    if let Some(project) = project {
        path = format!("{path}?group={project}");
    }
    let response = app.browser.get(&path).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn page(app: &TestApp, project: &str, query: &str) -> Page<Repository> {
    let path = format!("{}?{query}", api::paths::repositories(DC, project));
    let response = app.browser.get(&path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

fn slugs(page: &Page<Repository>) -> Vec<&str> {
    page.values.iter().map(|r| r.slug.as_str()).collect()
}

async fn projects_group_the_writable_repositories(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    let first = picker(&app, None).await;
    let keys: Vec<&str> = first.groups.iter().map(|w| w.slug.as_str()).collect();
    assert!(keys.starts_with(&["DATA", "OPS"]), "{keys:?}");
    assert_eq!(first.groups[0].name.as_deref(), Some("Data Platform"));
    assert_eq!(first.group.as_deref(), Some("DATA"));
    assert_eq!(
        slugs(&first.repositories),
        ["empty-repo", "pipelines", "warehouse"]
    );
    assert_eq!(first.repositories.values[1].full_name, "DATA/pipelines");
    // OPS: the two repositories alex only reads are not offered.
    let ops = picker(&app, Some("OPS")).await;
    assert_eq!(slugs(&ops.repositories), ["ops-scripts"]);
    // Alex's personal project is a group too (its key `~ALEX`; the document's project list
    // returns every project the user may view, and users administer their personal
    // projects), named for its owner; its repository can become a project's.
    let personal = first
        .groups
        .iter()
        .find(|g| g.slug == "~ALEX")
        .unwrap_or_else(|| panic!("no personal project in {keys:?}"));
    assert_eq!(personal.name.as_deref(), Some("Alex Rivera"));
    let mine = picker(&app, Some("~ALEX")).await;
    assert_eq!(mine.group.as_deref(), Some("~ALEX"));
    assert_eq!(slugs(&mine.repositories), ["notes"]);
    let state: MainBranch = app
        .browser
        .get(&api::paths::main_branch(DC, "~ALEX", "notes"))
        .await
        .json()
        .await
        .unwrap();
    assert!(matches!(state, MainBranch::Ready { .. }), "{state:?}");
    // Someone with no personal repository gets no personal group.
    let sam = crate::helpers::Browser::new(&app.url);
    crate::helpers::sign_up_on(&sam, "sam@example.com").await;
    app.authorize_datacenter(&sam, "sam", "Allow").await;
    let sams: api::RepositoryPicker = sam
        .get(&api::paths::repository_picker(DC))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        sams.groups.iter().all(|g| !g.slug.starts_with('~')),
        "{:?}",
        sams.groups
    );
    // Names that could steer the proxy are refused before any call.
    for bad in ["..", "DATA%2F..", "a%20b"] {
        let response = app
            .browser
            .get(&format!(
                "{}?group={bad}",
                api::paths::repository_picker(DC)
            ))
            .await;
        assert_eq!(response.status(), 422, "{bad}");
    }
}

async fn ten_thousand_repositories_are_searched_and_paged_on_the_server(engine: Engine) {
    let app = crate::helpers::spawn_app(engine).await;
    app.sign_up("big@example.com").await;
    app.authorize_datacenter(&app.browser, "bigdc", "Allow")
        .await;
    // With nothing chosen yet, the step opens on a project with repositories to choose:
    // bigdc's first project by key (DATA) is one it only reads.
    let first = picker(&app, None).await;
    assert_eq!(first.group.as_deref(), Some("P01"));
    assert_eq!(first.repositories.values.len(), 50);
    assert!(first.groups.iter().any(|w| w.slug == "DATA"));
    let big: Vec<&str> = first
        .groups
        .iter()
        .map(|w| w.slug.as_str())
        .filter(|k| k.starts_with('P'))
        .collect();
    assert_eq!(big.len(), 20, "{big:?}");
    let first = picker(&app, Some("P01")).await;
    assert_eq!(first.group.as_deref(), Some("P01"));
    // Every page of one project, by the cursors the server hands out.
    let mut seen = first.repositories.values.len();
    let mut next = first.repositories.next.clone();
    let mut pages = 1;
    while let Some(cursor) = next {
        let more = page(&app, "P01", &format!("cursor={cursor}")).await;
        seen += more.values.len();
        next = more.next;
        pages += 1;
        assert!(pages <= 20, "the pages end");
    }
    assert_eq!(seen, 500, "P01's writable repositories");
    // Search runs on Data Center (`name`), not over a downloaded list.
    let wanted = first.repositories.values[41].name.clone();
    app.datacenter.sandbox.clear_stats();
    let found = page(&app, "P01", &format!("search={wanted}")).await;
    assert!(found.values.iter().any(|r| r.name == wanted), "{wanted}");
    assert!(found.values.len() < 50, "narrowed on the server");
    assert_eq!(app.datacenter.sandbox.stats().api_requests, 1);
    // The same search a moment later is answered from the minute's cache, as on Cloud: no
    // second call to Data Center. Refresh asks again.
    let again = page(&app, "P01", &format!("search={wanted}")).await;
    assert_eq!(slugs(&again), slugs(&found));
    assert_eq!(
        app.datacenter.sandbox.stats().api_requests,
        1,
        "a repeated search is not asked again"
    );
    page(&app, "P01", &format!("search={wanted}&refresh=true")).await;
    assert_eq!(app.datacenter.sandbox.stats().api_requests, 2);
    // The read-only archive is never offered.
    assert!(page(&app, "P01", "search=archive").await.values.is_empty());
    // Only a cursor the server handed out for this very list is followed: not one made up,
    // nor Data Center's own page start, nor P01's taken to P02.
    let handed_out = first.repositories.next.clone().expect("a second page");
    for (project, cursor) in [
        ("P01", "abc".to_owned()),
        ("P01", "50".to_owned()),
        ("P02", handed_out),
    ] {
        let bad = app
            .browser
            .get(&format!(
                "{}?cursor={}",
                api::paths::repositories(DC, project),
                api::paths::encode_query_value(&cursor)
            ))
            .await;
        assert_eq!(bad.status(), 422, "{project} {cursor}");
    }
}

async fn main_is_checked_and_created_from_the_default_branch_or_from_nothing(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    let path = api::paths::main_branch(DC, "DATA", "warehouse");
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
    assert!(app
        .datacenter
        .sandbox
        .file_on_branch("DATA", "warehouse", "main", "README.md")
        .is_some());
    // With the create whose statuses Atlassian's document declares (branch-utils), never
    // the `api/latest` one.
    let calls = app.datacenter.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls
            .get("POST /branch-utils/latest/projects/{projectKey}/repos/{repositorySlug}/branches"),
        Some(&1)
    );
    assert_eq!(
        calls.get("POST /api/latest/projects/{projectKey}/repos/{repositorySlug}/branches"),
        None
    );

    let empty = api::paths::main_branch(DC, "DATA", "empty-repo");
    let state: MainBranch = app.browser.get(&empty).await.json().await.unwrap();
    assert_eq!(state, MainBranch::EmptyRepository);
    let created = app.browser.post_json(&empty, &serde_json::json!({})).await;
    assert_eq!(created.status(), 200);
    assert!(matches!(
        created.json().await.unwrap(),
        MainBranch::Ready { .. }
    ));
    // Creating again is harmless.
    let again = app.browser.post_json(&empty, &serde_json::json!({})).await;
    assert_eq!(again.status(), 200);
}

async fn a_repository_the_user_only_reads_cannot_become_a_project(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    let body = serde_json::json!({"name": "Runbooks", "configuration": "advanced",
        "repository": {"provider": "bitbucket_data_center", "group": "OPS", "slug": "runbooks"}});
    let refused = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(refused.status(), 403);
    let body = serde_json::json!({"name": "Warehouse", "configuration": "advanced",
        "repository": {"provider": "bitbucket_data_center", "group": "DATA", "slug": "warehouse"}});
    let no_main = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(no_main.status(), 422, "no main branch yet");
}

crate::both_engines!(
    projects_group_the_writable_repositories,
    ten_thousand_repositories_are_searched_and_paged_on_the_server,
    main_is_checked_and_created_from_the_default_branch_or_from_nothing,
    a_repository_the_user_only_reads_cannot_become_a_project,
);
