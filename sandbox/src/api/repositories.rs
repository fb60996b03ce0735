//! `GET /2.0/repositories/{workspace}` and
//! `GET /2.0/repositories/{workspace}/{repo_slug}`.
//!
//! `role` narrows the list by the caller's permission (`member` ≥ read,
//! `contributor` ≥ write, `admin`, `owner` = the caller's personal
//! workspace); the studio uses `role=contributor` to offer only repositories
//! it can push to. Default order is by slug (Bitbucket documents none; pass
//! `sort` to depend on one).

use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::errors::ApiError;
use super::pagination::{paginate, Params};
use super::query::{filter_and_sort, Kind, Schema, Val};
use super::{render, Caller};
use crate::directory::{Permission, Repository, Workspace};
use crate::ids::braced;
use crate::Sandbox;

const REPOSITORY: Schema = Schema {
    type_name: "repository",
    fields: &[
        ("name", Kind::Str),
        ("full_name", Kind::Str),
        ("slug", Kind::Str),
        ("uuid", Kind::Str),
        ("description", Kind::Str),
        ("language", Kind::Str),
        ("scm", Kind::Str),
        ("is_private", Kind::Bool),
        ("size", Kind::Num),
        ("created_on", Kind::Date),
        ("updated_on", Kind::Date),
        ("project.key", Kind::Str),
        ("project.name", Kind::Str),
        ("mainbranch.name", Kind::Str),
    ],
    sortable: &[
        "name",
        "full_name",
        "slug",
        "size",
        "language",
        "created_on",
        "updated_on",
        "project.key",
        "project.name",
    ],
};

fn field(ws: &Workspace, r: &Repository, f: &str) -> Val {
    match f {
        "name" => Val::Str(r.name.clone()),
        "full_name" => Val::Str(format!("{}/{}", ws.slug, r.slug)),
        "slug" => Val::Str(r.slug.clone()),
        "uuid" => Val::Str(braced(&r.uuid)),
        "description" => Val::Str(r.description.clone()),
        "language" => Val::Str(r.language.clone()),
        "scm" => Val::Str("git".into()),
        "is_private" => Val::Bool(r.is_private),
        "size" => Val::Num(r.size as f64),
        "created_on" => Val::Date(r.created_on),
        "updated_on" => Val::Date(r.updated_on),
        "project.key" => Val::Str(r.project_key.clone()),
        "project.name" => ws
            .projects
            .get(&r.project_key)
            .map_or(Val::Null, |p| Val::Str(p.name.clone())),
        "mainbranch.name" => r.mainbranch.clone().map_or(Val::Null, Val::Str),
        _ => Val::Null,
    }
}

pub(super) async fn list(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path(workspace): Path<String>,
    uri: Uri,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let params = Params::from_uri(&uri);
    let role = params.get("role");
    let min_role: Option<Permission> = match role {
        None | Some("owner") => None,
        Some("member") => Some(Permission::Read),
        Some("contributor") => Some(Permission::Write),
        Some("admin") => Some(Permission::Admin),
        Some(other) => {
            return ApiError::bad_request(format!(
                "Invalid role '{other}': use member, contributor, admin or owner"
            ))
            .into_response()
        }
    };
    {
        let mut world = sb.world();
        world.directory.prepare(&workspace);
        let dir = &world.directory;
        let Some((ws, mut rows)) = dir.visible_repositories(&workspace, &caller.nickname) else {
            return ApiError::no_workspace(&workspace).into_response();
        };
        if role == Some("owner") && ws.personal_of.as_deref() != Some(caller.nickname.as_str()) {
            rows.clear();
        }
        if let Some(min) = min_role {
            rows.retain(|(_, p)| *p >= min);
        }
        if let Err(e) =
            filter_and_sort(&mut rows, &params, &REPOSITORY, |(r, _), f| field(ws, r, f))
        {
            return e.into_response();
        }
        paginate(&sb, &uri, &params, &rows, |(r, _)| {
            render::repository(&sb, dir, ws, r)
        })
    }
}

pub(super) async fn show(
    State(sb): State<Sandbox>,
    caller: Caller,
    Path((workspace, repo_slug)): Path<(String, String)>,
) -> Response {
    if let Err(e) = caller.require("repository") {
        return e.into_response();
    }
    let mut world = sb.world();
    world.directory.prepare(&workspace);
    let dir = &world.directory;
    match dir.visible_repository(&workspace, &repo_slug, &caller.nickname) {
        Some((ws, repo, _)) => Json(render::repository(&sb, dir, ws, repo)).into_response(),
        None => ApiError::no_repository(&workspace, &repo_slug).into_response(),
    }
}
