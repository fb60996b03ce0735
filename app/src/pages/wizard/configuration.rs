//! Step "Select project configuration": Quick start or Advanced settings.

use api::ProjectConfiguration;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::components::StepHeading;
use crate::draft;
use crate::links;

/// The words of a choice: title (start of the button's accessible name) and description.
pub fn choice_text(configuration: ProjectConfiguration) -> (&'static str, &'static str) {
    match configuration {
        ProjectConfiguration::QuickStart => {
            ("Quick start", "The studio keeps your pipelines for you.")
        }
        ProjectConfiguration::Advanced => (
            "Advanced settings",
            "Keep your pipelines in your own Git repository.",
        ),
    }
}

#[component]
pub fn ConfigurationStep() -> impl IntoView {
    // The later steps are fetched on demand: start now, so they open at once.
    crate::lazy_pages::preload_wizard_steps();
    view! {
        <section class="wizard-step">
            <StepHeading text="Select project configuration" />
            <div class="choices">
                <ConfigurationChoice configuration=ProjectConfiguration::QuickStart />
                <ConfigurationChoice configuration=ProjectConfiguration::Advanced />
            </div>
            <nav class="step-nav" aria-label="Wizard">
                <A href=links::PROJECTS>"Cancel"</A>
            </nav>
        </section>
    }
}

#[component]
fn ConfigurationChoice(configuration: ProjectConfiguration) -> impl IntoView {
    let navigate = use_navigate();
    let (title, description) = choice_text(configuration);
    view! {
        <button
            type="button"
            class="choice"
            on:click=move |_| {
                draft::on_demand::remember_configuration(configuration);
                navigate(&links::after_configuration(configuration), NavigateOptions::default())
            }
        >
            <span class="choice-title">{title}</span>
            <span class="choice-description">{description}</span>
        </button>
    }
}
