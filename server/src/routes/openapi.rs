//! `GET /api/openapi.json`: the studio's own HTTP API as an OpenAPI 3.1 document, generated
//! from the `api` crate's types (their `ToSchema` derives, behind the `openapi` feature so the
//! wasm carries none of it) and the operations listed here.
//!
//! It is what `./scripts/schemathesis.sh` fuzzes the live server against: every operation,
//! its parameters and bodies, and every status it may answer. The error statuses every
//! operation shares are added in one place ([`with_shared_errors`]) instead of on each, so a
//! new operation cannot forget them. `document_covers_every_route` holds the list to the
//! router's paths in `api::paths`.

#![allow(dead_code)] // the operation functions exist for their `#[utoipa::path]` attributes

use api::{
    ApiError, BranchList, BranchQuery, BranchSearch, BranchSummary, ChosenBranch, Comparison,
    ConfirmSignUp, ConnectionEvent, ConnectionStatus, CreateProject, Credentials, DeletePipeline,
    DiffQuery, EmptyBody, FileDiff, InspectSignUp, MainBranch, Me, NewBranch, Page, PickerQuery,
    PipelineDraft, PipelineDraftQuery, PipelineFile, PipelineList, PipelineQuery, Project,
    ProjectDraft, ProjectSettings, Repository, RepositoryGroup, RepositoryPicker, RepositoryQuery,
    SavePipeline, SavedDraft, SavedPipeline, SavedPipelineDraft, ServerInfo, SignUp, SignUpLink,
    SignUpStarted, SignedUp,
};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::LazyLock;
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;

use super::AppState;

pub const PATH: &str = "/api/openapi.json";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(|| async { Json(DOCUMENT.clone()) }))
}

static DOCUMENT: LazyLock<Document> = LazyLock::new(document);

/// The whole document.
pub fn document() -> Document {
    with_shared_errors(Operations::openapi())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pipeline Studio API",
        description = "The API of the studio's single-page app. Every failure answers an `ApiError` body. State-changing calls from a browser must be same-origin (`Sec-Fetch-Site` or `Origin`) and declare `application/json`.",
        version = env!("CARGO_PKG_VERSION"),
    ),
    paths(
        info, me, sign_up, inspect_sign_up, confirm_sign_up, sign_in, sign_out,
        connection, disconnect, connection_events,
        workspaces, workspace_names, repository_picker, repositories, main_branch, create_main_branch,
        projects, create_project, project, update_project,
        pipelines, pipeline, save_pipeline, delete_pipeline,
        branches, create_branch, choose_branch, compare, compare_file,
        draft, save_draft, discard_draft,
        pipeline_draft, save_pipeline_draft, discard_pipeline_draft,
        oauth_start, oauth_callback, oauth_installed, openapi_json,
    ),
    components(schemas(ApiError, Page<RepositoryGroup>, Page<Repository>)),
    tags(
        (name = "accounts", description = "Studio accounts and sessions"),
        (name = "connections", description = "The user's authorization of each Git provider"),
        (name = "providers", description = "The narrow proxy to each configured Git provider"),
        (name = "projects", description = "Projects and their pipelines"),
        (name = "oauth", description = "Browser navigations of the OAuth round trip"),
    )
)]
struct Operations;

/// Statuses any `/api` operation can answer, all with an `ApiError` body: malformed requests,
/// the CSRF gate, missing things, size and type limits, validation, rate limits, and an
/// unreachable database or Git provider. Sign-in is only demanded where an operation says so.
const SHARED_ERRORS: [(&str, &str); 9] = [
    (
        "400",
        "The request is malformed (not JSON, a missing or invalid parameter).",
    ),
    (
        "403",
        "Refused: cross-site, not declared as JSON, or not allowed on the provider.",
    ),
    ("404", "Not found, or not the user's."),
    ("405", "The address does not take this method."),
    ("413", "The body is larger than the studio accepts."),
    ("422", "A field is invalid; `field` names it."),
    (
        "429",
        "Too many attempts, or the provider's rate limit; `Retry-After` says when to retry.",
    ),
    ("502", "The provider answered something unexpected."),
    (
        "503",
        "The studio's storage or the provider is unavailable for a moment; `Retry-After`.",
    ),
];

fn with_shared_errors(mut document: Document) -> Document {
    let error = || -> RefOr<utoipa::openapi::Response> {
        ResponseBuilder::new()
            .description("An `ApiError`.")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ApiError")))
                    .build(),
            )
            .build()
            .into()
    };
    for (path, item) in document.paths.paths.iter_mut() {
        if !path.starts_with("/api/") || path == PATH {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, description) in SHARED_ERRORS {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| {
                        let mut response = error();
                        if let RefOr::T(r) = &mut response {
                            r.description = description.to_owned();
                        }
                        response
                    });
            }
        }
    }
    document
}

#[utoipa::path(get, path = api::paths::INFO, tag = "accounts",
    responses((status = 200, description = "What the server offers", body = ServerInfo)))]
fn info() {}

#[utoipa::path(get, path = api::paths::ME, tag = "accounts",
    responses((status = 200, description = "The signed-in user", body = Me),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn me() {}

#[utoipa::path(post, path = api::paths::SIGN_UP, tag = "accounts", request_body = SignUp,
    responses((status = 202, description = "A link was mailed (the same answer for every address)", body = SignUpStarted)))]
fn sign_up() {}

#[utoipa::path(post, path = api::paths::SIGN_UP_INSPECT, tag = "accounts", request_body = InspectSignUp,
    responses((status = 200, description = "The link's address and who is signed in; the link stays unused", body = SignUpLink)))]
fn inspect_sign_up() {}

#[utoipa::path(post, path = api::paths::SIGN_UP_CONFIRM, tag = "accounts", request_body = ConfirmSignUp,
    responses((status = 201, description = "The account exists and is signed in", body = SignedUp),
              (status = 409, description = "The account was created by another link (`conflict`), or another account is signed in and `switch_account` was not set (`signed_in_as_someone_else`; nothing changed)", body = ApiError)))]
fn confirm_sign_up() {}

#[utoipa::path(post, path = api::paths::SIGN_IN, tag = "accounts", request_body = Credentials,
    responses((status = 200, description = "Signed in", body = Me),
              (status = 401, description = "Unknown email or wrong password", body = ApiError)))]
fn sign_in() {}

#[utoipa::path(post, path = api::paths::SIGN_OUT, tag = "accounts", request_body = EmptyBody,
    responses((status = 204, description = "The session is destroyed")))]
fn sign_out() {}

#[utoipa::path(get, path = "/api/connections/{provider}", tag = "connections", params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$")),
    responses((status = 200, description = "Whether the authorization works", body = ConnectionStatus),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn connection() {}

#[utoipa::path(delete, path = "/api/connections/{provider}", tag = "connections", params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$")), request_body = EmptyBody,
    responses((status = 204, description = "The studio forgot the tokens"),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn disconnect() {}

#[utoipa::path(get, path = "/api/connections/{provider}/events", tag = "connections", params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$")),
    responses((status = 200, description = "The audit trail, newest first", body = Vec<ConnectionEvent>),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn connection_events() {}

#[utoipa::path(get, path = "/api/{provider}/workspaces", tag = "providers", params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$")),
    responses((status = 200, description = "The account's workspaces", body = Page<RepositoryGroup>),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider is not connected, or needs a reconnect", body = ApiError)))]
fn workspaces() {}

#[utoipa::path(get, path = "/api/{provider}/workspace-names", tag = "providers", params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$")),
    responses((status = 200, description = "The account's groups of repositories, named where the provider gives a name", body = Vec<RepositoryGroup>),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider is not connected, or needs a reconnect", body = ApiError)))]
fn workspace_names() {}

#[utoipa::path(get, path = "/api/{provider}/repository-picker", tag = "providers", params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$"), PickerQuery),
    responses((status = 200, description = "Workspaces and the first repositories", body = RepositoryPicker),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider is not connected, or needs a reconnect", body = ApiError)))]
fn repository_picker() {}

#[utoipa::path(get, path = "/api/{provider}/workspaces/{workspace}/repositories", tag = "providers",
    params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$"), ("workspace" = String, Path, description = "Workspace slug (Cloud) or project key (Data Center; `~SLUG` for a personal project)", pattern = "^~?[A-Za-z0-9._-]{1,128}$"), RepositoryQuery),
    responses((status = 200, description = "Repositories the user can write to", body = Page<Repository>),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider is not connected, or needs a reconnect", body = ApiError)))]
fn repositories() {}

#[utoipa::path(get, path = "/api/{provider}/workspaces/{workspace}/repositories/{repository}/main-branch", tag = "providers",
    params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$"), ("workspace" = String, Path, description = "Workspace slug (Cloud) or project key (Data Center; `~SLUG` for a personal project)", pattern = "^~?[A-Za-z0-9._-]{1,128}$"), ("repository" = String, Path, description = "Repository slug", pattern = "^[A-Za-z0-9._-]{1,128}$")),
    responses((status = 200, description = "The state of the `main` branch", body = MainBranch),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider is not connected, or needs a reconnect", body = ApiError)))]
fn main_branch() {}

#[utoipa::path(post, path = "/api/{provider}/workspaces/{workspace}/repositories/{repository}/main-branch", tag = "providers", request_body = EmptyBody,
    params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$"), ("workspace" = String, Path, description = "Workspace slug (Cloud) or project key (Data Center; `~SLUG` for a personal project)", pattern = "^~?[A-Za-z0-9._-]{1,128}$"), ("repository" = String, Path, description = "Repository slug", pattern = "^[A-Za-z0-9._-]{1,128}$")),
    responses((status = 200, description = "`main` exists now", body = MainBranch),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider is not connected, or needs a reconnect", body = ApiError)))]
fn create_main_branch() {}

#[utoipa::path(get, path = api::paths::PROJECTS, tag = "projects",
    responses((status = 200, description = "The user's projects", body = Vec<Project>),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn projects() {}

#[utoipa::path(post, path = api::paths::PROJECTS, tag = "projects", request_body = CreateProject,
    responses((status = 201, description = "Created", body = Project),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "A project of that name exists, or the provider needs a reconnect", body = ApiError)))]
fn create_project() {}

#[utoipa::path(get, path = "/api/projects/{id}", tag = "projects",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "The project", body = Project),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn project() {}

#[utoipa::path(patch, path = "/api/projects/{id}", tag = "projects", request_body = ProjectSettings,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "The project with its new settings", body = Project),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn update_project() {}

#[utoipa::path(get, path = "/api/projects/{id}/branches", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), BranchSearch),
    responses((status = 200, description = "The project's branch, the user's recent branches, then the provider's", body = BranchList),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider needs a reconnect", body = ApiError)))]
fn branches() {}

#[utoipa::path(post, path = "/api/projects/{id}/branches", tag = "projects", request_body = NewBranch,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 201, description = "Created at the tip of `from`", body = BranchSummary),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The name is taken (`field` is `name`), or the provider needs a reconnect", body = ApiError)))]
fn create_branch() {}

#[utoipa::path(put, path = "/api/projects/{id}/branch", tag = "projects", request_body = ChosenBranch,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "Kept: the project page opens on it next time", body = EmptyBody),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn choose_branch() {}

#[utoipa::path(get, path = "/api/projects/{id}/compare", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), BranchQuery),
    responses((status = 200, description = "The branch against the project's own", body = Comparison),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider needs a reconnect", body = ApiError)))]
fn compare() {}

#[utoipa::path(get, path = "/api/projects/{id}/compare/file", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), DiffQuery),
    responses((status = 200, description = "One file's diff, from where the branch left the project's branch", body = FileDiff),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider needs a reconnect", body = ApiError)))]
fn compare_file() {}

#[utoipa::path(get, path = "/api/projects/{id}/pipelines", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), BranchQuery),
    responses((status = 200, description = "The project's pipelines", body = PipelineList),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider needs a reconnect", body = ApiError)))]
fn pipelines() {}

#[utoipa::path(get, path = "/api/projects/{id}/pipelines/file", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), PipelineQuery),
    responses((status = 200, description = "One pipeline", body = PipelineFile),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The provider needs a reconnect", body = ApiError)))]
fn pipeline() {}

#[utoipa::path(put, path = "/api/projects/{id}/pipelines/file", tag = "projects", request_body = SavePipeline,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "Saved", body = SavedPipeline),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The pipeline changed meanwhile (nothing was overwritten), or the provider needs a reconnect", body = ApiError)))]
fn save_pipeline() {}

#[utoipa::path(delete, path = "/api/projects/{id}/pipelines/file", tag = "projects", request_body = DeletePipeline,
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, description = "Deleted", body = SavedPipeline),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The pipeline changed meanwhile, or the provider needs a reconnect", body = ApiError)))]
fn delete_pipeline() {}

#[utoipa::path(get, path = api::paths::PROJECT_DRAFT, tag = "projects",
    responses((status = 200, description = "The wizard's draft, or null", body = Option<SavedDraft>),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn draft() {}

#[utoipa::path(put, path = api::paths::PROJECT_DRAFT, tag = "projects", request_body = ProjectDraft,
    responses((status = 200, description = "Saved (null when the draft was empty, so dropped)", body = Option<SavedDraft>),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn save_draft() {}

#[utoipa::path(delete, path = api::paths::PROJECT_DRAFT, tag = "projects", request_body = EmptyBody,
    responses((status = 204, description = "Discarded"),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn discard_draft() {}

#[utoipa::path(get, path = "/api/projects/{id}/pipelines/draft", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), PipelineDraftQuery),
    responses((status = 200, description = "The editor's unsaved text, or null", body = Option<SavedPipelineDraft>),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn pipeline_draft() {}

#[utoipa::path(put, path = "/api/projects/{id}/pipelines/draft", tag = "projects", request_body = PipelineDraft,
    params(("id" = i64, Path, description = "Project id"), PipelineDraftQuery),
    responses((status = 200, description = "Saved", body = SavedPipelineDraft),
              (status = 401, description = "Not signed in", body = ApiError),
              (status = 409, description = "The user keeps the most unsaved pipelines the server holds", body = ApiError)))]
fn save_pipeline_draft() {}

#[utoipa::path(delete, path = "/api/projects/{id}/pipelines/draft", tag = "projects", request_body = EmptyBody,
    params(("id" = i64, Path, description = "Project id"), PipelineDraftQuery),
    responses((status = 204, description = "Discarded"),
              (status = 401, description = "Not signed in", body = ApiError)))]
fn discard_pipeline_draft() {}

#[utoipa::path(get, path = "/oauth/{provider}/start", tag = "oauth",
    params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$"), ("return_to" = Option<String>, Query, description = "A same-origin path to come back to")),
    responses((status = 303, description = "To the provider's consent page, or to sign-in first")))]
fn oauth_start() {}

#[utoipa::path(get, path = "/oauth/{provider}/callback", tag = "oauth",
    params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$"), 
        ("code" = Option<String>, Query, description = "The authorization code"),
        ("state" = Option<String>, Query, description = "The transaction's state"),
        ("error" = Option<String>, Query, description = "An RFC 6749 error code"),
        ("error_description" = Option<String>, Query, description = "For the log"),
    ),
    responses((status = 303, description = "Back into the studio, with `oauth_error` on failure")))]
fn oauth_callback() {}

#[utoipa::path(get, path = "/oauth/{provider}/installed", tag = "oauth",
    params(("provider" = String, Path, description = "The Git provider's slug, as `/api/info` lists the configured ones (`GitProvider`)", pattern = "^[a-z][a-z0-9-]*$"),
        ("state" = Option<String>, Query, description = "The studio page to come back to, as the install link carried it"),
        ("installation_id" = Option<String>, Query, description = "Ignored: anyone could make it up"),
    ),
    responses((status = 303, description = "Back to the page named by `state`, or the provider's first wizard step")))]
fn oauth_installed() {}

#[utoipa::path(get, path = PATH, tag = "accounts",
    responses((status = 200, description = "This document", content_type = "application/json")))]
fn openapi_json() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Vec<String> {
        document().paths.paths.keys().cloned().collect()
    }

    /// A concrete path matches a template such as `/api/projects/{id}/pipelines`.
    fn matches(template: &str, path: &str) -> bool {
        let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len()
            && t.iter()
                .zip(&p)
                .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
    }

    #[test]
    fn document_covers_every_route() {
        let templates = templates();
        for path in [
            api::paths::INFO.to_owned(),
            api::paths::ME.into(),
            api::paths::SIGN_UP.into(),
            api::paths::SIGN_UP_CONFIRM.into(),
            api::paths::SIGN_UP_INSPECT.into(),
            api::paths::SIGN_IN.into(),
            api::paths::SIGN_OUT.into(),
            api::paths::BITBUCKET_CONNECTION.into(),
            api::paths::BITBUCKET_CONNECTION_EVENTS.into(),
            api::paths::BITBUCKET_WORKSPACES.into(),
            api::paths::BITBUCKET_REPOSITORY_PICKER.into(),
            api::paths::BITBUCKET_WORKSPACE_NAMES.into(),
            api::paths::bitbucket_repositories("w"),
            api::paths::bitbucket_main_branch("w", "r"),
            api::paths::PROJECTS.into(),
            api::paths::project(7),
            api::paths::pipelines(7),
            api::paths::pipeline_file(7),
            api::paths::PROJECT_DRAFT.into(),
            api::paths::pipeline_draft(7, None, None),
            api::paths::BITBUCKET_OAUTH_START.into(),
            api::paths::BITBUCKET_OAUTH_CALLBACK.into(),
            api::paths::connection(api::GitProvider::BitbucketDataCenter),
            api::paths::repository_picker(api::GitProvider::BitbucketDataCenter),
            api::paths::main_branch(api::GitProvider::BitbucketDataCenter, "DATA", "r"),
            api::paths::oauth_callback(api::GitProvider::BitbucketDataCenter),
            api::paths::repository_picker(api::GitProvider::GitHub),
            api::paths::oauth_installed(api::GitProvider::GitHub),
        ] {
            assert!(
                templates.iter().any(|t| matches(t, &path)),
                "{path} is not documented"
            );
        }
    }

    #[test]
    fn every_api_operation_lists_the_shared_errors() {
        let document = document();
        let item = &document.paths.paths[api::paths::SIGN_IN];
        let responses = &item.post.as_ref().unwrap().responses.responses;
        for (status, _) in SHARED_ERRORS {
            assert!(responses.contains_key(status), "{status}");
        }
        let json = serde_json::to_string(&document).unwrap();
        assert!(
            json.contains("\"ConnectionStatus\""),
            "schemas are included"
        );
    }
}
