//! `GET …/compare/changes`, `…/compare/commits` and `…/compare/diff{path}` (the document's
//! `streamChanges`, `streamCommits` and `streamDiff_1`): what `from` (the source, with the
//! changes) has that `to` (the target) has not. Either defaults to the default branch;
//! each is a commit id (or an unambiguous prefix) or a branch, qualified or not. The
//! changes and the diff are taken against the merge base of the two ("the changes available
//! in the from commit but not in the to commit"), the commits are those reachable from
//! `from` and not from `to`, newest first. An unknown `from` or `to` is the documented 404
//! (`NoSuchCommitException`). `fromRepo` (forks) and `whitespace` are not emulated.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};

use super::content::{answer, repo_path};
use super::paging::{Paging, Query};
use super::{render, Caller};
use crate::datacenter::errors::DcError;
use crate::datacenter::model::{Commit, Repository};
use crate::datacenter::DataCenter;
use crate::history::{self, Change, EMPTY};

/// DC's default context: "The shipped setting is 10 lines" (`AbstractDiffRequest
/// .DEFAULT_CONTEXT_LINES`, Bitbucket Data Center's Java API reference).
const DEFAULT_CONTEXT_LINES: usize = 10;

/// `from` and `to`, each defaulting to the default branch's tip.
fn ends<'a>(repo: &'a Repository, q: &Query) -> Result<[&'a Arc<Commit>; 2], DcError> {
    let end = |name: &'static str| {
        let rev = q.text(name).map_or_else(
            || format!("refs/heads/{}", repo.default_branch),
            str::to_owned,
        );
        repo.resolve(&rev)
            .ok_or_else(|| DcError::no_commit(&rev, &repo.slug).about(name))
    };
    Ok([end("from")?, end("to")?])
}

/// The changes in `from` since its merge base with `to`.
fn changes_since_base<'a>(
    repo: &'a Repository,
    from: &'a Commit,
    to: &'a Commit,
) -> Vec<Change<'a>> {
    let base = history::merge_base(repo, &from.id, &to.id).and_then(|id| repo.commits.get(id));
    history::changes(base.map_or(&EMPTY, |c| &*c.tree), &from.tree, true)
}

/// Answers `f`'s JSON about the repository the caller may read, `from` and `to`.
fn compared(
    dc: &DataCenter,
    caller: &Caller,
    key: &str,
    slug: &str,
    q: &Query,
    f: impl FnOnce(&Repository, &Commit, &Commit) -> Value,
) -> Response {
    let world = dc.world();
    answer(caller.readable(&world, key, slug).and_then(|repo| {
        let [from, to] = ends(repo, q)?;
        Ok(f(repo, from, to))
    }))
}

pub(super) async fn changes(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    compared(&dc, &caller, &key, &slug, &q, |repo, from, to| {
        Paging::standard(&q).page(&changes_since_base(repo, from, to), render::change)
    })
}

pub(super) async fn commits(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    compared(&dc, &caller, &key, &slug, &q, |repo, from, to| {
        let commits: Vec<&Arc<Commit>> = history::log(repo, &[&from.id], &[&to.id])
            .into_iter()
            .filter_map(|id| repo.commits.get(id))
            .collect();
        Paging::standard(&q).page(&commits, |c| render::commit(c))
    })
}

pub(super) async fn diff_all(
    dc: State<DataCenter>,
    caller: Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    raw: RawQuery,
) -> Response {
    diff_of(dc, caller, key, slug, String::new(), raw)
}

pub(super) async fn diff(
    dc: State<DataCenter>,
    caller: Extension<Caller>,
    Path((key, slug, path)): Path<(String, String, String)>,
    raw: RawQuery,
) -> Response {
    diff_of(dc, caller, key, slug, path, raw)
}

/// The diff of every changed file, or of `path` (and `srcPath`, a renamed file's old path),
/// with `contextLines` of context (a negative number: the default).
fn diff_of(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    key: String,
    slug: String,
    path: String,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let context = match q.text("contextLines").map(str::parse::<i64>) {
        None => DEFAULT_CONTEXT_LINES,
        Some(Ok(n)) if n < 0 => DEFAULT_CONTEXT_LINES,
        Some(Ok(n)) => n as usize,
        Some(Err(_)) => {
            return DcError::bad_request("contextLines must be a number.")
                .about("contextLines")
                .into_response()
        }
    };
    let paths = match [Some(path.as_str()), q.text("srcPath")]
        .into_iter()
        .flatten()
        .map(repo_path)
        .collect::<Result<Vec<String>, DcError>>()
    {
        Ok(paths) => paths
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>(),
        Err(e) => return e.into_response(),
    };
    let filters: Vec<&str> = paths.iter().map(String::as_str).collect();
    compared(&dc, &caller, &key, &slug, &q, |repo, from, to| {
        let diffs: Vec<Value> = changes_since_base(repo, from, to)
            .iter()
            .filter(|c| c.within(&filters))
            .map(|c| render::diff(c, context))
            .collect();
        json!({ "diffs": diffs, "truncated": false })
    })
}
