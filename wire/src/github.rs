//! GitHub's JSON shapes, only the fields the studio reads, per GitHub's published description
//! of api.github.com (`sandbox/openapi/github.openapi.json`). A field the description does
//! not mark required is optional here, and so is every field the studio can do without: an
//! entry that lacks what the studio needs is dropped by the step to the studio's own types,
//! never the whole answer.

use serde::Deserialize;

/// Longest account login or repository name accepted (GitHub allows 39 and 100 characters).
pub const MAX_NAME_CHARS: usize = 100;

/// Whether `value` is an account login or a repository name the studio puts in a URL:
/// letters, digits, `-`, `_`, `.`; not only dots. What GitHub lists is held to the same rule as
/// what the app sends, so nothing is offered that a later step would refuse.
pub fn is_name(value: &str) -> bool {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    !value.is_empty()
        && value.chars().count() <= MAX_NAME_CHARS
        && value.chars().all(plain)
        && !value.chars().all(|c| c == '.')
}

/// A 40- (SHA-1) or 64-digit (SHA-256) object id.
pub fn is_object_id(value: &str) -> bool {
    matches!(value.len(), 40 | 64) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `basic-error`: what a refusal says.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
}

/// `simple-user` / `private-user`, as far as it is read.
#[derive(Debug, Deserialize)]
pub struct User {
    pub login: String,
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub avatar_url: Option<String>,
}

/// An installation's account: a user or organization (`simple-user`), or an enterprise,
/// which has a `slug` and a `name` but no `login`.
#[derive(Debug, Default, Deserialize)]
pub struct Account {
    #[serde(default)]
    pub login: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// `installation`, as far as it is read.
#[derive(Debug, Deserialize)]
pub struct Installation {
    pub id: u64,
    /// `nullable` in the description.
    #[serde(default)]
    pub account: Option<Account>,
    #[serde(default)]
    pub app_slug: Option<String>,
}

impl Installation {
    /// The account's login, when it is a user or organization the studio can name in a URL.
    pub fn login(&self) -> Option<&str> {
        self.account
            .as_ref()?
            .login
            .as_deref()
            .filter(|login| is_name(login))
    }
}

/// `GET /user/installations`.
#[derive(Debug, Deserialize)]
pub struct Installations {
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub installations: Vec<Installation>,
}

/// A repository's `owner`.
#[derive(Debug, Deserialize)]
pub struct Owner {
    pub login: String,
}

/// The user's access to a repository (`permissions`).
#[derive(Debug, Default, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub push: Option<bool>,
    #[serde(default)]
    pub admin: Option<bool>,
    #[serde(default)]
    pub maintain: Option<bool>,
}

impl Permissions {
    /// Write access: `push`, which `maintain` and `admin` include.
    pub fn can_write(&self) -> bool {
        self.push == Some(true) || self.maintain == Some(true) || self.admin == Some(true)
    }
}

/// `repository` / `full-repository`, as far as it is read.
#[derive(Debug, Deserialize)]
pub struct Repository {
    pub name: String,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub owner: Option<Owner>,
    #[serde(default)]
    pub private: Option<bool>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
    /// Optional in the description: a listing without it says nothing about write access.
    #[serde(default)]
    pub permissions: Option<Permissions>,
    #[serde(default)]
    pub archived: Option<bool>,
    #[serde(default)]
    pub pushed_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl Repository {
    /// Whether the user may write to it: `permissions` says so and it is not archived. The
    /// schema makes `permissions` optional, but the description of
    /// `GET /user/installations/{installation_id}/repositories` promises it ("The access the
    /// user has to each repository is included in the hash under the `permissions` key"), and
    /// `GET /repos/{owner}/{repo}` gives it to a signed-in caller; an answer without it says
    /// nothing about write access, so the repository is not offered.
    pub fn writable(&self) -> bool {
        self.permissions
            .as_ref()
            .is_some_and(Permissions::can_write)
            && self.archived != Some(true)
    }

    /// The repository as the studio shows it, in `owner`'s group; `None` when its name
    /// could not be put in a URL.
    pub fn into_api(self, owner: &str) -> Option<api::Repository> {
        if !is_name(&self.name) {
            return None;
        }
        Some(api::Repository {
            group: owner.to_owned(),
            full_name: format!("{owner}/{}", self.name),
            slug: self.name.clone(),
            name: self.name,
            is_private: self.private.unwrap_or(true),
            main_branch: self.default_branch,
            updated_on: self.pushed_at.or(self.updated_at),
        })
    }

    pub fn html_url(&self) -> Option<String> {
        crate::web_link(self.html_url.clone())
    }
}

/// `GET /user/installations/{installation_id}/repositories`.
#[derive(Debug, Deserialize)]
pub struct InstallationRepositories {
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub repositories: Vec<Repository>,
}

/// A `git-ref`'s `object`.
#[derive(Debug, Deserialize)]
pub struct RefObject {
    pub sha: String,
}

/// `git-ref`.
#[derive(Debug, Deserialize)]
pub struct GitRef {
    pub object: RefObject,
}

/// A commit's author or committer in the Git data API.
#[derive(Debug, Default, Deserialize)]
pub struct Signature {
    #[serde(default)]
    pub name: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub date: Option<String>,
}

/// A `tree` reference inside a commit.
#[derive(Debug, Deserialize)]
pub struct TreeRef {
    pub sha: String,
}

/// `git-commit`, as far as it is read.
#[derive(Debug, Deserialize)]
pub struct GitCommit {
    pub sha: String,
    pub tree: TreeRef,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<Signature>,
}

/// One entry of a `git-tree`.
#[derive(Debug, Deserialize)]
pub struct TreeEntry {
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `git-tree`.
#[derive(Debug, Deserialize)]
pub struct GitTree {
    pub sha: String,
    #[serde(default)]
    pub truncated: Option<bool>,
    #[serde(default)]
    pub tree: Vec<TreeEntry>,
}

impl GitTree {
    /// The paths of the files (blobs) under `folder` (`""`: everywhere).
    pub fn files_under(&self, folder: &str) -> Vec<String> {
        let prefix = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        self.tree
            .iter()
            .filter(|entry| entry.kind.as_deref() == Some("blob"))
            .filter_map(|entry| entry.path.clone())
            .filter(|path| path.starts_with(&prefix))
            .collect()
    }
}

/// The `commit` inside a `commit` of the commits list.
#[derive(Debug, Deserialize)]
pub struct CommitDetail {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<Signature>,
}

/// One `commit` of `GET /repos/{owner}/{repo}/commits`.
#[derive(Debug, Deserialize)]
pub struct Commit {
    pub sha: String,
    pub commit: CommitDetail,
}

/// A change as the studio shows it, from a commit's id, author and message.
pub fn change(sha: &str, author: Option<&Signature>, message: Option<&str>) -> api::Change {
    let at = author
        .and_then(|a| a.date.as_deref())
        .and_then(|date| {
            time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339).ok()
        })
        .map_or(0, |date| date.unix_timestamp());
    api::Change {
        revision: sha.to_owned(),
        label: sha.chars().take(7).collect(),
        author: author.and_then(|a| a.name.clone()).unwrap_or_default(),
        at,
        message: message.unwrap_or_default().trim_end().to_owned(),
    }
}

impl Commit {
    pub fn to_change(&self) -> api::Change {
        change(
            &self.sha,
            self.commit.author.as_ref(),
            self.commit.message.as_deref(),
        )
    }
}

impl GitCommit {
    pub fn to_change(&self) -> api::Change {
        change(&self.sha, self.author.as_ref(), self.message.as_deref())
    }
}

/// `content-file`, as far as it is read: `content` is base64 with line breaks when
/// `encoding` is `base64`; a file over 1 MB comes with `encoding: "none"` and no content.
#[derive(Debug, Deserialize)]
pub struct ContentFile {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}

/// What `PUT …/contents/{path}` answers: the commit made.
#[derive(Debug, Deserialize)]
pub struct FileCommit {
    pub commit: CommitSha,
}

#[derive(Debug, Deserialize)]
pub struct CommitSha {
    #[serde(default)]
    pub sha: Option<String>,
}

/// A token endpoint's answer that is an error (GitHub answers errors with HTTP 200, see
/// "Generating a user access token for a GitHub App").
#[derive(Debug, Deserialize)]
pub struct TokenErrorBody {
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_steer_a_url() {
        for good in ["acme-data", "alex", "my.repo_v2", "a"] {
            assert!(is_name(good), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "a%2F", "é", &"a".repeat(101)] {
            assert!(!is_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn only_repositories_said_to_be_writable_are_writable() {
        let repo = |json: &str| serde_json::from_str::<Repository>(json).unwrap();
        assert!(
            repo(r#"{"name":"a","permissions":{"push":true,"admin":false,"pull":true}}"#)
                .writable()
        );
        assert!(repo(r#"{"name":"a","permissions":{"push":false,"maintain":true}}"#).writable());
        assert!(
            !repo(r#"{"name":"a","permissions":{"push":false,"admin":false,"pull":true}}"#)
                .writable()
        );
        assert!(
            !repo(r#"{"name":"a"}"#).writable(),
            "no permissions: not offered"
        );
        assert!(!repo(r#"{"name":"a","archived":true,"permissions":{"push":true}}"#).writable());
    }

    #[test]
    fn an_enterprise_installation_has_no_login() {
        let installation = |json: &str| serde_json::from_str::<Installation>(json).unwrap();
        assert_eq!(
            installation(r#"{"id":1,"account":{"login":"acme"}}"#).login(),
            Some("acme")
        );
        assert_eq!(
            installation(r#"{"id":1,"account":{"slug":"big","name":"Big"}}"#).login(),
            None
        );
        assert_eq!(installation(r#"{"id":1,"account":null}"#).login(), None);
    }

    #[test]
    fn a_change_reads_its_date_or_says_none() {
        let commit: Commit = serde_json::from_str(
            r#"{"sha":"8d51122def5632836d1cb1026e879069e10a1e13","commit":{"message":"Edit\n","author":{"name":"Alex","date":"2026-01-05T09:00:00Z"}}}"#,
        )
        .unwrap();
        let change = commit.to_change();
        assert_eq!(change.label, "8d51122");
        assert_eq!(change.at, 1_767_603_600);
        assert_eq!(change.message, "Edit");
        let bare: Commit = serde_json::from_str(r#"{"sha":"ab","commit":{}}"#).unwrap();
        assert_eq!(bare.to_change().at, 0);
    }
}

/// `short-branch`: a branch in `GET …/branches`.
#[derive(Debug, Deserialize)]
pub struct ShortBranch {
    pub name: String,
}

/// `diff-entry`: one file of a comparison.
#[derive(Debug, Deserialize)]
pub struct DiffEntry {
    pub filename: String,
    /// `added`, `removed`, `modified`, `renamed`, `copied`, `changed` or `unchanged`.
    pub status: String,
    #[serde(default)]
    pub previous_filename: Option<String>,
    /// The file's unified-diff hunks; absent for a binary or very large file.
    #[serde(default)]
    pub patch: Option<String>,
}

/// `commit-comparison`: `GET …/compare/{base}...{head}`.
#[derive(Debug, Deserialize)]
pub struct Comparison {
    pub ahead_by: u32,
    pub behind_by: u32,
    /// Not required by the description: absent means none listed.
    #[serde(default)]
    pub files: Vec<DiffEntry>,
}
