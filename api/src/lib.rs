//! The HTTP contract between the studio's single-page app (`app`) and its server (`server`).
//!
//! Every JSON body that crosses `/api` is one of these types, so the two sides cannot drift:
//! a renamed field fails to compile on both. The crate does no I/O and compiles for
//! `wasm32-unknown-unknown` as well as for the server.
//!
//! Paths of the routes live in [`paths`] for the same reason.

pub mod account;
pub mod bitbucket;
pub mod connection;
pub mod draft;
pub mod error;
pub mod oauth;
pub mod paths;
pub mod pipeline;
pub mod project;
pub mod server_info;

pub use account::{Credentials, Me};
pub use bitbucket::{
    MainBranch, Page, PickerQuery, Repository, RepositoryPermission, RepositoryPicker,
    RepositoryQuery, Workspace, PROJECT_BRANCH,
};
pub use connection::{BitbucketAccount, ConnectionEvent, ConnectionEventKind, ConnectionStatus};
pub use draft::{ProjectDraft, SavedDraft};
pub use error::{ApiError, ErrorCode};
pub use oauth::OAuthFailure;
pub use pipeline::{
    check_pipeline, Change, DeletePipeline, PipelineFile, PipelineFolder, PipelineKind,
    PipelineList, PipelinePath, PipelineProblem, PipelineQuery, PipelineStorage, PipelineSummary,
    ProjectSettings, SavePipeline, SavedPipeline,
};
pub use project::{
    CreateProject, Project, ProjectConfiguration, ProjectName, ProjectRepository, RepositoryRef,
};
pub use server_info::{GitProvider, ServerInfo};
