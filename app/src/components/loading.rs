//! A polite "loading" status line, so screen readers hear that something is on its way.

use leptos::prelude::*;

#[component]
pub fn Loading(#[prop(into)] text: String) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            {text}
        </p>
    }
}
