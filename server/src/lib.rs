//! Pipeline Studio's backend-for-frontend.
//!
//! It serves the single-page app, keeps studio accounts and sessions, runs each Git
//! provider's OAuth authorization-code flow as a confidential client, stores the resulting
//! tokens encrypted and bound to the user, and makes the few provider calls the app needs.
//! Tokens and client secrets never reach the browser. `ARCHITECTURE.md`, at the repository's
//! root, describes the layers and how to add a provider.
//!
//! Where things are:
//! - [`startup`]: wiring; [`config`]: flags and environment; [`serve`]: connections and their
//!   limits.
//! - [`routes`]: the HTTP handlers, one module per area.
//! - [`providers`]: the Git providers behind one interface: token life ([`providers::grants`],
//!   [`providers::oauth`]), the status mapping ([`providers::refusal`]), the answer cache
//!   ([`providers::cache`]), the REST clients' common base ([`providers::upstream`]), the
//!   pipeline store every provider shares ([`providers::pipelines`]), the one implementation
//!   of the provider interface over each provider's primitives ([`providers::host`]), the `main` branch and
//!   a project's repository check ([`providers::branch`], [`providers::project`]), the one
//!   list of providers, their flags and settings ([`providers::registry`]), and one folder
//!   per provider ([`providers::bitbucket_cloud`], [`providers::bitbucket_datacenter`]).
//! - [`pipelines`]: the pipeline store interface, and the studio's own store for Quick start
//!   projects.
//! - [`store`]: all SQL; [`session`]; [`security`]; [`crypto`]; [`extract`]: request
//!   extractors; [`mail`]; [`error`]: the routes' one error type; [`telemetry`]: logs,
//!   request ids, metrics.
//! - `sandboxes` (with the `sandbox` cargo feature only): the built-in Bitbucket Cloud and
//!   Data Center stand-ins of sandbox mode, mounted by [`startup`].

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
