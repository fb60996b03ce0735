//! Tells people plainly when the Git providers are the server's built-in simulations, so
//! nobody mistakes sandbox repositories for real ones.

use leptos::prelude::*;

use crate::context::use_server_info;

pub const SANDBOX_NOTICE: &str =
    "Sandbox mode: every Git provider is simulated by this server; no real account on any of them is used.";

#[component]
pub fn SandboxBanner() -> impl IntoView {
    let info = use_server_info();
    move || {
        let sandbox = info
            .get()
            .and_then(Result::ok)
            .is_some_and(|info| info.sandbox);
        sandbox.then(|| {
            view! {
                <p class="sandbox-banner" role="note">
                    {SANDBOX_NOTICE}
                </p>
            }
        })
    }
}
