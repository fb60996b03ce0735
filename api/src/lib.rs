//! The HTTP contract between the studio's single-page app (`app`) and its server (`server`).
//!
//! Every JSON body that crosses `/api` is one of these types, so the two sides cannot drift:
//! a renamed field fails to compile on both. The crate does no I/O and compiles for
//! `wasm32-unknown-unknown` as well as for the server.
//!
//! Paths of the routes live in [`paths`] for the same reason.

pub mod account;
pub mod branch;
pub mod connection;
pub mod draft;
pub mod error;
pub mod oauth;
pub mod paths;
pub mod pipeline;
pub mod project;
pub mod query;
pub mod repository;
pub mod return_to;
pub mod server_info;
pub mod wizard;
pub mod wording;

pub use account::{
    ConfirmSignUp, Credentials, InspectSignUp, Me, SignUp, SignUpLink, SignUpStarted, SignedUp,
};
pub use branch::{
    check_branch_name, BranchGroup, BranchList, BranchQuery, BranchSearch, BranchState,
    BranchSummary, ChosenBranch, ComparedFile, Comparison, DiffHunk, DiffLine, DiffLineKind,
    DiffQuery, FileChange, FileDiff, NewBranch,
};
pub use connection::{ConnectionEvent, ConnectionEventKind, ConnectionStatus, ProviderAccount};
pub use draft::{PipelineDraft, ProjectDraft, SavedDraft, SavedPipelineDraft};
pub use error::{ApiError, ErrorCode};
pub use oauth::OAuthFailure;
pub use pipeline::{
    check_pipeline, Change, DeletePipeline, PipelineDraftQuery, PipelineFile, PipelineFolder,
    PipelineKind, PipelineList, PipelinePath, PipelineProblem, PipelineQuery, PipelineStorage,
    PipelineSummary, ProjectSettings, SavePipeline, SavedPipeline,
};
pub use project::{
    CreateProject, Project, ProjectConfiguration, ProjectName, ProjectRepository, RepositoryRef,
};
pub use repository::{
    MainBranch, Page, PickerQuery, Repository, RepositoryGroup, RepositoryPermission,
    RepositoryPicker, RepositoryQuery, PROJECT_BRANCH,
};
pub use server_info::{GitProvider, ProviderInfo, ServerInfo};
pub use wording::{FailureWording, PermissionWording, ProviderWording};

/// The body of a state-changing call that needs no data (sign-out, disconnect, creating
/// `main`, discarding the draft): `{}`. Such calls are still sent as JSON, which is what the
/// server's CSRF gate asks of every state-changing call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmptyBody {}
