//! Drafts: the wizard's, kept per user on the server through sign-out and sign-in, discarded
//! when the project is created; an editor's unsaved text, per project and pipeline, bounded,
//! and discarded when the pipeline is saved.

use crate::helpers::{spawn_app, Browser, Engine, TestApp};
use api::{ApiError, PipelineDraft, ProjectDraft, RepositoryRef, SavedDraft, SavedPipelineDraft};
use reqwest::Method;
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

async fn quick_start_project(app: &TestApp, name: &str) -> i64 {
    let body = json!({"name": name, "configuration": "quick_start"});
    let response = app.browser.post_json(api::paths::PROJECTS, &body).await;
    assert_eq!(response.status(), 201);
    response.json::<api::Project>().await.unwrap().id
}

async fn read_text(browser: &Browser, project: i64, path: Option<&str>) -> Option<PipelineDraft> {
    let response = browser
        .get(&api::paths::pipeline_draft(project, path, None))
        .await;
    assert_eq!(response.status(), 200);
    let saved: Option<SavedPipelineDraft> = response.json().await.unwrap();
    saved.map(|saved| saved.draft)
}

async fn keep_text(
    browser: &Browser,
    project: i64,
    path: Option<&str>,
    draft: &PipelineDraft,
) -> reqwest::Response {
    browser
        .fetch_json(
            Method::PUT,
            &api::paths::pipeline_draft(project, path, None),
            &serde_json::to_value(draft).unwrap(),
        )
        .await
}

fn text(path: &str, content: &str) -> PipelineDraft {
    PipelineDraft {
        path: path.into(),
        content: content.into(),
        base_revision: Some("1".into()),
        message: "half a thought".into(),
    }
}

async fn unsaved_pipeline_text_follows_the_user_until_the_pipeline_is_saved(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = quick_start_project(&app, "Quick").await;
    let path = "daily.tran.yaml";
    let content = api::PipelineKind::Transformation.template();
    let created = app
        .browser
        .fetch_json(
            Method::PUT,
            &api::paths::pipeline_file(id),
            &json!({"path": path, "content": content, "message": ""}),
        )
        .await;
    assert_eq!(created.status(), 200);

    // Typed into the stored pipeline and into a new one: two slots, each read back as kept.
    let edited = text(path, "type: \"transformation\"\n# editing");
    assert_eq!(
        keep_text(&app.browser, id, Some(path), &edited)
            .await
            .status(),
        200
    );
    let fresh = PipelineDraft {
        base_revision: None,
        ..text("new-pipeline.orch.yaml", "# new")
    };
    assert_eq!(
        keep_text(&app.browser, id, None, &fresh).await.status(),
        200
    );
    assert_eq!(
        read_text(&app.browser, id, Some(path)).await,
        Some(edited.clone())
    );
    assert_eq!(read_text(&app.browser, id, None).await, Some(fresh));

    // Signed out here and in elsewhere: the text is there.
    app.browser
        .post_json(api::paths::SIGN_OUT, &json!({}))
        .await;
    let elsewhere = Browser::new(&app.url);
    let signed_in = elsewhere
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": "ada@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(signed_in.status(), 200);
    assert_eq!(read_text(&elsewhere, id, Some(path)).await, Some(edited));

    // Nobody else reads or writes it: someone else's project reads as missing.
    let bob = Browser::new(&app.url);
    crate::helpers::sign_up_on(&bob, "bob@example.com").await;
    assert_eq!(
        bob.get(&api::paths::pipeline_draft(id, Some(path), None))
            .await
            .status(),
        404
    );

    // Saving the pipeline ends its draft; saving a new one ends the new pipeline's draft.
    let saved = elsewhere
        .fetch_json(
            Method::PUT,
            &api::paths::pipeline_file(id),
            &json!({"path": path, "content": content.replace("Input", "Orders"),
                    "message": "", "base_revision": "1"}),
        )
        .await;
    assert_eq!(saved.status(), 200);
    assert_eq!(read_text(&elsewhere, id, Some(path)).await, None);
    let created = elsewhere
        .fetch_json(
            Method::PUT,
            &api::paths::pipeline_file(id),
            &json!({"path": "other.tran.yaml", "content": content, "message": ""}),
        )
        .await;
    assert_eq!(created.status(), 200);
    assert_eq!(read_text(&elsewhere, id, None).await, None);
}

async fn pipeline_drafts_are_bounded_in_size_and_number(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = quick_start_project(&app, "Quick").await;
    let huge = text(
        "a.orch.yaml",
        &"x".repeat(api::pipeline::MAX_PIPELINE_BYTES + 1),
    );
    let refused = keep_text(&app.browser, id, Some("a.orch.yaml"), &huge).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        refused.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("content")
    );
    let bad_slot = keep_text(&app.browser, id, Some("../etc/passwd"), &text("a", "b")).await;
    assert_eq!(bad_slot.status(), 422);

    let max = api::draft::MAX_PIPELINE_DRAFTS;
    for n in 0..max {
        let path = format!("p{n}.orch.yaml");
        let kept = keep_text(&app.browser, id, Some(&path), &text(&path, "a")).await;
        assert_eq!(kept.status(), 200, "draft {n}");
    }
    let one_more = keep_text(&app.browser, id, Some("last.orch.yaml"), &text("last", "a")).await;
    assert_eq!(one_more.status(), 409, "the user keeps {max} already");
    assert_eq!(
        read_text(&app.browser, id, Some("last.orch.yaml")).await,
        None
    );
    // A draft already kept can still be updated, and a discarded one frees its place.
    let again = keep_text(&app.browser, id, Some("p0.orch.yaml"), &text("p0", "b")).await;
    assert_eq!(again.status(), 200);
    let discarded = app
        .browser
        .fetch_json(
            Method::DELETE,
            &api::paths::pipeline_draft(id, Some("p1.orch.yaml"), None),
            &json!({}),
        )
        .await;
    assert_eq!(discarded.status(), 204);
    let now_fits = keep_text(&app.browser, id, Some("last.orch.yaml"), &text("last", "a")).await;
    assert_eq!(now_fits.status(), 200);
}

/// Saves racing for the last place: exactly one wins, whatever the engine interleaves.
async fn the_draft_limit_holds_under_concurrent_saves(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let id = quick_start_project(&app, "Quick").await;
    let max = api::draft::MAX_PIPELINE_DRAFTS;
    for n in 0..max - 1 {
        let path = format!("p{n}.orch.yaml");
        keep_text(&app.browser, id, Some(&path), &text(&path, "a")).await;
    }
    let racers = (0..8).map(|n| {
        let browser = &app.browser;
        async move {
            let path = format!("race{n}.orch.yaml");
            keep_text(browser, id, Some(&path), &text(&path, "a"))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(racers).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
}

crate::both_engines!(
    a_draft_survives_signing_out_and_in,
    creating_the_project_discards_the_draft,
    drafts_are_bounded_and_empty_ones_are_dropped,
    unsaved_pipeline_text_follows_the_user_until_the_pipeline_is_saved,
    pipeline_drafts_are_bounded_in_size_and_number,
    the_draft_limit_holds_under_concurrent_saves,
);
