//! `GET /application-properties` (no authentication needed: clients read the version
//! before signing in), `GET /users` and `GET /users/{userSlug}`, and the application-links
//! servlet's `GET /plugins/servlet/applinks/whoami`.
//!
//! Atlassian's document has no "who am I" resource, and `application-properties` answers
//! anonymously, so a client learns whose token it holds from an answer that needs one:
//! `GET /users?limit=1` (401 without a user) names its caller in `X-AUSERNAME`, as every
//! authenticated answer does, and `whoami` answers the caller's slug as its body, for a
//! client behind a proxy that drops that header.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::paging::{Paging, Query};
use super::render;
use super::Caller;
use crate::datacenter::errors::{DcError, NO_SUCH_USER};
use crate::datacenter::DataCenter;

/// The version the sandbox stands in for.
pub(crate) const VERSION: &str = "9.2.0";

pub(super) async fn application_properties() -> Json<serde_json::Value> {
    Json(json!({
        "version": VERSION,
        "buildNumber": "9002000",
        "buildDate": "1727740800000",
        "displayName": "Bitbucket",
    }))
}

fn log_in_first() -> Response {
    DcError::not_permitted("You are not permitted to access this resource. Log in first.")
        .into_response()
}

/// `GET /users`: a page of the instance's users, by slug, `filter` matching a slug, name or
/// display name (case-insensitive); signed-in callers only.
pub(super) async fn users(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Response {
    if caller.user.is_none() {
        return log_in_first();
    }
    let q = Query::parse(raw.as_deref());
    let paging = Paging::standard(&q);
    let filter = q.text("filter").map(str::to_lowercase);
    let world = dc.world();
    let found: Vec<_> = world
        .users
        .values()
        .filter(|u| {
            filter.as_deref().is_none_or(|f| {
                [&u.slug, &u.name, &u.display_name]
                    .iter()
                    .any(|v| v.to_lowercase().contains(f))
            })
        })
        .collect();
    Json(paging.page(&found, |u| render::user(u))).into_response()
}

/// `GET /plugins/servlet/applinks/whoami`: the caller's slug as plain text; 401 without one.
pub(super) async fn whoami(Extension(caller): Extension<Caller>) -> Response {
    match caller.user {
        Some(slug) => ([(header::CONTENT_TYPE, "text/plain;charset=UTF-8")], slug).into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            "",
        )
            .into_response(),
    }
}

pub(super) async fn user(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path(slug): Path<String>,
) -> Response {
    if caller.user.is_none() {
        return log_in_first();
    }
    let world = dc.world();
    match world.users.get(&slug.to_ascii_lowercase()) {
        Some(u) => Json(render::user(u)).into_response(),
        None => DcError::new(
            StatusCode::NOT_FOUND,
            NO_SUCH_USER,
            format!("User {slug} does not exist."),
        )
        .into_response(),
    }
}
