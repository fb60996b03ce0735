//! `return_to`: where the browser goes after signing in or after an OAuth round trip. One rule,
//! used by the server (before every redirect the OAuth routes make) and by the app (before
//! every navigation after sign-in), so the two cannot disagree.
//!
//! The value arrives in a URL anyone can craft, and browsers *normalise* a path before they
//! follow it: `/./` and `/x/../` segments are removed, `%2e` counts as a dot, `\` as `/`, tabs
//! and newlines are dropped. So a path that looks local can become `//evil.example` (another
//! origin) once normalised: `/.//evil.example` does, and so does `/a/..//evil.example`.
//! Instead of listing such payloads, the rule accepts only paths that are **already in their
//! normal form**, written with a small set of characters, so that no browser changes them:
//!
//! - an absolute path: starts with one `/`, never `//`;
//! - only RFC 3986 unreserved characters, sub-delimiters (but `'`), `:`, `@`, `/`, `?`, `#` and
//!   well-formed `%XX` escapes; nothing else (no `\`, whitespace, controls or non-ASCII);
//! - in the path part (before `?` or `#`): no empty segment (no `//` anywhere), no `.` or `..`
//!   segment, and no escape of `/`, `\`, `.` or a control character;
//! - at most [`MAX_BYTES`] long.
//!
//! Whatever passes resolves, against any origin, to itself on that origin; the server's
//! property test and the `return_to` fuzz target hold the rule to that with a WHATWG URL
//! parser.

/// Longest `return_to` accepted.
pub const MAX_BYTES: usize = 2048;

/// The candidate itself when it is a same-origin path in normal form, otherwise `None`.
pub fn safe_return_to(candidate: &str) -> Option<&str> {
    is_safe(candidate).then_some(candidate)
}

/// True when [`safe_return_to`] accepts `candidate`.
pub fn is_safe(candidate: &str) -> bool {
    let bytes = candidate.as_bytes();
    if bytes.len() > MAX_BYTES || bytes.first() != Some(&b'/') || bytes.get(1) == Some(&b'/') {
        return false;
    }
    if !bytes.iter().all(|&b| allowed(b)) || !escapes_are_well_formed(bytes) {
        return false;
    }
    let path_end = candidate.find(['?', '#']).unwrap_or(candidate.len());
    let path = &candidate[..path_end];
    path_is_normal(path)
}

fn allowed(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
                | b'?'
                | b'#'
                | b'%'
        )
}

fn escapes_are_well_formed(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_hexdigit);
            if !hex(i + 1) || !hex(i + 2) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// `path` starts with `/` (checked by the caller).
fn path_is_normal(path: &str) -> bool {
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    segments.iter().enumerate().all(|(i, segment)| {
        // "/" and "/a/" end in an empty segment, which is fine; "/a//b" has one inside.
        (!segment.is_empty() || i == last)
            && *segment != "."
            && *segment != ".."
            && !has_dangerous_escape(segment)
    })
}

/// An escaped `/`, `\`, `.` or control character in a path segment: some browsers and
/// servers decode these before routing, which would reopen what the segment rule closed.
fn has_dangerous_escape(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && segment
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .is_some_and(|decoded| {
                    matches!(decoded, b'/' | b'\\' | b'.') || decoded < 0x20 || decoded == 0x7f
                })
    })
}

/// `candidate` when safe, else `fallback`: the one place a redirect target is chosen.
pub fn or_default<'a>(candidate: Option<&'a str>, fallback: &'a str) -> &'a str {
    candidate.and_then(safe_return_to).unwrap_or(fallback)
}

/// Adds `key=value` to the query of a same-origin path, before its fragment. Key and value
/// are percent-encoded, so the result is as safe as `path` was.
pub fn with_query_param(path: &str, key: &str, value: &str) -> String {
    let (before_fragment, fragment) = match path.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (path, None),
    };
    let separator = match before_fragment.split_once('?') {
        None => "?",
        Some((_, "")) => "",
        Some((_, query)) if query.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = format!(
        "{before_fragment}{separator}{}={}",
        crate::paths::encode_query_value(key),
        crate::paths::encode_query_value(value)
    );
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_same_origin_paths_in_normal_form() {
        for ok in [
            "/",
            "/projects/new/advanced/bitbucket/repository",
            "/projects?x=1&y=a%20b",
            "/a#frag",
            "/a/",
            "/a/b.c/d..e/...",
            "/oauth/bitbucket/start?return_to=%2F%2Fevil",
            "/p?next=//x/../y#/./z",
            "/user@host:1",
        ] {
            assert_eq!(safe_return_to(ok), Some(ok), "{ok:?}");
        }
    }

    #[test]
    fn refuses_everything_a_browser_would_rewrite_or_send_elsewhere() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            // Dot segments: each of these normalises to //evil.example.
            "/.//evil.example",
            "/%2e//evil.example",
            "/%2E//evil.example",
            "/..//evil.example",
            "/a/..//evil.example",
            "/a/../b",
            "/a/./b",
            "/.",
            "/..",
            "/a/.",
            "/a/..?x",
            // Encoded separators and dots in the path.
            "/%2F%2Fevil.example",
            "/%2f%5cevil",
            "/%5Cevil.example",
            "/a%2fb",
            "/%2e%2e/x",
            // Empty segments, whitespace, controls, non-ASCII, stray characters.
            "/a//b",
            "/a\nb",
            "/\t/evil.example",
            "/a%0d%0aSet-Cookie:x",
            "/a b",
            "/caf\u{e9}",
            "/redirect?to=x\\y",
            "/a\"b",
            "/a<b>",
            "/a'b",
            "/a%",
            "/a%zz",
            "/a%4",
        ] {
            assert_eq!(safe_return_to(bad), None, "{bad:?} must be refused");
        }
        assert_eq!(safe_return_to(&format!("/{}", "a".repeat(MAX_BYTES))), None);
    }

    #[test]
    fn adds_a_query_parameter_that_stays_safe() {
        assert_eq!(
            with_query_param("/p", "oauth_error", "access_denied"),
            "/p?oauth_error=access_denied"
        );
        assert_eq!(with_query_param("/p?a=1", "k", "v w"), "/p?a=1&k=v%20w");
        assert_eq!(with_query_param("/p?", "k", "v"), "/p?k=v");
        assert_eq!(with_query_param("/p?a=1#f", "k", "v"), "/p?a=1&k=v#f");
        let nested = with_query_param("/oauth/bitbucket/start", "return_to", "/a?b=1#c");
        assert!(is_safe(&nested), "{nested}");
    }

    #[test]
    fn falls_back_when_refused() {
        assert_eq!(
            or_default(Some("/.//evil.example"), "/projects"),
            "/projects"
        );
        assert_eq!(or_default(None, "/projects"), "/projects");
        assert_eq!(or_default(Some("/a"), "/projects"), "/a");
    }
}
