//! `cargo fuzz run draft`: see [`studio_fuzz::draft`] for what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| studio_fuzz::draft(data));
