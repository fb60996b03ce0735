//! A Bitbucket authorization over its life: expiry and refresh (single-flight, rotation-safe),
//! transient failures that keep the link, revocation that turns into "Reconnect", disconnect,
//! and the audit trail that records all of it. Time passes through the sandbox's clock (its
//! tokens expire) or by ageing the server's rows (the server believes they expired).

use std::time::Duration;

use crate::helpers::{Engine, TestApp, CLIENT_ID, REPOSITORY_STEP};
use api::{ApiError, ConnectionEventKind as Event, ConnectionStatus, ErrorCode};
use futures::future::join_all;

const TOKEN_PATH: &str = "/site/oauth2/access_token";
/// Past the sandbox's 7,200-second access-token lifetime.
const PAST_EXPIRY: Duration = Duration::from_secs(7200 + 60);

/// The repository picker, as the repository step opens: a call that needs the user's token
/// and asks Bitbucket (its workspace list) every time, whatever the server read a moment ago.
async fn list_workspaces(app: &TestApp) -> reqwest::Response {
    app.browser
        .get(api::paths::BITBUCKET_REPOSITORY_PICKER)
        .await
}

async fn error_of(response: reqwest::Response) -> ApiError {
    response.json().await.unwrap()
}

fn refreshes(app: &TestApp) -> u64 {
    app.sandbox.sandbox.stats().token_requests.refresh_token
}

fn workspace_calls(app: &TestApp) -> u64 {
    let stats = app.sandbox.sandbox.stats();
    stats
        .api_requests_by_endpoint
        .get("GET /2.0/user/workspaces")
        .copied()
        .unwrap_or(0)
}

/// 50 requests at once, each needing the user's token.
async fn fifty_concurrent_calls(app: &TestApp) {
    let responses = join_all((0..50).map(|_| list_workspaces(app))).await;
    for response in responses {
        assert_eq!(response.status(), 200);
    }
}

async fn an_expired_token_is_refreshed_once_under_fifty_concurrent_requests(engine: Engine) {
    let app = TestApp::connected(engine).await;
    // Bitbucket considers the token expired; the server does not know yet, so all 50 calls
    // meet a 401 "Access token expired" and race to refresh.
    app.sandbox.sandbox.advance_clock(PAST_EXPIRY);
    fifty_concurrent_calls(&app).await;
    assert_eq!(refreshes(&app), 1, "one refresh call for 50 requests");
    assert_eq!(
        app.event_kinds().await,
        [Event::Refreshed, Event::Connected]
    );
}

async fn a_token_known_to_be_expired_is_refreshed_before_use(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox.sandbox.advance_clock(PAST_EXPIRY);
    app.sql("UPDATE provider_grants SET access_expires_at = 0")
        .await;
    let calls_before = workspace_calls(&app);
    fifty_concurrent_calls(&app).await;
    assert_eq!(refreshes(&app), 1, "one refresh call for 50 requests");
    assert_eq!(
        workspace_calls(&app) - calls_before,
        50,
        "refreshed before calling: no call was spent on a 401"
    );
}

async fn rotated_refresh_tokens_are_stored_before_use(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox.sandbox.set_rotation(true);
    // Each refresh returns a new refresh token; the old one dies 10 minutes after first use.
    // Two expiries later, the second refresh only works if the first one's token was kept.
    for round in 1..=3 {
        app.sandbox.sandbox.advance_clock(PAST_EXPIRY);
        assert_eq!(list_workspaces(&app).await.status(), 200, "round {round}");
        assert_eq!(refreshes(&app), round);
    }
    assert!(matches!(
        app.connection().await,
        ConnectionStatus::Connected { .. }
    ));
}

async fn revocation_is_detected_and_reconnect_restores_the_link(engine: Engine) {
    let app = TestApp::connected(engine).await;
    // The repository step opens after connecting, then the user revokes on Bitbucket.
    assert_eq!(list_workspaces(&app).await.status(), 200);
    app.sandbox.sandbox.revoke("alex", CLIENT_ID);

    let refused = list_workspaces(&app).await;
    assert_eq!(refused.status(), 409);
    let error = error_of(refused).await;
    assert_eq!(error.code, ErrorCode::ProviderReconnectNeeded);
    assert!(error.message.contains("Reconnect"), "{}", error.message);

    let ConnectionStatus::ReconnectNeeded { reason, account } = app.connection().await else {
        panic!("the status shows the broken link");
    };
    assert!(reason.contains("Reconnect"), "{reason}");
    assert_eq!(
        account.unwrap().nickname.as_deref(),
        Some("alex"),
        "names who to reconnect as"
    );
    assert_eq!(
        app.event_kinds().await,
        [
            Event::ReconnectNeeded,
            Event::RefreshFailed,
            Event::Connected
        ]
    );

    // A link marked for reconnection is not refreshed again and again.
    let refreshes_after_revocation = refreshes(&app);
    for _ in 0..3 {
        assert_eq!(list_workspaces(&app).await.status(), 409);
    }
    assert_eq!(refreshes(&app), refreshes_after_revocation);

    // Reconnect: the grant is gone on Bitbucket, so the consent page is shown again.
    assert_eq!(
        app.authorize_as("Alex Rivera", "Grant access").await,
        REPOSITORY_STEP
    );
    assert!(matches!(
        app.connection().await,
        ConnectionStatus::Connected { .. }
    ));
    assert_eq!(list_workspaces(&app).await.status(), 200);
    assert_eq!(app.event_kinds().await[0], Event::Connected);
}

/// The workspace list read while connecting serves the repository step that follows, once;
/// every later opening asks Bitbucket, so a revocation a moment after a read still shows.
async fn every_opening_after_the_first_asks_bitbucket(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let read_while_connecting = workspace_calls(&app);
    assert_eq!(read_while_connecting, 1);
    assert_eq!(list_workspaces(&app).await.status(), 200);
    assert_eq!(workspace_calls(&app), 1, "handed over from the callback");
    assert_eq!(list_workspaces(&app).await.status(), 200);
    assert_eq!(
        workspace_calls(&app),
        2,
        "a second opening (a reload) asks again"
    );

    app.sandbox.sandbox.revoke("alex", CLIENT_ID);
    let refused = list_workspaces(&app).await;
    assert_eq!(
        error_of(refused).await.code,
        ErrorCode::ProviderReconnectNeeded
    );
}

async fn the_status_check_notices_revocation(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox.sandbox.revoke("alex", CLIENT_ID);
    // Within the revalidation interval the status trusts the last successful call…
    assert!(matches!(
        app.connection().await,
        ConnectionStatus::Connected { .. }
    ));
    // …after it, the status asks Bitbucket.
    app.sql("UPDATE provider_grants SET validated_at = 0").await;
    assert!(matches!(
        app.connection().await,
        ConnectionStatus::ReconnectNeeded { .. }
    ));
}

async fn the_status_check_refreshes_an_expired_token(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox.sandbox.advance_clock(PAST_EXPIRY);
    app.sql("UPDATE provider_grants SET access_expires_at = 0")
        .await;
    assert!(matches!(
        app.connection().await,
        ConnectionStatus::Connected { .. }
    ));
    assert_eq!(refreshes(&app), 1);
}

async fn a_transient_refresh_failure_keeps_the_link(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let sandbox = &app.sandbox.sandbox;

    // One 503: retried after a pause, the user never notices.
    sandbox.advance_clock(PAST_EXPIRY);
    sandbox.inject_fault(503, 1, TOKEN_PATH);
    assert_eq!(list_workspaces(&app).await.status(), 200);
    assert_eq!(sandbox.stats().faults_injected, 1);

    // A longer outage: every attempt fails, the request reports Bitbucket unavailable, and
    // the link stays connected.
    sandbox.advance_clock(PAST_EXPIRY);
    sandbox.inject_fault(503, 3, TOKEN_PATH);
    let unavailable = list_workspaces(&app).await;
    assert_eq!(unavailable.status(), 502);
    // An outage says when to come back (the soak found it did not).
    assert_eq!(unavailable.headers()["retry-after"], "5");
    let error = error_of(unavailable).await;
    assert_eq!(error.code, ErrorCode::ProviderUnavailable);
    assert_eq!(error.retry_after_seconds, Some(5));
    assert!(matches!(
        app.connection().await,
        ConnectionStatus::Connected { .. }
    ));
    assert_eq!(app.event_kinds().await[0], Event::RefreshFailed);

    // Bitbucket is back: the next request refreshes and works.
    assert_eq!(list_workspaces(&app).await.status(), 200);
    assert_eq!(app.event_kinds().await[0], Event::Refreshed);
}

async fn a_rate_limited_refresh_honours_retry_after_and_keeps_the_link(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let sandbox = &app.sandbox.sandbox;
    sandbox.advance_clock(PAST_EXPIRY);
    // The sandbox's 429 says `Retry-After: 1`: short enough to wait for inside the request.
    sandbox.inject_fault(429, 1, TOKEN_PATH);
    assert_eq!(list_workspaces(&app).await.status(), 200);

    sandbox.advance_clock(PAST_EXPIRY);
    sandbox.inject_fault(429, 3, TOKEN_PATH);
    let limited = list_workspaces(&app).await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    let error = error_of(limited).await;
    assert_eq!(error.code, ErrorCode::ProviderRateLimited);
    assert!(error.retry_after_seconds.is_some());
    assert_eq!(
        list_workspaces(&app).await.status(),
        200,
        "the link was kept"
    );
}

async fn disconnect_forgets_the_tokens(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let response = app
        .browser
        .delete_json(api::paths::BITBUCKET_CONNECTION)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(app.connection().await, ConnectionStatus::NotConnected);
    let refused = list_workspaces(&app).await;
    assert_eq!(refused.status(), 409);
    assert_eq!(
        error_of(refused).await.code,
        ErrorCode::ProviderNotConnected
    );
    assert_eq!(
        app.browser
            .delete_json(api::paths::BITBUCKET_CONNECTION)
            .await
            .status(),
        204,
        "disconnecting twice is harmless"
    );
    assert_eq!(
        app.event_kinds().await,
        [Event::Disconnected, Event::Connected],
        "one disconnect recorded"
    );

    // The grant still exists on Bitbucket (only App authorizations can revoke it), so
    // authorizing again goes straight through: a consent page would fail this helper, which
    // finds no button of that name.
    assert_eq!(
        app.authorize_as("Alex Rivera", "(no consent page expected)")
            .await,
        REPOSITORY_STEP
    );
    assert_eq!(list_workspaces(&app).await.status(), 200);
}

async fn the_audit_trail_is_private_and_needs_a_session(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let other = crate::helpers::Browser::new(&app.url);
    assert_eq!(
        other
            .get(api::paths::BITBUCKET_CONNECTION_EVENTS)
            .await
            .status(),
        401
    );
    crate::helpers::sign_up_on(&other, "bob@example.com").await;
    let events: Vec<api::ConnectionEvent> = other
        .get(api::paths::BITBUCKET_CONNECTION_EVENTS)
        .await
        .json()
        .await
        .unwrap();
    assert!(events.is_empty(), "another user sees none of ada's events");
    assert_eq!(app.event_kinds().await, [Event::Connected]);
}

crate::both_engines!(
    an_expired_token_is_refreshed_once_under_fifty_concurrent_requests,
    a_token_known_to_be_expired_is_refreshed_before_use,
    rotated_refresh_tokens_are_stored_before_use,
    revocation_is_detected_and_reconnect_restores_the_link,
    every_opening_after_the_first_asks_bitbucket,
    the_status_check_notices_revocation,
    the_status_check_refreshes_an_expired_token,
    a_transient_refresh_failure_keeps_the_link,
    a_rate_limited_refresh_honours_retry_after_and_keeps_the_link,
    disconnect_forgets_the_tokens,
    the_audit_trail_is_private_and_needs_a_session,
);
