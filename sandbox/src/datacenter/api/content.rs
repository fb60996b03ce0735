//! Reading files: `browse` (a file's lines, or a directory's children), `raw`, `files` (every
//! file path under a directory, recursively) and `last-modified`.
//!
//! The document gives `browse` and `raw` no schema ("responses vary widely"), so their
//! shapes are DC's as its own clients read them: a file is `{lines:[{text}], start, size,
//! isLastPage}`, a directory `{path, revision, children:{…page of {path, type, size?,
//! contentId?}}}` with child paths relative to the directory. `?size=true` and
//! `?type=true` answer `{size}` and `{type}`, as the document describes.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::paging::{Paging, Query};
use super::{render, Caller};
use crate::datacenter::errors::{self, DcError};
use crate::datacenter::model::{children, files_under, lookup, Commit, Entry, Repository};
use crate::datacenter::DataCenter;
use crate::ids::hex;

/// Longest file path, and most directories deep, a request may name.
pub(crate) const MAX_FILE_PATH: usize = 1024;
pub(crate) const MAX_DEPTH: usize = 64;
/// A file's lines, or a directory's children, per page of `browse`.
const BROWSE_DEFAULT: usize = 500;
const BROWSE_MAX: usize = 5000;

/// A repository path from the URL: no leading or trailing `/`, no empty, `.` or `..`
/// segment, no control character, bounded length and depth. `""` is the root.
pub(crate) fn repo_path(raw: &str) -> Result<String, DcError> {
    let path = raw.trim_matches('/');
    let bad = |why: &str| {
        Err(DcError::bad_request(format!("Invalid path '{raw}': {why}.")).about("path"))
    };
    if path.len() > MAX_FILE_PATH {
        return bad("too long");
    }
    if path.is_empty() {
        return Ok(String::new());
    }
    if path.split('/').count() > MAX_DEPTH {
        return bad("too deep");
    }
    if path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return bad("empty, '.' or '..' segment");
    }
    if path.chars().any(char::is_control) {
        return bad("control character");
    }
    Ok(path.to_owned())
}

/// The commit `at` names (default: the default branch's tip); 404 when there is none.
pub(crate) fn at_commit<'r>(
    repo: &'r Repository,
    at: Option<&str>,
) -> Result<&'r Arc<Commit>, DcError> {
    match at {
        Some(rev) => repo
            .resolve(rev)
            .ok_or_else(|| DcError::no_commit(rev, &repo.slug)),
        None => repo
            .default_tip()
            .ok_or_else(|| DcError::no_commit(&repo.default_branch, &repo.slug)),
    }
}

fn no_path(path: &str, at: &str) -> DcError {
    DcError::new(
        StatusCode::NOT_FOUND,
        errors::NO_SUCH_PATH,
        format!("The path \"{path}\" does not exist at revision \"{at}\"."),
    )
}

fn path_json(path: &str) -> Value {
    let components: Vec<&str> = if path.is_empty() {
        Vec::new()
    } else {
        path.split('/').collect()
    };
    let name = components.last().copied().unwrap_or("");
    let mut v = json!({
        "components": components,
        "parent": components[..components.len().saturating_sub(1)].join("/"),
        "name": name,
        "toString": path,
    });
    if let Some((_, ext)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()) {
        v["extension"] = json!(ext);
    }
    v
}

fn content_id(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)[..20])
}

fn lines(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() && bytes.is_empty() {
        return Vec::new();
    }
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
        .collect()
}

fn browse_at(
    dc: &DataCenter,
    caller: &Caller,
    key: &str,
    slug: &str,
    raw_path: &str,
    q: &Query,
) -> Result<Value, DcError> {
    let path = repo_path(raw_path)?;
    let world = dc.world();
    let repo = caller.readable(&world, key, slug)?;
    let at = q.text("at");
    let commit = at_commit(repo, at)?;
    let revision = at.unwrap_or(&repo.default_branch);
    let paging = Paging::from_query(q, BROWSE_DEFAULT, BROWSE_MAX);
    match lookup(&commit.tree, &path) {
        None => Err(no_path(&path, revision)),
        Some(Entry::File(bytes)) => {
            if q.is_true("size") {
                return Ok(json!({ "size": bytes.len() }));
            }
            if q.is_true("type") {
                return Ok(json!({ "type": "FILE" }));
            }
            let all = lines(bytes);
            let mut page = paging.page(&all, |l| json!({ "text": l }));
            // A file page names its lines `lines`, not `values`, and has no `limit`.
            let object = page.as_object_mut().expect("a page is an object");
            let values = object.remove("values").unwrap_or_default();
            object.remove("limit");
            object.insert("lines".into(), values);
            Ok(page)
        }
        Some(Entry::Directory) => {
            if q.is_true("size") {
                return Err(DcError::bad_request(format!(
                    "\"{path}\" is a directory; size is for files."
                ))
                .about("path"));
            }
            if q.is_true("type") {
                return Ok(json!({ "type": "DIRECTORY" }));
            }
            let entries = children(&commit.tree, &path);
            let page = paging.page(&entries, |(name, file)| match file {
                Some(bytes) => json!({
                    "path": path_json(name),
                    "contentId": content_id(bytes),
                    "type": "FILE",
                    "size": bytes.len(),
                }),
                None => json!({ "path": path_json(name), "type": "DIRECTORY" }),
            });
            Ok(json!({ "path": path_json(&path), "revision": revision, "children": page }))
        }
    }
}

pub(super) async fn browse_root(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    answer(browse_at(&dc, &caller, &key, &slug, "", &q))
}

pub(super) async fn browse(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, path)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    answer(browse_at(&dc, &caller, &key, &slug, &path, &q))
}

pub(super) fn answer(result: Result<Value, DcError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(super) async fn raw(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, raw_path)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let bytes = (|| {
        let path = repo_path(&raw_path)?;
        let world = dc.world();
        let repo = caller.readable(&world, &key, &slug)?;
        let at = q.text("at");
        let commit = at_commit(repo, at)?;
        match lookup(&commit.tree, &path) {
            Some(Entry::File(bytes)) => Ok(bytes.clone()),
            _ => Err(no_path(&path, at.unwrap_or(&repo.default_branch))),
        }
    })();
    match bytes {
        Ok(bytes) => {
            let content_type = if std::str::from_utf8(&bytes).is_ok() {
                "text/plain; charset=utf-8"
            } else {
                "application/octet-stream"
            };
            (
                [(header::CONTENT_TYPE, content_type)],
                Body::from(bytes.to_vec()),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn files_at(
    dc: &DataCenter,
    caller: &Caller,
    key: &str,
    slug: &str,
    raw_path: &str,
    q: &Query,
) -> Result<Value, DcError> {
    let path = repo_path(raw_path)?;
    let world = dc.world();
    let repo = caller.readable(&world, key, slug)?;
    let at = q.text("at");
    let commit = at_commit(repo, at)?;
    match lookup(&commit.tree, &path) {
        None => Err(no_path(&path, at.unwrap_or(&repo.default_branch))),
        Some(Entry::File(_)) => Err(DcError::bad_request(format!(
            "\"{path}\" is a file, not a directory."
        ))
        .about("path")),
        Some(Entry::Directory) => {
            let all = files_under(&commit.tree, &path);
            Ok(Paging::standard(q).page(&all, |p| json!(p)))
        }
    }
}

pub(super) async fn files_root(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    answer(files_at(&dc, &caller, &key, &slug, "", &q))
}

pub(super) async fn files(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, path)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    answer(files_at(&dc, &caller, &key, &slug, &path, &q))
}

/// `{files: {child name → the last commit changing it}, latestCommit}`; `at` is required.
fn last_modified_at(
    dc: &DataCenter,
    caller: &Caller,
    key: &str,
    slug: &str,
    raw_path: &str,
    q: &Query,
) -> Result<Value, DcError> {
    let path = repo_path(raw_path)?;
    let world = dc.world();
    let repo = caller.readable(&world, key, slug)?;
    let Some(at) = q.text("at") else {
        return Err(DcError::bad_request("An explicit at commit is required.").about("at"));
    };
    let commit = at_commit(repo, Some(at))?;
    if !matches!(lookup(&commit.tree, &path), Some(Entry::Directory)) {
        return Err(no_path(&path, at));
    }
    let latest = if path.is_empty() {
        Some(commit)
    } else {
        repo.last_change(commit, &path)
    };
    let mut files = Map::new();
    for (name, _) in children(&commit.tree, &path) {
        let full = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}/{name}")
        };
        if let Some(c) = repo.last_change(commit, &full) {
            files.insert(name, render::commit(c));
        }
    }
    let mut out = json!({ "files": files });
    if let Some(c) = latest {
        out["latestCommit"] = render::commit(c);
    }
    Ok(out)
}

pub(super) async fn last_modified_root(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    answer(last_modified_at(&dc, &caller, &key, &slug, "", &q))
}

pub(super) async fn last_modified(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, path)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    answer(last_modified_at(&dc, &caller, &key, &slug, &path, &q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_clean() {
        assert_eq!(repo_path("/a/b/").unwrap(), "a/b");
        assert_eq!(repo_path("").unwrap(), "");
        assert!(repo_path("a//b").is_err());
        assert!(repo_path("a/../b").is_err());
        assert!(repo_path("a/\u{0}").is_err());
        assert!(repo_path(&"a/".repeat(65)).is_err());
        assert!(repo_path(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn lines_drop_the_final_newline_only() {
        assert_eq!(lines(b"a\nb\n"), vec!["a", "b"]);
        assert_eq!(lines(b"a\n\n"), vec!["a", ""]);
        assert_eq!(lines(b"a\r\nb"), vec!["a", "b"]);
        assert!(lines(b"").is_empty());
    }

    #[test]
    fn path_shapes() {
        let p = path_json("pipelines/orders.orch.yaml");
        assert_eq!(p["components"], json!(["pipelines", "orders.orch.yaml"]));
        assert_eq!(p["parent"], "pipelines");
        assert_eq!(p["extension"], "yaml");
        assert!(path_json(".gitignore").get("extension").is_none());
    }
}
