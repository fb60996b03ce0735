//! The frame every wizard step shares: where the user is (the step list), the step's heading
//! (which takes focus, see [`super::StepHeading`]), the step's content, and Back.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{Flow, StepHeading, StepIndicator};

#[component]
pub fn WizardStep(
    flow: Flow,
    /// Zero-based index into [`Flow::steps`].
    current: usize,
    #[prop(into)] heading: String,
    /// Where Back goes; may depend on the choices in the URL.
    #[prop(into)]
    back: Signal<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="wizard-step">
            <StepIndicator flow current />
            <StepHeading text=heading />
            {children()}
            <nav class="step-nav" aria-label="Wizard">
                <A href=move || back.get()>"Back"</A>
            </nav>
        </section>
    }
}
