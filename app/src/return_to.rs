//! Where to go after signing in: the `?return_to=` value, accepted only when it is a path on
//! this origin.
//!
//! The value arrives in the URL, so anyone can craft it. A value such as `//evil.example`
//! or `/\evil.example` is read by browsers as another host, and `https://…` obviously is one:
//! following those would turn the sign-in page into an open redirect. Only plain absolute
//! paths pass; anything else falls back to the projects page.

use crate::links;

/// Where the app goes when `return_to` is absent or refused.
pub const DEFAULT: &str = links::PROJECTS;

/// True for a same-origin absolute path such as `/projects/new?x=1`.
pub fn is_safe(candidate: &str) -> bool {
    candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.starts_with("/\\")
        // Browsers treat a backslash like a slash and drop tabs and newlines from URLs, so
        // "/\t/evil.example" would become "//evil.example": refuse both outright.
        && !candidate.contains('\\')
        && !candidate.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The path to go to after signing in.
pub fn sanitize(raw: Option<&str>) -> String {
    match raw {
        Some(candidate) if is_safe(candidate) => candidate.to_owned(),
        _ => DEFAULT.to_owned(),
    }
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
