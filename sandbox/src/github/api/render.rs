//! JSON in the shapes of GitHub's description (`sandbox/openapi/github.openapi.json`):
//! `simple-user`, `private-user`, `repository`/`full-repository`, `installation`,
//! `git-ref`, `git-commit`, `commit`, `content-file`. Every field the schema requires is
//! present with its type; GitHub's `null`s stay `null`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::github::model::{
    Account, AccountKind, Commit, Installation, Permission, Repository, Selection, Signature,
};
use crate::github::world::World;
use crate::github::GitHub;

/// The two roots every URL is built on.
pub(crate) struct Urls {
    /// `{base}/api/v3`.
    pub api: String,
    /// `{base}`: where pages (`html_url`) live.
    pub web: String,
}

impl Urls {
    pub(crate) fn of(gh: &GitHub) -> Urls {
        Urls {
            api: gh.api_url(),
            web: gh.base_url().to_owned(),
        }
    }

    pub(crate) fn repo(&self, repo: &Repository) -> String {
        format!("{}/repos/{}", self.api, repo.full_name())
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, GitHub's timestamps.
pub(crate) fn date(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A GraphQL node id in GitHub's legacy style (`MDQ6VXNlcjE=` for user 1).
pub(crate) fn node_id(kind: &str, id: impl std::fmt::Display) -> String {
    let label = format!("{kind}{id}");
    STANDARD.encode(format!("0{}:{label}", kind.len()))
}

pub(crate) fn simple_user(u: &Urls, a: &Account) -> Value {
    let url = format!("{}/users/{}", u.api, a.login);
    json!({
        "login": a.login,
        "id": a.id,
        "node_id": node_id(if a.kind == AccountKind::User { "User" } else { "Organization" }, a.id),
        "avatar_url": format!("{}/avatars/u/{}?v=4", u.web, a.id),
        "gravatar_id": "",
        "url": url,
        "html_url": format!("{}/{}", u.web, a.login),
        "followers_url": format!("{url}/followers"),
        "following_url": format!("{url}/following{{/other_user}}"),
        "gists_url": format!("{url}/gists{{/gist_id}}"),
        "starred_url": format!("{url}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{url}/subscriptions"),
        "organizations_url": format!("{url}/orgs"),
        "repos_url": format!("{url}/repos"),
        "events_url": format!("{url}/events{{/privacy}}"),
        "received_events_url": format!("{url}/received_events"),
        "type": if a.kind == AccountKind::User { "User" } else { "Organization" },
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// `GET /user`: the `private-user` shape.
pub(crate) fn private_user(u: &Urls, world: &World, a: &Account) -> Value {
    let mut v = simple_user(u, a);
    let owned = world.repositories.get(&a.login).map_or(0, |r| r.len());
    let extra = json!({
        "user_view_type": "private",
        "name": a.name,
        "company": null,
        "blog": "",
        "location": null,
        "email": format!("{}@example.com", a.login),
        "notification_email": format!("{}@example.com", a.login),
        "hireable": null,
        "bio": null,
        "twitter_username": null,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": date(1_735_689_600),
        "updated_at": date(1_767_603_600),
        "private_gists": 0,
        "total_private_repos": owned,
        "owned_private_repos": owned,
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": true,
        "plan": {"name": "free", "space": 976_562_499, "collaborators": 0, "private_repos": 10000},
    });
    if let (Value::Object(base), Value::Object(more)) = (&mut v, extra) {
        base.extend(more);
    }
    v
}

pub(crate) fn permissions(p: Permission) -> Value {
    json!({
        "admin": p >= Permission::Admin,
        "maintain": p >= Permission::Maintain,
        "push": p >= Permission::Push,
        "triage": p >= Permission::Triage,
        "pull": true,
    })
}

/// `repository` (`full: false`) or `full-repository`, with the caller's `permissions`.
pub(crate) fn repository(
    u: &Urls,
    world: &World,
    repo: &Repository,
    p: Permission,
    full: bool,
) -> Value {
    let owner = world.accounts.get(&repo.owner);
    let api = u.repo(repo);
    let html = format!("{}/{}", u.web, repo.full_name());
    let host = url::Url::parse(&u.web)
        .ok()
        .and_then(|x| x.host_str().map(str::to_owned))
        .unwrap_or_default();
    let mut v = json!({
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name(),
        "owner": owner.map(|a| simple_user(u, a)),
        "private": repo.private,
        "html_url": html,
        "description": repo.description,
        "fork": false,
        "url": api,
        "clone_url": format!("{html}.git"),
        "mirror_url": null,
        "hooks_url": format!("{api}/hooks"),
        "svn_url": html,
        "homepage": null,
        "language": null,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": repo.default_branch,
        "open_issues_count": 0,
        "open_issues": 0,
        "is_template": false,
        "topics": [],
        "has_issues": true,
        "has_projects": true,
        "has_wiki": false,
        "has_pages": false,
        "has_downloads": true,
        "has_discussions": false,
        "archived": false,
        "disabled": false,
        "visibility": if repo.private { "private" } else { "public" },
        "pushed_at": date(repo.pushed_at),
        "created_at": date(repo.created_at),
        "updated_at": date(repo.pushed_at),
        "permissions": permissions(p),
        "allow_forking": false,
        "web_commit_signoff_required": false,
        "license": null,
    });
    let templates = json!({
        "archive_url": format!("{api}/{{archive_format}}{{/ref}}"),
        "assignees_url": format!("{api}/assignees{{/user}}"),
        "blobs_url": format!("{api}/git/blobs{{/sha}}"),
        "branches_url": format!("{api}/branches{{/branch}}"),
        "collaborators_url": format!("{api}/collaborators{{/collaborator}}"),
        "comments_url": format!("{api}/comments{{/number}}"),
        "commits_url": format!("{api}/commits{{/sha}}"),
        "compare_url": format!("{api}/compare/{{base}}...{{head}}"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "contributors_url": format!("{api}/contributors"),
        "deployments_url": format!("{api}/deployments"),
        "downloads_url": format!("{api}/downloads"),
        "events_url": format!("{api}/events"),
        "forks_url": format!("{api}/forks"),
        "git_commits_url": format!("{api}/git/commits{{/sha}}"),
        "git_refs_url": format!("{api}/git/refs{{/sha}}"),
        "git_tags_url": format!("{api}/git/tags{{/sha}}"),
        "git_url": format!("git://{host}/{}.git", repo.full_name()),
        "issue_comment_url": format!("{api}/issues/comments{{/number}}"),
        "issue_events_url": format!("{api}/issues/events{{/number}}"),
        "issues_url": format!("{api}/issues{{/number}}"),
        "keys_url": format!("{api}/keys{{/key_id}}"),
        "labels_url": format!("{api}/labels{{/name}}"),
        "languages_url": format!("{api}/languages"),
        "merges_url": format!("{api}/merges"),
        "milestones_url": format!("{api}/milestones{{/number}}"),
        "notifications_url": format!("{api}/notifications{{?since,all,participating}}"),
        "pulls_url": format!("{api}/pulls{{/number}}"),
        "releases_url": format!("{api}/releases{{/id}}"),
        "ssh_url": format!("git@{host}:{}.git", repo.full_name()),
        "stargazers_url": format!("{api}/stargazers"),
        "statuses_url": format!("{api}/statuses/{{sha}}"),
        "subscribers_url": format!("{api}/subscribers"),
        "subscription_url": format!("{api}/subscription"),
        "tags_url": format!("{api}/tags"),
        "teams_url": format!("{api}/teams"),
        "trees_url": format!("{api}/git/trees{{/sha}}"),
    });
    if let (Some(base), Value::Object(more)) = (v.as_object_mut(), templates) {
        base.extend(more);
    }
    if full {
        v["subscribers_count"] = json!(0);
        v["network_count"] = json!(0);
        if let Some(org) = owner.filter(|a| a.kind == AccountKind::Organization) {
            v["organization"] = simple_user(u, org);
        }
    }
    v
}

pub(crate) fn installation(
    u: &Urls,
    world: &World,
    i: &Installation,
    app_id: u64,
    client_id: &str,
) -> Value {
    let account = world.accounts.get(&i.account);
    let org = account.is_some_and(|a| a.kind == AccountKind::Organization);
    let html = if org {
        format!(
            "{}/organizations/{}/settings/installations/{}",
            u.web, i.account, i.id
        )
    } else {
        format!("{}/settings/installations/{}", u.web, i.id)
    };
    json!({
        "id": i.id,
        "account": account.map(|a| simple_user(u, a)),
        "repository_selection": if i.selection == Selection::All { "all" } else { "selected" },
        "access_tokens_url": format!("{}/app/installations/{}/access_tokens", u.api, i.id),
        "repositories_url": format!("{}/installation/repositories", u.api),
        "html_url": html,
        "app_id": app_id,
        "client_id": client_id,
        "app_slug": i.app_slug,
        "target_id": account.map_or(0, |a| a.id),
        "target_type": if org { "Organization" } else { "User" },
        "permissions": {"contents": "write", "metadata": "read"},
        "events": [],
        "created_at": date(i.created_at),
        "updated_at": date(i.created_at),
        "single_file_name": null,
        "has_multiple_single_files": false,
        "single_file_paths": [],
        "suspended_by": null,
        "suspended_at": null,
    })
}

pub(crate) fn git_ref(u: &Urls, repo: &Repository, branch: &str, sha: &str) -> Value {
    let api = u.repo(repo);
    json!({
        "ref": format!("refs/heads/{branch}"),
        "node_id": node_id("Ref", format!("{}:refs/heads/{branch}", repo.id)),
        "url": format!("{api}/git/refs/heads/{branch}"),
        "object": {"type": "commit", "sha": sha, "url": format!("{api}/git/commits/{sha}")},
    })
}

fn signature(s: &Signature) -> Value {
    json!({"name": s.name, "email": s.email, "date": date(s.date)})
}

fn unsigned() -> Value {
    json!({"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null})
}

/// `git-commit` (also the `commit` half of `file-commit`).
pub(crate) fn git_commit(u: &Urls, repo: &Repository, c: &Commit) -> Value {
    let api = u.repo(repo);
    let html = format!("{}/{}", u.web, repo.full_name());
    json!({
        "sha": c.sha,
        "node_id": node_id("Commit", &c.sha[..12]),
        "url": format!("{api}/git/commits/{}", c.sha),
        "html_url": format!("{html}/commit/{}", c.sha),
        "author": signature(&c.author),
        "committer": signature(&c.committer),
        "message": c.message,
        "tree": {"sha": c.tree_sha, "url": format!("{api}/git/trees/{}", c.tree_sha)},
        "parents": c.parents.iter().map(|p| json!({
            "sha": p, "url": format!("{api}/git/commits/{p}"), "html_url": format!("{html}/commit/{p}"),
        })).collect::<Vec<_>>(),
        "verification": unsigned(),
    })
}

/// `commit`: an item of `GET …/commits`; `author`/`committer` are the GitHub accounts of
/// the signatures' emails, `null` when none matches.
pub(crate) fn commit(u: &Urls, world: &World, repo: &Repository, c: &Commit) -> Value {
    let api = u.repo(repo);
    let html = format!("{}/{}", u.web, repo.full_name());
    let account_of = |s: &Signature| {
        s.email
            .strip_suffix("@example.com")
            .and_then(|login| world.accounts.get(login))
            .map(|a| simple_user(u, a))
    };
    json!({
        "sha": c.sha,
        "node_id": node_id("Commit", &c.sha[..12]),
        "url": format!("{api}/commits/{}", c.sha),
        "html_url": format!("{html}/commit/{}", c.sha),
        "comments_url": format!("{api}/commits/{}/comments", c.sha),
        "commit": {
            "url": format!("{api}/git/commits/{}", c.sha),
            "author": signature(&c.author),
            "committer": signature(&c.committer),
            "message": c.message,
            "comment_count": 0,
            "tree": {"sha": c.tree_sha, "url": format!("{api}/git/trees/{}", c.tree_sha)},
            "verification": unsigned(),
        },
        "author": account_of(&c.author),
        "committer": account_of(&c.committer),
        "parents": c.parents.iter().map(|p| json!({
            "sha": p, "url": format!("{api}/commits/{p}"), "html_url": format!("{html}/commit/{p}"),
        })).collect::<Vec<_>>(),
    })
}
