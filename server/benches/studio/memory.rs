//! Figure 5: the release server's resident memory when idle, after 1,000 users have connected
//! Bitbucket and used it, and after 10,000 sessions have signed in.

use std::time::Duration;

use futures::stream::{self, StreamExt};

use crate::helpers::{Browser, Engine, PASSWORD};
use crate::report::Table;
use crate::scenario::Scenario;
use crate::Config;

const USERS: usize = 1_000;
const SESSIONS: usize = 10_000;
/// Requests in flight while filling the server.
const CONCURRENCY: usize = 8;

pub async fn run(config: &Config) -> Table {
    let scenario = Scenario::start(config, Engine::Sqlite, true).await;
    let server = scenario.server.url.clone();
    let mut table = Table::new(
        "5. Server memory (resident set, release binary, SQLite)",
        "none set: reported",
        &["state", "RSS", "change from idle"],
    );
    // Idle: started, and one request served.
    Browser::new(&server).get("/healthz").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = scenario.server.rss_bytes();
    table.row(vec!["idle".into(), mib(idle), String::new()]);

    // 1,000 users sign up on the measured server, authorize (the callback lands on the
    // scenario's first server, like any other instance), and each lists their workspaces
    // through the measured server once.
    let emails: Vec<String> = (0..USERS)
        .map(|i| format!("user-{i:04}@example.com"))
        .collect();
    stream::iter(&emails)
        .for_each_concurrent(CONCURRENCY, |email| {
            let scenario = &scenario;
            async move {
                let browser = scenario.connected_user(email, "Alex Rivera").await;
                let response = browser.get(api::paths::BITBUCKET_WORKSPACES).await;
                assert_eq!(response.status(), 200);
            }
        })
        .await;
    let connected = scenario.server.rss_bytes();
    table.row(vec![
        format!("{USERS} users connected, each has listed their workspaces"),
        mib(connected),
        change(connected, idle),
    ]);

    // Until 10,000 sessions: each user signs in again from new browsers, and each new
    // session asks who is signed in.
    let sign_ins = SESSIONS - USERS;
    stream::iter(0..sign_ins)
        .for_each_concurrent(CONCURRENCY, |i| {
            let server = &server;
            let email = &emails[i % USERS];
            async move {
                let browser = Browser::new(server);
                let response = browser
                    .post_json(
                        api::paths::SIGN_IN,
                        &serde_json::json!({"email": email, "password": PASSWORD}),
                    )
                    .await;
                assert_eq!(response.status(), 200, "sign-in");
                assert_eq!(browser.get(api::paths::ME).await.status(), 200);
            }
        })
        .await;
    let sessions = scenario.server.rss_bytes();
    table.row(vec![
        format!("{SESSIONS} sessions signed in"),
        mib(sessions),
        change(sessions, idle),
    ]);
    table.note("VmRSS of the server process from /proc, read once per state (a single run: the states build on each other). Sessions and tokens live in the database; the process keeps two bounded caches: the sessions it has seen (user and end; at most 100,000, each trusted a minute) and each user's Bitbucket answers of the last minute (at most 4,096 answers and 32 MiB), which is most of the growth with 1,000 connected users.");
    table.note("Before this issue's caches (2026-11-23, c1e8457): idle 12.2 MiB; 1,000 users connected 16.1 MiB (+3.9); 10,000 sessions 16.9 MiB (+4.6). Bitbucket answers were not cached then (issue 17 added that cache).");
    table.note("Each sign-up and sign-in hashes a password with argon2id (19 MiB per hash). Before hashing was limited to one per core and glibc was told to unmap large blocks (server/src/allocator.rs), 200 sign-ups left this process at 1.7 GB for good.");
    let _ = config;
    table.print();
    table
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

fn change(now: u64, idle: u64) -> String {
    format!("{:+.1} MiB", (now as f64 - idle as f64) / 1_048_576.0)
}
