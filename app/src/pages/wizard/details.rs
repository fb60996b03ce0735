//! Step "Project details": name and description, then "Create project".
//!
//! The Quick start and the Bitbucket flow share the form; the Bitbucket flow reads the chosen
//! repository from its URL (`?workspace=&repository=`) and offers to change it. The name is
//! checked with the contract's `ProjectName::parse` before sending, the same check the
//! server applies, so the inline message and the server's verdict agree. What is typed is
//! saved as a server-side draft at every pause and restored on the next visit.

use std::time::Duration;

use api::{CreateProject, ProjectConfiguration, ProjectDraft, ProjectName, RepositoryRef};
use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::client::{self, errors};
use crate::components::field::{aria_invalid, described_by};
use crate::components::{AlertSlot, ErrorMessage, Flow, StepHeading, StepIndicator};
use crate::draft;
use crate::links::{self, query};

/// How long typing must pause before the draft is saved.
pub const DRAFT_SAVE_DEBOUNCE: Duration = Duration::from_millis(500);
pub const DRAFT_SAVED: &str = "Draft saved.";
pub const DRAFT_RESTORED: &str = "Restored what you typed earlier.";

const NAME_ERROR_ID: &str = "project-name-error";
const DESCRIPTION_HINT_ID: &str = "project-description-hint";

/// The repository named by the URL, when both parts are there.
pub fn chosen_repository(
    workspace: Option<&str>,
    repository: Option<&str>,
) -> Option<RepositoryRef> {
    let workspace = workspace.filter(|value| !value.is_empty())?;
    let slug = repository.filter(|value| !value.is_empty())?;
    Some(RepositoryRef {
        workspace: workspace.to_owned(),
        slug: slug.to_owned(),
    })
}

/// The repository the URL names (`?workspace=&repository=`), for the steps after choosing one.
pub fn use_chosen_repository() -> Memo<Option<RepositoryRef>> {
    let params = use_query_map();
    Memo::new(move |_| {
        params.with(|params| {
            chosen_repository(
                params.get_str(query::WORKSPACE),
                params.get_str(query::REPOSITORY),
            )
        })
    })
}

/// What a step that needs a repository shows when the URL names none (a stale bookmark).
#[component]
pub fn NoRepositoryChosen() -> impl IntoView {
    view! {
        <ErrorMessage message="No repository is chosen yet. Choose a repository first." />
        <p>
            <A href=links::BITBUCKET_REPOSITORY>"Choose a repository"</A>
        </p>
    }
}

/// The request body, or the sentence to show next to the name input.
pub fn build_request(
    name: &str,
    description: &str,
    repository: Option<RepositoryRef>,
) -> Result<CreateProject, &'static str> {
    let name = ProjectName::parse(name)?;
    let configuration = if repository.is_some() {
        ProjectConfiguration::Advanced
    } else {
        ProjectConfiguration::QuickStart
    };
    Ok(CreateProject {
        name: name.into_inner(),
        description: description.trim().to_owned(),
        configuration,
        repository,
    })
}

#[component]
pub fn QuickStartDetailsStep() -> impl IntoView {
    view! {
        <section class="wizard-step">
            <StepIndicator flow=Flow::QuickStart current=1 />
            <StepHeading text="Project details" />
            <p class="step-intro">"Quick start: the studio keeps this project's pipelines."</p>
            <ProjectForm repository=None />
            <nav class="step-nav" aria-label="Wizard">
                <A href=links::NEW_PROJECT>"Back"</A>
            </nav>
        </section>
    }
}

#[component]
pub fn AdvancedDetailsStep() -> impl IntoView {
    let chosen = use_chosen_repository();
    let back = move || {
        chosen.with(|chosen| match chosen {
            Some(chosen) => links::branch_step(&chosen.workspace, &chosen.slug),
            None => links::BITBUCKET_REPOSITORY.to_owned(),
        })
    };

    view! {
        <section class="wizard-step">
            <StepIndicator flow=Flow::Advanced current=5 />
            <StepHeading text="Project details" />
            {move || match chosen.get() {
                Some(repository) => view! {
                    <ChosenRepository repository=repository.clone() />
                    <ProjectForm repository=Some(repository) />
                }
                .into_any(),
                None => view! { <NoRepositoryChosen /> }.into_any(),
            }}
            <nav class="step-nav" aria-label="Wizard">
                <A href=back>"Back"</A>
            </nav>
        </section>
    }
}

#[component]
fn ChosenRepository(repository: RepositoryRef) -> impl IntoView {
    let change = links::repository_step(Some(&repository.workspace), Some(&repository.slug));
    view! {
        <dl class="facts">
            <div class="fact">
                <dt>"Repository"</dt>
                <dd>
                    <span class="repository-full-name">
                        {format!("{}/{}", repository.workspace, repository.slug)}
                    </span>
                    " "
                    <A href=change>"Change"</A>
                </dd>
            </div>
        </dl>
    }
}

#[component]
fn ProjectForm(repository: Option<RepositoryRef>) -> impl IntoView {
    let navigate = use_navigate();
    let repository = StoredValue::new(repository);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let name_input = NodeRef::<Input>::new();
    let draft_status = RwSignal::new(None::<&'static str>);

    // What was typed before (another visit, a reload, before signing out) comes back, unless
    // the user has started typing already.
    let saved = LocalResource::new(client::project_draft);
    Effect::new(move |_| {
        let Some(Ok(Some(saved))) = saved.get() else {
            return;
        };
        let untouched =
            name.with_untracked(String::is_empty) && description.with_untracked(String::is_empty);
        if let (true, Some((saved_name, saved_description))) = (
            untouched,
            draft::prefill(&saved.draft, repository.get_value().as_ref()),
        ) {
            name.set(saved_name);
            description.set(saved_description);
            draft_status.set(Some(DRAFT_RESTORED));
        }
    });

    // Every pause in typing saves the draft, so nothing typed is lost.
    let keystrokes = StoredValue::new(0_u64);
    let schedule_save = move || {
        let ticket = keystrokes.get_value().wrapping_add(1);
        keystrokes.set_value(ticket);
        set_timeout(
            move || {
                if keystrokes.try_get_value() != Some(ticket) {
                    return;
                }
                let repository = repository.get_value();
                let draft = ProjectDraft {
                    configuration: Some(if repository.is_some() {
                        ProjectConfiguration::Advanced
                    } else {
                        ProjectConfiguration::QuickStart
                    }),
                    repository,
                    name: name.get_untracked(),
                    description: description.get_untracked(),
                };
                spawn_local(async move {
                    if client::save_project_draft(&draft).await.is_ok() {
                        draft_status.try_set(Some(DRAFT_SAVED));
                    }
                });
            },
            DRAFT_SAVE_DEBOUNCE,
        );
    };

    let focus_name = move || {
        if let Some(input) = name_input.get_untracked() {
            let _ = input.focus();
        }
    };

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if pending.get_untracked() {
            return;
        }
        alert.set(None);
        let request = match build_request(
            &name.get_untracked(),
            &description.get_untracked(),
            repository.get_value(),
        ) {
            Ok(request) => request,
            Err(message) => {
                name_error.set(Some(message.to_owned()));
                focus_name();
                return;
            }
        };
        name_error.set(None);
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match client::create_project(request).await {
                // Replace the form in history so Back cannot submit it a second time.
                Ok(project) => navigate(
                    &links::project(project.id),
                    NavigateOptions {
                        replace: true,
                        ..NavigateOptions::default()
                    },
                ),
                Err(error) => {
                    pending.try_set(false);
                    match errors::for_field(error, &["name"]) {
                        Ok((_, message)) => {
                            name_error.try_set(Some(message));
                            focus_name();
                        }
                        Err(error) => {
                            alert.try_set(Some(error.message));
                        }
                    }
                }
            }
        });
    };

    view! {
        <AlertSlot message=Signal::derive(move || alert.get()) />
        <form class="form" novalidate on:submit=on_submit>
            <div class="field">
                <label for="project-name">"Project name"</label>
                <input
                    id="project-name"
                    name="name"
                    type="text"
                    required
                    maxlength=ProjectName::MAX_CHARS.to_string()
                    autocomplete="off"
                    node_ref=name_input
                    bind:value=name
                    on:input=move |_| schedule_save()
                    aria-invalid=move || aria_invalid(name_error.with(Option::is_some))
                    aria-describedby=move || {
                        described_by(&[name_error.with(Option::is_some).then_some(NAME_ERROR_ID)])
                    }
                />
                {move || {
                    name_error
                        .get()
                        .map(|message| {
                            view! {
                                <p class="field-error" id=NAME_ERROR_ID>
                                    {message}
                                </p>
                            }
                        })
                }}
            </div>
            <div class="field">
                <label for="project-description">"Description"</label>
                <p class="field-hint" id=DESCRIPTION_HINT_ID>
                    "Optional. What the pipelines of this project are for."
                </p>
                <textarea
                    id="project-description"
                    name="description"
                    rows="4"
                    aria-describedby=DESCRIPTION_HINT_ID
                    bind:value=description
                    on:input=move |_| schedule_save()
                ></textarea>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    "Create project"
                </button>
                <p class="draft-status" role="status">
                    {move || draft_status.get()}
                </p>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_name_a_repository() {
        assert_eq!(
            chosen_repository(Some("acme"), Some("etl")),
            Some(RepositoryRef {
                workspace: "acme".into(),
                slug: "etl".into()
            })
        );
        assert_eq!(chosen_repository(Some("acme"), None), None);
        assert_eq!(chosen_repository(Some(""), Some("etl")), None);
    }

    #[test]
    fn requests_follow_the_flow() {
        let quick = build_request("  Sales ETL ", " nightly ", None).unwrap();
        assert_eq!(quick.name, "Sales ETL");
        assert_eq!(quick.description, "nightly");
        assert_eq!(quick.configuration, ProjectConfiguration::QuickStart);
        assert!(quick.repository.is_none());

        let repository = chosen_repository(Some("acme"), Some("etl"));
        let advanced = build_request("Sales", "", repository.clone()).unwrap();
        assert_eq!(advanced.configuration, ProjectConfiguration::Advanced);
        assert_eq!(advanced.repository, repository);
    }

    #[test]
    fn invalid_names_get_the_contract_message() {
        assert_eq!(
            build_request("   ", "", None).unwrap_err(),
            "Enter a project name."
        );
        assert!(build_request("a\nb", "", None).is_err());
    }
}
