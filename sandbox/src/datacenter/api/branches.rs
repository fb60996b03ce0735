//! Branches: list (`filterText`, `orderBy`, `boostMatches`, `details` with `base`, paged),
//! create (both DC's `api/latest` call, answering 200, and the branch-utils
//! one, answering 201), delete (branch-utils), and the two default-branch reads.
//!
//! The document lists only 200/401/404 for `POST /api/latest/…/branches`; DC answers a
//! branch that exists with 409 and a bad name or unknown start point with 400 there too,
//! and so does the sandbox (the contract tests mark those statuses undocumented; the
//! studio does not use this call). The branch-utils create, which the studio uses, answers
//! only what the document declares for it: 201, 400, 401 and 409 (a repository the caller
//! cannot see is its 401, "insufficient repository permissions", not an undeclared 404).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::paging::{Paging, Query};
use super::{render, Caller};
use crate::datacenter::errors::{self, DcError};
use crate::datacenter::model::Repository;
use crate::datacenter::world::World;
use crate::datacenter::DataCenter;

/// Longest branch name (git allows more; DC's UI and most tools stop here).
const MAX_BRANCH_NAME: usize = 255;
const MAX_BODY: usize = 64 * 1024;

/// Git's ref-name rules (`git check-ref-format`), for one branch name.
pub(crate) fn valid_branch_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_BRANCH_NAME
        && name != "@"
        && !name.starts_with(['-', '/'])
        && !name.ends_with(['/', '.'])
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && !name
            .chars()
            .any(|c| c.is_control() || c == ' ' || "~^:?*[\\".contains(c))
        && name
            .split('/')
            .all(|part| !part.starts_with('.') && !part.ends_with(".lock"))
}

/// `refs/heads/x` → `x`.
pub(crate) fn short_name(name: &str) -> &str {
    name.strip_prefix("refs/heads/").unwrap_or(name)
}

/// Whether a new branch `name` collides with an existing one, exactly or as a directory
/// (`a` and `a/b` cannot both exist in git).
fn overlaps(repo: &Repository, name: &str) -> Option<String> {
    repo.branches.keys().find_map(|existing| {
        let clash = existing == name
            || existing.starts_with(&format!("{name}/"))
            || name.starts_with(&format!("{existing}/"));
        clash.then(|| existing.clone())
    })
}

pub(super) async fn list(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let world = dc.world();
    let repo = match caller.readable(&world, &key, &slug) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let filter = q.text("filterText").map(str::to_lowercase);
    let mut found: Vec<(&String, &String)> = repo
        .branches
        .iter()
        .filter(|(name, _)| {
            filter
                .as_ref()
                .is_none_or(|f| name.to_lowercase().contains(f))
        })
        .collect();
    if q.get("orderBy") == Some("MODIFICATION") {
        let when = |id: &String| repo.commits.get(id).map_or(0, |c| c.timestamp_ms);
        found.sort_by(|a, b| when(b.1).cmp(&when(a.1)).then(a.0.cmp(b.0)));
    }
    if let (Some(f), true) = (&filter, q.is_true("boostMatches")) {
        // Exact match first, then prefix matches, then the rest (a stable sort keeps order).
        found.sort_by_key(|(name, _)| {
            let name = name.to_lowercase();
            if &name == f {
                0
            } else if name.starts_with(f.as_str()) {
                1
            } else {
                2
            }
        });
    }
    // `details=true`: "plugin-provided metadata about each branch"; the sandbox's one
    // provider is DC's ahead/behind count against `base` (default: the default branch).
    let base = q
        .is_true("details")
        .then(|| match q.text("base") {
            Some(b) => repo.resolve(b),
            None => repo.default_tip(),
        })
        .flatten();
    let paging = Paging::standard(&q);
    Json(paging.page(&found, |(name, id)| {
        let mut branch = render::branch(repo, name, id);
        if let Some(base) = base {
            let (ahead, behind) = crate::history::ahead_behind(repo, id, &base.id);
            branch["metadata"] = json!({ AHEAD_BEHIND: { "ahead": ahead, "behind": behind } });
        }
        branch
    }))
    .into_response()
}

/// The key DC files its ahead/behind metadata under (its answers to `details=true`; the
/// document's `RestBranch` names no `metadata`, and leaves the object open).
const AHEAD_BEHIND: &str =
    "com.atlassian.bitbucket.server.bitbucket-branch:ahead-behind-metadata-provider";

#[derive(Deserialize)]
struct CreateBody {
    name: Option<String>,
    #[serde(rename = "startPoint")]
    start_point: Option<String>,
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, DcError> {
    if body.len() > MAX_BODY {
        return Err(DcError::bad_request("The request body is too large."));
    }
    serde_json::from_slice(body)
        .map_err(|e| DcError::bad_request(format!("The request body is not valid JSON: {e}")))
}

/// Creates the branch and answers its `RestBranch`.
fn create_branch(
    world: &mut World,
    caller: &Caller,
    key: &str,
    slug: &str,
    body: &[u8],
) -> Result<Value, DcError> {
    let (key, slug) = {
        let repo = caller.writable(world, key, slug)?;
        if repo.archived {
            return Err(DcError::conflict(
                errors::ARCHIVED,
                format!("Repository {}/{} is archived.", repo.project_key, repo.slug),
            ));
        }
        (repo.project_key.clone(), repo.slug.clone())
    };
    let body: CreateBody = parse_body(body)?;
    let name = body
        .name
        .as_deref()
        .map(short_name)
        .unwrap_or_default()
        .to_owned();
    if name.is_empty() {
        return Err(DcError::bad_request("A branch name is required.").about("name"));
    }
    if !valid_branch_name(&name) {
        return Err(DcError::new(
            StatusCode::BAD_REQUEST,
            errors::INVALID_REF_NAME,
            format!("'{name}' is an invalid ref name."),
        )
        .about("name"));
    }
    let Some(start) = body.start_point.filter(|s| !s.is_empty()) else {
        return Err(DcError::bad_request("A startPoint is required.").about("startPoint"));
    };
    let repo = world
        .repository_mut(&key, &slug)
        .ok_or_else(|| DcError::no_repository(&key, &slug))?;
    let Some(commit) = repo.resolve(&start).map(|c| c.id.clone()) else {
        return Err(DcError::bad_request(format!(
            "The startPoint '{start}' does not exist in repository '{slug}'."
        ))
        .about("startPoint"));
    };
    if let Some(existing) = overlaps(repo, &name) {
        return Err(DcError::conflict(
            errors::DUPLICATE_REF,
            format!("Branch '{name}' cannot be created because it overlaps with the existing branch '{existing}'."),
        ));
    }
    repo.branches.insert(name.clone(), commit.clone());
    Ok(render::branch(repo, &name, &commit))
}

/// `POST /api/latest/…/branches`: 200 with the branch.
pub(super) async fn create(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut world = dc.world();
    match create_branch(&mut world, &caller, &key, &slug, &body) {
        Ok(branch) => Json(branch).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /branch-utils/latest/…/branches`: 201 with the branch.
pub(super) async fn create_utils(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut world = dc.world();
    match create_branch(&mut world, &caller, &key, &slug, &body) {
        Ok(branch) => (StatusCode::CREATED, Json(branch)).into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => DcError::not_permitted(format!(
            "You are not permitted to create a branch in repository {key}/{slug}."
        ))
        .into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct DeleteBody {
    name: Option<String>,
    #[serde(rename = "endPoint")]
    end_point: Option<String>,
    #[serde(rename = "dryRun", default)]
    dry_run: bool,
}

/// `DELETE /branch-utils/latest/…/branches`: 204 whether or not the branch existed; 400
/// for no name, the default branch, or an `endPoint` the branch does not point to.
pub(super) async fn delete_utils(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let mut world = dc.world();
    let deleted = (|| {
        let (key, slug) = {
            let repo = caller.writable(&world, &key, &slug)?;
            (repo.project_key.clone(), repo.slug.clone())
        };
        let body: DeleteBody = parse_body(&body)?;
        let name = body
            .name
            .as_deref()
            .map(short_name)
            .unwrap_or_default()
            .to_owned();
        if name.is_empty() {
            return Err(DcError::bad_request("A branch name is required.").about("name"));
        }
        let repo = world
            .repository_mut(&key, &slug)
            .ok_or_else(|| DcError::no_repository(&key, &slug))?;
        if name == repo.default_branch {
            return Err(DcError::bad_request(format!(
                "'{name}' is the default branch and cannot be deleted."
            )));
        }
        if let (Some(end), Some(tip)) = (body.end_point.as_deref(), repo.branches.get(&name)) {
            if !tip.starts_with(end) || end.is_empty() {
                return Err(
                    DcError::bad_request(format!("'{name}' points to {tip}, not {end}."))
                        .about("endPoint"),
                );
            }
        }
        if !body.dry_run {
            repo.branches.remove(&name);
        }
        Ok(())
    })();
    match deleted {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /branches/default` (deprecated in the document): 204 for an empty repository, 404
/// when the configured default branch does not exist, else the `RestBranch`.
pub(super) async fn default_branch_ref(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
) -> Response {
    let world = dc.world();
    let repo = match caller.readable(&world, &key, &slug) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if repo.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    match repo.branches.get(&repo.default_branch) {
        Some(id) => Json(render::branch(repo, &repo.default_branch, id)).into_response(),
        None => DcError::new(
            StatusCode::NOT_FOUND,
            errors::NO_SUCH_BRANCH,
            format!(
                "The default branch '{}' does not exist in repository '{}'.",
                repo.default_branch, repo.slug
            ),
        )
        .into_response(),
    }
}

/// `GET /default-branch`: the *configured* default branch (`RestMinimalRef`), which every
/// repository has, even an empty one, as the document explains.
pub(super) async fn configured_default(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
) -> Response {
    let world = dc.world();
    match caller.readable(&world, &key, &slug) {
        Ok(repo) => Json(render::minimal_ref(&repo.default_branch)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::valid_branch_name;

    #[test]
    fn ref_names() {
        for ok in ["main", "feature/x", "release-1.2", "a_b"] {
            assert!(valid_branch_name(ok), "{ok}");
        }
        for bad in [
            "", "-x", "/x", "x/", "x.", "a..b", "a//b", "a b", "a~b", "a^b", "a:b", "a?b", "a*b",
            "a[b", "a\\b", "@", "a@{b", ".x", "a/.b", "x.lock", "a\u{7}",
        ] {
            assert!(!valid_branch_name(bad), "{bad:?}");
        }
        assert!(!valid_branch_name(&"x".repeat(256)));
    }
}
