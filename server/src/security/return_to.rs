//! `return_to`: where the browser goes after sign-in or an OAuth round trip.
//!
//! Only a same-origin, absolute path is accepted (DESIGN §4.5). Browsers treat `//host`,
//! `/\host` and `\\host` as other origins, and some decode `%2F`/`%5C` before deciding, so
//! those are refused in raw and decoded form, as are schemes and control characters.

use percent_encoding::percent_decode_str;

const MAX_LEN: usize = 2048;

/// The path itself when it is a safe same-origin target, otherwise `None`.
pub fn safe_return_to(candidate: &str) -> Option<&str> {
    if candidate.len() > MAX_LEN || !candidate.starts_with('/') {
        return None;
    }
    let decoded = percent_decode_str(candidate).decode_utf8_lossy();
    let suspicious = |s: &str| {
        s.starts_with("//")
            || s.starts_with("/\\")
            || s.contains('\\')
            || s.chars().any(|c| c.is_control())
            || s.split(['?', '#'])
                .next()
                .is_some_and(|path| path.contains(':') && path.contains("//"))
    };
    if suspicious(candidate) || suspicious(&decoded) {
        return None;
    }
    Some(candidate)
}

/// Appends `key=value` to a validated same-origin path, keeping its query and fragment order.
pub fn with_query_param(path: &str, key: &str, value: &str) -> String {
    let base = url::Url::parse("http://studio.invalid").expect("a valid base");
    let mut url = base.join(path).unwrap_or(base);
    url.query_pairs_mut().append_pair(key, value);
    let mut out = url.path().to_owned();
    if let Some(query) = url.query() {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = url.fragment() {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_same_origin_paths() {
        for ok in [
            "/",
            "/projects/new/advanced/bitbucket/repository",
            "/projects?x=1&y=a%20b",
            "/a#frag",
        ] {
            assert_eq!(safe_return_to(ok), Some(ok));
        }
    }

    #[test]
    fn refuses_open_redirect_payloads() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "/%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%2f%5cevil",
            "evil.example",
            "",
            "/a\nb",
            "/a%0d%0aSet-Cookie:x",
            "/redirect?to=x\\y",
        ] {
            assert_eq!(safe_return_to(bad), None, "{bad:?} must be refused");
        }
        assert_eq!(safe_return_to(&format!("/{}", "a".repeat(3000))), None);
    }

    #[test]
    fn adds_a_query_parameter() {
        assert_eq!(
            with_query_param("/p", "oauth_error", "access_denied"),
            "/p?oauth_error=access_denied"
        );
        assert_eq!(with_query_param("/p?a=1", "k", "v w"), "/p?a=1&k=v+w");
    }
}
