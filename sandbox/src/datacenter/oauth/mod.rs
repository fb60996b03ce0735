//! OAuth 2.0 as Data Center offers it to an incoming application link: the authorize page
//! (sign-in, then consent), and the token endpoint.
//!
//! The authorize request is validated strictly and in RFC 6749's order: until the client
//! and its exact redirect URI are known good, errors are pages (redirecting would make the
//! sandbox an open redirector); after that they go back to the client as `error=…&state=…`.
//! PKCE with S256 is mandatory, as is a `scope` naming only DC scopes.

mod account;
mod authorize;
mod pages;
pub(crate) mod scopes;
pub(crate) mod store;
pub(crate) mod token;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::{DataCenter, DcClient};
pub(crate) use pages::{error_page, respond};
use scopes::Scope;

pub(crate) const AUTHORIZE_PATH: &str = "/rest/oauth2/latest/authorize";
pub(crate) const TOKEN_PATH: &str = "/rest/oauth2/latest/token";
pub(crate) const LOGIN_PATH: &str = "/login";
pub(crate) const LOGOUT_PATH: &str = "/logout";
/// "Authorized applications", where a user revokes an application's access.
pub(crate) const ACCOUNT_PATH: &str = "/account";
/// DC's own session cookie name.
pub(crate) const SESSION_COOKIE: &str = "BITBUCKETSESSIONID";
/// A random value per browser that the sign-in form's ticket is bound to, so another site
/// cannot sign a victim's browser in as the attacker (login CSRF).
pub(crate) const BROWSER_COOKIE: &str = "bb_dc_sandbox_browser";
/// The anti-CSRF field of every form (DC calls its XSRF token `atl_token`).
pub(crate) const TICKET_FIELD: &str = "atl_token";
/// Longest authorize query accepted.
const MAX_QUERY: usize = 8 * 1024;

pub(crate) fn routes() -> Router<DataCenter> {
    Router::new()
        .route(AUTHORIZE_PATH, get(authorize::show).post(authorize::decide))
        .route(
            LOGIN_PATH,
            get(authorize::login_page).post(authorize::login),
        )
        .route(LOGOUT_PATH, post(authorize::logout))
        .route(ACCOUNT_PATH, get(account::show))
        .route(&format!("{ACCOUNT_PATH}/revoke"), post(account::revoke))
        .route(TOKEN_PATH, post(token::token))
}

/// The parameters of an authorize request. Unknown ones are dropped; repeated ones are
/// refused (RFC 6749 §3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct AuthorizeRequest {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

const PARAMS: [&str; 7] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

/// Why an authorize request was refused.
#[derive(Debug, Clone)]
pub(crate) enum Refusal {
    /// Client or redirect URI not trusted: an error page, no redirect.
    Page(&'static str, String),
    /// Back to the client with `error`, `error_description` and `state`.
    Redirect(&'static str, &'static str),
}

pub(crate) struct Validated<'a> {
    pub client: &'a DcClient,
    pub redirect_uri: String,
    pub scopes: Vec<Scope>,
    pub challenge: String,
}

impl AuthorizeRequest {
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Result<AuthorizeRequest, String> {
        let mut req = AuthorizeRequest::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "client_id" => &mut req.client_id,
                "redirect_uri" => &mut req.redirect_uri,
                "response_type" => &mut req.response_type,
                "scope" => &mut req.scope,
                "state" => &mut req.state,
                "code_challenge" => &mut req.code_challenge,
                "code_challenge_method" => &mut req.code_challenge_method,
                _ => continue,
            };
            if slot.replace(v.clone()).is_some() {
                return Err(format!("The parameter {k} was sent more than once."));
            }
        }
        Ok(req)
    }

    pub(crate) fn to_pairs(&self) -> Vec<(&'static str, &str)> {
        let values = [
            &self.client_id,
            &self.redirect_uri,
            &self.response_type,
            &self.scope,
            &self.state,
            &self.code_challenge,
            &self.code_challenge_method,
        ];
        PARAMS
            .iter()
            .zip(values)
            .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v)))
            .collect()
    }

    pub(crate) fn to_query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.to_pairs())
            .finish()
    }

    pub(crate) fn validate<'a>(&self, dc: &'a DataCenter) -> Result<Validated<'a>, Refusal> {
        let page = |title, message: &str| Err(Refusal::Page(title, message.to_owned()));
        let Some(client_id) = self.client_id.as_deref().filter(|s| !s.is_empty()) else {
            return page("Invalid client", "The request has no client_id.");
        };
        let Some(client) = dc.client(client_id) else {
            return page(
                "Invalid client",
                "No application link matches this client_id.",
            );
        };
        match self.redirect_uri.as_deref() {
            None => return page("Invalid redirect URI", "The request has no redirect_uri."),
            Some(uri) if uri != client.redirect_uri => {
                return page(
                    "Invalid redirect URI",
                    "The redirect_uri is not the one registered for this application link.",
                )
            }
            Some(_) => {}
        }
        let redirect = |error, description| Err(Refusal::Redirect(error, description));
        match self.response_type.as_deref() {
            None => return redirect("invalid_request", "The response_type is missing."),
            Some("code") => {}
            Some(_) => {
                return redirect(
                    "unsupported_response_type",
                    "Only response_type=code is supported.",
                )
            }
        }
        let Some(challenge) = self.code_challenge.as_deref() else {
            return redirect(
                "invalid_request",
                "A code_challenge (PKCE, S256) is required.",
            );
        };
        if self.code_challenge_method.as_deref() != Some("S256") {
            return redirect("invalid_request", "The code_challenge_method must be S256.");
        }
        if !crate::oauth::store::challenge_is_well_formed(challenge) {
            return redirect(
                "invalid_request",
                "The code_challenge is not a base64url SHA-256 digest.",
            );
        }
        let Some(scopes) = self.scope.as_deref().and_then(scopes::parse_list) else {
            return redirect(
                "invalid_scope",
                "The scope is missing or names an unknown scope.",
            );
        };
        Ok(Validated {
            client,
            redirect_uri: client.redirect_uri.clone(),
            scopes,
            challenge: challenge.to_owned(),
        })
    }
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

/// A redirect after a form POST (303) or to the client (also 303: the browser must GET it),
/// never cached because it may carry a code.
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn cookie_path(dc: &DataCenter) -> String {
    if dc.base_path().is_empty() {
        "/".to_owned()
    } else {
        dc.base_path().to_owned()
    }
}

pub(crate) fn cookie(dc: &DataCenter, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path(cookie_path(dc))
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

/// The signed-in user of this browser, if its session cookie names a live session.
pub(crate) fn session_user(dc: &DataCenter, jar: &CookieJar) -> Option<String> {
    let id = jar.get(SESSION_COOKIE)?.value().to_owned();
    let world = dc.world();
    let now = world.clock.now();
    world.oauth.session_user(&id, now).map(str::to_owned)
}

/// Whether `next` (relative to the base path) is a page the sign-in form may return to:
/// only the authorize page, so the form cannot be turned into an open redirect.
pub(crate) fn safe_next(next: &str) -> bool {
    (next == AUTHORIZE_PATH
        || next == ACCOUNT_PATH
        || next.starts_with(&format!("{AUTHORIZE_PATH}?")))
        && next.len() <= MAX_QUERY + AUTHORIZE_PATH.len() + 1
        && !next.contains(['\r', '\n', '#', '\\'])
}

pub(crate) fn query_too_long(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.len() > MAX_QUERY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_the_authorize_page() {
        assert!(safe_next("/rest/oauth2/latest/authorize?client_id=x"));
        assert!(!safe_next("/rest/oauth2/latest/authorizex"));
        assert!(!safe_next("//evil.example/rest/oauth2/latest/authorize"));
        assert!(!safe_next("https://evil.example/"));
        assert!(!safe_next(
            "/rest/oauth2/latest/authorize?\r\nSet-Cookie: x"
        ));
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let pairs = vec![
            ("state".to_owned(), "a".to_owned()),
            ("state".to_owned(), "b".to_owned()),
        ];
        assert!(AuthorizeRequest::from_pairs(&pairs).is_err());
    }
}
