//! Shared HTML plumbing for the sandbox's pages.
//!
//! The studio's end-to-end tests drive these pages with role-based locators
//! and run accessibility checks on them, so every page has a language, a
//! title, landmarks, exactly one `h1`, labelled controls, and no inline script
//! or style (the server's CSP may apply to them when nested). Every
//! interpolated value goes through [`esc`].

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::Sandbox;

/// Escapes text for element content and double-quoted attributes alike.
pub(crate) fn esc(s: &str) -> Cow<'_, str> {
    html_escape::encode_quoted_attribute(s)
}

pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        r#"<input type="hidden" name="{}" value="{}">"#,
        esc(name),
        esc(value)
    )
}

pub(crate) fn page(sb: &Sandbox, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Bitbucket (sandbox)</title>
<link rel="stylesheet" href="{base}/_static/sandbox.css">
</head>
<body>
<header class="banner"><p class="brand">Bitbucket <span class="tag">sandbox</span></p></header>
<main>
{body}
</main>
</body>
</html>
"#,
        title = esc(title),
        base = esc(sb.base_path()),
    )
}

/// An HTML response with the headers Bitbucket's own pages carry: never
/// cached (they embed one-time tokens), never framed (clickjacking on a
/// consent page is the classic attack), and no Referer leaking the authorize
/// query.
pub(crate) fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

pub(crate) fn error_page(sb: &Sandbox, status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        r#"<h1>{}</h1>
<p class="error">{}</p>"#,
        esc(title),
        esc(message)
    );
    html_response(status, page(sb, title, &body))
}

/// The body of each sandbox's stand-in for its provider's page for opening a pull request,
/// where the studio's "Open a pull request" link lands: a heading, the repository's full
/// name, and the two branches as labelled read-only fields ("Source branch": the branch
/// with the changes; "Destination branch": where they would go), the same on every
/// provider so a browser test reads one shape. Nothing is created from it.
pub(crate) fn pull_request_page(
    heading: &str,
    provider: &str,
    full_name: &str,
    source: &str,
    destination: &str,
) -> String {
    format!(
        r#"<h1>{heading}</h1>
<p class="note">This page is the {provider} sandbox's stand-in for {provider}'s own: it shows what the link asked for and creates nothing.</p>
<p>Repository: <strong class="repository">{full_name}</strong></p>
<p><label for="source-branch">Source branch</label><br>
<input type="text" id="source-branch" name="source" value="{source}" readonly></p>
<p><label for="destination-branch">Destination branch</label><br>
<input type="text" id="destination-branch" name="destination" value="{destination}" readonly></p>"#,
        heading = esc(heading),
        provider = esc(provider),
        full_name = esc(full_name),
        source = esc(source),
        destination = esc(destination),
    )
}

pub(crate) const STYLESHEET: &str = r#"
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #172b4d; background: #f4f5f7; line-height: 1.5; }
.banner { background: #0747a6; color: #fff; padding: 0.5rem 1.5rem; }
.brand { margin: 0; font-weight: 700; }
.tag { font-weight: 400; background: #fff; color: #0747a6; border-radius: 3px; padding: 0 0.4rem; margin-left: 0.3rem; }
main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 4px; box-shadow: 0 1px 2px rgba(9, 30, 66, 0.25); }
h1 { font-size: 1.5rem; margin-top: 0; }
h2 { font-size: 1.1rem; }
ul.plain { list-style: none; padding: 0; }
ul.plain li { margin: 0.5rem 0; }
button { font: inherit; padding: 0.4rem 1rem; border-radius: 3px; border: 1px solid #0052cc; background: #fff; color: #0052cc; cursor: pointer; }
button.primary { background: #0052cc; color: #fff; }
button:focus-visible, a:focus-visible { outline: 2px solid #4c9aff; outline-offset: 2px; }
.actions { display: flex; gap: 0.75rem; margin-top: 1.5rem; }
.signed-in { display: flex; align-items: center; gap: 0.75rem; }
.error { color: #bf2600; }
code { background: #f4f5f7; padding: 0 0.25rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.4rem; border-bottom: 1px solid #dfe1e6; }
"#;
