//! Sessions slide with use, end after a week without, are answered from memory, and an ending
//! reaches every instance, even one whose listener missed the announcement.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Browser, Engine, TestApp};
use server::session::cookie::SessionId;
use server::session::{COOKIE_NAME, IDLE_SECONDS};

const DAY: Duration = Duration::from_secs(24 * 3600);

async fn me(browser: &Browser) -> reqwest::Response {
    browser.get(api::paths::ME).await
}

/// The stored end of the browser's session (Unix seconds), read from the table.
async fn stored_end(app: &TestApp) -> Option<i64> {
    let cookie = app.browser.cookie(COOKIE_NAME)?;
    let id = SessionId::parse(&cookie).expect("a well-formed id");
    app.db
        .session_with_user(&id.hash(), app.settings.clock.now())
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

/// The user comes with the session and both stay in memory: with the studio's database
/// connections cut (all but the session listener's) and no new ones allowed, `/api/me` still
/// answers, while a request that needs the database cannot.
async fn me_is_answered_without_the_database(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let admin = Admin::of(&app).await;
    admin.wait_for_listeners(1).await;
    assert_eq!(me(&app.browser).await.status(), 200);
    admin.cut_the_pool_off().await;
    let answer = me(&app.browser).await;
    let status = answer.status();
    assert_eq!(status, 200, "{}", answer.text().await.unwrap());
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

/// A sign-out announced while the other instance's listener is away is lost to it; the
/// session must still never be let through there, then or after the listener is back.
async fn a_missed_announcement_never_lets_a_signed_out_session_through(engine: Engine) {
    let app = TestApp::signed_up(engine).await;
    let b = app.another_instance().await;
    let on_b = Browser::new(&b.url);
    on_b.set_cookie(COOKIE_NAME, &app.browser.cookie(COOKIE_NAME).unwrap());
    assert_eq!(me(&on_b).await.status(), 200, "B has it in memory now");

    // The listeners lose their connections and cannot get new ones; the instances' pools
    // keep the connections they have.
    let admin = Admin::of(&app).await;
    admin.allow_connections(false).await;
    admin.terminate_listeners().await;
    let signed_out = app
        .browser
        .post_json(api::paths::SIGN_OUT, &json!({}))
        .await;
    assert_eq!(signed_out.status(), 204, "announced to nobody");
    let during = me(&on_b).await.status();
    assert_ne!(
        during, 200,
        "not from B's memory while its listener is away"
    );

    admin.allow_connections(true).await;
    admin.wait_for_listeners(2).await;
    assert_eq!(
        me(&on_b).await.status(),
        401,
        "nor once the listener is back"
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

    async fn wait_for_listeners(&self, count: i64) {
        let sql = format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND application_name = '{}'",
            self.database,
            server::store::SESSION_LISTENER_NAME
        );
        for _ in 0..500 {
            let listening: i64 = {
                let mut connection = self.connection.lock().await;
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut *connection)
                    .await
                    .unwrap()
            };
            if listening >= count {
                // LISTEN follows the connection by a moment.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the listeners did not come back");
    }
}

crate::both_engines!(a_session_used_every_day_lasts_and_one_unused_for_a_week_ends);

/// Several instances share PostgreSQL (SQLite serves one instance, README), and only a
/// database server can be cut off while the studio keeps running.
mod postgres_only {
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
    async fn a_missed_announcement_never_lets_a_signed_out_session_through() {
        super::a_missed_announcement_never_lets_a_signed_out_session_through(
            crate::helpers::Engine::Postgres,
        )
        .await
    }
}
