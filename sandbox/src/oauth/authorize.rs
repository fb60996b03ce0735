//! `GET/POST /site/oauth2/authorize` and the sign-in / switch-account forms.
//!
//! The sequence is Bitbucket's: validate the client and redirect URI first
//! (errors are pages), then make sure someone is signed in, then skip consent
//! if this account already granted this consumer, else ask. The consent form
//! carries a single-use ticket bound to the signed-in account, so a page
//! rendered for one account cannot be submitted by another or replayed.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;

use super::store::TicketPurpose;
use super::{
    found, see_other, sign_in_cookie, sign_out_cookie, signed_in, with_params, AuthorizeRequest,
    Refusal, APP_AUTHORIZATIONS_PATH, AUTHORIZE_PATH,
};
use crate::html::error_page;
use crate::Sandbox;

type Pairs = Vec<(String, String)>;

pub(crate) fn parse_query(q: Option<&str>) -> Pairs {
    url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn field<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn callback_with_code(redirect: &str, code: &str, state: Option<&str>) -> String {
    let mut params = vec![("code", code)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    with_params(redirect, &params)
}

pub(super) async fn show(
    State(sb): State<Sandbox>,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    sb.world().control.stats.authorize_requests += 1;
    let pairs = parse_query(query.as_deref());
    let req = match AuthorizeRequest::from_pairs(&pairs) {
        Ok(req) => req,
        Err(message) => {
            return error_page(&sb, StatusCode::BAD_REQUEST, "Invalid request", &message)
        }
    };
    let validated = match req.validate(&sb) {
        Ok(v) => v,
        Err(refusal) => return refusal.page(&sb),
    };
    let Some(account) = signed_in(&sb, &jar) else {
        return super::pages::sign_in(&sb, AUTHORIZE_PATH, &req.to_pairs());
    };
    let consumer = validated.consumer;
    let mut world = sb.world();
    let now = world.clock.now();
    if world.oauth.has_grant(&account.nickname, &consumer.key) {
        let code = world.oauth.issue_code(
            &consumer.key,
            &account.nickname,
            req.redirect_uri.clone(),
            req.code_challenge.clone(),
            now,
        );
        drop(world);
        return found(&callback_with_code(
            &validated.redirect,
            &code,
            req.state.as_deref(),
        ));
    }
    let ticket =
        world
            .oauth
            .new_ticket(&account.nickname, TicketPurpose::Consent(req.clone()), now);
    drop(world);
    super::pages::consent(&sb, consumer, &account, &validated.redirect, &req, &ticket)
}

/// The consent form: `action=grant` or `action=cancel`.
pub(super) async fn decide(
    State(sb): State<Sandbox>,
    jar: CookieJar,
    Form(pairs): Form<Pairs>,
) -> Response {
    let bad = |title: &str, message: &str| error_page(&sb, StatusCode::BAD_REQUEST, title, message);
    let ticket = {
        let mut world = sb.world();
        let now = world.clock.now();
        world
            .oauth
            .take_ticket(field(&pairs, "csrf_token").unwrap_or(""), now)
    };
    let Some(ticket) = ticket else {
        return bad(
            "This page has expired",
            "The form was already used or is too old. Start again from the application.",
        );
    };
    let TicketPurpose::Consent(req) = ticket.purpose else {
        return bad("Invalid request", "This form does not belong to this page.");
    };
    let account = signed_in(&sb, &jar);
    if account.as_ref().map(|a| a.nickname.as_str()) != Some(ticket.account.as_str()) {
        return bad(
            "Account changed",
            "You are no longer signed in as the account this page was shown to. Start again from the application.",
        );
    }
    if AuthorizeRequest::from_pairs(&pairs).ok().as_ref() != Some(&req) {
        return bad(
            "Invalid request",
            "The form does not match the authorization request.",
        );
    }
    let validated = match req.validate(&sb) {
        Ok(v) => v,
        Err(refusal) => return refusal.page(&sb),
    };
    match field(&pairs, "action") {
        Some("grant") => {
            let mut world = sb.world();
            let now = world.clock.now();
            world
                .oauth
                .record_grant(&ticket.account, &validated.consumer.key, now);
            let code = world.oauth.issue_code(
                &validated.consumer.key,
                &ticket.account,
                req.redirect_uri.clone(),
                req.code_challenge.clone(),
                now,
            );
            drop(world);
            found(&callback_with_code(
                &validated.redirect,
                &code,
                req.state.as_deref(),
            ))
        }
        Some("cancel") => {
            let mut params = vec![
                ("error", "access_denied"),
                ("error_description", "The user denied the request."),
            ];
            if let Some(s) = req.state.as_deref() {
                params.push(("state", s));
            }
            found(&with_params(&validated.redirect, &params))
        }
        _ => bad("Invalid request", "Choose Grant access or Cancel."),
    }
}

/// Pages a sign-in may return to: the authorize page, App authorizations, or
/// a workspace page (`/{workspace}/`) or a repository page
/// (`/{workspace}/{repo_slug}`). Anything else is refused so
/// the form cannot be turned into an open redirect.
fn safe_return_path(path: &str) -> bool {
    if path == AUTHORIZE_PATH || path == APP_AUTHORIZATIONS_PATH {
        return true;
    }
    let segment_ok = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match path
        .strip_prefix('/')
        .map(|p| p.split('/').collect::<Vec<_>>())
    {
        Some(parts) => match parts.as_slice() {
            [ws, ""] => segment_ok(ws),
            [ws, repo] => segment_ok(ws) && segment_ok(repo),
            _ => false,
        },
        None => false,
    }
}

fn return_location(sb: &Sandbox, pairs: &Pairs) -> Result<String, Refusal> {
    let path = field(pairs, "return_path").unwrap_or(AUTHORIZE_PATH);
    if !safe_return_path(path) {
        return Err(Refusal::new("Invalid request", "Unknown return page."));
    }
    if path == AUTHORIZE_PATH {
        let req =
            AuthorizeRequest::from_pairs(pairs).map_err(|m| Refusal::new("Invalid request", &m))?;
        Ok(format!("{}{}?{}", sb.base_path(), path, req.to_query()))
    } else {
        Ok(format!("{}{}", sb.base_path(), path))
    }
}

/// One button per seeded account; sets the sign-in cookie and goes back.
pub(super) async fn login(
    State(sb): State<Sandbox>,
    jar: CookieJar,
    Form(pairs): Form<Pairs>,
) -> Response {
    let nickname = field(&pairs, "account").unwrap_or("");
    if sb.world().directory.account(nickname).is_none() {
        return error_page(
            &sb,
            StatusCode::BAD_REQUEST,
            "Unknown account",
            "There is no sandbox account with that name.",
        );
    }
    match return_location(&sb, &pairs) {
        Ok(location) => {
            (jar.add(sign_in_cookie(&sb, nickname)), see_other(&location)).into_response()
        }
        Err(refusal) => refusal.page(&sb),
    }
}

/// "Switch account": forget the cookie and go back (to the sign-in page).
pub(super) async fn logout(
    State(sb): State<Sandbox>,
    jar: CookieJar,
    Form(pairs): Form<Pairs>,
) -> Response {
    match return_location(&sb, &pairs) {
        Ok(location) => (jar.remove(sign_out_cookie(&sb)), see_other(&location)).into_response(),
        Err(refusal) => refusal.page(&sb),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn return_paths() {
        assert!(safe_return_path("/site/oauth2/authorize"));
        assert!(safe_return_path("/account/settings/app-authorizations/"));
        assert!(safe_return_path("/acme-data/warehouse-pipelines"));
        assert!(safe_return_path("/acme-data/"));
        assert!(!safe_return_path("/acme-data"));
        assert!(!safe_return_path("//evil.example/x"));
        assert!(!safe_return_path("/\\evil.example"));
        assert!(!safe_return_path("https://evil.example/"));
        assert!(!safe_return_path("/../x"));
        assert!(!safe_return_path("/a/b/c"));
    }
}
