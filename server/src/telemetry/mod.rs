//! What an operator watches: structured logs ([`logs`]), a request id on every request and
//! every Bitbucket call it makes ([`request_id`]), and Prometheus metrics ([`metrics`],
//! served by [`endpoint`]).
//!
//! Nothing here ever records a secret: labels are route templates, endpoint templates,
//! statuses and outcomes, never a path as sent, a query string, a header or a body (the
//! `telemetry` API tests check the output for every secret the server has handled).

pub mod endpoint;
pub mod http;
pub mod logs;
pub mod metrics;
pub mod request_id;

pub use logs::LogFormat;
pub use metrics::Metrics;
pub use request_id::RequestId;
