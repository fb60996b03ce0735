//! The soak: `./scripts/soak.sh [minutes]` (README, "Soak") builds the release server and runs
//! this (`cargo bench -p server --bench soak`). For the minutes given (default 10, at least 1)
//! simulated users (half on Bitbucket Cloud, half on Data Center) drive two release server
//! instances on one PostgreSQL cluster of the soak's own, against both provider sandboxes
//! with latency on every call, while faults arrive on a schedule; then every acknowledged
//! pipeline save is checked in its sandbox's repository. It prints a report and writes it to `BENCHMARKS.md` (figure 7).
//!
//! Loopback only, bounded in time: it stops by itself. Environment: `SOAK_MINUTES`,
//! `SOAK_USERS` (default 8), `SOAK_LATENCY_MS` (default 20), `SOAK_WRITE=0` to leave
//! `BENCHMARKS.md` as it is.

#[allow(dead_code, unused_imports)]
#[path = "../../tests/api/helpers/mod.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../studio/report.rs"]
mod report;

mod cluster;
mod faults;
mod place;
mod tally;
mod user;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cluster::Cluster;
use report::Table;
use tally::{Known, Tally};

/// What `report` needs of a run (shared with the studio benchmark).
pub struct Config {
    pub runs: usize,
    pub root: PathBuf,
}

struct Settings {
    minutes: u64,
    users: usize,
    latency: Duration,
    write: bool,
}

fn settings() -> Settings {
    let number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    Settings {
        minutes: number("SOAK_MINUTES", 10).clamp(1, 120),
        users: number("SOAK_USERS", 8).clamp(1, 64) as usize,
        latency: Duration::from_millis(number("SOAK_LATENCY_MS", 20)),
        write: std::env::var("SOAK_WRITE").map_or(true, |v| v != "0"),
    }
}

fn main() {
    let settings = settings();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server crate sits in the workspace")
        .to_path_buf();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let tables = runtime.block_on(soak(&settings));
    let config = Config { runs: 1, root };
    for table in &tables {
        table.print();
    }
    if settings.write {
        let path = config.root.join("BENCHMARKS.md");
        let previous = std::fs::read_to_string(&path).ok();
        std::fs::write(
            &path,
            report::markdown(&tables, &config, previous.as_deref()),
        )
        .expect("BENCHMARKS.md is writable");
        println!("\nwritten to {}", path.display());
    }
    // Dropping the runtime would wait for the users' idle connections.
    runtime.shutdown_timeout(Duration::from_secs(5));
    let missed = tables
        .iter()
        .flat_map(|table| &table.rows)
        .filter(|row| row.last().is_some_and(|cell| cell == "✗"))
        .count();
    if missed > 0 {
        eprintln!("[soak] {missed} check(s) did not hold (✗ above)");
        std::process::exit(1);
    }
}

async fn soak(settings: &Settings) -> Vec<Table> {
    let duration = Duration::from_secs(settings.minutes * 60);
    println!(
        "[soak] {} minute(s), {} users, {} ms per provider call: starting PostgreSQL, the sandboxes and two instances",
        settings.minutes,
        settings.users,
        settings.latency.as_millis()
    );
    let cluster = Cluster::start(settings.latency).await;
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + duration;

    let mut rss = vec![("start", cluster.rss())];
    let users: Vec<_> = (0..settings.users)
        .map(|n| {
            let user = user::User::new(n, cluster.clone(), tally.clone(), started);
            tokio::spawn(user.run(deadline))
        })
        .collect();
    let schedule = faults::schedule(duration);
    let (injected, down) = faults::run(&cluster, &schedule, started, &mut rss).await;
    tokio::time::sleep_until(deadline.into()).await;
    rss.push(("end", cluster.rss()));
    let mut harness_panics = Vec::new();
    for user in users {
        // Each stops at the deadline, after finishing the request it is in.
        match tokio::time::timeout(Duration::from_secs(60), user).await {
            Ok(Ok(())) => {}
            Ok(Err(panic)) => harness_panics.push(panic.to_string()),
            Err(_) => harness_panics.push("a user was still busy a minute after the end".into()),
        }
    }
    // Every provider's token endpoint.
    let token_stats = [
        cluster.app.sandbox.sandbox.stats().token_requests,
        cluster.app.datacenter.sandbox.stats().token_requests,
        cluster.app.github.sandbox.stats().token_requests,
    ];
    let refreshes = refreshes_per_user(&cluster).await;
    let tables = report_tables(
        settings,
        &cluster,
        &tally,
        &injected,
        down,
        &rss,
        &refreshes,
        &token_stats,
        harness_panics,
    );
    cluster.stop();
    tables
}

/// Refreshes recorded per studio user (the connection audit trail), most first. Read on a
/// connection of its own: the servers' pools may still hold connections the PostgreSQL
/// restart ended, however many times one retries on them.
async fn refreshes_per_user(cluster: &Cluster) -> Vec<i64> {
    use sqlx::Connection;
    let mut last_error = None;
    for _ in 0..10 {
        let counts = async {
            let mut connection =
                sqlx::PgConnection::connect(&cluster.app.settings.database_url).await?;
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM connection_events WHERE kind = 'refreshed' \
                 GROUP BY user_id ORDER BY COUNT(*) DESC",
            )
            .fetch_all(&mut connection)
            .await
        }
        .await;
        match counts {
            Ok(counts) => return counts,
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("[soak] could not read the refreshes per user: {last_error:?}");
    Vec::new()
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[allow(clippy::too_many_arguments)]
fn report_tables(
    settings: &Settings,
    cluster: &Cluster,
    tally: &Tally,
    injected: &[String],
    down: Option<(Duration, Duration)>,
    rss: &[(&'static str, Vec<u64>)],
    refreshes: &[i64],
    token_stats: &[sandbox::TokenRequestStats],
    harness_panics: Vec<String>,
) -> Vec<Table> {
    let setup = format!(
        "{} minute(s), {} simulated users (half on Bitbucket Cloud, half on Data Center), two release instances alternated on one PostgreSQL, {} ms on every Bitbucket call",
        settings.minutes,
        settings.users,
        settings.latency.as_millis()
    );

    let mut routes = Table::new(
        "7a. Soak: requests by route and outcome",
        "no 5xx a user could see, except an outage shown with a clear message and Retry-After",
        &["route", "outcome", "requests", "p50", "p99"],
    );
    for (route, outcome, count, p50, p99) in tally.rows() {
        routes.row(vec![
            route.to_owned(),
            outcome,
            count.to_string(),
            report::ms(p50.as_secs_f64() * 1000.0),
            report::ms(p99.as_secs_f64() * 1000.0),
        ]);
    }
    routes.note(format!(
        "{setup}; {} requests in all. Faults injected, in order: {}.",
        tally.total(),
        injected.join("; ")
    ));
    routes.note("outcome: ok (2xx, 3xx); a 4xx the flows expect at times (409: changed elsewhere, or reconnect needed after the revocation; 404: a deleted pipeline); \"<status> <code>, Retry-After\": an outage shown as one (provider_unavailable, provider_rate_limited, unavailable: the database, or a branch too busy with other commits to save on); SERVER ERROR: any other 5xx; no answer: the killed instance; timed out: the 35 s client timeout.");

    let failures = tally.failures();
    let unexplained: Vec<_> = failures
        .iter()
        .filter(|f| !(f.retry_after && is_outage_code(&f.code)))
        .collect();
    let lost = lost_saves(cluster, tally);
    let waited = tally.waited_over_30s();
    let reused: u64 = token_stats.iter().map(|t| t.rotated_refresh_reused).sum();
    let mut goals = Table::new(
        "7b. Soak: what must hold",
        "every row ✓",
        &["check", "found", "goal", "holds"],
    );
    let check = |ok: bool| if ok { "✓" } else { "✗" }.to_owned();
    goals.row(vec![
        "5xx or 429 a user saw".into(),
        format!(
            "{} ({} with a clear outage code and Retry-After)",
            failures.len(),
            failures.len() - unexplained.len()
        ),
        "only outages shown as such".into(),
        check(unexplained.is_empty()),
    ]);
    goals.row(vec![
        "acknowledged pipeline saves lost or overwritten".into(),
        format!(
            "{} of {} acknowledged ({} files checked)",
            lost.0.len(),
            tally.acknowledged_saves(),
            lost.1
        ),
        "none (and some saves made)".into(),
        check(lost.0.is_empty() && tally.acknowledged_saves() > 0),
    ]);
    goals.row(vec![
        "refreshes racing for one grant (a rotated refresh token presented again)".into(),
        reused.to_string(),
        "none".into(),
        check(reused == 0),
    ]);
    goals.row(vec![
        "refreshes per user (most, least)".into(),
        format!(
            "{}, {} ({} refresh calls in all)",
            refreshes.first().copied().unwrap_or(0),
            refreshes.last().copied().unwrap_or(0),
            token_stats.iter().map(|t| t.refresh_token).sum::<u64>()
        ),
        "one per expiry and user".into(),
        String::new(),
    ]);
    goals.row(vec![
        "requests still waiting after 30 s".into(),
        waited.len().to_string(),
        "none".into(),
        check(waited.is_empty()),
    ]);
    let outside: Vec<Duration> = tally
        .no_answers()
        .into_iter()
        .filter(|at| {
            !down.is_some_and(|(from, to)| *at >= from && *at <= to + Duration::from_secs(1))
        })
        .collect();
    goals.row(vec![
        "requests with no answer while both instances were up".into(),
        outside.len().to_string(),
        "none".into(),
        check(outside.is_empty()),
    ]);
    let harness = tally.harness_errors();
    goals.row(vec![
        "state a user read that differs from what was acknowledged".into(),
        (harness.len() + harness_panics.len()).to_string(),
        "none".into(),
        check(harness.is_empty() && harness_panics.is_empty()),
    ]);
    let (flat, growth) = rss_flat(rss);
    goals.row(vec![
        "resident memory, middle → end (each instance)".into(),
        growth,
        "within 10% after warm-up".into(),
        check(flat),
    ]);
    for failure in unexplained.iter().take(20) {
        goals.note(format!(
            "unexplained: {} at {:.0} s answered {} {:?} (Retry-After: {})",
            failure.route,
            failure.at.as_secs_f64(),
            failure.status,
            failure.code,
            failure.retry_after
        ));
    }
    for (path, why) in lost.0.iter().take(20) {
        goals.note(format!("lost: {path}: {why}"));
    }
    for message in harness.iter().chain(&harness_panics).take(20) {
        goals.note(format!("found: {message}"));
    }
    for (route, took) in waited.iter().take(20) {
        goals.note(format!("waited: {route} {:.1} s", took.as_secs_f64()));
    }
    goals.note(format!("{setup}. Lost saves: every file a user wrote is read in the sandbox's repository at the end and compared with the last state the studio (or Bitbucket, for a colleague's commit) acknowledged; after a write that was never answered, either that state or the unanswered write's is accepted, never anything else (and never a save over a colleague's commit). The same rule holds at every read during the run. No answer: allowed only while instance 2 was down (from its kill to a second after its restart)."));

    let mut memory = Table::new(
        "7c. Soak: resident memory of each instance",
        "flat within 10% after warm-up",
        &["when", "instance 1", "instance 2"],
    );
    for (when, values) in rss {
        let mut cells = vec![when.to_string()];
        cells.extend(values.iter().map(|v| mib(*v)));
        cells.resize(3, String::new());
        memory.row(cells);
    }
    memory.note("VmRSS from /proc; \"middle\" is read after the warm-up, before the instance kill. Instance 2 is killed and restarted during the run, so its end figure is a fresh process's.");
    vec![routes, goals, memory]
}

/// 503/429 answers that name the outage and say when to retry.
fn is_outage_code(code: &str) -> bool {
    matches!(
        code,
        "provider_unavailable" | "provider_rate_limited" | "unavailable" | "too_many_requests"
    )
}

/// Every file whose last acknowledged state is not what the sandbox has, and how many files
/// were checked.
fn lost_saves(cluster: &Cluster, tally: &Tally) -> (Vec<(String, String)>, usize) {
    let mut lost = Vec::new();
    let mut checked = 0;
    for (place, branch, path, known) in tally.ledger() {
        let found = match place.file_now(cluster, &branch, &path) {
            Some(content) => Known::Content(content),
            None => Known::Deleted,
        };
        if !known.accepts(&found) {
            lost.push((
                format!("{}: {branch}: {path}", place.label()),
                format!("expected {known:?}, found {found:?}"),
            ));
        }
        checked += 1;
    }
    (lost, checked)
}

/// Instance 1 (never restarted) from the middle reading to the end.
fn rss_flat(rss: &[(&'static str, Vec<u64>)]) -> (bool, String) {
    let at = |when: &str| {
        rss.iter()
            .find(|(w, _)| *w == when)
            .and_then(|(_, v)| v.first().copied())
    };
    match (at("middle"), at("end")) {
        (Some(middle), Some(end)) => {
            let change = end as f64 / middle as f64 - 1.0;
            (
                change <= 0.10,
                format!(
                    "instance 1: {} → {} ({:+.1}%)",
                    mib(middle),
                    mib(end),
                    change * 100.0
                ),
            )
        }
        _ => (false, "not measured".into()),
    }
}
