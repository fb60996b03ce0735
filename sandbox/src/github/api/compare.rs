//! `GET /repos/{owner}/{repo}/compare/{basehead}` (`commit-comparison`), after the
//! description's "Compare two commits": `basehead` is `BASE...HEAD` (branches or SHAs of this
//! repository, optionally `{owner}:`-qualified; other accounts' forks are not emulated). The
//! commits are those of `git log BASE..HEAD`, oldest first; without `per_page` or `page`
//! the last 250 ("the last commit in the list is the most recent of the entire
//! comparison"), with them a page and a `Link` header. The files (at most 300, on the first
//! page only) are the changes from the merge base to `HEAD`, each with its unified-diff
//! `patch` (none for a binary file or a rename without edits). An unknown ref, or two with
//! no common history, is a 404. The `application/vnd.github.diff` and `.patch` media types
//! are not emulated.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::{json, Value};

use super::paging::{param, query_pairs, Paging};
use super::render::{self, Urls};
use super::{reply, visible, Caller};
use crate::github::errors::{ApiError, ApiResult};
use crate::github::model::{blob_sha, Commit, Repository};
use crate::github::GitHub;
use crate::history::{self, Change, Status};

/// Commits answered without paging parameters.
const UNPAGED_COMMITS: usize = 250;
/// Files listed at most.
const MAX_FILES: usize = 300;

/// `BASE...HEAD` → (`BASE`, `HEAD`), each without an `{owner}:` qualifier.
pub(crate) fn split_basehead<'a>(basehead: &'a str, owner: &str) -> Option<(&'a str, &'a str)> {
    let (base, head) = basehead.split_once("...")?;
    let own = |r: &'a str| {
        r.split_once(':')
            .filter(|(account, _)| account.eq_ignore_ascii_case(owner))
            .map_or(r, |(_, r)| r)
    };
    Some((own(base), own(head)))
}

pub(super) async fn compare(
    State(gh): State<GitHub>,
    Extension(caller): Extension<Caller>,
    Path((owner, name, basehead)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    let pairs = query_pairs(&uri);
    let paged = param(&pairs, "per_page").is_some() || param(&pairs, "page").is_some();
    let paging = Paging::of(&pairs);
    let world = gh.world();
    let (repo, _) = visible(&world, &caller, &owner, &name)?;
    let (base_ref, head_ref) =
        split_basehead(&basehead, &repo.owner).ok_or_else(ApiError::not_found)?;
    let resolve = |r: &str| repo.resolve(r).ok_or_else(ApiError::not_found);
    let (base, head) = (resolve(base_ref)?, resolve(head_ref)?);
    let merge_base = history::merge_base(repo, &head.sha, &base.sha)
        .and_then(|sha| repo.commits.get(sha))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("No common ancestor between {base_ref} and {head_ref}."),
            )
        })?;
    let (ahead, behind) = history::ahead_behind(repo, &head.sha, &base.sha);
    let mut commits: Vec<&Arc<Commit>> =
        history::log(repo, &[head.sha.as_str()], &[base.sha.as_str()])
            .into_iter()
            .filter_map(|sha| repo.commits.get(sha))
            .collect();
    commits.reverse();
    let total = commits.len();
    let shown = if paged {
        &commits[paging.range(total)]
    } else {
        &commits[total.saturating_sub(UNPAGED_COMMITS)..]
    };
    let u = Urls::of(&gh);
    let files: Vec<Value> = if paged && paging.page > 1 {
        Vec::new()
    } else {
        history::changes(&merge_base.tree, &head.tree, true)
            .iter()
            .take(MAX_FILES)
            .map(|c| diff_entry(&u, repo, &head.sha, &merge_base.sha, c))
            .collect()
    };
    let api = format!("{}/compare/{basehead}", u.repo(repo));
    let html = format!("{}/{}/compare", u.web, repo.full_name());
    let mut response = reply(
        StatusCode::OK,
        json!({
            "url": api,
            "html_url": format!("{html}/{basehead}"),
            "permalink_url": format!("{html}/{o}:{}...{o}:{}", base.sha, head.sha, o = repo.owner),
            "diff_url": format!("{html}/{basehead}.diff"),
            "patch_url": format!("{html}/{basehead}.patch"),
            "base_commit": render::commit(&u, &world, repo, base),
            "merge_base_commit": render::commit(&u, &world, repo, merge_base),
            "status": match (ahead, behind) {
                (0, 0) => "identical",
                (_, 0) => "ahead",
                (0, _) => "behind",
                _ => "diverged",
            },
            "ahead_by": ahead,
            "behind_by": behind,
            "total_commits": total,
            "commits": shown.iter().map(|c| render::commit(&u, &world, repo, c)).collect::<Vec<_>>(),
            "files": files,
        }),
    );
    if paged {
        paging.link(&mut response, &api, &pairs, total);
    }
    Ok(response)
}

/// A `diff-entry`: the file at `HEAD` (a removed file: at the merge base).
fn diff_entry(u: &Urls, repo: &Repository, head: &str, base: &str, c: &Change<'_>) -> Value {
    let (side, at) = match (c.new, c.old) {
        (Some(new), _) => (new, head),
        (None, Some(old)) => (old, base),
        (None, None) => unreachable!("a change has a side"),
    };
    let text = history::change_diff(c, 3);
    let (additions, deletions) = text.as_ref().map_or((0, 0), |d| (d.added, d.removed));
    let path = side.path;
    let mut entry = json!({
        "sha": blob_sha(side.content),
        "filename": path,
        "status": match c.status {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Modified => "modified",
            Status::Renamed => "renamed",
        },
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": format!("{}/{}/blob/{at}/{path}", u.web, repo.full_name()),
        "raw_url": format!("{}/{}/raw/{at}/{path}", u.web, repo.full_name()),
        "contents_url": format!("{}/contents/{path}?ref={at}", u.repo(repo)),
    });
    if let Some(d) = text.filter(|d| !d.hunks.is_empty()) {
        let patch = history::unified(&d.hunks);
        entry["patch"] = json!(patch.strip_suffix('\n').unwrap_or(&patch));
    }
    if let (Status::Renamed, Some(old)) = (c.status, c.old) {
        entry["previous_filename"] = json!(old.path);
    }
    entry
}
