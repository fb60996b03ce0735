//! The control API (`/_control/…`) and the gate every other request passes, as in the
//! Bitbucket sandboxes (the shared endpoints of `crate::controls`, the same [`Fault`]
//! rules): latency and faults apply to API and token calls before a handler runs, so a
//! faulted call has no side effect. Off unless enabled.
//!
//! A `status` fault answers GitHub's error body. 403 and 429 are answered as GitHub's
//! secondary rate limit ("Rate limits for the REST API"): the message, and `retry-after`
//! (1 second here, so tests stay fast).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::errors::ApiError;
use super::{api, oauth, GitHub, GitHubStats};
use crate::controls::{controlled_by_own_methods, ok, refuse, Gate, Gated, MergeFields};

controlled_by_own_methods!(GitHub, GitHubStats);

impl Gated for GitHub {
    const MALFORMED_JSON: &'static str = r#"{"total_count": 2, "installations": [{"id": 4"#;
    const MALFORMED_JSON_TYPE: &'static str = "application/json; charset=utf-8";

    /// API and token calls; the pages are never delayed or faulted.
    fn gate(path: &str) -> Gate {
        if path.starts_with(api::API) {
            Gate::Api
        } else if path == oauth::TOKEN_PATH {
            Gate::Token
        } else {
            Gate::Open
        }
    }

    /// `"GET /user/installations"`: the route template relative to `/api/v3`, with the
    /// description's `{ref}`/`{path}` for axum's `{*…}`.
    fn endpoint_key(method: &str, template: &str) -> String {
        let relative = template
            .find(api::API)
            .map_or(template, |i| &template[i + api::API.len()..]);
        format!("{method} {}", relative.replace("{*", "{"))
    }

    fn not_found(&self, path: &str) -> Response {
        super::not_found_page(self, path)
    }

    /// GitHub's error body everywhere, the token endpoint included.
    fn fault_response(&self, _: Gate, status: StatusCode) -> Response {
        let mut error = ApiError::new(status, status.canonical_reason().unwrap_or("Server Error"));
        if matches!(status.as_u16(), 403 | 429) {
            error.message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.".into();
            error.documentation_url = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
            error.retry_after = Some(1);
        }
        error.into_response()
    }

    fn max_in_flight(stats: &mut GitHubStats) -> Option<&mut u64> {
        Some(&mut stats.max_concurrent)
    }
}

pub(crate) fn routes() -> Router<GitHub> {
    crate::controls::routes()
        .route("/_control/revoke", post(revoke))
        .route("/_control/commit", post(commit))
        .route("/_control/merge", post(merge))
        .route("/_control/install", post(install))
        .route("/_control/uninstall", post(uninstall))
        .route("/_control/rate-limit", post(rate_limit))
}

#[derive(Deserialize)]
struct RevokeBody {
    login: String,
    client_id: String,
}

async fn revoke(State(gh): State<GitHub>, Json(b): Json<RevokeBody>) -> Json<serde_json::Value> {
    gh.revoke(&b.login, &b.client_id);
    ok()
}

/// A commit from elsewhere: `content` a string sets the file, `null` deletes it.
#[derive(Deserialize)]
struct CommitBody {
    owner: String,
    repo: String,
    branch: String,
    path: String,
    content: Option<String>,
}

async fn commit(State(gh): State<GitHub>, Json(b): Json<CommitBody>) -> Response {
    match gh.commit_elsewhere(&b.owner, &b.repo, &b.branch, &b.path, b.content.as_deref()) {
        Some(sha) => Json(json!({ "ok": true, "sha": sha })).into_response(),
        None => refuse("no such repository or branch, or nothing to change"),
    }
}

/// A pull request merged elsewhere with "Create a merge commit" (then "Delete branch" if
/// asked), by the colleague `commit` commits as, naming the repository as `CommitBody` does.
#[derive(Deserialize)]
struct MergeBody {
    owner: String,
    repo: String,
    #[serde(flatten)]
    merge: MergeFields,
}

async fn merge(State(gh): State<GitHub>, Json(b): Json<MergeBody>) -> Response {
    let merged = gh.world().merge(&b.owner, &b.repo, &b.merge.request());
    match merged {
        Ok(commit) => Json(json!({ "ok": true, "sha": commit.sha })).into_response(),
        Err(refused) => crate::controls::merge_refused(refused),
    }
}

#[derive(Deserialize)]
struct InstallBody {
    account: String,
    app_slug: String,
}

async fn install(State(gh): State<GitHub>, Json(b): Json<InstallBody>) -> Response {
    if gh.app_by_slug(&b.app_slug).is_none() || !gh.world().accounts.contains_key(&b.account) {
        return refuse("unknown account or app");
    }
    let id = gh.world().install(&b.account, &b.app_slug);
    Json(json!({ "ok": true, "installation_id": id })).into_response()
}

async fn uninstall(
    State(gh): State<GitHub>,
    Json(b): Json<InstallBody>,
) -> Json<serde_json::Value> {
    gh.uninstall(&b.account, &b.app_slug);
    ok()
}

#[derive(Deserialize)]
struct RateBody {
    login: String,
    remaining: u32,
}

async fn rate_limit(State(gh): State<GitHub>, Json(b): Json<RateBody>) -> Json<serde_json::Value> {
    gh.set_rate_limit_remaining(&b.login, b.remaining);
    ok()
}
