//! The narrow proxy the wizard uses, one set of routes per provider under `/api/{slug}`: the
//! repository step's first screen, the account's groups (Cloud workspaces, Data Center
//! projects) and their names, the repositories of one group that the account can write to,
//! and the studio's `main` branch in a repository (check, create). Responses are reshaped
//! into `api` types by the provider's [`crate::providers::GitHost`], so the app never sees a
//! provider's URL or token, and these handlers never learn which provider answered.

use api::{
    GitProvider, MainBranch, Page, PickerQuery, Repository, RepositoryGroup, RepositoryPicker,
    RepositoryQuery,
};
use axum::extract::State;
use axum::routing::get;
use axum::{Extension, Router};

use super::{provider_routes, AppState};
use crate::error::AppResult;
use crate::extract::{Json, Path, Query};
use crate::providers::cursor::ListOf;
use crate::providers::{Provider, ProviderError};
use crate::session::CurrentUser;

/// Longest search accepted; Bitbucket Cloud's repository names are at most 62 characters.
const MAX_SEARCH_CHARS: usize = 100;
/// Longest cursor accepted (a sealed provider path and query, [`ListOf::seal`]).
const MAX_CURSOR_CHARS: usize = 4096;
/// Longest group or repository name accepted before the provider's own check.
const MAX_NAME_CHARS: usize = 256;

pub fn router() -> Router<AppState> {
    provider_routes(|provider| {
        let repositories = format!(
            "{}/{{group}}/repositories",
            api::paths::workspaces(provider)
        );
        Router::new()
            .route(&api::paths::repository_picker(provider), get(picker))
            .route(&api::paths::workspaces(provider), get(groups))
            .route(&api::paths::workspace_names(provider), get(group_names))
            .route(&repositories, get(repositories_page))
            .route(
                &format!("{repositories}/{{repository}}/main-branch"),
                get(main_branch).post(create_main_branch),
            )
    })
}

/// The configured provider of this route set (404 when the server has not configured it).
fn provider(state: &AppState, id: GitProvider) -> AppResult<&Provider> {
    state.providers.get(id)
}

/// A name from the URL, bounded before anything else looks at it.
fn name<'a>(value: &'a str, what: &'static str) -> AppResult<&'a str> {
    if value.is_empty() || value.chars().count() > MAX_NAME_CHARS {
        return Err(ProviderError::InvalidName(what).into());
    }
    Ok(value)
}

/// The first screen in (usually) one round trip: the group to open on is known before
/// asking (from the URL, or remembered from the last choice or from the authorization).
async fn picker(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
    Query(query): Query<PickerQuery>,
) -> AppResult<Json<RepositoryPicker>> {
    let provider = provider(&state, id)?;
    let asked = match query.group.as_deref().filter(|w| !w.is_empty()) {
        Some(group) => Some(name(group, "workspace")?.to_owned()),
        None => None,
    };
    let guess = match asked {
        Some(group) => Some(group),
        None => state
            .db
            .stored_grant(user.id, id)
            .await?
            .and_then(|link| link.preferred_workspace),
    };
    let refresh = query.refresh.unwrap_or(false);
    let mut picker = provider
        .call(user.id, |host, token| {
            let guess = guess.as_deref();
            async move { host.picker(&token, guess, refresh).await }
        })
        .await?;
    if let Some(group) = picker.group.as_deref() {
        let list = ListOf {
            user_id: user.id,
            provider: id,
            group,
            search: None,
        };
        picker.repositories = list.sealed_page(&state.cipher, picker.repositories);
    }
    Ok(Json(picker))
}

/// Every group of the account, in one page.
async fn groups(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
) -> AppResult<Json<Page<RepositoryGroup>>> {
    let groups = provider(&state, id)?
        .call(
            user.id,
            |host, token| async move { host.groups(&token).await },
        )
        .await?;
    let size = groups.len() as u64;
    Ok(Json(Page {
        values: groups,
        next: None,
        size: Some(size),
    }))
}

/// The groups with their human names, asked for after the first screen.
async fn group_names(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
) -> AppResult<Json<Vec<RepositoryGroup>>> {
    Ok(Json(
        provider(&state, id)?
            .call(user.id, |host, token| async move {
                host.group_names(&token).await
            })
            .await?,
    ))
}

async fn repositories_page(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
    Path(group): Path<String>,
    Query(query): Query<RepositoryQuery>,
) -> AppResult<Json<Page<Repository>>> {
    let provider = provider(&state, id)?;
    let group = name(&group, "workspace")?;
    let search: Option<String> = query
        .search
        .map(|s| s.trim().chars().take(MAX_SEARCH_CHARS).collect());
    let list = ListOf {
        user_id: user.id,
        provider: id,
        group,
        search: search.as_deref(),
    };
    let cursor = match query.cursor.filter(|c| !c.is_empty()) {
        Some(cursor) if cursor.len() > MAX_CURSOR_CHARS => {
            return Err(ProviderError::InvalidName("page").into())
        }
        Some(cursor) => Some(list.open(&state.cipher, &cursor)?),
        None => None,
    };
    let refresh = query.refresh.unwrap_or(false);
    let (search, cursor) = (search.as_deref(), cursor.as_deref());
    let page = provider
        .call(user.id, |host, token| async move {
            host.repositories(&token, group, search, cursor, refresh)
                .await
        })
        .await?;
    Ok(Json(list.sealed_page(&state.cipher, page)))
}

/// Whether the repository has `main`. Asking means the user chose this repository, so its
/// group is where the repository step opens next time.
async fn main_branch(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
    Path((group, repository)): Path<(String, String)>,
) -> AppResult<Json<MainBranch>> {
    let provider = provider(&state, id)?;
    let (group, repository) = (name(&group, "workspace")?, name(&repository, "repository")?);
    let branch = provider
        .call(user.id, |host, token| async move {
            host.main_branch(&token, group, repository).await
        })
        .await?;
    state
        .db
        .remember_preferred_workspace(user.id, id, group)
        .await?;
    Ok(Json(branch))
}

/// Creates `main` (from the default branch, or as the first commit of an empty repository)
/// with the user's own token, so the provider records the user as its author.
async fn create_main_branch(
    State(state): State<AppState>,
    Extension(id): Extension<GitProvider>,
    user: CurrentUser,
    Path((group, repository)): Path<(String, String)>,
    _: Json<api::EmptyBody>,
) -> AppResult<Json<MainBranch>> {
    let provider = provider(&state, id)?;
    let (group, repository) = (name(&group, "workspace")?, name(&repository, "repository")?);
    let branch = provider
        .call(user.id, |host, token| async move {
            host.create_main_branch(&token, group, repository).await
        })
        .await?;
    tracing::info!(
        user_id = user.id,
        provider = id.slug(),
        group,
        repository,
        "created the main branch"
    );
    Ok(Json(branch))
}
