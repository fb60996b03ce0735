//! The client's address, for limits counted per client (sign-ups).
//!
//! By default the connection's peer. Behind a reverse proxy every connection comes from the
//! proxy, so `CLIENT_IP_HEADER` names the header it writes; for `X-Forwarded-For` the *last*
//! entry is taken, the one the proxy itself appended (earlier entries come from the client and
//! are whatever it claims). Only the digest of the address is ever stored.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
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
        let from_header = state
            .accounts
            .client_ip_header
            .as_deref()
            .and_then(|name| parts.headers.get(name))
            .and_then(|value| value.to_str().ok())
            .and_then(last_address);
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

/// The last address of a comma-separated list, when it parses as one.
fn last_address(value: &str) -> Option<IpAddr> {
    value.rsplit(',').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxys_own_entry_counts() {
        assert_eq!(
            last_address("6.6.6.6, 203.0.113.9"),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(last_address("nonsense"), None);
        assert_eq!(last_address("::1"), Some("::1".parse().unwrap()));
    }
}
