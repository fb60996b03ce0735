//! JSON representations of Bitbucket objects.
//!
//! Shapes follow the objects api.bitbucket.org returns (including the `type`
//! discriminator and the `links` block), and every link points at a sandbox
//! URL that exists, so a client that follows links instead of building URLs
//! (as the studio must) keeps working.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};

use crate::directory::{Account, Commit, Directory, Repository, Workspace};
use crate::history::{Change, Status};
use crate::ids::{braced, timestamp};
use crate::Sandbox;

/// Characters escaped inside one path segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Characters escaped in a multi-segment path (branch names keep their `/`).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub(crate) fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

pub(crate) fn path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

fn href(url: String) -> Value {
    json!({ "href": url })
}

pub(crate) fn account_avatar_url(sb: &Sandbox, nickname: &str) -> String {
    format!("{}/account/{}/avatar/", sb.base_url(), seg(nickname))
}

fn braced_uuid_segment(a: &Account) -> String {
    format!("%7B{}%7D", a.uuid)
}

fn user_links(sb: &Sandbox, a: &Account) -> Value {
    json!({
        "avatar": href(account_avatar_url(sb, &a.nickname)),
        "html": href(format!("{}/{}/", sb.base_url(), braced_uuid_segment(a))),
        "self": href(format!("{}/users/{}", sb.api_url(), braced_uuid_segment(a))),
    })
}

/// `GET /user`.
pub(crate) fn user(sb: &Sandbox, a: &Account) -> Value {
    let mut links = user_links(sb, a);
    links["repositories"] = href(format!(
        "{}/repositories/{}",
        sb.api_url(),
        braced_uuid_segment(a)
    ));
    json!({
        "type": "user",
        "account_id": a.account_id,
        "uuid": braced(&a.uuid),
        "display_name": a.display_name,
        "nickname": a.nickname,
        "account_status": "active",
        "created_on": timestamp(a.created_on),
        // No `has_2fa_enabled`: it is a boolean in the document's `user`, and
        // the sandbox has no 2FA to report (api.bitbucket.org sends `null`).
        "is_staff": false,
        "location": null,
        "links": links,
    })
}

/// A user as embedded in other objects.
pub(crate) fn user_short(sb: &Sandbox, a: &Account) -> Value {
    json!({
        "type": "user",
        "account_id": a.account_id,
        "uuid": braced(&a.uuid),
        "display_name": a.display_name,
        "nickname": a.nickname,
        "links": user_links(sb, a),
    })
}

fn workspace_links(sb: &Sandbox, ws: &Workspace) -> Value {
    json!({
        "avatar": href(format!("{}/workspaces/{}/avatar/", sb.base_url(), seg(&ws.slug))),
        "html": href(format!("{}/{}/", sb.base_url(), seg(&ws.slug))),
        "self": href(format!("{}/workspaces/{}", sb.api_url(), seg(&ws.slug))),
    })
}

/// The compact workspace embedded in `workspace_access`: the document's
/// `workspace_base` is `type, uuid, slug, links` with `links` closed to
/// `avatar` and `self`. It has no `name` (that is `GET /workspaces/{slug}`'s),
/// so none is sent: the studio must work without it.
pub(crate) fn workspace_base(sb: &Sandbox, ws: &Workspace) -> Value {
    let mut links = workspace_links(sb, ws);
    if let Some(links) = links.as_object_mut() {
        links.retain(|rel, _| rel == "avatar" || rel == "self");
    }
    json!({
        "type": "workspace_base",
        "uuid": braced(&ws.uuid),
        "slug": ws.slug,
        "links": links,
    })
}

/// `GET /workspaces/{workspace}` (the document's `workspace`), also embedded
/// in repositories.
pub(crate) fn workspace(sb: &Sandbox, ws: &Workspace) -> Value {
    json!({
        "type": "workspace",
        "uuid": braced(&ws.uuid),
        "slug": ws.slug,
        "name": ws.name,
        "links": workspace_links(sb, ws),
    })
}

fn owner(sb: &Sandbox, dir: &Directory, ws: &Workspace) -> Value {
    if let Some(account) = ws.personal_of.as_deref().and_then(|n| dir.account(n)) {
        return user_short(sb, account);
    }
    json!({
        "type": "team",
        "display_name": ws.name,
        "uuid": braced(&ws.uuid),
        "username": ws.slug,
        "links": workspace_links(sb, ws),
    })
}

fn repo_base(sb: &Sandbox, ws: &Workspace, repo: &Repository) -> (String, String) {
    let rel = format!("{}/{}", seg(&ws.slug), seg(&repo.slug));
    (
        format!("{}/repositories/{rel}", sb.api_url()),
        format!("{}/{rel}", sb.base_url()),
    )
}

pub(crate) fn repository_html_url(sb: &Sandbox, ws: &Workspace, repo: &Repository) -> String {
    repo_base(sb, ws, repo).1
}

fn repository_links_short(sb: &Sandbox, ws: &Workspace, repo: &Repository) -> Value {
    let (api, html) = repo_base(sb, ws, repo);
    json!({
        "self": href(api),
        "html": href(html.clone()),
        "avatar": href(format!("{html}/avatar/")),
    })
}

/// A repository as embedded in other objects.
pub(crate) fn repository_short(sb: &Sandbox, ws: &Workspace, repo: &Repository) -> Value {
    json!({
        "type": "repository",
        "full_name": format!("{}/{}", ws.slug, repo.slug),
        "name": repo.name,
        "uuid": braced(&repo.uuid),
        "links": repository_links_short(sb, ws, repo),
    })
}

/// `GET /repositories/{workspace}/{repo_slug}` and list entries.
pub(crate) fn repository(
    sb: &Sandbox,
    dir: &Directory,
    ws: &Workspace,
    repo: &Repository,
) -> Value {
    let (api, html) = repo_base(sb, ws, repo);
    let host = url::Url::parse(sb.base_url())
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    // `repository.links` is closed to these (no `branches`, `tags` or
    // `source`, though api.bitbucket.org sends them).
    let mut links = repository_links_short(sb, ws, repo);
    for (name, suffix) in [
        ("commits", "/commits"),
        ("pullrequests", "/pullrequests"),
        ("forks", "/forks"),
        ("watchers", "/watchers"),
        ("downloads", "/downloads"),
        ("hooks", "/hooks"),
    ] {
        links[name] = href(format!("{api}{suffix}"));
    }
    // Every `href` is a `uri`: the scp-like `git@host:ws/repo.git` is not
    // one, so the SSH clone link is written as an ssh:// URL.
    links["clone"] = json!([
        { "name": "https", "href": format!("{html}.git") },
        { "name": "ssh", "href": format!("ssh://git@{host}/{}/{}.git", seg(&ws.slug), seg(&repo.slug)) },
    ]);
    // `project.links` is closed to `html` and `avatar`.
    let project = ws.projects.get(&repo.project_key).map(|p| {
        json!({
            "type": "project",
            "key": p.key,
            "uuid": braced(&p.uuid),
            "name": p.name,
            "links": {
                "html": href(format!("{}/{}/workspace/projects/{}", sb.base_url(), seg(&ws.slug), seg(&p.key))),
                "avatar": href(format!("{}/workspaces/{}/avatar/", sb.base_url(), seg(&ws.slug))),
            },
        })
    });
    let mut body = json!({
        "type": "repository",
        "uuid": braced(&repo.uuid),
        "full_name": format!("{}/{}", ws.slug, repo.slug),
        "name": repo.name,
        "slug": repo.slug,
        "description": repo.description,
        "is_private": repo.is_private,
        "scm": "git",
        "website": null,
        "fork_policy": "no_public_forks",
        "has_issues": false,
        "has_wiki": false,
        "created_on": timestamp(repo.created_on),
        "updated_on": timestamp(repo.updated_on),
        "size": repo.size,
        "language": repo.language,
        "workspace": workspace(sb, ws),
        "owner": owner(sb, dir, ws),
        "links": links,
    });
    // `mainbranch`, `project` and `parent` are objects that are not
    // `nullable` in the document: absent when there is none (an empty
    // repository has no main branch; nothing here is a fork).
    if let Some(name) = &repo.mainbranch {
        body["mainbranch"] = json!({ "type": "branch", "name": name });
    }
    if let Some(project) = project {
        body["project"] = project;
    }
    body
}

/// `{api}/repositories/{ws}/{slug}`, for handlers building URLs of their own.
pub(crate) fn repository_api_url(sb: &Sandbox, ws: &Workspace, repo: &Repository) -> String {
    repo_base(sb, ws, repo).0
}

/// The compact commit embedded in source entries: hash and links only.
pub(crate) fn commit_ref(sb: &Sandbox, ws: &Workspace, repo: &Repository, hash: &str) -> Value {
    let (api, html) = repo_base(sb, ws, repo);
    json!({
        "type": "commit",
        "hash": hash,
        "links": {
            "self": href(format!("{api}/commit/{hash}")),
            "html": href(format!("{html}/commits/{hash}")),
        },
    })
}

/// A `commit_file` or `commit_directory` as the `src` endpoints return it.
/// `size` is `Some` for files.
pub(crate) fn source_entry(
    sb: &Sandbox,
    ws: &Workspace,
    repo: &Repository,
    hash: &str,
    entry_path: &str,
    size: Option<u64>,
) -> Value {
    let (api, _) = repo_base(sb, ws, repo);
    let mut self_url = format!("{api}/src/{hash}/{}", path(entry_path));
    if size.is_none() && !entry_path.is_empty() {
        self_url.push('/');
    }
    let links = json!({
        "self": href(self_url.clone()),
        "meta": href(format!("{self_url}?format=meta")),
    });
    let commit = commit_ref(sb, ws, repo, hash);
    match size {
        Some(size) => json!({
            "type": "commit_file",
            "path": entry_path,
            "escaped_path": entry_path,
            "size": size,
            "mimetype": mimetype(entry_path),
            // `attributes` is one string of an enum (`binary`, `lfs`, …) in
            // the document, not a list: plain files have none, so none is sent.
            "commit": commit,
            "links": links,
        }),
        None => json!({
            "type": "commit_directory",
            "path": entry_path,
            "commit": commit,
            "links": links,
        }),
    }
}

/// Bitbucket guesses a MIME type from the extension and sends `null` when it
/// has none.
pub(crate) fn mimetype(file: &str) -> Option<&'static str> {
    let ext = file.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "md" => "text/markdown",
        "txt" => "text/plain",
        "yaml" | "yml" => "application/x-yaml",
        "json" => "application/json",
        "py" => "text/x-python",
        "sql" => "application/sql",
        "sh" => "application/x-sh",
        "png" => "image/png",
        _ => return None,
    })
}

pub(crate) fn commit(
    sb: &Sandbox,
    dir: &Directory,
    ws: &Workspace,
    repo: &Repository,
    c: &Commit,
) -> Value {
    let (api, html) = repo_base(sb, ws, repo);
    let commit_links = |hash: &str| {
        json!({
            "self": href(format!("{api}/commit/{hash}")),
            "html": href(format!("{html}/commits/{hash}")),
        })
    };
    let mut author = json!({ "type": "author", "raw": c.author_raw });
    if let Some(account) = c.author.as_deref().and_then(|n| dir.account(n)) {
        author["user"] = user_short(sb, account);
    }
    json!({
        "type": "commit",
        "hash": c.hash,
        "date": timestamp(c.date),
        "message": c.message,
        "author": author,
        "parents": c.parents.iter().map(|p| json!({
            "type": "commit",
            "hash": p,
            "links": commit_links(p),
        })).collect::<Vec<_>>(),
        "repository": repository_short(sb, ws, repo),
        "links": commit_links(&c.hash),
    })
}

pub(crate) fn branch(
    sb: &Sandbox,
    dir: &Directory,
    ws: &Workspace,
    repo: &Repository,
    name: &str,
    c: &Commit,
) -> Value {
    let (api, html) = repo_base(sb, ws, repo);
    json!({
        "type": "branch",
        "name": name,
        "target": commit(sb, dir, ws, repo, c),
        "merge_strategies": ["merge_commit", "squash", "fast_forward"],
        "default_merge_strategy": "merge_commit",
        "links": {
            "self": href(format!("{api}/refs/branches/{}", path(name))),
            "commits": href(format!("{api}/commits/{}", path(name))),
            "html": href(format!("{html}/branch/{}", path(name))),
        },
    })
}

/// A `diffstat` of one changed file. `old` and `new` are `commit_file`s at the two compared
/// commits; the document's `commit_file` is not nullable, so a side that does not exist (an
/// added file's `old`, a removed file's `new`) is left out rather than `null`.
pub(crate) fn diffstat(
    sb: &Sandbox,
    ws: &Workspace,
    repo: &Repository,
    change: &Change<'_>,
    old_hash: &str,
    new_hash: &str,
) -> Value {
    let (api, _) = repo_base(sb, ws, repo);
    let (added, removed) =
        crate::history::change_diff(change, 0).map_or((0, 0), |d| (d.added, d.removed));
    let status = match change.status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Modified => "modified",
        Status::Renamed => "renamed",
    };
    let file = |hash: &str, file: &str| {
        json!({
            "type": "commit_file",
            "path": file,
            "escaped_path": file,
            "links": { "self": href(format!("{api}/src/{hash}/{}", path(file))) },
        })
    };
    let mut body = json!({
        "type": "diffstat",
        "status": status,
        "lines_added": added,
        "lines_removed": removed,
    });
    if let Some(old) = change.old {
        body["old"] = file(old_hash, old.path);
    }
    if let Some(new) = change.new {
        body["new"] = file(new_hash, new.path);
    }
    body
}
