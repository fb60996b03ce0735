//! `cargo fuzz run provider_answers`: see [`studio_fuzz::provider_answers`] for what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| studio_fuzz::provider_answers(data));
