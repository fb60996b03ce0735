//! Figure 2: the release front end's weight, and its first load to an interactive wizard in
//! headless Chromium, cold and warm (`end2end/bench/load.bench.ts`).

use serde::{Deserialize, Serialize};

use crate::helpers::{Engine, PASSWORD};
use crate::report::{kb, ms, verdict_at_most, Table};
use crate::scenario::{median_by, Scenario};
use crate::{browser, Config};

const WASM_BROTLI_BUDGET: u64 = 250_000;
const INTERACTIVE_BUDGET_MS: f64 = 300.0;

pub async fn run(config: &Config) -> Vec<Table> {
    vec![weight(config), start(config).await]
}

fn weight(config: &Config) -> Table {
    let pkg = config.site.join("pkg");
    // The server's own reading of the manifest (main checked that the manifest exists).
    let (bundles, _) = server::routes::spa::Bundles::find(&pkg, "studio");
    let mut table = Table::new(
        "2a. Front-end weight (release build)",
        "wasm ≤ 250 KB brotli",
        &["file", "raw", "gzip -9", "brotli 11", "budget"],
    );
    for (name, label) in [
        (&bundles.wasm, "app (wasm)"),
        (&bundles.js, "glue (JS)"),
        (&bundles.css, "styles (CSS)"),
    ] {
        let size = |suffix: &str| {
            std::fs::metadata(pkg.join(format!("{name}{suffix}")))
                .unwrap_or_else(|e| panic!("{name}{suffix}: {e}"))
                .len()
        };
        let brotli = size(".br");
        table.row(vec![
            format!("{label}: {name}"),
            kb(size("")),
            kb(size(".gz")),
            kb(brotli),
            if name == &bundles.wasm {
                verdict_at_most(
                    brotli as f64 / 1000.0,
                    WASM_BROTLI_BUDGET as f64 / 1000.0,
                    "KB",
                )
            } else {
                String::new()
            },
        ]);
    }
    table.note("Built by scripts/build-release-site.sh: profile wasm-release (opt-level z, LTO, 1 codegen unit, panic = abort) with Leptos' erase_components, wasm-bindgen, binaryen's wasm-opt -Oz, then brotli (quality 11) and gzip (level 9) copies that the server sends as they are. KB = 1,000 bytes.");
    table.note("Where the wasm goes (code by symbol, before wasm-opt): Leptos' reactive system, renderer and router about 38%, the app's own components 7%, serde_json 6%, the pipeline editor's YAML checker (yaml-rust2 and the contract's schema check) about 5%, the standard library (formatting, strings, allocation) about 30%. What would close the budget: splitting the wasm by route (Leptos 0.8's lazy routes), so the first load carries the wizard and the project and pipeline pages load when opened.");
    table.print();
    table
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Input {
    runs: usize,
    sign_in_path: &'static str,
    email: String,
    password: &'static str,
    path: &'static str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Load {
    interactive: f64,
    response_start: f64,
    dom_content_loaded: f64,
    load: f64,
    transferred: f64,
}

#[derive(Deserialize)]
struct Loads {
    cold: Vec<Load>,
    warm: Vec<Load>,
}

async fn start(config: &Config) -> Table {
    let scenario = Scenario::start(config, Engine::Sqlite, true).await;
    let email = "load@example.com".to_owned();
    scenario.connected_user(&email, "Alex Rivera").await;
    let loads: Loads = browser::run(
        config,
        "bench/load.bench.ts",
        &scenario.server.url,
        &Input {
            runs: config.runs,
            sign_in_path: api::paths::SIGN_IN,
            email,
            password: PASSWORD,
            path: "/projects/new",
        },
    )
    .await;
    let mut table = Table::new(
        "2b. First load to an interactive wizard (headless Chromium, localhost)",
        "interactive ≤ 300 ms",
        &[
            "cache",
            "first byte",
            "DOMContentLoaded",
            "load event",
            "interactive",
            "transferred",
            "budget",
        ],
    );
    for (cache, loads) in [("cold", &loads.cold), ("warm", &loads.warm)] {
        let of = |f: fn(&Load) -> f64| median_by(loads, f);
        let interactive = of(|l| l.interactive);
        table.row(vec![
            cache.to_owned(),
            ms(of(|l| l.response_start)),
            ms(of(|l| l.dom_content_loaded)),
            ms(of(|l| l.load)),
            ms(interactive),
            kb(of(|l| l.transferred) as u64),
            verdict_at_most(interactive, INTERACTIVE_BUDGET_MS, "ms"),
        ]);
    }
    table.note(format!("Navigation Timing from navigation start, median of {} runs after one unmeasured run. interactive: the first step (\"Select project configuration\") has its \"Quick start\" button in the page and enabled, in the frame that paints it; the app has started, asked the server who is signed in, and rendered.", config.runs));
    table.note("cold: a new browser context (empty cache). warm: the same context coming back; the hashed bundles are cached as immutable, so only the shell, /boot.js and /api/me are fetched. transferred: bytes over the wire, headers included.");
    table.print();
    table
}
