//! `GET /commits` (newest first, from `until` or the default branch's tip, down to but not
//! including `since`, optionally only those touching `path`) and `GET /commits/{commitId}`.
//! An unknown `until` or `since` is a 400, as the document says.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::content::repo_path;
use super::paging::{Paging, Query};
use super::{render, Caller};
use crate::datacenter::errors::{self, DcError};
use crate::datacenter::model::Commit;
use crate::datacenter::DataCenter;

fn invalid_rev(rev: &str, slug: &str, field: &'static str) -> DcError {
    DcError::new(
        StatusCode::BAD_REQUEST,
        errors::NO_SUCH_COMMIT,
        format!("Commit '{rev}' does not exist in repository '{slug}'."),
    )
    .about(field)
}

pub(super) async fn list(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let paging = Paging::standard(&q);
    let path = match q.text("path").map(repo_path).transpose() {
        Ok(p) => p.filter(|p| !p.is_empty()),
        Err(e) => return e.into_response(),
    };
    let world = dc.world();
    let repo = match caller.readable(&world, &key, &slug) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let tip = match q.text("until") {
        Some(rev) => match repo.resolve(rev) {
            Some(c) => Some(c),
            None => return invalid_rev(rev, &repo.slug, "until").into_response(),
        },
        None => repo.default_tip(),
    };
    let since = match q.text("since") {
        Some(rev) => match repo.resolve(rev) {
            Some(c) => Some(c.id.clone()),
            None => return invalid_rev(rev, &repo.slug, "since").into_response(),
        },
        None => None,
    };
    let found: Vec<&Arc<Commit>> = match tip {
        None => Vec::new(),
        Some(tip) => repo
            .history(tip)
            .take_while(|c| since.as_deref() != Some(c.id.as_str()))
            .filter(|c| path.as_deref().is_none_or(|p| c.touches(p)))
            .collect(),
    };
    Json(paging.page(&found, |c| render::commit(c))).into_response()
}

pub(super) async fn show(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, id)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let world = dc.world();
    let repo = match caller.readable(&world, &key, &slug) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if id.len() > 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return DcError::bad_request(format!("'{id}' is not a commit ID."))
            .about("commitId")
            .into_response();
    }
    let Some(commit) = repo.commit_by_id(&id) else {
        return DcError::no_commit(&id, &repo.slug).into_response();
    };
    let path = match q.text("path").map(repo_path).transpose() {
        Ok(p) => p.filter(|p| !p.is_empty()),
        Err(e) => return e.into_response(),
    };
    let shown = match path {
        // "the first commit affecting the specified path", starting from this one.
        Some(p) => match repo.last_change(commit, &p) {
            Some(c) => c,
            None => return DcError::no_commit(&id, &repo.slug).into_response(),
        },
        None => commit,
    };
    Json(render::commit(shown)).into_response()
}
