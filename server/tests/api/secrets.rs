//! Where secrets must never be: tokens in clear in the database, secrets in the logs, a
//! stolen authorization code turned into a connection.

use std::time::Duration;

use crate::helpers::{logs, Engine, TestApp, CLIENT_SECRET};
use api::ConnectionStatus;
use server::store::Db;

const PASSWORD: &str = "correct horse battery";

/// Connects, refreshes once (so old and new tokens have both existed) and signs in again:
/// every kind of secret the server handles has passed through it.
pub(crate) async fn exercise_every_secret(app: &TestApp) -> Vec<String> {
    let callback = app.consent_as("Alex Rivera", "Grant access").await;
    assert_eq!(app.browser.get(&callback).await.status(), 303);
    app.sandbox
        .sandbox
        .advance_clock(Duration::from_secs(7200 + 60));
    // The picker's opening read reaches Bitbucket (and meets the expired token).
    let workspaces = app
        .browser
        .get(api::paths::BITBUCKET_REPOSITORY_PICKER)
        .await;
    assert_eq!(workspaces.status(), 200);
    assert_eq!(app.sandbox.sandbox.stats().token_requests.refresh_token, 1);
    let sign_in = app
        .browser
        .post_json(
            api::paths::SIGN_IN,
            &serde_json::json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(sign_in.status(), 200);

    let mut secrets = app.sandbox.sandbox.secrets_issued_to("alex");
    assert!(secrets.len() >= 4, "a code, two access and a refresh token");
    let state = query_value(&callback, "state");
    secrets.extend([state, CLIENT_SECRET.to_owned(), PASSWORD.to_owned()]);
    secrets.push(
        app.browser
            .cookie(server::session::COOKIE_NAME)
            .expect("a session cookie"),
    );
    secrets
}

fn query_value(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// Every stored byte: the SQLite files (database and WAL), or every row of every table.
async fn everything_stored(app: &TestApp) -> String {
    match &app.db {
        Db::Sqlite(_) => {
            let mut all = String::new();
            for entry in std::fs::read_dir(app.data_dir.path()).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    all.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
                }
            }
            assert!(
                all.contains("provider_grants"),
                "the database files were read"
            );
            all
        }
        Db::Postgres(pool) => {
            let tables: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_schema, table_name FROM information_schema.tables \
                 WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            assert!(tables.iter().any(|(_, name)| name == "provider_grants"));
            let mut all = String::new();
            for (schema, table) in tables {
                let sql = format!("SELECT t::text FROM \"{schema}\".\"{table}\" t");
                for row in sqlx::query_scalar::<_, String>(&sql)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                {
                    all.push_str(&row);
                    all.push('\n');
                }
            }
            all
        }
    }
}

async fn tokens_are_never_stored_in_clear(engine: Engine) {
    let app = crate::helpers::spawn_app(engine).await;
    let me = app.sign_up("ada@example.com").await;
    let secrets = exercise_every_secret(&app).await;
    let stored = everything_stored(&app).await;
    // The session id included: the table keeps its hash, so a copy of the database holds no
    // session anyone could present.
    for secret in &secrets {
        assert!(
            !stored.contains(secret.as_str()),
            "a secret is stored in clear ({} characters)",
            secret.len()
        );
    }
    let link = app
        .db
        .stored_grant(me.id, api::GitProvider::BitbucketCloud)
        .await
        .unwrap()
        .unwrap();
    assert!(link.access_token.starts_with("v1.") && link.refresh_token.starts_with("v1."));
}

async fn secrets_never_reach_the_logs(engine: Engine) {
    let app = crate::helpers::spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let secrets = exercise_every_secret(&app).await;
    let logs = logs::captured();
    assert!(
        logs.contains(api::paths::BITBUCKET_OAUTH_CALLBACK),
        "requests are logged at this level, so the scan means something"
    );
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret reached the logs ({} characters, starts {:?})",
            secret.len(),
            &secret[..4.min(secret.len())]
        );
    }
}

/// RFC 6749 §4.1.2 and RFC 9700 §4.5: a code is single use. Replaying one (say, leaked
/// through a referrer or a log) with a fresh `state` of the attacker's own gets nothing, and
/// Bitbucket revokes what the code had produced.
async fn a_replayed_authorization_code_gets_nothing(engine: Engine) {
    let app = crate::helpers::spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let first = app.consent_as("Alex Rivera", "Grant access").await;
    assert_eq!(app.browser.get(&first).await.status(), 303);
    let code = query_value(&first, "code");

    let second = app.consent_as("Alex Rivera", "Grant access").await;
    let fresh_code = query_value(&second, "code");
    let replay = second.replace(&fresh_code, &code);
    let refused = app.browser.get(&replay).await;
    assert!(
        crate::helpers::Browser::location(&refused).ends_with("oauth_error=exchange_failed"),
        "{}",
        crate::helpers::Browser::location(&refused)
    );
    // The tokens from the first exchange were revoked by Bitbucket: the studio notices at the
    // next validation and asks for a reconnect instead of using them.
    app.sql("UPDATE provider_grants SET validated_at = 0").await;
    assert!(matches!(
        app.connection().await,
        ConnectionStatus::ReconnectNeeded { .. }
    ));
}

crate::both_engines!(
    tokens_are_never_stored_in_clear,
    secrets_never_reach_the_logs,
    a_replayed_authorization_code_gets_nothing,
);
