//! Every in-app URL the wizard builds, in one place.
//!
//! The wizard keeps its choices in the URL (so back/forward and reload work), which makes
//! URL building the glue between steps. Keeping it in plain functions means the route table,
//! the links and the tests agree, and every value that goes into a query string is encoded
//! with the contract's own encoder.

use api::paths::encode_query_value;
use api::wizard::{self, Step, StepId};
use api::{GitProvider, ProjectConfiguration as Flow, RepositoryRef};

pub const SIGN_IN: &str = "/sign-in";
pub const SIGN_UP: &str = "/sign-up";
/// Where a sign-up mail's link leads (`#token=…`).
pub const SIGN_UP_CONFIRM: &str = api::paths::SIGN_UP_CONFIRM_PAGE;
pub const PROJECTS: &str = "/projects";
/// Wizard step "Select project configuration", where every flow starts.
pub const NEW_PROJECT: &str = api::wizard::NEW_PROJECT;

/// Settings → Connections: each provider's connection, its audit trail, Disconnect.
pub const CONNECTIONS: &str = "/settings/connections";

/// Query parameter names the wizard uses.
pub mod query {
    pub const RETURN_TO: &str = "return_to";
    pub const WORKSPACE: &str = "workspace";
    pub const REPOSITORY: &str = "repository";
    /// A pipeline's path in its repository.
    pub const PATH: &str = "path";
    /// The branch a project page, pipeline or editor is on (absent: the project's own).
    pub const BRANCH: &str = "branch";
    /// The provider shown on the Connections page.
    pub const PROVIDER: &str = "provider";
}

/// What a link to a wizard step carries: the provider (in the path), and the group and
/// repository chosen so far (in the query).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Choices<'a> {
    pub provider: Option<GitProvider>,
    pub group: Option<&'a str>,
    pub repository: Option<&'a str>,
}

impl<'a> Choices<'a> {
    /// Only the provider.
    pub fn provider(provider: GitProvider) -> Self {
        Self {
            provider: Some(provider),
            ..Self::default()
        }
    }

    /// A chosen repository, if any.
    pub fn chosen(repository: Option<&'a RepositoryRef>) -> Self {
        repository.map(Self::from).unwrap_or_default()
    }
}

impl<'a> From<&'a RepositoryRef> for Choices<'a> {
    fn from(repository: &'a RepositoryRef) -> Self {
        Self {
            provider: Some(repository.provider),
            group: Some(&repository.group),
            repository: Some(&repository.slug),
        }
    }
}

/// The flow a chosen repository belongs to: Advanced with one, Quick start without.
pub fn flow_of(repository: Option<&RepositoryRef>) -> Flow {
    match repository {
        Some(_) => Flow::Advanced,
        None => Flow::QuickStart,
    }
}

/// Wizard step `id` of `flow` ([`api::wizard`] holds the order and the paths). A step that
/// needs a chosen repository but is given none is the repository choice instead; the
/// repository choice itself keeps a group and a preselected repository.
pub fn step(flow: Flow, id: StepId, choices: Choices) -> String {
    let takes_repository = Step::takes_repository(flow, id);
    if takes_repository && (choices.group.is_none() || choices.repository.is_none()) {
        return step(flow, StepId::Repository, choices);
    }
    let path = wizard::path(flow, id, choices.provider);
    if takes_repository || id == StepId::Repository {
        with_query(
            &path,
            &[
                (query::WORKSPACE, choices.group),
                (query::REPOSITORY, choices.repository),
            ],
        )
    } else {
        path
    }
}

/// Where Back leads from step `id`: the step before it, with the same choices.
pub fn back(flow: Flow, id: StepId, choices: Choices) -> String {
    match wizard::previous(flow, id) {
        Some(previous) => step(flow, previous, choices),
        None => PROJECTS.to_owned(),
    }
}

/// Where Continue leads from step `id`: the step after it, with the choices made so far.
pub fn next(flow: Flow, id: StepId, choices: Choices) -> String {
    match wizard::next(flow, id) {
        Some(next) => step(flow, next, choices),
        None => PROJECTS.to_owned(),
    }
}

/// The step that follows "Select project configuration" for a choice.
pub fn after_configuration(flow: Flow) -> String {
    next(flow, StepId::Configuration, Choices::default())
}

/// "Select Git provider".
pub fn provider_choice() -> String {
    step(Flow::Advanced, StepId::Provider, Choices::default())
}

/// The first step of a Git provider ("Connect Bitbucket").
pub fn provider_step(provider: GitProvider) -> String {
    wizard::provider_first_step(provider)
}

/// "Choose a repository", optionally keeping a group and a preselected repository; also
/// where the OAuth round trip returns to.
pub fn repository_step(
    provider: GitProvider,
    group: Option<&str>,
    repository: Option<&str>,
) -> String {
    let choices = Choices {
        provider: Some(provider),
        group,
        repository,
    };
    step(Flow::Advanced, StepId::Repository, choices)
}

/// "Check the branch" for a chosen repository.
pub fn branch_step(repository: &RepositoryRef) -> String {
    step(Flow::Advanced, StepId::Branch, repository.into())
}

/// "Project details" of either flow: the provider's when a repository is chosen.
pub fn details_step(repository: Option<&RepositoryRef>) -> String {
    step(
        flow_of(repository),
        StepId::Details,
        Choices::chosen(repository),
    )
}

/// "Review and create" of either flow.
pub fn review_step(repository: Option<&RepositoryRef>) -> String {
    step(
        flow_of(repository),
        StepId::Review,
        Choices::chosen(repository),
    )
}

/// The Connections page showing `provider`: Bitbucket Cloud (the default) at the bare
/// address, any other with `?provider=`.
pub fn connections(provider: GitProvider) -> String {
    if provider == GitProvider::default() {
        CONNECTIONS.to_owned()
    } else {
        with_query(CONNECTIONS, &[(query::PROVIDER, Some(provider.slug()))])
    }
}

/// The `:id` of a project route ([`project`]), if it is a number at all.
pub fn parse_project_id(raw: Option<&str>) -> Option<i64> {
    raw?.parse().ok()
}

/// The page of one project.
pub fn project(id: i64) -> String {
    format!("{PROJECTS}/{id}")
}

/// The page of one project on `branch` (`None`: the branch the user last chose there).
pub fn project_on(id: i64, branch: Option<&str>) -> String {
    with_query(&project(id), &[(query::BRANCH, branch)])
}

/// A project's pipeline, shown read-only; `branch`: `None` for the project's own.
pub fn pipeline_view(project_id: i64, path: &str, branch: Option<&str>) -> String {
    with_query(
        &format!("{}/pipelines/view", project(project_id)),
        &[(query::PATH, Some(path)), (query::BRANCH, branch)],
    )
}

/// A project's pipeline in the editor.
pub fn pipeline_edit(project_id: i64, path: &str, branch: Option<&str>) -> String {
    with_query(
        &format!("{}/pipelines/edit", project(project_id)),
        &[(query::PATH, Some(path)), (query::BRANCH, branch)],
    )
}

/// The editor for a new pipeline.
pub fn pipeline_new(project_id: i64, branch: Option<&str>) -> String {
    with_query(
        &format!("{}/pipelines/new", project(project_id)),
        &[(query::BRANCH, branch)],
    )
}

/// A sign-in or sign-up page that sends the user back to `return_to` afterwards.
pub fn auth_page(page: &str, return_to: Option<&str>) -> String {
    with_query(page, &[(query::RETURN_TO, return_to)])
}

/// The server route that starts the provider's OAuth flow (a full-page navigation).
pub fn authorize(provider: GitProvider, return_to: &str) -> String {
    with_query(
        &api::paths::oauth_start(provider),
        &[(query::RETURN_TO, Some(return_to))],
    )
}

/// Appends the present (`Some`, non-empty) parameters to `path`, encoded.
pub fn with_query(path: &str, params: &[(&str, Option<&str>)]) -> String {
    let mut url = path.to_owned();
    let mut separator = if path.contains('?') { '&' } else { '?' };
    for (key, value) in params {
        if let Some(value) = value.filter(|value| !value.is_empty()) {
            url.push(separator);
            url.push_str(&encode_query_value(key));
            url.push('=');
            url.push_str(&encode_query_value(value));
            separator = '&';
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOUD: GitProvider = GitProvider::BitbucketCloud;
    const DC: GitProvider = GitProvider::BitbucketDataCenter;

    fn repository(provider: GitProvider, workspace: &str, slug: &str) -> RepositoryRef {
        RepositoryRef {
            provider,
            group: workspace.into(),
            slug: slug.into(),
        }
    }

    #[test]
    fn only_numeric_ids_are_fetched() {
        assert_eq!(parse_project_id(Some("42")), Some(42));
        assert_eq!(parse_project_id(Some("new")), None);
        assert_eq!(parse_project_id(Some("")), None);
        assert_eq!(parse_project_id(None), None);
    }

    #[test]
    fn configuration_choices_lead_to_the_routed_steps() {
        assert_eq!(
            after_configuration(Flow::QuickStart),
            "/projects/new/quick-start/details"
        );
        assert_eq!(
            after_configuration(Flow::Advanced),
            "/projects/new/advanced"
        );
        assert_eq!(provider_choice(), "/projects/new/advanced");
        assert_eq!(provider_step(CLOUD), "/projects/new/advanced/bitbucket");
        assert_eq!(provider_step(DC), "/projects/new/advanced/bitbucket-dc");
    }

    #[test]
    fn wizard_choices_are_encoded_into_the_query() {
        assert_eq!(
            details_step(Some(&repository(CLOUD, "acme corp", "data&pipes"))),
            "/projects/new/advanced/bitbucket/details?workspace=acme%20corp&repository=data%26pipes"
        );
        assert_eq!(
            repository_step(CLOUD, None, None),
            "/projects/new/advanced/bitbucket/repository"
        );
        assert_eq!(
            branch_step(&repository(CLOUD, "acme", "etl")),
            "/projects/new/advanced/bitbucket/branch?workspace=acme&repository=etl"
        );
        assert_eq!(
            repository_step(CLOUD, Some("acme"), None),
            "/projects/new/advanced/bitbucket/repository?workspace=acme"
        );
        assert_eq!(
            repository_step(CLOUD, Some(""), Some("etl")),
            "/projects/new/advanced/bitbucket/repository?repository=etl"
        );
    }

    #[test]
    fn data_center_steps_carry_its_slug() {
        let warehouse = repository(DC, "DATA", "warehouse");
        assert_eq!(
            repository_step(DC, Some("DATA"), None),
            "/projects/new/advanced/bitbucket-dc/repository?workspace=DATA"
        );
        assert_eq!(
            branch_step(&warehouse),
            "/projects/new/advanced/bitbucket-dc/branch?workspace=DATA&repository=warehouse"
        );
        assert_eq!(
            details_step(Some(&warehouse)),
            "/projects/new/advanced/bitbucket-dc/details?workspace=DATA&repository=warehouse"
        );
        assert_eq!(
            review_step(Some(&warehouse)),
            "/projects/new/advanced/bitbucket-dc/review?workspace=DATA&repository=warehouse"
        );
        assert_eq!(
            authorize(DC, &repository_step(DC, None, None)),
            "/oauth/bitbucket-dc/start?return_to=%2Fprojects%2Fnew%2Fadvanced%2Fbitbucket-dc%2Frepository"
        );
    }

    #[test]
    fn authorize_url_carries_the_return_path() {
        assert_eq!(
            authorize(CLOUD, &repository_step(CLOUD, None, None)),
            "/oauth/bitbucket/start?return_to=%2Fprojects%2Fnew%2Fadvanced%2Fbitbucket%2Frepository"
        );
    }

    #[test]
    fn the_connections_page_names_providers_other_than_cloud() {
        assert_eq!(connections(CLOUD), "/settings/connections");
        assert_eq!(
            connections(DC),
            "/settings/connections?provider=bitbucket-dc"
        );
    }

    #[test]
    fn auth_pages_keep_the_return_path() {
        assert_eq!(auth_page(SIGN_IN, None), "/sign-in");
        assert_eq!(
            auth_page(SIGN_UP, Some("/projects/7?x=1")),
            "/sign-up?return_to=%2Fprojects%2F7%3Fx%3D1"
        );
        assert_eq!(project(42), "/projects/42");
    }

    #[test]
    fn details_and_review_follow_the_flow() {
        let repository = repository(CLOUD, "acme", "etl");
        assert_eq!(details_step(None), "/projects/new/quick-start/details");
        assert_eq!(review_step(None), "/projects/new/quick-start/review");
        assert_eq!(
            review_step(Some(&repository)),
            "/projects/new/advanced/bitbucket/review?workspace=acme&repository=etl"
        );
    }

    #[test]
    fn back_and_continue_keep_the_choices_of_the_steps_they_lead_to() {
        let etl = repository(CLOUD, "acme", "etl");
        let chosen = Choices::from(&etl);
        assert_eq!(
            back(Flow::Advanced, StepId::Branch, chosen),
            "/projects/new/advanced/bitbucket/repository?workspace=acme&repository=etl"
        );
        assert_eq!(
            back(Flow::Advanced, StepId::Repository, chosen),
            "/projects/new/advanced/bitbucket"
        );
        assert_eq!(
            back(Flow::Advanced, StepId::Connect, chosen),
            "/projects/new/advanced"
        );
        assert_eq!(
            back(Flow::Advanced, StepId::Provider, chosen),
            "/projects/new"
        );
        assert_eq!(
            next(Flow::Advanced, StepId::Branch, chosen),
            "/projects/new/advanced/bitbucket/details?workspace=acme&repository=etl"
        );
        assert_eq!(
            next(Flow::QuickStart, StepId::Details, Choices::default()),
            "/projects/new/quick-start/review"
        );
        assert_eq!(
            back(Flow::QuickStart, StepId::Configuration, chosen),
            PROJECTS
        );
    }

    #[test]
    fn a_step_that_needs_a_repository_without_one_is_the_repository_choice() {
        let provider_only = Choices::provider(DC);
        assert_eq!(
            step(Flow::Advanced, StepId::Review, provider_only),
            "/projects/new/advanced/bitbucket-dc/repository"
        );
        assert_eq!(
            back(Flow::Advanced, StepId::Details, provider_only),
            "/projects/new/advanced/bitbucket-dc/repository"
        );
    }
}
