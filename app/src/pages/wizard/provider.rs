//! Step "Select Git provider": one button per provider the server has configured.

use api::GitProvider;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::{ErrorMessage, Flow, Loading, WizardStep};
use crate::context::use_server_info;
use crate::links;

#[component]
pub fn ProviderStep() -> impl IntoView {
    // The later steps are fetched on demand: start now, so they open at once.
    crate::lazy_pages::preload_wizard_steps();
    let info = use_server_info();
    view! {
        <WizardStep flow=Flow::Advanced current=1 heading="Select Git provider" back=links::NEW_PROJECT.to_owned()>
            {move || match info.get() {
                None => view! { <Loading text="Loading the Git providers…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
                Some(Ok(info)) if info.providers.is_empty() => {
                    view! {
                        <p class="empty-state">
                            "This studio has no Git provider configured. Ask the administrator, or go back and choose Quick start."
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(info)) => {
                    let buttons = info
                        .providers
                        .into_iter()
                        .map(|provider| view! { <ProviderChoice provider /> })
                        .collect_view();
                    view! { <div class="choices">{buttons}</div> }.into_any()
                }
            }}
        </WizardStep>
    }
}

#[component]
fn ProviderChoice(provider: GitProvider) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <button
            type="button"
            class="choice"
            on:click=move |_| navigate(&links::provider_step(provider), NavigateOptions::default())
        >
            <span class="choice-title">{provider.label()}</span>
        </button>
    }
}
