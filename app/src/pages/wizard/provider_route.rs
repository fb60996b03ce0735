//! The provider of the wizard's later steps, from their route
//! (`/projects/new/advanced/:provider/…`, [`api::GitProvider::slug`]).
//!
//! One route per step serves every provider; a slug no provider has gets the not-found page.
//! The step's content waits for `/api/info` (asked for when the app starts, so normally
//! already there) to name the provider as the server describes it.

use api::GitProvider;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::Loading;
use crate::context::use_server_info;
use crate::pages::NotFound;
use crate::providers::Provider;

/// The name of the route parameter.
pub const PARAM: &str = "provider";

/// The provider the route names, if the slug is one.
pub fn use_route_provider() -> Memo<Option<GitProvider>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|params| params.get_str(PARAM).and_then(GitProvider::from_slug)))
}

/// `content` for the route's provider, or the not-found page for an unknown slug.
#[component]
pub fn ForRouteProvider<F, V>(content: F) -> impl IntoView
where
    F: Fn(Provider) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let provider = use_route_provider();
    let info = use_server_info();
    move || match provider.get() {
        None => view! { <NotFound /> }.into_any(),
        Some(id) => match info.get() {
            None => view! { <Loading text="Loading…" /> }.into_any(),
            Some(info) => content(Provider::of(id, info.as_ref().ok())).into_any(),
        },
    }
}
