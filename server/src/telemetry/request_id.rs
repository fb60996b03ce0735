//! A request id on every request: taken from the proxy in front (`X-Request-Id`, when it is a
//! plain token) or made here, returned in the response's `X-Request-Id`, carried by every log
//! line of the request, and sent on each Bitbucket call the request makes, so one id follows
//! a click from the load balancer to Bitbucket and back.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
/// The longest id taken from a request; a longer one is replaced.
const MAX_LEN: usize = 64;

tokio::task_local! {
    static CURRENT: RequestId;
}

/// One request's id: `[A-Za-z0-9._:-]{1,64}`, safe in a header, a log line and a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// A new id, unique across instances: this process's random prefix and a counter (no
    /// system call and no lock per request).
    pub fn new() -> Self {
        static PREFIX: OnceLock<u32> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let prefix = *PREFIX.get_or_init(rand::random);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let id = format!("{prefix:08x}-{n:010x}");
        Self(HeaderValue::from_str(&id).expect("hex digits are a valid header"))
    }

    /// The id a proxy sent, when it is a plain token; anything else is not trusted.
    pub fn from_header(value: &HeaderValue) -> Option<Self> {
        let bytes = value.as_bytes();
        let plain = !bytes.is_empty()
            && bytes.len() <= MAX_LEN
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        plain.then(|| Self(value.clone()))
    }

    pub fn as_str(&self) -> &str {
        self.0.to_str().expect("checked to be ASCII")
    }

    pub fn header_value(&self) -> &HeaderValue {
        &self.0
    }

    /// The id of the request being handled on this task, if any.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }
}

impl Default for RequestId {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware (the outermost layer): gives the request its id, in its headers (where the
/// request span reads it), in the task (for Bitbucket calls) and in the response.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(RequestId::from_header)
        .unwrap_or_default();
    request
        .headers_mut()
        .insert(HEADER, id.header_value().clone());
    let mut response = CURRENT.scope(id.clone(), next.run(request)).await;
    response.headers_mut().insert(HEADER, id.0);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_ids_are_unique_plain_tokens() {
        let a = RequestId::new();
        let b = RequestId::new();
        assert_ne!(a, b);
        assert!(RequestId::from_header(a.header_value()).is_some());
    }

    proptest::proptest! {
        /// Whatever a client sends (any bytes a header may hold, up to 200), the id is taken
        /// exactly when it is 1–64 of `[A-Za-z0-9._:-]`, and then unchanged.
        #[test]
        fn any_header_is_taken_exactly_when_plain(bytes in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(b"aZ09._:-".to_vec()),
                0x20u8..=0xff,
            ],
            0..200,
        )) {
            let bytes: Vec<u8> = bytes.into_iter().filter(|b| *b != 0x7f).collect();
            let Ok(value) = HeaderValue::from_bytes(&bytes) else { return Ok(()) };
            let plain = (1..=MAX_LEN).contains(&bytes.len())
                && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b".:_-".contains(b));
            let taken = RequestId::from_header(&value);
            proptest::prop_assert_eq!(taken.is_some(), plain);
            if let Some(id) = taken {
                proptest::prop_assert_eq!(id.as_str().as_bytes(), &bytes[..]);
            }
        }
    }

    #[test]
    fn only_plain_tokens_are_taken_from_a_request() {
        let take = |s: &str| RequestId::from_header(&HeaderValue::from_str(s).unwrap());
        assert!(take("lb-7f3a.42:9").is_some());
        for refused in ["", "a b", "a\"b", "{x}", "é", &"x".repeat(65)] {
            let value = HeaderValue::from_bytes(refused.as_bytes());
            if let Ok(value) = value {
                assert!(RequestId::from_header(&value).is_none(), "{refused:?}");
            }
        }
    }
}
