//! `cargo fuzz run github_answers`: see [`studio_fuzz::github_answers`] for what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| studio_fuzz::github_answers(data));
