//! `GET /application-properties` (no authentication needed: clients read the version
//! before signing in) and `GET /users/{userSlug}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

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

pub(super) async fn user(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path(slug): Path<String>,
) -> Response {
    if caller.user.is_none() {
        return DcError::not_permitted(
            "You are not permitted to access this resource. Log in first.",
        )
        .into_response();
    }
    let world = dc.world();
    match world.users.get(&slug.to_ascii_lowercase()) {
        Some(u) => Json(render::user(dc.base_url(), u)).into_response(),
        None => DcError::new(
            StatusCode::NOT_FOUND,
            NO_SUCH_USER,
            format!("User {slug} does not exist."),
        )
        .into_response(),
    }
}
