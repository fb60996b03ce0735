//! Defences that apply across routes: response headers (SECURITY.md, rule 27), the CSRF gate
//! on state-changing `/api` calls (rule 17), and validation of `return_to` targets (rule 9).

pub mod csrf;
pub mod headers;
pub mod return_to;
