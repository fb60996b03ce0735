//! Drafts on the app's side: how every draft is kept ([`kept`], in the browser at once and on
//! the server when it can be), and the wizard's own: where to resume it, what to prefill,
//! and small updates as the user moves through the steps.
//!
//! Keeping is best effort towards the server: a failed send must never block the wizard, so
//! failures are only logged; the browser's copy remains and is sent again.

pub mod browser;
pub mod kept;
pub mod on_demand;

use api::wizard::StepId;
use api::{ProjectConfiguration, ProjectDraft, RepositoryRef};

use crate::links;
use kept::{Kept, Restored};

/// The wizard's draft (`api::paths::PROJECT_DRAFT`).
pub fn project() -> Kept<ProjectDraft> {
    Kept::new(api::paths::PROJECT_DRAFT)
}

/// The wizard's draft as the user left it (browser or server, see [`kept`]).
pub async fn restore_project() -> Result<Option<Restored<ProjectDraft>>, api::ApiError> {
    project().restore().await
}

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

/// Reads the draft, changes it and keeps it. Best effort (see the module docs).
pub async fn update(change: impl FnOnce(&mut ProjectDraft)) {
    let kept = project();
    let mut draft = match kept.restore().await {
        Ok(restored) => restored.map(|restored| restored.value).unwrap_or_default(),
        Err(error) => {
            leptos::logging::warn!("the wizard's draft could not be read: {}", error.message);
            return;
        }
    };
    change(&mut draft);
    kept.keep(&draft);
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
