//! `cargo fuzz run pipeline_path`: see [`studio_fuzz::pipeline_path`] for what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| studio_fuzz::pipeline_path(data));
