//! `/projects/:id`: one project and where its pipelines live.

use api::{ApiError, ErrorCode, Project, ProjectRepository};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::client;
use crate::components::{ErrorMessage, Loading, PageHeading};
use crate::links;

pub const NOT_FOUND: &str = "This project does not exist or is not yours.";

/// The project id of the route, if it is a number at all.
pub fn parse_id(raw: Option<&str>) -> Option<i64> {
    raw?.parse().ok()
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|params| parse_id(params.get_str("id"))));
    let project = LocalResource::new(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => client::project(id).await,
                None => Err(ApiError::new(ErrorCode::NotFound, NOT_FOUND)),
            }
        }
    });

    view! {
        <section class="page-section">
            {move || match project.get() {
                None => view! { <Loading text="Loading the project…" /> }.into_any(),
                Some(Ok(project)) => view! { <ProjectDetails project /> }.into_any(),
                Some(Err(error)) if error.code == ErrorCode::NotFound => {
                    view! {
                        <PageHeading text="Project not found" />
                        <ErrorMessage message=NOT_FOUND />
                    }
                        .into_any()
                }
                Some(Err(error)) => {
                    view! {
                        <PageHeading text="Project" />
                        <ErrorMessage message=error.message />
                    }
                        .into_any()
                }
            }}
            <p class="page-footer-link">
                <A href=links::PROJECTS>"Back to projects"</A>
            </p>
        </section>
    }
}

#[component]
fn ProjectDetails(project: Project) -> impl IntoView {
    let description = (!project.description.trim().is_empty()).then(|| {
        view! { <p class="project-description">{project.description.clone()}</p> }
    });
    let storage = match project.repository {
        Some(repository) => view! { <RepositoryFacts repository /> }.into_any(),
        None => view! { <p>"Pipelines are kept by the studio."</p> }.into_any(),
    };
    view! {
        <PageHeading text=project.name />
        {description}
        {storage}
    }
}

#[component]
fn RepositoryFacts(repository: ProjectRepository) -> impl IntoView {
    view! {
        <dl class="facts">
            <div class="fact">
                <dt>"Provider"</dt>
                <dd>{repository.provider.label()}</dd>
            </div>
            <div class="fact">
                <dt>"Repository"</dt>
                <dd>
                    <span class="repository-full-name">{repository.full_name}</span>
                    " "
                    <a href=repository.html_url target="_blank" rel="noopener noreferrer">
                        "Open in Bitbucket"
                    </a>
                </dd>
            </div>
            <div class="fact">
                <dt>"Branch"</dt>
                <dd>
                    <code>{repository.branch}</code>
                </dd>
            </div>
        </dl>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numeric_ids_are_fetched() {
        assert_eq!(parse_id(Some("42")), Some(42));
        assert_eq!(parse_id(Some("new")), None);
        assert_eq!(parse_id(Some("")), None);
        assert_eq!(parse_id(None), None);
    }
}
