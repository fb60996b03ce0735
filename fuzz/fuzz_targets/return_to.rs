//! `cargo fuzz run return_to`: see [`studio_fuzz::return_to`] for what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| studio_fuzz::return_to(data));
