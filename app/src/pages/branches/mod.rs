//! The project page's branches: which branch the page is on and switching it
//! ([`selector`]), a new branch ([`new_branch`]), and the branch compared with the project's
//! own, with each changed file's diff and the provider's pull request page ([`compare`]).
//!
//! The branch on screen is the page's `?branch=` (so reload, back and links keep it); the
//! server keeps the last one chosen, which the page opens on without one.

mod compare;
mod diff;
mod new_branch;
mod selector;

pub use compare::ComparePanel;
pub use new_branch::NewBranchForm;
pub use selector::BranchSelector;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::client;
use crate::links;

/// The branch on screen and how to change it, shared by the page's branch components.
#[derive(Clone, Copy)]
pub struct OnBranch {
    pub project_id: i64,
    /// The project's own branch.
    pub base: StoredValue<String>,
    pub current: RwSignal<String>,
    /// Switches the page to a branch: the address, the server's memory, the signal.
    pub switch: Callback<String>,
}

impl OnBranch {
    /// `current` is where the page opens; switching replaces the address (no history entry
    /// per branch) and tells the server, in the background, to open there next time.
    pub fn new(project_id: i64, base: String, current: String) -> Self {
        let base = StoredValue::new(base);
        let current = RwSignal::new(current);
        let navigate = use_navigate();
        let switch = Callback::new(move |name: String| {
            let shown = (name != base.get_value()).then_some(name.as_str());
            navigate(
                &links::project_on(project_id, shown),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..NavigateOptions::default()
                },
            );
            current.set(name.clone());
            crate::tasks::spawn_detached(async move {
                // Only a convenience for the next visit: a failure changes nothing here.
                let _ = client::choose_branch(project_id, &name).await;
            });
        });
        Self {
            project_id,
            base,
            current,
            switch,
        }
    }

    /// The branch on screen as the routes name it: `None` for the project's own.
    pub fn shown(&self) -> Option<String> {
        let current = self.current.get();
        (current != self.base.get_value()).then_some(current)
    }
}
