//! `GET/POST /2.0/repositories/{workspace}/{repo_slug}/refs/branches` and
//! `GET …/refs/branches/{name}`.
//!
//! The studio requires a branch named `main` and offers to create it, so
//! creation follows Bitbucket's rules closely: `repository:write` scope, write
//! permission, a valid git ref name that does not exist yet, and a target
//! commit that exists in the repository (full hash or unique prefix).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::errors::ApiError;
use super::pagination::{paginate, Params};
use super::query::{filter_and_sort, Kind, Schema, Val};
use super::{render, Caller};
use crate::directory::{Commit, Permission};
use crate::Sandbox;

const BRANCH: Schema = Schema {
    type_name: "branch",
    fields: &[
        ("name", Kind::Str),
        ("target.hash", Kind::Str),
        ("target.date", Kind::Date),
    ],
    sortable: &["name", "target.date"],
};

pub(super) async fn list(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let params = Params::from_uri(&uri);
    {
        let mut world = sb.world();
        world.directory.prepare(&workspace);
        let dir = &world.directory;
        let Some((ws, repo, _)) = dir.visible_repository(&workspace, &repo_slug, &caller.nickname)
        else {
            return ApiError::no_repository(&workspace, &repo_slug).into_response();
        };
        let mut rows: Vec<(&String, &Arc<Commit>)> = repo
            .branches
            .iter()
            .filter_map(|(name, hash)| repo.commits.get(hash).map(|c| (name, c)))
            .collect();
        let result = filter_and_sort(&mut rows, &params, &BRANCH, |(name, c), f| match f {
            "name" => Val::Str((*name).clone()),
            "target.hash" => Val::Str(c.hash.clone()),
            "target.date" => Val::Date(c.date),
            _ => Val::Null,
        });
        if let Err(e) = result {
            return e.into_response();
        }
        paginate(&sb, &uri, &params, &rows, |(name, c)| {
            render::branch(&sb, dir, ws, repo, name, c)
        })
    }
}

pub(super) async fn show(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug, name)): Path<(String, String, String)>,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let mut world = sb.world();
    world.directory.prepare(&workspace);
    let dir = &world.directory;
    let Some((ws, repo, _)) = dir.visible_repository(&workspace, &repo_slug, &caller.nickname)
    else {
        return ApiError::no_repository(&workspace, &repo_slug).into_response();
    };
    match repo
        .branches
        .get(&name)
        .and_then(|hash| repo.commits.get(hash))
    {
        Some(c) => Json(render::branch(&sb, dir, ws, repo, &name, c)).into_response(),
        None => ApiError::not_found(format!("Branch \"{name}\" does not exist.")).into_response(),
    }
}

/// `git check-ref-format --branch`, in short.
pub(super) fn valid_branch_name(name: &str) -> bool {
    !name.is_empty()
        && name != "@"
        && !name.starts_with(['-', '/'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && !name.split('/').any(|part| part.starts_with('.'))
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
}

pub(super) async fn create(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(e) = caller.require("repository:write") {
        return e.into_response();
    }
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    let mut world = sb.world();
    world.directory.prepare(&workspace);
    let (target_hash, name) = {
        let dir = &world.directory;
        let Some((_, repo, perm)) =
            dir.visible_repository(&workspace, &repo_slug, &caller.nickname)
        else {
            return ApiError::no_repository(&workspace, &repo_slug).into_response();
        };
        if perm < Permission::Write {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "You do not have write access to this repository.",
            )
            .into_response();
        }
        let body = match parsed {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return ApiError::bad_request("Bad request")
                    .with_detail("The body must be a JSON object.")
                    .into_response()
            }
            Err(e) => {
                return ApiError::bad_request("Bad request")
                    .with_detail(e.to_string())
                    .into_response()
            }
        };
        let Some(name) = body.get("name").and_then(Value::as_str) else {
            return ApiError::bad_request("name: This field is required.").into_response();
        };
        let Some(hash) = body.pointer("/target/hash").and_then(Value::as_str) else {
            return ApiError::bad_request("target.hash: This field is required.").into_response();
        };
        if !valid_branch_name(name) {
            return ApiError::bad_request(format!("\"{name}\" is not a valid branch name."))
                .with("key", json!("INVALID_BRANCH_NAME"))
                .into_response();
        }
        if repo.branches.contains_key(name) {
            return ApiError::bad_request(format!("Branch \"{name}\" already exists."))
                .with("key", json!("BRANCH_ALREADY_EXISTS"))
                .into_response();
        }
        let Some(target) = repo.resolve_commit(hash) else {
            return ApiError::bad_request(format!(
                "Commit \"{hash}\" not found in {workspace}/{repo_slug}."
            ))
            .into_response();
        };
        (target.hash.clone(), name.to_owned())
    };
    if let Some(repo) = world.directory.repository_mut(&workspace, &repo_slug) {
        repo.branches.insert(name.clone(), target_hash.clone());
    }
    let dir = &world.directory;
    let Some((ws, repo, _)) = dir.visible_repository(&workspace, &repo_slug, &caller.nickname)
    else {
        return ApiError::no_repository(&workspace, &repo_slug).into_response();
    };
    let Some(commit) = repo.commits.get(&target_hash) else {
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
            .into_response();
    };
    let body = render::branch(&sb, dir, ws, repo, &name, commit);
    let mut response = (StatusCode::CREATED, Json(body.clone())).into_response();
    if let Some(location) = body
        .pointer("/links/self/href")
        .and_then(Value::as_str)
        .and_then(|s| HeaderValue::from_str(s).ok())
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::valid_branch_name;

    #[test]
    fn branch_names() {
        for ok in ["main", "feature/x", "release-1.2", "a@b"] {
            assert!(valid_branch_name(ok), "{ok}");
        }
        for bad in [
            "", "-x", "/x", "x/", "x.", "a..b", "a b", "a:b", "x.lock", "a/.b", "@", "a@{b",
        ] {
            assert!(!valid_branch_name(bad), "{bad}");
        }
    }
}
