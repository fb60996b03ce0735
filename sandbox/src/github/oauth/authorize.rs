//! `GET/POST /login/oauth/authorize` and sign-in, per "Generating a user access token for a
//! GitHub App" and "Troubleshooting authorization request errors":
//!
//! - an unknown `client_id` is a 404 page (nowhere trusted to redirect to);
//! - a `redirect_uri` that is not the app's callback URL (compared exactly) redirects to the
//!   callback URL with `error=redirect_uri_mismatch`, `error_description`, `error_uri` and
//!   `state`;
//! - signed out, the sign-in page (`login` pre-fills the username), then back here;
//! - a user who already authorized the app is redirected back with a code at once;
//! - otherwise the consent page: "Authorize {app}" redirects with `code` and `state`, Cancel
//!   with `error=access_denied`.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::pages::{self, Consent};
use super::store::{Grant, TicketPurpose};
use super::{
    cookie, display_name, field, found, new_ticket, parse_pairs, query_too_long, safe_return,
    see_other, session_user, take_ticket, AUTHORIZE_PATH, BROWSER_COOKIE, SESSION_COOKIE,
};
use crate::github::{GitHub, GitHubApp, PASSWORD};
use crate::ids::{constant_time_eq, random_token};
use crate::oauth::with_params;

const ERRORS_PAGE: &str =
    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors";

/// A checked authorize request.
struct Checked<'a> {
    app: &'a GitHubApp,
    redirect_uri: Option<String>,
    state: Option<String>,
    challenge: Option<String>,
    login: Option<String>,
}

fn back_with_error(
    app: &GitHubApp,
    state: Option<&str>,
    error: &str,
    description: &str,
    anchor: &str,
) -> Response {
    let uri = format!("{ERRORS_PAGE}#{anchor}");
    let mut params = vec![
        ("error", error),
        ("error_description", description),
        ("error_uri", uri.as_str()),
    ];
    if let Some(s) = state {
        params.push(("state", s));
    }
    found(&with_params(&app.callback_url, &params))
}

fn check<'a>(gh: &'a GitHub, pairs: &[(String, String)]) -> Result<Checked<'a>, Box<Response>> {
    let get = |k: &str| field(pairs, k).map(str::to_owned);
    let Some(app) = get("client_id").and_then(|id| gh.app_by_client(&id)) else {
        return Err(Box::new(pages::error_page(
            gh,
            StatusCode::NOT_FOUND,
            "Page not found",
            "No GitHub App has this client_id.",
        )));
    };
    let state = get("state");
    let redirect_uri = get("redirect_uri");
    if redirect_uri
        .as_deref()
        .is_some_and(|r| r != app.callback_url)
    {
        return Err(Box::new(back_with_error(
            app,
            state.as_deref(),
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch",
        )));
    }
    let challenge = get("code_challenge");
    if let Some(c) = &challenge {
        let method_ok = get("code_challenge_method").as_deref() == Some("S256");
        if !method_ok || !crate::oauth::store::challenge_is_well_formed(c) {
            return Err(Box::new(back_with_error(
                app,
                state.as_deref(),
                "invalid_request",
                "The code_challenge must be a base64url SHA-256 digest and code_challenge_method S256.",
                "invalid-request",
            )));
        }
    }
    Ok(Checked {
        app,
        redirect_uri,
        state,
        challenge,
        login: get("login"),
    })
}

/// Issues a code and sends the browser back to the app with it.
fn back_with_code(gh: &GitHub, c: &Checked<'_>, user: &str) -> Response {
    let code = {
        let mut world = gh.world();
        let now = world.clock.now();
        let grant = Grant {
            user: user.to_owned(),
            client_id: c.app.client_id.clone(),
        };
        world.oauth.issue_code(
            grant,
            c.redirect_uri.as_deref(),
            c.challenge.as_deref(),
            now,
        )
    };
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = c.state.as_deref() {
        params.push(("state", s));
    }
    found(&with_params(
        c.redirect_uri.as_deref().unwrap_or(&c.app.callback_url),
        &params,
    ))
}

/// The sign-in page, its ticket bound to this browser's cookie (set if missing).
pub(super) fn sign_in(
    gh: &GitHub,
    jar: CookieJar,
    status: StatusCode,
    return_to: &str,
    login: &str,
    error: Option<&str>,
) -> Response {
    let browser = jar
        .get(BROWSER_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .unwrap_or_else(|| random_token(24));
    let ticket = new_ticket(
        gh,
        TicketPurpose::SignIn {
            browser: browser.clone(),
        },
    );
    let jar = jar.add(cookie(gh, BROWSER_COOKIE, browser));
    (
        jar,
        pages::sign_in(gh, status, return_to, &ticket, login, error),
    )
        .into_response()
}

pub(super) async fn show(
    State(gh): State<GitHub>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    gh.world().control.stats.authorize_requests += 1;
    if query_too_long(query.as_deref()) {
        return pages::error_page(
            &gh,
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The request is too long.",
        );
    }
    let query = query.unwrap_or_default();
    let pairs = parse_pairs(query.as_bytes());
    let checked = match check(&gh, &pairs) {
        Ok(c) => c,
        Err(response) => return *response,
    };
    let Some(user) = session_user(&gh, &jar) else {
        let return_to = format!("{AUTHORIZE_PATH}?{query}");
        return sign_in(
            &gh,
            jar,
            StatusCode::OK,
            &return_to,
            checked.login.as_deref().unwrap_or(""),
            None,
        );
    };
    let grant = Grant {
        user: user.clone(),
        client_id: checked.app.client_id.clone(),
    };
    if gh.world().oauth.authorized(&grant) {
        return back_with_code(&gh, &checked, &user);
    }
    let ticket = new_ticket(
        &gh,
        TicketPurpose::Consent {
            user: user.clone(),
            query: query.clone(),
        },
    );
    let cancel_uri = format!("{ERRORS_PAGE}#access-denied");
    let mut cancel = vec![
        ("error", "access_denied"),
        (
            "error_description",
            "The user has denied your application access.",
        ),
        ("error_uri", cancel_uri.as_str()),
    ];
    if let Some(s) = checked.state.as_deref() {
        cancel.push(("state", s));
    }
    let destination = checked
        .redirect_uri
        .clone()
        .unwrap_or_else(|| checked.app.callback_url.clone());
    pages::consent(
        &gh,
        &Consent {
            app_name: &checked.app.name,
            login: &user,
            display_name: &display_name(&gh, &user),
            query: &query,
            ticket: &ticket,
            cancel: &with_params(&checked.app.callback_url, &cancel),
            destination: &destination,
        },
    )
}

fn expired(gh: &GitHub) -> Response {
    pages::error_page(
        gh,
        StatusCode::BAD_REQUEST,
        "This page has expired",
        "The form was already used or is too old. Start again from the application.",
    )
}

/// "Authorize {app}": the consent form.
pub(super) async fn decide(State(gh): State<GitHub>, jar: CookieJar, body: Bytes) -> Response {
    let pairs = parse_pairs(&body);
    let Some(TicketPurpose::Consent { user, query }) = take_ticket(&gh, &pairs) else {
        return expired(&gh);
    };
    if session_user(&gh, &jar).as_deref() != Some(user.as_str())
        || field(&pairs, "query") != Some(query.as_str())
    {
        return expired(&gh);
    }
    match check(&gh, &parse_pairs(query.as_bytes())) {
        Ok(checked) => back_with_code(&gh, &checked, &user),
        Err(response) => *response,
    }
}

/// `GET /login?return_to=…`.
pub(super) async fn login_page(
    State(gh): State<GitHub>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = parse_pairs(query.unwrap_or_default().as_bytes());
    match field(&pairs, "return_to") {
        Some(r) if safe_return(r) => sign_in(&gh, jar, StatusCode::OK, r, "", None),
        _ => pages::error_page(
            &gh,
            StatusCode::BAD_REQUEST,
            "Nothing to sign in to",
            "Start from the application.",
        ),
    }
}

/// `POST /session`: `login`, `password`, `return_to` and the ticket.
pub(super) async fn login(State(gh): State<GitHub>, jar: CookieJar, body: Bytes) -> Response {
    let pairs = parse_pairs(&body);
    let return_to = field(&pairs, "return_to").unwrap_or("").to_owned();
    if !safe_return(&return_to) {
        return pages::error_page(
            &gh,
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "Unknown return page.",
        );
    }
    let browser = jar.get(BROWSER_COOKIE).map(|c| c.value().to_owned());
    match take_ticket(&gh, &pairs) {
        Some(TicketPurpose::SignIn { browser: bound })
            if browser.as_deref() == Some(bound.as_str()) => {}
        _ => return expired(&gh),
    }
    let login = field(&pairs, "login")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let password = field(&pairs, "password").unwrap_or("");
    let session = {
        let mut world = gh.world();
        let is_user = world
            .accounts
            .get(&login)
            .is_some_and(|a| a.kind == crate::github::model::AccountKind::User);
        if is_user && constant_time_eq(password.as_bytes(), PASSWORD.as_bytes()) {
            let now = world.clock.now();
            Some(world.oauth.pages.new_session(&login, now))
        } else {
            None
        }
    };
    match session {
        Some(id) => {
            let jar = jar.add(cookie(&gh, SESSION_COOKIE, id));
            (jar, see_other(&format!("{}{return_to}", gh.base_path()))).into_response()
        }
        None => sign_in(
            &gh,
            jar,
            StatusCode::UNAUTHORIZED,
            &return_to,
            &login,
            Some("Incorrect username or password."),
        ),
    }
}
