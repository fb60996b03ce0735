//! `site watch`: the studio for development on http://127.0.0.1:3000 (README).
//!
//! The debug front end is built into `target/site` and the server (with its sandboxes) is
//! started on it. Every half second the sources are looked at: a change to the front end's
//! rebuilds it, a change to the server's rebuilds and restarts the server. A build that fails
//! prints its errors and leaves the last good one running. The page polls its own glue and
//! reloads when a new build lands (the server's `/live-reload.js`, served under
//! `LEPTOS_WATCH`), so no WebSocket server is needed here.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::thread::sleep;
use std::time::Duration;

use crate::build;
use crate::files::{run as run_command, workspace};

/// What the front end is built from.
const FRONT: &[&str] = &["app", "api", "style", "public", "Cargo.toml", "Cargo.lock"];
/// What the server is built from.
const SERVER: &[&str] = &[
    "server",
    "sandbox",
    "wire",
    "api",
    "Cargo.toml",
    "Cargo.lock",
];

const POLL: Duration = Duration::from_millis(500);

#[derive(clap::Args)]
pub struct Options {}

pub fn run(_: &Options) -> anyhow::Result<()> {
    let root = workspace();
    let front_build = build::Options {
        release: false,
        split: false,
        out: PathBuf::from("target/site"),
    };
    let mut front = Sources::new(&root, FRONT);
    let mut back = Sources::new(&root, SERVER);
    report("front end", build::run(&front_build));
    let mut server = None;
    restart(&root, &mut server);
    loop {
        sleep(POLL);
        if front.changed() {
            report("front end", build::run(&front_build));
        }
        if back.changed() {
            restart(&root, &mut server);
        }
    }
}

/// Builds the server and, when that worked, replaces the running one.
fn restart(root: &Path, server: &mut Option<Child>) {
    let built = run_command(Command::new("cargo").current_dir(root).args([
        "build",
        "--package=server",
        "--features=sandbox",
    ]));
    if !report("server", built) {
        return;
    }
    if let Some(mut old) = server.take() {
        stop(&mut old);
    }
    let started = Command::new(root.join("target/debug/server"))
        .current_dir(root)
        .env("LEPTOS_SITE_ROOT", root.join("target/site"))
        .env("LEPTOS_WATCH", "true")
        .spawn();
    match started {
        Ok(child) => *server = Some(child),
        Err(error) => eprintln!("[site] could not start the server: {error}"),
    }
}

/// Asks the server to stop (SIGTERM: it finishes what it is answering), then makes sure.
fn stop(server: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    for _ in 0..50 {
        if let Ok(Some(_)) = server.try_wait() {
            return;
        }
        sleep(Duration::from_millis(100));
    }
    let _ = server.kill();
    let _ = server.wait();
}

fn report(what: &str, outcome: anyhow::Result<()>) -> bool {
    match outcome {
        Ok(()) => {
            eprintln!("[site] {what} built");
            true
        }
        Err(error) => {
            eprintln!("[site] {what} not built, the last good one keeps running: {error:#}");
            false
        }
    }
}

/// A set of source folders and files, and a digest of their names, sizes and times.
struct Sources {
    paths: Vec<PathBuf>,
    digest: u64,
}

impl Sources {
    fn new(root: &Path, paths: &[&str]) -> Self {
        let paths: Vec<_> = paths.iter().map(|path| root.join(path)).collect();
        let digest = digest(&paths);
        Self { paths, digest }
    }

    /// Whether anything changed since the last look. An editor saving several files is seen
    /// as one change: the look waits until two in a row agree.
    fn changed(&mut self) -> bool {
        let now = digest(&self.paths);
        if now == self.digest {
            return false;
        }
        let mut settled = now;
        loop {
            sleep(POLL / 2);
            let again = digest(&self.paths);
            if again == settled {
                break;
            }
            settled = again;
        }
        self.digest = settled;
        true
    }
}

fn digest(paths: &[PathBuf]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for path in paths {
        visit(path, &mut hasher);
    }
    hasher.finish()
}

fn visit(path: &Path, hasher: &mut DefaultHasher) {
    let Ok(metadata) = fs::metadata(path) else {
        return;
    };
    path.hash(hasher);
    if metadata.is_dir() {
        let Ok(entries) = fs::read_dir(path) else {
            return;
        };
        let mut children: Vec<_> = entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                !name.starts_with('.') && name != "target" && name != "node_modules"
            })
            .map(|entry| entry.path())
            .collect();
        children.sort();
        for child in children {
            visit(&child, hasher);
        }
    } else {
        metadata.len().hash(hasher);
        metadata.modified().ok().hash(hasher);
    }
}
