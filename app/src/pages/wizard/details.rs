//! Step "Project details": name and description, then "Continue" to "Review and create".
//!
//! The Quick start and the providers' flows share the form; a provider's flow reads the
//! chosen repository from its URL (see [`super::chosen`]) and offers to change it. The name is
//! checked here, before the review, with the contract's own rules (`ProjectName::parse`, and
//! `uniqueness_key` against the user's projects), so a bad or taken name is reported next to
//! the input instead of one step later. What is typed is kept as a draft at every keystroke
//! (`draft::kept`: this browser at once, the server after a pause) and restored on the next
//! visit; "Continue" sends it at once, because the review step reads it.

use crate::tasks::PageTasks;
use api::wizard::StepId;
use api::{Project, ProjectConfiguration, ProjectDraft, ProjectName, RepositoryRef};
use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::chosen::{use_chosen_repository, ForChosenRepository, RepositoryFact};
use super::provider_route::ForRouteProvider;
use crate::client;
use crate::components::field::{aria_invalid, described_by};
use crate::components::{AlertSlot, Flow, WizardStep};
use crate::draft;
use crate::links;

pub const DRAFT_SAVED: &str = "Draft saved.";
pub const DRAFT_RESTORED: &str = "Restored what you typed earlier.";

const NAME_ERROR_ID: &str = "project-name-error";
const DESCRIPTION_HINT_ID: &str = "project-description-hint";

/// The name to carry to the review, or the sentence to show next to the name input.
pub fn check_name(raw: &str, existing: &[Project]) -> Result<ProjectName, &'static str> {
    let name = ProjectName::parse(raw)?;
    let key = name.uniqueness_key();
    let taken = existing.iter().any(|project| {
        ProjectName::parse(&project.name).is_ok_and(|other| other.uniqueness_key() == key)
    });
    if taken {
        Err(ProjectName::TAKEN)
    } else {
        Ok(name)
    }
}

/// The draft as this form holds it.
fn form_draft(
    repository: Option<RepositoryRef>,
    name: String,
    description: String,
) -> ProjectDraft {
    ProjectDraft {
        configuration: Some(if repository.is_some() {
            ProjectConfiguration::Advanced
        } else {
            ProjectConfiguration::QuickStart
        }),
        repository,
        name,
        description,
    }
}

#[component]
pub fn QuickStartDetailsStep() -> impl IntoView {
    view! {
        <WizardStep flow=Flow::QuickStart step=StepId::Details heading="Project details">
            <p class="step-intro">"Quick start: the studio keeps this project's pipelines."</p>
            <ProjectForm repository=None />
        </WizardStep>
    }
}

#[component]
pub fn AdvancedDetailsStep() -> impl IntoView {
    view! {
        <ForRouteProvider content=|provider| {
            let provider = provider.id;
            let chosen = use_chosen_repository(provider);
            view! {
                <WizardStep flow=Flow::Advanced step=StepId::Details heading="Project details" provider chosen>
                    <ForChosenRepository
                        provider
                        chosen
                        content=|repository| {
                            view! {
                                <dl class="facts">
                                    <RepositoryFact repository=repository.clone() />
                                </dl>
                                <ProjectForm repository=Some(repository) />
                            }
                        }
                    />
                </WizardStep>
            }
        } />
    }
}

/// Why "Continue" stayed on the details step.
enum Next {
    /// Shown next to the name input.
    FixName(&'static str),
    /// Shown in the step's alert.
    Alert(String),
}

/// Checks the name against the user's projects, saves the draft the review reads, and
/// answers where to go.
async fn continue_to_review(draft: ProjectDraft) -> Result<String, Next> {
    let existing = client::projects()
        .await
        .map_err(|error| Next::Alert(error.message))?;
    check_name(&draft.name, &existing).map_err(Next::FixName)?;
    draft::project()
        .save_now(&draft)
        .await
        .map_err(|error| Next::Alert(error.message))?;
    let repository = draft.repository.as_ref();
    let flow = links::flow_of(repository);
    Ok(links::next(
        flow,
        StepId::Details,
        links::Choices::chosen(repository),
    ))
}

#[component]
fn ProjectForm(repository: Option<RepositoryRef>) -> impl IntoView {
    let tasks = PageTasks::new();
    let navigate = use_navigate();
    let repository = StoredValue::new(repository);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let alert = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let name_input = NodeRef::<Input>::new();
    let draft_status = RwSignal::new(None::<&'static str>);

    // What was typed before (a reload, a closed tab, another browser, before signing out)
    // comes back, unless the user has started typing already: this browser's unsent copy at
    // once, else the server's when it answers.
    let restore = move |saved: &ProjectDraft| {
        let untouched =
            name.with_untracked(String::is_empty) && description.with_untracked(String::is_empty);
        if let (true, Some((saved_name, saved_description))) = (
            untouched,
            draft::prefill(saved, repository.get_value().as_ref()),
        ) {
            name.set(saved_name);
            description.set(saved_description);
            draft_status.set(Some(DRAFT_RESTORED));
        }
    };
    match draft::project().unsent() {
        Some(unsent) => restore(&unsent.value),
        None => tasks.spawn(async move {
            if let Ok(Some(saved)) = draft::restore_project().await {
                restore(&saved.value);
            }
        }),
    }

    // Every keystroke keeps the draft: in this browser at once, on the server after a pause
    // (see `draft::kept`), so nothing typed is lost whatever happens next.
    let keep = move || {
        let draft = form_draft(
            repository.get_value(),
            name.get_untracked(),
            description.get_untracked(),
        );
        draft::project().keep(&draft);
        draft_status.set(Some(DRAFT_SAVED));
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
        let typed = name.get_untracked();
        if let Err(message) = ProjectName::parse(&typed) {
            name_error.set(Some(message.to_owned()));
            focus_name();
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        tasks.spawn(async move {
            let outcome = continue_to_review(form_draft(
                repository.get_value(),
                typed,
                description.get_untracked(),
            ))
            .await;
            pending.try_set(false);
            match outcome {
                Ok(review) => navigate(&review, NavigateOptions::default()),
                Err(Next::FixName(message)) => {
                    name_error.try_set(Some(message.to_owned()));
                    focus_name();
                }
                Err(Next::Alert(message)) => {
                    alert.try_set(Some(message));
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
                    on:input=move |_| keep()
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
                    on:input=move |_| keep()
                ></textarea>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    "Continue"
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
    use crate::pages::wizard::chosen::chosen_repository;

    fn project(name: &str) -> Project {
        Project {
            id: 1,
            name: name.into(),
            description: String::new(),
            configuration: ProjectConfiguration::QuickStart,
            repository: None,
            pipeline_folder: String::new(),
            created_at: 0,
        }
    }

    #[test]
    fn names_are_checked_against_the_contract_and_existing_projects() {
        assert_eq!(check_name("   ", &[]).unwrap_err(), "Enter a project name.");
        assert!(check_name("a\nb", &[]).is_err());
        assert_eq!(check_name("  Sales ", &[]).unwrap().as_str(), "Sales");
        assert_eq!(
            check_name("sales", &[project("Sales")]).unwrap_err(),
            ProjectName::TAKEN
        );
        assert!(check_name("Sales 2", &[project("Sales")]).is_ok());
    }

    #[test]
    fn the_form_draft_names_its_flow() {
        let quick = form_draft(None, "Sales".into(), String::new());
        assert_eq!(quick.configuration, Some(ProjectConfiguration::QuickStart));
        let repository = chosen_repository(
            api::GitProvider::BitbucketDataCenter,
            Some("DATA"),
            Some("etl"),
        );
        let advanced = form_draft(repository.clone(), "Sales".into(), String::new());
        assert_eq!(advanced.configuration, Some(ProjectConfiguration::Advanced));
        assert_eq!(advanced.repository, repository);
    }
}
