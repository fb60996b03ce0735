//! Errors as sentences in an ARIA alert.
//!
//! Every failure reaching a page is an `ApiError` whose message is written for people, so it
//! is shown as is; screen readers announce `role="alert"` when it appears. An alert element
//! exists only while there is something to say, so a page never has empty alerts.

use leptos::prelude::*;

/// One error sentence, announced when it appears.
#[component]
pub fn ErrorMessage(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <p class="alert" role="alert">
            {message}
        </p>
    }
}

/// An [`ErrorMessage`] that comes and goes with `message`.
#[component]
pub fn AlertSlot(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|message| view! { <ErrorMessage message /> })
    }
}

/// "Try again" for a failed load: asks the same question again.
#[component]
pub fn TryAgain(#[prop(into)] on_retry: Callback<()>) -> impl IntoView {
    view! {
        <p>
            <button type="button" class="button" on:click=move |_| on_retry.run(())>
                "Try again"
            </button>
        </p>
    }
}
