//! Figure 4: 100 API calls at once with an expired Bitbucket token: how many refresh calls
//! reach Bitbucket (the budget is one), and how much later the calls finish than the same
//! 100 calls with a fresh token, measured side by side.

use std::time::{Duration, Instant};

use futures::future::join_all;

use crate::helpers::{Browser, Engine};
use crate::report::{ms, Table};
use crate::scenario::{median, median_by, Scenario};
use crate::Config;

const CALLS: usize = 100;
const LATENCY: Duration = Duration::from_millis(100);
/// Past the sandbox's two-hour access-token lifetime.
const PAST_EXPIRY: Duration = Duration::from_secs(7200 + 60);

/// What one burst of calls saw.
struct Burst {
    refreshes: u64,
    median_ms: f64,
    slowest_ms: f64,
}

pub async fn run(config: &Config) -> Table {
    let mut table = Table::new(
        "4. Refresh stampede: 100 concurrent calls, expired token (100 ms per upstream call)",
        "1 refresh call",
        &[
            "database",
            "token",
            "refresh calls (most in a run)",
            "median call",
            "slowest call",
            "added (median)",
            "added (slowest)",
            "budget",
        ],
    );
    for (engine, name) in [(Engine::Sqlite, "SQLite"), (Engine::Postgres, "PostgreSQL")] {
        let scenario = Scenario::start(config, engine, true).await;
        let browser = scenario
            .connected_user("stampede@example.com", "Alex Rivera")
            .await;
        let sandbox = &scenario.app.sandbox.sandbox;
        sandbox.set_latency(LATENCY);
        burst(&scenario, &browser).await; // warm-up
        let mut kinds: [(&str, Vec<Burst>); 3] = [
            ("fresh", Vec::new()),
            ("expired, server unaware (401s)", Vec::new()),
            ("expired, known to the server", Vec::new()),
        ];
        for _ in 0..config.runs {
            kinds[0].1.push(burst(&scenario, &browser).await);
            // Bitbucket's clock passes the expiry; the server learns it from 401s.
            sandbox.advance_clock(PAST_EXPIRY);
            kinds[1].1.push(burst(&scenario, &browser).await);
            // Both know: the server refreshes before calling.
            sandbox.advance_clock(PAST_EXPIRY);
            scenario
                .app
                .sql("UPDATE provider_grants SET access_expires_at = 0")
                .await;
            kinds[2].1.push(burst(&scenario, &browser).await);
        }
        let fresh_median = median_by(&kinds[0].1, |b| b.median_ms);
        let fresh_slowest = median_by(&kinds[0].1, |b| b.slowest_ms);
        for (i, (kind, bursts)) in kinds.iter().enumerate() {
            let refreshes = bursts.iter().map(|b| b.refreshes).max().unwrap_or(0);
            let median_ms = median_by(bursts, |b| b.median_ms);
            let slowest_ms = median_by(bursts, |b| b.slowest_ms);
            let expired = i > 0;
            table.row(vec![
                name.to_owned(),
                kind.to_string(),
                refreshes.to_string(),
                ms(median_ms),
                ms(slowest_ms),
                if expired {
                    ms(median_ms - fresh_median)
                } else {
                    String::new()
                },
                if expired {
                    ms(slowest_ms - fresh_slowest)
                } else {
                    String::new()
                },
                match (expired, refreshes) {
                    (false, _) => String::new(),
                    (true, 1) => "✓".to_owned(),
                    (true, n) => format!("✗ {n} refresh calls"),
                },
            ]);
        }
    }
    table.note(format!(
        "{CALLS} concurrent GET /api/bitbucket/repository-picker (each needs the user's token, and its workspace list always reaches Bitbucket) against the release server; the sandbox adds 100 ms to every API and token call. Medians over {} runs of each kind, alternating; refresh calls are the most the sandbox counted in any one run.",
        config.runs
    ));
    table.note("added: the expired burst's median (or slowest) call minus the fresh burst's. Unaware: the first calls meet 401 \"expired\", one refreshes and the others wait for it, then all retry. Known: one caller refreshes before any call goes out, the others wait for its token.");
    table.note("Before issue 18 (2026-11-23, c1e8457): one refresh call in every case; added (median) on SQLite 207 ms unaware, 107 ms known; on PostgreSQL 196 ms unaware, 121 ms known.");
    table.print();
    table
}

async fn burst(scenario: &Scenario, browser: &Browser) -> Burst {
    let sandbox = &scenario.app.sandbox.sandbox;
    let before = sandbox.stats().token_requests.refresh_token;
    let timings = join_all((0..CALLS).map(|_| async {
        let started = Instant::now();
        // The repository picker: its opening read of the workspace list always reaches
        // Bitbucket (a call served from the server's one-minute cache would meet no expiry).
        let response = browser.get(api::paths::BITBUCKET_REPOSITORY_PICKER).await;
        assert_eq!(response.status(), 200, "every call succeeds");
        let _ = response.bytes().await;
        started.elapsed().as_secs_f64() * 1000.0
    }))
    .await;
    Burst {
        refreshes: sandbox.stats().token_requests.refresh_token - before,
        median_ms: median(&timings),
        slowest_ms: timings.iter().copied().fold(0.0, f64::max),
    }
}
