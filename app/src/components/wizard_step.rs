//! The frame every wizard step shares: where the user is (the step list), the step's heading
//! (which takes focus, see [`super::StepHeading`]), the step's content, and Back, which leads
//! to the step before this one in the flow's list ([`api::wizard`]) with the choices made.
//! It provides the step's [`StepAttention`], which the content sets when an earlier step no
//! longer holds.

use api::wizard::StepId;
use api::{GitProvider, RepositoryRef};
use leptos::prelude::*;
use leptos_router::components::A;

use super::step_indicator::StepAttention;
use super::{Flow, StepHeading, StepIndicator};
use crate::links::{self, Choices};

#[component]
pub fn WizardStep(
    flow: Flow,
    step: StepId,
    #[prop(into)] heading: String,
    /// The provider, on the steps after it is chosen.
    #[prop(optional)]
    provider: Option<GitProvider>,
    /// The repository chosen in the URL, on the steps after it is chosen.
    #[prop(optional, into)]
    chosen: Option<Signal<Option<RepositoryRef>>>,
    children: Children,
) -> impl IntoView {
    // The later steps' code, so that Continue only paints, however the user got here (a
    // reload, the way back from the provider's consent page).
    crate::lazy_pages::preload_wizard_steps();
    // The page below may find that an earlier step needs doing again.
    let attention = StepAttention::new();
    provide_context(attention);
    let back = move || {
        let chosen = chosen.and_then(|chosen| chosen.get());
        let mut choices = Choices::chosen(chosen.as_ref());
        choices.provider = choices.provider.or(provider);
        links::back(flow, step, choices)
    };
    view! {
        <section class="wizard-step">
            <StepIndicator flow current=step attention />
            <StepHeading text=heading />
            {children()}
            <nav class="step-nav" aria-label="Wizard">
                <A href=back>"Back"</A>
            </nav>
        </section>
    }
}
