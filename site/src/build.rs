//! One build of the front end into a site folder: `pkg/` with `studio.{js,wasm,css}` (and, when
//! split, the chunks and their loader), and `public/`'s files beside it.
//!
//! The steps are those of cargo-leptos 0.3's `--split` build, which this replaces so a new
//! machine compiles no tool of its own (README, "Set-up"): the app crate for wasm32 (linked
//! with `--emit-relocs` when split, which `app/build.rs` turns into `cfg(wasm_split)`), the
//! split, wasm-bindgen's glue for the main module, then for a release `wasm-opt -Oz` on every
//! module and minified JS and CSS.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use wasm_bindgen_cli_support::Bindgen;

use crate::files::{copy_tree, npm_bin, run as run_command, run_quietly, workspace};

/// The bundles' base name: `/pkg/studio.js`, `/pkg/studio.wasm`, `/pkg/studio.css`.
pub const NAME: &str = "studio";

/// What wasm-opt may assume of the browser: the post-MVP features Rust's wasm32 target emits.
const WASM_OPT: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

#[derive(clap::Args, Clone)]
pub struct Options {
    /// The production build: the `wasm-release` profile (Cargo.toml), wasm-opt, minified JS
    /// and CSS. `RUSTFLAGS`, `RUSTUP_TOOLCHAIN` and `CARGO_UNSTABLE_*` reach the wasm build
    /// (scripts/build-release-site.sh sets them).
    #[arg(long)]
    pub release: bool,
    /// Split the module by route (app/src/lazy_pages.rs).
    #[arg(long)]
    pub split: bool,
    /// The site folder, relative to the workspace.
    #[arg(long, default_value = "target/site")]
    pub out: PathBuf,
}

pub fn run(options: &Options) -> anyhow::Result<()> {
    let root = workspace();
    let out = root.join(&options.out);
    let wasm = compile(&root, options)?;

    // Everything is made in a folder of its own and moved into `pkg/` at the end, the glue
    // last: a page reloaded during a rebuild never pairs new glue with an old module.
    let staging = out.join("pkg.next");
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir_all(&staging)?;
    let main = if options.split {
        split(&wasm, &staging)?
    } else {
        wasm
    };
    bindgen(&main, &staging, options.split)?;
    if options.release {
        optimize(&staging)?;
    }
    style(&root, &staging, options.release)?;
    copy_tree(&root.join("public"), &out)?;
    publish(&staging, &out.join("pkg"))
}

/// `cargo build` of the app crate for wasm32; returns the linked module.
fn compile(root: &Path, options: &Options) -> anyhow::Result<PathBuf> {
    let mut flags = env::var("RUSTFLAGS").unwrap_or_default();
    if options.split {
        flags.push_str(" -Clink-args=--emit-relocs");
    }
    if !options.release {
        // Components typed as `AnyView`: far fewer instantiations, a much faster debug build.
        flags.push_str(" --cfg erase_components");
    }
    let (profile, folder) = if options.release {
        ("wasm-release", "wasm-release")
    } else {
        ("dev", "debug")
    };
    let target = root.join("target/front");
    run_command(
        Command::new("cargo")
            .current_dir(root)
            .args([
                "build",
                "--package=app",
                "--lib",
                "--target=wasm32-unknown-unknown",
            ])
            .args([
                "--no-default-features",
                "--features=csr",
                "--profile",
                profile,
            ])
            .arg("--target-dir")
            .arg(&target)
            .env("RUSTFLAGS", flags.trim()),
    )?;
    Ok(target
        .join("wasm32-unknown-unknown")
        .join(folder)
        .join("app.wasm"))
}

/// Splits the module by route: the chunks and their loader go to `pkg`, the main module
/// beside the input (wasm-bindgen reads it next).
fn split(wasm: &Path, pkg: &Path) -> anyhow::Result<PathBuf> {
    let input = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let main = wasm.with_file_name("app_split.wasm");
    let main_module = format!("./{NAME}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = pkg;
    options.main_out_path = &main;
    options.main_module = &main_module;
    // The name `leptos::wasm_split` imports its loader by (its macro's `link_name`).
    options.link_name = "./__wasm_split.______________________.js";
    wasm_split_cli_support::transform(options).map_err(|error| anyhow::anyhow!("{error:?}"))?;
    Ok(main)
}

/// wasm-bindgen's glue for the browser (`--target web`), as `studio.js` and `studio.wasm`.
fn bindgen(wasm: &Path, pkg: &Path, split: bool) -> anyhow::Result<()> {
    Bindgen::new()
        .input_path(wasm)
        .out_name(NAME)
        .web(true)?
        // The split's loader calls the main module's exports by their linker names.
        .keep_lld_exports(split)
        .demangle(!split)
        .omit_default_module_path(false)
        .generate(pkg)?;
    fs::rename(
        pkg.join(format!("{NAME}_bg.wasm")),
        pkg.join(format!("{NAME}.wasm")),
    )?;
    Ok(())
}

/// wasm-opt on every module; the glue minified (its exports keep their names).
fn optimize(pkg: &Path) -> anyhow::Result<()> {
    let wasm_opt = npm_bin("wasm-opt")?;
    let mut modules = Vec::new();
    for entry in fs::read_dir(pkg)? {
        let path = entry?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "wasm")
        {
            modules.push(path);
        }
    }
    // A split build is over a hundred modules, and npm's wasm-opt spends most of each run
    // starting up: one run per core at a time.
    let queue = std::sync::Mutex::new(modules);
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        let optimized: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| loop {
                    let Some(path) = queue.lock().expect("no worker panics").pop() else {
                        return anyhow::Ok(());
                    };
                    run_quietly(
                        Command::new(&wasm_opt)
                            .args(WASM_OPT)
                            .arg(&path)
                            .arg("-o")
                            .arg(&path),
                    )?;
                })
            })
            .collect();
        optimized
            .into_iter()
            .try_for_each(|worker| worker.join().expect("wasm-opt's worker does not panic"))
    })?;
    let glue = pkg.join(format!("{NAME}.js"));
    run_command(
        Command::new(npm_bin("esbuild")?)
            .arg(&glue)
            .args([
                "--minify",
                "--format=esm",
                "--allow-overwrite",
                "--log-level=warning",
            ])
            // wasm-bindgen names the split's loader once per import it provides, as one key
            // of the import object each time; they are the same module, so which one stays
            // does not matter.
            .arg("--log-override:duplicate-object-key=silent")
            .arg(format!("--outfile={}", glue.display())),
    )
}

/// `style/main.css` as `studio.css`, minified for a release.
fn style(root: &Path, pkg: &Path, release: bool) -> anyhow::Result<()> {
    let source = root.join("style/main.css");
    let target = pkg.join(format!("{NAME}.css"));
    if !release {
        fs::copy(&source, &target)?;
        return Ok(());
    }
    run_command(
        Command::new(npm_bin("esbuild")?)
            .arg(&source)
            .args(["--minify", "--log-level=warning"])
            .arg(format!("--outfile={}", target.display())),
    )
}

/// Moves the staged files into `pkg`, the glue last, and drops what the new build no longer
/// has.
fn publish(staging: &Path, pkg: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(pkg)?;
    let glue = format!("{NAME}.js");
    let mut names: Vec<_> = fs::read_dir(staging)?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort_by_key(|name| *name == *glue);
    for name in &names {
        let target = pkg.join(name);
        if target.is_dir() {
            fs::remove_dir_all(&target)?;
        }
        fs::rename(staging.join(name), &target)?;
    }
    for entry in fs::read_dir(pkg)? {
        let entry = entry?;
        if !names.contains(&entry.file_name()) {
            if entry.file_type()?.is_dir() {
                fs::remove_dir_all(entry.path())?;
            } else {
                fs::remove_file(entry.path())?;
            }
        }
    }
    fs::remove_dir(staging)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rebuild replaces the bundles, keeps nothing the new build lacks, and leaves no
    /// staging folder behind.
    #[test]
    fn publishing_replaces_the_bundles_and_drops_what_is_gone() {
        let site = tempfile::tempdir().unwrap();
        let pkg = site.path().join("pkg");
        let staging = site.path().join("pkg.next");
        fs::create_dir_all(pkg.join("snippets/old")).unwrap();
        fs::write(pkg.join("studio.js"), "old glue").unwrap();
        fs::write(pkg.join("chunk_1.wasm"), "a chunk of the last build").unwrap();
        fs::create_dir_all(staging.join("snippets/new")).unwrap();
        fs::write(staging.join("studio.js"), "new glue").unwrap();
        fs::write(staging.join("studio.wasm"), "new module").unwrap();

        publish(&staging, &pkg).unwrap();

        assert_eq!(
            fs::read_to_string(pkg.join("studio.js")).unwrap(),
            "new glue"
        );
        assert_eq!(
            fs::read_to_string(pkg.join("studio.wasm")).unwrap(),
            "new module"
        );
        assert!(!pkg.join("chunk_1.wasm").exists());
        assert!(pkg.join("snippets/new").is_dir());
        assert!(!pkg.join("snippets/old").exists());
        assert!(!staging.exists());
    }
}
