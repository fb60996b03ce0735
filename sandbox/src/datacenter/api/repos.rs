//! `GET /repos` (the search a studio uses to list writable repositories), `GET /projects`
//! and `GET /projects/{projectKey}/repos/{repositorySlug}`.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::paging::{Paging, Query};
use super::{render, Caller};
use crate::datacenter::errors::DcError;
use crate::datacenter::model::{Permission, Project, Repository};
use crate::datacenter::oauth::scopes::Cap;
use crate::datacenter::world::World;
use crate::datacenter::DataCenter;

/// Case-insensitive substring match, the way the sandbox reads DC's `name` filters.
fn contains_folded(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// The filters of `GET /repos`, checked.
struct RepoFilter<'q> {
    permission: Option<Permission>,
    name: Option<&'q str>,
    project_key: Option<String>,
    project_name: Option<&'q str>,
    visibility: Option<bool>,
    archived: Option<bool>,
    state_matches: bool,
}

impl<'q> RepoFilter<'q> {
    fn parse(q: &'q Query) -> Result<RepoFilter<'q>, DcError> {
        let permission = match q.text("permission") {
            None => None,
            Some(p) => Some(Permission::parse_repo(p).ok_or_else(|| {
                DcError::bad_request(format!(
                    "{p} is not a repository permission: use REPO_READ, REPO_WRITE or REPO_ADMIN."
                ))
                .about("permission")
            })?),
        };
        let visibility = match q.text("visibility") {
            None => None,
            Some("public") => Some(true),
            Some("private") => Some(false),
            Some(v) => {
                return Err(DcError::bad_request(format!(
                    "{v} is not a visibility: use public or private."
                ))
                .about("visibility"))
            }
        };
        let archived = match q.text("archived").map(str::to_ascii_uppercase).as_deref() {
            None | Some("ACTIVE") => Some(false),
            Some("ARCHIVED") => Some(true),
            Some("ALL") => None,
            Some(_) => {
                return Err(
                    DcError::bad_request("archived must be ACTIVE, ARCHIVED or ALL.")
                        .about("archived"),
                )
            }
        };
        let state_matches = match q.text("state") {
            None | Some("AVAILABLE") => true,
            Some("INITIALISING" | "INITIALISATION_FAILED" | "OFFLINE") => false,
            Some(s) => {
                return Err(
                    DcError::bad_request(format!("{s} is not a repository state.")).about("state"),
                )
            }
        };
        Ok(RepoFilter {
            permission,
            name: q.text("name"),
            project_key: q.text("projectkey").map(str::to_ascii_uppercase),
            project_name: q.text("projectname"),
            visibility,
            archived,
            state_matches,
        })
    }

    fn admits(&self, world: &World, caller: &Caller, repo: &Repository, project: &Project) -> bool {
        let Some(held) = caller.permission(world, repo) else {
            return false;
        };
        self.permission.is_none_or(|needed| held >= needed)
            && self.visibility.is_none_or(|public| repo.public == public)
            && self
                .archived
                .is_none_or(|archived| repo.archived == archived)
            && self.name.is_none_or(|n| contains_folded(&repo.name, n))
            && self
                .project_name
                .is_none_or(|n| contains_folded(&project.name, n))
    }
}

pub(super) async fn list(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let filter = match RepoFilter::parse(&q) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let paging = Paging::standard(&q);
    let world = dc.world();
    let mut found: Vec<(&Repository, &Project)> = Vec::new();
    if filter.state_matches {
        for (key, repos) in &world.repositories {
            if filter.project_key.as_ref().is_some_and(|k| k != key) {
                continue;
            }
            let Some(project) = world.projects.get(key) else {
                continue;
            };
            let start = found.len();
            found.extend(
                repos
                    .values()
                    .filter(|r| filter.admits(&world, &caller, r, project))
                    .map(|r| (r, project)),
            );
            // By project key (the outer order), then repository name.
            found[start..].sort_by_cached_key(|(r, _)| r.name.to_lowercase());
        }
    }
    Json(paging.page(&found, |(r, p)| render::repository(r, p))).into_response()
}

pub(super) async fn projects(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let needed = match q.text("permission") {
        None | Some("PROJECT_VIEW") => None,
        Some("PROJECT_READ") => Some(Permission::Read),
        Some("PROJECT_WRITE") => Some(Permission::Write),
        Some("PROJECT_ADMIN") => Some(Permission::Admin),
        Some(p) => {
            return DcError::bad_request(format!(
                "{p} is not a project permission: use PROJECT_VIEW, PROJECT_READ, PROJECT_WRITE or PROJECT_ADMIN."
            ))
            .about("permission")
            .into_response()
        }
    };
    let name = q.text("name");
    let paging = Paging::standard(&q);
    let world = dc.world();
    let user = caller.user.as_deref();
    let found: Vec<&Project> = world
        .projects
        .values()
        .filter(|p| name.is_none_or(|n| contains_folded(&p.name, n)))
        .filter(|p| match (caller.cap, needed) {
            (Cap::PublicOnly, None) => world
                .repositories
                .get(&p.key)
                .is_some_and(|rs| rs.values().any(|r| r.public)),
            (Cap::PublicOnly, Some(_)) => false,
            (Cap::UpTo(_), None) => world.project_visible(user, &p.key),
            (Cap::UpTo(max), Some(needed)) => {
                world.project_grant(user, &p.key).map(|g| g.min(max)) >= Some(needed)
            }
        })
        .collect();
    Json(paging.page(&found, |p| render::project(p))).into_response()
}

pub(super) async fn show(
    State(dc): State<DataCenter>,
    Extension(caller): Extension<Caller>,
    Path((key, slug)): Path<(String, String)>,
) -> Response {
    let world = dc.world();
    match caller.readable(&world, &key, &slug) {
        Ok(repo) => match world.projects.get(&repo.project_key) {
            Some(project) => Json(render::repository(repo, project)).into_response(),
            None => DcError::no_repository(&key, &slug).into_response(),
        },
        Err(e) => e.into_response(),
    }
}
