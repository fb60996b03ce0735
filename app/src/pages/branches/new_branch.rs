//! **New branch**: a name, checked as the user types by Git's rule (the server's same code),
//! started from the project's branch or the branch on screen; the page moves to it.

use api::NewBranch;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::OnBranch;
use crate::client;
use crate::components::field::{aria_invalid, described_by};
use crate::tasks::PageTasks;

#[component]
pub fn NewBranchForm(on: OnBranch) -> impl IntoView {
    let tasks = PageTasks::new();
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    // Whether to start from the branch on screen rather than the project's own.
    let from_current = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let shown_error = move || {
        error.get().or_else(|| {
            name.with(|n| {
                (!n.is_empty())
                    .then(|| api::check_branch_name(n.trim()))
                    .flatten()
            })
        })
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let wanted = name.get_untracked().trim().to_owned();
        if let Some(why) = api::check_branch_name(&wanted) {
            error.set(Some(why));
            return;
        }
        let from = if from_current.get_untracked() {
            on.current.get_untracked()
        } else {
            on.base.get_value()
        };
        pending.set(true);
        error.set(None);
        tasks.spawn(async move {
            let created =
                client::create_branch(on.project_id, &NewBranch { name: wanted, from }).await;
            pending.try_set(false);
            match created {
                Ok(branch) => {
                    name.try_set(String::new());
                    open.try_set(false);
                    on.switch.run(branch.name);
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };
    let other_start = move || {
        let current = on.current.get();
        (current != on.base.get_value()).then(|| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="new-branch-from"
                        prop:checked=from_current
                        on:change=move |_| from_current.set(true)
                    />
                    " " <code>{current}</code> " (the branch on screen)"
                </label>
            }
        })
    };
    let form = move || {
        open.get().then(|| {
            view! {
                <form class="form new-branch" id="new-branch" novalidate on:submit=on_submit>
                    <div class="field">
                        <label for="new-branch-name">"Branch name"</label>
                        <input
                            id="new-branch-name"
                            type="text"
                            autocomplete="off"
                            spellcheck="false"
                            bind:value=name
                            on:input=move |_| error.set(None)
                            aria-invalid=move || aria_invalid(shown_error().is_some())
                            aria-describedby=move || described_by(&[shown_error().is_some().then_some("new-branch-error")])
                        />
                        {move || shown_error().map(|why| view! { <p class="field-error" id="new-branch-error">{why}</p> })}
                    </div>
                    <fieldset class="field">
                        <legend>"Start from"</legend>
                        <label class="choice">
                            <input
                                type="radio"
                                name="new-branch-from"
                                prop:checked=move || !from_current.get()
                                on:change=move |_| from_current.set(false)
                            />
                            " " <code>{on.base.get_value()}</code> " (the project's branch)"
                        </label>
                        {other_start}
                    </fieldset>
                    <div class="form-actions">
                        <button type="submit" class="button button-primary" disabled=pending>
                            {move || if pending.get() { "Creating…" } else { "Create branch" }}
                        </button>
                    </div>
                </form>
            }
        })
    };
    view! {
        <button
            type="button"
            class="button"
            aria-expanded=move || open.get().to_string()
            aria-controls="new-branch"
            on:click=move |_| open.update(|open| *open = !*open)
        >
            "New branch"
        </button>
        {form}
    }
}
