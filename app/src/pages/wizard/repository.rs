//! Step "Choose a repository": workspace (Data Center: project), search, and the
//! repositories the connected account can write to, as a radio group.
//!
//! The step opens with one request, the repository picker, which brings the workspaces and
//! the first repositories together after a single round trip to the provider; nothing else
//! waits before it (not even a connection check: the picker's own answer says when the
//! connection is missing or broken, and the authorize panel replaces the list). This is
//! also where the OAuth round trip returns. The chosen workspace is kept in the URL
//! (`?workspace=`) so a reload keeps it; searching shows the loaded matches on each
//! keystroke and asks the provider, without a pause, only when they may not be all; pages
//! are loaded on demand, and answers to older queries are dropped (see
//! [`super::repository_list`]).

use crate::tasks::{Latest, PageTasks};
use api::wizard::StepId;
use api::{ConnectionStatus, ErrorCode, RepositoryPicker, RepositoryQuery, RepositoryRef};
use leptos::ev::Event;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::prepared;
use super::provider_route::ForRouteProvider;
use super::repository_list::{choose_workspace, dom_id, Loading as ListLoading, RepositoryList};
use super::repository_options::{options_html, OPTION_ID_PREFIX};
use crate::client;
use crate::components::{
    use_oauth_error, AlertSlot, AuthorizePanel, ErrorMessage, Flow, InstallOffer, TryAgain,
    WizardStep,
};
use crate::links::{self, query};
use crate::providers::Provider;

/// The empty-state sentence when no repository of the group is writable ("workspace" or
/// "project", [`Provider::group`]).
pub fn no_writable_repository(group: &str) -> String {
    let one = crate::providers::with_article(group);
    format!(
        "This account can write to no repository in this {group}. Ask {one} admin for Write access, or choose another {group}."
    )
}

/// The empty-state sentence, which differs when a search found nothing.
pub fn empty_state(group: &str, search: &str) -> String {
    if search.is_empty() {
        no_writable_repository(group)
    } else {
        format!("No repository you can write to in this {group} matches “{search}”.")
    }
}

/// The sentence for an account that belongs to no workspace (sees no project).
pub fn no_groups(provider: &Provider) -> String {
    let (name, group, one) = (provider.short_name(), provider.group(), provider.a_group());
    format!(
        "Your {name} account belongs to no {group}. Create or join {one} on {name}, then come back."
    )
}

#[component]
pub fn RepositoryStep() -> impl IntoView {
    view! { <ForRouteProvider content=|provider| view! { <RepositoryPickerStep provider /> } /> }
}

#[component]
fn RepositoryPickerStep(provider: Provider) -> impl IntoView {
    let id = provider.id;
    let params = use_query_map();
    // Read once: switching workspaces later changes the URL but must not reload the picker.
    let asked = params.with_untracked(|params| params.get(query::WORKSPACE));
    // Usually prepared while the user read the connect step (see `prepared`).
    let picker = LocalResource::new(move || prepared::first_screen(id, asked.clone()));
    let oauth_error = use_oauth_error(provider.clone());
    // Come back to the same workspace, and the repository chosen before (a "Change the
    // repository" link preselects it), after authorizing.
    let return_to = move || {
        params.with(|params| {
            links::repository_step(
                id,
                params.get_str(query::WORKSPACE),
                params.get_str(query::REPOSITORY),
            )
        })
    };
    // Read where it is drawn: reading the address in the match below would redraw the
    // picker, and lose what the user typed, at every change of the address.
    let install_return = Signal::derive(return_to);
    let provider = StoredValue::new(provider);

    view! {
        <WizardStep flow=Flow::Advanced step=StepId::Repository heading="Choose a repository" provider=id>
            <AlertSlot message=oauth_error />
            {move || match picker.get() {
                None => view! {
                    <p class="repository-count" role="status">"Loading your repositories…"</p>
                    <RepositorySkeleton />
                }
                .into_any(),
                Some(Err(error)) if error.code == ErrorCode::ProviderNotConnected => view! {
                    <AuthorizePanel
                        provider=provider.get_value()
                        status=ConnectionStatus::NotConnected
                        return_to=return_to()
                    />
                }
                .into_any(),
                Some(Err(error)) if error.code == ErrorCode::ProviderReconnectNeeded => {
                    let status = ConnectionStatus::ReconnectNeeded {
                        reason: error.message,
                        account: None,
                    };
                    view! { <AuthorizePanel provider=provider.get_value() status return_to=return_to() /> }
                        .into_any()
                }
                Some(Err(error)) => view! {
                    <ErrorMessage message=error.message />
                    <TryAgain on_retry=move |()| picker.refetch() />
                }
                .into_any(),
                Some(Ok(first_screen)) if first_screen.groups.is_empty() => {
                    match provider.get_value().install_url {
                        Some(_) => view! {
                            <InstallOffer provider=provider.get_value() return_to=install_return none_yet=true />
                        }
                        .into_any(),
                        None => view! {
                            <p class="empty-state">{provider.with_value(no_groups)}</p>
                        }
                        .into_any(),
                    }
                }
                Some(Ok(first_screen)) => view! {
                    <WorkspaceRepositories provider=provider.get_value() first_screen />
                    <InstallOffer provider=provider.get_value() return_to=install_return none_yet=false />
                }
                .into_any(),
            }}
        </WizardStep>
    }
}

/// What the list area shows; a memo of this keeps the radio group mounted while pages are
/// appended, so keyboard focus is not lost on "Load more".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListPhase {
    Loading,
    Empty,
    Failed,
    Items,
}

/// The list, starting from the picker's first screen; later workspaces, searches and pages
/// are fetched as asked.
#[component]
fn WorkspaceRepositories(provider: Provider, first_screen: RepositoryPicker) -> impl IntoView {
    let tasks = PageTasks::new();
    let id = provider.id;
    let group = StoredValue::new(provider.group().to_owned());
    let params = use_query_map();
    let navigate = use_navigate();
    let RepositoryPicker {
        groups: workspaces,
        group: opened_on,
        repositories: first_page,
    } = first_screen;

    let known_workspaces = StoredValue::new(workspaces.clone());
    let workspace = Memo::new({
        let opened_on = opened_on.clone();
        move |_| {
            let requested = params
                .with(|params| params.get(query::WORKSPACE))
                .or_else(|| opened_on.clone());
            known_workspaces
                .with_value(|known| choose_workspace(known, requested.as_deref()))
                .unwrap_or_default()
        }
    });

    // What is typed, and the trimmed search it asks for.
    let search_text = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());

    // The first screen is on show at once; nothing is fetched until the user changes it.
    let list = RwSignal::new(RepositoryList::showing(first_page));
    let selected = RwSignal::new(params.with_untracked(|params| params.get(query::REPOSITORY)));

    // "Try again" after a failed first page asks the same question again; "Refresh" asks
    // the provider again instead of the server's copy of a moment ago.
    let retries = RwSignal::new(0_u32);
    let refreshes = RwSignal::new(0_u32);
    let refreshes_done = StoredValue::new(0_u32);

    // A group list may come without names (Bitbucket Cloud's, when its partial response is
    // not honoured): they arrive after the first screen, which shows slugs meanwhile, so they
    // never delay the first repositories. Only asked for when a name is missing.
    let all_named = workspaces.iter().all(|w| w.name.is_some());
    let names = LocalResource::new(move || {
        let asked_again = refreshes.get() > 0;
        let known = known_workspaces.get_value();
        async move {
            if all_named && !asked_again {
                Ok(known)
            } else {
                client::workspace_names(id).await
            }
        }
    });
    let label_of = move |slug: &str| {
        names
            .get()
            .and_then(Result::ok)
            .and_then(|named| named.into_iter().find(|w| w.slug == slug))
            .map(|w| w.label().to_owned())
            .unwrap_or_else(|| slug.to_owned())
    };

    // One question to the provider at a time: a newer search, group or Refresh drops the
    // request before it (aborted in the browser, see `tasks::Latest`).
    let questions = Latest::new();
    let ask = move |generation: u64, workspace: String, term: String, refresh: bool| {
        questions.spawn(async move {
            let answer =
                client::repositories(id, &workspace, &repository_query(&term, None, refresh)).await;
            if list.try_update(|list| list.finish(generation, answer)) == Some(true) {
                drop_unlisted_choice(list, selected);
            }
        });
    };

    // A new workspace, Try again or Refresh: start over from the provider, with the search
    // on screen.
    Effect::new(move |previous: Option<()>| {
        let workspace = workspace.get();
        retries.track();
        let asked_refreshes = refreshes.get();
        let refresh = asked_refreshes != refreshes_done.get_value();
        refreshes_done.set_value(asked_refreshes);
        let term = search.get_untracked();
        let first_run = previous.is_none();
        if first_run && term.is_empty() && opened_on.as_deref() == Some(workspace.as_str()) {
            return; // the picker's first page is this query's answer
        }
        let generation = list.try_update(|list| {
            list.start_query();
            list.search(&term)
        });
        if let Some(Some(generation)) = generation {
            ask(generation, workspace, term, refresh);
        }
    });

    // Every keystroke: the loaded matches at once, and the provider's answer when they may
    // not be all (no pause first: a newer keystroke drops the older request).
    let on_search_input = move |event: Event| {
        let value = event_target_value(&event);
        search_text.set(value.clone());
        let term = value.trim().to_owned();
        if search.with_untracked(|current| *current == term) {
            return;
        }
        search.set(term.clone());
        match list.try_update(|list| list.search(&term)).flatten() {
            Some(generation) => ask(generation, workspace.get_untracked(), term, false),
            None => {
                questions.stop();
                drop_unlisted_choice(list, selected);
            }
        }
    };

    let on_workspace_change = {
        let navigate = navigate.clone();
        move |event: Event| {
            let chosen = event_target_value(&event);
            selected.set(None);
            navigate(
                &links::repository_step(id, Some(&chosen), None),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..NavigateOptions::default()
                },
            );
        }
    };

    let load_more = move |_| {
        let Some((generation, cursor)) = list.try_update(RepositoryList::start_more).flatten()
        else {
            return; // nothing more, or already loading
        };
        let workspace = workspace.get_untracked();
        let term = search.get_untracked();
        let loaded = list.with_untracked(|list| list.items.len());
        tasks.spawn(async move {
            let answer = client::repositories(
                id,
                &workspace,
                &repository_query(&term, Some(cursor), false),
            )
            .await;
            let applied = list.try_update(|list| list.finish(generation, answer)) == Some(true);
            // Keyboard users continue at the first new repository (the button may be gone).
            let first_new = list
                .try_with_untracked(|list| list.items.get(loaded).map(|repo| repo.slug.clone()))
                .flatten();
            if let (true, Some(slug)) = (applied, first_new) {
                request_animation_frame(move || focus_element(&dom_id(OPTION_ID_PREFIX, &slug)));
            }
        });
    };

    let on_continue = move |_| {
        if let Some(slug) = selected.get_untracked() {
            let chosen = RepositoryRef {
                provider: id,
                group: workspace.get_untracked(),
                slug,
            };
            navigate(
                &links::next(Flow::Advanced, StepId::Repository, (&chosen).into()),
                NavigateOptions::default(),
            );
        }
    };

    let phase = Memo::new(move |_| {
        list.with(|list| {
            if list.loading == ListLoading::FirstPage && list.items.is_empty() {
                ListPhase::Loading
            } else if !list.items.is_empty() {
                ListPhase::Items
            } else if list.error.is_some() {
                ListPhase::Failed
            } else {
                ListPhase::Empty
            }
        })
    });
    // Redrawn only when the radios change: a redraw takes the keyboard focus from them.
    let options = Memo::new(move |_| {
        let chosen = selected.get_untracked();
        list.with(|list| options_html(&list.items, chosen.as_deref()))
    });
    // A choice the page makes (forgotten on a change of group, or a search that hid it)
    // reaches the radios; the user's own click is already there.
    Effect::new(move |_| {
        options.track();
        check_only(selected.get().as_deref());
    });
    let has_more = Memo::new(move |_| list.with(|list| list.next.is_some()));
    let error =
        Memo::new(move |_| list.with(|list| list.error.as_ref().map(|e| e.message.clone())));

    let workspace_options = workspaces
        .into_iter()
        .map(|option| {
            let slug = option.slug.clone();
            let label = {
                let (slug, known) = (option.slug.clone(), option.name.clone());
                move || known.clone().unwrap_or_else(|| label_of(&slug))
            };
            view! {
                <option value=option.slug prop:selected=move || workspace.with(|chosen| *chosen == slug)>
                    {label}
                </option>
            }
        })
        .collect_view();

    let search_placeholder = move || {
        let chosen = workspace.get();
        let label = known_workspaces
            .with_value(|known| {
                known
                    .iter()
                    .find(|w| w.slug == chosen)
                    .and_then(|w| w.name.clone())
            })
            .unwrap_or_else(|| label_of(&chosen));
        format!("Search repositories in {label}…")
    };
    let refresh_label = format!("Refresh the repository list from {}", provider.short_name());

    view! {
        <div class="repository-picker">
            <div class="picker-controls">
                <div class="field">
                    <label for="workspace">{provider.group_title()}</label>
                    <select id="workspace" name="workspace" on:change=on_workspace_change>
                        {workspace_options}
                    </select>
                </div>
                <div class="field">
                    <label for="repository-search">"Search repositories"</label>
                    <input
                        id="repository-search"
                        name="search"
                        type="search"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder=search_placeholder
                        prop:value=move || search_text.get()
                        on:input=on_search_input
                    />
                </div>
            </div>
            <div class="repository-count-line">
                <p class="repository-count" role="status">
                    {move || list.with(RepositoryList::count_text)}
                </p>
                <button
                    type="button"
                    class="button button-link"
                    aria-label=refresh_label
                    on:click=move |_| refreshes.update(|n| *n += 1)
                >
                    "Refresh"
                </button>
            </div>
            <AlertSlot message=Signal::derive(move || error.get()) />
            {move || match phase.get() {
                ListPhase::Loading => view! { <RepositorySkeleton /> }.into_any(),
                ListPhase::Empty => {
                    view! { <p class="empty-state">{move || search.with(|term| group.with_value(|group| empty_state(group, term)))}</p> }
                        .into_any()
                }
                ListPhase::Failed => view! {
                    <TryAgain on_retry=move |()| retries.update(|n| *n += 1) />
                }
                .into_any(),
                ListPhase::Items => view! {
                    <fieldset class="repositories">
                        <legend>"Repositories"</legend>
                        // The radios as one string (see `repository_options`); a choice is
                        // read where the change bubbles to, and written back on a redraw.
                        <ul
                            class="repository-list"
                            on:change=move |event| selected.set(Some(event_target_value(&event)))
                            inner_html=move || options.get()
                        ></ul>
                    </fieldset>
                }
                .into_any(),
            }}
            {move || {
                has_more
                    .get()
                    .then(|| {
                        view! {
                            <p class="load-more">
                                <button type="button" class="button" on:click=load_more>
                                    "Load more repositories"
                                </button>
                            </p>
                        }
                    })
            }}
            <div class="step-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || selected.with(Option::is_none)
                    on:click=on_continue
                >
                    "Continue"
                </button>
            </div>
        </div>
    }
}

/// Forgets the chosen repository when the list on screen no longer has it.
fn drop_unlisted_choice(list: RwSignal<RepositoryList>, selected: RwSignal<Option<String>>) {
    if let Some(choice) = selected.try_get_untracked().flatten() {
        if list.try_with_untracked(|list| !list.contains(&choice)) == Some(true) {
            selected.try_set(None);
        }
    }
}

/// Checks the radio of `slug` and no other (none for `None`).
fn check_only(slug: Option<&str>) {
    use wasm_bindgen::JsCast;
    let radio = |element: web_sys::Element| element.dyn_into::<web_sys::HtmlInputElement>().ok();
    let checked = document()
        .query_selector("input[name=repository]:checked")
        .ok()
        .flatten()
        .and_then(radio);
    if let Some(checked) = checked.filter(|radio| Some(radio.value().as_str()) != slug) {
        checked.set_checked(false);
    }
    let chosen =
        slug.and_then(|slug| document().get_element_by_id(&dom_id(OPTION_ID_PREFIX, slug)));
    if let Some(chosen) = chosen.and_then(radio) {
        chosen.set_checked(true);
    }
}

fn focus_element(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

fn repository_query(search: &str, cursor: Option<String>, refresh: bool) -> RepositoryQuery {
    RepositoryQuery {
        search: (!search.is_empty()).then(|| search.to_owned()),
        cursor,
        refresh: refresh.then_some(true),
    }
}

/// Placeholder rows while a first page loads (the status line says it in words).
#[component]
fn RepositorySkeleton() -> impl IntoView {
    view! {
        <ul class="repository-list skeleton" aria-hidden="true">
            <li class="skeleton-row"></li>
            <li class="skeleton-row"></li>
            <li class="skeleton-row"></li>
            <li class="skeleton-row"></li>
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_state_mentions_the_search() {
        assert_eq!(
            empty_state("workspace", ""),
            "This account can write to no repository in this workspace. Ask a workspace admin for Write access, or choose another workspace."
        );
        assert!(empty_state("workspace", "etl").contains("“etl”"));
        assert!(empty_state("project", "").contains("Ask a project admin"));
    }

    #[test]
    fn no_groups_names_the_provider() {
        let cloud = Provider {
            wording: api::ProviderWording {
                short_name: "Bitbucket".into(),
                group_noun: "workspace".into(),
                ..api::ProviderWording::default()
            },
            ..Provider::of(api::GitProvider::BitbucketCloud, None)
        };
        assert_eq!(
            no_groups(&cloud),
            "Your Bitbucket account belongs to no workspace. Create or join a workspace on Bitbucket, then come back."
        );
        let dc = Provider {
            wording: api::ProviderWording {
                group_noun: "project".into(),
                ..api::ProviderWording::default()
            },
            ..Provider::of(api::GitProvider::BitbucketDataCenter, None)
        };
        assert!(no_groups(&dc).contains("belongs to no project"));
    }

    #[test]
    fn blank_search_is_not_sent() {
        assert_eq!(repository_query("", None, false).search, None);
        assert_eq!(
            repository_query("etl", Some("c2".into()), true),
            RepositoryQuery {
                search: Some("etl".into()),
                cursor: Some("c2".into()),
                refresh: Some(true),
            }
        );
    }
}
