//! Which branch the page is on, and a searchable list to switch: the project's branch first,
//! then the user's recent branches, then the provider's, searched on the server as the user
//! types (a newer search supersedes an older one).

use api::{BranchGroup, BranchList, BranchSummary};
use leptos::prelude::*;

use super::OnBranch;
use crate::client;
use crate::components::{ErrorMessage, Loading};

#[component]
pub fn BranchSelector(on: OnBranch) -> impl IntoView {
    let open = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let list = LocalResource::new(move || {
        let (open, search) = (open.get(), search.get());
        async move {
            if open {
                Some(client::branches(on.project_id, &search).await)
            } else {
                None
            }
        }
    });
    let on_pick = Callback::new(move |name: String| {
        open.set(false);
        search.set(String::new());
        on.switch.run(name);
    });
    let panel = move || {
        open.get().then(|| {
            view! {
                <div class="branch-picker" id="branch-picker">
                    <div class="field">
                        <label for="branch-search">"Find a branch"</label>
                        <input
                            id="branch-search"
                            type="search"
                            autocomplete="off"
                            spellcheck="false"
                            prop:value=search
                            on:input=move |event| search.set(event_target_value(&event))
                        />
                    </div>
                    {move || match list.get().flatten() {
                        None => view! { <Loading text="Loading the branches…" /> }.into_any(),
                        Some(Ok(list)) => view! { <BranchChoices on list on_pick /> }.into_any(),
                        Some(Err(error)) => {
                            view! { <ErrorMessage message=error.message /> }.into_any()
                        }
                    }}
                </div>
            }
        })
    };
    view! {
        <button
            type="button"
            class="button"
            aria-expanded=move || open.get().to_string()
            aria-controls="branch-picker"
            on:click=move |_| open.update(|open| *open = !*open)
        >
            "Switch branch"
        </button>
        {panel}
    }
}

#[component]
fn BranchChoices(on: OnBranch, list: BranchList, on_pick: Callback<String>) -> impl IntoView {
    if list.branches.is_empty() {
        return view! { <p class="empty-state">"No branch matches."</p> }.into_any();
    }
    let more = list.more.then(|| {
        view! { <p class="field-hint">"More branches match: type more of the name to narrow them."</p> }
    });
    view! {
        <ul class="branch-choices" aria-label="Branches">
            {list
                .branches
                .into_iter()
                .map(|branch| view! { <BranchChoice on branch on_pick /> })
                .collect_view()}
        </ul>
        {more}
    }
    .into_any()
}

#[component]
fn BranchChoice(on: OnBranch, branch: BranchSummary, on_pick: Callback<String>) -> impl IntoView {
    let note = match branch.group {
        BranchGroup::Project => Some("the project's branch"),
        BranchGroup::Recent => Some("recent"),
        BranchGroup::Other => None,
    };
    let name = StoredValue::new(branch.name);
    let here = move || on.current.with(|current| *current == name.get_value());
    view! {
        <li>
            <button
                type="button"
                class="branch-choice"
                aria-pressed=move || here().to_string()
                on:click=move |_| on_pick.run(name.get_value())
            >
                <code>{name.get_value()}</code>
                {note.map(|note| view! { <span class="branch-note">{note}</span> })}
            </button>
        </li>
    }
}
