//! `GET /2.0/user/workspaces` and
//! `GET /2.0/user/workspaces/{workspace}/permissions/repositories`: the
//! per-workspace replacements for the listings removed by CHANGE-2770, and
//! the studio's way to find repositories it may write to.

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
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
        ("workspace.name", Kind::Str),
        ("workspace.uuid", Kind::Str),
    ],
    sortable: &["workspace.slug", "workspace.name", "administrator"],
};

pub(super) async fn list(State(sb): State<Sandbox>, caller: Caller, uri: Uri) -> Response {
    if let Err(e) = caller.require("account") {
        return e.into_response();
    }
    let params = Params::from_uri(&uri);
    {
        let world = sb.world();
        let mut rows = world.directory.workspaces_of(&caller.nickname);
        let result = filter_and_sort(
            &mut rows,
            &params,
            &WORKSPACE_ACCESS,
            |(ws, admin), f| match f {
                "administrator" => Val::Bool(*admin),
                "workspace.slug" => Val::Str(ws.slug.clone()),
                "workspace.name" => Val::Str(ws.name.clone()),
                "workspace.uuid" => Val::Str(braced(&ws.uuid)),
                _ => Val::Null,
            },
        );
        if let Err(e) = result {
            return e.into_response();
        }
        paginate(&sb, &uri, &params, &rows, |(ws, admin)| {
            json!({
                "type": "workspace_access",
                "administrator": admin,
                "workspace": render::workspace_base(&sb, ws),
                "links": {
                    "self": { "href": format!("{}/user/workspaces/{}/permission", sb.api_url(), render::seg(&ws.slug)) },
                },
            })
        })
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
            return ApiError::no_workspace(&workspace).into_response();
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
