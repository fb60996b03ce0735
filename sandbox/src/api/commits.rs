//! `GET /2.0/repositories/{workspace}/{repo_slug}/commits[/{revision}]` and
//! `GET …/commit/{commit}`, after "Bitbucket Cloud REST API — Commits".
//!
//! `commits` lists every commit reachable from any branch; `commits/{revision}`
//! those reachable from a branch or commit; both newest first and paginated.
//! `include` and `exclude` (each repeatable) work as the document describes, as `git log`
//! does: `commits?include=a&exclude=main` is `git log a ^main` (an `include` replaces the
//! "every branch" of `commits`), `commits/dev?include=foo&exclude=main` is
//! `git log dev foo ^main`. An unknown `include` or `exclude` is the revision's 404.
//! `?path=…` keeps the commits that changed that file or anything under that
//! directory (compared with the first parent), which is how the studio shows
//! a file's last commit. `commit/{commit}` takes a hash or unique prefix only
//! (not a branch name). Unknown revisions are a 404 "Commit not found".

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::errors::ApiError;
use super::pagination::{paginate, Params};
use super::source::no_commit;
use super::{render, Caller};
use crate::directory::touches;
use crate::Sandbox;

pub(super) async fn list_all(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    list(sb, caller, workspace, repo_slug, None, uri)
}

pub(super) async fn list_from(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug, revision)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    list(sb, caller, workspace, repo_slug, Some(revision), uri)
}

fn list(
    sb: Sandbox,
    caller: Caller,
    workspace: String,
    repo_slug: String,
    revision: Option<String>,
    uri: Uri,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let params = Params::from_uri(&uri);
    let mut world = sb.world();
    world.directory.prepare(&workspace);
    let dir = &world.directory;
    let Some((ws, repo, _)) = dir.visible_repository(&workspace, &repo_slug, &caller.nickname)
    else {
        return ApiError::no_repository(&workspace, &repo_slug).into_response();
    };
    let resolve = |rev: &str| {
        repo.resolve_revision(rev)
            .map(|c| c.hash.as_str())
            .ok_or_else(|| no_commit(rev))
    };
    let includes = revision
        .iter()
        .map(String::as_str)
        .chain(params.all("include"));
    let mut heads: Vec<&str> = match includes.map(resolve).collect() {
        Ok(heads) => heads,
        Err(e) => return e.into_response(),
    };
    if heads.is_empty() {
        heads = repo.branches.values().map(String::as_str).collect();
    }
    let excluded: Vec<&str> = match params.all("exclude").into_iter().map(resolve).collect() {
        Ok(excluded) => excluded,
        Err(e) => return e.into_response(),
    };
    let mut rows = repo.history(&heads, &excluded);
    if let Some(path) = params.get("path") {
        let path = path.trim_matches('/');
        if !path.is_empty() {
            rows.retain(|c| touches(repo, c, path));
        }
    }
    paginate(&sb, &uri, &params, &rows, |c| {
        render::commit(&sb, dir, ws, repo, c)
    })
}

pub(super) async fn show(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug, hash)): Path<(String, String, String)>,
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
    match repo.resolve_commit(&hash) {
        Some(c) => Json(render::commit(&sb, dir, ws, repo, c)).into_response(),
        None => no_commit(&hash).into_response(),
    }
}
