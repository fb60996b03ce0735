//! The GitHub sandbox against GitHub's published description
//! (`sandbox/openapi/github.openapi.json`): every JSON answer the studio relies on, success
//! and error, is validated against the schema the description gives for its path, method
//! and status (with the Cloud suite's validator); plus the web flow of "Generating a user
//! access token for a GitHub App" and "Refreshing user access tokens", installations,
//! permissions, writes and rate-limit headers.
//!
//! Run: `cargo test -p sandbox --test github`.

#[path = "../contract/schema.rs"]
mod schema;

mod common;
#[path = "../support/http.rs"]
mod support;

mod api;
mod compare;
mod oauth;
mod writes;
