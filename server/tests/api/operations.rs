//! What operators rely on: `/readyz` tells a load balancer when an instance can serve, and
//! encryption keys rotate without losing a stored token.

use secrecy::SecretString;
use server::config::TokenKeys;
use server::crypto::TokenCipher;
use server::maintenance::{reencrypt_tokens, Reencrypted};

use crate::helpers::{Engine, TestApp, TOKEN_KEY};

/// A second key (base64 of 32 bytes).
const NEW_KEY: &str = "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=";

fn keys(keys: &[&str]) -> Vec<SecretString> {
    keys.iter()
        .map(|k| SecretString::from(k.to_string()))
        .collect()
}

async fn readiness_follows_the_database_schema(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    assert_eq!(app.browser.get("/readyz").await.status(), 200);
    // As if this build's newest migration had not run (another build migrated the database).
    app.sql(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await;
    let not_ready = app.browser.get("/readyz").await;
    assert_eq!(not_ready.status(), 503);
    assert!(not_ready.headers().contains_key("retry-after"));
    assert_eq!(app.browser.get("/healthz").await.status(), 200);
}

async fn keys_rotate_without_losing_a_token(engine: Engine) {
    let app = TestApp::connected(engine).await;
    let with = |k: &[&str]| {
        let mut settings = app.settings.clone();
        settings.token_keys = TokenKeys::Configured(keys(k));
        settings
    };
    // The new key first: new writes use it, the old one still decrypts.
    let rotated = app.instance_with(with(&[NEW_KEY, TOKEN_KEY])).await;
    let workspaces = api::paths::BITBUCKET_WORKSPACES;
    assert_eq!(rotated.browser.get(workspaces).await.status(), 200);
    // Without the old key, tokens written under it are unreadable...
    let new_only = app.instance_with(with(&[NEW_KEY])).await;
    assert_eq!(new_only.browser.get(workspaces).await.status(), 500);

    // ...until they are re-encrypted.
    let cipher = TokenCipher::new(&keys(&[NEW_KEY, TOKEN_KEY])).unwrap();
    let report = reencrypt_tokens(&app.db, &cipher).await.unwrap();
    assert_eq!(
        report,
        Reencrypted {
            rewritten: 1,
            current: 0,
            changed_meanwhile: 0
        }
    );
    assert_eq!(new_only.browser.get(workspaces).await.status(), 200);
    let again = reencrypt_tokens(&app.db, &cipher).await.unwrap();
    assert_eq!(
        again,
        Reencrypted {
            rewritten: 0,
            current: 1,
            changed_meanwhile: 0
        }
    );
}

crate::both_engines!(
    readiness_follows_the_database_schema,
    keys_rotate_without_losing_a_token,
);
