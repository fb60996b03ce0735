//! Pipelines: the YAML files a project keeps, in its Bitbucket repository or in the studio.
//!
//! The page that lists, shows and edits them does not know where they are stored: every
//! store answers these types, and its version token ([`PipelineFile::revision`]) is opaque
//! to the app (a commit hash for Bitbucket, a version number for the studio's own store).
//! The path rule ([`PipelinePath`]) and the schema check ([`check_pipeline`]) live here so
//! the editor's inline errors and the server's verdict are the same code.

mod check;
mod path;
mod yaml_tree;

pub use check::{check_pipeline, PipelineProblem};
pub use path::{PipelineFolder, PipelinePath, MAX_PATH_BYTES};
pub use yaml_tree::{MAX_DEPTH as MAX_YAML_DEPTH, MAX_NODES as MAX_YAML_NODES};

use serde::{Deserialize, Serialize};

/// Largest pipeline file the studio reads or writes.
pub const MAX_PIPELINE_BYTES: usize = 1024 * 1024;
/// Longest commit message accepted.
pub const MAX_MESSAGE_CHARS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PipelineKind {
    Orchestration,
    Transformation,
}

impl PipelineKind {
    pub const ALL: [PipelineKind; 2] = [PipelineKind::Orchestration, PipelineKind::Transformation];

    /// The file-name ending that makes a file a pipeline of this kind.
    pub fn suffix(self) -> &'static str {
        match self {
            PipelineKind::Orchestration => ".orch.yaml",
            PipelineKind::Transformation => ".tran.yaml",
        }
    }

    /// The value of the file's `type` key.
    pub fn type_name(self) -> &'static str {
        match self {
            PipelineKind::Orchestration => "orchestration",
            PipelineKind::Transformation => "transformation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PipelineKind::Orchestration => "Orchestration",
            PipelineKind::Transformation => "Transformation",
        }
    }

    /// A valid, minimal pipeline of this kind: what "New pipeline" starts from.
    pub fn template(self) -> String {
        let first = match self {
            PipelineKind::Orchestration => "Start:\n      type: \"start\"",
            PipelineKind::Transformation => "Input:\n      type: \"table-input\"",
        };
        format!(
            "type: \"{}\"\nversion: \"1.0\"\npipeline:\n  components:\n    {first}\n",
            self.type_name()
        )
    }
}

/// One change to the stored pipelines: a commit on Bitbucket, a version in the studio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The version token after this change (commit hash or version number).
    pub revision: String,
    /// How to show the revision: a short commit hash, or "version 3".
    pub label: String,
    pub author: String,
    /// Unix seconds.
    pub at: i64,
    pub message: String,
}

/// Where a project's pipelines are kept, for the page's header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PipelineStorage {
    /// Files on a branch at the project's Git provider. Named `bitbucket` when Bitbucket was
    /// the only provider: that name still reads.
    #[serde(alias = "bitbucket")]
    Provider {
        full_name: String,
        branch: String,
        /// The folder searched for pipelines; empty for the repository root.
        folder: String,
        /// The branch tip the list was read at.
        head: Change,
    },
    Studio,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineSummary {
    pub path: String,
    pub kind: PipelineKind,
    /// The last change that touched the file (`None` if the store could not tell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<Change>,
}

/// `GET /api/projects/{id}/pipelines`: newest change first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineList {
    pub storage: PipelineStorage,
    pub pipelines: Vec<PipelineSummary>,
    /// True when the listing stopped at its bound (very deep or wide folders).
    #[serde(default)]
    pub truncated: bool,
}

/// `GET /api/projects/{id}/pipelines/file?path=`: one pipeline, read at `revision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineFile {
    pub path: String,
    pub kind: PipelineKind,
    pub content: String,
    /// What a save must name as its base: the commit (or version) this text was read at.
    pub revision: String,
    /// How to show `revision`.
    pub revision_label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<Change>,
}

/// `?path=` of the file routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PipelineQuery {
    /// A pipeline path (the rule is `PipelinePath`; the pattern is its common shape).
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r#"^[A-Za-z0-9_-][A-Za-z0-9 _.-]*(/[A-Za-z0-9_-][A-Za-z0-9 _.-]*)*\.(orch|tran)\.yaml$"#,
            max_length = 512
        )
    )]
    pub path: String,
    /// The branch the pipeline is on; the project's own branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// `?path=` of the draft routes: a stored pipeline's path, or none for a new pipeline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PipelineDraftQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 512))]
    pub path: Option<String>,
    /// The branch the editor is on; the project's own when absent. A pipeline's draft on one
    /// branch is not its draft on another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub branch: Option<String>,
}

/// `PUT /api/projects/{id}/pipelines/file`: create (no `base_revision`) or edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavePipeline {
    /// A pipeline path (the rule is `PipelinePath`; the pattern is its common shape).
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r#"^[A-Za-z0-9_-][A-Za-z0-9 _.-]*(/[A-Za-z0-9_-][A-Za-z0-9 _.-]*)*\.(orch|tran)\.yaml$"#,
            max_length = 512
        )
    )]
    pub path: String,
    pub content: String,
    pub message: String,
    /// The revision the edit started from; `None` creates a new pipeline (never overwrites).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_revision: Option<String>,
    /// The branch the pipeline is on; the project's own branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// `DELETE /api/projects/{id}/pipelines/file`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletePipeline {
    /// A pipeline path (the rule is `PipelinePath`; the pattern is its common shape).
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r#"^[A-Za-z0-9_-][A-Za-z0-9 _.-]*(/[A-Za-z0-9_-][A-Za-z0-9 _.-]*)*\.(orch|tran)\.yaml$"#,
            max_length = 512
        )
    )]
    pub path: String,
    pub message: String,
    pub base_revision: String,
    /// The branch the pipeline is on; the project's own branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// What a save or delete made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedPipeline {
    pub path: String,
    pub change: Change,
}

/// `PATCH /api/projects/{id}`: the project's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectSettings {
    /// Folder searched for pipelines and where new ones go; empty for the repository root.
    pub pipeline_folder: String,
}

/// The commit message used when the user leaves it empty.
pub fn default_message(verb: &str, path: &str) -> String {
    format!("{verb} {path}")
}

/// Checks a commit message: trimmed, not too long; empty becomes `fallback`.
pub fn commit_message(raw: &str, fallback: impl FnOnce() -> String) -> Result<String, String> {
    let message = raw.trim();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(format!(
            "The commit message is too long: use at most {MAX_MESSAGE_CHARS} characters."
        ));
    }
    Ok(if message.is_empty() {
        fallback()
    } else {
        message.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_storage_reads_under_its_old_name() {
        let head = Change {
            revision: "0123456789".into(),
            label: "0123456".into(),
            author: "Alex".into(),
            at: 1,
            message: "m".into(),
        };
        let storage = PipelineStorage::Provider {
            full_name: "data/etl".into(),
            branch: "main".into(),
            folder: "pipelines".into(),
            head,
        };
        let written = serde_json::to_value(&storage).unwrap();
        assert_eq!(written["kind"], "provider");
        // As stored and sent before the rename.
        let mut old = written.clone();
        old["kind"] = "bitbucket".into();
        for json in [written, old] {
            let read: PipelineStorage = serde_json::from_value(json).unwrap();
            assert_eq!(read, storage);
        }
    }

    #[test]
    fn templates_pass_the_check() {
        for kind in PipelineKind::ALL {
            assert_eq!(check_pipeline(kind, &kind.template()), Ok(()));
        }
    }

    #[test]
    fn empty_messages_get_the_default_and_long_ones_are_refused() {
        assert_eq!(
            commit_message("  ", || default_message("Update", "a.orch.yaml")).unwrap(),
            "Update a.orch.yaml"
        );
        assert_eq!(commit_message(" fix ", String::new).unwrap(), "fix");
        assert!(commit_message(&"x".repeat(1001), String::new).is_err());
    }
}
