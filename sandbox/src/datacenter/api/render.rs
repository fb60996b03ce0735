//! JSON in the document's shapes (`RestRepository`, `RestProject`, `RestApplicationUser`,
//! `RestBranch`, `RestMinimalRef`, `RestCommit`). Only fields the document defines are
//! written, and none it marks write-only: no `links` (write-only in `RestRepository`,
//! `RestProject` and `RestApplicationUser`), no `avatarUrl`, no `defaultBranch`. A client
//! must build a repository's address from the base URL, as Atlassian promises no link.

use serde_json::{json, Value};

use super::super::model::{Commit, Project, Repository, User};

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
