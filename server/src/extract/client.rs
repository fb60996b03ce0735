//! The client's address, for limits counted per client (sign-ups, sign-ins).
//!
//! By default the connection's peer. Behind reverse proxies every connection comes from the
//! nearest proxy, so `CLIENT_IP_HEADER` names the header they write (`X-Forwarded-For`), and
//! `CLIENT_IP_TRUSTED_HOPS` says how many of them append to it. Every line of that header is
//! read, in order, as one list (RFC 9110 §5.3: repeated lines are one comma-separated value;
//! HAProxy's `option forwardfor` adds a line of its own instead of extending the client's),
//! and the address is taken from the right: the entry the outermost trusted proxy appended,
//! which is the address that proxy saw. Whatever stands to its left came from the client and
//! is whatever it claims. A request whose header has fewer entries than trusted hops, or an
//! entry there that is not an address, did not come through those proxies as configured: it
//! counts as the peer (the proxy), so a client can never choose the address it is counted
//! under. Only the digest of the address is ever stored.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use crate::routes::AppState;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let accounts = &state.accounts;
        let from_header = accounts.client_ip_header.as_deref().and_then(|name| {
            forwarded_address(&parts.headers, name, accounts.client_ip_trusted_hops)
        });
        let peer = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
        };
        let address = from_header
            .or_else(peer)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        Ok(ClientAddress(address))
    }
}

/// The address the outermost of `hops` trusted proxies appended to header `name`: the
/// `hops`-th entry from the right across every line of the header. `None` when there is no
/// such entry, or it is not an address (then the peer counts).
fn forwarded_address(headers: &HeaderMap, name: &str, hops: usize) -> Option<IpAddr> {
    let lines = headers.get_all(name);
    // A line that is not visible ASCII cannot be read, and so neither can its entries'
    // places: the whole header is then unreadable. Checked without copying anything, and the
    // entry found from the right without collecting the list: a client can send a header of
    // hundreds of thousands of commas.
    if lines.iter().any(|line| line.to_str().is_err()) {
        return None;
    }
    let entry = lines
        .iter()
        .rev()
        .flat_map(|line| line.to_str().unwrap_or_default().rsplit(','))
        .nth(hops.max(1) - 1)?;
    address(entry.trim())
}

/// One entry: an IPv4 or IPv6 address, also as proxies write them with a port
/// (`203.0.113.9:4711`, `[2001:db8::1]:4711`).
fn address(entry: &str) -> Option<IpAddr> {
    entry
        .parse()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append("x-forwarded-for", line.parse().unwrap());
        }
        headers
    }

    fn ip(value: &str) -> Option<IpAddr> {
        Some(value.parse().unwrap())
    }

    #[test]
    fn the_proxys_own_entry_counts() {
        let read = |lines: &[&str]| forwarded_address(&headers(lines), "x-forwarded-for", 1);
        assert_eq!(read(&["6.6.6.6, 203.0.113.9"]), ip("203.0.113.9"));
        assert_eq!(read(&["nonsense"]), None);
        assert_eq!(read(&["::1"]), ip("::1"));
        assert_eq!(read(&["203.0.113.9:4711"]), ip("203.0.113.9"));
        assert_eq!(read(&["[2001:db8::1]:4711"]), ip("2001:db8::1"));
        assert_eq!(read(&[]), None);
    }

    /// HAProxy's `option forwardfor` adds its own line after the client's: reading only the
    /// first line let the client choose its address.
    #[test]
    fn every_line_is_read_and_the_last_one_counts() {
        let read = |lines: &[&str]| forwarded_address(&headers(lines), "x-forwarded-for", 1);
        assert_eq!(read(&["6.6.6.6", "203.0.113.9"]), ip("203.0.113.9"));
        assert_eq!(
            read(&["1.1.1.1, 6.6.6.6", "203.0.113.9"]),
            ip("203.0.113.9")
        );
        // The client cannot end the list with a line of its own: the proxy's comes after.
        assert_eq!(
            read(&["6.6.6.6", "7.7.7.7", "203.0.113.9"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_hops_count_from_the_right() {
        let read =
            |lines: &[&str], hops| forwarded_address(&headers(lines), "x-forwarded-for", hops);
        // client claim, real client (seen by the CDN), the CDN (seen by the load balancer)
        let lines = ["6.6.6.6, 203.0.113.9", "198.51.100.7"];
        assert_eq!(read(&lines, 2), ip("203.0.113.9"));
        assert_eq!(read(&lines, 1), ip("198.51.100.7"));
        assert_eq!(read(&lines, 3), ip("6.6.6.6"));
        // Fewer entries than trusted proxies: not through them as configured, so the peer.
        assert_eq!(read(&lines, 4), None);
        assert_eq!(read(&["203.0.113.9"], 2), None);
        // Zero is read as one: the header means nothing without a proxy that writes it.
        assert_eq!(read(&lines, 0), ip("198.51.100.7"));
    }

    #[test]
    fn an_unreadable_line_anywhere_makes_the_header_unreadable() {
        let mut headers = headers(&["203.0.113.9"]);
        headers.insert(
            "x-forwarded-for",
            axum::http::HeaderValue::from_bytes(b"6.6.6.\xff").unwrap(),
        );
        headers.append("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert_eq!(forwarded_address(&headers, "x-forwarded-for", 1), None);
    }
}
