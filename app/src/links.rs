//! Every in-app URL the wizard builds, in one place.
//!
//! The wizard keeps its choices in the URL (so back/forward and reload work), which makes
//! URL building the glue between steps. Keeping it in plain functions means the route table,
//! the links and the tests agree, and every value that goes into a query string is encoded
//! with the contract's own encoder.

use api::paths::encode_query_value;
use api::{GitProvider, ProjectConfiguration, RepositoryRef};

pub const SIGN_IN: &str = "/sign-in";
pub const SIGN_UP: &str = "/sign-up";
/// Where a sign-up mail's link leads (`#token=…`).
pub const SIGN_UP_CONFIRM: &str = api::paths::SIGN_UP_CONFIRM_PAGE;
pub const PROJECTS: &str = "/projects";
/// Wizard step "Select project configuration".
pub const NEW_PROJECT: &str = "/projects/new";
/// Wizard step "Project details" of a Quick start project.
pub const QUICK_START_DETAILS: &str = "/projects/new/quick-start/details";
/// Wizard step "Review and create" of a Quick start project.
pub const QUICK_START_REVIEW: &str = "/projects/new/quick-start/review";
/// Wizard step "Select Git provider". The steps after it are under
/// `/projects/new/advanced/{provider}` ([`provider_step`] and the functions after it), one
/// route each with the provider's slug as a parameter ([`GitProvider::slug`]).
pub const ADVANCED: &str = "/projects/new/advanced";

/// Settings → Connections: each provider's connection, its audit trail, Disconnect.
pub const CONNECTIONS: &str = "/settings/connections";

/// Query parameter names the wizard uses.
pub mod query {
    pub const RETURN_TO: &str = "return_to";
    pub const WORKSPACE: &str = "workspace";
    pub const REPOSITORY: &str = "repository";
    /// A pipeline's path in its repository.
    pub const PATH: &str = "path";
    /// The provider shown on the Connections page.
    pub const PROVIDER: &str = "provider";
}

/// The step that follows "Select project configuration" for a choice.
pub fn after_configuration(configuration: ProjectConfiguration) -> String {
    match configuration {
        ProjectConfiguration::QuickStart => {
            format!("{NEW_PROJECT}/{}/details", configuration.slug())
        }
        ProjectConfiguration::Advanced => format!("{NEW_PROJECT}/{}", configuration.slug()),
    }
}

/// The first step of a Git provider ("Connect Bitbucket").
pub fn provider_step(provider: GitProvider) -> String {
    format!("{ADVANCED}/{}", provider.slug())
}

/// A later step of a provider's flow: `…/advanced/{provider}/{step}`.
fn provider_page(provider: GitProvider, step: &str) -> String {
    format!("{}/{step}", provider_step(provider))
}

/// A step for a chosen repository: `?workspace=&repository=` on the provider's page.
fn repository_page(step: &str, repository: &RepositoryRef) -> String {
    with_query(
        &provider_page(repository.provider, step),
        &[
            (query::WORKSPACE, Some(&repository.group)),
            (query::REPOSITORY, Some(&repository.slug)),
        ],
    )
}

/// "Choose a repository", optionally keeping a workspace and a preselected repository; also
/// where the OAuth round trip returns to.
pub fn repository_step(
    provider: GitProvider,
    workspace: Option<&str>,
    repository: Option<&str>,
) -> String {
    with_query(
        &provider_page(provider, "repository"),
        &[
            (query::WORKSPACE, workspace),
            (query::REPOSITORY, repository),
        ],
    )
}

/// "Check the branch" for a chosen repository.
pub fn branch_step(repository: &RepositoryRef) -> String {
    repository_page("branch", repository)
}

/// "Project details" for a chosen repository.
pub fn advanced_details(repository: &RepositoryRef) -> String {
    repository_page("details", repository)
}

/// "Project details" of either flow: the provider's when a repository is chosen.
pub fn details_step(repository: Option<&RepositoryRef>) -> String {
    match repository {
        Some(repository) => advanced_details(repository),
        None => QUICK_START_DETAILS.to_owned(),
    }
}

/// "Review and create" of either flow.
pub fn review_step(repository: Option<&RepositoryRef>) -> String {
    match repository {
        Some(repository) => repository_page("review", repository),
        None => QUICK_START_REVIEW.to_owned(),
    }
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

/// A project's pipeline, shown read-only.
pub fn pipeline_view(project_id: i64, path: &str) -> String {
    with_query(
        &format!("{}/pipelines/view", project(project_id)),
        &[(query::PATH, Some(path))],
    )
}

/// A project's pipeline in the editor.
pub fn pipeline_edit(project_id: i64, path: &str) -> String {
    with_query(
        &format!("{}/pipelines/edit", project(project_id)),
        &[(query::PATH, Some(path))],
    )
}

/// The editor for a new pipeline.
pub fn pipeline_new(project_id: i64) -> String {
    format!("{}/pipelines/new", project(project_id))
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
            after_configuration(ProjectConfiguration::QuickStart),
            QUICK_START_DETAILS
        );
        assert_eq!(
            after_configuration(ProjectConfiguration::Advanced),
            ADVANCED
        );
        assert_eq!(provider_step(CLOUD), "/projects/new/advanced/bitbucket");
        assert_eq!(provider_step(DC), "/projects/new/advanced/bitbucket-dc");
    }

    #[test]
    fn wizard_choices_are_encoded_into_the_query() {
        assert_eq!(
            advanced_details(&repository(CLOUD, "acme corp", "data&pipes")),
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
        assert_eq!(details_step(None), QUICK_START_DETAILS);
        assert_eq!(review_step(None), QUICK_START_REVIEW);
        assert_eq!(
            details_step(Some(&repository)),
            advanced_details(&repository)
        );
        assert_eq!(
            review_step(Some(&repository)),
            "/projects/new/advanced/bitbucket/review?workspace=acme&repository=etl"
        );
    }
}
