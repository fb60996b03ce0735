//! Security headers on every response, and `no-store` on every response that does not say
//! otherwise.
//!
//! Caching is opt-in: a page or answer written from the server's state (user data, a mailbox
//! holding sign-up links, an OAuth step) must never be kept by a browser or a proxy, and a
//! list of such paths goes stale the day a new one is added. So everything is `no-store`
//! unless its handler set `Cache-Control` itself, which only the bundles' service does
//! (content-hashed files for a year, the rest revalidated: `routes::spa`).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::http::{header, HeaderName, HeaderValue, Request, Response};
use tower::{Layer, Service};

/// The same under `site watch`: its live reload asks this server only.
pub fn content_security_policy() -> HeaderValue {
    HeaderValue::from_static(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data: https:; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    )
}

/// Adds the security headers to every response. A tower layer of its own rather than an
/// axum `from_fn` middleware: it runs on every request, and a `from_fn` boxes a future and
/// clones the inner service each time (measured: about 4% of `/api/me`'s cost).
///
/// `hsts`: the studio is served over https (`PUBLIC_URL`), so browsers are told to use https
/// only, for a year, subdomains included.
#[derive(Clone, Debug)]
pub struct SecurityHeadersLayer {
    csp: HeaderValue,
    hsts: bool,
}

impl SecurityHeadersLayer {
    pub fn new(csp: HeaderValue, hsts: bool) -> Self {
        Self { csp, hsts }
    }
}

impl<S> Layer<S> for SecurityHeadersLayer {
    type Service = SecurityHeaders<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SecurityHeaders {
            inner,
            layer: self.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SecurityHeaders<S> {
    inner: S,
    layer: SecurityHeadersLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SecurityHeaders<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = WithSecurityHeaders<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        WithSecurityHeaders {
            inner: self.inner.call(request),
            csp: Some(self.layer.csp.clone()),
            hsts: self.layer.hsts,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's response, with the headers added.
    pub struct WithSecurityHeaders<F> {
        #[pin]
        inner: F,
        csp: Option<HeaderValue>,
        hsts: bool,
    }
}

impl<F, ResBody, E> Future for WithSecurityHeaders<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        let headers = response.headers_mut();
        if let Some(csp) = this.csp.take() {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        if *this.hsts {
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
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn headers_with(hsts: bool) -> axum::http::HeaderMap {
        let csp = content_security_policy();
        let app = Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(SecurityHeadersLayer::new(csp, hsts));
        let request = Request::builder().uri("/").body(Body::empty()).unwrap();
        app.oneshot(request).await.unwrap().headers().clone()
    }

    #[tokio::test]
    async fn nothing_is_cacheable_unless_its_handler_says_so() {
        let csp = content_security_policy();
        let app = Router::new()
            .route("/any/new/page", get(|| async { "user data" }))
            .route(
                "/pkg/studio-0123abcd.wasm",
                get(|| async {
                    (
                        [(header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
                        "bytes",
                    )
                }),
            )
            .layer(SecurityHeadersLayer::new(csp, false));
        let cache_control = |path: &'static str| {
            let app = app.clone();
            async move {
                let request = Request::builder().uri(path).body(Body::empty()).unwrap();
                let response = app.oneshot(request).await.unwrap();
                response.headers()[header::CACHE_CONTROL].clone()
            }
        };
        assert_eq!(cache_control("/any/new/page").await, "no-store");
        assert_eq!(cache_control("/no/such/route").await, "no-store");
        assert_eq!(
            cache_control("/pkg/studio-0123abcd.wasm").await,
            "public, max-age=31536000, immutable"
        );
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
