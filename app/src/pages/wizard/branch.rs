//! Step "Check the branch": the studio keeps a project's pipelines on a branch named `main`.
//!
//! The step asks the server whether the chosen repository has it. If it does, Continue. If
//! not, it offers to create it from the default branch, or, in an empty repository, to make
//! the first commit (a README) on `main`. Creating happens with the user's own authority on
//! the provider, only when the user asks.

use crate::tasks::{spawn_detached, PageTasks};
use api::wizard::StepId;
use api::{ApiError, ErrorCode, MainBranch, ProjectConfiguration, RepositoryRef, PROJECT_BRANCH};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::chosen::{use_chosen_repository, ForChosenRepository};
use super::provider_route::ForRouteProvider;
use crate::client;
use crate::components::{AlertSlot, ErrorMessage, Flow, Loading, TryAgain, WizardStep};
use crate::draft;
use crate::links;

/// What the step says about the branch, in one sentence.
pub fn describe(branch: &MainBranch, full_name: &str) -> String {
    match branch {
        MainBranch::Ready { tip } => format!(
            "{full_name} has a {PROJECT_BRANCH} branch (latest commit {}). The project's pipelines will be kept there.",
            short_hash(tip)
        ),
        MainBranch::Missing { default_branch } => format!(
            "{full_name} has no branch named {PROJECT_BRANCH}, where the studio keeps pipelines. The studio can create it from {default_branch}, the repository's default branch."
        ),
        MainBranch::EmptyRepository => format!(
            "{full_name} is empty. The studio can make its first commit, a README.md, on a new {PROJECT_BRANCH} branch."
        ),
    }
}

fn short_hash(hash: &str) -> &str {
    hash.get(..7).unwrap_or(hash)
}

/// The label of the button that creates the branch.
pub fn create_label(branch: &MainBranch) -> Option<String> {
    match branch {
        MainBranch::Ready { .. } => None,
        MainBranch::Missing { default_branch } => {
            Some(format!("Create {PROJECT_BRANCH} from {default_branch}"))
        }
        MainBranch::EmptyRepository => Some("Create the first commit".to_owned()),
    }
}

#[component]
pub fn BranchStep() -> impl IntoView {
    view! {
        <ForRouteProvider content=|provider| {
            let provider = provider.id;
            let chosen = use_chosen_repository(provider);
            view! {
                <WizardStep flow=Flow::Advanced step=StepId::Branch heading="Check the branch" provider chosen>
                    <ForChosenRepository provider chosen content=|repository| view! { <BranchCheck repository /> } />
                </WizardStep>
            }
        } />
    }
}

#[component]
fn BranchCheck(repository: RepositoryRef) -> impl IntoView {
    let tasks = PageTasks::new();
    let full_name = format!("{}/{}", repository.group, repository.slug);
    let repository = StoredValue::new(repository);
    let state = LocalResource::new(move || {
        let repository = repository.get_value();
        async move { client::main_branch(&repository).await }
    });
    // A branch created here replaces what the check found.
    let created = RwSignal::new(None::<MainBranch>);
    let creating = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let create = move |_| {
        if creating.get_untracked() {
            return;
        }
        creating.set(true);
        error.set(None);
        let repository = repository.get_value();
        tasks.spawn(async move {
            let result = client::create_main_branch(&repository).await;
            creating.try_set(false);
            match result {
                Ok(branch) => {
                    created.try_set(Some(branch));
                }
                Err(failure) => {
                    error.try_set(Some(failure.message));
                }
            }
        });
    };
    let navigate = use_navigate();
    let details =
        repository.with_value(|chosen| links::next(Flow::Advanced, StepId::Branch, chosen.into()));
    let on_continue = move |_| {
        let chosen = repository.get_value();
        spawn_detached(draft::update(move |draft| {
            draft.configuration = Some(ProjectConfiguration::Advanced);
            draft.repository = Some(chosen);
        }));
        navigate(&details, NavigateOptions::default())
    };

    view! {
        {move || {
            let current: Option<Result<MainBranch, ApiError>> = created
                .get()
                .map(Ok)
                .or_else(|| state.get());
            match current {
                None => view! { <Loading text="Checking the repository's branches…" /> }.into_any(),
                Some(Err(failure)) => {
                    let retry = failure.code != ErrorCode::NotFound;
                    view! {
                        <ErrorMessage message=failure.message />
                        {retry.then(|| view! {
                            <TryAgain on_retry=move |()| state.refetch() />
                        })}
                    }
                    .into_any()
                }
                Some(Ok(branch)) => {
                    let sentence = describe(&branch, &full_name);
                    let label = create_label(&branch);
                    let ready = label.is_none();
                    let on_continue = on_continue.clone();
                    view! {
                        // A repository without `main`, empty or not, is a normal case the
                        // studio handles in one click: shown as the next thing to do, not as
                        // a warning.
                        <p class=if ready { "panel panel-connected" } else { "panel panel-next" }>
                            {sentence}
                        </p>
                        {label.map(|label| view! {
                            <p>
                                <button
                                    type="button"
                                    class="button button-primary"
                                    on:click=create
                                    disabled=move || creating.get()
                                >
                                    {move || if creating.get() { "Creating…".to_owned() } else { label.clone() }}
                                </button>
                            </p>
                        })}
                        {ready.then(|| view! {
                            <p>
                                <button type="button" class="button button-primary" on:click=on_continue>
                                    "Continue"
                                </button>
                            </p>
                        })}
                    }
                    .into_any()
                }
            }
        }}
        <AlertSlot message=Signal::derive(move || error.get()) />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_is_explained_and_offers_the_right_action() {
        let ready = MainBranch::Ready {
            tip: "0123456789abcdef0123456789abcdef01234567".into(),
        };
        assert!(describe(&ready, "acme/etl").contains("latest commit 0123456"));
        assert_eq!(create_label(&ready), None);
        let missing = MainBranch::Missing {
            default_branch: "master".into(),
        };
        assert!(describe(&missing, "acme/etl").contains("from master"));
        assert_eq!(
            create_label(&missing).as_deref(),
            Some("Create main from master")
        );
        assert!(describe(&MainBranch::EmptyRepository, "acme/etl").contains("README.md"));
        assert_eq!(
            create_label(&MainBranch::EmptyRepository).as_deref(),
            Some("Create the first commit")
        );
    }
}
