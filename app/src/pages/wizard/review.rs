//! Step "Review and create": everything chosen and typed, each with a way back to change it,
//! then "Create project".
//!
//! The name and description come from the server-side draft that "Continue" on the details
//! step saved; the repository comes from the URL. A review reached without a name (a stale
//! bookmark, a draft discarded in another tab) sends the user back to the details. The server
//! checks everything again on create (name, write access, `main`), so whatever changed since
//! (a name taken in another tab, access withdrawn on the provider) is shown here as a
//! sentence, and a broken provider connection offers Reconnect, which returns to this step.

use crate::tasks::PageTasks;
use api::wizard::StepId;
use api::{
    ConnectionStatus, CreateProject, ProjectConfiguration, ProjectDraft, ProjectName,
    RepositoryRef, PROJECT_BRANCH,
};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::chosen::{use_chosen_repository, ChangeLink, ForChosenRepository, RepositoryFact};
use super::configuration::choice_text;
use super::provider_route::ForRouteProvider;
use crate::client;
use crate::components::{
    connection_problem, AlertSlot, AuthorizePanel, ErrorMessage, Flow, Loading, TryAgain,
    WizardStep,
};
use crate::draft;
use crate::links;
use crate::providers::Provider;

/// The project the review would create: the draft's name and description for this flow and
/// repository, when the name is valid.
pub fn reviewed_request(
    draft: Option<&ProjectDraft>,
    repository: Option<&RepositoryRef>,
) -> Option<CreateProject> {
    let (name, description) = draft::prefill(draft?, repository)?;
    let name = ProjectName::parse(&name).ok()?;
    Some(CreateProject {
        name: name.into_inner(),
        description: description.trim().to_owned(),
        configuration: if repository.is_some() {
            ProjectConfiguration::Advanced
        } else {
            ProjectConfiguration::QuickStart
        },
        repository: repository.cloned(),
    })
}

#[component]
pub fn QuickStartReviewStep() -> impl IntoView {
    view! {
        <WizardStep flow=Flow::QuickStart step=StepId::Review heading="Review and create">
            <Review repository=None provider=None />
        </WizardStep>
    }
}

#[component]
pub fn AdvancedReviewStep() -> impl IntoView {
    view! {
        <ForRouteProvider content=|provider| {
            let id = provider.id;
            let chosen = use_chosen_repository(id);
            view! {
                <WizardStep flow=Flow::Advanced step=StepId::Review heading="Review and create" provider=id chosen>
                    <ForChosenRepository
                        provider=id
                        chosen
                        content=move |repository| {
                            view! { <Review repository=Some(repository) provider=Some(provider.clone()) /> }
                        }
                    />
                </WizardStep>
            }
        } />
    }
}

#[component]
fn Review(repository: Option<RepositoryRef>, provider: Option<Provider>) -> impl IntoView {
    let saved = LocalResource::new(draft::restore_project);
    let details = links::details_step(repository.as_ref());
    move || match saved.get() {
        None => view! { <Loading text="Loading your project…" /> }.into_any(),
        Some(Err(error)) => view! {
            <ErrorMessage message=error.message />
            <TryAgain on_retry=move |()| saved.refetch() />
        }
        .into_any(),
        Some(Ok(saved)) => {
            match reviewed_request(
                saved.as_ref().map(|saved| &saved.value),
                repository.as_ref(),
            ) {
                Some(request) => view! { <Summary request provider=provider.clone() /> }.into_any(),
                None => view! {
                    <p class="empty-state">"This project has no name yet."</p>
                    <p>
                        <A href=details.clone()>"Enter the project details"</A>
                    </p>
                }
                .into_any(),
            }
        }
    }
}

#[component]
fn Summary(request: CreateProject, provider: Option<Provider>) -> impl IntoView {
    let tasks = PageTasks::new();
    let navigate = use_navigate();
    let pending = RwSignal::new(false);
    let alert = RwSignal::new(None::<String>);
    let reconnect = RwSignal::new(None::<ConnectionStatus>);
    let repository = request.repository.clone();
    let review = links::review_step(repository.as_ref());
    let details = links::details_step(repository.as_ref());
    let (configuration, _) = choice_text(request.configuration);
    let description = if request.description.is_empty() {
        "None".to_owned()
    } else {
        request.description.clone()
    };
    let request = StoredValue::new(request);

    let on_create = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        alert.set(None);
        reconnect.set(None);
        let navigate = navigate.clone();
        tasks.spawn(async move {
            match client::create_project(request.get_value()).await {
                // The server discarded its draft; the browser's copy goes too. Replace the
                // review in history so Back cannot create the project twice.
                Ok(project) => {
                    draft::project().forget();
                    navigate(
                        &links::project(project.id),
                        NavigateOptions {
                            replace: true,
                            ..NavigateOptions::default()
                        },
                    );
                }
                Err(error) => {
                    pending.try_set(false);
                    reconnect.try_set(connection_problem(&error));
                    alert.try_set(Some(error.message));
                }
            }
        });
    };

    let provider_name = provider.as_ref().map(|p| p.name.clone());
    let repository_facts = repository.map(|repository| {
        let name = provider_name.unwrap_or_else(|| repository.provider.slug().to_owned());
        let branch = links::branch_step(&repository);
        view! {
            <div class="fact">
                <dt>"Git provider"</dt>
                <dd>
                    {name} " " <ChangeLink href=links::provider_choice() what="Git provider" />
                </dd>
            </div>
            <RepositoryFact repository />
            <div class="fact">
                <dt>"Branch"</dt>
                <dd>{PROJECT_BRANCH} " " <ChangeLink href=branch what="branch" /></dd>
            </div>
        }
    });

    view! {
        <dl class="facts review">
            <div class="fact">
                <dt>"Configuration"</dt>
                <dd>
                    {configuration} " " <ChangeLink href=links::NEW_PROJECT.to_owned() what="configuration" />
                </dd>
            </div>
            {repository_facts}
            <div class="fact">
                <dt>"Project name"</dt>
                <dd>
                    <span class="project-name">{request.with_value(|request| request.name.clone())}</span>
                    " "
                    <ChangeLink href=details.clone() what="name" />
                </dd>
            </div>
            <div class="fact">
                <dt>"Description"</dt>
                <dd>
                    <span class="project-description">{description}</span>
                    " "
                    <ChangeLink href=details what="description" />
                </dd>
            </div>
        </dl>
        <AlertSlot message=Signal::derive(move || alert.get()) />
        {move || {
            let provider = provider.clone()?;
            reconnect
                .get()
                .map(|status| view! { <AuthorizePanel provider status return_to=review.clone() /> })
        }}
        <div class="step-actions">
            <button
                type="button"
                class="button button-primary"
                disabled=move || pending.get()
                on:click=on_create
            >
                {move || if pending.get() { "Creating…" } else { "Create project" }}
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository() -> RepositoryRef {
        RepositoryRef {
            provider: api::GitProvider::BitbucketDataCenter,
            group: "acme".into(),
            slug: "etl".into(),
        }
    }

    fn draft(name: &str, repository: Option<RepositoryRef>) -> ProjectDraft {
        ProjectDraft {
            configuration: Some(if repository.is_some() {
                ProjectConfiguration::Advanced
            } else {
                ProjectConfiguration::QuickStart
            }),
            repository,
            name: name.into(),
            description: " nightly loads ".into(),
        }
    }

    #[test]
    fn the_review_creates_what_the_draft_holds_for_this_flow() {
        let quick = reviewed_request(Some(&draft(" Sales ", None)), None).unwrap();
        assert_eq!(quick.name, "Sales");
        assert_eq!(quick.description, "nightly loads");
        assert_eq!(quick.configuration, ProjectConfiguration::QuickStart);

        let advanced = draft("Sales", Some(repository()));
        let request = reviewed_request(Some(&advanced), Some(&repository())).unwrap();
        assert_eq!(request.configuration, ProjectConfiguration::Advanced);
        assert_eq!(request.repository, Some(repository()));
    }

    #[test]
    fn no_valid_name_means_back_to_the_details() {
        assert!(reviewed_request(None, None).is_none());
        assert!(reviewed_request(Some(&draft("   ", None)), None).is_none());
        let other = RepositoryRef {
            slug: "other".into(),
            ..repository()
        };
        assert!(
            reviewed_request(Some(&draft("Sales", Some(other))), Some(&repository())).is_none(),
            "a draft for another repository is not this review's"
        );
    }
}
