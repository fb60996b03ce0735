//! The session cookie: its id, read from a request and written on a response.
//!
//! `__Host-` with `Secure`, `Path=/` and no `Domain`: the browser keeps it for this origin only
//! and no subdomain can plant one. `HttpOnly` keeps it from scripts, `SameSite=Lax` from
//! cross-site subrequests (SECURITY.md, rule 12).

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub const COOKIE_NAME: &str = "__Host-studio_session";
/// 128 random bits, base64url without padding.
const ID_BYTES: usize = 16;
const ID_CHARS: usize = 22;

/// A session id as the cookie carries it: a random bearer secret. The table keeps only its
/// hash ([`SessionId::hash`]), so a copy of the database hands out no live session.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(…)")
    }
}

impl SessionId {
    pub fn generate() -> Self {
        Self(crate::random::token(ID_BYTES))
    }

    /// An id in the exact form [`SessionId::generate`] makes, or nothing: anything else in the
    /// cookie is ignored without a database read.
    pub fn parse(value: &str) -> Option<Self> {
        let decodes = value.len() == ID_CHARS
            && URL_SAFE_NO_PAD
                .decode(value)
                .is_ok_and(|bytes| bytes.len() == ID_BYTES);
        decodes.then(|| Self(value.to_owned()))
    }

    /// What the table keys the session by (a plain hash suffices: the id is random and long,
    /// nothing can be guessed to match it).
    pub fn hash(&self) -> String {
        crate::random::digest(&self.0)
    }
}

/// The session id the request presents, if any is well-formed.
pub fn presented(headers: &HeaderMap) -> Option<SessionId> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('='))
        .find_map(SessionId::parse)
}

/// `Set-Cookie` for a session that lasts `max_age_seconds` from now.
pub fn set(id: &SessionId, max_age_seconds: i64) -> HeaderValue {
    let value = format!(
        "{COOKIE_NAME}={}; Path=/; Max-Age={max_age_seconds}; HttpOnly; Secure; SameSite=Lax",
        id.0
    );
    HeaderValue::try_from(value).expect("a base64url id makes a valid header")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-studio_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookies: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            headers.append(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        headers
    }

    #[test]
    fn only_a_well_formed_id_is_read() {
        let id = SessionId::generate();
        let line = format!("theme=dark; {COOKIE_NAME}={}; other=1", id.0);
        assert_eq!(presented(&headers(&[&line])), Some(id.clone()));
        assert_eq!(
            presented(&headers(&["a=b", &format!("{COOKIE_NAME}={}", id.0)])),
            Some(id)
        );
        for bad in [
            "",
            "x",
            "!!!!!!!!!!!!!!!!!!!!!!",
            "AAAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAA=",
        ] {
            let line = format!("{COOKIE_NAME}={bad}");
            assert_eq!(presented(&headers(&[&line])), None, "{bad:?}");
        }
        assert_eq!(
            presented(&headers(&["__Host-studio_sessionX=AAAAAAAAAAAAAAAAAAAAAA"])),
            None
        );
        assert_eq!(presented(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_is_host_only_secure_httponly_lax() {
        let id = SessionId::generate();
        let set = set(&id, 604_800);
        let set = set.to_str().unwrap();
        assert!(set.starts_with(&format!("{COOKIE_NAME}={}; ", id.0)));
        for attribute in [
            "Path=/",
            "Max-Age=604800",
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
        ] {
            assert!(set.contains(attribute), "{set}");
        }
        assert!(!set.to_ascii_lowercase().contains("domain"));
        assert!(clear().to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn ids_are_random_and_their_hashes_differ() {
        let (a, b) = (SessionId::generate(), SessionId::generate());
        assert_ne!(a, b);
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash().len(), 64);
        assert_eq!(format!("{a:?}"), "SessionId(…)", "never logged");
    }
}
