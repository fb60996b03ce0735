//! Authorizing Data Center: per user, once, beside Cloud; denial, revocation, disconnect,
//! refresh, and what `/api/info` offers.

use api::{ConnectionStatus, ServerInfo};

use super::DC;
use crate::helpers::{Engine, TestApp, DATACENTER_NAME};

async fn status(app: &TestApp) -> ConnectionStatus {
    let response = app.browser.get(&api::paths::connection(DC)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn the_server_offers_every_provider_by_name_and_host(engine: Engine) {
    let app = crate::helpers::spawn_app(engine).await;
    let info: ServerInfo = app
        .browser
        .get(api::paths::INFO)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<(&str, &str)> = info
        .providers
        .iter()
        .map(|p| (p.name.as_str(), p.host.as_str()))
        .collect();
    let host = app.datacenter.addr.to_string();
    let github = app.github.addr.to_string();
    assert_eq!(
        names,
        [
            ("Bitbucket Cloud", "bitbucket.org"),
            (DATACENTER_NAME, host.as_str()),
            ("GitHub", github.as_str()),
        ]
    );
    assert!(info.providers[1]
        .revoke_url
        .starts_with(&app.datacenter.url));
}

async fn connecting_asks_once_and_names_the_account(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    assert_eq!(status(&app).await, ConnectionStatus::NotConnected);
    let back = app
        .authorize_datacenter(&app.browser, "alex", "Allow")
        .await;
    assert_eq!(back, "/projects/new/advanced/bitbucket-dc/repository");
    let ConnectionStatus::Connected {
        account, scopes, ..
    } = status(&app).await
    else {
        panic!("not connected");
    };
    assert_eq!(account.display_name, "Alex Rivera");
    assert_eq!(account.nickname.as_deref(), Some("alex"));
    assert_eq!(scopes, ["REPO_WRITE"]);
    // Whose token it is comes from a resource that needs one, not from the anonymous
    // `application-properties`.
    let calls = app.datacenter.sandbox.stats().api_requests_by_endpoint;
    assert!(calls.contains_key("GET /api/latest/users"), "{calls:?}");
    assert!(
        !calls.contains_key("GET /api/latest/application-properties"),
        "{calls:?}"
    );
    // Cloud is a connection of its own, still to make.
    let cloud = app.browser.get(api::paths::BITBUCKET_CONNECTION).await;
    let cloud: ConnectionStatus = cloud.json().await.unwrap();
    assert_eq!(cloud, ConnectionStatus::NotConnected);
    // Once: the studio's next calls need no new consent.
    let before = app.datacenter.sandbox.stats().authorize_requests;
    let picker = app.browser.get(&api::paths::repository_picker(DC)).await;
    assert_eq!(picker.status(), 200);
    assert_eq!(app.datacenter.sandbox.stats().authorize_requests, before);
    // The tokens stay on the server, encrypted.
    for secret in app.datacenter.sandbox.secrets_issued_to("alex") {
        let link = app.db.stored_grant(1, DC).await.unwrap().unwrap();
        assert!(!link.access_token.contains(&secret) && !link.refresh_token.contains(&secret));
    }
}

async fn a_denied_consent_returns_to_the_wizard_with_the_reason(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let back = app.authorize_datacenter(&app.browser, "alex", "Deny").await;
    assert!(
        back.starts_with("/projects/new/advanced/bitbucket-dc/repository?"),
        "{back}"
    );
    assert!(back.contains("oauth_error=access_denied"), "{back}");
    assert_eq!(status(&app).await, ConnectionStatus::NotConnected);
}

async fn a_revoked_grant_asks_to_reconnect_and_reconnecting_works(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    app.revoke_datacenter();
    let refused = app.browser.get(&api::paths::repository_picker(DC)).await;
    assert_eq!(refused.status(), 409);
    let error: api::ApiError = refused.json().await.unwrap();
    assert_eq!(error.code, api::ErrorCode::ProviderReconnectNeeded);
    assert!(matches!(
        status(&app).await,
        ConnectionStatus::ReconnectNeeded { .. }
    ));
    app.authorize_datacenter(&app.browser, "alex", "Allow")
        .await;
    assert!(matches!(
        status(&app).await,
        ConnectionStatus::Connected { .. }
    ));
}

async fn an_expired_token_is_refreshed_once_and_rotation_holds(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    app.datacenter
        .sandbox
        .advance_clock(std::time::Duration::from_secs(2 * 3600));
    let (picker, workspaces) = (
        api::paths::repository_picker(DC),
        api::paths::workspaces(DC),
    );
    let (a, b) = tokio::join!(app.browser.get(&picker), app.browser.get(&workspaces));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let tokens = app.datacenter.sandbox.stats().token_requests;
    assert_eq!(
        tokens.refresh_token, 1,
        "one refresh for two requests: {tokens:?}"
    );
    assert_eq!(tokens.rotated_refresh_reused, 0);
    assert!(app
        .event_kinds_of(DC)
        .await
        .contains(&api::ConnectionEventKind::Refreshed));
}

async fn disconnecting_forgets_data_center_only(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    app.authorize_as("Alex Rivera", "Grant access").await;
    let gone = app.browser.delete_json(&api::paths::connection(DC)).await;
    assert_eq!(gone.status(), 204);
    assert_eq!(status(&app).await, ConnectionStatus::NotConnected);
    let cloud: ConnectionStatus = app
        .browser
        .get(api::paths::BITBUCKET_CONNECTION)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        matches!(cloud, ConnectionStatus::Connected { .. }),
        "Cloud stays connected"
    );
}

async fn a_callback_never_accepts_another_providers_state(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    // Start on Data Center, then bring the state to Cloud's callback: refused (mix-up).
    let start = app.browser.get(&api::paths::oauth_start(DC)).await;
    let to_dc = crate::helpers::Browser::location(&start);
    let state = url::Url::parse(&to_dc)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let wrong = format!(
        "{}?code=x&state={state}",
        api::paths::BITBUCKET_OAUTH_CALLBACK
    );
    let back = app.browser.get(&wrong).await;
    assert!(crate::helpers::Browser::location(&back).contains("oauth_error=state_invalid"));
}

async fn fifty_requests_over_two_instances_refresh_once(engine: Engine) {
    let app = TestApp::connected_to_datacenter(engine).await;
    let b = app.another_instance().await;
    let dc = &app.datacenter.sandbox;
    dc.advance_clock(std::time::Duration::from_secs(3600 + 120));
    // Slow enough that both instances meet the expired token while a refresh is under way.
    dc.set_latency(std::time::Duration::from_millis(100));
    let browsers = [&app.browser, &b.browser];
    let probe = api::paths::workspaces(DC);
    let calls = (0..50).map(|i| browsers[i % 2].get(&probe));
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.status(), 200);
    }
    let tokens = dc.stats().token_requests;
    assert_eq!(
        tokens.refresh_token, 1,
        "one refresh for 50 requests on two instances"
    );
    assert_eq!(
        tokens.rotated_refresh_reused, 0,
        "no rotated token presented twice"
    );
}

/// Data Center's document gives its project list no 401 (a caller it does not know may see
/// public projects), so the status check proves the token where one is required, never with
/// the project list that Cloud's check uses.
async fn the_status_check_proves_the_token_where_one_is_required(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    app.authorize_datacenter(&app.browser, "alex", "Allow")
        .await;
    app.sql("UPDATE provider_grants SET validated_at = 0").await;
    app.datacenter.sandbox.clear_stats();
    assert!(matches!(
        status(&app).await,
        ConnectionStatus::Connected { .. }
    ));
    let calls = app.datacenter.sandbox.stats().api_requests_by_endpoint;
    assert!(calls.contains_key("GET /api/latest/users"), "{calls:?}");
    assert!(!calls.contains_key("GET /api/latest/projects"), "{calls:?}");
}

crate::both_engines!(
    the_status_check_proves_the_token_where_one_is_required,
    fifty_requests_over_two_instances_refresh_once,
    the_server_offers_every_provider_by_name_and_host,
    connecting_asks_once_and_names_the_account,
    a_denied_consent_returns_to_the_wizard_with_the_reason,
    a_revoked_grant_asks_to_reconnect_and_reconnecting_works,
    an_expired_token_is_refreshed_once_and_rotation_holds,
    disconnecting_forgets_data_center_only,
    a_callback_never_accepts_another_providers_state,
);
