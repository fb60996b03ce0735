//! `cargo fuzz run oauth_callback`: see [`studio_fuzz::oauth_callback`] for what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| studio_fuzz::oauth_callback(data));
