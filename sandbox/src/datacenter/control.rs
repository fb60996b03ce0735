//! The control API (`/_control/…`) and the gate every other request passes, as in the Cloud
//! sandbox (same bodies, same [`Fault`] type and matching rules): latency and faults apply to
//! REST and token calls before a handler runs, so a faulted call has no side effect; the
//! control routes and the pages are never delayed or faulted. Off unless enabled: a dev
//! server that mounts the sandbox must not let any browser reset it.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::errors::{DcError, SERVER};
use super::oauth::TOKEN_PATH;
use super::{api, DataCenter, DcStats};
use crate::controls::{controlled_by_own_methods, ok, Gate, Gated, MergeFields};

// The common control endpoints (`crate::controls::routes`) drive Data Center by its own
// methods.
controlled_by_own_methods!(DataCenter, DcStats);

impl Gated for DataCenter {
    const MALFORMED_JSON: &'static str =
        r#"{"size": 25, "limit": 25, "isLastPage": false, "values": [{"slug": "pipel"#;

    /// REST and token calls; the pages are never delayed or faulted.
    fn gate(path: &str) -> Gate {
        if api::is_rest(path) {
            Gate::Api
        } else if path == TOKEN_PATH {
            Gate::Token
        } else {
            Gate::Open
        }
    }

    /// `"GET /api/latest/repos"`: the route template relative to `/rest`, with the document's
    /// `{path}` for axum's `{*path}`.
    fn endpoint_key(method: &str, template: &str) -> String {
        let relative = template
            .find("/rest/")
            .map_or(template, |i| &template[i + "/rest".len()..]);
        format!("{method} {}", relative.replace("{*path}", "{path}"))
    }

    fn not_found(&self, path: &str) -> Response {
        super::not_found_page(self, path)
    }

    /// DC's errors body on REST, an OAuth error on the token endpoint.
    fn fault_response(&self, gate: Gate, status: StatusCode) -> Response {
        let message = status.canonical_reason().unwrap_or("Service unavailable");
        let mut response = if gate == Gate::Token {
            crate::controls::token_fault(status, message)
        } else {
            DcError::new(status, SERVER, message).into_response()
        };
        if matches!(status.as_u16(), 429 | 503) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

pub(crate) fn routes() -> Router<DataCenter> {
    crate::controls::routes()
        .route("/_control/revoke", post(revoke))
        .route(
            "/_control/commit",
            post(commit).layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route("/_control/merge", post(merge))
}

#[derive(Deserialize)]
struct RevokeBody {
    user: String,
    client_id: String,
}

async fn revoke(
    State(dc): State<DataCenter>,
    Json(body): Json<RevokeBody>,
) -> Json<serde_json::Value> {
    dc.revoke(&body.user, &body.client_id);
    ok()
}

/// A colleague's commit: `content` a string sets the file, `null` deletes it.
#[derive(Deserialize)]
struct CommitBody {
    project: String,
    repository: String,
    branch: String,
    path: String,
    content: Option<String>,
}

async fn commit(State(dc): State<DataCenter>, Json(body): Json<CommitBody>) -> Response {
    match dc.commit_elsewhere(
        &body.project,
        &body.repository,
        &body.branch,
        &body.path,
        body.content.as_deref(),
    ) {
        Ok(id) => Json(json!({ "ok": true, "commit": id })).into_response(),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "ok": false, "error": error })),
        )
            .into_response(),
    }
}

/// A pull request merged elsewhere (see `crate::history::plan`), by the colleague `commit`
/// commits as, naming the repository as `CommitBody` does.
#[derive(Deserialize)]
struct MergeBody {
    project: String,
    repository: String,
    #[serde(flatten)]
    merge: MergeFields,
}

async fn merge(State(dc): State<DataCenter>, Json(body): Json<MergeBody>) -> Response {
    let merged = dc
        .world()
        .merge(&body.project, &body.repository, &body.merge.request());
    match merged {
        Ok(commit) => Json(json!({ "ok": true, "commit": commit.id })).into_response(),
        Err(refused) => crate::controls::merge_refused(refused),
    }
}

#[cfg(test)]
mod tests {
    use crate::controls::Gated;
    use crate::datacenter::DataCenter;

    fn endpoint_key(method: &str, template: &str) -> String {
        DataCenter::endpoint_key(method, template)
    }

    #[test]
    fn endpoint_keys_do_not_depend_on_the_mount() {
        assert_eq!(
            endpoint_key("GET", "/_sandbox/bitbucket-dc/rest/api/latest/repos"),
            "GET /api/latest/repos"
        );
        assert_eq!(
            endpoint_key(
                "PUT",
                "/rest/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{*path}"
            ),
            "PUT /api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}"
        );
    }
}
