//! The Data Center sandbox against Atlassian's Data Center 9.2 document
//! (`sandbox/openapi/bitbucket-datacenter.openapi.json`): every answer of every implemented
//! operation, success and error, is validated against the schema the document gives for
//! its path, method and status, with the Cloud suite's validator; plus the behaviour a
//! studio relies on (the OAuth pages and token rules, permissions, paging over 10,000
//! repositories, branch and file edits and their conflicts, faults and latency).
//!
//! Statuses DC answers that the document does not list for the path are checked against
//! DC's errors envelope and asserted undocumented: 401 of `GET /repos`, `/projects` and
//! `/commits/{commitId}` (a bad token), 400 and 409 of `POST /api/latest/…/branches`, 413
//! and 415 of `PUT …/browse/{path}`, 400 of `…/compare/diff{path}` (a bad `contextLines`),
//! 414 anywhere, and injected faults.
//!
//! Run: `cargo test -p sandbox --test datacenter`.

#[path = "../contract/schema.rs"]
mod schema;

mod common;
#[path = "../support/http.rs"]
mod support;

mod branches;
mod commit;
mod compare;
mod control;
mod files;
mod oauth;
mod repos;
mod token;
