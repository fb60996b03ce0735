//! `/projects/:id`: one project, where its pipelines live, and the pipelines themselves.

use crate::tasks::PageTasks;
use api::{ApiError, ErrorCode, GitProvider, Project, ProjectRepository, ProjectSettings};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::client;
use crate::components::field::{aria_invalid, described_by};
use crate::components::{ErrorMessage, Loading, PageHeading};
use crate::context::use_server_info;
use crate::links;
use crate::pages::branches::{BranchSelector, ComparePanel, NewBranchForm, OnBranch};
use crate::pages::pipelines::PipelineSection;
use crate::providers::Provider;

pub const NOT_FOUND: &str = "This project does not exist or is not yours.";

#[component]
pub fn ProjectPage() -> impl IntoView {
    // The pipelines open in the viewer or the editor, fetched on demand: start now.
    crate::lazy_pages::preload_pipeline_pages();
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|params| links::parse_project_id(params.get_str("id"))));
    let project = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => client::project(id).await,
                None => Err(ApiError::new(ErrorCode::NotFound, NOT_FOUND)),
            }
        }
    });

    view! {
        <section class="page-section">
            {move || match project.get() {
                None => view! { <Loading text="Loading the project…" /> }.into_any(),
                Some(Ok(project)) => view! { <ProjectDetails project /> }.into_any(),
                Some(Err(error)) if error.code == ErrorCode::NotFound => {
                    view! {
                        <PageHeading text="Project not found" />
                        <ErrorMessage message=NOT_FOUND />
                    }
                        .into_any()
                }
                Some(Err(error)) => {
                    view! {
                        <PageHeading text="Project" />
                        <ErrorMessage message=error.message />
                    }
                        .into_any()
                }
            }}
            <p class="page-footer-link">
                <A href=links::PROJECTS>"Back to projects"</A>
            </p>
        </section>
    }
}

#[component]
fn ProjectDetails(project: Project) -> impl IntoView {
    let description = (!project.description.trim().is_empty()).then(|| {
        view! { <p class="project-description">{project.description.clone()}</p> }
    });
    let id = project.id;
    // Bumped when the folder changes, so the list is read again from the new folder.
    let folder_changes = RwSignal::new(0_u32);
    // The facts first, then the branch and the pipelines on it; the folder setting, changed
    // rarely, after them.
    let (facts, on, setting) = match project.repository {
        Some(repository) => {
            let current = route_branch()
                .or_else(|| repository.chosen_branch.clone())
                .unwrap_or_else(|| repository.branch.clone());
            let on = OnBranch::new(id, repository.branch.clone(), current);
            (
                view! { <RepositoryFacts repository=repository.clone() /> }.into_any(),
                Some((on, repository.provider)),
                Some(view! {
                    <FolderSetting
                        project_id=id
                        folder=project.pipeline_folder
                        on_saved=move |()| folder_changes.update(|n| *n += 1)
                    />
                }),
            )
        }
        None => (
            view! { <p>"Pipelines are kept by the studio."</p> }.into_any(),
            None,
            None,
        ),
    };
    let branches = on.map(|(on, provider)| view! { <BranchBar on provider /> });
    view! {
        <PageHeading text=project.name />
        {description}
        {facts}
        {branches}
        {move || {
            folder_changes.track();
            let branch = on.and_then(|(on, _)| on.shown());
            view! { <PipelineSection project_id=id branch /> }
        }}
        {setting}
    }
}

/// The branch the page is on, switching it, a new branch, and the comparison with the
/// project's branch.
#[component]
fn BranchBar(on: OnBranch, provider: GitProvider) -> impl IntoView {
    let info = use_server_info();
    let name = Signal::derive(move || {
        Provider::of(provider, info.get().and_then(Result::ok).as_ref()).name
    });
    view! {
        <section class="branch-bar" aria-labelledby="branch-heading">
            <h2 id="branch-heading">"Working branch"</h2>
            <p class="branch-current">
                "The pipelines below are on " <code>{move || on.current.get()}</code> "."
            </p>
            <div class="branch-actions">
                <BranchSelector on />
                <NewBranchForm on />
            </div>
            <ComparePanel on provider=name />
        </section>
    }
}

/// The `?branch=` of the address, if any.
fn route_branch() -> Option<String> {
    use_query_map()
        .with_untracked(|query| query.get(links::query::BRANCH))
        .filter(|branch| !branch.is_empty())
}

#[component]
fn RepositoryFacts(repository: ProjectRepository) -> impl IntoView {
    let info = use_server_info();
    let id = repository.provider;
    // Named as the server describes the provider; by its product label until that is known.
    let provider = Memo::new(move |_| Provider::of(id, info.get().and_then(Result::ok).as_ref()));
    view! {
        <dl class="facts">
            <div class="fact">
                <dt>"Provider"</dt>
                <dd>{move || provider.with(|p| p.name.clone())}</dd>
            </div>
            <div class="fact">
                <dt>"Repository"</dt>
                <dd>
                    <span class="repository-full-name">{repository.full_name}</span>
                    " "
                    <a href=repository.html_url target="_blank" rel="noopener noreferrer">
                        {move || provider.with(|p| format!("Open in {}", p.short_name()))}
                    </a>
                </dd>
            </div>
            <div class="fact">
                <dt>"Branch"</dt>
                <dd>
                    <code>{repository.branch}</code>
                </dd>
            </div>
        </dl>
    }
}

/// The folder the project's pipelines are searched in and created under, behind a disclosure
/// that names it: a setting changed rarely must not stand between the facts and the pipelines.
#[component]
fn FolderSetting(
    project_id: i64,
    folder: String,
    #[prop(into)] on_saved: Callback<()>,
) -> impl IntoView {
    let tasks = PageTasks::new();
    let value = RwSignal::new(folder.clone());
    let saved = RwSignal::new(folder);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        error.set(None);
        status.set(None);
        let settings = ProjectSettings {
            pipeline_folder: value.get_untracked(),
        };
        if settings.pipeline_folder.trim().trim_matches('/') == saved.get_untracked() {
            status.set(Some("The folder is unchanged."));
            return;
        }
        tasks.spawn(async move {
            match client::update_project_settings(project_id, &settings).await {
                Ok(project) => {
                    value.try_set(project.pipeline_folder.clone());
                    saved.try_set(project.pipeline_folder);
                    status.try_set(Some("Folder saved. The pipelines above are read from it."));
                    on_saved.run(());
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };
    view! {
        <details class="project-setting">
            <summary>
                "Pipelines folder: "
                {move || {
                    saved
                        .with(|folder| {
                            if folder.is_empty() {
                                view! { "the repository root" }.into_any()
                            } else {
                                view! { <code>{format!("{folder}/")}</code> }.into_any()
                            }
                        })
                }}
            </summary>
        <form class="form folder-setting" novalidate on:submit=on_submit>
            <div class="field">
                <label for="pipeline-folder">"Pipelines folder"</label>
                <p class="field-hint" id="pipeline-folder-hint">
                    "Where the studio looks for pipelines and creates new ones. Empty: the repository root."
                </p>
                <input
                    id="pipeline-folder"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    bind:value=value
                    aria-invalid=move || aria_invalid(error.with(Option::is_some))
                    aria-describedby=move || {
                        described_by(&[
                            Some("pipeline-folder-hint"),
                            error.with(Option::is_some).then_some("pipeline-folder-error"),
                        ])
                    }
                />
                {move || {
                    error
                        .get()
                        .map(|message| view! { <p class="field-error" id="pipeline-folder-error">{message}</p> })
                }}
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary">
                    "Save folder"
                </button>
                <p class="draft-status" role="status">{move || status.get()}</p>
            </div>
        </form>
        </details>
    }
}
