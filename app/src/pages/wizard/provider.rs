//! Step "Select Git provider": one choice per provider the server has configured, named as
//! the server describes it (name and host), each leading to that provider's Connect step.

use api::wizard::StepId;
use api::ProviderInfo;
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
        <WizardStep flow=Flow::Advanced step=StepId::Provider heading="Select Git provider">
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

/// One provider: its name, then its host ("Bitbucket Cloud", "bitbucket.org").
#[component]
fn ProviderChoice(provider: ProviderInfo) -> impl IntoView {
    let navigate = use_navigate();
    let id = provider.provider;
    view! {
        <button
            type="button"
            class="choice"
            on:click=move |_| {
                navigate(
                    &links::next(Flow::Advanced, StepId::Provider, links::Choices::provider(id)),
                    NavigateOptions::default(),
                )
            }
        >
            <span class="choice-title">{provider.name}</span>
            <span class="choice-description">{provider.host}</span>
        </button>
    }
}
