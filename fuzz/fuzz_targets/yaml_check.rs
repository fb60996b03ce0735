//! `cargo fuzz run yaml_check`: see [`studio_fuzz::yaml_check`] for what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| studio_fuzz::yaml_check(data));
