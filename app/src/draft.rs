//! The wizard's draft on the app's side: where to resume it, what to prefill, and small
//! updates as the user moves through the steps.
//!
//! The server keeps the draft (see `api::draft`); the app never holds it longer than a step.
//! Saving is best effort: a failed save must never block the wizard, so failures are only
//! logged to the console. What was typed is still on screen and the next save retries.

use api::wizard::StepId;
use api::{ProjectConfiguration, ProjectDraft, RepositoryRef};

use crate::client;
use crate::links;

/// The wizard step where a draft continues: its flow's details, with the repository it
/// chose (without one, the flow's repository choice, which starts at choosing a provider).
pub fn resume_link(draft: &ProjectDraft) -> String {
    match draft.configuration {
        Some(flow) => links::step(
            flow,
            StepId::Details,
            links::Choices::chosen(draft.repository.as_ref()),
        ),
        None => links::NEW_PROJECT.to_owned(),
    }
}

/// The name and description to put back into the details form, when the draft belongs to
/// this flow (same configuration, and the same repository when the draft has one).
pub fn prefill(
    draft: &ProjectDraft,
    repository: Option<&RepositoryRef>,
) -> Option<(String, String)> {
    let configuration = if repository.is_some() {
        ProjectConfiguration::Advanced
    } else {
        ProjectConfiguration::QuickStart
    };
    let same_flow = draft.configuration.is_none_or(|c| c == configuration);
    let same_repository = match (&draft.repository, repository) {
        (Some(saved), Some(current)) => saved == current,
        _ => true,
    };
    let typed = !draft.name.is_empty() || !draft.description.is_empty();
    (same_flow && same_repository && typed).then(|| (draft.name.clone(), draft.description.clone()))
}

/// Reads the draft, changes it and saves it. Best effort (see the module docs).
pub async fn update(change: impl FnOnce(&mut ProjectDraft)) {
    let mut draft = match client::project_draft().await {
        Ok(saved) => saved.map(|saved| saved.draft).unwrap_or_default(),
        Err(error) => return log_failure(&error.message),
    };
    change(&mut draft);
    if let Err(error) = client::save_project_draft(&draft).await {
        log_failure(&error.message);
    }
}

fn log_failure(message: &str) {
    leptos::logging::warn!("the wizard's draft was not saved: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(slug: &str) -> RepositoryRef {
        RepositoryRef {
            provider: api::GitProvider::BitbucketCloud,
            group: "acme".into(),
            slug: slug.into(),
        }
    }

    #[test]
    fn drafts_resume_at_the_furthest_step_they_reached() {
        let mut draft = ProjectDraft::default();
        assert_eq!(resume_link(&draft), links::NEW_PROJECT);
        draft.configuration = Some(ProjectConfiguration::Advanced);
        assert_eq!(resume_link(&draft), "/projects/new/advanced");
        draft.repository = Some(repo("etl"));
        assert_eq!(resume_link(&draft), links::details_step(Some(&repo("etl"))));
        draft.repository = Some(RepositoryRef {
            provider: api::GitProvider::BitbucketDataCenter,
            ..repo("warehouse")
        });
        assert_eq!(
            resume_link(&draft),
            "/projects/new/advanced/bitbucket-dc/details?workspace=acme&repository=warehouse"
        );
        draft.configuration = Some(ProjectConfiguration::QuickStart);
        assert_eq!(resume_link(&draft), "/projects/new/quick-start/details");
    }

    #[test]
    fn typed_text_returns_only_to_its_own_flow_and_repository() {
        let draft = ProjectDraft {
            configuration: Some(ProjectConfiguration::Advanced),
            repository: Some(repo("etl")),
            name: "Sales".into(),
            description: String::new(),
        };
        assert_eq!(
            prefill(&draft, Some(&repo("etl"))),
            Some(("Sales".into(), String::new()))
        );
        assert_eq!(prefill(&draft, Some(&repo("other"))), None);
        let elsewhere = RepositoryRef {
            provider: api::GitProvider::BitbucketDataCenter,
            ..repo("etl")
        };
        assert_eq!(
            prefill(&draft, Some(&elsewhere)),
            None,
            "same names, other provider"
        );
        assert_eq!(prefill(&draft, None), None, "not into a Quick start form");
        assert_eq!(prefill(&ProjectDraft::default(), None), None);
    }
}
