//! Bitbucket Cloud's JSON, as documented for REST API 2.0. Only the fields the studio reads;
//! unknown fields are ignored so additions on Bitbucket's side do not break us.

use serde::Deserialize;

/// Bitbucket's paginated list. Follow `next` as given; `size` may be absent.
#[derive(Debug, Deserialize)]
pub struct Paginated<T> {
    pub values: Vec<T>,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Href {
    pub href: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub avatar: Option<Href>,
    #[serde(default)]
    pub html: Option<Href>,
}

/// `GET /user`
#[derive(Debug, Deserialize)]
pub struct User {
    pub account_id: String,
    pub uuid: String,
    pub display_name: String,
    pub nickname: String,
    #[serde(default)]
    pub links: Links,
}

/// `GET /user/workspaces` values
#[derive(Debug, Deserialize)]
pub struct WorkspaceAccess {
    pub workspace: WorkspaceBase,
}

#[derive(Debug, Deserialize)]
pub struct WorkspaceBase {
    pub slug: String,
    pub name: String,
    pub uuid: String,
}

#[derive(Debug, Deserialize)]
pub struct BranchRef {
    pub name: String,
}

/// `GET /repositories/{workspace}` values and `GET /repositories/{workspace}/{slug}`
#[derive(Debug, Deserialize)]
pub struct Repository {
    pub full_name: String,
    pub name: String,
    pub slug: String,
    #[serde(default)]
    pub is_private: bool,
    #[serde(default)]
    pub mainbranch: Option<BranchRef>,
    #[serde(default)]
    pub updated_on: Option<String>,
    #[serde(default)]
    pub links: Links,
}

/// `GET /user/workspaces/{workspace}/permissions/repositories` values
#[derive(Debug, Deserialize)]
pub struct RepositoryPermission {
    pub permission: String,
    pub repository: RepositoryBase,
}

#[derive(Debug, Deserialize)]
pub struct RepositoryBase {
    pub full_name: String,
}

/// API error body: `{"type":"error","error":{"message":"…"}}`
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: String,
}

impl Repository {
    pub fn into_api(self) -> api::Repository {
        let workspace = self
            .full_name
            .split_once('/')
            .map(|(ws, _)| ws.to_owned())
            .unwrap_or_default();
        api::Repository {
            workspace,
            slug: self.slug,
            name: self.name,
            full_name: self.full_name,
            is_private: self.is_private,
            main_branch: self.mainbranch.map(|b| b.name),
            updated_on: self.updated_on,
        }
    }
}

/// A commit (`GET …/commit/{hash}`, `…/commits`, a branch's `target`): only the fields shown.
#[derive(Debug, Clone, Deserialize)]
pub struct Commit {
    pub hash: String,
    /// ISO 8601.
    pub date: String,
    #[serde(default)]
    pub message: String,
    pub author: CommitAuthor,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommitAuthor {
    /// `Full Name <email>`.
    #[serde(default)]
    pub raw: String,
    /// The Bitbucket account, when the email belongs to one.
    #[serde(default)]
    pub user: Option<CommitUser>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommitUser {
    pub display_name: String,
}

/// `GET …/refs/branches/{name}`.
#[derive(Debug, Deserialize)]
pub struct Branch {
    pub target: Commit,
}

/// One entry of a `src` directory listing.
#[derive(Debug, Deserialize)]
pub struct SourceEntry {
    /// `commit_file` or `commit_directory`.
    #[serde(rename = "type")]
    pub kind: String,
    pub path: String,
}
