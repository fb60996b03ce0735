//! "Where am I in the wizard": an ordered list of the steps with `aria-current="step"`.
//!
//! The steps, their order and their labels are the flow's list in [`api::wizard`]; this only
//! draws it.

use api::wizard::{self, StepId};
use leptos::prelude::*;

/// The two paths through the wizard: the configuration chosen on its first step.
pub use api::ProjectConfiguration as Flow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    Done,
    Current,
    Upcoming,
}

pub fn step_state(index: usize, current: usize) -> StepState {
    match index.cmp(&current) {
        std::cmp::Ordering::Less => StepState::Done,
        std::cmp::Ordering::Equal => StepState::Current,
        std::cmp::Ordering::Greater => StepState::Upcoming,
    }
}

/// The step list of `flow`, at step `current`.
#[component]
pub fn StepIndicator(flow: Flow, current: StepId) -> impl IntoView {
    let current = wizard::position(flow, current).unwrap_or_default();
    let items = wizard::steps(flow)
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let state = step_state(index, current);
            let (class, hidden_prefix) = match state {
                StepState::Done => ("step step-done", Some("Completed: ")),
                StepState::Current => ("step step-current", None),
                StepState::Upcoming => ("step", None),
            };
            view! {
                <li class=class aria-current=(state == StepState::Current).then_some("step")>
                    {hidden_prefix.map(|prefix| view! { <span class="visually-hidden">{prefix}</span> })}
                    {step.label}
                </li>
            }
        })
        .collect_view();
    view! {
        <ol class="steps" aria-label="Project setup steps">
            {items}
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_before_the_current_one_are_done() {
        assert_eq!(step_state(0, 2), StepState::Done);
        assert_eq!(step_state(2, 2), StepState::Current);
        assert_eq!(step_state(3, 2), StepState::Upcoming);
    }
}
