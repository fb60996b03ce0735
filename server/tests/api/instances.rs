//! Several instances behind a load balancer without sticky sessions: any instance serves any
//! request, one refresh at a time across instances, and a crash between two steps of a flow
//! loses nothing. Each test starts more servers as separate processes (the real binary) on
//! their own ports against the same database and sandbox (`TestApp::another_instance`); both
//! engines run (two instances may share one SQLite file on one machine; PostgreSQL is what
//! several machines share). Sessions across instances, which need PostgreSQL's `NOTIFY`, are
//! in sessions.rs.

use std::time::Duration;

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{Browser, Engine, TestApp, REPOSITORY_STEP};

const PAST_EXPIRY: Duration = Duration::from_secs(7200 + 60);

async fn authorize_started_on_one_instance_completes_on_another(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let b = app.another_instance().await;
    // The consent flow starts on A; Bitbucket's redirect back lands on B.
    let callback = app.consent_as("Alex Rivera", "Grant access").await;
    let on_b = callback.replacen(&app.url, &b.url, 1);
    assert_ne!(on_b, callback);
    let done = b.browser.get(&on_b).await;
    assert_eq!(done.status(), 303);
    assert_eq!(Browser::location(&done), REPOSITORY_STEP);
    assert!(matches!(
        app.connection().await,
        api::ConnectionStatus::Connected { .. }
    ));
}

async fn fifty_requests_over_two_instances_refresh_once(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let b = app.another_instance().await;
    app.sandbox.sandbox.advance_clock(PAST_EXPIRY);
    // Slow enough that both instances meet the expired token while a refresh is under way.
    app.sandbox.sandbox.set_latency(Duration::from_millis(100));
    let browsers = [&app.browser, &b.browser];
    // The picker's opening read reaches Bitbucket every time, not an instance's cache.
    let probe = api::paths::BITBUCKET_REPOSITORY_PICKER;
    let calls = (0..50).map(|i| browsers[i % 2].get(probe));
    for response in join_all(calls).await {
        assert_eq!(response.status(), 200);
    }
    assert_eq!(
        app.sandbox.sandbox.stats().token_requests.refresh_token,
        1,
        "one refresh call for 50 requests on two instances"
    );
}

async fn a_crash_between_authorize_and_callback_loses_nothing(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let mut b = app.another_instance().await;
    let draft =
        json!({"configuration": "advanced", "name": "Typed before the crash", "description": ""});
    let saved = b
        .browser
        .fetch_json(reqwest::Method::PUT, api::paths::PROJECT_DRAFT, &draft)
        .await;
    assert!(saved.status().is_success());
    // Instance B starts the authorization, then dies (SIGKILL) while the user is on Bitbucket.
    let callback = app
        .consent_on(&b.browser, "Alex Rivera", "Grant access")
        .await;
    b.kill();
    let gone = reqwest::Client::new()
        .get(format!("{}/healthz", b.url))
        .send()
        .await;
    assert!(gone.is_err(), "instance B is gone");

    // A restarted instance takes the callback: the transaction was in the database.
    let restarted = app.another_instance().await;
    let done = restarted
        .browser
        .get(&callback.replacen(&app.url, &restarted.url, 1))
        .await;
    assert_eq!(done.status(), 303);
    let status = restarted
        .browser
        .get(api::paths::BITBUCKET_CONNECTION)
        .await;
    let status: api::ConnectionStatus = status.json().await.unwrap();
    assert!(matches!(status, api::ConnectionStatus::Connected { .. }));
    let kept: api::SavedDraft = restarted
        .browser
        .get(api::paths::PROJECT_DRAFT)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept.draft.name, "Typed before the crash");
}

crate::both_engines!(
    authorize_started_on_one_instance_completes_on_another,
    fifty_requests_over_two_instances_refresh_once,
    a_crash_between_authorize_and_callback_loses_nothing,
);
