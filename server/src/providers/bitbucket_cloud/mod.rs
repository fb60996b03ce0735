//! Bitbucket Cloud (or the sandbox, which speaks the same protocol) as one of the studio's
//! providers ([`crate::providers`]).
//!
//! - [`host`]: the [`crate::providers::GitHost`] implementation the routes call.
//! - [`rest`]: the few REST API 2.0 calls the app needs, against a fixed base URL.
//! - [`branches`]: the studio's `main` branch: check it, create it.
//! - [`source`]: files on a branch: list, read, last commit, commit changes.
//! - [`model`]: Bitbucket's JSON shapes (only the fields we read).
//! - [`cache`]: a minute's memory of answers per user, for the hourly request limit.
//! - [`endpoint`]: endpoint templates, the `endpoint` label of Bitbucket calls in metrics.

pub mod branches;
pub mod cache;
pub mod endpoint;
pub mod host;
pub mod pipelines;
/// Cloud's JSON shapes live in the `wire` crate, with Data Center's, so they can be fuzzed.
pub use wire::cloud as model;
pub mod rest;
pub mod source;

pub use crate::providers::BitbucketError;

/// Scopes the studio needs on its OAuth consumer. Bitbucket ignores a `scope` parameter:
/// scopes are the boxes ticked on the consumer, so the callback checks what was granted.
/// (Defined in `api`, which also names them for the user.)
pub use api::oauth::REQUIRED_SCOPES;
