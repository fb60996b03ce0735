//! Defences that apply across routes (DESIGN §4): response headers, the CSRF gate on
//! state-changing `/api` calls, and validation of `return_to` targets.

pub mod csrf;
pub mod headers;
pub mod return_to;
