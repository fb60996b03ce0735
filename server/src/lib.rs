//! Pipeline Studio's backend-for-frontend.
//!
//! It serves the single-page app, keeps studio accounts and sessions, runs the Bitbucket OAuth
//! authorization-code flow as a confidential client, stores the resulting tokens encrypted
//! and bound to the user, and proxies the few Bitbucket calls the app needs. Tokens and the
//! client secret never reach the browser.
//!
//! Where things are: [`config`] (flags and environment), [`startup`] (wiring), [`serve`]
//! (connections and their limits), [`routes`] (HTTP handlers, one module per area),
//! [`bitbucket`] (OAuth, REST, token life), [`pipelines`] (a project's pipelines in Bitbucket
//! or in the studio), [`store`] (all SQL), [`session`], [`security`], [`crypto`],
//! [`telemetry`] (logs, request ids, metrics), and, with the `sandbox` cargo feature only,
//! `sandboxes` (the built-in Bitbucket Cloud and Data Center stand-ins of sandbox mode).

pub mod allocator;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod mail;
pub mod maintenance;
pub mod pipelines;
pub mod providers;
pub mod random;
pub mod routes;
#[cfg(feature = "sandbox")]
pub mod sandboxes;
pub mod security;
pub mod serve;
pub mod session;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use config::{Args, Settings};
pub use startup::Application;
