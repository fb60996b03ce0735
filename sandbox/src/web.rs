//! The few bitbucket.org website pages the studio links to: a repository page
//! (so "Open in Bitbucket" lands somewhere real), a workspace page, avatars
//! (so `links.avatar.href` renders), the stylesheet, and the 404s.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::CookieJar;

use crate::api::errors::ApiError;
use crate::api::repository_html_url;
use crate::html::{error_page, esc, html_response, page, pull_request_page, STYLESHEET};
use crate::ids::timestamp;
use crate::oauth::signed_in;
use crate::Sandbox;

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_static/sandbox.css", get(stylesheet))
        .route("/account/{nickname}/avatar/", get(account_avatar))
        .route("/workspaces/{workspace}/avatar/", get(workspace_avatar))
        .route("/{workspace}/{repo_slug}/avatar/", get(repository_avatar))
        .route("/{workspace}/", get(workspace_page))
        .route("/{workspace}/{repo_slug}", get(repository_page))
        .route(
            "/{workspace}/{repo_slug}/pull-requests/new",
            get(new_pull_request_page),
        )
}

pub(crate) async fn not_found(State(sb): State<Sandbox>, uri: Uri) -> Response {
    not_found_response(&sb, uri.path())
}

pub(crate) fn not_found_response(sb: &Sandbox, path: &str) -> Response {
    if path == "/2.0" || path.starts_with("/2.0/") {
        return ApiError::not_found("Resource not found").into_response();
    }
    error_page(
        sb,
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address in the Bitbucket sandbox.",
    )
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// A round badge with initials, coloured from the label so each account,
/// workspace and repository is recognisable.
fn avatar_svg(label: &str, initials: &str) -> Response {
    const COLOURS: [&str; 6] = [
        "#0052cc", "#00875a", "#ff5630", "#6554c0", "#ff991f", "#00a3bf",
    ];
    let hash = crate::ids::stable_hash(label);
    let colour = COLOURS[usize::from(hash.as_bytes()[0]) % COLOURS.len()];
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img" aria-label="{label}"><circle cx="32" cy="32" r="32" fill="{colour}"/><text x="32" y="40" font-family="sans-serif" font-size="24" text-anchor="middle" fill="#fff">{initials}</text></svg>"##,
        label = esc(label),
        initials = esc(initials),
    );
    let mut response = svg.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

fn initials(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '-')
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

async fn account_avatar(State(sb): State<Sandbox>, Path(nickname): Path<String>) -> Response {
    let name = sb
        .world()
        .directory
        .account(&nickname)
        .map(|a| a.display_name.clone());
    match name {
        Some(name) => avatar_svg(&name, &initials(&name)),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn workspace_avatar(State(sb): State<Sandbox>, Path(workspace): Path<String>) -> Response {
    let name = sb
        .world()
        .directory
        .workspaces
        .get(&workspace)
        .map(|w| w.name.clone());
    match name {
        Some(name) => avatar_svg(&name, &initials(&name)),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn repository_avatar(Path((workspace, repo_slug)): Path<(String, String)>) -> Response {
    // Repository avatars are public on Bitbucket's CDN; the label alone is
    // enough to draw one, visible or not.
    avatar_svg(&format!("{workspace}/{repo_slug}"), &initials(&repo_slug))
}

async fn workspace_page(
    State(sb): State<Sandbox>,
    jar: CookieJar,
    Path(workspace): Path<String>,
) -> Response {
    let Some(account) = signed_in(&sb, &jar) else {
        return crate::oauth::sign_in_page(&sb, &format!("/{workspace}/"));
    };
    let body = {
        let mut world = sb.world();
        world.directory.prepare(&workspace);
        let Some((ws, repos)) = world
            .directory
            .visible_repositories(&workspace, &account.nickname)
        else {
            drop(world);
            return not_found_response(&sb, "/");
        };
        let items: String = repos
            .iter()
            .take(100)
            .map(|(r, p)| {
                format!(
                    "<li><a href=\"{}\">{}</a> ({})</li>\n",
                    esc(&repository_html_url(&sb, ws, r)),
                    esc(&r.name),
                    p.as_str()
                )
            })
            .collect();
        let more = if repos.len() > 100 {
            format!("<p>And {} more.</p>", repos.len() - 100)
        } else {
            String::new()
        };
        format!(
            "<h1>{}</h1>\n<h2>Repositories</h2>\n<ul>\n{items}</ul>\n{more}",
            esc(&ws.name)
        )
    };
    html_response(StatusCode::OK, page(&sb, &workspace, &body))
}

async fn repository_page(
    State(sb): State<Sandbox>,
    jar: CookieJar,
    Path((workspace, repo_slug)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if workspace == "2.0" {
        return not_found_response(&sb, uri.path());
    }
    let Some(account) = signed_in(&sb, &jar) else {
        return crate::oauth::sign_in_page(&sb, &format!("/{workspace}/{repo_slug}"));
    };
    let body = {
        let mut world = sb.world();
        world.directory.prepare(&workspace);
        let Some((ws, repo, perm)) =
            world
                .directory
                .visible_repository(&workspace, &repo_slug, &account.nickname)
        else {
            drop(world);
            return error_page(
                &sb,
                StatusCode::NOT_FOUND,
                "Repository not found",
                "This repository does not exist, or you do not have access to it.",
            );
        };
        let rows: String = repo
            .branches
            .iter()
            .map(|(name, hash)| {
                let date = repo
                    .commits
                    .get(hash)
                    .map(|c| timestamp(c.date))
                    .unwrap_or_default();
                format!(
                    "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                    esc(name),
                    esc(&hash[..hash.len().min(12)]),
                    esc(&date)
                )
            })
            .collect();
        let branches = if rows.is_empty() {
            "<p>This repository is empty: it has no commits and no branches yet.</p>".to_owned()
        } else {
            format!(
                "<table>\n<caption>Branches</caption>\n<thead><tr><th scope=\"col\">Branch</th><th scope=\"col\">Latest commit</th><th scope=\"col\">Date</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"
            )
        };
        format!(
            r#"<h1>{ws_name} / {name}</h1>
<p>{description}</p>
<dl>
<dt>Main branch</dt><dd>{main}</dd>
<dt>Your access</dt><dd>{perm}</dd>
<dt>Clone</dt><dd><code>{clone}.git</code></dd>
</dl>
{branches}"#,
            ws_name = esc(&ws.name),
            name = esc(&repo.name),
            description = esc(&repo.description),
            main = esc(repo.mainbranch.as_deref().unwrap_or("none")),
            perm = perm.as_str(),
            clone = esc(&repository_html_url(&sb, ws, repo)),
        )
    };
    html_response(
        StatusCode::OK,
        page(&sb, &format!("{workspace}/{repo_slug}"), &body),
    )
}

/// `GET /{workspace}/{repo_slug}/pull-requests/new?source={branch}&dest={branch}`:
/// bitbucket.org's own "Create a pull request" page, the link Bitbucket's answer to a
/// `git push` of a new branch prints ("Create pull request for {branch}:
/// https://bitbucket.org/{workspace}/{repo_slug}/pull-requests/new?source={branch}&t=1").
/// The stand-in shows the repository and the two branches the link names (`dest` defaults
/// to the main branch, as Bitbucket's form does); no sign-in is
/// asked (unlike bitbucket.org), as it shows nothing the link does not already carry but
/// the repository's name. An unknown repository is the 404 page.
async fn new_pull_request_page(
    State(sb): State<Sandbox>,
    Path((workspace, repo_slug)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if workspace == "2.0" {
        return not_found_response(&sb, uri.path());
    }
    let main_branch = sb
        .world()
        .directory
        .repository_mut(&workspace, &repo_slug)
        .map(|r| r.mainbranch.clone().unwrap_or_default());
    let Some(main_branch) = main_branch else {
        return error_page(
            &sb,
            StatusCode::NOT_FOUND,
            "Repository not found",
            "This repository does not exist, or you do not have access to it.",
        );
    };
    let params = crate::api::Params::from_uri(&uri);
    let body = pull_request_page(
        "Create a pull request",
        "Bitbucket",
        &format!("{workspace}/{repo_slug}"),
        params.get("source").unwrap_or_default(),
        params.get("dest").unwrap_or(&main_branch),
    );
    html_response(StatusCode::OK, page(&sb, "Create a pull request", &body))
}
