//! `GET …/diffstat/{spec}`, `GET …/diff/{spec}` and `GET …/merge-base/{revspec}`, after
//! the document's "Compare two commit diff stats", "Compare two commits" and "Get the
//! common ancestor between two commits".
//!
//! A `spec` is one commit (compared with its first parent) or `source..destination`, each a
//! branch name or a hash: "the first commit is the one with the changes", the opposite of
//! `git diff`. By default the comparison is the "three-dot" one, from the merge base of the
//! two to `source` (`topic`, "if omitted, defaults to true"; the deprecated `merge`, "true if
//! omitted", is read the same way, and naming both is a 400 as the document forbids it);
//! `topic=false` compares `destination` with `source` directly. `path` (repeatable) keeps
//! the files at or under it; `renames=false` turns rename detection off. `ignore_whitespace`
//! is not emulated. An unknown revision is a 404 "Commit not found".

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::errors::ApiError;
use super::pagination::{paginate_by, PageLen, Params};
use super::source::no_commit;
use super::{render, Caller};
use crate::directory::{Commit, Directory, Repository, Workspace};
use crate::history::{self, changes, Change, EMPTY};
use crate::Sandbox;

/// The document's `paginated_diffstats`: "The default value is 500 with 5000 being the
/// maximum allowed value."
const DIFFSTAT_PAGES: PageLen = PageLen {
    default: 500,
    max: 5000,
};

/// Git's default context.
const DEFAULT_CONTEXT: usize = 3;

/// Finds the repository the caller may read and answers `f`'s response about it.
fn with_repository(
    sb: &Sandbox,
    caller: &Caller,
    workspace: &str,
    repo_slug: &str,
    f: impl FnOnce(&Directory, &Workspace, &Repository) -> Result<Response, ApiError>,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let mut world = sb.world();
    world.directory.prepare(workspace);
    let dir = &world.directory;
    let Some((ws, repo, _)) = dir.visible_repository(workspace, repo_slug, &caller.nickname) else {
        return ApiError::no_repository(workspace, repo_slug).into_response();
    };
    f(dir, ws, repo).unwrap_or_else(IntoResponse::into_response)
}

fn resolve<'a>(repo: &'a Repository, rev: &str) -> Result<&'a Arc<Commit>, ApiError> {
    repo.resolve_revision(rev).ok_or_else(|| no_commit(rev))
}

/// What a spec sets side by side: the old commit (`None`: nothing, before a root commit or
/// between unrelated histories) and the new one.
struct Compared<'a> {
    old: Option<&'a Arc<Commit>>,
    new: &'a Arc<Commit>,
}

impl Compared<'_> {
    fn changes(&self, params: &Params) -> Result<Vec<Change<'_>>, ApiError> {
        let renames = params.flag("renames", true)?;
        let old = self.old.map_or(&EMPTY, |c| &*c.tree);
        let paths = params.all("path");
        let mut found = changes(old, &self.new.tree, renames);
        found.retain(|c| c.within(&paths));
        Ok(found)
    }

    fn old_hash(&self) -> &str {
        self.old.map_or("", |c| c.hash.as_str())
    }
}

fn compared<'a>(
    repo: &'a Repository,
    spec: &str,
    params: &Params,
) -> Result<Compared<'a>, ApiError> {
    if params.get("merge").is_some() && params.get("topic").is_some() {
        return Err(ApiError::bad_request(
            "The 'merge' and 'topic' parameters cannot be both used at the same time.",
        ));
    }
    let three_dot = match params.get("topic") {
        Some(_) => params.flag("topic", true)?,
        None => params.flag("merge", true)?,
    };
    let Some((source, destination)) = spec.split_once("..") else {
        let new = resolve(repo, spec)?;
        let old = new.parents.first().and_then(|p| repo.commits.get(p));
        return Ok(Compared { old, new });
    };
    let new = resolve(repo, source)?;
    let destination = resolve(repo, destination)?;
    let old = if three_dot {
        history::merge_base(repo, &new.hash, &destination.hash).and_then(|h| repo.commits.get(h))
    } else {
        Some(destination)
    };
    Ok(Compared { old, new })
}

pub(super) async fn diffstat(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug, spec)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    let params = Params::from_uri(&uri);
    with_repository(&sb, &caller, &workspace, &repo_slug, |_, ws, repo| {
        let compared = compared(repo, &spec, &params)?;
        let rows = compared.changes(&params)?;
        let (old, new) = (compared.old_hash(), compared.new.hash.as_str());
        Ok(paginate_by(
            &sb,
            &uri,
            &params,
            &rows,
            DIFFSTAT_PAGES,
            |c| render::diffstat(&sb, ws, repo, c, old, new),
        ))
    })
}

pub(super) async fn diff(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug, spec)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    let params = Params::from_uri(&uri);
    with_repository(&sb, &caller, &workspace, &repo_slug, |_, _, repo| {
        let context = match params.get("context") {
            None => DEFAULT_CONTEXT,
            Some(n) => n
                .parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("Invalid context '{n}'")))?,
        };
        let binary = params.flag("binary", true)?;
        let compared = compared(repo, &spec, &params)?;
        let text = history::git_diff(&compared.changes(&params)?, context, binary);
        // "The raw diff is returned as-is … the content-type is `text/plain`."
        Ok(([(header::CONTENT_TYPE, "text/plain")], text).into_response())
    })
}

pub(super) async fn merge_base(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug, revspec)): Path<(String, String, String)>,
) -> Response {
    with_repository(&sb, &caller, &workspace, &repo_slug, |dir, ws, repo| {
        // The document lists 401, 403 and 404 only: a revspec that is not two commits
        // names no commit pair, so it is that 404.
        let Some((a, b)) = revspec.split_once("..") else {
            return Err(no_commit(&revspec));
        };
        let (a, b) = (resolve(repo, a)?, resolve(repo, b)?);
        let base = history::merge_base(repo, &a.hash, &b.hash)
            .and_then(|h| repo.commits.get(h))
            .ok_or_else(|| {
                ApiError::not_found(format!("{} and {} have no common ancestor", a.hash, b.hash))
            })?;
        Ok(Json(render::commit(&sb, dir, ws, repo, base)).into_response())
    })
}
