//! Everything that talks to Bitbucket Cloud (or the sandbox, which speaks the same protocol).
//!
//! - [`oauth`]: the authorization-code exchange and refresh, through the `oauth2` crate.
//! - [`rest`]: the few REST API 2.0 calls the app needs, against a fixed base URL.
//! - [`tokens`]: a user's stored authorization: decrypt, refresh when expired or refused,
//!   one refresh at a time per user, mark the link when Bitbucket no longer accepts it.
//! - [`branches`]: the studio's `main` branch: check it, create it.
//! - [`source`]: files on a branch: list, read, last commit, commit changes.
//! - [`model`]: Bitbucket's JSON shapes (only the fields we read).
//! - [`turns`]: one commit at a time per branch on this instance.
//! - [`endpoint`]: endpoint templates, the `endpoint` label of Bitbucket calls in metrics.

pub mod branches;
pub mod cache;
pub mod endpoint;
mod error;
pub mod model;
pub mod oauth;
pub mod rest;
pub mod source;
pub mod tokens;
pub mod turns;

pub use error::BitbucketError;
pub use tokens::Bitbucket;

/// Scopes the studio needs on its OAuth consumer. Bitbucket ignores a `scope` parameter:
/// scopes are the boxes ticked on the consumer, so the callback checks what was granted.
/// (Defined in `api`, which also names them for the user.)
pub use api::oauth::REQUIRED_SCOPES;

/// The provider's name in stored rows and routes.
pub const PROVIDER: &str = "bitbucket";
