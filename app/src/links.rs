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
/// Wizard step "Select Git provider".
pub const ADVANCED: &str = "/projects/new/advanced";
/// Wizard step "Connect Bitbucket".
pub const BITBUCKET_CONNECT: &str = "/projects/new/advanced/bitbucket";
/// Wizard step "Choose a repository"; also where the OAuth round trip returns to.
pub const BITBUCKET_REPOSITORY: &str = "/projects/new/advanced/bitbucket/repository";
/// Wizard step "Check the branch": the studio's `main` branch in the chosen repository.
pub const BITBUCKET_BRANCH: &str = "/projects/new/advanced/bitbucket/branch";
/// Wizard step "Project details" of an advanced (Bitbucket) project.
pub const BITBUCKET_DETAILS: &str = "/projects/new/advanced/bitbucket/details";

/// Wizard step "Review and create" of an advanced (Bitbucket) project.
pub const BITBUCKET_REVIEW: &str = "/projects/new/advanced/bitbucket/review";

/// Settings → Connections: the Bitbucket connection, its audit trail, Disconnect.
pub const CONNECTIONS: &str = "/settings/connections";

/// Query parameter names the wizard uses.
pub mod query {
    pub const RETURN_TO: &str = "return_to";
    pub const WORKSPACE: &str = "workspace";
    pub const REPOSITORY: &str = "repository";
    /// A pipeline's path in its repository.
    pub const PATH: &str = "path";
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

/// "Choose a repository", optionally keeping a workspace and a preselected repository.
pub fn repository_step(workspace: Option<&str>, repository: Option<&str>) -> String {
    with_query(
        BITBUCKET_REPOSITORY,
        &[
            (query::WORKSPACE, workspace),
            (query::REPOSITORY, repository),
        ],
    )
}

/// "Check the branch" for a chosen Bitbucket repository.
pub fn branch_step(workspace: &str, repository: &str) -> String {
    with_query(
        BITBUCKET_BRANCH,
        &[
            (query::WORKSPACE, Some(workspace)),
            (query::REPOSITORY, Some(repository)),
        ],
    )
}

/// "Project details" for a chosen Bitbucket repository.
pub fn advanced_details(workspace: &str, repository: &str) -> String {
    with_query(
        BITBUCKET_DETAILS,
        &[
            (query::WORKSPACE, Some(workspace)),
            (query::REPOSITORY, Some(repository)),
        ],
    )
}

/// "Project details" of either flow: the Bitbucket one when a repository is chosen.
pub fn details_step(repository: Option<&RepositoryRef>) -> String {
    match repository {
        Some(repository) => advanced_details(&repository.workspace, &repository.slug),
        None => QUICK_START_DETAILS.to_owned(),
    }
}

/// "Review and create" of either flow.
pub fn review_step(repository: Option<&RepositoryRef>) -> String {
    match repository {
        Some(repository) => with_query(
            BITBUCKET_REVIEW,
            &[
                (query::WORKSPACE, Some(&repository.workspace)),
                (query::REPOSITORY, Some(&repository.slug)),
            ],
        ),
        None => QUICK_START_REVIEW.to_owned(),
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

/// The server route that starts the Bitbucket OAuth flow (a full-page navigation).
pub fn bitbucket_authorize(return_to: &str) -> String {
    with_query(
        api::paths::BITBUCKET_OAUTH_START,
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
        assert_eq!(provider_step(GitProvider::Bitbucket), BITBUCKET_CONNECT);
    }

    #[test]
    fn wizard_choices_are_encoded_into_the_query() {
        assert_eq!(
            advanced_details("acme corp", "data&pipes"),
            "/projects/new/advanced/bitbucket/details?workspace=acme%20corp&repository=data%26pipes"
        );
        assert_eq!(repository_step(None, None), BITBUCKET_REPOSITORY);
        assert_eq!(
            branch_step("acme", "etl"),
            "/projects/new/advanced/bitbucket/branch?workspace=acme&repository=etl"
        );
        assert_eq!(
            repository_step(Some("acme"), None),
            "/projects/new/advanced/bitbucket/repository?workspace=acme"
        );
        assert_eq!(
            repository_step(Some(""), Some("etl")),
            "/projects/new/advanced/bitbucket/repository?repository=etl"
        );
    }

    #[test]
    fn authorize_url_carries_the_return_path() {
        assert_eq!(
            bitbucket_authorize(BITBUCKET_REPOSITORY),
            "/oauth/bitbucket/start?return_to=%2Fprojects%2Fnew%2Fadvanced%2Fbitbucket%2Frepository"
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
        let repository = RepositoryRef {
            workspace: "acme".into(),
            slug: "etl".into(),
        };
        assert_eq!(details_step(None), QUICK_START_DETAILS);
        assert_eq!(review_step(None), QUICK_START_REVIEW);
        assert_eq!(
            details_step(Some(&repository)),
            advanced_details("acme", "etl")
        );
        assert_eq!(
            review_step(Some(&repository)),
            "/projects/new/advanced/bitbucket/review?workspace=acme&repository=etl"
        );
    }
}
