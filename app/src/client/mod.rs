//! The studio server's JSON API, as typed async functions.
//!
//! [`http`] does the transport (gloo-net `fetch`, JSON, same-origin credentials) and turns
//! every failure into an [`api::ApiError`], so pages handle one error type with a sentence
//! that can be shown as is. [`endpoints`] has one function per route of the contract.

pub mod endpoints;
pub mod errors;
pub mod http;
pub mod query;

pub use endpoints::*;
