//! `GET/POST /rest/oauth2/latest/authorize`, and the sign-in and switch-user forms.
//!
//! The sequence: validate the request (see [`AuthorizeRequest::validate`]), then make sure
//! someone is signed in (the sign-in page is answered in place, its form returns here),
//! then ask for consent. DC asks every time, even when the user already allowed the same
//! client the same scopes, and so does the sandbox. Each form carries a single-use ticket
//! (`atl_token`) bound to what it was rendered for: the browser (sign-in), the user and the
//! exact request (consent), the user (switch user).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::pages::{self, ConsentView};
use super::store::{Grant, TicketPurpose};
use super::{
    cookie, field, parse_pairs, query_too_long, safe_next, see_other, session_user,
    AuthorizeRequest, Refusal, Validated, AUTHORIZE_PATH, BROWSER_COOKIE, SESSION_COOKIE,
    TICKET_FIELD,
};
use crate::datacenter::{DataCenter, PASSWORD};
use crate::ids::{constant_time_eq, random_token};
use crate::oauth::with_params;

fn refuse(dc: &DataCenter, req: &AuthorizeRequest, refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(title, message) => {
            pages::error_page(dc, StatusCode::BAD_REQUEST, title, &message)
        }
        Refusal::Redirect(error, description) => {
            let mut params = vec![("error", error), ("error_description", description)];
            if let Some(state) = req.state.as_deref() {
                params.push(("state", state));
            }
            // Only reached once the redirect URI is known to be the client's.
            see_other(&with_params(
                req.redirect_uri.as_deref().unwrap_or_default(),
                &params,
            ))
        }
    }
}

/// The sign-in page, with a ticket bound to this browser's cookie (set if missing).
pub(super) fn sign_in(
    dc: &DataCenter,
    jar: CookieJar,
    status: StatusCode,
    next: &str,
    error: Option<&str>,
) -> Response {
    let browser = jar
        .get(BROWSER_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .unwrap_or_else(|| random_token(24));
    let (ticket, usernames) = {
        let mut world = dc.world();
        let now = world.clock.now();
        let ticket = world.oauth.new_ticket(
            TicketPurpose::SignIn {
                browser: browser.clone(),
            },
            now,
        );
        (ticket, world.users.keys().cloned().collect::<Vec<_>>())
    };
    let jar = jar.add(cookie(dc, BROWSER_COOKIE, browser));
    let page = pages::sign_in(dc, status, next, &ticket, error, &usernames);
    (jar, page).into_response()
}

pub(super) async fn show(
    State(dc): State<DataCenter>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    dc.world().control.stats.authorize_requests += 1;
    if query_too_long(query.as_deref()) {
        return pages::error_page(
            &dc,
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The request is too long.",
        );
    }
    let pairs = parse_pairs(query.as_deref().unwrap_or("").as_bytes());
    let req = match AuthorizeRequest::from_pairs(&pairs) {
        Ok(req) => req,
        Err(message) => {
            return pages::error_page(&dc, StatusCode::BAD_REQUEST, "Invalid request", &message)
        }
    };
    let validated = match req.validate(&dc) {
        Ok(v) => v,
        Err(refusal) => return refuse(&dc, &req, refusal),
    };
    let Some(user) = session_user(&dc, &jar) else {
        let next = format!("{AUTHORIZE_PATH}?{}", req.to_query());
        return sign_in(&dc, jar, StatusCode::OK, &next, None);
    };
    consent(&dc, &validated, &req, &user)
}

fn consent(
    dc: &DataCenter,
    validated: &Validated<'_>,
    req: &AuthorizeRequest,
    user: &str,
) -> Response {
    let (ticket, sign_out_ticket, display_name) = {
        let mut world = dc.world();
        let now = world.clock.now();
        let display_name = world
            .users
            .get(user)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| user.to_owned());
        let ticket = world.oauth.new_ticket(
            TicketPurpose::Consent {
                user: user.to_owned(),
                request: req.clone(),
            },
            now,
        );
        let sign_out = world.oauth.new_ticket(
            TicketPurpose::SignOut {
                user: user.to_owned(),
            },
            now,
        );
        (ticket, sign_out, display_name)
    };
    pages::consent(
        dc,
        &ConsentView {
            client: validated.client,
            display_name: &display_name,
            user_slug: user,
            scopes: &validated.scopes,
            request: req,
            ticket: &ticket,
            sign_out_ticket: &sign_out_ticket,
        },
    )
}

pub(super) fn bad(dc: &DataCenter, title: &str, message: &str) -> Response {
    pages::error_page(dc, StatusCode::BAD_REQUEST, title, message)
}

pub(super) fn expired(dc: &DataCenter) -> Response {
    bad(
        dc,
        "This page has expired",
        "The form was already used or is too old. Start again from the application.",
    )
}

pub(super) fn take_ticket(dc: &DataCenter, pairs: &[(String, String)]) -> Option<TicketPurpose> {
    let mut world = dc.world();
    let now = world.clock.now();
    world
        .oauth
        .take_ticket(field(pairs, TICKET_FIELD).unwrap_or(""), now)
}

/// The consent form: `decision=allow` or `decision=deny`.
pub(super) async fn decide(State(dc): State<DataCenter>, jar: CookieJar, body: Bytes) -> Response {
    let pairs = parse_pairs(&body);
    let Some(TicketPurpose::Consent { user, request }) = take_ticket(&dc, &pairs) else {
        return expired(&dc);
    };
    if session_user(&dc, &jar).as_deref() != Some(user.as_str()) {
        return bad(
            &dc,
            "User changed",
            "You are no longer logged in as the user this page was shown to. Start again from the application.",
        );
    }
    if AuthorizeRequest::from_pairs(&pairs).ok().as_ref() != Some(&request) {
        return bad(
            &dc,
            "Invalid request",
            "The form does not match the authorization request.",
        );
    }
    let validated = match request.validate(&dc) {
        Ok(v) => v,
        Err(refusal) => return refuse(&dc, &request, refusal),
    };
    let state = request.state.as_deref();
    match field(&pairs, "decision") {
        Some("allow") => {
            let code = {
                let mut world = dc.world();
                let now = world.clock.now();
                world.oauth.issue_code(
                    Grant {
                        user,
                        client: validated.client.id.clone(),
                        scopes: validated.scopes.clone(),
                    },
                    &validated.redirect_uri,
                    &validated.challenge,
                    now,
                )
            };
            let mut params = vec![("code", code.as_str())];
            if let Some(s) = state {
                params.push(("state", s));
            }
            see_other(&with_params(&validated.redirect_uri, &params))
        }
        Some("deny") => {
            let mut params = vec![
                ("error", "access_denied"),
                ("error_description", "The user denied the request."),
            ];
            if let Some(s) = state {
                params.push(("state", s));
            }
            see_other(&with_params(&validated.redirect_uri, &params))
        }
        _ => bad(&dc, "Invalid request", "Choose Allow or Deny."),
    }
}

/// `GET /login?next=…`: the sign-in page on its own (after "Switch user").
pub(super) async fn login_page(
    State(dc): State<DataCenter>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    if query_too_long(query.as_deref()) {
        return bad(&dc, "Invalid request", "The request is too long.");
    }
    let pairs = parse_pairs(query.as_deref().unwrap_or("").as_bytes());
    match field(&pairs, "next") {
        Some(next) if safe_next(next) => sign_in(&dc, jar, StatusCode::OK, next, None),
        _ => bad(
            &dc,
            "Nothing to log in to",
            "Start from the application that asked for access.",
        ),
    }
}

/// `POST /login`: `username`, `password`, `next` and the ticket.
pub(super) async fn login(State(dc): State<DataCenter>, jar: CookieJar, body: Bytes) -> Response {
    let pairs = parse_pairs(&body);
    let next = field(&pairs, "next").unwrap_or("").to_owned();
    if !safe_next(&next) {
        return bad(&dc, "Invalid request", "Unknown return page.");
    }
    let browser = jar.get(BROWSER_COOKIE).map(|c| c.value().to_owned());
    match take_ticket(&dc, &pairs) {
        Some(TicketPurpose::SignIn { browser: bound })
            if browser.as_deref() == Some(bound.as_str()) => {}
        _ => return expired(&dc),
    }
    let username = field(&pairs, "username")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let password = field(&pairs, "password").unwrap_or("");
    let session = {
        let mut world = dc.world();
        let known = world.users.contains_key(&username);
        if known && constant_time_eq(password.as_bytes(), PASSWORD.as_bytes()) {
            let now = world.clock.now();
            Some(world.oauth.new_session(&username, now))
        } else {
            None
        }
    };
    match session {
        Some(id) => {
            let jar = jar.add(cookie(&dc, SESSION_COOKIE, id));
            (jar, see_other(&format!("{}{next}", dc.base_path()))).into_response()
        }
        None => sign_in(
            &dc,
            jar,
            StatusCode::UNAUTHORIZED,
            &next,
            Some("Incorrect username or password."),
        ),
    }
}

/// "Switch user": ends the session and shows the sign-in page for the same request.
pub(super) async fn logout(State(dc): State<DataCenter>, jar: CookieJar, body: Bytes) -> Response {
    let pairs = parse_pairs(&body);
    let next = field(&pairs, "next").unwrap_or("").to_owned();
    if !safe_next(&next) {
        return bad(&dc, "Invalid request", "Unknown return page.");
    }
    let Some(TicketPurpose::SignOut { user }) = take_ticket(&dc, &pairs) else {
        return expired(&dc);
    };
    if session_user(&dc, &jar).as_deref() == Some(user.as_str()) {
        if let Some(id) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
            dc.world().oauth.end_session(&id);
        }
    }
    let jar = jar.remove(cookie(&dc, SESSION_COOKIE, String::new()));
    let location = format!(
        "{}{}?{}",
        dc.base_path(),
        super::LOGIN_PATH,
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &next)
            .finish()
    );
    (jar, see_other(&location)).into_response()
}
