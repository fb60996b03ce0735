//! Refs: read, create, fast-forward update (422 when not a fast forward and not forced), delete.

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::super::render::{self, Urls};
use super::super::{json_body, reply, visible, writable, Caller};
use crate::github::errors::{ApiError, ApiResult};
use crate::github::GitHub;

use super::{branch_of, created, object_missing, with_commits, RepoPath};

pub(in crate::github::api) async fn get_ref(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, r)): Path<(String, String, String)>,
) -> ApiResult {
    let world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    if repo.is_empty() {
        return Err(ApiError::empty_repository());
    }
    let branch = branch_of(&r).ok_or_else(ApiError::not_found)?;
    let sha = repo.branches.get(branch).ok_or_else(ApiError::not_found)?;
    Ok(reply(
        StatusCode::OK,
        render::git_ref(&Urls::of(&gh), repo, branch, sha),
    ))
}

#[derive(Deserialize)]
struct NewRef {
    #[serde(rename = "ref")]
    name: String,
    sha: String,
}

pub(in crate::github::api) async fn create_ref(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): RepoPath,
    body: Bytes,
) -> ApiResult {
    let mut world = gh.world();
    writable(&world, &caller, &owner, &name)?;
    let body: NewRef = json_body(&body)?;
    let repo = with_commits(&mut world, &owner, &name)?;
    let branch = match body.name.strip_prefix("refs/heads/") {
        Some(b) if !b.is_empty() && !b.ends_with('/') && !b.contains("..") && !b.contains(' ') => {
            b.to_owned()
        }
        _ => return Err(ApiError::unprocessable("Reference name is invalid")),
    };
    if repo.branches.contains_key(&branch) {
        return Err(ApiError::unprocessable("Reference already exists"));
    }
    if !repo.commits.contains_key(&body.sha) {
        return Err(object_missing());
    }
    repo.branches.insert(branch.clone(), body.sha.clone());
    let u = Urls::of(&gh);
    let location = format!("{}/git/refs/heads/{branch}", u.repo(repo));
    Ok(created(
        render::git_ref(&u, repo, &branch, &body.sha),
        &location,
    ))
}

#[derive(Deserialize)]
struct RefUpdate {
    sha: String,
    #[serde(default)]
    force: bool,
}

pub(in crate::github::api) async fn update_ref(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, r)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    let mut world = gh.world();
    writable(&world, &caller, &owner, &name)?;
    let body: RefUpdate = json_body(&body)?;
    let now = world.now_unix();
    let repo = with_commits(&mut world, &owner, &name)?;
    let branch = branch_of(&r)
        .ok_or_else(|| ApiError::unprocessable("Reference does not exist"))?
        .to_owned();
    let current = repo
        .branches
        .get(&branch)
        .cloned()
        .ok_or_else(|| ApiError::unprocessable("Reference does not exist"))?;
    if !repo.commits.contains_key(&body.sha) {
        return Err(object_missing());
    }
    if !body.force && !repo.descends(&body.sha, &current) {
        return Err(ApiError::unprocessable("Update is not a fast forward"));
    }
    repo.branches.insert(branch.clone(), body.sha.clone());
    repo.pushed_at = now;
    Ok(reply(
        StatusCode::OK,
        render::git_ref(&Urls::of(&gh), repo, &branch, &body.sha),
    ))
}

pub(in crate::github::api) async fn delete_ref(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, r)): Path<(String, String, String)>,
) -> ApiResult {
    let mut world = gh.world();
    writable(&world, &caller, &owner, &name)?;
    let repo = with_commits(&mut world, &owner, &name)?;
    let branch =
        branch_of(&r).ok_or_else(|| ApiError::unprocessable("Reference does not exist"))?;
    if branch == repo.default_branch {
        return Err(ApiError::unprocessable("Cannot delete the default branch"));
    }
    repo.branches
        .remove(branch)
        .ok_or_else(|| ApiError::unprocessable("Reference does not exist"))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
