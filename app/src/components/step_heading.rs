//! Page headings, and the wizard's focus management.
//!
//! In a single-page app a route change does not reload the page, so a screen reader hears
//! nothing and keyboard focus stays on the button that was pressed (which may be gone).
//! Each wizard step therefore moves focus to its `<h1>` (made focusable with
//! `tabindex="-1"`) once mounted, and every page names itself in the document title.

use leptos::html::H1;
use leptos::prelude::*;

/// The document title for a page heading.
pub fn document_title(heading: &str) -> String {
    format!("{heading} · Pipeline Studio")
}

fn set_document_title(heading: &str) {
    document().set_title(&document_title(heading));
}

/// The `<h1>` of an ordinary page.
#[component]
pub fn PageHeading(#[prop(into)] text: String) -> impl IntoView {
    set_document_title(&text);
    view! { <h1>{text}</h1> }
}

/// The `<h1>` of a wizard step: receives focus once the step is on screen.
#[component]
pub fn StepHeading(#[prop(into)] text: String) -> impl IntoView {
    set_document_title(&text);
    let heading = NodeRef::<H1>::new();
    Effect::new(move |_| {
        if let Some(element) = heading.get() {
            // After the browser has laid the new step out, or focus() may be ignored.
            request_animation_frame(move || {
                let _ = element.focus();
            });
        }
    });
    view! {
        <h1 class="step-heading" tabindex="-1" node_ref=heading>
            {text}
        </h1>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_page_first() {
        assert_eq!(document_title("Projects"), "Projects · Pipeline Studio");
    }
}
