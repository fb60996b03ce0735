//! Authorizing GitHub: per user and once, a cancelled consent, revocation on GitHub,
//! Disconnect that revokes there, refresh with single-use refresh tokens, and GitHub's
//! rate limits told in its name.

use api::{ApiError, ConnectionStatus, ErrorCode, ServerInfo};

use super::GH;
use crate::helpers::github::Consent;
use crate::helpers::{Engine, TestApp, CLIENT_ID};

async fn status(app: &TestApp) -> ConnectionStatus {
    let response = app.browser.get(&api::paths::connection(GH)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn github_is_offered_with_its_install_page(engine: Engine) {
    let app = crate::helpers::spawn_app(engine).await;
    let info: ServerInfo = app
        .browser
        .get(api::paths::INFO)
        .await
        .json()
        .await
        .unwrap();
    let github = info
        .providers
        .iter()
        .find(|p| p.provider == GH)
        .expect("GitHub is offered");
    assert_eq!(github.wording.short_name, "GitHub");
    assert_eq!(github.wording.group_noun, "account");
    assert!(github.revokes_on_disconnect, "Disconnect revokes on GitHub");
    assert!(info
        .providers
        .iter()
        .filter(|p| p.provider != GH)
        .all(|p| !p.revokes_on_disconnect && p.install_url.is_none()));
    assert_eq!(
        github.install_url.as_deref(),
        Some(
            app.github
                .sandbox
                .install_url(crate::helpers::GITHUB_APP_SLUG)
                .as_str()
        )
    );
    assert!(github
        .revoke_url
        .starts_with(&app.github.sandbox.authorized_apps_url()));
}

async fn connecting_asks_once_and_names_the_account(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    assert_eq!(status(&app).await, ConnectionStatus::NotConnected);
    let back = app
        .authorize_github(&app.browser, "alex", Consent::Authorize)
        .await;
    assert_eq!(back, "/projects/new/advanced/github/repository");
    let ConnectionStatus::Connected { account, .. } = status(&app).await else {
        panic!("not connected");
    };
    assert_eq!(account.display_name, "Alex Rivera");
    assert_eq!(account.nickname.as_deref(), Some("alex"));
    let before = app.github.sandbox.stats().authorize_requests;
    let picker = app.browser.get(&api::paths::repository_picker(GH)).await;
    assert_eq!(picker.status(), 200);
    assert_eq!(
        app.github.sandbox.stats().authorize_requests,
        before,
        "once"
    );
    for secret in app.github.sandbox.secrets_issued_to("alex") {
        let link = app.db.stored_grant(1, GH).await.unwrap().unwrap();
        assert!(!link.access_token.contains(&secret) && !link.refresh_token.contains(&secret));
    }
}

async fn a_cancelled_consent_returns_to_the_wizard_with_the_reason(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let back = app
        .authorize_github(&app.browser, "alex", Consent::Cancel)
        .await;
    assert!(
        back.starts_with("/projects/new/advanced/github/repository?"),
        "{back}"
    );
    assert!(back.contains("oauth_error=access_denied"), "{back}");
    assert_eq!(status(&app).await, ConnectionStatus::NotConnected);
}

async fn a_grant_revoked_on_github_asks_to_reconnect_in_githubs_name(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    app.github.sandbox.revoke("alex", CLIENT_ID);
    let refused = app.browser.get(&api::paths::repository_picker(GH)).await;
    assert_eq!(refused.status(), 409);
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderReconnectNeeded);
    assert!(
        error.message.starts_with("GitHub no longer accepts"),
        "{}",
        error.message
    );
    let ConnectionStatus::ReconnectNeeded { reason, .. } = status(&app).await else {
        panic!("reconnect needed");
    };
    assert!(reason.contains("GitHub"), "{reason}");
    app.authorize_github(&app.browser, "alex", Consent::Authorize)
        .await;
    assert!(matches!(
        status(&app).await,
        ConnectionStatus::Connected { .. }
    ));
}

async fn an_expired_token_is_refreshed_once_with_a_single_use_refresh_token(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    app.github
        .sandbox
        .advance_clock(std::time::Duration::from_secs(9 * 3600));
    let (picker, groups) = (
        api::paths::repository_picker(GH),
        api::paths::workspaces(GH),
    );
    let (a, b) = tokio::join!(app.browser.get(&picker), app.browser.get(&groups));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let tokens = app.github.sandbox.stats().token_requests;
    assert_eq!(
        tokens.refresh_token, 1,
        "one refresh for two requests: {tokens:?}"
    );
    // Again after another 8 hours: the rotated refresh token was kept (the first is dead).
    app.github
        .sandbox
        .advance_clock(std::time::Duration::from_secs(9 * 3600));
    assert_eq!(app.browser.get(&picker).await.status(), 200);
    assert_eq!(app.github.sandbox.stats().token_requests.refresh_token, 2);
}

async fn disconnect_revokes_the_grant_on_github(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let issued = app.github.sandbox.secrets_issued_to("alex");
    assert!(!issued.is_empty());
    let gone = app.browser.delete_json(&api::paths::connection(GH)).await;
    assert_eq!(gone.status(), 204);
    assert_eq!(status(&app).await, ConnectionStatus::NotConnected);
    let calls = app.github.sandbox.stats().api_requests_by_endpoint;
    assert_eq!(
        calls.get("DELETE /applications/{client_id}/grant"),
        Some(&1),
        "{calls:?}"
    );
    // The token the studio held no longer works on GitHub.
    let api = app.github.sandbox.api_url();
    for secret in issued.iter().filter(|s| s.starts_with("ghu_")) {
        let answer = reqwest::Client::new()
            .get(format!("{api}/user"))
            .bearer_auth(secret)
            .header("user-agent", "test")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401, "revoked on GitHub");
    }
    let events = app.browser.get(&api::paths::connection_events(GH)).await;
    let events: Vec<api::ConnectionEvent> = events.json().await.unwrap();
    assert_eq!(events[0].kind, api::ConnectionEventKind::Disconnected);
    assert_eq!(
        events[0].detail.as_deref(),
        Some("Revoked on GitHub as well.")
    );
}

async fn githubs_rate_limit_is_told_in_its_name(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    app.github.sandbox.set_rate_limit_remaining("alex", 0);
    let limited = app.browser.get(&api::paths::repository_picker(GH)).await;
    assert_eq!(limited.status(), 429);
    let error: ApiError = limited.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderRateLimited);
    assert!(error.message.starts_with("GitHub"), "{}", error.message);
    assert!(error.retry_after_seconds.is_some());
    assert!(
        matches!(status(&app).await, ConnectionStatus::Connected { .. }),
        "a limit never disconnects"
    );
}

/// GitHub's refresh tokens are single-use: two instances refreshing at once would lose the
/// grant, so fifty requests over two instances must refresh exactly once.
async fn fifty_requests_over_two_instances_refresh_once(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let b = app.another_instance().await;
    let github = &app.github.sandbox;
    github.advance_clock(std::time::Duration::from_secs(8 * 3600 + 120));
    // Slow enough that both instances meet the expired token while a refresh is under way.
    github.set_latency(std::time::Duration::from_millis(100));
    let browsers = [&app.browser, &b.browser];
    let probe = api::paths::workspaces(GH);
    let calls = (0..50).map(|i| browsers[i % 2].get(&probe));
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.status(), 200);
    }
    let tokens = github.stats().token_requests;
    assert_eq!(
        tokens.refresh_token, 1,
        "one refresh for 50 requests on two instances"
    );
    assert_eq!(
        tokens.rotated_refresh_reused, 0,
        "no single-use refresh token presented twice"
    );
    assert_eq!(tokens.refused, 0);
}

/// GitHub answers a token error with HTTP 200 and an `error`: a dead refresh token is a
/// refusal, which asks the user to reconnect, never an outage retried forever.
async fn a_refused_refresh_answered_with_200_asks_to_reconnect(engine: Engine) {
    let app = TestApp::connected_to_github(engine, "alex").await;
    let github = &app.github.sandbox;
    // The grant is revoked on GitHub and the access token has expired: the refresh is refused.
    github.revoke("alex", CLIENT_ID);
    github.advance_clock(std::time::Duration::from_secs(9 * 3600));
    let refused = app.browser.get(&api::paths::repository_picker(GH)).await;
    assert_eq!(refused.status(), 409);
    let error: ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::ProviderReconnectNeeded);
    assert!(github.stats().token_requests.refused >= 1);
    let events = app.browser.get(&api::paths::connection_events(GH)).await;
    let events: Vec<api::ConnectionEvent> = events.json().await.unwrap();
    let failed = events
        .iter()
        .find(|e| e.kind == api::ConnectionEventKind::RefreshFailed)
        .expect("the refused refresh is in the audit trail");
    assert!(
        failed
            .detail
            .as_deref()
            .unwrap_or_default()
            .starts_with("bad_refresh_token"),
        "{failed:?}"
    );
}

crate::both_engines!(
    fifty_requests_over_two_instances_refresh_once,
    a_refused_refresh_answered_with_200_asks_to_reconnect,
    github_is_offered_with_its_install_page,
    connecting_asks_once_and_names_the_account,
    a_cancelled_consent_returns_to_the_wizard_with_the_reason,
    a_grant_revoked_on_github_asks_to_reconnect_in_githubs_name,
    an_expired_token_is_refreshed_once_with_a_single_use_refresh_token,
    disconnect_revokes_the_grant_on_github,
    githubs_rate_limit_is_told_in_its_name,
);
