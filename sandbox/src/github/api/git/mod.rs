//! The Git data API: refs ([`refs`]) and commits, trees and blobs ([`objects`]) (`…/git/…`).
//! On a repository without a commit every one of them answers 409 "Git Repository is empty."
//! (the first commit goes through `PUT …/contents/{path}`). A ref update must fast-forward
//! unless `force`.

mod objects;
mod refs;

pub(in crate::github::api) use objects::{
    create_blob, create_commit, create_tree, get_commit, get_tree,
};
pub(in crate::github::api) use refs::{create_ref, delete_ref, get_ref, update_ref};

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use super::reply;
use crate::github::errors::ApiError;

type RepoPath = Path<(String, String)>;

pub(super) fn created(value: serde_json::Value, location: &str) -> Response {
    let mut r = reply(StatusCode::CREATED, value);
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// `heads/{branch}` → the branch name; anything else (tags, notes) is not kept here.
pub(super) fn branch_of(r: &str) -> Option<&str> {
    r.strip_prefix("refs/")
        .unwrap_or(r)
        .strip_prefix("heads/")
        .filter(|b| !b.is_empty())
}

pub(super) fn object_missing() -> ApiError {
    ApiError::unprocessable("Object does not exist")
}

/// The repository `owner/name` (names compared without case, as GitHub does), which must
/// have a commit: on an empty repository the Git data API answers 409.
pub(super) fn with_commits<'w>(
    world: &'w mut crate::github::world::World,
    owner: &str,
    name: &str,
) -> Result<&'w mut crate::github::model::Repository, ApiError> {
    let repo = world
        .repository_mut(&owner.to_ascii_lowercase(), &name.to_ascii_lowercase())
        .ok_or_else(ApiError::not_found)?;
    if repo.is_empty() {
        return Err(ApiError::empty_repository());
    }
    Ok(repo)
}
