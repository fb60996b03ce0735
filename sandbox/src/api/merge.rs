//! A pull request merged elsewhere (the control API's `POST /_control/merge`): what
//! Bitbucket's "Merge" does with its default strategy, `merge_commit` ("Merge a pull
//! request", Bitbucket Cloud support docs): always a merge commit on the destination whose
//! parents are the destination's tip and the source's tip, never a fast forward; "Close
//! source branch" then deletes the source branch. The checks and the merge itself are the
//! shared `crate::history::plan`'s.

use std::sync::Arc;

use serde_json::json;

use super::errors::ApiError;
use crate::directory::Commit;
use crate::history::{self, MergeRequest};
use crate::Sandbox;

/// Merges as `nickname` (who needs write access) in `workspace/repo_slug`; answers the merge
/// commit's hash. Refusals are the API's errors (see [`history::Refused`] for the
/// statuses; conflicting files in `error.data.paths`); nothing changes then.
pub(crate) fn merge_branch(
    sb: &Sandbox,
    nickname: &str,
    workspace: &str,
    repo_slug: &str,
    request: &MergeRequest<'_>,
) -> Result<String, ApiError> {
    let mut world = sb.world();
    let now = world.clock.wall_now();
    world.directory.prepare(workspace);
    let dir = &world.directory;
    let (_, repo) = super::source::writable_repository(dir, workspace, repo_slug, nickname)?;
    let history::Plan {
        into,
        parents,
        files,
        message,
    } = history::plan(repo, &repo.branches, repo.mainbranch.as_deref(), request).map_err(
        |refused| {
            let error = ApiError::new(refused.status, refused.message);
            match refused.paths.is_empty() {
                true => error,
                false => error.with("paths", json!(refused.paths)),
            }
        },
    )?;
    let account = dir
        .account(nickname)
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    let hash = crate::ids::new_commit_hash(&format!("{workspace}/{repo_slug}:merge:{parents:?}"));
    let commit = Commit {
        hash: hash.clone(),
        parents,
        date: now,
        message,
        author: Some(account.nickname.clone()),
        author_raw: account.raw_author(),
        tree: Arc::new(files),
    };
    let repo = world
        .directory
        .repository_mut(workspace, repo_slug)
        .ok_or_else(|| ApiError::no_repository(workspace, repo_slug))?;
    repo.commits.insert(hash.clone(), Arc::new(commit));
    history::apply(&mut repo.branches, into, hash.clone(), request);
    repo.updated_on = now;
    Ok(hash)
}
