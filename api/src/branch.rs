//! Branches of a project's repository: the selector on the project page, a new branch, and
//! the comparison of a branch with the project's own branch (`main`).
//!
//! The name rule ([`check_branch_name`]) lives here so the app's inline error and the
//! server's verdict are the same code. It is Git's own (`git check-ref-format --branch`),
//! which all three providers the studio speaks to apply; a provider that adds rules of its
//! own answers them after the call.

use serde::{Deserialize, Serialize};

/// Longest branch name accepted, in bytes: Git keeps a ref as a file, and 255 bytes is the
/// common file-name limit.
pub const MAX_BRANCH_BYTES: usize = 255;

/// Lines of one file's diff the studio shows; a longer diff is cut and says so.
pub const MAX_DIFF_LINES: usize = 5_000;

/// Why `name` cannot be a branch, in words for the user; `None` when it can.
pub fn check_branch_name(name: &str) -> Option<String> {
    let why = if name.is_empty() {
        "Enter a branch name."
    } else if name.len() > MAX_BRANCH_BYTES {
        "A branch name can be at most 255 bytes long."
    } else if name.chars().any(|c| c.is_control() || c == ' ') {
        "A branch name cannot contain spaces or control characters."
    } else if let Some(c) = name.chars().find(|c| "~^:?*[\\".contains(*c)) {
        return Some(format!("A branch name cannot contain “{c}”."));
    } else if name.contains("..") || name.contains("@{") || name == "@" {
        "A branch name cannot contain “..” or “@{”, nor be “@”."
    } else if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        "A branch name cannot start or end with “/”, nor have two in a row."
    } else if name.ends_with('.') {
        "A branch name cannot end with “.”."
    } else if name.starts_with('-') {
        "A branch name cannot start with “-”."
    } else if name
        .split('/')
        .any(|part| part.starts_with('.') || part.ends_with(".lock"))
    {
        "No part of a branch name between “/” can start with “.” or end with “.lock”."
    } else if name == "HEAD" {
        "“HEAD” is not a branch name."
    } else {
        return None;
    };
    Some(why.to_owned())
}

/// `?branch=` of the pipeline routes and of the comparison: the branch on screen; the
/// project's own branch when absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
pub struct BranchQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// `?q=` of `GET /api/projects/{id}/branches`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
pub struct BranchSearch {
    /// Part of a branch name; every branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
}

/// Where a branch comes in the selector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BranchGroup {
    /// The project's own branch, always first.
    Project,
    /// One this user chose or created in the studio, most recent first.
    Recent,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchSummary {
    pub name: String,
    pub group: BranchGroup,
}

/// `GET /api/projects/{id}/branches`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchList {
    pub branches: Vec<BranchSummary>,
    /// The provider has more branches matching than are listed: a search narrows them.
    pub more: bool,
}

/// `POST /api/projects/{id}/branches`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewBranch {
    pub name: String,
    /// The branch it starts from: the project's own, or the branch on screen.
    pub from: String,
}

/// `PUT /api/projects/{id}/branch`: the branch this user works on in this project, kept
/// for their next visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChosenBranch {
    pub name: String,
}

/// How a file differs on the branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    Added,
    Modified,
    Removed,
    Renamed,
}

impl FileChange {
    pub fn label(self) -> &'static str {
        match self {
            FileChange::Added => "Added",
            FileChange::Modified => "Changed",
            FileChange::Removed => "Removed",
            FileChange::Renamed => "Renamed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComparedFile {
    pub path: String,
    pub change: FileChange,
    /// Where a renamed file was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_path: Option<String>,
    /// Whether the file is one of the project's pipelines.
    pub pipeline: bool,
}

/// What the comparison found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BranchState {
    /// The branch is the project's own: nothing to compare.
    Project,
    /// Nothing on the branch that the project's branch lacks.
    Even,
    /// The branch has changes of its own.
    Changed,
    /// Everything the branch had is now on the project's branch: a pull request was merged.
    Merged,
    /// The branch is no longer at the provider (merged and deleted, or deleted).
    Gone,
}

/// `GET /api/projects/{id}/compare?branch=`: the branch against the project's branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub branch: String,
    /// The project's branch.
    pub base: String,
    pub state: BranchState,
    /// Commits on the branch and not on the base.
    pub ahead: u32,
    /// Commits on the base and not on the branch: the base moved since.
    pub behind: u32,
    /// `ahead` or `behind` stopped counting at the provider's page.
    pub counts_capped: bool,
    /// The files the branch adds, changes and removes, against where it left the base.
    pub files: Vec<ComparedFile>,
    /// More files changed than the provider's comparison lists at once (`files` is its first
    /// page): the provider's own page shows them all.
    #[serde(default)]
    pub files_capped: bool,
    /// The provider's own page creating a pull request of this branch into the base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request_url: Option<String>,
}

/// `?branch=&path=` of `GET /api/projects/{id}/compare/file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
pub struct DiffQuery {
    pub branch: String,
    pub path: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiffLineKind {
    Context,
    Added,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffLine {
    pub kind: DiffLineKind,
    /// Its number in the base's file (absent for an added line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<u32>,
    /// Its number in the branch's file (absent for a removed line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<u32>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffHunk {
    pub old_start: u32,
    pub new_start: u32,
    pub lines: Vec<DiffLine>,
}

/// A file's unified diff, base against branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileDiff {
    pub path: String,
    pub hunks: Vec<DiffHunk>,
    /// The diff stopped at the studio's bound.
    pub truncated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gits_rules_hold() {
        for good in ["feature/orders", "alex-1", "v1.2", "a/b/c", "ünïcode"] {
            assert_eq!(check_branch_name(good), None, "{good}");
        }
        for bad in [
            "",
            " x",
            "a b",
            "a..b",
            "a~1",
            "a^",
            "a:b",
            "a?",
            "a*",
            "a[",
            "a\\b",
            "/a",
            "a/",
            "a//b",
            "a.",
            ".a",
            "a/.b",
            "a.lock",
            "a/b.lock/c",
            "@",
            "a@{1}",
            "HEAD",
            "-x",
            "a\u{7f}",
        ] {
            assert!(check_branch_name(bad).is_some(), "{bad:?}");
        }
        assert!(check_branch_name(&"a".repeat(256)).is_some());
        assert_eq!(check_branch_name(&"a".repeat(255)), None);
    }
}
