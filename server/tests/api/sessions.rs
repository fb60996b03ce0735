//! Sessions slide with use, end after a week without and 30 days after sign-in however much
//! they are used, are answered from memory, and an ending reaches every instance within a
//! second, whatever happens to its listener.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::pg_proxy::PgProxy;
use crate::helpers::{spawn_app, spawn_app_with, Browser, Engine, Options, TestApp};
use server::session::cache::TRUSTED_FOR;
use server::session::cookie::SessionId;
use server::session::{COOKIE_NAME, IDLE_SECONDS};
use server::store::Db;

const DAY: Duration = Duration::from_secs(24 * 3600);

async fn me(browser: &Browser) -> reqwest::Response {
    browser.get(api::paths::ME).await
}

/// Seconds from sign-in to a session's absolute end, as `app` is configured.
fn lifetime(app: &TestApp) -> i64 {
    i64::from(app.settings.sessions.absolute_lifetime_days) * 24 * 3600
}

/// The stored end of the browser's session (Unix seconds), read from the table.
async fn stored_end(app: &TestApp) -> Option<i64> {
    let cookie = app.browser.cookie(COOKIE_NAME)?;
    let id = SessionId::parse(&cookie).expect("a well-formed id");
    let now = app.settings.clock.now();
    app.db
        .session_with_user(&id.hash(), now, now - lifetime(app))
        .await
        .unwrap()
        .map(|row| row.expires_at)
}

fn sets_the_cookie(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .any(|value| value.to_str().unwrap().starts_with(COOKIE_NAME))
}

/// Moves `clock` forward to `at` (Unix seconds).
fn advance_to(clock: &server::clock::Clock, at: i64) {
    let now = clock.now();
    assert!(at >= now, "{at} is past");
    clock.advance(Duration::from_secs((at - now) as u64));
}

/// The `Max-Age` of the session cookie the response sets, if it sets one.
fn cookie_max_age(response: &reqwest::Response) -> Option<i64> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap())
        .filter(|value| value.starts_with(COOKIE_NAME))
        .find_map(|value| {
            value
                .split(';')
                .find_map(|attribute| attribute.trim().strip_prefix("Max-Age="))
                .map(|age| age.parse().unwrap())
        })
}

async fn a_session_used_every_day_lasts_and_one_unused_for_a_week_ends(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let clock = &app.settings.clock;
    for day in 1..=10 {
        clock.advance(DAY);
        // The clock also runs on in real time: the renewal happens somewhere in between.
        let before = clock.now();
        let response = me(&app.browser).await;
        assert_eq!(response.status(), 200, "day {day}");
        assert!(
            sets_the_cookie(&response),
            "the cookie's life starts again, day {day}"
        );
        let end = stored_end(&app).await.expect("a stored session");
        assert!(
            (before + IDLE_SECONDS..=clock.now() + IDLE_SECONDS).contains(&end),
            "day {day}: ends at {end}, renewed between {before} and {}",
            clock.now()
        );
    }

    // Within the hour, a use changes nothing: no write, no cookie.
    let end = stored_end(&app).await;
    clock.advance(Duration::from_secs(50 * 60));
    let response = me(&app.browser).await;
    assert_eq!(response.status(), 200);
    assert!(!sets_the_cookie(&response));
    assert_eq!(stored_end(&app).await, end, "renewed at most once an hour");

    // A week and a minute without use: signed out, and the cookie is removed.
    let cookie = app.browser.cookie(COOKIE_NAME).unwrap();
    clock.advance(Duration::from_secs(IDLE_SECONDS as u64 - 50 * 60 + 60));
    let response = me(&app.browser).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        app.browser.cookie(COOKIE_NAME),
        None,
        "the cookie is removed"
    );
    let old = Browser::new(&app.url);
    old.set_cookie(COOKIE_NAME, &cookie);
    assert_eq!(me(&old).await.status(), 401, "and the id stays dead");
}

/// However much it is used, a session ends 30 days (the default lifetime) after sign-in: used
/// every day, its cookie's life never reaches past that end, it is served a minute before it
/// and signed out (the cookie removed) a minute after; the database would renew it no more.
async fn a_session_used_every_day_ends_30_days_after_sign_in(engine: Engine) {
    let app = spawn_app(engine).await;
    let clock = &app.settings.clock;
    let lifetime = lifetime(&app);
    assert_eq!(lifetime, 30 * 24 * 3600, "the default lifetime");
    // The session is created between these two instants: its absolute end is between these
    // plus the lifetime.
    let before_sign_in = clock.now();
    app.sign_up("ada@example.com").await;
    let signed_in_by = clock.now();
    let mut cookies_sent = 0;
    for day in 1..30 {
        clock.advance(DAY);
        let before = clock.now();
        let response = me(&app.browser).await;
        assert_eq!(response.status(), 200, "day {day}");
        if let Some(max_age) = cookie_max_age(&response) {
            cookies_sent += 1;
            assert!(
                before + max_age <= signed_in_by + lifetime,
                "day {day}: the cookie lives {max_age} s more, past the session's end"
            );
        }
        let end = stored_end(&app).await.expect("a stored session");
        assert!(
            end <= signed_in_by + lifetime,
            "day {day}: stored end {end}"
        );
    }
    assert!(
        cookies_sent >= 20,
        "renewed daily until the end is in reach"
    );

    advance_to(clock, before_sign_in + lifetime - 60);
    let a_minute_before = me(&app.browser).await;
    assert_eq!(a_minute_before.status(), 200, "still within the lifetime");

    let cookie = app.browser.cookie(COOKIE_NAME).unwrap();
    advance_to(clock, signed_in_by + lifetime + 60);
    let response = me(&app.browser).await;
    assert_eq!(response.status(), 401, "over, however much it was used");
    assert_eq!(
        app.browser.cookie(COOKIE_NAME),
        None,
        "the cookie is removed"
    );
    let old = Browser::new(&app.url);
    old.set_cookie(COOKIE_NAME, &cookie);
    assert_eq!(me(&old).await.status(), 401, "and the id stays dead");

    // Its stored end never passed the absolute end. Even a row whose end does (renewed under a
    // longer lifetime, say) is over: its creation time ends it, in the read, in the renewal's
    // `WHERE`, and in the sweep.
    let id_hash = SessionId::parse(&cookie).unwrap().hash();
    let now = clock.now();
    let created_after = now - lifetime;
    app.sql(&format!(
        "UPDATE sessions SET expires_at = {} WHERE id_hash = '{id_hash}'",
        now + IDLE_SECONDS
    ))
    .await;
    let row = app.db.session_with_user(&id_hash, now, i64::MIN).await;
    assert!(row.unwrap().is_some(), "not idle");
    let read = app.db.session_with_user(&id_hash, now, created_after).await;
    assert_eq!(read.unwrap(), None);
    let renewed = app
        .db
        .renew_session(&id_hash, now, now + IDLE_SECONDS, created_after)
        .await
        .unwrap();
    assert!(!renewed, "no renewal past the absolute end");
    assert_eq!(me(&old).await.status(), 401);
    let swept = app.db.delete_expired_sessions(now, created_after).await;
    assert_eq!(swept.unwrap(), 1);
}

/// A configured lifetime shorter than the idle week bounds a session from its first cookie.
async fn a_configured_lifetime_bounds_the_first_cookie_and_the_session(engine: Engine) {
    let options = Options {
        session_absolute_lifetime_days: 2,
        ..Options::default()
    };
    let app = spawn_app_with(engine, options).await;
    let clock = &app.settings.clock;
    let email = "ada@example.com";
    let password = crate::helpers::PASSWORD;
    let signed_up = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(signed_up.status(), 202);
    let token = crate::helpers::sign_up_token(&app.browser, email).await;
    let before_sign_in = clock.now();
    let confirmed = app
        .browser
        .post_json(api::paths::SIGN_UP_CONFIRM, &json!({ "token": token }))
        .await;
    assert_eq!(confirmed.status(), 201);
    let signed_in_by = clock.now();
    let two_days = 2 * 24 * 3600;
    let max_age = cookie_max_age(&confirmed).expect("the sign-in sets the cookie");
    assert!(
        max_age <= two_days && max_age >= before_sign_in + two_days - signed_in_by,
        "two days, not a week: {max_age}"
    );
    advance_to(clock, before_sign_in + two_days - 60);
    assert_eq!(me(&app.browser).await.status(), 200);
    advance_to(clock, signed_in_by + two_days + 60);
    assert_eq!(me(&app.browser).await.status(), 401);
}

/// A session opened before the upgrade that adds the creation time keeps working: it is
/// given the latest moment it can have been created (its last renewal, a week before its end).
async fn a_session_from_before_the_upgrade_keeps_working(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let cookie = app.browser.cookie(COOKIE_NAME).unwrap();
    let end = stored_end(&app).await.unwrap();
    // As if the database predated the migration: no creation time, the migration not applied.
    app.sql("DROP INDEX sessions_created_at").await;
    app.sql("ALTER TABLE sessions DROP COLUMN created_at").await;
    app.sql("DELETE FROM _sqlx_migrations WHERE version = 11")
        .await;

    // An instance of this build starts on it and migrates it.
    let options = Options {
        database_url: Some(app.settings.database_url.clone()),
        ..Options::default()
    };
    let upgraded = spawn_app_with(engine, options).await;
    upgraded.browser.set_cookie(COOKIE_NAME, &cookie);
    assert_eq!(me(&upgraded.browser).await.status(), 200, "still signed in");
    let sql = "SELECT created_at FROM sessions";
    let created_at: i64 = match &upgraded.db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    };
    assert_eq!(created_at, end - IDLE_SECONDS);
}

/// The user comes with the session and both stay in memory: with the studio's database
/// connections cut (all but the session listener's) and no new ones allowed, `/api/me` still
/// answers, while a request that needs the database cannot.
async fn me_is_answered_without_the_database(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let admin = Admin::of(&app).await;
    admin.wait_for_listeners(1).await;
    assert_eq!(me(&app.browser).await.status(), 200);
    admin.cut_the_pool_off().await;
    // Served from memory while the listener's heartbeats come back; a request that falls
    // between two of them (a loaded machine) reads the database, which is unavailable: asked
    // again, until memory answers.
    let started = Instant::now();
    loop {
        let answer = me(&app.browser).await;
        let status = answer.status();
        if status == 200 {
            break;
        }
        assert!(status.is_server_error(), "{}", answer.text().await.unwrap());
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never answered from memory"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let needs_the_database = app.browser.get(api::paths::PROJECTS).await.status();
    assert_ne!(needs_the_database, 200);
    admin.allow_connections(true).await;
}

/// Signing out on one instance is refused on the other within 100 ms (PostgreSQL: `NOTIFY`).
async fn a_sign_out_reaches_the_other_instance_within_100_ms(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let b = app.another_instance().await;
    let on_b = Browser::new(&b.url);
    on_b.set_cookie(COOKIE_NAME, &app.browser.cookie(COOKIE_NAME).unwrap());
    assert_eq!(me(&on_b).await.status(), 200, "B has it in memory now");
    assert_eq!(me(&on_b).await.status(), 200);

    let signed_out = app
        .browser
        .post_json(api::paths::SIGN_OUT, &json!({}))
        .await;
    assert_eq!(signed_out.status(), 204);
    let started = Instant::now();
    let mut elapsed = Duration::ZERO;
    while elapsed < Duration::from_secs(5) {
        if me(&on_b).await.status() == 401 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
        elapsed = started.elapsed();
    }
    let elapsed = started.elapsed();
    println!("sign-out refused on the other instance after {elapsed:?}");
    assert!(elapsed < Duration::from_millis(100), "{elapsed:?}");
}

/// What happens to the other instance's session listener while a session is signed out.
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// Its connection is killed (the instance reconnects).
    Killed,
    /// Its connection is killed and no new one is allowed.
    ReconnectionsRefused,
    /// Its connection hangs without closing: no byte passes, nothing is reset.
    Hangs,
}

/// A sign-out on A while B's listener fails is refused by B within a second of it
/// ([`TRUSTED_FOR`]), however the listener fails, and whether or not B has noticed: every
/// request B receives from then on is refused; none is served once one was refused; and it
/// stays refused once the listener is back.
async fn a_signed_out_session_is_refused_within_a_second(failure: Failure) {
    let app = TestApp::signed_up(Engine::Postgres).await;
    let database = url::Url::parse(&app.settings.database_url).unwrap();
    let upstream = format!(
        "{}:{}",
        database.host_str().unwrap(),
        database.port().unwrap_or(5432)
    );
    let proxy = PgProxy::start(upstream).await;
    let mut settings = app.settings.clone();
    settings.database_url = proxy.database_url(&app.settings.database_url);
    let b = app.instance_with(settings).await;
    let admin = Admin::of(&app).await;
    admin.wait_for_listeners(2).await;
    let on_b = Browser::new(&b.url);
    on_b.set_cookie(COOKIE_NAME, &app.browser.cookie(COOKIE_NAME).unwrap());
    assert_eq!(me(&on_b).await.status(), 200, "B keeps it in memory now");

    match failure {
        Failure::Killed => admin.terminate_listeners().await,
        Failure::ReconnectionsRefused => {
            // The instances' pools keep the connections they have.
            admin.allow_connections(false).await;
            admin.terminate_listeners().await;
        }
        Failure::Hangs => proxy.hang_the_listeners().await,
    }
    let signed_out = app
        .browser
        .post_json(api::paths::SIGN_OUT, &json!({}))
        .await;
    assert_eq!(signed_out.status(), 204, "{failure:?}: unheard by B");
    // The deletion committed before the answer: from a second after it, B refuses.
    let deadline = Instant::now() + TRUSTED_FOR;
    let mut refused = false;
    loop {
        let asked_at = Instant::now();
        let status = me(&on_b).await.status();
        match status.as_u16() {
            200 => {
                assert!(
                    asked_at < deadline,
                    "{failure:?}: served {:?} after the deadline",
                    asked_at - deadline
                );
                assert!(!refused, "{failure:?}: served again after a refusal");
            }
            // Read from the database: gone.
            401 => refused = true,
            // The database could not be read (no new connection allowed): refused all the same.
            500 | 503 => {}
            other => panic!("{failure:?}: {other}"),
        }
        if asked_at >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    match failure {
        Failure::Killed => {}
        Failure::ReconnectionsRefused => admin.allow_connections(true).await,
        Failure::Hangs => proxy.resume(),
    }
    admin.wait_for_listeners(2).await;
    assert_eq!(
        me(&on_b).await.status(),
        401,
        "{failure:?}: nor once the listener is back"
    );
}

/// An administrator's connection to the PostgreSQL server of the test's database.
struct Admin {
    connection: tokio::sync::Mutex<sqlx::PgConnection>,
    database: String,
}

impl Admin {
    async fn of(app: &TestApp) -> Self {
        use sqlx::Connection;
        // From the server's maintenance database: a database cannot close itself off.
        let url = &app.settings.database_url;
        let (server, database) = url.rsplit_once('/').unwrap();
        let admin_url = format!("{server}/postgres");
        Self {
            connection: tokio::sync::Mutex::new(
                sqlx::PgConnection::connect(&admin_url).await.unwrap(),
            ),
            database: database.to_owned(),
        }
    }

    async fn execute(&self, sql: &str) {
        let mut connection = self.connection.lock().await;
        sqlx::query(sql).execute(&mut *connection).await.unwrap();
    }

    async fn allow_connections(&self, allowed: bool) {
        self.execute(&format!(
            "ALTER DATABASE {} WITH ALLOW_CONNECTIONS {allowed}",
            self.database
        ))
        .await;
    }

    async fn terminate_listeners(&self) {
        self.execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND application_name = '{}'",
            self.database,
            server::store::SESSION_LISTENER_NAME
        ))
        .await;
    }

    /// No new connections, and every connection of the studio's pool closed (the session
    /// listener keeps its own).
    async fn cut_the_pool_off(&self) {
        self.allow_connections(false).await;
        self.execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND application_name <> '{}'",
            self.database,
            server::store::SESSION_LISTENER_NAME
        ))
        .await;
    }

    /// Waits until `count` session listeners have `LISTEN` in place: connections of theirs
    /// whose last statement, finished, was the `LISTEN` or a heartbeat (which follow it).
    async fn wait_for_listeners(&self, count: i64) {
        let sql = format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' \
             AND application_name = '{}' AND state = 'idle' \
             AND (query LIKE 'LISTEN%' OR query LIKE '%pg_notify%')",
            self.database,
            server::store::SESSION_LISTENER_NAME
        );
        let started = Instant::now();
        loop {
            let listening: i64 = {
                let mut connection = self.connection.lock().await;
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut *connection)
                    .await
                    .unwrap()
            };
            if listening >= count {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the listeners did not come back"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

crate::both_engines!(
    a_session_used_every_day_lasts_and_one_unused_for_a_week_ends,
    a_session_used_every_day_ends_30_days_after_sign_in,
    a_configured_lifetime_bounds_the_first_cookie_and_the_session,
    a_session_from_before_the_upgrade_keeps_working,
);

/// Several instances share PostgreSQL (SQLite serves one instance, README), and only a
/// database server can be cut off while the studio keeps running.
mod postgres_only {
    use super::Failure;

    #[tokio::test]
    async fn me_is_answered_without_the_database() {
        super::me_is_answered_without_the_database(crate::helpers::Engine::Postgres).await
    }

    #[tokio::test]
    async fn a_sign_out_reaches_the_other_instance_within_100_ms() {
        super::a_sign_out_reaches_the_other_instance_within_100_ms(crate::helpers::Engine::Postgres)
            .await
    }

    #[tokio::test]
    async fn a_signed_out_session_is_refused_within_a_second_when_the_listener_is_killed() {
        super::a_signed_out_session_is_refused_within_a_second(Failure::Killed).await
    }

    #[tokio::test]
    async fn a_signed_out_session_is_refused_within_a_second_when_reconnections_are_refused() {
        super::a_signed_out_session_is_refused_within_a_second(Failure::ReconnectionsRefused).await
    }

    #[tokio::test]
    async fn a_signed_out_session_is_refused_within_a_second_when_the_listener_hangs() {
        super::a_signed_out_session_is_refused_within_a_second(Failure::Hangs).await
    }
}
