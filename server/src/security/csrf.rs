//! CSRF defence for state-changing `/api` calls (SECURITY.md, rule 17).
//!
//! The session cookie is `SameSite=Lax`, which already keeps it off cross-site POSTs; this gate
//! adds the checks that do not depend on browser cookie policy:
//! - `Sec-Fetch-Site` must be `same-origin` when the browser sends it (all current ones do);
//!   otherwise an `Origin` header must name this server's public origin.
//! - The body must be declared `application/json`, which a cross-site HTML form cannot send
//!   without a CORS preflight that this server never approves.
//!
//! Requests carrying neither header come from non-browser clients, which hold no victim's
//! cookies, so they pass.

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct Origin(pub String);

pub async fn require_same_origin(
    State(origin): State<Origin>,
    request: Request,
    next: Next,
) -> Response {
    if is_state_changing(request.method()) && request.uri().path().starts_with("/api") {
        if let Err(why) = check(&request, &origin.0) {
            tracing::warn!(
                path = request.uri().path(),
                why,
                "refused a cross-site or malformed request"
            );
            return AppError::Forbidden(
                "The request was refused because it did not come from the studio's own pages. Reload the page and try again.",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// The methods the studio's routes change state with. No route takes any other method
/// (TRACE, QUERY, a made-up one), so those reach the router and get its 405 JSON answer, like
/// any method an address does not take, instead of a misleading "cross-site" refusal.
fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

fn check(request: &Request, origin: &str) -> Result<(), &'static str> {
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    match (text("sec-fetch-site"), text(header::ORIGIN.as_str())) {
        (Some("same-origin"), _) => {}
        (Some(_), _) => return Err("Sec-Fetch-Site is not same-origin"),
        (None, Some(sent)) if sent != origin => return Err("Origin is not this server"),
        _ => {}
    }
    let json = text(header::CONTENT_TYPE.as_str())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err("the body is not declared as application/json");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(Method::POST).uri("/api/projects");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    const ORIGIN: &str = "http://127.0.0.1:3000";

    #[test]
    fn same_origin_json_passes() {
        assert!(check(
            &request(&[
                ("sec-fetch-site", "same-origin"),
                ("content-type", "application/json")
            ]),
            ORIGIN
        )
        .is_ok());
        assert!(check(
            &request(&[
                ("origin", ORIGIN),
                ("content-type", "application/json; charset=utf-8")
            ]),
            ORIGIN
        )
        .is_ok());
    }

    #[test]
    fn cross_site_or_form_posts_are_refused() {
        assert!(check(
            &request(&[
                ("sec-fetch-site", "cross-site"),
                ("content-type", "application/json")
            ]),
            ORIGIN
        )
        .is_err());
        assert!(check(
            &request(&[
                ("sec-fetch-site", "same-site"),
                ("content-type", "application/json")
            ]),
            ORIGIN
        )
        .is_err());
        assert!(check(
            &request(&[
                ("origin", "https://evil.example"),
                ("content-type", "application/json")
            ]),
            ORIGIN
        )
        .is_err());
        assert!(check(
            &request(&[
                ("sec-fetch-site", "same-origin"),
                ("content-type", "text/plain")
            ]),
            ORIGIN
        )
        .is_err());
        assert!(check(
            &request(&[
                ("sec-fetch-site", "same-origin"),
                ("content-type", "application/x-www-form-urlencoded")
            ]),
            ORIGIN
        )
        .is_err());
    }
}
