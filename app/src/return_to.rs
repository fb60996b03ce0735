//! Where to go after signing in: the `?return_to=` value, accepted only when it is a path on
//! this origin in normal form ([`api::return_to`], the same rule the server applies to its
//! redirects).
//!
//! The value arrives in the URL, so anyone can craft it. `//evil.example`, `/\evil.example`
//! and `https://…` name other hosts, and `/.//evil.example` becomes `//evil.example` once the
//! browser normalises it: following any of those would turn the sign-in page into an open
//! redirect, and the router's history update refuses a cross-origin URL outright. Anything
//! the rule refuses falls back to the projects page.

use crate::links;

/// Where the app goes when `return_to` is absent or refused.
pub const DEFAULT: &str = links::PROJECTS;

/// True for a same-origin absolute path such as `/projects/new?x=1`.
pub fn is_safe(candidate: &str) -> bool {
    api::return_to::is_safe(candidate)
}

/// The path to go to after signing in.
pub fn sanitize(raw: Option<&str>) -> String {
    api::return_to::or_default(raw, DEFAULT).to_owned()
}

/// The current location as a `return_to` value: path plus query (the router keeps the query
/// without its leading `?`).
pub fn current(pathname: &str, search: &str) -> String {
    let search = search.trim_start_matches('?');
    if search.is_empty() {
        pathname.to_owned()
    } else {
        format!("{pathname}?{search}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_kept() {
        assert_eq!(sanitize(Some("/projects/new")), "/projects/new");
        assert_eq!(
            sanitize(Some(
                "/projects/new/advanced/bitbucket/details?workspace=a&repository=b"
            )),
            "/projects/new/advanced/bitbucket/details?workspace=a&repository=b"
        );
    }

    #[test]
    fn other_origins_are_refused() {
        for hostile in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil.example",
            "/\t/evil.example",
            "/ok\\..\\",
            "/.//evil.example/phish",
            "/%2e//evil.example",
            "/a/..//evil.example",
            "",
        ] {
            assert_eq!(sanitize(Some(hostile)), DEFAULT, "{hostile:?}");
        }
        assert_eq!(sanitize(None), DEFAULT);
    }

    #[test]
    fn current_location_includes_the_query() {
        assert_eq!(current("/projects", ""), "/projects");
        assert_eq!(current("/projects/new", "a=1"), "/projects/new?a=1");
        assert_eq!(current("/projects/new", "?a=1"), "/projects/new?a=1");
    }
}
