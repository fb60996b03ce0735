//! State every page can reach through Leptos context, provided once by [`crate::App`].

pub mod server_info;
pub mod session;

pub use server_info::{provide_server_info, use_server_info, ServerInfoResource};
pub use session::{Session, SessionState};
