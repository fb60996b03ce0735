//! Figure 2: the release front end's weight, and its first load to an interactive wizard in
//! headless Chromium, cold and warm (`end2end/bench/load.bench.ts`).

use serde::{Deserialize, Serialize};

use crate::helpers::{Engine, PASSWORD};
use crate::report::{kb, ms, verdict_at_most, Table};
use crate::scenario::{median_by, Scenario};
use crate::{browser, Config};

const FIRST_SCREEN_BROTLI_BUDGET: u64 = 200_000;
const INTERACTIVE_BUDGET_MS: f64 = 300.0;
const EDITOR_EXTRA_BUDGET_MS: f64 = 150.0;

pub async fn run(config: &Config) -> Vec<Table> {
    vec![
        weight(config),
        make_up(config),
        start(config).await,
        editor(config).await,
    ]
}

/// Sizes of one file and its precompressed copies.
struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

fn sizes(pkg: &std::path::Path, name: &str) -> Sizes {
    let size = |suffix: &str| {
        std::fs::metadata(pkg.join(format!("{name}{suffix}")))
            .unwrap_or_else(|e| panic!("{name}{suffix}: {e}"))
            .len()
    };
    Sizes {
        raw: size(""),
        gzip: size(".gz"),
        brotli: size(".br"),
    }
}

/// What a release site's first screen downloads (main wasm, JS glue, chunk loader, CSS) and
/// what it fetches later (the chunks), in brotli bytes.
fn first_screen_and_later(site: &std::path::Path) -> Option<(u64, u64)> {
    let pkg = site.join("pkg");
    if !pkg.join(server::routes::spa::MANIFEST).exists() {
        return None;
    }
    let (bundles, _) = server::routes::spa::Bundles::find(&pkg, "studio");
    let mut first = [&bundles.wasm, &bundles.js, &bundles.css]
        .into_iter()
        .map(|name| sizes(&pkg, name).brotli)
        .sum::<u64>();
    first += bundles.loader.as_ref().map_or(0, |l| sizes(&pkg, l).brotli);
    let later = bundles.chunks.iter().map(|c| sizes(&pkg, c).brotli).sum();
    Some((first, later))
}

fn weight(config: &Config) -> Table {
    let pkg = config.site.join("pkg");
    // The server's own reading of the manifest (main checked that the manifest exists).
    let (bundles, _) = server::routes::spa::Bundles::find(&pkg, "studio");
    let mut table = Table::new(
        "2a. Front-end weight (release build, split by route)",
        "everything the first screen needs ≤ 200 KB brotli",
        &["file", "raw", "gzip -9", "brotli 11", "budget"],
    );
    let mut first_screen = 0;
    let mut files = vec![
        (bundles.wasm.clone(), "app (wasm)"),
        (bundles.js.clone(), "glue (JS)"),
        (bundles.css.clone(), "styles (CSS)"),
    ];
    if let Some(loader) = &bundles.loader {
        files.push((loader.clone(), "chunk loader (JS)"));
    }
    for (name, label) in &files {
        let size = sizes(&pkg, name);
        first_screen += size.brotli;
        table.row(vec![
            format!("{label}: {name}"),
            kb(size.raw),
            kb(size.gzip),
            kb(size.brotli),
            String::new(),
        ]);
    }
    table.row(vec![
        "first screen (the files above)".into(),
        String::new(),
        String::new(),
        kb(first_screen),
        verdict_at_most(
            first_screen as f64 / 1000.0,
            FIRST_SCREEN_BROTLI_BUDGET as f64 / 1000.0,
            "KB",
        ),
    ]);
    let chunks: Vec<Sizes> = bundles.chunks.iter().map(|c| sizes(&pkg, c)).collect();
    table.row(vec![
        format!("{} chunks, fetched when a page needs them", chunks.len()),
        kb(chunks.iter().map(|s| s.raw).sum()),
        kb(chunks.iter().map(|s| s.gzip).sum()),
        kb(chunks.iter().map(|s| s.brotli).sum()),
        String::new(),
    ]);
    // Variants of the same source, built by bench.sh beside the real one.
    for (folder, label) in [
        (
            "release-site-opt-s",
            "the same with opt-level \"s\" instead of \"z\"",
        ),
        ("release-site-no-erase", "the same without erase_components"),
    ] {
        if let Some((first, later)) =
            first_screen_and_later(&config.root.join("target").join(folder))
        {
            table.row(vec![
                format!("{label}: first screen / chunks"),
                String::new(),
                String::new(),
                format!("{} / {}", kb(first), kb(later)),
                String::new(),
            ]);
        }
    }
    table.note("Built by scripts/build-release-site.sh: site build --release --split (site/src/build.rs: wasm-bindgen and wasm-split as libraries) on the nightly toolchain (profile wasm-release: opt-level z, LTO, 1 codegen unit; Leptos' erase_components; -Cpanic=immediate-abort with std rebuilt, -Zlocation-detail=none, -Zfmt-debug=none), binaryen's wasm-opt -Oz on every wasm file, content-hashed names, then brotli (quality 11) and gzip (level 9) copies that the server sends as they are. The variants below keep the nightly flags. KB = 1,000 bytes.");
    table.note("Split by route (app/src/lazy_pages.rs): sign-in and sign-up, the projects list and the wizard's first two steps are in the first download; Connect and the later wizard steps, the project page, the pipeline viewer and editor (with the YAML and schema checks) and Connections are chunks, fetched on demand and preloaded by the page before them. Before the split (2026-11-23): one 314 KB brotli wasm.");
    table.note("On stable, without the three nightly flags (2026-12-02, d5ad2be): first screen 209.2 KB (main wasm 197.9 KB), chunks 249.7 KB.");
    table.print();
    table
}

/// What the main wasm's code is made of: `twiggy top` over the module wasm-split left as
/// the main one (before wasm-opt, with its function names), grouped by crate.
fn make_up(config: &Config) -> Table {
    let mut table = Table::new(
        "2c. What the first download's wasm is made of (code, before wasm-opt)",
        "none (what a further cut could come from)",
        &["part", "bytes", "share"],
    );
    let module = config
        .root
        .join("target/front/wasm32-unknown-unknown/wasm-release/app_split.wasm");
    let output = std::process::Command::new("twiggy")
        .args(["top", "-n", "1000000", "--format", "json"])
        .arg(&module)
        .output();
    let items: Vec<TwiggyItem> = match output {
        Ok(output) if output.status.success() => {
            serde_json::from_slice(&output.stdout).expect("twiggy's JSON")
        }
        _ => {
            table.note(
                "twiggy is not installed (bench.sh installs it) or the split build is missing.",
            );
            table.print();
            return table;
        }
    };
    let parts: [(&str, &[&str]); 6] = [
        (
            "Leptos (reactive_graph, tachys, leptos, router)",
            &["reactive_graph", "tachys", "leptos"],
        ),
        ("serde and serde_json", &["serde"]),
        (
            "formatting (core::fmt, float printing)",
            &["core::fmt", "core::num::flt2dec", "fmt::"],
        ),
        (
            "wasm-bindgen, js-sys, web-sys",
            &["wasm_bindgen", "js_sys", "web_sys"],
        ),
        ("the app's own code (app::, api::)", &["app::", "api::"]),
        (
            "allocation, collections, futures",
            &["alloc", "hashbrown", "futures", "dlmalloc"],
        ),
    ];
    let code: Vec<(&str, u64)> = items
        .iter()
        .filter(|item| {
            !item.name.contains("section")
                && !item.name.starts_with("export ")
                && !item.name.starts_with("import ")
        })
        .map(|item| (item.name.as_str(), item.shallow_size))
        .collect();
    let total: u64 = code.iter().map(|(_, size)| size).sum();
    let crate_of = |name: &str| -> String {
        // "<serde_json::… as …>" and "core[hash]::fmt::…" alike: strip the angle bracket and
        // the crate's disambiguator.
        let name = name.trim_start_matches('<');
        let mut plain = String::with_capacity(name.len());
        let mut in_hash = false;
        for c in name.chars() {
            match c {
                '[' => in_hash = true,
                ']' => in_hash = false,
                _ if !in_hash => plain.push(c),
                _ => {}
            }
        }
        plain
    };
    let mut counted = 0;
    for (label, prefixes) in parts {
        let bytes: u64 = code
            .iter()
            .filter(|(name, _)| {
                let plain = crate_of(name);
                prefixes.iter().any(|p| plain.starts_with(p))
            })
            .map(|(_, size)| size)
            .sum();
        counted += bytes;
        table.row(vec![
            label.into(),
            kb(bytes),
            format!("{:.0}%", 100.0 * bytes as f64 / total as f64),
        ]);
    }
    table.row(vec![
        "the rest (core, std, generic glue)".into(),
        kb(total - counted),
        format!("{:.0}%", 100.0 * (total - counted) as f64 / total as f64),
    ]);
    table.note("By the first path segment of each function's name; a generic function counts where it is defined (serde_json's deserializer of a studio type counts as serde). Code only: data segments and wasm-bindgen's sections are left out. wasm-opt then shrinks the whole by about half.");
    table.print();
    table
}

#[derive(Deserialize)]
struct TwiggyItem {
    name: String,
    shallow_size: u64,
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
    table.note("Before the split (2026-11-23, c1e8457): cold 389 ms interactive, 328.8 KB transferred; warm 267 ms.");
    table.note("cold: a new browser context (empty cache). warm: the same context coming back; the hashed bundles are cached as immutable, so only the shell, /boot.js and /api/me are fetched. transferred: bytes over the wire, headers included.");
    table.print();
    table
}

#[derive(Deserialize)]
struct EditorOpen {
    first: f64,
    again: f64,
}

/// Opening the pipeline editor (a chunk of its own) the first time, against a second time.
async fn editor(config: &Config) -> Table {
    let scenario = Scenario::start(config, Engine::Sqlite, true).await;
    let email = "editor@example.com".to_owned();
    let browser = scenario.connected_user(&email, "Alex Rivera").await;
    let created = browser
        .post_json(
            api::paths::PROJECTS,
            &serde_json::json!({"name": "Editor bench", "configuration": "quick_start"}),
        )
        .await;
    assert!(created.status().is_success(), "the project is created");
    let project: api::Project = created.json().await.expect("a project");
    let path = format!("/projects/{}", project.id);
    let opens: Vec<EditorOpen> = browser::run(
        config,
        "bench/editor.bench.ts",
        &scenario.server.url,
        &EditorInput {
            runs: config.runs,
            sign_in_path: api::paths::SIGN_IN,
            email,
            password: PASSWORD,
            path,
        },
    )
    .await;
    let first = median_by(&opens, |o| o.first);
    let again = median_by(&opens, |o| o.again);
    let mut table = Table::new(
        "2d. Opening the pipeline editor the first time (headless Chromium, localhost)",
        "the first time ≤ 150 ms more than a later time",
        &["first time", "a later time", "difference", "budget"],
    );
    table.row(vec![
        ms(first),
        ms(again),
        ms(first - again),
        verdict_at_most(first - again, EDITOR_EXTRA_BUDGET_MS, "ms"),
    ]);
    table.note(format!("Click on \"New pipeline\" on a project's page → the editor's text area on screen; median of {} runs, each in a new browser context (nothing cached), after one unmeasured run. The editor's chunk (with the YAML and schema checks) starts loading when the project page opens; a later time finds it in memory.", config.runs));
    table.print();
    table
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EditorInput {
    runs: usize,
    sign_in_path: &'static str,
    email: String,
    password: &'static str,
    path: String,
}
