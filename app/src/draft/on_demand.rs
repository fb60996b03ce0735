//! The wizard's draft where the first download meets it: the projects page's "unfinished
//! project" banner and the configuration step's choice. Both need the draft's whole code
//! (reading it back, its JSON both ways, sending it to the server), which is not needed to
//! show the first screen, so in a split build it is a chunk of its own, fetched when one of
//! them runs (see `crate::lazy_pages` for how splitting works). A chunk that cannot be
//! fetched costs the banner (it stays hidden) or the remembered choice (the wizard carries it
//! in the URL anyway), never the page.

use api::ProjectConfiguration;
use leptos::prelude::*;

use crate::components::ResumeDraft;
use crate::lazy_pages::{split_call, ChunkNotLoaded};
use crate::tasks::{spawn_detached, PageTasks};

/// The "unfinished project" banner, once its code is here. (Not Leptos' `Suspend`, whose
/// own code would weigh more on the first download than the banner's.)
pub fn resume_banner() -> impl IntoView {
    let banner = RwSignal::new_local(None::<AnyView>);
    PageTasks::new().spawn(async move {
        if let Ok(view) = split_call!(resume_banner_view()) {
            banner.try_set(Some(view));
        }
    });
    // Shown once: the view moves out of the signal into the page.
    move || {
        banner.track();
        banner.try_update_untracked(Option::take).flatten()
    }
}

/// Keeps the chosen configuration in the draft; a different choice drops a repository chosen
/// before. Best effort, in the background (see [`super`]).
pub fn remember_configuration(configuration: ProjectConfiguration) {
    spawn_detached(async move {
        if split_call!(remember_configuration_now(configuration)).is_err() {
            leptos::logging::warn!("the wizard's draft code could not be fetched");
        }
    });
}

#[cfg_attr(
    wasm_split,
    leptos::wasm_split::wasm_split(project_draft, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn resume_banner_view() -> Result<AnyView, ChunkNotLoaded> {
    Ok(view! { <ResumeDraft /> }.into_any())
}

#[cfg_attr(
    wasm_split,
    leptos::wasm_split::wasm_split(project_draft, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn remember_configuration_now(configuration: ProjectConfiguration) -> Result<(), ChunkNotLoaded> {
    spawn_detached(super::update(move |draft| {
        if draft.configuration != Some(configuration) {
            draft.repository = None;
        }
        draft.configuration = Some(configuration);
    }));
    Ok(())
}
