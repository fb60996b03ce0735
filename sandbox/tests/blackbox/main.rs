//! Black-box tests: a real sandbox on 127.0.0.1:0 driven over HTTP with
//! reqwest, the way the studio and its browser tests use it. One test binary
//! (modules below) keeps link time down on a small machine.

mod api;
mod common;
mod control;
mod merge;
mod oauth;
mod source;
#[path = "../support/http.rs"]
mod support;
mod token;
