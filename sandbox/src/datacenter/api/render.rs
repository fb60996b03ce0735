//! JSON in the document's shapes (`RestRepository`, `RestProject`, `RestApplicationUser`,
//! `RestBranch`, `RestMinimalRef`, `RestCommit`, `RestChange`, `RestDiff`). Only fields the
//! document defines are written (but for `toString` of a path object and the branches'
//! `metadata`, which DC sends and the document's open schemas allow), and none it marks
//! write-only: no `links` (write-only in `RestRepository`, `RestProject`,
//! `RestApplicationUser` and `RestChange`), no `avatarUrl`, no `defaultBranch`. A client
//! must build a repository's address from the base URL, as Atlassian promises no link.

use serde_json::{json, Value};

use super::super::model::{Commit, Project, Repository, User};
use crate::history::{Change, Kind, Status};

/// DC abbreviates commit ids to 11 digits.
const DISPLAY_ID_LEN: usize = 11;

pub(crate) fn display_id(id: &str) -> &str {
    &id[..id.len().min(DISPLAY_ID_LEN)]
}

pub(crate) fn project(p: &Project) -> Value {
    let mut v = json!({
        "key": p.key,
        "id": p.id,
        "name": p.name,
        "public": p.public,
        "type": if p.personal_of.is_some() { "PERSONAL" } else { "NORMAL" },
    });
    if let Some(d) = &p.description {
        v["description"] = json!(d);
    }
    v
}

pub(crate) fn repository(r: &Repository, p: &Project) -> Value {
    let mut v = json!({
        "slug": r.slug,
        "id": r.id,
        "name": r.name,
        "hierarchyId": r.hierarchy_id,
        "scmId": "git",
        "state": "AVAILABLE",
        "statusMessage": "Available",
        "forkable": true,
        "project": project(p),
        "public": r.public,
        "archived": r.archived,
    });
    if let Some(d) = &r.description {
        v["description"] = json!(d);
    }
    v
}

pub(crate) fn user(u: &User) -> Value {
    json!({
        "name": u.name,
        "emailAddress": u.email,
        "active": true,
        "displayName": u.display_name,
        "id": u.id,
        "slug": u.slug,
        "type": "NORMAL",
    })
}

pub(crate) fn minimal_ref(branch: &str) -> Value {
    json!({
        "id": format!("refs/heads/{branch}"),
        "displayId": branch,
        "type": "BRANCH",
    })
}

pub(crate) fn branch(r: &Repository, name: &str, commit: &str) -> Value {
    json!({
        "id": format!("refs/heads/{name}"),
        "displayId": name,
        "type": "BRANCH",
        "latestCommit": commit,
        "latestChangeset": commit,
        // The document's name for DC's default flag.
        "default": name == r.default_branch,
    })
}

pub(crate) fn commit(c: &Commit) -> Value {
    let person = json!({"name": c.author_name, "emailAddress": c.author_email});
    json!({
        "id": c.id,
        "displayId": display_id(&c.id),
        "author": person,
        "authorTimestamp": c.timestamp_ms,
        "committer": person,
        "committerTimestamp": c.timestamp_ms,
        "message": c.message,
        "parents": c.parents.iter().map(|p| json!({"id": p, "displayId": display_id(p)})).collect::<Vec<_>>(),
    })
}

/// `RestChange`'s and `RestDiff`'s path object: `components`, `parent`, `name`, `extension`
/// (when the name has one) and `toString`, the whole path, as DC writes it.
pub(crate) fn path(p: &str) -> Value {
    let components: Vec<&str> = p.split('/').collect();
    let name = components.last().copied().unwrap_or_default();
    let mut v = json!({
        "components": components,
        "parent": components[..components.len().saturating_sub(1)].join("/"),
        "name": name,
        "toString": p,
    });
    if let Some((_, ext)) = name.rsplit_once('.').filter(|(stem, _)| !stem.is_empty()) {
        v["extension"] = json!(ext);
    }
    v
}

/// A `RestChange`: `type` `ADD`, `DELETE`, `MODIFY` or `MOVE` (with `srcPath`), content ids
/// of the blobs on each side (DC's zeros for a deleted file's), `links` left out
/// (write-only in the document).
pub(crate) fn change(c: &Change<'_>) -> Value {
    let kind = match c.status {
        Status::Added => "ADD",
        Status::Removed => "DELETE",
        Status::Modified => "MODIFY",
        Status::Renamed => "MOVE",
    };
    let blob = |content: &[u8]| crate::ids::object_id("blob", content);
    let mut v = json!({
        "contentId": c.new.map_or_else(|| "0".repeat(40), |s| blob(s.content)),
        "path": path(c.path()),
        "executable": false,
        "percentUnchanged": if c.status == Status::Renamed { 100 } else { -1 },
        "type": kind,
        "nodeType": "FILE",
    });
    if let Some(old) = c.old {
        v["fromContentId"] = json!(blob(old.content));
        v["srcExecutable"] = json!(false);
        if c.status == Status::Renamed {
            v["srcPath"] = path(old.path);
        }
    }
    v
}

/// A `RestDiff` of one change: `source` and `destination` paths (absent on the side that
/// does not exist: the document does not make them nullable), then hunks of segments
/// (`CONTEXT`, `REMOVED`, `ADDED` runs of lines, each line with its `source` and
/// `destination` line numbers); a binary file has `binary: true` and no hunks.
pub(crate) fn diff(c: &Change<'_>, context: usize) -> Value {
    let mut v = json!({ "truncated": false });
    if let Some(old) = c.old {
        v["source"] = path(old.path);
    }
    if let Some(new) = c.new {
        v["destination"] = path(new.path);
    }
    let Some(text) = crate::history::change_diff(c, context) else {
        v["binary"] = json!(true);
        return v;
    };
    let hunks: Vec<Value> = text
        .hunks
        .iter()
        .map(|h| {
            let mut segments: Vec<(Kind, Vec<Value>)> = Vec::new();
            for l in &h.lines {
                let line = json!({
                    "source": l.old,
                    "destination": l.new,
                    "line": l.text.strip_suffix('\n').unwrap_or(l.text),
                    "truncated": false,
                });
                match segments.last_mut() {
                    Some((kind, lines)) if *kind == l.kind => lines.push(line),
                    _ => segments.push((l.kind, vec![line])),
                }
            }
            let segments: Vec<Value> = segments
                .into_iter()
                .map(|(kind, lines)| {
                    let kind = match kind {
                        Kind::Context => "CONTEXT",
                        Kind::Removed => "REMOVED",
                        Kind::Added => "ADDED",
                    };
                    json!({ "type": kind, "lines": lines, "truncated": false })
                })
                .collect();
            json!({
                "sourceLine": h.old_start,
                "sourceSpan": h.old_len,
                "destinationLine": h.new_start,
                "destinationSpan": h.new_len,
                "segments": segments,
                "truncated": false,
            })
        })
        .collect();
    v["hunks"] = json!(hunks);
    v
}
