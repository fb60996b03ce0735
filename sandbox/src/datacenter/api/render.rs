//! JSON in the document's shapes (`RestRepository`, `RestProject`, `RestApplicationUser`,
//! `RestBranch`, `RestMinimalRef`, `RestCommit`). Only fields the document defines are
//! written; `links` (an open object there) carries DC's `clone` and `self` links.

use serde_json::{json, Value};

use super::super::model::{Commit, Project, Repository, User};

/// DC abbreviates commit ids to 11 digits.
const DISPLAY_ID_LEN: usize = 11;

pub(crate) fn display_id(id: &str) -> &str {
    &id[..id.len().min(DISPLAY_ID_LEN)]
}

pub(crate) fn project(base: &str, p: &Project) -> Value {
    let mut v = json!({
        "key": p.key,
        "id": p.id,
        "name": p.name,
        "public": p.public,
        "type": if p.personal_of.is_some() { "PERSONAL" } else { "NORMAL" },
        "links": {"self": [{"href": match &p.personal_of {
            Some(owner) => format!("{base}/users/{owner}"),
            None => format!("{base}/projects/{}", p.key),
        }}]},
    });
    if let Some(d) = &p.description {
        v["description"] = json!(d);
    }
    v
}

/// `ssh://git@host:7999/…`: DC's default SSH port on the sandbox's host.
fn ssh_base(base: &str) -> String {
    let host = url::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("ssh://git@{host}:7999")
}

pub(crate) fn repository(base: &str, r: &Repository, p: &Project) -> Value {
    let clone_path = format!("{}/{}.git", r.project_key.to_ascii_lowercase(), r.slug);
    let mut v = json!({
        "slug": r.slug,
        "id": r.id,
        "name": r.name,
        "hierarchyId": r.hierarchy_id,
        "scmId": "git",
        "state": "AVAILABLE",
        "statusMessage": "Available",
        "forkable": true,
        "project": project(base, p),
        "public": r.public,
        "archived": r.archived,
        "links": {
            "clone": [
                {"href": format!("{base}/scm/{clone_path}"), "name": "http"},
                {"href": format!("{}/{clone_path}", ssh_base(base)), "name": "ssh"},
            ],
            "self": [{"href": format!("{base}/projects/{}/repos/{}/browse", r.project_key, r.slug)}],
        },
    });
    if let Some(d) = &r.description {
        v["description"] = json!(d);
    }
    v
}

pub(crate) fn user(base: &str, u: &User) -> Value {
    json!({
        "name": u.name,
        "emailAddress": u.email,
        "active": true,
        "displayName": u.display_name,
        "id": u.id,
        "slug": u.slug,
        "type": "NORMAL",
        "links": {"self": [{"href": format!("{base}/users/{}", u.slug)}]},
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
