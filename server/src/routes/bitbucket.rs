//! The narrow Bitbucket proxy the wizard uses: the repository step's first screen, the
//! account's workspaces and their names, the repositories of one workspace that the account
//! can write to, and the studio's `main` branch in a repository (check, create). Responses
//! are reshaped into `api` types, so the app never sees a Bitbucket URL or token.
//!
//! Bitbucket allows each user 1,000 calls an hour on `/2.0/repositories/…`: answers are
//! cached for a minute per user ([`crate::bitbucket::cache`]), `refresh=true` (the picker's
//! Refresh) asks again, and a 429 tells the user when they can go on.

use api::{
    MainBranch, Page, PickerQuery, Repository, RepositoryPicker, RepositoryQuery, Workspace,
};
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use futures::{StreamExt, TryStreamExt};

use super::AppState;
use crate::extract::{Json, Path, Query};
use secrecy::SecretString;

use crate::bitbucket::model::WorkspaceRef;
use crate::bitbucket::rest::{slug, BitbucketRest, Reading, RepositoryPage};
use crate::bitbucket::BitbucketError;
use crate::error::AppResult;
use crate::session::CurrentUser;

/// Longest search accepted; Bitbucket repository names are at most 62 characters anyway.
const MAX_SEARCH_CHARS: usize = 100;
/// Workspace names asked for at once.
const NAMES_AT_ONCE: usize = 4;
/// Longest cursor accepted (a base64url Bitbucket path and query).
const MAX_CURSOR_CHARS: usize = 4096;

pub fn router() -> Router<AppState> {
    let repositories = format!(
        "{}/{{workspace}}/repositories",
        api::paths::BITBUCKET_WORKSPACES
    );
    Router::new()
        .route(api::paths::BITBUCKET_REPOSITORY_PICKER, get(picker))
        .route(api::paths::BITBUCKET_WORKSPACES, get(workspaces))
        .route(api::paths::BITBUCKET_WORKSPACE_NAMES, get(workspace_names))
        .route(&repositories, get(repositories_page))
        .route(
            &format!("{repositories}/{{repository}}/main-branch"),
            get(main_branch).post(create_main_branch),
        )
}

/// The repository step's first screen in one round trip to Bitbucket: the workspace to open
/// on is known before asking (from the URL, or remembered from the last choice or from the
/// authorization), so its repositories and the workspace list are fetched at the same time
/// (and the workspace list was usually read, and cached, by the authorization itself).
/// Only when that guess is not among the account's workspaces (access withdrawn, a stale
/// link) does it take a second trip, for the first workspace's repositories.
async fn picker(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PickerQuery>,
) -> AppResult<Json<RepositoryPicker>> {
    let asked = match query.workspace.as_deref().filter(|w| !w.is_empty()) {
        Some(workspace) => Some(slug(workspace, "workspace")?.to_owned()),
        None => None,
    };
    let guess = match asked {
        Some(workspace) => Some(workspace),
        None => state
            .db
            .bitbucket_link(user.id)
            .await?
            .and_then(|link| link.preferred_workspace),
    };
    let rest = &state.bitbucket.rest;
    let refresh = query.refresh.unwrap_or(false);
    let (workspaces, shown) = state
        .bitbucket
        .with_token(user.id, |token| {
            let guess = guess.clone();
            async move {
                if refresh {
                    rest.forget_cached(&token);
                }
                first_screen(rest, &token, guess).await
            }
        })
        .await?;
    let (workspace, repositories) = match shown {
        Some((workspace, page)) => (Some(workspace), to_api_page(page)),
        None => (None, Page::empty()),
    };
    Ok(Json(RepositoryPicker {
        workspaces: workspaces.into_iter().map(to_api_workspace).collect(),
        workspace,
        repositories,
    }))
}

/// A workspace and the first page of its writable repositories.
type Shown = (String, RepositoryPage);

/// The workspaces and the repositories to show first. With a `guess`, both are asked for at
/// once; the guess is used only if the account has that workspace, else (and without a
/// guess) the first workspace's repositories are fetched after the list.
async fn first_screen(
    rest: &BitbucketRest,
    token: &SecretString,
    guess: Option<String>,
) -> Result<(Vec<WorkspaceRef>, Option<Shown>), BitbucketError> {
    if let Some(guess) = guess {
        let (workspaces, repositories) = tokio::join!(
            rest.all_workspaces(token, Reading::Opening),
            rest.writable_repositories(token, &guess, None, None)
        );
        let workspaces = workspaces?;
        if workspaces.iter().any(|w| w.slug == guess) {
            return Ok((workspaces, Some((guess, repositories?))));
        }
        return first_workspace_screen(rest, token, workspaces).await;
    }
    let workspaces = rest.all_workspaces(token, Reading::Opening).await?;
    first_workspace_screen(rest, token, workspaces).await
}

async fn first_workspace_screen(
    rest: &BitbucketRest,
    token: &SecretString,
    workspaces: Vec<WorkspaceRef>,
) -> Result<(Vec<WorkspaceRef>, Option<Shown>), BitbucketError> {
    let Some(first) = workspaces.first().map(|w| w.slug.clone()) else {
        return Ok((workspaces, None));
    };
    let page = rest
        .writable_repositories(token, &first, None, None)
        .await?;
    Ok((workspaces, Some((first, page))))
}

/// Every workspace of the account, in one page.
async fn workspaces(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Page<Workspace>>> {
    let rest = &state.bitbucket.rest;
    let workspaces = state
        .bitbucket
        .with_token(user.id, |token| async move {
            rest.all_workspaces(&token, Reading::Cached).await
        })
        .await?;
    let size = workspaces.len() as u64;
    Ok(Json(Page {
        values: workspaces.into_iter().map(to_api_workspace).collect(),
        next: None,
        size: Some(size),
    }))
}

/// The account's workspaces with their human names (`GET /workspaces/{workspace}` each, a
/// few at a time, cached for an hour): asked for after the first screen, which shows slugs,
/// so the names never delay the first repositories. A workspace whose name cannot be read
/// keeps its slug.
async fn workspace_names(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<Workspace>>> {
    let rest = &state.bitbucket.rest;
    let named = state
        .bitbucket
        .with_token(user.id, |token| async move {
            let workspaces = rest.all_workspaces(&token, Reading::Cached).await?;
            futures::stream::iter(workspaces)
                .map(|workspace| {
                    let token = token.clone();
                    async move {
                        if workspace.name.is_some() {
                            return Ok(workspace);
                        }
                        let name = match rest.workspace_name(&token, &workspace.slug).await {
                            Ok(name) => name,
                            Err(
                                error @ (BitbucketError::Unauthorized { .. }
                                | BitbucketError::RateLimited { .. }),
                            ) => return Err(error),
                            Err(error) => {
                                tracing::debug!(%error, "a workspace name could not be read");
                                None
                            }
                        };
                        Ok(WorkspaceRef { name, ..workspace })
                    }
                })
                .buffered(NAMES_AT_ONCE)
                .try_collect::<Vec<_>>()
                .await
        })
        .await?;
    Ok(Json(named.into_iter().map(to_api_workspace).collect()))
}

async fn repositories_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(workspace): Path<String>,
    Query(query): Query<RepositoryQuery>,
) -> AppResult<Json<Page<Repository>>> {
    let workspace = slug(&workspace, "workspace")?.to_owned();
    let search: Option<String> = query
        .search
        .map(|s| s.trim().chars().take(MAX_SEARCH_CHARS).collect());
    let cursor = query.cursor.filter(|c| !c.is_empty());
    if cursor.as_ref().is_some_and(|c| c.len() > MAX_CURSOR_CHARS) {
        return Err(BitbucketError::InvalidName("page").into());
    }
    let refresh = query.refresh.unwrap_or(false);
    let rest = &state.bitbucket.rest;
    let page = state
        .bitbucket
        .with_token(user.id, |token| {
            let (workspace, search, cursor) = (workspace.clone(), search.clone(), cursor.clone());
            async move {
                if refresh {
                    rest.forget_cached(&token);
                }
                rest.writable_repositories(&token, &workspace, search.as_deref(), cursor.as_deref())
                    .await
            }
        })
        .await?;
    Ok(Json(to_api_page(page)))
}

/// Whether the repository has `main`. Asking means the user chose this repository, so its
/// workspace is where the repository step opens next time.
async fn main_branch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((workspace, repository)): Path<(String, String)>,
) -> AppResult<Json<MainBranch>> {
    let branch = on_repository(
        &state,
        &user,
        &workspace,
        &repository,
        |rest, token, ws, repo| async move { rest.main_branch(&token, ws, repo).await },
    )
    .await?;
    state
        .db
        .remember_bitbucket_workspace(user.id, &workspace)
        .await?;
    Ok(Json(branch))
}

/// Creates `main` (from the default branch, or as the first commit of an empty repository)
/// with the user's own token, so Bitbucket records the user as its author.
async fn create_main_branch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((workspace, repository)): Path<(String, String)>,
    _: Json<api::EmptyBody>,
) -> AppResult<Json<MainBranch>> {
    let branch = on_repository(
        &state,
        &user,
        &workspace,
        &repository,
        |rest, token, ws, repo| async move { rest.create_main_branch(&token, ws, repo).await },
    )
    .await?;
    tracing::info!(
        user_id = user.id,
        workspace,
        repository,
        "created the main branch"
    );
    Ok(Json(branch))
}

/// Runs a Bitbucket call on one repository with the user's token, after validating both
/// names (so nothing unvalidated reaches a URL).
async fn on_repository<'a, T, F, Fut>(
    state: &'a AppState,
    user: &CurrentUser,
    workspace: &'a str,
    repository: &'a str,
    call: F,
) -> AppResult<T>
where
    F: Fn(&'a BitbucketRest, SecretString, &'a str, &'a str) -> Fut,
    Fut: std::future::Future<Output = Result<T, BitbucketError>>,
{
    let (workspace, repository) = (
        slug(workspace, "workspace")?,
        slug(repository, "repository")?,
    );
    let rest = &state.bitbucket.rest;
    state
        .bitbucket
        .with_token(user.id, |token| call(rest, token, workspace, repository))
        .await
}

fn to_api_workspace(workspace: WorkspaceRef) -> Workspace {
    Workspace {
        slug: workspace.slug,
        name: workspace.name,
    }
}

fn to_api_page(page: RepositoryPage) -> Page<Repository> {
    Page {
        values: page.values,
        next: page.next,
        size: page.size,
    }
}
