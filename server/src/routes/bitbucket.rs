//! The narrow Bitbucket proxy the wizard uses: workspaces, the repositories of one workspace
//! that the account can write to, and the studio's `main` branch in a repository (check,
//! create). Responses are reshaped into `api` types, so the
//! app never sees a Bitbucket URL or token.

use api::{MainBranch, Page, Repository, RepositoryQuery, Workspace};
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;
use crate::bitbucket::rest::slug;
use crate::error::AppResult;
use crate::session::CurrentUser;

/// Longest search accepted; Bitbucket repository names are at most 62 characters anyway.
const MAX_SEARCH_CHARS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(api::paths::BITBUCKET_WORKSPACES, get(workspaces))
        .route(
            &format!(
                "{}/{{workspace}}/repositories",
                api::paths::BITBUCKET_WORKSPACES
            ),
            get(repositories),
        )
        .route(
            &format!(
                "{}/{{workspace}}/repositories/{{repository}}/main-branch",
                api::paths::BITBUCKET_WORKSPACES
            ),
            get(main_branch).post(create_main_branch),
        )
}

async fn main_branch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((workspace, repository)): Path<(String, String)>,
) -> AppResult<Json<MainBranch>> {
    let (workspace, repository) = (
        slug(&workspace, "workspace")?,
        slug(&repository, "repository")?,
    );
    let rest = &state.bitbucket.rest;
    let branch = state
        .bitbucket
        .with_token(user.id, |token| async move {
            rest.main_branch(&token, workspace, repository).await
        })
        .await?;
    Ok(Json(branch))
}

/// Creates `main` (from the default branch, or as the first commit of an empty repository)
/// with the user's own token, so Bitbucket records the user as its author.
async fn create_main_branch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((workspace, repository)): Path<(String, String)>,
) -> AppResult<Json<MainBranch>> {
    let (workspace, repository) = (
        slug(&workspace, "workspace")?,
        slug(&repository, "repository")?,
    );
    let rest = &state.bitbucket.rest;
    let branch = state
        .bitbucket
        .with_token(user.id, |token| async move {
            rest.create_main_branch(&token, workspace, repository).await
        })
        .await?;
    tracing::info!(
        user_id = user.id,
        workspace,
        repository,
        "created the main branch"
    );
    Ok(Json(branch))
}

async fn workspaces(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Page<Workspace>>> {
    let rest = &state.bitbucket.rest;
    let page = state
        .bitbucket
        .with_token(
            user.id,
            |token| async move { rest.workspaces(&token, 1).await },
        )
        .await?;
    Ok(Json(Page {
        page: page.page.unwrap_or(1),
        next_page: rest.next_page(page.next.as_deref()),
        size: page.size,
        values: page
            .values
            .into_iter()
            .map(|access| Workspace {
                slug: access.workspace.slug,
                name: access.workspace.name,
                uuid: access.workspace.uuid,
            })
            .collect(),
    }))
}

async fn repositories(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(workspace): Path<String>,
    Query(query): Query<RepositoryQuery>,
) -> AppResult<Json<Page<Repository>>> {
    let workspace = slug(&workspace, "workspace")?.to_owned();
    let search: Option<String> = query
        .search
        .map(|s| s.trim().chars().take(MAX_SEARCH_CHARS).collect());
    let page_number = query.page.unwrap_or(1).max(1);
    let rest = &state.bitbucket.rest;
    let page = state
        .bitbucket
        .with_token(user.id, |token| {
            let (workspace, search) = (workspace.clone(), search.clone());
            async move {
                rest.writable_repositories(&token, &workspace, search.as_deref(), page_number)
                    .await
            }
        })
        .await?;
    Ok(Json(Page {
        page: page.page.unwrap_or(page_number),
        next_page: rest.next_page(page.next.as_deref()),
        size: page.size,
        values: page
            .values
            .into_iter()
            .map(|repo| repo.into_api())
            .collect(),
    }))
}
