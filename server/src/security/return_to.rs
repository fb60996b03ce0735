//! `return_to` on the server: every redirect back into the app goes through
//! [`app_redirect`], which applies the contract's one rule ([`api::return_to`]) to the final
//! target, after any query parameter was added, so no code path can redirect elsewhere.

use axum::response::{IntoResponse, Redirect, Response};

/// 303 See Other to `to` when it is a same-origin path in normal form, else to `fallback`
/// (which must be one). The browser follows with GET and never re-posts.
pub fn app_redirect(to: &str, fallback: &str) -> Response {
    debug_assert!(api::return_to::is_safe(fallback), "{fallback}");
    let target = api::return_to::or_default(Some(to), fallback);
    if target != to {
        tracing::warn!("a redirect target was refused and replaced by the default");
    }
    Redirect::to(target).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::return_to::{is_safe, with_query_param};
    use proptest::prelude::*;
    use url::{Position, Url};

    /// Pieces that browsers treat specially, so that random joins of them reach the corners.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "/",
            "//",
            ".",
            "..",
            "%2e",
            "%2E",
            "%2f",
            "%5c",
            "%5C",
            "\\",
            "a",
            "b.c",
            "?",
            "#",
            "&",
            "=",
            "%",
            "%0a",
            "%00",
            "%41",
            ":",
            "@",
            "\t",
            "\n",
            " ",
            "'",
            "é",
            "evil.example",
            "http:",
            "~",
            "+",
        ])
    }

    fn candidate() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 1..12).prop_map(|pieces| pieces.concat())
    }

    /// What a browser does with `candidate` on `origin`: the WHATWG URL parser's result.
    fn resolved(origin: &Url, candidate: &str) -> Option<Url> {
        origin.join(candidate).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The rule's promise: whatever it accepts, a browser resolves to that very path on
        /// the studio's origin, unchanged (so no normalisation can move it elsewhere).
        #[test]
        fn accepted_paths_resolve_to_themselves(candidate in candidate()) {
            let origin = Url::parse("https://studio.example/projects/new").unwrap();
            if is_safe(&candidate) {
                let url = resolved(&origin, &candidate).expect("resolves");
                prop_assert_eq!(url.origin(), origin.origin());
                prop_assert_eq!(&url[Position::BeforePath..], candidate.as_str());
            }
        }

        /// Adding the callback's `oauth_error` keeps an accepted path accepted.
        #[test]
        fn added_parameters_keep_paths_safe(candidate in candidate(), value in candidate()) {
            if is_safe(&candidate) {
                let with = with_query_param(&candidate, "oauth_error", &value);
                prop_assert!(is_safe(&with), "{}", with);
            }
        }
    }

    #[test]
    fn refused_targets_fall_back() {
        for (to, expected) in [
            ("/.//evil.example?oauth_error=access_denied", "/projects"),
            ("/a/b?c=1", "/a/b?c=1"),
        ] {
            let response = app_redirect(to, "/projects");
            assert_eq!(response.status(), 303);
            assert_eq!(response.headers()["location"], expected);
        }
    }
}
