//! Projects: what the wizard creates.

use serde::{Deserialize, Serialize};

/// How the project keeps its pipelines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectConfiguration {
    /// The studio keeps the pipelines itself; no Git provider.
    QuickStart,
    /// The pipelines live in the user's own Git repository.
    Advanced,
}

impl ProjectConfiguration {
    /// The path segment used in wizard routes.
    pub fn slug(self) -> &'static str {
        match self {
            ProjectConfiguration::QuickStart => "quick-start",
            ProjectConfiguration::Advanced => "advanced",
        }
    }
}

/// A repository named by the app: names, never URLs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepositoryRef {
    /// Where the repository is; Bitbucket Cloud when absent (what older drafts hold).
    #[serde(default)]
    pub provider: crate::GitProvider,
    /// The group the repository belongs to: a Cloud workspace's slug, a Data Center project's
    /// key. (Drafts saved before the name changed say `workspace`.)
    #[serde(alias = "workspace")]
    pub group: String,
    pub slug: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateProject {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub configuration: ProjectConfiguration,
    /// Required for [`ProjectConfiguration::Advanced`], absent for Quick start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<RepositoryRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectRepository {
    pub provider: crate::GitProvider,
    /// The group's key (Cloud workspace slug, Data Center project key).
    #[serde(alias = "workspace")]
    pub group: String,
    pub slug: String,
    pub full_name: String,
    /// The branch the studio keeps the project's pipelines on.
    pub branch: String,
    /// Link to the repository on Bitbucket, for people.
    pub html_url: String,
    /// The branch this user last worked on in this project, when not `branch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_branch: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub configuration: ProjectConfiguration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<ProjectRepository>,
    /// Folder the project's pipelines are kept in; empty for the repository root.
    #[serde(default)]
    pub pipeline_folder: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A project name that passed validation: trimmed, 1 to [`ProjectName::MAX_CHARS`] characters,
/// no control characters. Both sides use this so the app's inline error and the server's
/// verdict agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    pub const MAX_CHARS: usize = 255;
    /// The sentence for a name the user already gave another project.
    pub const TAKEN: &'static str =
        "You already have a project with this name. Choose another name.";

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Enter a project name.");
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err("The project name is too long: use at most 255 characters.");
        }
        if name.chars().any(char::is_control) {
            return Err("The project name cannot contain control characters such as line breaks.");
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What two names must differ in to be distinct: Unicode lower case, so "Sales" and
    /// "sales" collide. The server's unique key and the wizard's early check both use it.
    pub fn uniqueness_key(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_trimmed_and_bounded() {
        assert_eq!(
            ProjectName::parse("  Sales ETL ").unwrap().as_str(),
            "Sales ETL"
        );
        assert!(ProjectName::parse("   ").is_err());
        assert!(ProjectName::parse(&"é".repeat(255)).is_ok());
        assert!(ProjectName::parse(&"é".repeat(256)).is_err());
        assert!(ProjectName::parse("a\nb").is_err());
    }

    #[test]
    fn names_differing_only_in_case_collide() {
        let key = |name: &str| ProjectName::parse(name).unwrap().uniqueness_key();
        assert_eq!(key(" Sales ETL"), key("sales etl"));
        assert_ne!(key("Sales"), key("Sales 2"));
    }

    #[test]
    fn a_repository_is_named_by_its_group_and_older_drafts_still_read() {
        let written = serde_json::to_value(RepositoryRef {
            provider: crate::GitProvider::BitbucketDataCenter,
            group: "DATA".into(),
            slug: "etl".into(),
        })
        .unwrap();
        assert_eq!(
            written,
            serde_json::json!({"provider": "bitbucket_data_center", "group": "DATA", "slug": "etl"})
        );
        // A draft saved before the contract spoke of groups.
        let older: RepositoryRef =
            serde_json::from_value(serde_json::json!({"workspace": "acme", "slug": "etl"}))
                .unwrap();
        assert_eq!(older.group, "acme");
        assert_eq!(older.provider, crate::GitProvider::BitbucketCloud);
    }
}
