//! The faults the soak injects while users work, at fixed fractions of the run, so a short
//! run meets every one of them as a long run does.

use std::time::{Duration, Instant};

use sandbox::{Fault, FaultKind};

use crate::cluster::Cluster;
use crate::helpers::CLIENT_ID;

/// Which provider sandbox a fault is injected into.
#[derive(Clone, Copy, Debug)]
pub enum Upstream {
    Cloud,
    DataCenter,
    GitHub,
}

#[derive(Clone, Debug)]
pub enum Injection {
    /// A sandbox's answers: `count` requests under `prefix` get `kind`.
    Upstream {
        upstream: Upstream,
        kind: FaultKind,
        count: u32,
        prefix: &'static str,
    },
    /// Every access token expires, on every provider (the sandboxes' clocks move 8 h 1 min
    /// on, past GitHub's 8 hours and Bitbucket's 1 or 2; rotation is on).
    TokensExpire,
    /// Alex revokes the studio's access on every provider: every grant of the account ends.
    Revoke,
    /// Instance 2 is killed (SIGKILL), left down 5 s, and started again.
    KillInstance,
    /// PostgreSQL stops (fast shutdown) for 3 s and starts again.
    RestartPostgres,
    /// Resident memory is read here, after the warm-up ("middle").
    ReadMemory,
}

impl Injection {
    fn describe(&self) -> String {
        match self {
            Injection::Upstream {
                upstream,
                kind,
                count,
                prefix,
            } => {
                let what = match kind {
                    FaultKind::Status(429) => "429 with Retry-After".to_owned(),
                    FaultKind::Status(status) => format!("{status}"),
                    FaultKind::Hang(d) => format!("a {} s hang", d.as_secs()),
                    FaultKind::MalformedJson => "malformed JSON".to_owned(),
                };
                let on = match upstream {
                    Upstream::Cloud => "Cloud",
                    Upstream::DataCenter => "Data Center",
                    Upstream::GitHub => "GitHub",
                };
                let target = match prefix.strip_suffix('$') {
                    Some(path) => format!("{path} (that path only)"),
                    None => prefix.to_string(),
                };
                format!("{what} × {count} on {on} {target}")
            }
            Injection::TokensExpire => "every access token expires".into(),
            Injection::Revoke => "the grants are revoked on every provider".into(),
            Injection::KillInstance => "instance 2 killed, restarted after 5 s".into(),
            Injection::RestartPostgres => "PostgreSQL restarted (3 s down)".into(),
            Injection::ReadMemory => String::new(),
        }
    }
}

/// When each fault arrives, as a fraction of the run.
pub fn schedule(run: Duration) -> Vec<(Duration, Injection)> {
    let at = |fraction: f64| run.mul_f64(fraction);
    let on = |upstream| {
        move |kind, count, prefix| Injection::Upstream {
            upstream,
            kind,
            count,
            prefix,
        }
    };
    let (cloud, datacenter, github) = (
        on(Upstream::Cloud),
        on(Upstream::DataCenter),
        on(Upstream::GitHub),
    );
    // Longer than the studio's 20 s upstream timeout: it must give up and say so.
    let hang = FaultKind::Hang(Duration::from_secs(25));
    vec![
        (
            at(0.10),
            cloud(FaultKind::Status(500), 3, "/2.0/repositories"),
        ),
        (
            at(0.11),
            datacenter(FaultKind::Status(500), 3, "/rest/api/latest/repos"),
        ),
        (
            at(0.115),
            github(FaultKind::Status(500), 3, "/api/v3/user/installations/"),
        ),
        (at(0.12), cloud(FaultKind::Status(502), 2, "/2.0/user")),
        (
            at(0.13),
            datacenter(FaultKind::Status(502), 2, "/rest/api/latest/projects"),
        ),
        (
            at(0.14),
            github(FaultKind::Status(502), 2, "/api/v3/repos/"),
        ),
        (at(0.18), cloud(FaultKind::Status(429), 5, "/2.0/")),
        (
            at(0.19),
            datacenter(FaultKind::Status(429), 5, "/rest/api/"),
        ),
        (at(0.195), github(FaultKind::Status(429), 5, "/api/v3/")),
        (at(0.26), cloud(hang.clone(), 2, "/2.0/repositories")),
        (
            at(0.27),
            datacenter(hang.clone(), 2, "/rest/api/latest/repos"),
        ),
        (at(0.275), github(hang, 2, "/api/v3/user/installations/")),
        // Malformed JSON on the group lists exactly (`$`): a file read under the same prefix
        // (Data Center's `/projects/{key}/repos/{slug}/raw/…`) is any bytes, so a garbled body
        // there is a file the studio must show as it is, not a fault it could notice; landing
        // on one made the soak see content nobody saved (CI, 2026-12-06).
        (
            at(0.34),
            cloud(FaultKind::MalformedJson, 2, "/2.0/user/workspaces$"),
        ),
        (
            at(0.35),
            datacenter(FaultKind::MalformedJson, 2, "/rest/api/latest/projects$"),
        ),
        (
            at(0.355),
            github(FaultKind::MalformedJson, 2, "/api/v3/user/installations$"),
        ),
        (at(0.40), Injection::ReadMemory),
        (at(0.45), Injection::TokensExpire),
        (at(0.55), Injection::Revoke),
        (at(0.62), Injection::KillInstance),
        (at(0.75), Injection::RestartPostgres),
        (at(0.85), Injection::TokensExpire),
    ]
}

/// Applies the schedule; returns what was injected, for the report, and when (since the
/// start) instance 2 was down: from its kill until its replacement served.
pub async fn run(
    cluster: &std::sync::Arc<Cluster>,
    schedule: &[(Duration, Injection)],
    started: Instant,
    rss: &mut Vec<(&'static str, Vec<u64>)>,
) -> (Vec<String>, Option<(Duration, Duration)>) {
    let sandbox = &cluster.app.sandbox.sandbox;
    let datacenter = &cluster.app.datacenter.sandbox;
    let github = &cluster.app.github.sandbox;
    let mut injected = Vec::new();
    let mut down = None;
    for (at, injection) in schedule {
        tokio::time::sleep_until((started + *at).into()).await;
        let described = injection.describe();
        if !described.is_empty() {
            println!(
                "[soak] {:>4.0} s: {described}",
                started.elapsed().as_secs_f64()
            );
            injected.push(format!("{:.0} s: {described}", at.as_secs_f64()));
        }
        match injection {
            Injection::Upstream {
                upstream,
                kind,
                count,
                prefix,
            } => {
                let fault = Fault {
                    kind: kind.clone(),
                    count: *count,
                    path_prefix: (*prefix).to_owned(),
                    latency: Duration::ZERO,
                };
                match upstream {
                    Upstream::Cloud => sandbox.inject(fault),
                    Upstream::DataCenter => datacenter.inject(fault),
                    Upstream::GitHub => github.inject(fault),
                }
            }
            Injection::TokensExpire => {
                let past_expiry = Duration::from_secs(8 * 3600 + 60);
                sandbox.advance_clock(past_expiry);
                datacenter.advance_clock(past_expiry);
                github.advance_clock(past_expiry);
            }
            Injection::Revoke => {
                sandbox.revoke("alex", CLIENT_ID);
                datacenter.revoke("alex", CLIENT_ID);
                github.revoke("alex", CLIENT_ID);
            }
            Injection::KillInstance => {
                let from = started.elapsed();
                cluster.kill_and_restart(1, Duration::from_secs(5)).await;
                down = Some((from, started.elapsed()));
            }
            Injection::RestartPostgres => cluster.restart_postgres(Duration::from_secs(3)).await,
            Injection::ReadMemory => rss.push(("middle", cluster.rss())),
        }
    }
    (injected, down)
}
