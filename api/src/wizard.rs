//! The project wizard's steps, declared once.
//!
//! Each flow ([`ProjectConfiguration`]) is an ordered list of [`Step`]s. Everything that
//! depends on the order reads it from here: the app's route table (each step's path segment),
//! the step indicator (label and position), Back and Continue ([`previous`], [`next`]), the
//! links between steps, and the server's first step of a provider ([`provider_first_step`]),
//! where an OAuth round trip resumes when it was asked for no other place. Inserting a step
//! is one entry in a list below (and the page that shows it).
//!
//! A step's path is `/projects/new`, then the flow's slug, then, for every step after
//! [`StepId::Provider`], the provider's slug, then the step's own segment (none for the
//! first step of a level). The choices made so far travel in the query, which the app adds
//! ([`Step::takes_repository`] says whether a step carries the chosen repository).

use crate::{GitProvider, ProjectConfiguration};

/// Every step a flow can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepId {
    /// "Select project configuration": Quick start or Advanced settings.
    Configuration,
    /// "Select Git provider".
    Provider,
    /// "Connect Bitbucket": is the user authorized; Authorize.
    Connect,
    /// "Choose a repository".
    Repository,
    /// "Check the branch": `main` must exist.
    Branch,
    /// "Project details": name and description.
    Details,
    /// "Review and create".
    Review,
}

/// One step of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub id: StepId,
    /// Its name in the step indicator: a short noun, distinct from the step's heading, so it
    /// never competes with a heading or a button for the same accessible name.
    pub label: &'static str,
    /// Its path segment below its level; empty for the first step of a level.
    pub segment: &'static str,
}

const CONFIGURATION: Step = Step {
    id: StepId::Configuration,
    label: "Configuration",
    segment: "",
};
const PROVIDER: Step = Step {
    id: StepId::Provider,
    label: "Git provider",
    segment: "",
};
const CONNECT: Step = Step {
    id: StepId::Connect,
    label: "Connect",
    segment: "",
};
const REPOSITORY: Step = Step {
    id: StepId::Repository,
    label: "Repository",
    segment: "repository",
};
const BRANCH: Step = Step {
    id: StepId::Branch,
    label: "Branch",
    segment: "branch",
};
const DETAILS: Step = Step {
    id: StepId::Details,
    label: "Details",
    segment: "details",
};
const REVIEW: Step = Step {
    id: StepId::Review,
    label: "Review",
    segment: "review",
};

/// The studio keeps the pipelines: no provider, no repository.
const QUICK_START: [Step; 3] = [CONFIGURATION, DETAILS, REVIEW];
/// The pipelines live in the user's repository.
const ADVANCED: [Step; 7] = [
    CONFIGURATION,
    PROVIDER,
    CONNECT,
    REPOSITORY,
    BRANCH,
    DETAILS,
    REVIEW,
];

/// Where every flow starts.
pub const NEW_PROJECT: &str = "/projects/new";

/// The ordered steps of a flow.
pub fn steps(flow: ProjectConfiguration) -> &'static [Step] {
    match flow {
        ProjectConfiguration::QuickStart => &QUICK_START,
        ProjectConfiguration::Advanced => &ADVANCED,
    }
}

/// Where `step` stands in `flow` (zero-based), if the flow has it.
pub fn position(flow: ProjectConfiguration, step: StepId) -> Option<usize> {
    steps(flow).iter().position(|s| s.id == step)
}

/// The step before `step`, if any.
pub fn previous(flow: ProjectConfiguration, step: StepId) -> Option<StepId> {
    let at = position(flow, step)?;
    at.checked_sub(1).map(|before| steps(flow)[before].id)
}

/// The step after `step`, if any.
pub fn next(flow: ProjectConfiguration, step: StepId) -> Option<StepId> {
    let at = position(flow, step)?;
    steps(flow).get(at + 1).map(|after| after.id)
}

impl Step {
    /// The step `id` of `flow`.
    pub fn of(flow: ProjectConfiguration, id: StepId) -> Option<Step> {
        steps(flow).iter().copied().find(|step| step.id == id)
    }

    /// Whether `step` of `flow` comes after `earlier` (and the flow has both).
    fn comes_after(flow: ProjectConfiguration, step: StepId, earlier: StepId) -> bool {
        matches!(
            (position(flow, step), position(flow, earlier)),
            (Some(step), Some(earlier)) if step > earlier
        )
    }

    /// Whether the step's path names a provider: every step after the provider is chosen.
    pub fn takes_provider(flow: ProjectConfiguration, step: StepId) -> bool {
        Self::comes_after(flow, step, StepId::Provider)
    }

    /// Whether the step carries the chosen repository: every step after it is chosen.
    pub fn takes_repository(flow: ProjectConfiguration, step: StepId) -> bool {
        Self::comes_after(flow, step, StepId::Repository)
    }
}

/// The path of `step` in `flow`, without the query. A step that names a provider but is
/// given none is the flow's provider choice instead; a step the flow does not have is the
/// wizard's start.
pub fn path(flow: ProjectConfiguration, step: StepId, provider: Option<GitProvider>) -> String {
    let Some(found) = Step::of(flow, step) else {
        return NEW_PROJECT.to_owned();
    };
    if step == StepId::Configuration {
        return NEW_PROJECT.to_owned();
    }
    let mut path = format!("{NEW_PROJECT}/{}", flow.slug());
    if Step::takes_provider(flow, step) {
        match provider {
            Some(provider) => {
                path.push('/');
                path.push_str(provider.slug());
            }
            None => return self::path(flow, StepId::Provider, None),
        }
    }
    if !found.segment.is_empty() {
        path.push('/');
        path.push_str(found.segment);
    }
    path
}

/// A provider's first step: where its flow begins once the provider is chosen, and where
/// the server resumes the wizard after an OAuth round trip that named no usable place.
pub fn provider_first_step(provider: GitProvider) -> String {
    let flow = ProjectConfiguration::Advanced;
    let first = next(flow, StepId::Provider).expect("the advanced flow goes on after the provider");
    path(flow, first, Some(provider))
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUICK: ProjectConfiguration = ProjectConfiguration::QuickStart;
    const ADV: ProjectConfiguration = ProjectConfiguration::Advanced;
    const CLOUD: Option<GitProvider> = Some(GitProvider::BitbucketCloud);

    #[test]
    fn every_step_has_the_path_the_app_has_always_used() {
        let advanced = |step| path(ADV, step, CLOUD);
        assert_eq!(path(QUICK, StepId::Configuration, None), "/projects/new");
        assert_eq!(
            path(QUICK, StepId::Details, None),
            "/projects/new/quick-start/details"
        );
        assert_eq!(
            path(QUICK, StepId::Review, None),
            "/projects/new/quick-start/review"
        );
        assert_eq!(advanced(StepId::Configuration), "/projects/new");
        assert_eq!(advanced(StepId::Provider), "/projects/new/advanced");
        assert_eq!(
            advanced(StepId::Connect),
            "/projects/new/advanced/bitbucket"
        );
        assert_eq!(
            advanced(StepId::Repository),
            "/projects/new/advanced/bitbucket/repository"
        );
        assert_eq!(
            advanced(StepId::Branch),
            "/projects/new/advanced/bitbucket/branch"
        );
        assert_eq!(
            path(ADV, StepId::Review, Some(GitProvider::BitbucketDataCenter)),
            "/projects/new/advanced/bitbucket-dc/review"
        );
    }

    #[test]
    fn a_step_without_its_provider_is_the_provider_choice() {
        assert_eq!(
            path(ADV, StepId::Repository, None),
            "/projects/new/advanced"
        );
        assert_eq!(path(QUICK, StepId::Branch, None), "/projects/new");
    }

    #[test]
    fn back_and_next_follow_the_list() {
        assert_eq!(previous(ADV, StepId::Connect), Some(StepId::Provider));
        assert_eq!(next(ADV, StepId::Connect), Some(StepId::Repository));
        assert_eq!(
            previous(QUICK, StepId::Details),
            Some(StepId::Configuration)
        );
        assert_eq!(next(QUICK, StepId::Review), None);
        assert_eq!(previous(ADV, StepId::Configuration), None);
        assert_eq!(next(QUICK, StepId::Branch), None);
    }

    #[test]
    fn what_a_step_carries_follows_from_its_place() {
        assert!(!Step::takes_provider(ADV, StepId::Provider));
        assert!(Step::takes_provider(ADV, StepId::Connect));
        assert!(!Step::takes_repository(ADV, StepId::Repository));
        assert!(Step::takes_repository(ADV, StepId::Branch));
        assert!(Step::takes_repository(ADV, StepId::Review));
        assert!(!Step::takes_repository(QUICK, StepId::Review));
    }

    #[test]
    fn the_first_step_of_a_provider_is_its_connect_step() {
        assert_eq!(
            provider_first_step(GitProvider::BitbucketCloud),
            "/projects/new/advanced/bitbucket"
        );
    }

    #[test]
    fn both_flows_end_with_the_same_step_and_labels_are_distinct() {
        for flow in [QUICK, ADV] {
            let labels: std::collections::HashSet<_> =
                steps(flow).iter().map(|s| s.label).collect();
            assert_eq!(labels.len(), steps(flow).len());
            assert_eq!(steps(flow)[0].id, StepId::Configuration);
        }
        assert_eq!(steps(QUICK).last(), steps(ADV).last());
    }
}
