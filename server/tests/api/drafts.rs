//! The wizard's draft: kept per user on the server, through sign-out and sign-in, discarded
//! when the project is created.

use crate::helpers::{spawn_app, Browser, Engine, TestApp};
use api::{ApiError, ProjectDraft, RepositoryRef, SavedDraft};
use serde_json::json;

async fn read(browser: &Browser) -> Option<SavedDraft> {
    let response = browser.get(api::paths::PROJECT_DRAFT).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn save(browser: &Browser, draft: &ProjectDraft) -> reqwest::Response {
    let request = browser
        .raw()
        .put(browser.url(api::paths::PROJECT_DRAFT))
        .header("sec-fetch-site", "same-origin")
        .json(draft);
    browser.send(request).await
}

fn typed() -> ProjectDraft {
    ProjectDraft {
        configuration: Some(api::ProjectConfiguration::Advanced),
        repository: Some(RepositoryRef {
            provider: api::GitProvider::BitbucketCloud,
            group: "acme-data".into(),
            slug: "warehouse-pipelines".into(),
        }),
        name: "Sales ETL".into(),
        description: "Nightly loads, half written".into(),
    }
}

async fn a_draft_survives_signing_out_and_in(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    assert_eq!(read(&app.browser).await, None);

    let saved: Option<SavedDraft> = save(&app.browser, &typed()).await.json().await.unwrap();
    let saved = saved.expect("a draft with content is kept");
    assert_eq!(saved.draft, typed());
    assert_eq!(read(&app.browser).await, Some(saved.clone()));

    // Another browser, after signing out here and in there.
    app.browser
        .post_json(api::paths::SIGN_OUT, &json!({}))
        .await;
    let elsewhere = Browser::new(&app.url);
    let response = elsewhere
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(read(&elsewhere).await, Some(saved));

    // Nobody else sees it.
    let bob = Browser::new(&app.url);
    crate::helpers::sign_up_on(&bob, "bob@example.com").await;
    assert_eq!(read(&bob).await, None);

    let discard = elsewhere
        .send(
            elsewhere
                .raw()
                .delete(elsewhere.url(api::paths::PROJECT_DRAFT))
                .header("sec-fetch-site", "same-origin")
                .json(&json!({})),
        )
        .await;
    assert_eq!(discard.status(), 204);
    assert_eq!(read(&elsewhere).await, None);
}

async fn creating_the_project_discards_the_draft(engine: Engine) {
    let app = TestApp::connected(engine).await;
    save(&app.browser, &typed()).await;
    let body = json!({"name": "Sales ETL", "configuration": "advanced",
                      "repository": {"group": "acme-data", "slug": "warehouse-pipelines"}});
    let created = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(created.status(), 201);
    assert_eq!(read(&app.browser).await, None);
}

async fn drafts_are_bounded_and_empty_ones_are_dropped(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let huge = ProjectDraft {
        name: "x".repeat(api::draft::DRAFT_MAX_NAME_CHARS + 1),
        ..ProjectDraft::default()
    };
    let refused = save(&app.browser, &huge).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        refused.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("name")
    );
    save(&app.browser, &typed()).await;
    let cleared: Option<SavedDraft> = save(&app.browser, &ProjectDraft::default())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared, None, "an emptied draft is no draft");
    assert_eq!(read(&app.browser).await, None);
    let signed_out = Browser::new(&app.url);
    assert_eq!(
        signed_out.get(api::paths::PROJECT_DRAFT).await.status(),
        401
    );
}

crate::both_engines!(
    a_draft_survives_signing_out_and_in,
    creating_the_project_discards_the_draft,
    drafts_are_bounded_and_empty_ones_are_dropped,
);
