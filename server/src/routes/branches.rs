//! `/api/projects/{id}/branches`, `…/branch` and `…/compare`: the branches of a project's
//! repository, the one each user works on, and a branch compared with the project's own.
//!
//! The studio's part is here: the selector's order (the project's branch, then the user's
//! recent ones, then the provider's), which branch each user works on, and what a comparison
//! means (merged, gone). The provider's part goes through its host
//! ([`crate::providers::GitHost`]), with the user's own token.

use api::{
    BranchGroup, BranchList, BranchQuery, BranchSearch, BranchState, BranchSummary, ChosenBranch,
    ComparedFile, Comparison, DiffQuery, EmptyBody, FileDiff, NewBranch, PipelinePath,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Router;

use super::projects::owned_project;
use super::AppState;
use crate::error::{AppError, AppResult};
use crate::extract::{Json, Path, Query};
use crate::pipelines::project_folder;
use crate::providers::{BranchAt, Provider};
use crate::session::CurrentUser;
use crate::store::ProjectRow;

/// Longest search typed in the selector.
const MAX_SEARCH_CHARS: usize = 100;
/// Longest file path a diff is asked for.
const MAX_PATH_BYTES: usize = 1024;

pub fn router() -> Router<AppState> {
    let project = format!("{}/{{id}}", api::paths::PROJECTS);
    Router::new()
        .route(&format!("{project}/branches"), get(list).post(create))
        .route(&format!("{project}/branch"), put(choose))
        .route(&format!("{project}/compare"), get(compare))
        .route(&format!("{project}/compare/file"), get(file_diff))
}

/// A project kept in a repository, with its provider.
pub(super) struct InRepository<'s> {
    pub row: ProjectRow,
    pub provider: &'s Provider,
    pub group: String,
    pub repo: String,
    /// The project's own branch.
    pub base: String,
}

impl InRepository<'_> {
    fn at(&self) -> BranchAt<'_> {
        BranchAt {
            group: &self.group,
            repo: &self.repo,
        }
    }
}

pub(super) async fn in_repository<'s>(
    state: &'s AppState,
    user: &CurrentUser,
    id: i64,
) -> AppResult<InRepository<'s>> {
    let row = owned_project(state, user, id).await?;
    let (Some(group), Some(repo)) = (row.workspace.clone(), row.repo_slug.clone()) else {
        return Err(no_branches());
    };
    let provider = state.providers.by_slug(row.provider_slug())?;
    let base = row.base_branch().to_owned();
    Ok(InRepository {
        row,
        provider,
        group,
        repo,
        base,
    })
}

/// The refusal of a branch for a Quick start project.
pub(super) fn no_branches() -> AppError {
    AppError::InvalidInput {
        field: "branch",
        message: "This project keeps its pipelines in the studio, which has no branches.".into(),
    }
}

/// A branch name from the app, by Git's rule (the app's inline check is the same code).
pub(super) fn checked_branch(name: &str, field: &'static str) -> AppResult<String> {
    match api::check_branch_name(name) {
        None => Ok(name.to_owned()),
        Some(message) => Err(AppError::InvalidInput { field, message }),
    }
}

/// The selector: the project's branch, the user's recent branches, then the provider's
/// (newest first where the provider sorts so), those containing `q` if given.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<BranchSearch>,
) -> AppResult<Json<BranchList>> {
    let project = in_repository(&state, &user, id).await?;
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if search.is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(AppError::InvalidInput {
            field: "q",
            message: format!("Search with at most {MAX_SEARCH_CHARS} characters."),
        });
    }
    let at = project.at();
    let found = project
        .provider
        .call(user.id, |host, token| async move {
            host.branch_names(&token, &at, search).await
        })
        .await?;
    let recent = state.db.used_branches(user.id, id).await?;
    let matches =
        |name: &str| search.is_none_or(|q| name.to_lowercase().contains(&q.to_lowercase()));
    let mut branches = Vec::new();
    let mut add = |name: String, group: BranchGroup| {
        if !branches.iter().any(|b: &BranchSummary| b.name == name) {
            branches.push(BranchSummary { name, group });
        }
    };
    if matches(&project.base) {
        add(project.base.clone(), BranchGroup::Project);
    }
    for branch in recent.into_iter().filter(|b| matches(&b.name)) {
        add(branch.name, BranchGroup::Recent);
    }
    for name in found
        .names
        .into_iter()
        .filter(|n| api::check_branch_name(n).is_none())
    {
        add(name, BranchGroup::Other);
    }
    Ok(Json(BranchList {
        branches,
        more: found.more,
    }))
}

/// A new branch from the project's branch or the one on screen; the user works on it next.
async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<NewBranch>,
) -> AppResult<(StatusCode, Json<BranchSummary>)> {
    let name = checked_branch(body.name.trim(), "name")?;
    let from = checked_branch(&body.from, "from")?;
    let project = in_repository(&state, &user, id).await?;
    let at = project.at();
    let (name_ref, from_ref) = (name.as_str(), from.as_str());
    project
        .provider
        .call(user.id, |host, token| async move {
            host.create_branch(&token, &at, name_ref, from_ref).await
        })
        .await
        .map_err(|error| match error.provider_error() {
            // The name is taken: said beside the name field.
            Some(crate::providers::ProviderError::Conflict(message)) => AppError::Conflict {
                field: "name",
                message: message.clone(),
            },
            _ => error,
        })?;
    state.db.use_branch(user.id, id, &name, false).await?;
    let created = BranchSummary {
        name,
        group: BranchGroup::Recent,
    };
    Ok((StatusCode::CREATED, Json(created)))
}

/// The branch this user works on in this project, kept for their next visit (no provider
/// call: the page reading the branch says if it is gone).
async fn choose(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<ChosenBranch>,
) -> AppResult<Json<EmptyBody>> {
    let name = checked_branch(&body.name, "name")?;
    in_repository(&state, &user, id).await?;
    state.db.use_branch(user.id, id, &name, false).await?;
    Ok(Json(EmptyBody {}))
}

/// The branch against the project's branch.
async fn compare(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<BranchQuery>,
) -> AppResult<Json<Comparison>> {
    let project = in_repository(&state, &user, id).await?;
    let branch = match query.branch.as_deref() {
        Some(branch) => checked_branch(branch, "branch")?,
        None => project.base.clone(),
    };
    let mut comparison = Comparison {
        branch: branch.clone(),
        base: project.base.clone(),
        state: BranchState::Project,
        ahead: 0,
        behind: 0,
        counts_capped: false,
        files: Vec::new(),
        files_capped: false,
        pull_request_url: None,
    };
    if branch == project.base {
        return Ok(Json(comparison));
    }
    let at = project.at();
    let (base, head) = (project.base.as_str(), branch.as_str());
    let compared = project
        .provider
        .call(user.id, |host, token| async move {
            host.compare(&token, &at, base, head).await
        })
        .await?;
    let Some(compared) = compared else {
        state.db.forget_branch(user.id, id, &branch).await?;
        comparison.state = BranchState::Gone;
        return Ok(Json(comparison));
    };
    let committed = state
        .db
        .used_branches(user.id, id)
        .await?
        .into_iter()
        .any(|b| b.name == branch && b.committed_at.is_some());
    let folder = project_folder(&project.row);
    comparison.state = match (compared.ahead, committed) {
        (0, true) => BranchState::Merged,
        (0, false) => BranchState::Even,
        _ => BranchState::Changed,
    };
    comparison.ahead = compared.ahead;
    comparison.behind = compared.behind;
    comparison.counts_capped = compared.capped;
    comparison.files_capped = compared.files_capped;
    comparison.files = compared
        .files
        .into_iter()
        .map(|file| ComparedFile {
            pipeline: PipelinePath::parse(&file.path).is_ok_and(|p| folder.contains(&p)),
            path: file.path,
            change: file.change,
            previous_path: file.previous_path,
        })
        .collect();
    if comparison.state == BranchState::Changed {
        let page = project.row.html_url.as_deref().unwrap_or_default();
        comparison.pull_request_url = project.provider.host.pull_request_url(page, head, base)?;
    }
    Ok(Json(comparison))
}

/// A path in the repository as a comparison names it: relative, no empty, `.` or `..` part.
fn repository_path(path: &str) -> AppResult<&str> {
    let fine = !path.is_empty()
        && path.len() <= MAX_PATH_BYTES
        && !path.chars().any(char::is_control)
        && path.split('/').all(|part| !matches!(part, "" | "." | ".."));
    if fine {
        Ok(path)
    } else {
        Err(AppError::InvalidInput {
            field: "path",
            message: "Not a file path in the repository.".into(),
        })
    }
}

/// One file's diff, from where the branch left the project's branch to the branch.
async fn file_diff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(query): Query<DiffQuery>,
) -> AppResult<Json<FileDiff>> {
    let branch = checked_branch(&query.branch, "branch")?;
    let path = repository_path(&query.path)?;
    let project = in_repository(&state, &user, id).await?;
    let at = project.at();
    let (base, head) = (project.base.as_str(), branch.as_str());
    let (hunks, truncated) = project
        .provider
        .call(user.id, |host, token| async move {
            host.file_diff(&token, &at, base, head, path).await
        })
        .await?;
    Ok(Json(FileDiff {
        path: path.to_owned(),
        hunks,
        truncated,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_paths_stay_in_the_repository() {
        assert!(repository_path("pipelines/a.orch.yaml").is_ok());
        for bad in ["", "/a", "a//b", "a/../b", "./a", "a\nb", &"a".repeat(1025)] {
            assert!(repository_path(bad).is_err(), "{bad:?}");
        }
    }
}
