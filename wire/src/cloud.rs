//! Bitbucket Cloud's JSON, read as Atlassian's OpenAPI document defines it
//! (`sandbox/openapi/bitbucket-cloud.openapi.json`), and nothing more.
//!
//! The document requires almost nothing: in every object only `type` is required, and a
//! paginated list guarantees only `values` and `next` (the narrative's pagination page). So
//! each wire type below makes every field optional, reads only fields the document defines
//! for that answer (with two labelled extras, read when present and never needed), and is
//! turned into a small domain type that says what the studio needs. An entry without what the
//! studio needs (a workspace without a slug, a commit without a hash) is skipped, not fatal;
//! an answer that lacks the one thing a call exists for (the account's uuid) is `None`, which
//! the server reports as an unexpected answer. Unknown fields are ignored, so additions never
//! break us.

use serde::Deserialize;

/// Whether `value` is a slug the studio puts in a URL: 1–128 of `[A-Za-z0-9._-]`, not `.` or
/// `..`. What Bitbucket lists is held to the same rule as what the app sends, so nothing is
/// offered that a later step would refuse.
pub fn is_slug(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value != "."
        && value != ".."
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `paginated_*`: `values` (absent reads as empty) and the opaque `next` link; `size` when
/// Bitbucket chose to count.
#[derive(Debug, Deserialize)]
pub struct Paginated<T> {
    #[serde(default = "Vec::new")]
    pub values: Vec<T>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub next: Option<String>,
}

/// `link`: `href` and `name`.
#[derive(Debug, Default, Deserialize)]
pub struct Link {
    #[serde(default)]
    pub href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AvatarLinks {
    #[serde(default)]
    pub avatar: Option<Link>,
}

/// `GET /user` answers an `account`: `type`, `uuid`, `display_name`, `created_on`, `links`.
/// `account_id` and `nickname` belong to the `user` schema, not to `account`: read when
/// Bitbucket sends them (it does), never required.
#[derive(Debug, Deserialize)]
pub struct WireAccount {
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub links: Option<AvatarLinks>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub nickname: Option<String>,
}

/// The Bitbucket account a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Bitbucket's immutable id of the account (`{…}`).
    pub uuid: String,
    pub account_id: Option<String>,
    pub nickname: Option<String>,
    /// The name to show: the display name, else the nickname, else the uuid.
    pub display_name: String,
    pub avatar_url: Option<String>,
}

impl WireAccount {
    /// The account, `None` without a uuid.
    pub fn into_account(self) -> Option<Account> {
        let uuid = non_empty(self.uuid)?;
        let nickname = non_empty(self.nickname);
        let display_name = non_empty(self.display_name)
            .or_else(|| nickname.clone())
            .unwrap_or_else(|| uuid.clone());
        Some(Account {
            avatar_url: crate::web_link(self.links.and_then(|l| l.avatar).and_then(|a| a.href)),
            account_id: non_empty(self.account_id),
            nickname,
            display_name,
            uuid,
        })
    }
}

/// `GET /user/workspaces` values: `workspace_access`.
#[derive(Debug, Deserialize)]
pub struct WorkspaceAccess {
    #[serde(default)]
    pub workspace: Option<WorkspaceBase>,
}

/// `workspace_base`: `type`, `uuid`, `slug`, `links`. No `name`: the document does not define
/// one here (it allows more fields, so one is read if Bitbucket ever sends it).
#[derive(Debug, Deserialize)]
pub struct WorkspaceBase {
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A workspace the account belongs to: its slug, and its human name when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceRef {
    pub slug: String,
    pub name: Option<String>,
}

impl WorkspaceAccess {
    pub fn into_workspace(self) -> Option<WorkspaceRef> {
        let base = self.workspace?;
        Some(WorkspaceRef {
            slug: base.slug.filter(|s| is_slug(s))?,
            name: non_empty(base.name),
        })
    }
}

/// `GET /workspaces/{workspace}`: a `workspace`, which does define `name`.
#[derive(Debug, Deserialize)]
pub struct Workspace {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct BranchName {
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /repositories/{workspace}` values and `GET /repositories/{workspace}/{slug}`:
/// `repository`.
#[derive(Debug, Deserialize)]
pub struct WireRepository {
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub is_private: Option<bool>,
    #[serde(default)]
    pub mainbranch: Option<BranchName>,
    #[serde(default)]
    pub updated_on: Option<String>,
    #[serde(default)]
    pub links: Option<RepositoryLinks>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RepositoryLinks {
    #[serde(default)]
    pub html: Option<Link>,
}

impl WireRepository {
    /// The repository's page on Bitbucket, when the answer links it with a web link (see
    /// [`crate::web_link`]).
    pub fn html_url(&self) -> Option<String> {
        crate::web_link(self.links.as_ref()?.html.as_ref()?.href.clone())
    }

    /// The repository as the app sees it, in `workspace` (the one asked about). The slug is
    /// `slug`, else the part of `full_name` after the workspace; without either the entry is
    /// of no use.
    pub fn into_api(self, workspace: &str) -> Option<api::Repository> {
        let from_full_name = self
            .full_name
            .as_deref()
            .and_then(|full| full.split_once('/'))
            .map(|(_, slug)| slug.to_owned());
        let slug = non_empty(self.slug)
            .or_else(|| non_empty(from_full_name))
            .filter(|s| is_slug(s))?;
        let full_name = format!("{workspace}/{slug}");
        Some(api::Repository {
            group: workspace.to_owned(),
            name: non_empty(self.name).unwrap_or_else(|| slug.clone()),
            slug,
            full_name,
            is_private: self.is_private.unwrap_or(true),
            main_branch: self.mainbranch.and_then(|b| non_empty(b.name)),
            updated_on: self.updated_on,
        })
    }
}

/// API error body: `{"type":"error","error":{"message":"…","detail":…}}`.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorBody {
    pub fn message(self) -> String {
        self.error.and_then(|e| e.message).unwrap_or_default()
    }
}

/// `commit` / `base_commit`: a commit as lists, branches and `…/commit/{hash}` give it.
#[derive(Debug, Clone, Deserialize)]
pub struct WireCommit {
    #[serde(default)]
    pub hash: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<WireAuthor>,
    #[serde(default)]
    pub parents: Option<Vec<WireParent>>,
}

/// `author`: `raw` (`Full Name <email>`) and the Bitbucket `user`, when the email is one.
#[derive(Debug, Clone, Deserialize)]
pub struct WireAuthor {
    #[serde(default)]
    pub raw: Option<String>,
    #[serde(default)]
    pub user: Option<WireAuthorUser>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireAuthorUser {
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WireParent {
    #[serde(default)]
    pub hash: Option<String>,
}

/// A commit the studio can name: it has a hash; the rest is shown when present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    /// ISO 8601, when given.
    pub date: Option<String>,
    pub message: String,
    /// The Bitbucket account's display name, else the name in `raw`, else empty.
    pub author: String,
    pub parents: Vec<String>,
}

impl WireCommit {
    pub fn into_commit(self) -> Option<Commit> {
        let hash = non_empty(self.hash)?;
        let author = self
            .author
            .map(|author| {
                author
                    .user
                    .and_then(|u| non_empty(u.display_name))
                    .unwrap_or_else(|| {
                        let raw = author.raw.unwrap_or_default();
                        raw.split('<').next().unwrap_or_default().trim().to_owned()
                    })
            })
            .unwrap_or_default();
        Some(Commit {
            hash,
            date: self.date,
            message: self.message.unwrap_or_default(),
            author,
            parents: self
                .parents
                .unwrap_or_default()
                .into_iter()
                .filter_map(|p| non_empty(p.hash))
                .collect(),
        })
    }
}

/// `GET …/refs/branches/{name}`: a `branch`, whose `target` is the tip commit.
#[derive(Debug, Deserialize)]
pub struct Branch {
    #[serde(default)]
    pub target: Option<WireCommit>,
}

/// One entry of a `src` directory listing (`treeentry`: `commit_file` or
/// `commit_directory`, told apart by the required `type`).
#[derive(Debug, Deserialize)]
pub struct SourceEntry {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub path: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    //! Each model against the smallest answer the document allows (only `type`, or for a
    //! paginated list nothing at all), and against a full one.
    use super::*;

    fn parse<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn the_smallest_paginated_list_is_empty() {
        let page: Paginated<WorkspaceAccess> = parse("{}");
        assert!(page.values.is_empty() && page.next.is_none() && page.size.is_none());
    }

    #[test]
    fn an_account_needs_only_its_uuid() {
        assert!(parse::<WireAccount>(r#"{"type":"account"}"#)
            .into_account()
            .is_none());
        let account = parse::<WireAccount>(r#"{"type":"account","uuid":"{u}"}"#)
            .into_account()
            .unwrap();
        assert_eq!(
            (account.display_name.as_str(), account.nickname),
            ("{u}", None)
        );
        let full = parse::<WireAccount>(
            r#"{"type":"user","uuid":"{u}","display_name":"Alex","account_id":"5","nickname":"alex","links":{"avatar":{"href":"https://a/x.png"}}}"#,
        )
        .into_account()
        .unwrap();
        assert_eq!(full.display_name, "Alex");
        assert_eq!(full.avatar_url.as_deref(), Some("https://a/x.png"));
    }

    #[test]
    fn a_workspace_access_without_name_is_a_workspace() {
        assert_eq!(
            parse::<WorkspaceAccess>(r#"{"type":"workspace_access"}"#).into_workspace(),
            None
        );
        let ws = parse::<WorkspaceAccess>(
            r#"{"type":"workspace_access","administrator":false,"workspace":{"type":"workspace_base","uuid":"{w}","slug":"acme","links":{"self":{"href":"https://api/x"}}}}"#,
        )
        .into_workspace()
        .unwrap();
        assert_eq!(
            ws,
            WorkspaceRef {
                slug: "acme".into(),
                name: None
            }
        );
        assert_eq!(parse::<Workspace>(r#"{"type":"workspace"}"#).name, None);
    }

    #[test]
    fn a_repository_needs_a_slug_from_somewhere() {
        assert!(parse::<WireRepository>(r#"{"type":"repository"}"#)
            .into_api("acme")
            .is_none());
        let from_full_name =
            parse::<WireRepository>(r#"{"type":"repository","full_name":"acme/etl"}"#)
                .into_api("acme")
                .unwrap();
        assert_eq!(
            (
                from_full_name.slug.as_str(),
                from_full_name.name.as_str(),
                from_full_name.main_branch
            ),
            ("etl", "etl", None)
        );
    }

    #[test]
    fn a_commit_needs_only_its_hash() {
        assert!(parse::<WireCommit>(r#"{"type":"commit"}"#)
            .into_commit()
            .is_none());
        let bare = parse::<WireCommit>(r#"{"type":"commit","hash":"abc1234"}"#)
            .into_commit()
            .unwrap();
        assert_eq!(
            (bare.author.as_str(), bare.message.as_str(), bare.date),
            ("", "", None)
        );
        let full = parse::<WireCommit>(
            r#"{"type":"commit","hash":"abc1234","date":"2026-01-01T00:00:00+00:00","message":"m","author":{"type":"author","raw":"Robot <r@x>"},"parents":[{"type":"commit","hash":"0001111"}]}"#,
        )
        .into_commit()
        .unwrap();
        assert_eq!(full.author, "Robot");
        assert_eq!(full.parents, ["0001111"]);
        assert!(parse::<Branch>(r#"{"type":"branch"}"#).target.is_none());
        assert!(parse::<SourceEntry>(r#"{"type":"commit_file"}"#)
            .path
            .is_none());
        assert_eq!(parse::<ErrorBody>(r#"{"type":"error"}"#).message(), "");
    }

    #[test]
    fn listed_slugs_a_later_step_would_refuse_are_not_offered() {
        let page: Paginated<WorkspaceAccess> = parse(
            r#"{"values":[{"workspace":{"slug":"acme"}},{"workspace":{"slug":".."}},{"workspace":{"slug":"a/b"}}]}"#,
        );
        let slugs: Vec<_> = page
            .values
            .into_iter()
            .filter_map(WorkspaceAccess::into_workspace)
            .map(|w| w.slug)
            .collect();
        assert_eq!(slugs, ["acme"]);
        let repo: WireRepository = parse(r#"{"full_name":"acme/a?b"}"#);
        assert!(repo.into_api("acme").is_none());
    }

    #[test]
    fn only_web_links_are_kept() {
        let repo: WireRepository =
            parse(r#"{"slug":"etl","links":{"html":{"href":"javascript:alert(1)"}}}"#);
        assert_eq!(repo.html_url(), None);
        let account = parse::<WireAccount>(
            r#"{"uuid":"{u}","links":{"avatar":{"href":"data:image/svg+xml,<svg onload=alert(1)>"}}}"#,
        )
        .into_account()
        .unwrap();
        assert_eq!(account.avatar_url, None);
    }
}

/// `commit_file`'s path, as a diffstat names it.
#[derive(Debug, Default, Deserialize)]
pub struct CommitFilePath {
    #[serde(default)]
    pub path: Option<String>,
}

/// `diffstat`: one file of `GET …/diffstat/{spec}`. Only `type` is required by the document:
/// an entry without a status or a path is dropped where it is read.
#[derive(Debug, Default, Deserialize)]
pub struct DiffStat {
    /// `added`, `removed`, `modified` or `renamed`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub old: Option<CommitFilePath>,
    #[serde(default)]
    pub new: Option<CommitFilePath>,
}
