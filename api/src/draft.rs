//! The wizard's draft: what the user chose and typed so far, kept by the server per user so it
//! survives the OAuth round trip, a reload, signing out and in, and a server restart.
//! `GET /api/drafts/project` (the draft or `null`), `PUT` (save), `DELETE` (discard).
//! Creating a project discards the draft.

use serde::{Deserialize, Serialize};

use crate::{ProjectConfiguration, RepositoryRef};

/// Longest name and description a draft keeps. Generous on purpose (a draft holds what was
/// typed, valid or not); the project itself is validated when created.
pub const DRAFT_MAX_NAME_CHARS: usize = 1000;
pub const DRAFT_MAX_DESCRIPTION_CHARS: usize = 4000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<ProjectConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<RepositoryRef>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

impl ProjectDraft {
    /// Nothing chosen and nothing typed: not worth offering to resume.
    pub fn is_empty(&self) -> bool {
        self.configuration.is_none()
            && self.repository.is_none()
            && self.name.trim().is_empty()
            && self.description.trim().is_empty()
    }

    /// The field that is too long for a draft, if any.
    pub fn oversized_field(&self) -> Option<&'static str> {
        if self.name.chars().count() > DRAFT_MAX_NAME_CHARS {
            Some("name")
        } else if self.description.chars().count() > DRAFT_MAX_DESCRIPTION_CHARS {
            Some("description")
        } else {
            None
        }
    }
}

/// A draft as stored, with when it was last saved (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedDraft {
    pub draft: ProjectDraft,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emptiness_and_size_limits() {
        assert!(ProjectDraft::default().is_empty());
        let typed = ProjectDraft {
            name: "Sales".into(),
            ..ProjectDraft::default()
        };
        assert!(!typed.is_empty());
        assert_eq!(typed.oversized_field(), None);
        let huge = ProjectDraft {
            description: "x".repeat(DRAFT_MAX_DESCRIPTION_CHARS + 1),
            ..ProjectDraft::default()
        };
        assert_eq!(huge.oversized_field(), Some("description"));
    }

    #[test]
    fn missing_fields_default() {
        let draft: ProjectDraft = serde_json::from_str("{}").unwrap();
        assert!(draft.is_empty());
    }
}
