//! Drafts: what the user typed and has not submitted yet, kept by the server per user so it
//! survives the OAuth round trip, a reload, a closed tab, signing out and in, and a server
//! restart. The app keeps each in the browser at once and sends it here when it can (see
//! `ARCHITECTURE.md`, "Nothing typed is lost").
//!
//! - The wizard's draft ([`ProjectDraft`]): `GET /api/drafts/project` (the draft or `null`),
//!   `PUT` (save), `DELETE` (discard). Creating a project discards it.
//! - An editor's unsaved text ([`PipelineDraft`]): the same three calls on
//!   `/api/projects/{id}/pipelines/draft`, with `?path=` for a stored pipeline and without it
//!   for a new one. Saving or discarding the pipeline discards it.

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

/// Most unsaved pipelines the server keeps for one user, across their projects: each may be
/// as large as a pipeline, so the bound is what keeps a user's drafts within a few MiB.
pub const MAX_PIPELINE_DRAFTS: usize = 20;

/// An editor's unsaved text: what the editor needs to come back exactly as it was left.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineDraft {
    /// The pipeline's path (for a new pipeline, as typed so far).
    pub path: String,
    pub content: String,
    /// The revision the edit started from, so a save after a return still detects a change
    /// made meanwhile; `None` for a new pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_revision: Option<String>,
    #[serde(default)]
    pub message: String,
}

impl PipelineDraft {
    /// The field that is too long for a draft, if any (the limits of a save, plus room for
    /// a path typed past its limit).
    pub fn oversized_field(&self) -> Option<&'static str> {
        use crate::pipeline::{MAX_MESSAGE_CHARS, MAX_PIPELINE_BYTES};
        if self.path.len() > 2 * crate::pipeline::MAX_PATH_BYTES {
            Some("path")
        } else if self.content.len() > MAX_PIPELINE_BYTES {
            Some("content")
        } else if self.message.chars().count() > MAX_MESSAGE_CHARS {
            Some("message")
        } else if self.base_revision.as_ref().is_some_and(|r| r.len() > 256) {
            Some("base_revision")
        } else {
            None
        }
    }
}

/// A pipeline draft as stored, with when it was last saved (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedPipelineDraft {
    pub draft: PipelineDraft,
    pub updated_at: i64,
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
