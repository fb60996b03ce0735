//! `/projects`: the user's projects and the way into the wizard.

use api::{Project, ServerInfo};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client;
use crate::components::{ErrorMessage, Loading, PageHeading};
use crate::context::use_server_info;
use crate::links;
use crate::providers::Provider;

pub const EMPTY_STATE: &str = "No projects yet. Create your first project to get started.";

/// Where a project keeps its pipelines, in a few words: the repository and its provider (as
/// the server names it; the repository alone while the server has not said).
pub fn storage_summary(project: &Project, info: Option<&ServerInfo>) -> String {
    match &project.repository {
        Some(repository) => match Provider::described(repository.provider, info) {
            Some(provider) => format!("{} · {}", repository.full_name, provider.name),
            None => repository.full_name.clone(),
        },
        None => "Kept by the studio".to_owned(),
    }
}

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = LocalResource::new(client::projects);
    // Each project links to its page, which is fetched on demand: start now.
    crate::lazy_pages::preload_project_pages();
    view! {
        <section class="page-section">
            <div class="page-title-row">
                <PageHeading text="Projects" />
                <A href=links::NEW_PROJECT attr:class="button button-primary">
                    "New project"
                </A>
            </div>
            {crate::draft::on_demand::resume_banner()}
            {move || match projects.get() {
                None => view! { <Loading text="Loading your projects…" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage message=error.message /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty-state">{EMPTY_STATE}</p> }.into_any()
                }
                Some(Ok(list)) => view! { <ProjectList projects=list /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ProjectList(projects: Vec<Project>) -> impl IntoView {
    let info = use_server_info();
    let items = projects
        .into_iter()
        .map(|project| {
            let stored = project.clone();
            let summary =
                move || storage_summary(&stored, info.get().and_then(Result::ok).as_ref());
            view! {
                <li class="project-item">
                    <A href=links::project(project.id) attr:class="project-name">
                        {project.name}
                    </A>
                    <span class="project-storage">{summary}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="project-list">{items}</ul> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::{GitProvider, ProjectConfiguration, ProjectRepository};

    #[test]
    fn projects_say_where_pipelines_live() {
        let mut project = Project {
            id: 1,
            name: "Sales".into(),
            description: String::new(),
            configuration: ProjectConfiguration::QuickStart,
            repository: None,
            pipeline_folder: String::new(),
            created_at: 0,
        };
        assert_eq!(storage_summary(&project, None), "Kept by the studio");
        project.configuration = ProjectConfiguration::Advanced;
        project.repository = Some(ProjectRepository {
            provider: GitProvider::BitbucketCloud,
            group: "acme".into(),
            slug: "etl".into(),
            full_name: "acme/etl".into(),
            branch: "main".into(),
            html_url: "https://bitbucket.org/acme/etl".into(),
            chosen_branch: None,
        });
        assert_eq!(storage_summary(&project, None), "acme/etl");
        let info = ServerInfo {
            sandbox: false,
            providers: vec![api::ProviderInfo {
                provider: GitProvider::BitbucketDataCenter,
                name: "Acme Bitbucket".into(),
                host: "git.acme.example".into(),
                revoke_url: String::new(),
                wording: api::ProviderWording::default(),
                install_url: None,
                revokes_on_disconnect: false,
            }],
            mailbox_url: None,
        };
        if let Some(repository) = project.repository.as_mut() {
            repository.provider = GitProvider::BitbucketDataCenter;
            repository.full_name = "DATA/warehouse".into();
        }
        assert_eq!(
            storage_summary(&project, Some(&info)),
            "DATA/warehouse · Acme Bitbucket"
        );
    }
}
