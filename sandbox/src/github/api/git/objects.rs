//! Commits, trees (a `sha: null` entry deletes its path) and blobs.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, Uri};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::super::paging::{param, query_pairs};
use super::super::render::{self, Urls};
use super::super::{json_body, reply, visible, writable, Caller};
use crate::github::errors::{ApiError, ApiResult};
use crate::github::model::{blob_sha, join, tree_sha, Signature, TreeObject};
use crate::github::world::World;
use crate::github::GitHub;

use super::{created, object_missing, with_commits, RepoPath};

pub(in crate::github::api) async fn get_commit(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, sha)): Path<(String, String, String)>,
) -> ApiResult {
    let world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    if repo.is_empty() {
        return Err(ApiError::empty_repository());
    }
    let commit = repo.commits.get(&sha).ok_or_else(ApiError::not_found)?;
    Ok(reply(
        StatusCode::OK,
        render::git_commit(&Urls::of(&gh), repo, commit),
    ))
}

#[derive(Deserialize)]
struct Person {
    name: String,
    email: String,
    date: Option<String>,
}

#[derive(Deserialize)]
struct NewCommit {
    message: String,
    tree: String,
    #[serde(default)]
    parents: Vec<String>,
    author: Option<Person>,
    committer: Option<Person>,
}

fn signature(person: Option<&Person>, fallback: &Signature) -> Signature {
    person.map_or_else(
        || fallback.clone(),
        |p| Signature {
            name: p.name.clone(),
            email: p.email.clone(),
            date: p
                .date
                .as_deref()
                .and_then(|d| {
                    time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .map_or(fallback.date, |t| t.unix_timestamp()),
        },
    )
}

pub(in crate::github::api) async fn create_commit(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): RepoPath,
    body: Bytes,
) -> ApiResult {
    let mut world = gh.world();
    writable(&world, &caller, &owner, &name)?;
    let body: NewCommit = json_body(&body)?;
    let me = world
        .accounts
        .get(&caller.user)
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let user = Signature {
        name: me,
        email: format!("{}@example.com", caller.user),
        date: world.now_unix(),
    };
    let repo = with_commits(&mut world, &owner, &name)?;
    let tree = repo
        .trees
        .get(&body.tree)
        .filter(|t| t.prefix.is_empty())
        .ok_or_else(|| ApiError::unprocessable("Tree SHA does not exist"))?;
    let files = tree.files.clone();
    if body.parents.iter().any(|p| !repo.commits.contains_key(p)) {
        return Err(ApiError::unprocessable(
            "Parent SHA does not exist or is not a commit object",
        ));
    }
    let author = signature(body.author.as_ref(), &user);
    let committer = signature(body.committer.as_ref(), &author);
    let commit = World::write_commit(repo, files, body.parents, author, committer, &body.message);
    let u = Urls::of(&gh);
    let location = format!("{}/git/commits/{}", u.repo(repo), commit.sha);
    Ok(created(render::git_commit(&u, repo, &commit), &location))
}

/// `git-tree` of directory `prefix` of a snapshot: its entries, or (recursive) every entry
/// under it. Subtrees met are registered so that their SHAs can be fetched in turn.
fn tree_json(
    u: &Urls,
    repo: &mut crate::github::model::Repository,
    sha: &str,
    t: &TreeObject,
    recursive: bool,
) -> serde_json::Value {
    let api = u.repo(repo);
    let mut entries = Vec::new();
    let mut dirs = vec![t.prefix.clone()];
    while let Some(dir) = dirs.pop() {
        for (name, file) in crate::files::children(&t.files, &dir) {
            let full = join(&dir, &name);
            let shown = full[t.prefix.len()..].trim_start_matches('/').to_owned();
            match file {
                Some(bytes) => {
                    let b = blob_sha(bytes);
                    entries.push(json!({"path": shown, "mode": "100644", "type": "blob", "sha": b, "size": bytes.len(), "url": format!("{api}/git/blobs/{b}")}));
                }
                None => {
                    let s = tree_sha(&t.files, &full);
                    repo.trees.entry(s.clone()).or_insert_with(|| TreeObject {
                        files: t.files.clone(),
                        prefix: full.clone(),
                    });
                    entries.push(json!({"path": shown, "mode": "040000", "type": "tree", "sha": s, "url": format!("{api}/git/trees/{s}")}));
                    if recursive {
                        dirs.push(full);
                    }
                }
            }
        }
    }
    entries.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    let truncated = entries.len() > 100_000;
    entries.truncate(100_000);
    json!({"sha": sha, "url": format!("{api}/git/trees/{sha}"), "tree": entries, "truncated": truncated})
}

pub(in crate::github::api) async fn get_tree(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, sha)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    let mut world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    if repo.is_empty() {
        return Err(ApiError::empty_repository());
    }
    let pairs = query_pairs(&uri);
    let recursive =
        param(&pairs, "recursive").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    let owner = repo.owner.clone();
    let repo = world
        .repository_mut(&owner, &name.to_ascii_lowercase())
        .ok_or_else(ApiError::not_found)?;
    let t = match repo.trees.get(&sha) {
        Some(t) => t.clone(),
        None => repo
            .resolve(&sha)
            .map(|c| TreeObject {
                files: c.tree.clone(),
                prefix: String::new(),
            })
            .ok_or_else(ApiError::not_found)?,
    };
    let sha = tree_sha(&t.files, &t.prefix);
    Ok(reply(
        StatusCode::OK,
        tree_json(&Urls::of(&gh), repo, &sha, &t, recursive),
    ))
}

#[derive(Deserialize)]
struct TreeEntry {
    path: String,
    mode: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "present")]
    sha: Option<Option<String>>,
    content: Option<String>,
}

/// Tells `"sha": null` (delete) from no `sha` at all.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
struct NewTree {
    tree: Vec<TreeEntry>,
    base_tree: Option<String>,
}

pub(in crate::github::api) async fn create_tree(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): RepoPath,
    body: Bytes,
) -> ApiResult {
    let mut world = gh.world();
    writable(&world, &caller, &owner, &name)?;
    let body: NewTree = json_body(&body)?;
    let repo = with_commits(&mut world, &owner, &name)?;
    let mut files: BTreeMap<String, Arc<[u8]>> = match &body.base_tree {
        Some(sha) => {
            let base = repo
                .trees
                .get(sha)
                .filter(|t| t.prefix.is_empty())
                .ok_or_else(|| ApiError::unprocessable("base_tree is not a valid tree oid"))?;
            base.files.as_ref().clone()
        }
        None => BTreeMap::new(),
    };
    for e in &body.tree {
        let path = e.path.trim_matches('/').to_owned();
        let invalid = |why: &str| ApiError::unprocessable(format!("tree.path {why}"));
        if path.is_empty()
            || path
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Err(invalid("contains a malformed path component"));
        }
        let kind = e.kind.as_deref().unwrap_or("blob");
        if !matches!(
            e.mode.as_deref(),
            None | Some("100644" | "100755" | "040000")
        ) || !matches!(kind, "blob" | "tree")
        {
            return Err(ApiError::unprocessable(
                "Only blobs and trees are supported in the sandbox",
            ));
        }
        match (&e.sha, &e.content) {
            (Some(_), Some(_)) => return Err(ApiError::unprocessable("Must supply either tree.sha or tree.content. Request will be rejected if both are present.")),
            (Some(None), None) => {
                let prefix = format!("{path}/");
                let before = files.len();
                files.retain(|p, _| *p != path && !p.starts_with(&prefix));
                if files.len() == before {
                    return Err(invalid("does not exist in the base tree"));
                }
            }
            (Some(Some(sha)), None) if kind == "tree" => {
                let t = repo.trees.get(sha).ok_or_else(object_missing)?.clone();
                let under = crate::files::files_under(&t.files, &t.prefix);
                for rel in under {
                    let bytes = t.files[&join(&t.prefix, &rel)].clone();
                    files.insert(join(&path, &rel), bytes);
                }
            }
            (Some(Some(sha)), None) => {
                let bytes = repo.blobs.get(sha).ok_or_else(object_missing)?.clone();
                files.insert(path, bytes);
            }
            (None, Some(text)) => {
                files.insert(path, Arc::from(text.as_bytes()));
            }
            (None, None) => return Err(ApiError::unprocessable("Must supply either tree.sha or tree.content")),
        }
    }
    let files = Arc::new(files);
    let sha = repo.store_tree(&files);
    let t = TreeObject {
        files,
        prefix: String::new(),
    };
    let u = Urls::of(&gh);
    let location = format!("{}/git/trees/{sha}", u.repo(repo));
    Ok(created(tree_json(&u, repo, &sha, &t, false), &location))
}

#[derive(Deserialize)]
struct NewBlob {
    content: String,
    encoding: Option<String>,
}

pub(in crate::github::api) async fn create_blob(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name)): RepoPath,
    body: Bytes,
) -> ApiResult {
    let mut world = gh.world();
    writable(&world, &caller, &owner, &name)?;
    let body: NewBlob = json_body(&body)?;
    let repo = with_commits(&mut world, &owner, &name)?;
    let bytes: Vec<u8> = match body.encoding.as_deref().unwrap_or("utf-8") {
        "utf-8" | "utf8" => body.content.into_bytes(),
        "base64" => STANDARD
            .decode(body.content.replace(['\n', '\r'], ""))
            .map_err(|_| ApiError::unprocessable("content is not valid Base64"))?,
        other => {
            return Err(ApiError::unprocessable(format!(
                "encoding must be utf-8 or base64, not {other}"
            )))
        }
    };
    let sha = blob_sha(&bytes);
    repo.blobs.insert(sha.clone(), Arc::from(bytes));
    let u = Urls::of(&gh);
    let url = format!("{}/git/blobs/{sha}", u.repo(repo));
    Ok(created(json!({"sha": sha, "url": url}), &url))
}
