//! The Bitbucket OAuth round trip: start → sandbox consent → callback, and every way the
//! callback must refuse.

use crate::helpers::{
    spawn_app, spawn_app_with, Browser, Engine, Options, TestApp, REPOSITORY_STEP,
};
use api::{ConnectionEventKind, ConnectionStatus};

const DEFAULT_RETURN: &str = "/projects/new/advanced/bitbucket";

/// Starts an authorization and returns the `state` the server sent to Bitbucket.
async fn start(app: &TestApp, browser: &Browser) -> String {
    let response = browser
        .get(&format!(
            "{}?return_to={REPOSITORY_STEP}",
            api::paths::BITBUCKET_OAUTH_START
        ))
        .await;
    let location = url::Url::parse(&Browser::location(&response)).unwrap();
    assert!(location
        .as_str()
        .starts_with(&app.sandbox.sandbox.authorize_url()));
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query.get("response_type").map(String::as_str), Some("code"));
    assert_eq!(
        query.get("code_challenge_method").map(String::as_str),
        Some("S256"),
        "PKCE is on for the sandbox"
    );
    query["state"].clone()
}

async fn callback(browser: &Browser, query: &str) -> String {
    let response = browser
        .get(&format!("{}?{query}", api::paths::BITBUCKET_OAUTH_CALLBACK))
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["cache-control"], "no-store");
    Browser::location(&response)
}

fn refused(to: &str, code: &str) -> String {
    format!("{to}?oauth_error={code}")
}

async fn granting_access_connects_and_returns_to_the_wizard(engine: Engine) {
    let app = spawn_app(engine).await;
    let me = app.sign_up("ada@example.com").await;
    assert_eq!(app.connection().await, ConnectionStatus::NotConnected);

    assert_eq!(
        app.authorize_as("Alex Rivera", "Grant access").await,
        REPOSITORY_STEP
    );

    let ConnectionStatus::Connected {
        account, scopes, ..
    } = app.connection().await
    else {
        panic!("connected")
    };
    assert_eq!(account.nickname.as_deref(), Some("alex"));
    assert_eq!(account.display_name, "Alex Rivera");
    assert!(
        scopes.contains(&"repository:write".to_owned()) && scopes.contains(&"account".to_owned())
    );
    let stats = app.sandbox.sandbox.stats();
    assert_eq!(stats.token_requests.authorization_code, 1);

    let link = app
        .db
        .stored_grant(me.id, api::GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .unwrap();
    assert!(
        link.access_token.starts_with("v1.") && link.refresh_token.starts_with("v1."),
        "tokens are stored encrypted"
    );
    assert_eq!(app.event_kinds().await, [ConnectionEventKind::Connected]);
}

async fn authorizing_again_skips_the_consent_page(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    app.authorize_as("Alex Rivera", "Grant access").await;
    // Bitbucket does not ask an account twice for the same consumer: straight back with a code.
    let to_bitbucket = app
        .browser
        .get(&format!(
            "{}?return_to={REPOSITORY_STEP}",
            api::paths::BITBUCKET_OAUTH_START
        ))
        .await;
    let authorize = app.browser.get(&Browser::location(&to_bitbucket)).await;
    assert!(
        authorize.status().is_redirection(),
        "no consent page the second time"
    );
    let to_callback = Browser::location(&authorize);
    assert!(to_callback.starts_with(&format!(
        "{}{}",
        app.url,
        api::paths::BITBUCKET_OAUTH_CALLBACK
    )));
    assert_eq!(
        callback(&app.browser, to_callback.split_once('?').unwrap().1).await,
        REPOSITORY_STEP
    );
    assert_eq!(
        app.sandbox
            .sandbox
            .stats()
            .token_requests
            .authorization_code,
        2
    );
}

async fn cancel_on_the_consent_page_is_explained(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    assert_eq!(
        app.authorize_as("Alex Rivera", "Cancel").await,
        refused(REPOSITORY_STEP, "access_denied")
    );
    assert_eq!(app.connection().await, ConnectionStatus::NotConnected);
}

async fn a_missing_or_forged_state_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    assert_eq!(
        callback(&app.browser, "code=abc").await,
        refused(DEFAULT_RETURN, "state_invalid")
    );
    let _real = start(&app, &app.browser).await;
    assert_eq!(
        callback(&app.browser, "code=abc&state=forged-state-value").await,
        refused(DEFAULT_RETURN, "state_invalid")
    );
    assert_eq!(
        app.sandbox
            .sandbox
            .stats()
            .token_requests
            .authorization_code,
        0,
        "no code is exchanged without a valid state"
    );
    assert_eq!(app.connection().await, ConnectionStatus::NotConnected);
}

async fn a_replayed_callback_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let state = start(&app, &app.browser).await;
    let first = callback(&app.browser, &format!("error=access_denied&state={state}")).await;
    assert_eq!(first, refused(REPOSITORY_STEP, "access_denied"));
    let replay = callback(&app.browser, &format!("code=abc&state={state}")).await;
    assert_eq!(
        replay,
        refused(DEFAULT_RETURN, "state_invalid"),
        "a state is single use"
    );
}

async fn an_expired_state_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let state = start(&app, &app.browser).await;
    app.sql("UPDATE oauth_transactions SET expires_at = 0")
        .await;
    assert_eq!(
        callback(&app.browser, &format!("code=abc&state={state}")).await,
        refused(DEFAULT_RETURN, "state_invalid")
    );
}

async fn a_state_from_another_session_is_refused(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let state = start(&app, &app.browser).await;

    // Mallory lures Ada's callback into her own session (login CSRF / session swap).
    let mallory = Browser::new(&app.url);
    crate::helpers::sign_up_on(&mallory, "mallory@example.com").await;
    assert_eq!(
        callback(&mallory, &format!("code=abc&state={state}")).await,
        refused(DEFAULT_RETURN, "state_invalid")
    );
    assert_eq!(
        app.sandbox
            .sandbox
            .stats()
            .token_requests
            .authorization_code,
        0
    );
}

async fn the_callback_needs_the_studio_session(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let state = start(&app, &app.browser).await;
    let stranger = Browser::new(&app.url);
    assert_eq!(
        callback(&stranger, &format!("code=abc&state={state}")).await,
        refused(DEFAULT_RETURN, "not_signed_in")
    );
}

async fn a_consumer_without_write_scope_is_reported_and_nothing_stored(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            scopes: vec!["account", "repository"],
            ..Options::default()
        },
    )
    .await;
    let me = app.sign_up("ada@example.com").await;
    assert_eq!(
        app.authorize_as("Alex Rivera", "Grant access").await,
        format!(
            "{REPOSITORY_STEP}?oauth_missing_scope=repository%3Awrite&oauth_error=scope_missing"
        ),
        "the redirect names the missing permission"
    );
    assert!(app
        .db
        .stored_grant(me.id, api::GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .is_none());
}

async fn starting_signed_out_goes_to_sign_in_first(engine: Engine) {
    let app = spawn_app(engine).await;
    let response = app
        .browser
        .get(&format!(
            "{}?return_to={REPOSITORY_STEP}",
            api::paths::BITBUCKET_OAUTH_START
        ))
        .await;
    assert_eq!(response.status(), 303);
    let location = Browser::location(&response);
    assert!(
        location.starts_with("/sign-in?return_to=%2Foauth%2Fbitbucket%2Fstart"),
        "{location}"
    );
}

async fn works_without_pkce_too(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            pkce: false,
            ..Options::default()
        },
    )
    .await;
    app.sign_up("ada@example.com").await;
    assert_eq!(
        app.authorize_as("Alex Rivera", "Grant access").await,
        REPOSITORY_STEP
    );
}

crate::both_engines!(
    granting_access_connects_and_returns_to_the_wizard,
    authorizing_again_skips_the_consent_page,
    cancel_on_the_consent_page_is_explained,
    a_missing_or_forged_state_is_refused,
    a_replayed_callback_is_refused,
    an_expired_state_is_refused,
    a_state_from_another_session_is_refused,
    the_callback_needs_the_studio_session,
    a_consumer_without_write_scope_is_reported_and_nothing_stored,
    starting_signed_out_goes_to_sign_in_first,
    works_without_pkce_too,
);
