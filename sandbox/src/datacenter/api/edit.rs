//! `PUT /browse/{path}`: DC's file edit, a multipart form of `content`, `branch`, `message`,
//! `sourceCommitId` and `sourceBranch` that makes one commit changing exactly that file.
//!
//! The document's statuses, checked in this order: 404 (repository unknown or unreadable),
//! 401 (no write permission, token without `REPO_WRITE` included), 400 (`branch` or `content`
//! missing, bad field), 404 (branch unknown), 409 (repository archived; creating a file that
//! exists; the file changed on the branch since `sourceCommitId`, i.e. the last commit
//! touching it is not `sourceCommitId` or one of its ancestors; content identical to the
//! file's). The body is bounded (10 MiB of content, 16 parts), and so is the path.
//!
//! An empty repository takes a first commit on the branch named (DC's "create the first
//! file" case); otherwise a branch that does not exist needs `sourceBranch` to start from.
//! DC offers no file delete in this document, and neither does the sandbox.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use axum_extra::extract::Multipart;

use super::branches::{short_name, valid_branch_name};
use super::content::repo_path;
use super::{render, Caller};
use crate::datacenter::errors::{self, DcError};
use crate::datacenter::model::{lookup, Entry};
use crate::datacenter::DataCenter;

/// Largest file content a save may carry.
pub(crate) const MAX_CONTENT: usize = 10 * 1024 * 1024;
/// The whole body: the content plus the small fields and multipart framing.
const MAX_BODY: usize = MAX_CONTENT + 256 * 1024;
const MAX_PARTS: usize = 16;
const MAX_MESSAGE: usize = 64 * 1024;

/// The form, read.
#[derive(Default)]
struct EditForm {
    content: Option<Vec<u8>>,
    branch: Option<String>,
    message: Option<String>,
    source_commit: Option<String>,
    source_branch: Option<String>,
}

fn too_large() -> DcError {
    DcError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        errors::TOO_LARGE,
        format!(
            "The request is too large: file content is limited to {} MiB.",
            MAX_CONTENT / 1024 / 1024
        ),
    )
}

fn text(name: &'static str, bytes: Vec<u8>, max: usize) -> Result<String, DcError> {
    if bytes.len() > max {
        return Err(DcError::bad_request(format!("{name} is too long.")).about(name));
    }
    String::from_utf8(bytes)
        .map_err(|_| DcError::bad_request(format!("{name} is not valid UTF-8.")).about(name))
}

/// Fills a field of the form; a field sent twice is refused.
fn once<T>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), DcError> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(DcError::bad_request(format!(
            "The field {name} was sent more than once."
        ))),
    }
}

async fn read_form(request: Request) -> Result<EditForm, DcError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(DcError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            errors::VALIDATION,
            "The file edit takes multipart/form-data.",
        ));
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.map_err(|_| too_large())?;
    let malformed = |e: String| DcError::bad_request(format!("Malformed multipart body: {e}"));
    let mut multipart = Multipart::from_request(Request::from_parts(parts, Body::from(bytes)), &())
        .await
        .map_err(|e| malformed(e.body_text()))?;
    let mut form = EditForm::default();
    let mut count = 0;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| malformed(e.body_text()))?
    {
        count += 1;
        if count > MAX_PARTS {
            return Err(DcError::bad_request(format!(
                "At most {MAX_PARTS} form fields are accepted."
            )));
        }
        let name = field.name().unwrap_or("").to_owned();
        let data = field
            .bytes()
            .await
            .map_err(|e| malformed(e.body_text()))?
            .to_vec();
        match name.as_str() {
            "content" => {
                if data.len() > MAX_CONTENT {
                    return Err(too_large());
                }
                once(&mut form.content, data, "content")?;
            }
            "branch" => once(&mut form.branch, text("branch", data, 1024)?, "branch")?,
            "message" => once(
                &mut form.message,
                text("message", data, MAX_MESSAGE)?,
                "message",
            )?,
            "sourceCommitId" => once(
                &mut form.source_commit,
                text("sourceCommitId", data, 64)?,
                "sourceCommitId",
            )?,
            "sourceBranch" => once(
                &mut form.source_branch,
                text("sourceBranch", data, 1024)?,
                "sourceBranch",
            )?,
            // Unknown fields are ignored, as DC ignores them.
            _ => {}
        }
    }
    Ok(form)
}

pub(super) async fn edit_file(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug, raw_path)): Path<(String, String, String)>,
    request: Request,
) -> Response {
    match edit(&dc, &caller, &key, &slug, &raw_path, request).await {
        Ok(commit) => Json(commit).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn edit(
    dc: &DataCenter,
    caller: &Caller,
    key: &str,
    slug: &str,
    raw_path: &str,
    request: Request,
) -> Result<serde_json::Value, DcError> {
    // Permission first, before reading up to 10 MiB for nothing.
    caller.writable(&dc.world(), key, slug)?;
    let path = repo_path(raw_path)?;
    if path.is_empty() {
        return Err(DcError::bad_request("A file path is required.").about("path"));
    }
    let form = read_form(request).await?;
    let Some(content) = form.content else {
        return Err(DcError::bad_request("The content is required.").about("content"));
    };
    let Some(branch) = form
        .branch
        .as_deref()
        .map(short_name)
        .filter(|b| !b.is_empty())
    else {
        return Err(DcError::bad_request("The branch is required.").about("branch"));
    };
    if !valid_branch_name(branch) {
        return Err(DcError::new(
            StatusCode::BAD_REQUEST,
            errors::INVALID_REF_NAME,
            format!("'{branch}' is an invalid ref name."),
        )
        .about("branch"));
    }
    let source_branch = form
        .source_branch
        .as_deref()
        .map(short_name)
        .filter(|b| !b.is_empty() && *b != branch);
    let source_commit = form
        .source_commit
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());

    let mut world = dc.world();
    let repo = caller.writable(&world, key, slug)?;
    if repo.archived {
        return Err(DcError::conflict(
            errors::ARCHIVED,
            format!(
                "Repository {}/{} is archived and cannot be changed.",
                repo.project_key, repo.slug
            ),
        ));
    }
    let no_branch = |name: &str| {
        DcError::new(
            StatusCode::NOT_FOUND,
            errors::NO_SUCH_BRANCH,
            format!(
                "Branch \"{name}\" does not exist in repository \"{}\".",
                repo.slug
            ),
        )
    };
    let base = match (repo.branches.get(branch), source_branch) {
        (Some(_), Some(_)) => {
            return Err(DcError::bad_request(format!(
                "Branch \"{branch}\" already exists; leave sourceBranch out to commit to it."
            ))
            .about("sourceBranch"))
        }
        (Some(id), None) => repo.commits.get(id),
        (None, Some(from)) => match repo.branches.get(from) {
            Some(id) => repo.commits.get(id),
            None => return Err(no_branch(from)),
        },
        (None, None) if repo.is_empty() => None,
        (None, None) => return Err(no_branch(branch)),
    };
    let current = base.and_then(|tip| lookup(&tip.tree, &path));
    match source_commit {
        None => {
            if current.is_some() {
                return Err(DcError::conflict(
                    errors::FILE_EXISTS,
                    format!("The file \"{path}\" already exists on {branch}: send the sourceCommitId it was edited from."),
                ));
            }
        }
        Some(source) => {
            let Some(source) = repo.commit_by_id(source) else {
                return Err(DcError::bad_request(format!(
                    "The sourceCommitId '{source}' does not exist in repository '{}'.",
                    repo.slug
                ))
                .about("sourceCommitId"));
            };
            let changed = base.and_then(|tip| repo.last_change(tip, &path));
            if changed.is_some_and(|c| !repo.is_ancestor_or_equal(&c.id, source)) {
                return Err(DcError::conflict(
                    errors::FILE_CONFLICT,
                    format!(
                        "The file \"{path}\" has been changed on {branch} since {}.",
                        source.id
                    ),
                ));
            }
        }
    }
    match current {
        Some(Entry::File(old)) if **old == *content => {
            return Err(DcError::conflict(
                errors::NO_CHANGE,
                format!("The content of \"{path}\" is unchanged: there is nothing to commit."),
            ))
        }
        Some(Entry::Directory) => {
            return Err(DcError::conflict(
                errors::FILE_EXISTS,
                format!("\"{path}\" is a directory on {branch}."),
            ))
        }
        _ => {}
    }
    let (repo_key, repo_slug) = (repo.project_key.clone(), repo.slug.clone());
    let user = caller.user.as_deref().and_then(|u| world.users.get(u));
    let author = user.map_or(("Unknown".to_owned(), String::new()), |u| {
        (u.display_name.clone(), u.email.clone())
    });
    let message = form
        .message
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("{path} edited online with Bitbucket"));
    let commit = world
        .commit_file(
            &repo_key,
            &repo_slug,
            branch,
            source_branch,
            &path,
            Some(Arc::from(content)),
            (&author.0, &author.1),
            &message,
        )
        .map_err(|m| DcError::conflict(errors::SERVER, m))?;
    Ok(render::commit(&commit))
}
