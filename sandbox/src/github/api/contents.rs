//! `GET/PUT/DELETE …/contents/{path}` and `GET …/commits`.
//!
//! A file's content is base64 with a newline every 60 characters, as GitHub writes it; over
//! 1 MB it is `""` with `encoding: "none"` unless `Accept: application/vnd.github.raw+json`
//! (or `.raw`) asks for the raw bytes. A directory is an array of entries. `PUT` is how a
//! first commit is made in an empty repository (the Git data API answers 409 there); it
//! needs the current blob `sha` to replace a file, and answers 409 when that `sha` is not
//! the file's any more.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::IntoResponse;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::paging::{param, query_pairs, Paging};
use super::render::{self, Urls};
use super::{json_body, reply, visible, writable, Caller};
use crate::files::{children, lookup, Entry};
use crate::github::errors::{ApiError, ApiResult};
use crate::github::model::{blob_sha, join, tree_sha, Repository};
use crate::github::GitHub;

const MAX_INLINE: usize = 1024 * 1024;

fn wrap60(b64: &str) -> String {
    let mut out = String::with_capacity(b64.len() + b64.len() / 60 + 1);
    for (i, c) in b64.chars().enumerate() {
        if i > 0 && i % 60 == 0 {
            out.push('\n');
        }
        out.push(c);
    }
    out.push('\n');
    out
}

/// The fields every content entry shares.
fn entry(
    u: &Urls,
    repo: &Repository,
    rev: &str,
    path: &str,
    kind: &str,
    sha: &str,
    size: usize,
) -> Value {
    let api = u.repo(repo);
    let name = path.rsplit('/').next().unwrap_or(path);
    let self_url = format!(
        "{api}/contents/{path}?ref={}",
        url::form_urlencoded::byte_serialize(rev.as_bytes()).collect::<String>()
    );
    let git = if kind == "dir" {
        format!("{api}/git/trees/{sha}")
    } else {
        format!("{api}/git/blobs/{sha}")
    };
    let html = format!(
        "{}/{}/{}/{rev}/{path}",
        u.web,
        repo.full_name(),
        if kind == "dir" { "tree" } else { "blob" }
    );
    let download =
        (kind == "file").then(|| format!("{}/raw/{}/{rev}/{path}", u.web, repo.full_name()));
    json!({
        "type": kind, "size": size, "name": name, "path": path, "sha": sha,
        "url": self_url, "git_url": git, "html_url": html, "download_url": download,
        "_links": {"self": self_url, "git": git, "html": html},
    })
}

async fn read(
    gh: GitHub,
    caller: Caller,
    owner: String,
    name: String,
    path: String,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult {
    let world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    let pairs = query_pairs(&uri);
    if repo.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "This repository is empty.",
        ));
    }
    let rev = param(&pairs, "ref")
        .filter(|r| !r.is_empty())
        .unwrap_or(&repo.default_branch)
        .to_owned();
    let commit = repo.resolve(&rev).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("No commit found for the ref {rev}"),
        )
    })?;
    let path = path.trim_matches('/').to_owned();
    let u = Urls::of(&gh);
    match lookup(&commit.tree, &path) {
        None => Err(ApiError::not_found()),
        Some(Entry::File(bytes)) => {
            let raw = headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("application/vnd.github.raw"));
            if raw {
                let mut r = (StatusCode::OK, bytes.to_vec()).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/vnd.github.raw; charset=utf-8"),
                );
                return Ok(r);
            }
            let mut v = entry(&u, repo, &rev, &path, "file", &blob_sha(bytes), bytes.len());
            if bytes.len() > MAX_INLINE {
                v["content"] = json!("");
                v["encoding"] = json!("none");
            } else {
                v["content"] = json!(wrap60(&STANDARD.encode(bytes)));
                v["encoding"] = json!("base64");
            }
            Ok(reply(StatusCode::OK, v))
        }
        Some(Entry::Directory) => {
            let mut items: Vec<Value> = children(&commit.tree, &path)
                .into_iter()
                .take(1000)
                .map(|(child, file)| {
                    let full = join(&path, &child);
                    match file {
                        Some(b) => entry(&u, repo, &rev, &full, "file", &blob_sha(b), b.len()),
                        None => entry(
                            &u,
                            repo,
                            &rev,
                            &full,
                            "dir",
                            &tree_sha(&commit.tree, &full),
                            0,
                        ),
                    }
                })
                .collect();
            items.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
            Ok(reply(StatusCode::OK, Value::Array(items)))
        }
    }
}

pub(super) async fn get_root(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult {
    read(gh, caller, owner, name, String::new(), uri, headers).await
}

pub(super) async fn get(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, path)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult {
    read(gh, caller, owner, name, path, uri, headers).await
}

#[derive(Deserialize)]
struct Change {
    message: Option<String>,
    content: Option<String>,
    sha: Option<String>,
    branch: Option<String>,
}

/// PUT (`delete: false`) and DELETE of one file.
fn change(
    gh: &GitHub,
    caller: &Caller,
    owner: &str,
    name: &str,
    path: &str,
    body: &Bytes,
    delete: bool,
) -> ApiResult {
    let mut world = gh.world();
    writable(&world, caller, owner, name)?;
    let body: Change = json_body(body)?;
    let missing =
        |f: &str| ApiError::unprocessable(format!("Invalid request.\n\n\"{f}\" wasn't supplied."));
    let message = body.message.clone().ok_or_else(|| missing("message"))?;
    let content = match (&body.content, delete) {
        (_, true) => None,
        (Some(c), false) => Some(
            STANDARD
                .decode(c.replace(['\n', '\r'], ""))
                .map_err(|_| ApiError::unprocessable("content is not valid Base64"))?,
        ),
        (None, false) => return Err(missing("content")),
    };
    let path = path.trim_matches('/').to_owned();
    let (owner, name) = (owner.to_ascii_lowercase(), name.to_ascii_lowercase());
    let repo = world
        .repository(&owner, &name)
        .ok_or_else(ApiError::not_found)?;
    let branch = body
        .branch
        .clone()
        .unwrap_or_else(|| repo.default_branch.clone());
    let current = match repo.tip(&branch) {
        Some(tip) => tip.tree.get(&path).map(|b| blob_sha(b)),
        None if repo.is_empty() && !delete => None,
        None if repo.is_empty() => return Err(ApiError::not_found()),
        None => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("Branch {branch} not found"),
            ))
        }
    };
    match (&current, &body.sha) {
        (None, _) if delete => return Err(ApiError::not_found()),
        (None, Some(_)) if !delete => {}
        (Some(_), None) => return Err(missing("sha")),
        (Some(now), Some(given)) if now != given => {
            return Err(ApiError::conflict(format!("{path} does not match {given}")))
        }
        _ => {}
    }
    if delete && body.sha.is_none() {
        return Err(missing("sha"));
    }
    let who = world
        .accounts
        .get(&caller.user)
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let email = format!("{}@example.com", caller.user);
    let new = content.map(Arc::<[u8]>::from);
    let commit = match world.commit_file(
        &owner,
        &name,
        &branch,
        &path,
        new.clone(),
        (&who, &email),
        &message,
    ) {
        Some(c) => c,
        // Same content: GitHub still writes a commit; so does the sandbox, with the same tree.
        None => {
            let repo = world
                .repository_mut(&owner, &name)
                .ok_or_else(ApiError::not_found)?;
            let tip = repo.tip(&branch).cloned().ok_or_else(ApiError::not_found)?;
            let sig = crate::github::model::Signature {
                name: who.clone(),
                email: email.clone(),
                date: tip.committer.date + 1,
            };
            let c = crate::github::world::World::write_commit(
                repo,
                tip.tree.clone(),
                vec![tip.sha.clone()],
                sig.clone(),
                sig,
                &message,
            );
            repo.branches.insert(branch.clone(), c.sha.clone());
            c
        }
    };
    let repo = world
        .repository(&owner, &name)
        .ok_or_else(ApiError::not_found)?;
    let u = Urls::of(gh);
    let content = new.map(|b| entry(&u, repo, &branch, &path, "file", &blob_sha(&b), b.len()));
    let status = if current.is_none() && !delete {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(reply(
        status,
        json!({"content": content, "commit": render::git_commit(&u, repo, &commit)}),
    ))
}

pub(super) async fn put(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, path)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    change(&gh, &caller, &owner, &name, &path, &body, false)
}

pub(super) async fn delete(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, path)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    change(&gh, &caller, &owner, &name, &path, &body, true)
}

/// `GET …/commits?sha=&path=&per_page=&page=`: newest first, by first parent.
pub(super) async fn commits(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult {
    let pairs = query_pairs(&uri);
    let paging = Paging::of(&pairs);
    let world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    if repo.is_empty() {
        return Err(ApiError::empty_repository());
    }
    let rev = param(&pairs, "sha")
        .filter(|s| !s.is_empty())
        .unwrap_or(&repo.default_branch);
    let tip = repo.resolve(rev).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("No commit found for SHA: {rev}"),
        )
    })?;
    let path = param(&pairs, "path").unwrap_or("").trim_matches('/');
    let all: Vec<_> = repo.history(tip).filter(|c| c.touches(path)).collect();
    let u = Urls::of(&gh);
    let page: Vec<Value> = all[paging.range(all.len())]
        .iter()
        .map(|c| render::commit(&u, &world, repo, c))
        .collect();
    let mut response = reply(StatusCode::OK, Value::Array(page));
    paging.link(
        &mut response,
        &format!("{}/commits", u.repo(repo)),
        &pairs,
        all.len(),
    );
    Ok(response)
}
