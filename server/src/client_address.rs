//! [`ClientAddress`]: the address of the client a request came from, computed once per request
//! by [`record_client_address`] (a middleware) and read by handlers through its extractor.
//!
//! It is the TCP peer, unless the peer lies inside one of the `--trusted-proxy` networks: only
//! then is `X-Forwarded-For` read, all of its lines as one list, from the right (the hop
//! nearest to this server), skipping addresses that are themselves trusted proxies; the first
//! untrusted address is the client. Everything left of it was written by the client or by
//! hops nobody vouches for, so it is never looked at: a client cannot choose its own address
//! by sending the header. If every hop is trusted, the leftmost is the client.
//!
//! An element that is not an address (`unknown`, an obfuscated name, garbage, an empty
//! element) stops the walk, and the last good address is the client: the hop that appended the
//! bad element is trusted, so its own view (the address it was reached from) is the best
//! anyone vouches for. Besides a bare address, `203.0.113.7:4711`, `[2001:db8::7]` and
//! `[2001:db8::7]:4711` are read as their address, because some proxies (Azure's Application
//! Gateway among them) append the client's port; the forms are unambiguous. IPv4-mapped IPv6
//! addresses (`::ffff:10.0.0.5`, what a dual-stack listener reports for an IPv4 peer) are
//! compared and reported as the IPv4 address they carry.
//!
//! Owns: that walk, and the request extension that carries its answer. Must not: read
//! `Forwarded` (RFC 7239) or `X-Real-IP` (one header, one rule), log any header, or read
//! the header when no proxy is trusted.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;

use crate::error::ApiError;

/// The header the walk reads.
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client a request came from, as the walk above decided; in the request's extensions
/// from [`record_client_address`] on, and an extractor for handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`); empty, the
/// header is ignored.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(networks: &[IpNet]) -> TrustedProxies {
        TrustedProxies(networks.into())
    }

    fn contain(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client's address for a connection from `peer` carrying these `X-Forwarded-For`
    /// lines, in the order they arrived.
    pub fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl DoubleEndedIterator<Item = &'a HeaderValue>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contain(peer) {
            return peer;
        }
        let mut nearest_trusted = peer;
        for line in forwarded_for.rev() {
            let Ok(line) = line.to_str() else {
                return nearest_trusted;
            };
            for element in line.rsplit(',') {
                let Some(hop) = hop_address(element) else {
                    return nearest_trusted;
                };
                if !self.contain(hop) {
                    return hop;
                }
                nearest_trusted = hop;
            }
        }
        nearest_trusted
    }
}

/// One element of the list as an address: bare, `v4:port`, `[v6]` or `[v6]:port`.
fn hop_address(element: &str) -> Option<IpAddr> {
    let element = element.trim();
    let address = element
        .parse::<IpAddr>()
        .or_else(|_| element.parse::<SocketAddr>().map(|socket| socket.ip()))
        .or_else(|_| {
            element
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .ok_or(())
                .and_then(|inner| inner.parse::<std::net::Ipv6Addr>().map_err(|_| ()))
                .map(IpAddr::V6)
        })
        .ok()?;
    Some(address.to_canonical())
}

/// Computes the request's [`ClientAddress`] once and puts it in the request's extensions, for
/// the log line's span, the rate limits and the audit events. Outermost of the layers, so
/// that every other one can read it.
pub async fn record_client_address(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        // The server always serves with connect info; a router served without it is a bug.
        tracing::error!("a request without its connection's address");
        return ApiError::Internal.into_response();
    };
    let client =
        trusted.client_address(peer.ip(), request.headers().get_all(X_FORWARDED_FOR).iter());
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<ClientAddress>()
            .copied()
            .ok_or_else(|| {
                tracing::error!("the client address middleware is not installed");
                ApiError::Internal
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn proxies(networks: &[&str]) -> TrustedProxies {
        let networks: Vec<IpNet> = networks.iter().map(|text| text.parse().unwrap()).collect();
        TrustedProxies::new(&networks)
    }

    fn walk(trusted: &TrustedProxies, peer: &str, lines: &[&str]) -> String {
        let lines: Vec<HeaderValue> = lines
            .iter()
            .map(|line| HeaderValue::from_str(line).unwrap())
            .collect();
        trusted
            .client_address(peer.parse().unwrap(), lines.iter())
            .to_string()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(walk(&none, "127.0.0.1", &["203.0.113.7"]), "127.0.0.1");
        assert_eq!(walk(&none, "10.0.0.5", &[]), "10.0.0.5");
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let trusted = proxies(&["10.0.0.0/24"]);
        assert_eq!(
            walk(&trusted, "198.51.100.1", &["203.0.113.7"]),
            "198.51.100.1"
        );
    }

    #[test]
    fn the_walk_goes_from_the_right_and_skips_trusted_hops() {
        let trusted = proxies(&["10.0.0.0/24", "127.0.0.1/32"]);
        let cases: &[(&[&str], &str)] = &[
            (&["203.0.113.7"], "203.0.113.7"),
            (&["203.0.113.7, 127.0.0.1"], "203.0.113.7"),
            (&["203.0.113.7, 10.0.0.9, 10.0.0.3"], "203.0.113.7"),
            // A spoofed element left of the real client is never read.
            (&["1.2.3.4, 203.0.113.7"], "203.0.113.7"),
            (&["1.2.3.4", "203.0.113.7, 10.0.0.3"], "203.0.113.7"),
            // Two header lines are one list, the later line nearer to this server.
            (&["203.0.113.7", "10.0.0.3"], "203.0.113.7"),
            (&["198.51.100.2", "203.0.113.7"], "203.0.113.7"),
            // Every hop trusted: the leftmost.
            (&["10.0.0.9, 10.0.0.3"], "10.0.0.9"),
            (&[], "10.0.0.5"),
            // Malformed elements stop the walk at the nearest trusted hop's view.
            (&["203.0.113.7, unknown"], "10.0.0.5"),
            (&["203.0.113.7, garbage, 10.0.0.3"], "10.0.0.3"),
            (&["203.0.113.7,,10.0.0.3"], "10.0.0.3"),
            (&[""], "10.0.0.5"),
            (&["unknown, 203.0.113.7"], "203.0.113.7"),
            // Ports and brackets.
            (&["203.0.113.7:4711"], "203.0.113.7"),
            (&["[2001:db8::7]:4711"], "2001:db8::7"),
            (&["[2001:db8::7]"], "2001:db8::7"),
            (&[" 2001:db8::7 ,10.0.0.3"], "2001:db8::7"),
            (&["::ffff:203.0.113.7"], "203.0.113.7"),
            (&["::ffff:10.0.0.3"], "10.0.0.3"),
        ];
        for (lines, client) in cases {
            assert_eq!(walk(&trusted, "10.0.0.5", lines), *client, "{lines:?}");
        }
        // A dual-stack listener's IPv4 peer is trusted by its IPv4 network.
        assert_eq!(
            walk(&trusted, "::ffff:10.0.0.5", &["203.0.113.7"]),
            "203.0.113.7"
        );
    }

    #[test]
    fn a_line_that_is_not_text_stops_the_walk() {
        let trusted = proxies(&["10.0.0.0/24"]);
        let lines = [
            HeaderValue::from_static("203.0.113.7"),
            HeaderValue::from_bytes(b"10.0.0.3, \xff").unwrap(),
        ];
        let client = trusted.client_address("10.0.0.5".parse().unwrap(), lines.iter());
        assert_eq!(client.to_string(), "10.0.0.5");
    }

    fn any_address() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(|octets| IpAddr::from(octets).to_canonical()),
            any::<[u8; 16]>().prop_map(|octets| IpAddr::from(octets).to_canonical()),
            // Often inside the trusted network, so that walks get long.
            (0u8..8).prop_map(|last| IpAddr::from([10, 0, 0, last])),
        ]
    }

    fn any_element() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => any_address().prop_map(|address| address.to_string()),
            1 => "[a-z0-9:.\\[\\] ]{0,12}",
        ]
    }

    proptest! {
        /// Whatever a client writes left of what the trusted hops appended cannot change the
        /// answer, and the answer is the peer or one of the header's addresses.
        #[test]
        fn the_client_cannot_choose_its_address(
            spoofed in prop::collection::vec(any_element(), 0..6),
            appended in prop::collection::vec(any_address(), 0..6),
            peer_last in 0u8..12,
        ) {
            let trusted = proxies(&["10.0.0.0/29"]);
            let peer = IpAddr::from([10, 0, 0, peer_last]);
            let appended_text: Vec<String> =
                appended.iter().map(ToString::to_string).collect();
            let honest = appended_text.join(", ");
            let mut with_spoof = spoofed.clone();
            with_spoof.extend(appended_text.iter().cloned());
            let forged = with_spoof.join(",");
            let honest_lines = [HeaderValue::from_str(&honest).unwrap()];
            let forged_lines: Vec<HeaderValue> = HeaderValue::from_str(&forged).into_iter().collect();
            let honest_answer = trusted.client_address(peer, honest_lines.iter());
            let forged_answer = trusted.client_address(peer, forged_lines.iter());
            if !trusted.contain(peer) {
                prop_assert_eq!(forged_answer, peer);
            } else if appended.iter().any(|hop| !trusted.contain(*hop)) {
                prop_assert_eq!(forged_answer, honest_answer);
            }
            let mentioned = forged_answer == peer
                || with_spoof.iter().any(|element| hop_address(element) == Some(forged_answer));
            prop_assert!(mentioned, "{} from {:?}", forged_answer, with_spoof);
        }
    }
}
