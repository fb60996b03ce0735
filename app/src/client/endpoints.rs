//! One function per route of the contract (`api::paths`), except the drafts' routes, which
//! `crate::draft::kept` calls for every draft alike.

use api::paths;
use api::{
    ApiError, ConfirmSignUp, ConnectionEvent, ConnectionStatus, CreateProject, Credentials,
    GitProvider, InspectSignUp, MainBranch, Me, Page, Project, Repository, RepositoryGroup,
    RepositoryPicker, RepositoryQuery, RepositoryRef, ServerInfo, SignUp, SignUpLink,
    SignUpStarted, SignedUp,
};
use api::{
    BranchList, BranchSummary, ChosenBranch, Comparison, DeletePipeline, EmptyBody, FileDiff,
    NewBranch, PipelineFile, PipelineList, ProjectSettings, SavePipeline, SavedPipeline,
};

use super::http::{
    delete_json, delete_no_content, get_json, patch_json, post_json, post_no_content, put_json,
};
use super::query::{picker_url, repositories_url};

/// What the server offers: sandbox mode, configured Git providers.
pub async fn server_info() -> Result<ServerInfo, ApiError> {
    get_json(paths::INFO).await
}

/// The signed-in user, or [`api::ErrorCode::NotSignedIn`].
pub async fn me() -> Result<Me, ApiError> {
    get_json(paths::ME).await
}

/// Starts a sign-up: the server mails a link (answers 202 for every address).
pub async fn sign_up(sign_up: SignUp) -> Result<SignUpStarted, ApiError> {
    post_json(paths::SIGN_UP, &sign_up).await
}

/// What the mailed link's token is for (its address, and who is signed in here), leaving it
/// unused. The token goes in the body: it must never appear in a URL.
pub async fn inspect_sign_up(token: String) -> Result<SignUpLink, ApiError> {
    post_json(paths::SIGN_UP_INSPECT, &InspectSignUp { token }).await
}

/// Finishes a sign-up with the mailed link's token; the new account is signed in.
/// `switch_account`: the user chose to end the session of the account signed in here.
pub async fn confirm_sign_up(token: String, switch_account: bool) -> Result<SignedUp, ApiError> {
    post_json(
        paths::SIGN_UP_CONFIRM,
        &ConfirmSignUp {
            token,
            switch_account,
        },
    )
    .await
}

pub async fn sign_in(credentials: Credentials) -> Result<Me, ApiError> {
    post_json(paths::SIGN_IN, &credentials).await
}

/// Ends the server session (answers 204).
pub async fn sign_out() -> Result<(), ApiError> {
    post_no_content(paths::SIGN_OUT, &serde_json::json!({})).await
}

/// Whether the user's authorization of `provider` works.
pub async fn connection(provider: GitProvider) -> Result<ConnectionStatus, ApiError> {
    get_json(&paths::connection(provider)).await
}

/// Forgets the stored tokens of `provider` (answers 204, also when nothing was connected).
pub async fn disconnect(provider: GitProvider) -> Result<(), ApiError> {
    delete_no_content(&paths::connection(provider)).await
}

/// The provider connection's audit trail, newest first.
pub async fn connection_events(provider: GitProvider) -> Result<Vec<ConnectionEvent>, ApiError> {
    get_json(&paths::connection_events(provider)).await
}

/// The repository step's first screen: the workspaces (Data Center: projects) and the first
/// repositories of one of them (`workspace` when the account has it), in one round trip.
pub async fn repository_picker(
    provider: GitProvider,
    workspace: Option<String>,
    refresh: bool,
) -> Result<RepositoryPicker, ApiError> {
    get_json(&picker_url(provider, workspace.as_deref(), refresh)).await
}

/// The account's workspaces (projects) with their human names (keys where there are none).
pub async fn workspace_names(provider: GitProvider) -> Result<Vec<RepositoryGroup>, ApiError> {
    get_json(&paths::workspace_names(provider)).await
}

/// One page of the repositories of `workspace` the account can write to.
pub async fn repositories(
    provider: GitProvider,
    workspace: &str,
    query: &RepositoryQuery,
) -> Result<Page<Repository>, ApiError> {
    get_json(&repositories_url(provider, workspace, query)).await
}

/// Whether the repository has the studio's `main` branch.
pub async fn main_branch(repository: &RepositoryRef) -> Result<MainBranch, ApiError> {
    get_json(&main_branch_path(repository)).await
}

/// Creates `main` (from the default branch, or as the first commit of an empty repository).
pub async fn create_main_branch(repository: &RepositoryRef) -> Result<MainBranch, ApiError> {
    post_json(&main_branch_path(repository), &serde_json::json!({})).await
}

fn main_branch_path(repository: &RepositoryRef) -> String {
    paths::main_branch(repository.provider, &repository.group, &repository.slug)
}

pub async fn projects() -> Result<Vec<Project>, ApiError> {
    get_json(paths::PROJECTS).await
}

pub async fn project(id: i64) -> Result<Project, ApiError> {
    get_json(&paths::project(id)).await
}

/// Creates a project (answers 201 with it).
pub async fn create_project(project: CreateProject) -> Result<Project, ApiError> {
    post_json(paths::PROJECTS, &project).await
}

/// Changes the project's settings (the pipelines folder); answers the updated project.
pub async fn update_project_settings(
    id: i64,
    settings: &ProjectSettings,
) -> Result<Project, ApiError> {
    patch_json(&paths::project(id), settings).await
}

/// The project's pipelines on `branch` (the project's own when `None`), newest change first,
/// from wherever they are kept.
pub async fn pipelines(project: i64, branch: Option<&str>) -> Result<PipelineList, ApiError> {
    get_json(&format!(
        "{}{}",
        paths::pipelines(project),
        paths::branch_query(branch, true)
    ))
    .await
}

/// One pipeline on `branch` and the revision it was read at.
pub async fn pipeline(
    project: i64,
    path: &str,
    branch: Option<&str>,
) -> Result<PipelineFile, ApiError> {
    let url = paths::pipeline_file_at(project, path) + &paths::branch_query(branch, false);
    get_json(&url).await
}

/// The selector's branches, those containing `search` if given.
pub async fn branches(project: i64, search: &str) -> Result<BranchList, ApiError> {
    let url = match search.trim() {
        "" => paths::branches(project),
        q => format!(
            "{}?q={}",
            paths::branches(project),
            paths::encode_query_value(q)
        ),
    };
    get_json(&url).await
}

/// Creates a branch; answers it.
pub async fn create_branch(project: i64, branch: &NewBranch) -> Result<BranchSummary, ApiError> {
    post_json(&paths::branches(project), branch).await
}

/// Keeps the branch the user works on in this project for their next visit.
pub async fn choose_branch(project: i64, name: &str) -> Result<EmptyBody, ApiError> {
    let body = ChosenBranch {
        name: name.to_owned(),
    };
    put_json(&paths::chosen_branch(project), &body).await
}

/// `branch` compared with the project's own.
pub async fn compare(project: i64, branch: &str) -> Result<Comparison, ApiError> {
    get_json(&format!(
        "{}{}",
        paths::compare(project),
        paths::branch_query(Some(branch), true)
    ))
    .await
}

/// One file's diff on `branch` against the project's own.
pub async fn file_diff(project: i64, branch: &str, path: &str) -> Result<FileDiff, ApiError> {
    let url = format!(
        "{}?branch={}&path={}",
        paths::compare_file(project),
        paths::encode_query_value(branch),
        paths::encode_query_value(path)
    );
    get_json(&url).await
}

/// Creates (no base revision) or updates a pipeline.
pub async fn save_pipeline(project: i64, save: &SavePipeline) -> Result<SavedPipeline, ApiError> {
    put_json(&paths::pipeline_file(project), save).await
}

pub async fn delete_pipeline(
    project: i64,
    delete: &DeletePipeline,
) -> Result<SavedPipeline, ApiError> {
    delete_json(&paths::pipeline_file(project), delete).await
}
