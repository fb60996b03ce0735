//! The studio's benchmark: `./scripts/bench.sh` builds the release front end, then runs this
//! (`cargo bench -p server --bench studio`), which prints a table per figure and writes them
//! all to `BENCHMARKS.md` with the machine they were measured on.
//!
//! Everything measured is a real process: the release server binary (started as tests start
//! further instances, see `tests/api/helpers/instance.rs`), the Bitbucket sandbox with 100 ms
//! injected on every upstream call where a figure says so, Chromium driven by Playwright
//! (`end2end/bench/`), and `wrk` for load. Each figure is the median of several runs, and each
//! comparison is measured side by side in the same run, because these machines are noisy.
//!
//! Environment: `BENCH_RUNS` (default 5) runs per figure; `BENCH_ONLY` (comma-separated:
//! `picker,frontend,throughput,stampede,memory,calls,branches,flood`) to run some figures only;
//! `BENCH_SITE` the release front end (default `target/release-site`; `flood` alone needs none).

// The test helpers are shared with the integration tests; the benchmark uses only some.
#[allow(dead_code, unused_imports)]
#[path = "../../tests/api/helpers/mod.rs"]
mod helpers;

mod branches;
mod browser;
mod calls;
mod flood;
mod frontend;
mod memory;
mod picker;
mod report;
mod scenario;
mod stampede;
mod throughput;

use std::path::PathBuf;

use report::Table;

/// What this run measures, from the environment.
pub struct Config {
    pub runs: usize,
    only: Option<Vec<String>>,
    /// The repository root (benches run in the package's folder).
    pub root: PathBuf,
    /// The release front end, built by `scripts/build-release-site.sh`.
    pub site: PathBuf,
}

impl Config {
    fn from_env() -> Config {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the server crate sits in the workspace")
            .to_path_buf();
        let site = std::env::var("BENCH_SITE")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from("target/release-site"));
        Config {
            runs: std::env::var("BENCH_RUNS")
                .ok()
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(5),
            only: std::env::var("BENCH_ONLY")
                .ok()
                .map(|list| list.split(',').map(|s| s.trim().to_owned()).collect()),
            site: if site.is_absolute() {
                site
            } else {
                root.join(site)
            },
            root,
        }
    }

    /// Figures that measure no front end: with `BENCH_ONLY` naming only these, none is built.
    const WITHOUT_SITE: &'static [&'static str] = &["flood", "branches"];

    fn needs_site(&self) -> bool {
        self.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|f| !Self::WITHOUT_SITE.contains(&f.as_str()))
        })
    }

    fn wants(&self, figure: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|f| f == figure))
    }
}

fn main() {
    let config = Config::from_env();
    assert!(
        !config.needs_site()
            || config
                .site
                .join("pkg")
                .join(server::routes::spa::MANIFEST)
                .exists(),
        "no release front end at {}: run ./scripts/bench.sh (it builds one first)",
        config.site.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let tables: Vec<Table> = runtime.block_on(async {
        let mut tables = Vec::new();
        if config.wants("picker") {
            tables.push(picker::run(&config).await);
        }
        if config.wants("frontend") {
            tables.extend(frontend::run(&config).await);
        }
        if config.wants("throughput") {
            tables.push(throughput::run(&config).await);
        }
        if config.wants("stampede") {
            tables.push(stampede::run(&config).await);
        }
        if config.wants("memory") {
            tables.push(memory::run(&config).await);
        }
        if config.wants("calls") {
            tables.push(calls::run(&config).await);
        }
        if config.wants("branches") {
            tables.push(branches::run(&config).await);
        }
        if config.wants("flood") {
            tables.push(flood::run(&config).await);
        }
        tables
    });
    let path = config.root.join("BENCHMARKS.md");
    // Figures not measured this time (BENCH_ONLY, or the soak's, which its own script
    // writes) are kept as they were.
    let previous = std::fs::read_to_string(&path).ok();
    let markdown = report::markdown(&tables, &config, previous.as_deref());
    std::fs::write(&path, markdown).expect("BENCHMARKS.md is writable");
    println!("\nwritten to {}", path.display());
}
