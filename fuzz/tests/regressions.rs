//! Every input the fuzzers kept (`corpus/<target>/`) and every finding (`regressions/<target>/`,
//! each a file libFuzzer wrote when a property failed or the process crashed), run through
//! the same property functions as the fuzz targets, in the ordinary test suite.

use std::path::Path;

fn inputs(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(folder)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut inputs: Vec<_> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| (path.display().to_string(), std::fs::read(&path).unwrap()))
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn every_kept_input_and_finding_still_holds() {
    for (target, check) in studio_fuzz::TARGETS {
        let corpus = inputs("corpus", target);
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} has its seeds");
        for (name, data) in corpus.iter().chain(&inputs("regressions", target)) {
            // Each in its own thread with a small stack, as a server worker or the browser
            // would run it: recursion on the input shows here as a crash.
            let data = data.clone();
            let outcome = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || check(&data))
                .unwrap()
                .join();
            assert!(outcome.is_ok(), "{name}");
        }
    }
}
