//! Projects: create (after checking write access with the repository's provider), list, read, and settings
//! (the folder the pipelines are kept in).

use api::{
    CreateProject, GitProvider, PipelineFolder, Project, ProjectConfiguration, ProjectName,
    ProjectRepository, ProjectSettings,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Path};
use crate::session::CurrentUser;
use crate::store::{NewProject, NewProjectRepository, ProjectRow, StoreError};

use api::PROJECT_BRANCH;
const MAX_DESCRIPTION_CHARS: usize = 2000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(api::paths::PROJECTS, get(list).post(create))
        .route(
            &format!("{}/{{id}}", api::paths::PROJECTS),
            get(read).patch(update_settings),
        )
}

/// The user's project `id`; someone else's reads as missing (404), never as forbidden.
pub(super) async fn owned_project(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<ProjectRow> {
    state
        .db
        .project_of(user.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("The project".into()))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Vec<Project>>> {
    let rows = state.db.projects_of(user.id).await?;
    Ok(Json(rows.into_iter().map(to_api).collect()))
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Project>> {
    let mut project = to_api(owned_project(&state, &user, id).await?);
    if let Some(repository) = &mut project.repository {
        let newest = state
            .db
            .used_branches(user.id, id)
            .await?
            .into_iter()
            .next();
        repository.chosen_branch = newest
            .map(|b| b.name)
            .filter(|name| *name != repository.branch);
    }
    Ok(Json(project))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<CreateProject>,
) -> AppResult<(StatusCode, Json<Project>)> {
    let name = ProjectName::parse(&body.name).map_err(|message| AppError::InvalidInput {
        field: "name",
        message: message.into(),
    })?;
    let description = body.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(AppError::InvalidInput {
            field: "description",
            message: format!(
                "The description is too long: use at most {MAX_DESCRIPTION_CHARS} characters."
            ),
        });
    }
    // Checked before any provider call, so a taken name costs the user no wait.
    if state.db.has_project_named(user.id, &name).await? {
        return Err(name_taken());
    }
    let repository = match (body.configuration, body.repository) {
        (ProjectConfiguration::QuickStart, None) => None,
        (ProjectConfiguration::QuickStart, Some(_)) => {
            return Err(AppError::InvalidInput {
                field: "repository",
                message: "A Quick start project has no repository.".into(),
            })
        }
        (ProjectConfiguration::Advanced, None) => {
            return Err(AppError::InvalidInput {
                field: "repository",
                message: "Choose a repository for the project.".into(),
            })
        }
        (ProjectConfiguration::Advanced, Some(repo)) => {
            let provider = state.providers.get(repo.provider)?;
            let (group, slug) = (repo.group.as_str(), repo.slug.as_str());
            let checked = provider
                .call(user.id, |host, token| async move {
                    host.project_repository(&token, group, slug).await
                })
                .await?;
            Some((repo.provider, checked))
        }
    };
    let row = state
        .db
        .create_project(NewProject {
            user_id: user.id,
            name: &name,
            description,
            configuration: configuration_str(body.configuration),
            repository: repository
                .as_ref()
                .map(|(provider, r)| NewProjectRepository {
                    provider: provider.slug(),
                    workspace: &r.group,
                    slug: &r.slug,
                    full_name: &r.full_name,
                    branch: PROJECT_BRANCH,
                    html_url: &r.html_url,
                }),
        })
        .await
        .map_err(|error| match error {
            // Lost a race with another create of the same name.
            StoreError::UniqueViolation => name_taken(),
            other => other.into(),
        })?;
    // The wizard's work is done: its draft goes.
    state.db.delete_project_draft(user.id).await?;
    Ok((StatusCode::CREATED, Json(to_api(row))))
}

async fn update_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<ProjectSettings>,
) -> AppResult<Json<Project>> {
    let folder =
        PipelineFolder::parse(&body.pipeline_folder).map_err(|message| AppError::InvalidInput {
            field: "pipeline_folder",
            message,
        })?;
    if !state
        .db
        .set_pipeline_folder(user.id, id, folder.as_str())
        .await?
    {
        return Err(AppError::NotFound("The project".into()));
    }
    let row = owned_project(&state, &user, id).await?;
    Ok(Json(to_api(row)))
}

fn name_taken() -> AppError {
    AppError::Conflict {
        field: "name",
        message: ProjectName::TAKEN.into(),
    }
}

fn configuration_str(configuration: ProjectConfiguration) -> &'static str {
    match configuration {
        ProjectConfiguration::QuickStart => "quick_start",
        ProjectConfiguration::Advanced => "advanced",
    }
}

fn to_api(row: ProjectRow) -> Project {
    let configuration = if row.configuration == "advanced" {
        ProjectConfiguration::Advanced
    } else {
        ProjectConfiguration::QuickStart
    };
    let repository = match (row.workspace, row.repo_slug, row.repo_full_name) {
        (Some(workspace), Some(slug), Some(full_name)) => Some(ProjectRepository {
            // Rows from before there were two providers hold Cloud's.
            provider: row
                .provider
                .as_deref()
                .and_then(GitProvider::from_slug)
                .unwrap_or_default(),
            group: workspace,
            slug,
            full_name,
            branch: row.branch.unwrap_or_else(|| PROJECT_BRANCH.into()),
            html_url: row.html_url.unwrap_or_default(),
            chosen_branch: None,
        }),
        _ => None,
    };
    Project {
        id: row.id,
        name: row.name,
        description: row.description,
        configuration,
        repository,
        pipeline_folder: row.pipeline_folder,
        created_at: row.created_at,
    }
}
