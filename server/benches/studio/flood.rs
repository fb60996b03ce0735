//! Figure 8: another client's sign-in while one client floods sign-in with made-up addresses
//! (issue 26, item 3: 64 parallel sign-ins from one client took a real user's sign-in from
//! 57 ms to 2.2 s). The flood and the other client are the harness itself, from two loopback
//! addresses (127.0.0.0/8), so the release server counts them as two clients.
//!
//! Each kind of row is its own release server on the scenario's database, with the limits it
//! names; each run gives the flood and the measured client addresses of their own, so every
//! run starts with fresh per-client counters.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::{Browser, Engine, Instance, PASSWORD};
use crate::report::{ms, verdict_at_most, Table};
use crate::scenario::{median_by, Scenario};
use crate::Config;

/// Sign-ins in flight at once from the flooding client, as in the issue.
const FLOOD: usize = 64;
/// The other client's sign-ins per run, one after the other, each from a new browser.
const SIGN_INS: usize = 20;
const P95_BUDGET_MS: f64 = 300.0;
const EMAIL: &str = "flood-victim@example.com";

/// One kind of row: the limits the server runs with, and whether a flood runs.
struct Kind {
    name: String,
    flood: bool,
    sign_in_limit_per_client: i64,
    password_hash_queue: usize,
    password_hash_queue_per_client: usize,
    /// Runs of this kind (the "before" reference takes long, and once says enough).
    runs: Option<usize>,
    /// Whether the budget applies.
    budgeted: bool,
}

/// The rows, with the server's own defaults as the production limits (so the figure follows
/// them if they change).
fn kinds() -> [Kind; 4] {
    let defaults = server::config::AccountSettings::default();
    let queue = format!(
        "queue {}, {} per client",
        defaults.password_hash_queue, defaults.password_hash_queue_per_client
    );
    [
        Kind {
            name: "no flood (production limits)".into(),
            flood: false,
            sign_in_limit_per_client: defaults.sign_in_limit_per_client,
            password_hash_queue: defaults.password_hash_queue,
            password_hash_queue_per_client: defaults.password_hash_queue_per_client,
            runs: None,
            budgeted: false,
        },
        Kind {
            name: format!(
                "flood, production limits ({} sign-ins per client per 15 min; {queue})",
                defaults.sign_in_limit_per_client
            ),
            flood: true,
            sign_in_limit_per_client: defaults.sign_in_limit_per_client,
            password_hash_queue: defaults.password_hash_queue,
            password_hash_queue_per_client: defaults.password_hash_queue_per_client,
            runs: None,
            budgeted: true,
        },
        Kind {
            name: format!("flood, per-client sign-in limit lifted (the queue alone: {queue})"),
            flood: true,
            sign_in_limit_per_client: 1_000_000_000,
            password_hash_queue: defaults.password_hash_queue,
            password_hash_queue_per_client: defaults.password_hash_queue_per_client,
            runs: None,
            budgeted: true,
        },
        Kind {
            name: "flood, as before issue 26 (no per-client limit, unbounded queue)".into(),
            flood: true,
            sign_in_limit_per_client: 1_000_000_000,
            password_hash_queue: 1_000_000,
            password_hash_queue_per_client: 1_000_000,
            runs: Some(1),
            budgeted: false,
        },
    ]
}

/// What one run saw.
struct Run {
    p50_ms: f64,
    p95_ms: f64,
    flood_per_second: f64,
    flood_throttled: f64,
}

pub async fn run(config: &Config) -> Table {
    let mut table = Table::new(
        "8. Sign-in under a sign-in flood from another client",
        "another client's sign-in p95 ≤ 300 ms under the flood",
        &[
            "database",
            "server",
            "sign-in p50",
            "sign-in p95",
            "flood requests/s",
            "flood answered 429",
            "p95 ≤ 300 ms",
        ],
    );
    for (engine, name) in [(Engine::Sqlite, "SQLite"), (Engine::Postgres, "PostgreSQL")] {
        let scenario = Scenario::start(config, engine, true).await;
        let browser = Browser::new(&scenario.app.url);
        crate::helpers::sign_up_on(&browser, EMAIL).await;
        for (k, kind) in kinds().iter().enumerate() {
            let mut settings = scenario.app.settings.clone();
            settings.site_root = config.site.clone();
            settings.accounts.sign_in_limit_per_client = kind.sign_in_limit_per_client;
            settings.accounts.password_hash_queue = kind.password_hash_queue;
            settings.accounts.password_hash_queue_per_client = kind.password_hash_queue_per_client;
            let server = scenario.app.instance_with(settings).await;
            let mut runs = Vec::new();
            for r in 0..kind.runs.unwrap_or(config.runs) {
                // 127.<engine>.<kind>.<run>: fresh counters for both clients every run.
                let address = |client: u8| -> IpAddr {
                    IpAddr::from([127, client + 2 * engine as u8, k as u8, r as u8 + 2])
                };
                runs.push(measure(&server, kind.flood, address(10), address(11)).await);
            }
            let p95 = median_by(&runs, |r| r.p95_ms);
            table.row(vec![
                name.to_owned(),
                kind.name.clone(),
                ms(median_by(&runs, |r| r.p50_ms)),
                ms(p95),
                if kind.flood {
                    format!("{:.0}", median_by(&runs, |r| r.flood_per_second))
                } else {
                    String::new()
                },
                if kind.flood {
                    format!("{:.0}%", median_by(&runs, |r| r.flood_throttled) * 100.0)
                } else {
                    String::new()
                },
                if kind.budgeted {
                    verdict_at_most(p95, P95_BUDGET_MS, "ms")
                } else {
                    String::new()
                },
            ]);
        }
    }
    table.note(format!(
        "The flood: {FLOOD} sign-ins in flight at once from one address, each with a made-up email (unknown addresses are hashed too, so each would cost a hash), again as soon as each is answered, for as long as the other client measures. The other client: {SIGN_INS} sign-ins to a real account, one after the other, each from a new browser (a new connection), from another address; p50 and p95 over those, median of {} runs (the \"before\" row: 1 run). Release server, harness and flood share the machine's cores.",
        config.runs
    ));
    table.note("Production limits: the flood's first 100 attempts are hashed, 2 at a time at most (its share of the queue), and the rest are refused with 429 before any hashing: by the queue while its share is full, by the per-client limit once its 100 are spent. Each refusal is answered after a 250 ms pause (server/src/routes/auth/mod.rs, REFUSAL_PAUSE), holding no slot, which is what keeps the flood to a few hundred requests a second. The other client waits behind at most the flood's 2 hashes. With the per-client limit lifted, the queue alone keeps the flood to its 2 slots. Before: every attempt waited in one unbounded queue, the other client behind all of them.");
    table.note("Without the pause (2026-12-06, 244414c), refusals came back at once and the flood reached about 16,000 requests a second, all refused, on cores shared with the harness: p95 377 ms on SQLite (✗), 273 ms on PostgreSQL, with the production limits.");
    table.print();
    table
}

async fn measure(server: &Instance, flood: bool, flooder: IpAddr, client: IpAddr) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let flooding = flood.then(|| {
        let browser = Arc::new(Browser::from_address(&server.url, flooder));
        let started = Instant::now();
        let tasks: Vec<_> = (0..FLOOD)
            .map(|i| {
                let browser = browser.clone();
                let stop = stop.clone();
                tokio::spawn(async move {
                    let (mut sent, mut throttled) = (0u64, 0u64);
                    while !stop.load(Ordering::SeqCst) {
                        // Never the same twice, in any run: no account's own limit steps in.
                        let email = format!("made-up-{flooder}-{i}-{sent}@example.com");
                        let answer = browser
                            .try_send(
                                browser
                                    .raw()
                                    .post(browser.url(api::paths::SIGN_IN))
                                    .header("sec-fetch-site", "same-origin")
                                    .json(&serde_json::json!({"email": email, "password": "not the password"})),
                            )
                            .await;
                        sent += 1;
                        if answer.is_ok_and(|a| a.status() == 429) {
                            throttled += 1;
                        }
                    }
                    (sent, throttled)
                })
            })
            .collect();
        (started, tasks)
    });
    if flood {
        // The flood at full strength before the first measured sign-in.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut timings = Vec::with_capacity(SIGN_INS);
    for _ in 0..SIGN_INS {
        let browser = Browser::from_address(&server.url, client);
        let started = Instant::now();
        let answer = browser
            .post_json(
                api::paths::SIGN_IN,
                &serde_json::json!({"email": EMAIL, "password": PASSWORD}),
            )
            .await;
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(answer.status(), 200, "the other client signs in");
    }
    stop.store(true, Ordering::SeqCst);
    let (flood_per_second, flood_throttled) = match flooding {
        None => (0.0, 0.0),
        Some((started, tasks)) => {
            let (mut sent, mut throttled) = (0, 0);
            for task in tasks {
                let (s, t) = task.await.unwrap();
                sent += s;
                throttled += t;
            }
            (
                sent as f64 / started.elapsed().as_secs_f64(),
                throttled as f64 / sent.max(1) as f64,
            )
        }
    };
    timings.sort_by(f64::total_cmp);
    Run {
        p50_ms: crate::scenario::median(&timings),
        // Nearest rank: the 19th of 20.
        p95_ms: timings[(timings.len() * 95).div_ceil(100) - 1],
        flood_per_second,
        flood_throttled,
    }
}
