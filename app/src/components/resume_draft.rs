//! "You have an unfinished project": resume the wizard's draft where it stopped, or discard
//! it. Shown on the projects page and at the start of the wizard.

use crate::tasks::PageTasks;
use api::{ProjectDraft, SavedDraft};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client;
use crate::draft::resume_link;
use crate::time::format_utc;

/// The banner's sentence.
pub fn summary(saved: &SavedDraft) -> String {
    let name = saved.draft.name.trim();
    let what = if name.is_empty() {
        "an unnamed project".to_owned()
    } else {
        format!("“{name}”")
    };
    format!(
        "You have an unfinished project: {what}, last saved {}.",
        format_utc(saved.updated_at)
    )
}

#[component]
pub fn ResumeDraft() -> impl IntoView {
    let tasks = PageTasks::new();
    let saved = LocalResource::new(client::project_draft);
    let discarded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let discard = move |_| {
        tasks.spawn(async move {
            match client::discard_project_draft().await {
                Ok(()) => {
                    discarded.try_set(true);
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };
    move || {
        let saved = saved.get().and_then(Result::ok).flatten()?;
        if discarded.get() || saved.draft == ProjectDraft::default() {
            return None;
        }
        Some(view! {
            <section class="panel draft-banner" aria-label="Unfinished project">
                <p>{summary(&saved)}</p>
                <p class="draft-actions">
                    <A href=resume_link(&saved.draft) attr:class="button button-primary">
                        "Resume"
                    </A>
                    <button type="button" class="button button-secondary" on:click=discard>
                        "Discard"
                    </button>
                </p>
                {move || error.get().map(|message| view! { <p class="alert" role="alert">{message}</p> })}
            </section>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_names_the_draft() {
        let mut saved = SavedDraft {
            draft: ProjectDraft {
                name: " Sales ETL ".into(),
                ..ProjectDraft::default()
            },
            updated_at: 0,
        };
        assert_eq!(
            summary(&saved),
            "You have an unfinished project: “Sales ETL”, last saved 1 Jan 1970, 00:00 UTC."
        );
        saved.draft.name.clear();
        assert!(summary(&saved).contains("an unnamed project"));
    }
}
