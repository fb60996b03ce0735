//! `site`: builds the studio's front end and runs the studio for development.
//!
//! - `site build [--release] [--split] [--out DIR]`: the app crate compiled to wasm, its
//!   JavaScript glue (wasm-bindgen), the module split by route (`--split`, see
//!   `app/src/lazy_pages.rs`), and for `--release` binaryen's `wasm-opt` and minified JS and
//!   CSS (esbuild), with `public/` copied beside them ([`build`]).
//! - `site watch`: the debug front end and the sandboxed server on http://127.0.0.1:3000,
//!   rebuilt and restarted when a source changes; the page reloads itself ([`watch`]).
//!
//! The build's tools are libraries in the workspace's lock (wasm-bindgen at exactly the
//! app's version) or npm packages of `end2end/package.json`, so a new machine compiles no
//! tool of its own beyond this crate (README, "Set-up").

mod build;
mod files;
mod watch;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Builds the studio's front end, or runs the studio for development")]
enum Command {
    /// Build the front end into a site folder.
    Build(build::Options),
    /// Serve the studio with its sandboxes, rebuilt on every change.
    Watch(watch::Options),
}

fn main() -> anyhow::Result<()> {
    match Command::parse() {
        Command::Build(options) => build::run(&options).map(|_| ()),
        Command::Watch(options) => watch::run(&options),
    }
}
