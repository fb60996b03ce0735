//! `GET /2.0/user/workspaces`, `GET /2.0/workspaces/{workspace}` and
//! `GET /2.0/user/workspaces/{workspace}/permissions/repositories`: the
//! per-workspace replacements for the listings removed by CHANGE-2770, and
//! the studio's way to find repositories it may write to.
//!
//! `/user/workspaces` takes the document's parameters: `sort` ("only slug is
//! supported": `slug` or `-slug`, anything else a 400) and `administrator`
//! (`true`/`false`). Its items carry a `workspace_base`, which has no name;
//! `/workspaces/{workspace}` has it. The REST introduction's partial responses
//! ("Pulling in additional fields not normally returned by an endpoint", `fields=+…`,
//! for an embedded object in condensed form) pull it in: `fields=+values.workspace.name`
//! is honoured here; other `fields` values are accepted and change nothing.

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::errors::ApiError;
use super::pagination::{paginate, Params};
use super::query::{filter_and_sort, Kind, Schema, Val};
use super::{render, Caller};
use crate::ids::braced;
use crate::Sandbox;

const WORKSPACE_ACCESS: Schema = Schema {
    type_name: "workspace_access",
    fields: &[
        ("administrator", Kind::Bool),
        ("workspace.slug", Kind::Str),
        ("workspace.uuid", Kind::Str),
    ],
    // "Name of a response property to sort results (only slug is supported)."
    sortable: &["slug"],
};

pub(super) async fn list(State(sb): State<Sandbox>, caller: Caller, uri: Uri) -> Response {
    if let Err(e) = caller.require("account") {
        return e.into_response();
    }
    let params = Params::from_uri(&uri);
    let administrator = match params.get("administrator") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return ApiError::bad_request(format!(
                "Invalid administrator '{other}': use true or false"
            ))
            .into_response()
        }
    };
    {
        let world = sb.world();
        let mut rows = world.directory.workspaces_of(&caller.nickname);
        if let Some(want) = administrator {
            rows.retain(|(_, admin)| *admin == want);
        }
        let result = filter_and_sort(
            &mut rows,
            &params,
            &WORKSPACE_ACCESS,
            |(ws, admin), f| match f {
                "administrator" => Val::Bool(*admin),
                "slug" | "workspace.slug" => Val::Str(ws.slug.clone()),
                "workspace.uuid" => Val::Str(braced(&ws.uuid)),
                _ => Val::Null,
            },
        );
        if let Err(e) = result {
            return e.into_response();
        }
        let with_name = sb.partial_responses() && pulls_in(&params, "values.workspace.name");
        paginate(&sb, &uri, &params, &rows, |(ws, admin)| {
            let mut workspace = render::workspace_base(&sb, ws);
            if with_name {
                workspace["name"] = json!(ws.name);
            }
            json!({
                "type": "workspace_access",
                "administrator": admin,
                "workspace": workspace,
                "links": {
                    "self": { "href": format!("{}/user/workspaces/{}/permission", sb.api_url(), render::seg(&ws.slug)) },
                },
            })
        })
    }
}

/// Whether `fields` asks to pull `field` in (`+field` in its comma-separated list).
fn pulls_in(params: &Params, field: &str) -> bool {
    params.get("fields").is_some_and(|fields| {
        fields
            .split(',')
            .any(|entry| entry.trim().strip_prefix('+') == Some(field))
    })
}

/// `GET /2.0/workspaces/{workspace}`: the document's `workspace`, for a
/// workspace the caller is a member of (404 otherwise, as for one that does
/// not exist). The document names no scope for it beyond a valid token.
pub(super) async fn show(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path(workspace): Path<String>,
) -> Response {
    let world = sb.world();
    match world
        .directory
        .visible_workspace(&workspace, &caller.nickname)
    {
        Some(ws) => Json(render::workspace(&sb, ws)).into_response(),
        None => ApiError::no_workspace(&workspace).into_response(),
    }
}

const REPOSITORY_PERMISSION: Schema = Schema {
    type_name: "repository_permission",
    fields: &[
        ("permission", Kind::Perm),
        ("repository.name", Kind::Str),
        ("repository.full_name", Kind::Str),
        ("repository.uuid", Kind::Str),
    ],
    sortable: &["permission", "repository.name", "repository.full_name"],
};

pub(super) async fn repository_permissions(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path(workspace): Path<String>,
    uri: Uri,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let params = Params::from_uri(&uri);
    {
        let mut world = sb.world();
        world.directory.prepare(&workspace);
        let Some(user) = world.directory.account(&caller.nickname).cloned() else {
            return ApiError::not_found("User not found").into_response();
        };
        let Some((ws, mut rows)) = world
            .directory
            .visible_repositories(&workspace, &caller.nickname)
        else {
            // The document's answer here (it lists no 404), for a workspace
            // that does not exist as for one the caller is not in.
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "The requesting user does not have access to the workspace.",
            )
            .into_response();
        };
        let result = filter_and_sort(
            &mut rows,
            &params,
            &REPOSITORY_PERMISSION,
            |(r, p), f| match f {
                "permission" => Val::Perm(*p),
                "repository.name" => Val::Str(r.name.clone()),
                "repository.full_name" => Val::Str(format!("{}/{}", ws.slug, r.slug)),
                "repository.uuid" => Val::Str(braced(&r.uuid)),
                _ => Val::Null,
            },
        );
        if let Err(e) = result {
            return e.into_response();
        }
        let user_json = render::user_short(&sb, &user);
        paginate(&sb, &uri, &params, &rows, |(r, p)| {
            json!({
                "type": "repository_permission",
                "permission": p.as_str(),
                "repository": render::repository_short(&sb, ws, r),
                "user": user_json,
            })
        })
    }
}
