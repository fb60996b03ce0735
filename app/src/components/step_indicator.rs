//! "Where am I in the wizard": an ordered list of the steps with `aria-current="step"`.
//!
//! The labels are short nouns on purpose, distinct from the step headings, so they never
//! compete with a heading or a button for the same accessible name.

use leptos::prelude::*;

/// The two paths through the wizard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    QuickStart,
    Advanced,
}

impl Flow {
    pub fn steps(self) -> &'static [&'static str] {
        match self {
            Flow::QuickStart => &["Configuration", "Details", "Review"],
            Flow::Advanced => &[
                "Configuration",
                "Git provider",
                "Connect",
                "Repository",
                "Branch",
                "Details",
                "Review",
            ],
        }
    }
}

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

/// The step list; `current` is the zero-based index into [`Flow::steps`].
#[component]
pub fn StepIndicator(flow: Flow, current: usize) -> impl IntoView {
    let items = flow
        .steps()
        .iter()
        .enumerate()
        .map(|(index, label)| {
            let state = step_state(index, current);
            let (class, hidden_prefix) = match state {
                StepState::Done => ("step step-done", Some("Completed: ")),
                StepState::Current => ("step step-current", None),
                StepState::Upcoming => ("step", None),
            };
            view! {
                <li class=class aria-current=(state == StepState::Current).then_some("step")>
                    {hidden_prefix.map(|prefix| view! { <span class="visually-hidden">{prefix}</span> })}
                    {*label}
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
        assert_eq!(Flow::Advanced.steps().len(), 7);
        assert_eq!(
            Flow::QuickStart.steps().last(),
            Flow::Advanced.steps().last()
        );
    }
}
