//! The studio's Prometheus metrics, one [`Metrics`] (and registry) per server: tests run
//! several servers in one process, and each must report only its own traffic.
//!
//! | metric | labels |
//! |---|---|
//! | `studio_http_request_duration_seconds` (histogram; `_count` is requests) | `route` (the template, e.g. `/api/projects/{id}`), `method`, `status` |
//! | `studio_bitbucket_request_duration_seconds` (histogram) | `endpoint` (a template, e.g. `/repositories/{workspace}/{repo_slug}/src/{commit}/{path}`, or `token`), `method`, `status` (the code, or `unreachable`) |
//! | `studio_bitbucket_rate_limited_total` | `endpoint` |
//! | `studio_bitbucket_token_refreshes_total` | `outcome`: `refreshed`, `reused` (another caller or instance had just refreshed), `refused` (revoked or expired: Reconnect), `retried`, `failed` (Bitbucket unavailable; the connection is kept) |
//! | `studio_password_hashes_total` | `outcome`: `hashed`, `shed` (refused with 429: the hash queue, or the client's share of it, was full) |
//! | `studio_db_pool_connections` (gauge) | `state`: `idle`, `in_use` |
//! | `studio_db_pool_max_connections` (gauge) | |
//!
//! Label values come from fixed sets or templates only, never from what a request carried,
//! so neither a secret nor an unbounded number of series can enter.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use std::sync::Arc;
use std::time::Duration;

/// Latency buckets (seconds): from a cached answer (sub-millisecond) to a slow Bitbucket.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0,
];

/// What became of one token refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshOutcome {
    Refreshed,
    Reused,
    Refused,
    Retried,
    Failed,
}

impl RefreshOutcome {
    fn label(self) -> &'static str {
        match self {
            Self::Refreshed => "refreshed",
            Self::Reused => "reused",
            Self::Refused => "refused",
            Self::Retried => "retried",
            Self::Failed => "failed",
        }
    }
}

/// What became of a password that needed hashing (a sign-in or a sign-up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashOutcome {
    Hashed,
    Shed,
}

impl HashOutcome {
    fn label(self) -> &'static str {
        match self {
            Self::Hashed => "hashed",
            Self::Shed => "shed",
        }
    }
}

/// How a Bitbucket call ended, for its `status` label.
#[derive(Clone, Copy, Debug)]
pub enum CallStatus {
    Answered(u16),
    /// No answer: refused connection, timeout, reset.
    Unreachable,
}

pub struct Metrics {
    registry: Registry,
    http: HistogramVec,
    bitbucket: HistogramVec,
    rate_limited: IntCounterVec,
    refreshes: IntCounterVec,
    password_hashes: IntCounterVec,
    pool: IntGaugeVec,
    pool_max: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        let registry = Registry::new();
        let http = HistogramVec::new(
            HistogramOpts::new(
                "studio_http_request_duration_seconds",
                "Requests the studio answered, by route template, method and status.",
            )
            .buckets(BUCKETS.to_vec()),
            &["route", "method", "status"],
        )
        .expect("a valid metric");
        let bitbucket = HistogramVec::new(
            HistogramOpts::new(
                "studio_bitbucket_request_duration_seconds",
                "Calls the studio made to Bitbucket, by endpoint template, method and status.",
            )
            .buckets(BUCKETS.to_vec()),
            &["endpoint", "method", "status"],
        )
        .expect("a valid metric");
        let rate_limited = IntCounterVec::new(
            Opts::new(
                "studio_bitbucket_rate_limited_total",
                "Bitbucket answers 429 (rate limited), by endpoint template.",
            ),
            &["endpoint"],
        )
        .expect("a valid metric");
        let refreshes = IntCounterVec::new(
            Opts::new(
                "studio_bitbucket_token_refreshes_total",
                "Token refreshes, by outcome.",
            ),
            &["outcome"],
        )
        .expect("a valid metric");
        let password_hashes = IntCounterVec::new(
            Opts::new(
                "studio_password_hashes_total",
                "Passwords that needed hashing (sign-ins, sign-ups), by outcome.",
            ),
            &["outcome"],
        )
        .expect("a valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "studio_db_pool_connections",
                "Database connections held by the pool, idle or in use.",
            ),
            &["state"],
        )
        .expect("a valid metric");
        let pool_max = IntGauge::new(
            "studio_db_pool_max_connections",
            "The most connections the pool opens.",
        )
        .expect("a valid metric");
        for collector in [
            Box::new(http.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(bitbucket.clone()),
            Box::new(rate_limited.clone()),
            Box::new(refreshes.clone()),
            Box::new(password_hashes.clone()),
            Box::new(pool.clone()),
            Box::new(pool_max.clone()),
        ] {
            registry.register(collector).expect("names are unique");
        }
        // Every outcome is present from the start, so a rate over it is defined at zero.
        for outcome in [
            RefreshOutcome::Refreshed,
            RefreshOutcome::Reused,
            RefreshOutcome::Refused,
            RefreshOutcome::Retried,
            RefreshOutcome::Failed,
        ] {
            refreshes.with_label_values(&[outcome.label()]);
        }
        for outcome in [HashOutcome::Hashed, HashOutcome::Shed] {
            password_hashes.with_label_values(&[outcome.label()]);
        }
        Arc::new(Self {
            registry,
            http,
            bitbucket,
            rate_limited,
            refreshes,
            password_hashes,
            pool,
            pool_max,
        })
    }

    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.http
            .with_label_values(&[route, method, status_label(status)])
            .observe(elapsed.as_secs_f64());
    }

    pub fn observe_bitbucket(
        &self,
        endpoint: &str,
        method: &str,
        status: CallStatus,
        elapsed: Duration,
    ) {
        let status = match status {
            CallStatus::Answered(429) => {
                self.rate_limited.with_label_values(&[endpoint]).inc();
                "429"
            }
            CallStatus::Answered(code) => status_label(code),
            CallStatus::Unreachable => "unreachable",
        };
        self.bitbucket
            .with_label_values(&[endpoint, method, status])
            .observe(elapsed.as_secs_f64());
    }

    /// Sends `request` to a Git provider with the current request's id (`X-Request-Id`) and
    /// counts the call under `endpoint`: the one way the studio calls a provider, REST and
    /// token endpoint alike.
    pub async fn send_upstream(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        endpoint: &str,
    ) -> Result<reqwest::Response, reqwest::Error> {
        if let Some(id) = super::RequestId::current() {
            request
                .headers_mut()
                .insert(super::request_id::HEADER, id.header_value().clone());
        }
        let method = request.method().clone();
        let started = std::time::Instant::now();
        let sent = http.execute(request).await;
        let status = match &sent {
            Ok(response) => CallStatus::Answered(response.status().as_u16()),
            Err(_) => CallStatus::Unreachable,
        };
        self.observe_bitbucket(endpoint, method.as_str(), status, started.elapsed());
        sent
    }

    pub fn count_refresh(&self, outcome: RefreshOutcome) {
        self.refreshes.with_label_values(&[outcome.label()]).inc();
    }

    pub fn count_password_hash(&self, outcome: HashOutcome) {
        self.password_hashes
            .with_label_values(&[outcome.label()])
            .inc();
    }

    /// The text exposition format, with the pool's figures read now.
    pub fn render(&self, pool: PoolUse) -> String {
        self.pool.with_label_values(&["idle"]).set(pool.idle as i64);
        self.pool
            .with_label_values(&["in_use"])
            .set(pool.size.saturating_sub(pool.idle) as i64);
        self.pool_max.set(pool.max as i64);
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("encoding to memory cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// A database pool's connections at one moment.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolUse {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// The status as a label without allocating: HTTP codes are three digits.
fn status_label(status: u16) -> &'static str {
    const CODES: &[(u16, &str)] = &[
        (200, "200"),
        (201, "201"),
        (202, "202"),
        (204, "204"),
        (301, "301"),
        (302, "302"),
        (303, "303"),
        (304, "304"),
        (307, "307"),
        (400, "400"),
        (401, "401"),
        (403, "403"),
        (404, "404"),
        (405, "405"),
        (409, "409"),
        (412, "412"),
        (413, "413"),
        (415, "415"),
        (422, "422"),
        (429, "429"),
        (500, "500"),
        (502, "502"),
        (503, "503"),
        (504, "504"),
    ];
    match CODES.binary_search_by_key(&status, |(code, _)| *code) {
        Ok(index) => CODES[index].1,
        Err(_) => match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_labelled_by_code_or_class() {
        assert_eq!(status_label(200), "200");
        assert_eq!(status_label(429), "429");
        assert_eq!(status_label(418), "4xx");
        assert_eq!(status_label(599), "5xx");
    }

    #[test]
    fn the_text_format_names_every_family() {
        let metrics = Metrics::new();
        metrics.observe_request("/api/me", "GET", 200, Duration::from_millis(2));
        metrics.observe_bitbucket(
            "/user",
            "GET",
            CallStatus::Answered(429),
            Duration::from_millis(30),
        );
        metrics.count_refresh(RefreshOutcome::Refreshed);
        let text = metrics.render(PoolUse {
            size: 3,
            idle: 1,
            max: 10,
        });
        for line in [
            r#"studio_http_request_duration_seconds_count{method="GET",route="/api/me",status="200"} 1"#,
            r#"studio_bitbucket_request_duration_seconds_count{endpoint="/user",method="GET",status="429"} 1"#,
            r#"studio_bitbucket_rate_limited_total{endpoint="/user"} 1"#,
            r#"studio_bitbucket_token_refreshes_total{outcome="refreshed"} 1"#,
            r#"studio_bitbucket_token_refreshes_total{outcome="refused"} 0"#,
            r#"studio_db_pool_connections{state="in_use"} 2"#,
            "studio_db_pool_max_connections 10",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
