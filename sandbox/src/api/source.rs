//! `GET /2.0/repositories/{workspace}/{repo_slug}/src[/{commit}/{path}]` and
//! `POST /2.0/repositories/{workspace}/{repo_slug}/src`, after the
//! "Bitbucket Cloud REST API — Source" page.
//!
//! Reading:
//! - `{commit}` is a branch name (which may contain `/`) or a full hash or an
//!   unambiguous prefix of at least 7 hex digits.
//! - A file answers its raw bytes (`text/plain` when they are UTF-8 without
//!   NUL, else `application/octet-stream`); a directory (or the root, an empty
//!   path) answers a paginated listing of `commit_file` / `commit_directory`
//!   objects in path order, with `q` and `sort` on `path`, `type`, `size`.
//! - `?format=meta` answers the JSON object of the file or directory; any
//!   other `format` (Bitbucket also has `rendered`) is a 400.
//! - `GET …/src` without a commit redirects (302) to the main branch tip's
//!   root listing, as Bitbucket does; an empty repository has none: 404.
//!
//! Writing (one commit per request), strict where the documentation is vague:
//! - Body `multipart/form-data` or `application/x-www-form-urlencoded`, at
//!   most [`MAX_BODY`] bytes (413 beyond), anything else 415.
//! - Meta fields `message`, `author` (`Name <email>`), `branch`, `parents`
//!   (comma-separated hashes, at most 2) each at most once; `files` is
//!   repeatable and names paths to delete. Every other field is a file: its
//!   name is the path (one leading `/` allowed), its value the content.
//! - Paths must be relative, without empty, `.` or `..` segments, without
//!   control characters (400). Deleting a path that is not a file is a 400;
//!   a path both deleted and written is written. A file may not be written
//!   where a directory is, or under a file (400).
//! - On an existing branch, a `parents` whose first hash is not the tip is a
//!   409 (the branch moved). A new branch starts from `parents`, else the main
//!   branch tip, else (empty repository) from nothing, and becomes the main
//!   branch if there was none. Unknown parents are a 400.
//! - Answers 201 with an empty body and `Location: …/commit/{hash}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::Multipart;
use serde_json::json;

use super::branches::valid_branch_name;
use super::errors::ApiError;
use super::pagination::{paginate, Params};
use super::query::{filter_and_sort, Kind, Schema, Val};
use super::render::{self, seg};
use super::Caller;
use crate::directory::{
    children, lookup, Commit, Directory, Entry, Permission, Repository, Workspace,
};
use crate::Sandbox;

/// Largest `POST …/src` body accepted.
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024;

const DEFAULT_MESSAGE: &str = "Edited online with Bitbucket";
const META_FIELDS: [&str; 5] = ["message", "author", "branch", "parents", "files"];

const SOURCE: Schema = Schema {
    type_name: "commit_file",
    fields: &[
        ("path", Kind::Str),
        ("type", Kind::Str),
        ("size", Kind::Num),
    ],
    sortable: &["path", "size", "type"],
};

pub(crate) fn no_commit(rev: &str) -> ApiError {
    ApiError::not_found("Commit not found").with("shas", json!([rev]))
}

fn no_path(path: &str) -> ApiError {
    ApiError::not_found(format!("No such file or directory: {path}"))
}

/// `GET …/src`: redirect to the main branch tip's root.
pub(super) async fn root(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let mut world = sb.world();
    world.directory.prepare(&workspace);
    let Some((ws, repo, _)) =
        world
            .directory
            .visible_repository(&workspace, &repo_slug, &caller.nickname)
    else {
        return ApiError::no_repository(&workspace, &repo_slug).into_response();
    };
    let Some(tip) = repo.main_tip() else {
        return ApiError::not_found("This repository is empty: it has no main branch.")
            .into_response();
    };
    let mut target = format!(
        "{}/src/{}/",
        render::repository_api_url(&sb, ws, repo),
        tip.hash
    );
    if let Some(q) = uri.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// `GET …/src/{commit}/{path}`.
/// A file's bytes at the head of `branch`, as `nickname` sees the repository; `None` when
/// the repository, branch or file is not there ([`crate::Sandbox::file_on_branch`]).
pub(crate) fn file_on_branch(
    sb: &Sandbox,
    nickname: &str,
    workspace: &str,
    repo_slug: &str,
    branch: &str,
    path: &str,
) -> Option<Vec<u8>> {
    let mut world = sb.world();
    world.directory.prepare(workspace);
    let (_, repo, _) = world
        .directory
        .visible_repository(workspace, repo_slug, nickname)?;
    let (commit, _) = repo.split_revision(&format!("{branch}/{path}"))?;
    match lookup(&commit.tree, path)? {
        Entry::File(bytes) => Some(bytes.to_vec()),
        Entry::Directory => None,
    }
}

pub(super) async fn read(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug, rest)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let params = Params::from_uri(&uri);
    let meta = match params.get("format") {
        None => false,
        Some("meta") => true,
        Some(other) => {
            return ApiError::bad_request(format!("Invalid format '{other}': use format=meta"))
                .into_response()
        }
    };
    let mut world = sb.world();
    world.directory.prepare(&workspace);
    let dir = &world.directory;
    let Some((ws, repo, _)) = dir.visible_repository(&workspace, &repo_slug, &caller.nickname)
    else {
        return ApiError::no_repository(&workspace, &repo_slug).into_response();
    };
    let Some((commit, raw_path)) = repo.split_revision(&rest) else {
        let rev = rest.split('/').next().unwrap_or_default();
        return no_commit(rev).into_response();
    };
    let trailing_slash = raw_path.ends_with('/');
    let path = raw_path.trim_matches('/');
    if path.split('/').any(|s| s == "." || s == "..") || path.contains("//") {
        return no_path(path).into_response();
    }
    match lookup(&commit.tree, path) {
        None => no_path(path).into_response(),
        Some(Entry::File(_)) if trailing_slash => no_path(raw_path).into_response(),
        Some(Entry::File(bytes)) => {
            if meta {
                let size = Some(bytes.len() as u64);
                Json(render::source_entry(
                    &sb,
                    ws,
                    repo,
                    &commit.hash,
                    path,
                    size,
                ))
                .into_response()
            } else {
                raw(bytes)
            }
        }
        Some(Entry::Directory) => {
            if meta {
                return Json(render::source_entry(
                    &sb,
                    ws,
                    repo,
                    &commit.hash,
                    path,
                    None,
                ))
                .into_response();
            }
            let mut rows = children(&commit.tree, path);
            let result = filter_and_sort(&mut rows, &params, &SOURCE, |(p, size), f| match f {
                "path" => Val::Str(p.clone()),
                "type" => Val::Str(
                    if size.is_some() {
                        "commit_file"
                    } else {
                        "commit_directory"
                    }
                    .into(),
                ),
                "size" => size.map_or(Val::Null, |s| Val::Num(s as f64)),
                _ => Val::Null,
            });
            if let Err(e) = result {
                return e.into_response();
            }
            paginate(&sb, &uri, &params, &rows, |(p, size)| {
                render::source_entry(&sb, ws, repo, &commit.hash, p, *size)
            })
        }
    }
}

fn raw(bytes: &Arc<[u8]>) -> Response {
    let text = !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok();
    let content_type = if text {
        "text/plain"
    } else {
        "application/octet-stream"
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Body::from(bytes.to_vec()),
    )
        .into_response()
}

/// The fields of a `POST …/src` body, in order.
pub(crate) type Fields = Vec<(String, Vec<u8>)>;

async fn read_fields(req: Request) -> Result<Fields, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Request body too large: the limit is {} MiB.",
                MAX_BODY / 1024 / 1024
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.map_err(|_| too_large())?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(url::form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned().into_bytes()))
            .collect());
    }
    if !content_type.starts_with("multipart/form-data") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Content-Type: send multipart/form-data or application/x-www-form-urlencoded.",
        ));
    }
    let malformed = |e: String| ApiError::bad_request("Malformed multipart body").with_detail(e);
    let req = Request::from_parts(parts, Body::from(bytes));
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| malformed(e.body_text()))?;
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| malformed(e.body_text()))?
    {
        let Some(name) = field.name().map(str::to_owned) else {
            return Err(malformed("a part has no field name".into()));
        };
        let data = field.bytes().await.map_err(|e| malformed(e.body_text()))?;
        fields.push((name, data.to_vec()));
    }
    Ok(fields)
}

/// A repository-relative file path from a field name or a `files` value:
/// one leading `/` is allowed, the rest must be clean.
fn normalise_path(raw: &str) -> Result<String, ApiError> {
    let path = raw.strip_prefix('/').unwrap_or(raw);
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.ends_with('/')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
        && !path.chars().any(char::is_control);
    if ok {
        Ok(path.to_owned())
    } else {
        Err(ApiError::bad_request(format!("Invalid path: '{raw}'")))
    }
}

fn text(name: &str, value: Vec<u8>) -> Result<String, ApiError> {
    String::from_utf8(value).map_err(|_| ApiError::bad_request(format!("{name}: not valid UTF-8")))
}

/// `Name <email>` → the email, if the shape is right.
fn author_email(raw: &str) -> Option<&str> {
    let (name, rest) = raw.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    let ok = !name.trim().is_empty()
        && name.ends_with(' ')
        && !name.contains('>')
        && !email.is_empty()
        && !email.contains(['<', '>'])
        && !raw.chars().any(char::is_control);
    ok.then_some(email)
}

#[derive(Default)]
struct Form {
    message: Option<String>,
    author: Option<String>,
    branch: Option<String>,
    parents: Option<String>,
    deletes: Vec<String>,
    writes: BTreeMap<String, Vec<u8>>,
}

fn parse_form(fields: Fields) -> Result<Form, ApiError> {
    let mut form = Form::default();
    for (name, value) in fields {
        let slot = match name.as_str() {
            "message" => &mut form.message,
            "author" => &mut form.author,
            "branch" => &mut form.branch,
            "parents" => &mut form.parents,
            "files" => {
                let v = text("files", value)?;
                form.deletes.push(normalise_path(&v)?);
                continue;
            }
            _ => {
                debug_assert!(!META_FIELDS.contains(&name.as_str()));
                let path = normalise_path(&name)?;
                if form.writes.insert(path.clone(), value).is_some() {
                    return Err(ApiError::bad_request(format!(
                        "File '{path}' is given more than once."
                    )));
                }
                continue;
            }
        };
        if slot.is_some() {
            return Err(ApiError::bad_request(format!(
                "{name}: this field may be given only once."
            )));
        }
        *slot = Some(text(&name, value)?);
    }
    Ok(form)
}

/// `POST …/src`.
pub(super) async fn create(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug)): Path<(String, String)>,
    req: Request,
) -> Response {
    // Atlassian's document gives this 201 no body and no `Location`: a client learns the
    // new commit from the branch, as the studio does.
    match create_commit(&sb, &caller, &workspace, &repo_slug, req).await {
        Ok(_location) => StatusCode::CREATED.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn create_commit(
    sb: &Sandbox,
    caller: &Caller,
    workspace: &str,
    repo_slug: &str,
    req: Request,
) -> Result<String, ApiError> {
    caller.require("repository:write")?;
    let fields = read_fields(req).await?;
    if fields
        .iter()
        .any(|(name, _)| name == super::ACCESS_TOKEN_PARAM)
    {
        return Err(super::token_outside_the_header());
    }
    commit_fields(sb, &caller.nickname, workspace, repo_slug, fields)
}

/// A repository `nickname` may write (call [`Directory::prepare`] first): 404 when they
/// cannot see it, 403 when they can only read it.
pub(crate) fn writable_repository<'d>(
    dir: &'d Directory,
    workspace: &str,
    repo_slug: &str,
    nickname: &str,
) -> Result<(&'d Workspace, &'d Repository), ApiError> {
    let (ws, repo, perm) = dir
        .visible_repository(workspace, repo_slug, nickname)
        .ok_or_else(|| ApiError::no_repository(workspace, repo_slug))?;
    if perm < Permission::Write {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "You do not have write access to this repository.",
        ));
    }
    Ok((ws, repo))
}

/// Makes the commit a `POST …/src` body describes, as `nickname`: the API route's work
/// after authentication, and the control API's way to move a branch "from elsewhere".
/// Answers the new commit's API URL.
pub(crate) fn commit_fields(
    sb: &Sandbox,
    nickname: &str,
    workspace: &str,
    repo_slug: &str,
    fields: Fields,
) -> Result<String, ApiError> {
    let mut world = sb.world();
    let now = world.clock.wall_now();
    world.directory.prepare(workspace);
    let dir = &world.directory;
    let (ws, repo) = writable_repository(dir, workspace, repo_slug, nickname)?;
    let form = parse_form(fields)?;

    let branch = form
        .branch
        .clone()
        .or_else(|| repo.mainbranch.clone())
        .unwrap_or_else(|| "main".to_owned());
    if !valid_branch_name(&branch) {
        return Err(
            ApiError::bad_request(format!("\"{branch}\" is not a valid branch name."))
                .with("key", json!("INVALID_BRANCH_NAME")),
        );
    }
    let mut parents: Vec<String> = Vec::new();
    for p in form
        .parents
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let c = repo
            .resolve_commit(p)
            .ok_or_else(|| ApiError::bad_request(format!("Commit not found: {p}")))?;
        parents.push(c.hash.clone());
    }
    if parents.len() > 2 {
        return Err(ApiError::bad_request(
            "parents: at most two parent commits are supported.",
        ));
    }
    let base: Option<String> = match repo.branches.get(&branch) {
        Some(tip) => {
            if let Some(first) = parents.first() {
                if first != tip {
                    return Err(ApiError::new(
                        StatusCode::CONFLICT,
                        format!(
                            "Branch \"{branch}\" has moved: parent {first} is not its tip {tip}. \
                             Fetch the branch and retry on top of its tip."
                        ),
                    )
                    .with("branch", json!(branch))
                    .with("tip", json!(tip))
                    .with("parents", json!(parents)));
                }
            } else {
                parents.push(tip.clone());
            }
            Some(tip.clone())
        }
        None => {
            if parents.is_empty() {
                if let Some(tip) = repo.main_tip() {
                    parents.push(tip.hash.clone());
                }
            }
            parents.first().cloned()
        }
    };

    let mut tree: BTreeMap<String, Arc<[u8]>> = base
        .as_ref()
        .and_then(|h| repo.commits.get(h))
        .map(|c| (*c.tree).clone())
        .unwrap_or_default();
    for path in &form.deletes {
        if form.writes.contains_key(path) {
            continue;
        }
        if tree.remove(path).is_none() {
            return Err(ApiError::bad_request(format!(
                "Cannot delete '{path}': no such file on branch \"{branch}\"."
            )));
        }
    }
    let mut added = 0u64;
    for (path, content) in &form.writes {
        added += content.len() as u64;
        tree.insert(path.clone(), Arc::from(content.as_slice()));
    }
    for path in form.writes.keys() {
        let mut ancestors = path.match_indices('/').map(|(i, _)| &path[..i]);
        if let Some(file) = ancestors.find(|a| tree.contains_key(*a)) {
            return Err(ApiError::bad_request(format!(
                "Cannot write '{path}': '{file}' is a file."
            )));
        }
        let prefix = format!("{path}/");
        if tree
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
        {
            return Err(ApiError::bad_request(format!(
                "Cannot write '{path}': it is a directory."
            )));
        }
    }

    let (author, author_raw) = match &form.author {
        None => {
            let a = dir
                .account(nickname)
                .ok_or_else(|| ApiError::not_found("User not found"))?;
            (Some(a.nickname.clone()), a.raw_author())
        }
        Some(raw) => {
            let email = author_email(raw).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "author: '{raw}' is not of the form 'Full Name <email>'."
                ))
            })?;
            let user = dir
                .accounts
                .keys()
                .find(|n| email.eq_ignore_ascii_case(&format!("{n}@example.com")))
                .cloned();
            (user, raw.clone())
        }
    };
    let message = form
        .message
        .clone()
        .unwrap_or_else(|| DEFAULT_MESSAGE.to_owned());
    let hash = crate::ids::new_commit_hash(&format!(
        "{workspace}/{repo_slug}:{branch}:{parents:?}:{message}"
    ));
    let location = format!(
        "{}/repositories/{}/{}/commit/{hash}",
        sb.api_url(),
        seg(&ws.slug),
        seg(&repo.slug)
    );
    let commit = Commit {
        hash: hash.clone(),
        parents,
        date: now,
        message,
        author,
        author_raw,
        tree: Arc::new(tree),
    };
    let repo = world
        .directory
        .repository_mut(workspace, repo_slug)
        .ok_or_else(|| ApiError::no_repository(workspace, repo_slug))?;
    repo.commits.insert(hash.clone(), Arc::new(commit));
    repo.branches.insert(branch.clone(), hash);
    if repo.mainbranch.is_none() {
        repo.mainbranch = Some(branch);
    }
    repo.updated_on = now;
    repo.size += added;
    Ok(location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for ok in ["a", "/a", "a/b.yaml", "/dir/x y.txt"] {
            assert!(normalise_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "/", "//a", "a//b", "a/", "../a", "a/./b", "a/..", "a\nb",
        ] {
            assert!(normalise_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn authors() {
        assert_eq!(author_email("Ann Lee <ann@x.org>"), Some("ann@x.org"));
        for bad in [
            "ann@x.org",
            "<ann@x.org>",
            "Ann <>",
            "Ann <a@b> x",
            "Ann<a@b>",
        ] {
            assert!(author_email(bad).is_none(), "{bad}");
        }
    }
}
