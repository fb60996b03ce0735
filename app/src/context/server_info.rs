//! What the server offers (sandbox mode, Git providers), fetched once per app load.
//!
//! The header needs it for the sandbox banner and the "Select Git provider" step for the
//! provider buttons; one shared resource avoids asking twice.

use api::{ApiError, ServerInfo};
use leptos::prelude::*;

use crate::client;

#[derive(Clone, Copy)]
pub struct ServerInfoResource(pub LocalResource<Result<ServerInfo, ApiError>>);

/// Starts loading `GET /api/info` and provides it to the component tree.
pub fn provide_server_info() -> ServerInfoResource {
    let resource = ServerInfoResource(LocalResource::new(client::server_info));
    provide_context(resource);
    resource
}

/// The resource provided by [`crate::App`].
pub fn use_server_info() -> LocalResource<Result<ServerInfo, ApiError>> {
    expect_context::<ServerInfoResource>().0
}
