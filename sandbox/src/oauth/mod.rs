//! Bitbucket's OAuth 2.0 authorization-code flow: the authorize, sign-in and
//! consent pages, the token endpoint, and App authorizations (where users
//! revoke access).
//!
//! Bitbucket has no revocation endpoint and no `scope` parameter that matters:
//! what a client gets is what its consumer was configured with, and the only
//! way access ends is a user pressing "Revoke". The sandbox mirrors both, so
//! the studio is tested against the only signals it will get in production (a
//! 401, then `invalid_grant` on refresh).

mod app_authorizations;
mod authorize;
mod pages;
pub(crate) mod store;
pub(crate) mod token;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::directory::Account;
use crate::html::error_page;
use crate::{Consumer, Sandbox};

pub(crate) const ACCOUNT_COOKIE: &str = "bb_sandbox_account";
pub(crate) const AUTHORIZE_PATH: &str = "/site/oauth2/authorize";
pub(crate) const LOGIN_PATH: &str = "/site/oauth2/login";
pub(crate) const LOGOUT_PATH: &str = "/site/oauth2/logout";
pub(crate) const APP_AUTHORIZATIONS_PATH: &str = "/account/settings/app-authorizations/";

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route(AUTHORIZE_PATH, get(authorize::show).post(authorize::decide))
        .route(LOGIN_PATH, post(authorize::login))
        .route(LOGOUT_PATH, post(authorize::logout))
        .route(token::TOKEN_ROUTE, post(token::access_token))
        .route(APP_AUTHORIZATIONS_PATH, get(app_authorizations::show))
        .route(
            "/account/settings/app-authorizations/revoke",
            post(app_authorizations::revoke),
        )
}

/// The query of an authorize request. Unknown parameters are dropped;
/// repeated ones are refused (RFC 6749 §3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct AuthorizeRequest {
    pub client_id: String,
    pub response_type: String,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub scope: Option<String>,
}

pub(crate) const AUTHORIZE_PARAMS: [&str; 7] = [
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "scope",
];

impl AuthorizeRequest {
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Result<AuthorizeRequest, String> {
        let mut req = AuthorizeRequest::default();
        let mut seen = [false; AUTHORIZE_PARAMS.len()];
        for (k, v) in pairs {
            let Some(i) = AUTHORIZE_PARAMS.iter().position(|p| p == k) else {
                continue;
            };
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("The parameter {k} was sent more than once."));
            }
            let v = v.clone();
            match i {
                0 => req.client_id = v,
                1 => req.response_type = v,
                2 => req.redirect_uri = Some(v),
                3 => req.state = Some(v),
                4 => req.code_challenge = Some(v),
                5 => req.code_challenge_method = Some(v),
                _ => req.scope = Some(v),
            }
        }
        Ok(req)
    }

    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("client_id", self.client_id.as_str()),
            ("response_type", self.response_type.as_str()),
        ];
        for (name, value) in [
            ("redirect_uri", &self.redirect_uri),
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
            ("scope", &self.scope),
        ] {
            if let Some(v) = value {
                out.push((name, v.as_str()));
            }
        }
        out
    }

    pub(crate) fn to_query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.to_pairs())
            .finish()
    }

    /// Checks the request against its consumer. Errors are pages, never
    /// redirects: until client and redirect URI are known good, redirecting
    /// would make the sandbox an open redirector.
    pub(crate) fn validate<'a>(&self, sb: &'a Sandbox) -> Result<Validated<'a>, Refusal> {
        let bad = |title: &'static str, message: &str| Err(Refusal::new(title, message));
        if self.client_id.is_empty() {
            return bad("Invalid client_id", "The request has no client_id.");
        }
        let Some(consumer) = sb.consumer(&self.client_id) else {
            return bad(
                "Invalid client_id",
                "No OAuth consumer matches this client_id.",
            );
        };
        let redirect = match &self.redirect_uri {
            None => consumer.callback_url.clone(),
            Some(uri) if redirect_uri_allowed(&consumer.callback_url, uri) => uri.clone(),
            Some(_) => return bad(
                "Invalid redirect_uri",
                "Invalid redirect_uri: it does not match the callback URL of this OAuth consumer.",
            ),
        };
        if self.response_type != "code" {
            return bad(
                "Unsupported response_type",
                "Only response_type=code is supported.",
            );
        }
        match (&self.code_challenge, self.code_challenge_method.as_deref()) {
            (None, Some(_)) => {
                return bad(
                    "Invalid request",
                    "code_challenge_method was sent without a code_challenge.",
                )
            }
            (None, None) if sb.config().require_pkce => {
                return bad(
                    "Invalid request",
                    "A code_challenge (PKCE, method S256) is required.",
                )
            }
            (Some(_), method) if method != Some("S256") => {
                return bad(
                    "Invalid request",
                    "Unsupported code_challenge_method: only S256 is accepted.",
                )
            }
            (Some(c), _) if !store::challenge_is_well_formed(c) => {
                return bad(
                    "Invalid request",
                    "The code_challenge is not a base64url-encoded SHA-256 digest.",
                )
            }
            _ => {}
        }
        Ok(Validated { consumer, redirect })
    }
}

/// Why a page request was refused; rendered as a 400 page by
/// [`Refusal::page`].
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub title: &'static str,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(title: &'static str, message: &str) -> Refusal {
        Refusal {
            title,
            message: message.to_owned(),
        }
    }

    pub(crate) fn page(&self, sb: &Sandbox) -> Response {
        error_page(sb, StatusCode::BAD_REQUEST, self.title, &self.message)
    }
}

pub(crate) struct Validated<'a> {
    pub consumer: &'a Consumer,
    /// Where the answer goes: the `redirect_uri` sent, or the callback URL.
    pub redirect: String,
}

/// A `redirect_uri` must equal the consumer's callback URL or extend it by
/// path (same scheme, host, port and query; no fragment or credentials).
pub(crate) fn redirect_uri_allowed(callback: &str, candidate: &str) -> bool {
    if candidate == callback {
        return true;
    }
    let (Ok(cb), Ok(c)) = (url::Url::parse(callback), url::Url::parse(candidate)) else {
        return false;
    };
    if c.fragment().is_some() || !c.username().is_empty() || c.password().is_some() {
        return false;
    }
    if c.scheme() != cb.scheme()
        || c.host_str() != cb.host_str()
        || c.port_or_known_default() != cb.port_or_known_default()
        || c.query() != cb.query()
    {
        return false;
    }
    // The parser has already resolved `..` and `%2e%2e` segments.
    let (base, path) = (cb.path(), c.path());
    path == base
        || (path.starts_with(base) && (base.ends_with('/') || path[base.len()..].starts_with('/')))
}

/// `base` with `params` appended to its query.
pub(crate) fn with_params(base: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.into()
        }
        Err(_) => base.to_owned(),
    }
}

/// A 302 that no cache keeps (it may carry a code).
pub(crate) fn found(location: &str) -> Response {
    redirect(StatusCode::FOUND, location)
}

/// A 303 after a form POST, so reloading does not resubmit.
pub(crate) fn see_other(location: &str) -> Response {
    redirect(StatusCode::SEE_OTHER, location)
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

/// The sign-in page for a website page (no authorize parameters to carry).
pub(crate) fn sign_in_page(sb: &Sandbox, return_path: &str) -> Response {
    pages::sign_in(sb, return_path, &[])
}

/// The account signed in to the sandbox website, if the cookie names one.
pub(crate) fn signed_in(sb: &Sandbox, jar: &CookieJar) -> Option<Account> {
    let nickname = jar.get(ACCOUNT_COOKIE)?.value().to_owned();
    sb.world().directory.account(&nickname).cloned()
}

fn cookie_path(sb: &Sandbox) -> String {
    if sb.base_path().is_empty() {
        "/".to_owned()
    } else {
        sb.base_path().to_owned()
    }
}

pub(crate) fn sign_in_cookie(sb: &Sandbox, nickname: &str) -> Cookie<'static> {
    Cookie::build((ACCOUNT_COOKIE, nickname.to_owned()))
        .path(cookie_path(sb))
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

pub(crate) fn sign_out_cookie(sb: &Sandbox) -> Cookie<'static> {
    Cookie::build((ACCOUNT_COOKIE, ""))
        .path(cookie_path(sb))
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uri_rules() {
        let cb = "http://127.0.0.1:3000/oauth/bitbucket/callback";
        assert!(redirect_uri_allowed(cb, cb));
        assert!(redirect_uri_allowed(cb, &format!("{cb}/extra")));
        assert!(!redirect_uri_allowed(cb, &format!("{cb}extra")));
        assert!(!redirect_uri_allowed(cb, &format!("{cb}/../../evil")));
        assert!(!redirect_uri_allowed(
            cb,
            &format!("{cb}/%2e%2e/%2e%2e/evil")
        ));
        assert!(!redirect_uri_allowed(
            cb,
            "http://127.0.0.1:3001/oauth/bitbucket/callback"
        ));
        assert!(!redirect_uri_allowed(
            cb,
            "https://127.0.0.1:3000/oauth/bitbucket/callback"
        ));
        assert!(!redirect_uri_allowed(
            cb,
            "http://evil.example/oauth/bitbucket/callback"
        ));
        assert!(!redirect_uri_allowed(cb, &format!("{cb}?next=http://evil")));
        assert!(!redirect_uri_allowed(cb, &format!("{cb}#frag")));
        assert!(!redirect_uri_allowed(
            cb,
            "http://user@127.0.0.1:3000/oauth/bitbucket/callback"
        ));
        assert!(!redirect_uri_allowed(cb, "not a url"));
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let pairs = vec![
            ("client_id".to_owned(), "a".to_owned()),
            ("client_id".to_owned(), "b".to_owned()),
        ];
        assert!(AuthorizeRequest::from_pairs(&pairs).is_err());
    }
}
