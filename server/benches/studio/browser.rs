//! The browser half: runs one `end2end/bench/*.bench.ts` file in Chromium (Playwright) against
//! a server, handing it a JSON input and reading back the JSON figures it writes.

use std::process::Command;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::Config;

/// Runs on the blocking pool: the sandbox the server calls lives in this process, and must
/// keep answering while the browser works.
pub async fn run<I: Serialize, O: DeserializeOwned>(
    config: &Config,
    file: &str,
    url: &str,
    input: &I,
) -> O {
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let input_path = scratch.path().join("input.json");
    let output_path = scratch.path().join("output.json");
    std::fs::write(&input_path, serde_json::to_vec(input).unwrap()).unwrap();
    let mut command = Command::new("npx");
    command
        .args(["playwright", "test", "--config", "bench.config.ts", file])
        .current_dir(config.root.join("end2end"))
        .env("BENCH_URL", url)
        .env("BENCH_INPUT", &input_path)
        .env("BENCH_OUT", &output_path);
    let status = tokio::task::spawn_blocking(move || command.status())
        .await
        .unwrap()
        .expect("npx runs (./scripts/setup.sh installs the end-to-end packages)");
    assert!(status.success(), "the browser benchmark {file} failed");
    let figures = std::fs::read(&output_path).expect("the browser benchmark wrote its figures");
    serde_json::from_slice(&figures).expect("the figures are JSON of the agreed shape")
}
