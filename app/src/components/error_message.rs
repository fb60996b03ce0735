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

/// A page whose code (a chunk of the split build, `crate::lazy_pages`) could not be fetched:
/// the network cut it, or a new version of the studio replaced it. The rest of the app goes on
/// working; reloading fetches the page again.
#[component]
pub fn PageNotLoaded() -> impl IntoView {
    view! {
        <super::PageHeading text="This page could not be loaded" />
        <p class="alert" role="alert">
            "The connection was cut or the studio was updated. Reload the page to try again."
        </p>
        <p>
            <button type="button" class="button button-primary" on:click=|_| reload()>
                "Reload the page"
            </button>
        </p>
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
