//! Anything the route table does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::PageHeading;
use crate::links;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page-section">
            <PageHeading text="Page not found" />
            <p>"There is no page at this address."</p>
            <p>
                <A href=links::PROJECTS>"Go to your projects"</A>
            </p>
        </section>
    }
}
