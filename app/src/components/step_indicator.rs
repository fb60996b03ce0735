//! "Where am I in the wizard": an ordered list of the steps with `aria-current="step"`.
//!
//! The steps, their order and their labels are the flow's list in [`api::wizard`]; this only
//! draws it, each step in the state it is really in: done, current, not started, or needing
//! attention (an earlier step whose result no longer holds, such as a connection that was
//! cancelled or revoked), each state also said to screen readers.

use api::wizard::{self, StepId};
use leptos::prelude::*;

/// The two paths through the wizard: the configuration chosen on its first step.
pub use api::ProjectConfiguration as Flow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    Done,
    Current,
    Upcoming,
    NeedsAttention,
}

impl StepState {
    /// The step's class, and what a screen reader hears before its label.
    fn class_and_prefix(self) -> (&'static str, Option<&'static str>) {
        match self {
            StepState::Done => ("step step-done", Some("Completed: ")),
            StepState::Current => ("step step-current", None),
            StepState::Upcoming => ("step", Some("Not started: ")),
            StepState::NeedsAttention => ("step step-attention", Some("Needs attention: ")),
        }
    }
}

/// The state of the step at `index` when the user is at `current` and the step at
/// `attention` (if any) needs to be done again: nothing after that step counts as done.
pub fn step_state(index: usize, current: usize, attention: Option<usize>) -> StepState {
    if index == current {
        return StepState::Current;
    }
    match attention {
        Some(attention) if attention < current && index == attention => StepState::NeedsAttention,
        Some(attention) if attention < current && index > attention => StepState::Upcoming,
        _ if index < current => StepState::Done,
        _ => StepState::Upcoming,
    }
}

/// An earlier step that needs to be done again, as the page below the step list finds out
/// (an [`super::AuthorizePanel`] offering Authorize or Reconnect flags the Connect step).
/// Provided by [`super::WizardStep`]; absent outside the wizard.
#[derive(Clone, Copy)]
pub struct StepAttention(RwSignal<Option<StepId>>);

impl StepAttention {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// Marks `step` as needing attention until [`StepAttention::clear`].
    pub fn flag(self, step: StepId) {
        self.0.try_set(Some(step));
    }

    pub fn clear(self, step: StepId) {
        self.0.try_update(|flagged| {
            if *flagged == Some(step) {
                *flagged = None;
            }
        });
    }

    fn get(self) -> Option<StepId> {
        self.0.get()
    }
}

impl Default for StepAttention {
    fn default() -> Self {
        Self::new()
    }
}

/// The step list of `flow`, at step `current`.
#[component]
pub fn StepIndicator(flow: Flow, current: StepId, attention: StepAttention) -> impl IntoView {
    let at = wizard::position(flow, current).unwrap_or_default();
    let items = move || {
        let flagged = attention
            .get()
            .and_then(|step| wizard::position(flow, step));
        wizard::steps(flow)
            .iter()
            .enumerate()
            .map(|(index, step)| {
                let state = step_state(index, at, flagged);
                let (class, hidden_prefix) = state.class_and_prefix();
                view! {
                    <li class=class aria-current=(state == StepState::Current).then_some("step")>
                        {hidden_prefix.map(|prefix| view! { <span class="visually-hidden">{prefix}</span> })}
                        {step.label}
                    </li>
                }
            })
            .collect_view()
    };
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
        assert_eq!(step_state(0, 2, None), StepState::Done);
        assert_eq!(step_state(2, 2, None), StepState::Current);
        assert_eq!(step_state(3, 2, None), StepState::Upcoming);
    }

    #[test]
    fn a_step_needing_attention_is_not_done_and_neither_is_what_follows_it() {
        // Configuration, Git provider, Connect (cancelled), Repository (current), Branch.
        let states: Vec<_> = (0..5).map(|i| step_state(i, 3, Some(2))).collect();
        assert_eq!(
            states,
            [
                StepState::Done,
                StepState::Done,
                StepState::NeedsAttention,
                StepState::Current,
                StepState::Upcoming
            ]
        );
        assert_eq!(step_state(3, 4, Some(2)), StepState::Upcoming);
    }

    #[test]
    fn the_current_step_is_current_even_when_flagged() {
        assert_eq!(step_state(2, 2, Some(2)), StepState::Current);
        assert_eq!(step_state(1, 2, Some(2)), StepState::Done);
    }
}
