//! The control API (`/_control/…`) and the gate every other request passes, as in the Cloud
//! sandbox (same bodies, same [`Fault`] type and matching rules): latency and faults apply to
//! REST and token calls before a handler runs, so a faulted call has no side effect; the
//! control routes and the pages are never delayed or faulted. Off unless enabled: a dev
//! server that mounts the sandbox must not let any browser reset it.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::errors::{DcError, SERVER};
use super::oauth::TOKEN_PATH;
use super::world::ControlState;
use super::{api, DataCenter, DcStats};
use crate::controls::{controlled_by_own_methods, ok, Fault, FaultKind, MergeFields, MAX_HANG};

// The common control endpoints (`crate::controls::routes`) drive Data Center by its own
// methods.
controlled_by_own_methods!(DataCenter, DcStats);

impl ControlState {
    /// Consumes one use of the first armed fault matching `path`.
    fn take_fault(&mut self, path: &str) -> Option<Fault> {
        let fault = crate::controls::take_fault(&mut self.faults, path)?;
        self.stats.faults_injected += 1;
        Some(fault)
    }
}

/// `"GET /api/latest/repos"`: the route template relative to `/rest`, wherever the router is
/// mounted, with the document's `{path}` for axum's `{*path}`.
fn endpoint_key(method: &str, template: &str) -> String {
    let relative = template
        .find("/rest/")
        .map_or(template, |i| &template[i + "/rest".len()..]);
    format!("{method} {}", relative.replace("{*path}", "{path}"))
}

pub(crate) async fn gate(State(dc): State<DataCenter>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/_control/") {
        if !dc.control_enabled() {
            return super::not_found_page(&dc, &path);
        }
        return next.run(request).await;
    }
    let rest = api::is_rest(&path);
    let token = path == TOKEN_PATH;
    if !rest && !token {
        return next.run(request).await;
    }
    let (latency, fault) = {
        let mut world = dc.world();
        let control = &mut world.control;
        if rest {
            control.stats.api_requests += 1;
            let template = request
                .extensions()
                .get::<MatchedPath>()
                .map_or("(unmatched)", MatchedPath::as_str);
            *control
                .stats
                .api_requests_by_endpoint
                .entry(endpoint_key(request.method().as_str(), template))
                .or_default() += 1;
        }
        crate::controls::remember_request_id(&mut control.stats.request_ids, request.headers());
        (control.latency, control.take_fault(&path))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    if !fault.latency.is_zero() {
        tokio::time::sleep(fault.latency).await;
    }
    match fault.kind {
        FaultKind::Status(status) => fault_response(token, status),
        FaultKind::Hang(d) => {
            let mut cancel = dc.cancel_signal();
            tokio::select! {
                () = tokio::time::sleep(d.min(MAX_HANG)) => {}
                _ = cancel.changed() => {}
            }
            fault_response(token, 504)
        }
        FaultKind::MalformedJson => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"size": 25, "limit": 25, "isLastPage": false, "values": [{"slug": "pipel"#,
        )
            .into_response(),
    }
}

/// An error in the style of the endpoint it replaces: DC's errors body on REST, an OAuth
/// error on the token endpoint.
fn fault_response(token: bool, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = status.canonical_reason().unwrap_or("Service unavailable");
    let mut response = if token {
        let error = if matches!(status.as_u16(), 429 | 503) {
            "temporarily_unavailable"
        } else {
            "server_error"
        };
        crate::oauth::token::oauth_error(status, error, message)
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
    use super::endpoint_key;

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
