//! "You have an unfinished project": resume the wizard's draft where it stopped, or discard
//! it. Shown on the projects page and at the start of the wizard.

use crate::tasks::PageTasks;
use api::ProjectDraft;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::draft::kept::Restored;
use crate::draft::{self, resume_link};
use crate::time::format_utc;

/// The banner's sentence.
pub fn summary(saved: &Restored<ProjectDraft>) -> String {
    let name = saved.value.name.trim();
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
    let saved = LocalResource::new(draft::restore_project);
    let discarded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let discard = move |_| {
        tasks.spawn(async move {
            match draft::project().discard().await {
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
        if discarded.get() || saved.value == ProjectDraft::default() {
            return None;
        }
        Some(view! {
            <section class="panel draft-banner" aria-label="Unfinished project">
                <p>{summary(&saved)}</p>
                <p class="draft-actions">
                    <A href=resume_link(&saved.value) attr:class="button button-primary">
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
        let mut saved = Restored {
            value: ProjectDraft {
                name: " Sales ETL ".into(),
                ..ProjectDraft::default()
            },
            updated_at: 0,
        };
        assert_eq!(
            summary(&saved),
            "You have an unfinished project: “Sales ETL”, last saved 1 Jan 1970, 00:00 UTC."
        );
        saved.value.name.clear();
        assert!(summary(&saved).contains("an unnamed project"));
    }
}
