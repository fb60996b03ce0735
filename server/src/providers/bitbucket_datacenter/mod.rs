//! Bitbucket Data Center (or its sandbox) as one of the studio's providers
//! ([`crate::providers`]), per Atlassian's Data Center 9.2 REST document.
//!
//! - [`host`]: the [`crate::providers::GitHost`] implementation the routes call.
//! - [`pipelines`]: a project's pipelines as files, committed one at a time with
//!   `sourceCommitId` (no lost update).
//! - [`calls`]: the REST calls, one method each; [`rest`]: the client under them (token,
//!   errors, request ids, metrics).
//! - [`model`]: Data Center's JSON shapes (only the fields read, none required that the
//!   document does not define).
//! - [`endpoint`]: endpoint templates, the `endpoint` label of calls in metrics.
//!
//! OAuth 2.0 goes through an *incoming application link*: authorize at
//! `{base}/rest/oauth2/latest/authorize`, token at `{base}/rest/oauth2/latest/token`, the
//! client's id and secret in the form body, PKCE S256, and the one scope the studio asks for,
//! `REPO_WRITE` (which implies reading).

pub mod calls;
pub mod endpoint;
pub mod host;
/// Data Center's JSON shapes live in the `wire` crate, with Cloud's, so they can be fuzzed.
pub use wire::datacenter as model;
pub mod pipelines;
pub mod rest;

/// The scope the studio asks for: write, and so read, the repositories the user may.
pub const SCOPE: &str = "REPO_WRITE";

/// The authorization endpoint of the instance at `base`.
pub fn authorize_url(base: &str) -> String {
    format!(
        "{}/rest/oauth2/latest/authorize",
        base.trim_end_matches('/')
    )
}

/// The token endpoint of the instance at `base`.
pub fn token_url(base: &str) -> String {
    format!("{}/rest/oauth2/latest/token", base.trim_end_matches('/'))
}
