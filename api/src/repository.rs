//! Repositories as the app sees them, whatever the provider: the server's narrow proxy
//! reshapes each provider's answers into these, so the app never sees a provider's URLs or
//! tokens. A repository belongs to a *group*: a Bitbucket Cloud workspace, a Bitbucket Data
//! Center project ([`crate::ProviderWording::group_noun`] says which word to show). Older
//! clients' and stored drafts' `workspace` names are still read.

use serde::{Deserialize, Serialize};

/// One page of a list. `next` is set when there are more: an opaque cursor the app sends
/// back to get the next page (Bitbucket's own `next` is opaque too: a page number or not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub values: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Total count, when Bitbucket reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

impl<T> Page<T> {
    /// A list with nothing in it.
    pub fn empty() -> Self {
        Self {
            values: Vec::new(),
            next: None,
            size: Some(0),
        }
    }
}

/// A group of repositories the account can see: a Cloud workspace (its slug; the human name
/// comes later, `GET /api/bitbucket/workspace-names`, where Bitbucket has one) or a Data
/// Center project (its key, and its name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepositoryGroup {
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl RepositoryGroup {
    /// What to show: the name, else the slug.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.slug)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RepositoryPermission {
    Write,
    Admin,
}

/// A repository the connected account can write to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Repository {
    /// The group's key (Cloud workspace slug, Data Center project key).
    #[serde(alias = "workspace")]
    pub group: String,
    pub slug: String,
    pub name: String,
    /// `group/slug`
    pub full_name: String,
    pub is_private: bool,
    /// Name of the default branch; `None` for an empty repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_branch: Option<String>,
    /// RFC 3339, as Bitbucket reports `updated_on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_on: Option<String>,
}

/// The branch the studio keeps a project's pipelines on.
pub const PROJECT_BRANCH: &str = "main";

/// Whether a repository has the studio's branch (`main`), and if not, what creating it means.
/// `GET` and `POST /api/bitbucket/workspaces/{ws}/repositories/{repo}/main-branch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MainBranch {
    /// `main` exists; `tip` is its latest commit.
    Ready { tip: String },
    /// No `main`: it can be created from the repository's default branch.
    Missing { default_branch: String },
    /// The repository has no commit at all: the first commit (a README) creates `main`.
    EmptyRepository,
}

/// `GET /api/{provider}/repository-picker?group=`: the repository step's first screen, the
/// account's groups and the first repositories of one of them, fetched from the provider at
/// the same time (one round trip). Later searches and other groups use the repository list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepositoryPicker {
    /// Every group of the account, sorted by key.
    #[serde(alias = "workspaces")]
    pub groups: Vec<RepositoryGroup>,
    /// The group whose repositories follow: the one asked for if the account has it, else
    /// the one the user last chose a repository in, else the first. `None` when the account
    /// belongs to no group.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "workspace")]
    pub group: Option<String>,
    pub repositories: Page<Repository>,
}

/// Query parameters of the repository picker.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PickerQuery {
    /// The group to open on (`workspace`, its older name, is read too).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "workspace")]
    pub group: Option<String>,
    /// Ask Bitbucket again instead of reusing what the server read a moment ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<bool>,
}

/// Query parameters of the repository list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RepositoryQuery {
    /// Case-insensitive substring of the repository name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// The `next` of the page before: asks for the page after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Ask Bitbucket again instead of reusing what the server read a moment ago.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<bool>,
}
