//! The github.com side of a GitHub App's user: the web flow of "Generating a user access
//! token for a GitHub App" (authorize page, then the token endpoint), sign-in, the
//! installation page and "Authorized GitHub Apps". Pages keep a session cookie and put a
//! single-use ticket (`authenticity_token`) in every form, like the Data Center sandbox's.

mod authorize;
pub(crate) mod pages;
mod settings;
pub(crate) mod store;
mod token;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::GitHub;

pub(crate) const AUTHORIZE_PATH: &str = "/login/oauth/authorize";
pub(crate) const TOKEN_PATH: &str = "/login/oauth/access_token";
pub(crate) const LOGIN_PATH: &str = "/login";
pub(crate) const SESSION_PATH: &str = "/session";
pub(crate) const AUTHORIZATIONS_PATH: &str = "/settings/apps/authorizations";
/// GitHub's session cookie name.
pub(crate) const SESSION_COOKIE: &str = "user_session";
/// A random value per browser the sign-in form's ticket is bound to (login CSRF).
pub(crate) const BROWSER_COOKIE: &str = "gh_sandbox_browser";
/// The anti-CSRF field of every form (GitHub's Rails name).
pub(crate) const TICKET_FIELD: &str = "authenticity_token";
const MAX_QUERY: usize = 8 * 1024;

pub(crate) fn routes() -> Router<GitHub> {
    Router::new()
        .route(AUTHORIZE_PATH, get(authorize::show).post(authorize::decide))
        .route(LOGIN_PATH, get(authorize::login_page))
        .route(SESSION_PATH, post(authorize::login))
        .route(TOKEN_PATH, post(token::token))
        .route(AUTHORIZATIONS_PATH, get(settings::authorizations))
        .route(
            &format!("{AUTHORIZATIONS_PATH}/revoke"),
            post(settings::revoke),
        )
        .route(
            "/apps/{slug}/installations/new",
            get(settings::install_page),
        )
        .route("/apps/{slug}/installations", post(settings::install))
        .route("/settings/installations/{id}", get(settings::installed))
}

pub(crate) fn parse_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn redirect(status: StatusCode, location: &str) -> Response {
    let mut response = status.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// GitHub's redirect back to an app (302), never cached: it may carry a code.
pub(crate) fn found(location: &str) -> Response {
    redirect(StatusCode::FOUND, location)
}

/// After a form POST (303).
pub(crate) fn see_other(location: &str) -> Response {
    redirect(StatusCode::SEE_OTHER, location)
}

pub(crate) fn cookie(gh: &GitHub, name: &'static str, value: String) -> Cookie<'static> {
    let path = if gh.base_path().is_empty() {
        "/".to_owned()
    } else {
        gh.base_path().to_owned()
    };
    Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

/// The signed-in user of this browser.
pub(crate) fn session_user(gh: &GitHub, jar: &CookieJar) -> Option<String> {
    let id = jar.get(SESSION_COOKIE)?.value().to_owned();
    let world = gh.world();
    let now = world.clock.now();
    world.oauth.pages.session_user(&id, now).map(str::to_owned)
}

/// Whether `return_to` (relative to the base path) is one of the pages sign-in may return
/// to, so the form cannot be turned into an open redirect.
pub(crate) fn safe_return(return_to: &str) -> bool {
    let page = return_to.split('?').next().unwrap_or("");
    let known = page == AUTHORIZE_PATH
        || page == AUTHORIZATIONS_PATH
        || (page.starts_with("/apps/") && page.ends_with("/installations/new"));
    known && return_to.len() <= MAX_QUERY + 64 && !return_to.contains(['\r', '\n', '#', '\\'])
}

pub(crate) fn query_too_long(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.len() > MAX_QUERY)
}

/// Takes the ticket of a submitted form.
pub(crate) fn take_ticket(gh: &GitHub, pairs: &[(String, String)]) -> Option<store::TicketPurpose> {
    let mut world = gh.world();
    let now = world.clock.now();
    world
        .oauth
        .pages
        .take_ticket(field(pairs, TICKET_FIELD).unwrap_or(""), now)
}

pub(crate) fn new_ticket(gh: &GitHub, purpose: store::TicketPurpose) -> String {
    let mut world = gh.world();
    let now = world.clock.now();
    world.oauth.pages.new_ticket(purpose, now)
}

pub(crate) fn display_name(gh: &GitHub, login: &str) -> String {
    gh.world()
        .accounts
        .get(login)
        .map_or_else(|| login.to_owned(), |a| a.name.clone())
}

#[cfg(test)]
mod tests {
    use super::safe_return;

    #[test]
    fn sign_in_returns_only_to_known_pages() {
        assert!(safe_return("/login/oauth/authorize?client_id=x"));
        assert!(safe_return("/apps/studio/installations/new?state=1"));
        assert!(!safe_return("//evil.example/login/oauth/authorize"));
        assert!(!safe_return("https://evil.example/"));
    }
}
