//! Security headers on every response, and `no-store` on everything that carries user data.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// `connect-src` gains the live-reload WebSocket under `cargo leptos watch`.
pub fn content_security_policy(live_reload_port: Option<u16>) -> HeaderValue {
    let connect = match live_reload_port {
        Some(port) => format!("connect-src 'self' ws://127.0.0.1:{port} ws://localhost:{port}; "),
        None => String::new(),
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; {connect}img-src 'self' data: https:; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII")
}

/// `hsts`: the studio is served over https (`PUBLIC_URL`), so browsers are told to use https
/// only, for a year, subdomains included.
pub async fn security_headers(
    csp: HeaderValue,
    hsts: bool,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // No page of the studio needs to tell other sites where the user came from, and OAuth
    // URLs carry codes and state that must never leak through a Referer.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if path.starts_with("/api")
        || path.starts_with("/oauth")
        || path.starts_with(crate::config::SANDBOX_MOUNT)
    {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn headers_with(hsts: bool) -> axum::http::HeaderMap {
        let csp = content_security_policy(None);
        let app =
            Router::new()
                .route("/", get(|| async { "ok" }))
                .layer(axum::middleware::from_fn(move |request, next| {
                    security_headers(csp.clone(), hsts, request, next)
                }));
        let request = Request::builder().uri("/").body(Body::empty()).unwrap();
        app.oneshot(request).await.unwrap().headers().clone()
    }

    #[tokio::test]
    async fn strict_transport_security_only_over_https() {
        let https = headers_with(true).await;
        assert_eq!(
            https[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains"
        );
        // Over plain http (localhost development) the header would be ignored at best, and
        // would pin a shared hostname to https at worst.
        assert!(!headers_with(false)
            .await
            .contains_key(header::STRICT_TRANSPORT_SECURITY));
    }
}
