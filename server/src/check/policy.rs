//! Where a connection check may connect: the address policy. A name is resolved once (through
//! an injectable [`Resolver`]), every address is judged, and only an address that passed is
//! connected to — the host name is kept for SNI and the certificate check, never resolved
//! again. So the check cannot be turned into a scanner of the operator's own network.
//!
//! Owns: the special-purpose ranges refused by default (IANA's registries, with IPv4 unwrapped
//! from the IPv6 forms that embed it), the ports allowed by default, the operator's additions,
//! the cloud metadata addresses that stay refused unless listed exactly, and connecting to the
//! first allowed address that answers. Must not: speak any protocol over the socket.

use std::collections::BTreeSet;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use mailsetup_core::wire::CheckCode;
use tokio::net::TcpStream;

use super::Failure;

/// The ports a check may connect to unless the operator adds more: SMTP (25, 465, 587, 2525),
/// IMAP (143, 993) and HTTPS (443, Exchange).
pub const DEFAULT_PORTS: [u16; 7] = [25, 143, 443, 465, 587, 993, 2525];

/// Cloud metadata services: refused even inside an allowed network unless listed exactly.
const METADATA_ADDRESSES: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// IPv4 ranges that are not global unicast (IANA's special-purpose registry and multicast).
const REFUSED_V4: [(Ipv4Addr, u8); 16] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8),
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(169, 254, 0, 0), 16),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 0, 0, 0), 24),
    (Ipv4Addr::new(192, 0, 2, 0), 24),
    (Ipv4Addr::new(192, 88, 99, 0), 24),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(198, 18, 0, 0), 15),
    (Ipv4Addr::new(198, 51, 100, 0), 24),
    (Ipv4Addr::new(203, 0, 113, 0), 24),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(240, 0, 0, 0), 4),
    (Ipv4Addr::new(255, 255, 255, 255), 32),
];

/// IPv6 ranges that are not global unicast.
const REFUSED_V6: [(Ipv6Addr, u8); 14] = [
    (Ipv6Addr::UNSPECIFIED, 128),
    (Ipv6Addr::LOCALHOST, 128),
    // IPv4-compatible (deprecated) and IPv4-mapped addresses.
    (Ipv6Addr::UNSPECIFIED, 96),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96),
    // NAT64: well-known and local-use prefixes.
    (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96),
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48),
    // Discard-only.
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    // Teredo, documentation, 6to4.
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
    // Unique local, link-local, site-local (deprecated), multicast.
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

/// What the operator allows beyond the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Networks a check may reach although they are special-purpose (a company's own servers).
    pub allowed_networks: Vec<IpNet>,
    /// Ports beyond [`DEFAULT_PORTS`].
    pub extra_ports: BTreeSet<u16>,
}

impl AddressPolicy {
    pub fn port_allowed(&self, port: u16) -> bool {
        DEFAULT_PORTS.contains(&port) || self.extra_ports.contains(&port)
    }

    /// Whether a check may connect to `address`.
    pub fn address_allowed(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        let forms: Vec<IpAddr> = std::iter::once(address)
            .chain(embedded_ipv4(address).map(IpAddr::V4))
            .collect();
        // A metadata service stays refused unless the operator listed that very address.
        let metadata = forms.iter().any(|form| METADATA_ADDRESSES.contains(form));
        if metadata {
            return forms
                .iter()
                .any(|form| self.allowed_networks.contains(&IpNet::from(*form)));
        }
        if forms.iter().any(|form| {
            self.allowed_networks
                .iter()
                .any(|network| network.contains(form))
        }) {
            return true;
        }
        !forms.iter().any(|form| is_special_purpose(*form))
    }

    /// Resolves `host` once and connects to the first allowed address that accepts, within
    /// `timeout` for each attempt. Refuses before any connection when the port or every
    /// address is not allowed.
    pub async fn connect(
        &self,
        resolver: &dyn Resolver,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<(TcpStream, IpAddr), Failure> {
        if !self.port_allowed(port) {
            return Err(Failure::new(
                CheckCode::PortNotAllowed,
                format!(
                    "Port {port} may not be checked from here. Mail servers use 993 or 143 (IMAP) and 465 or 587 (SMTP); the operator can allow another with --check-allow-port."
                ),
            ));
        }
        let addresses = resolve(resolver, host).await?;
        let allowed: Vec<IpAddr> = addresses
            .iter()
            .copied()
            .filter(|address| self.address_allowed(*address))
            .collect();
        if allowed.is_empty() {
            let listed = addresses
                .iter()
                .map(IpAddr::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let what = if listed == host.trim_start_matches('[').trim_end_matches(']') {
                listed
            } else {
                format!("{host} ({listed})")
            };
            return Err(Failure::new(
                CheckCode::AddressNotAllowed,
                format!(
                    "{what} may not be checked from here: it is a private, local or reserved address. Use the server's public name, or ask the operator to allow its network with --check-allow-network."
                ),
            ));
        }
        let mut last = None;
        for address in allowed {
            match tokio::time::timeout(timeout, TcpStream::connect(SocketAddr::new(address, port)))
                .await
            {
                Ok(Ok(stream)) => return Ok((stream, address)),
                Ok(Err(error)) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                    last = Some(
                        Failure::new(
                            CheckCode::ConnectionRefused,
                            format!("{host} ({address}) refused the connection on port {port}. Check the port number."),
                        )
                        .at(address),
                    );
                }
                Ok(Err(error)) => {
                    last = Some(
                        Failure::new(
                            CheckCode::ConnectionRefused,
                            format!(
                                "{host} ({address}) could not be reached on port {port}: {error}."
                            ),
                        )
                        .at(address),
                    );
                }
                Err(_) => {
                    last = Some(
                        Failure::new(
                            CheckCode::ConnectionTimedOut,
                            format!(
                                "{host} ({address}) did not answer on port {port} within {} seconds. Check the host name and port, and that a firewall lets the connection through.",
                                timeout.as_secs()
                            ),
                        )
                        .at(address),
                    );
                }
            }
        }
        Err(last
            .unwrap_or_else(|| Failure::new(CheckCode::ConnectionRefused, "No address answered.")))
    }
}

/// Resolves once: an IP literal is itself.
async fn resolve(resolver: &dyn Resolver, host: &str) -> Result<Vec<IpAddr>, Failure> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(address) = bare.parse::<IpAddr>() {
        return Ok(vec![address]);
    }
    match resolver.resolve(host).await {
        Ok(addresses) if !addresses.is_empty() => Ok(addresses),
        Ok(_) | Err(ResolveError::NotFound) => Err(Failure::new(
            CheckCode::DnsNotFound,
            format!("The name {host} was not found. Check its spelling."),
        )),
        Err(ResolveError::Failed(reason)) => Err(Failure::new(
            CheckCode::DnsFailed,
            format!(
                "The name {host} could not be looked up just now ({reason}). Try again in a minute."
            ),
        )),
    }
}

/// An IPv4-mapped address as the IPv4 address it is.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The IPv4 address an IPv6 form carries: IPv4-compatible (`::a.b.c.d`), NAT64 (both
/// prefixes), 6to4 (`2002:AABB:CCDD::/48`) and Teredo (the client's address, inverted).
pub fn embedded_ipv4(address: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = address else {
        return None;
    };
    let bits = u128::from(v6);
    let low32 = Ipv4Addr::from(bits as u32);
    let segments = v6.segments();
    if let Some(mapped) = v6.to_ipv4_mapped() {
        return Some(mapped);
    }
    if bits >> 32 == 0 && bits > 1 {
        return Some(low32);
    }
    if Ipv6Net::new(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96)
        .is_ok_and(|net| net.contains(&v6))
        || Ipv6Net::new(Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48)
            .is_ok_and(|net| net.contains(&v6))
    {
        return Some(low32);
    }
    if segments[0] == 0x2002 {
        return Some(Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32));
    }
    if segments[0] == 0x2001 && segments[1] == 0 {
        return Some(Ipv4Addr::from(!(bits as u32)));
    }
    None
}

/// Whether `address` lies in a range refused by default.
pub fn is_special_purpose(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => REFUSED_V4.iter().any(|(network, prefix)| {
            Ipv4Net::new(*network, *prefix).is_ok_and(|net| net.contains(&v4))
        }),
        IpAddr::V6(v6) => REFUSED_V6.iter().any(|(network, prefix)| {
            Ipv6Net::new(*network, *prefix).is_ok_and(|net| net.contains(&v6))
        }),
    }
}

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The name does not exist (or has no address).
    NotFound,
    /// The look-up itself failed (no answer, a server failure).
    Failed(String),
}

/// Turns a host name into addresses, once per connection.
pub trait Resolver: Send + Sync {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<IpAddr>, ResolveError>> + Send + 'a>>;
}

/// The operating system's resolver (getaddrinfo through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<IpAddr>, ResolveError>> + Send + 'a>> {
        Box::pin(async move {
            match tokio::net::lookup_host((host, 0)).await {
                Ok(addresses) => {
                    let mut found: Vec<IpAddr> = Vec::new();
                    for address in addresses.map(|socket| socket.ip()) {
                        if !found.contains(&address) {
                            found.push(address);
                        }
                    }
                    Ok(found)
                }
                Err(error) => {
                    let text = error.to_string();
                    // getaddrinfo's EAI_NONAME / EAI_NODATA, as the C library words them.
                    if text.contains("not known")
                        || text.contains("No address associated")
                        || text.contains("no address")
                    {
                        Err(ResolveError::NotFound)
                    } else {
                        Err(ResolveError::Failed(text))
                    }
                }
            }
        })
    }
}

/// A shared resolver.
pub type SharedResolver = Arc<dyn Resolver>;

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn allowing(networks: &[&str]) -> AddressPolicy {
        AddressPolicy {
            allowed_networks: networks.iter().map(|n| n.parse().unwrap()).collect(),
            extra_ports: BTreeSet::new(),
        }
    }

    /// One address inside (first, last and a middle one) of every refused range, and the
    /// nearest addresses outside where they are global.
    #[test]
    fn every_special_purpose_range_is_refused_by_default() {
        let policy = AddressPolicy::default();
        let refused = [
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.0",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "255.255.255.254",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::8.8.8.8",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:0:0",
            "64:ff9b::8.8.8.8",
            "64:ff9b::127.0.0.1",
            "64:ff9b:1::1",
            "100::1",
            "100::ffff:ffff:ffff:ffff",
            "2001::1",
            "2001:0:ffff::1",
            "2001:db8::1",
            "2002::1",
            "2002:0808:0808::1",
            "fc00::1",
            "fd00:ec2::254",
            "fdff::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "feff::1",
            "ff02::1",
            "ff00::",
        ];
        for address in refused {
            assert!(
                !policy.address_allowed(ip(address)),
                "{address} must be refused"
            );
        }
        let allowed = [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.0",
            "192.0.3.0",
            "192.88.98.255",
            "192.167.255.255",
            "192.169.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "198.51.99.255",
            "203.0.112.255",
            "223.255.255.255",
            "2a00:1450::1",
            "2606:4700::1111",
            "2001:1::1",
            "2001:db7:ffff::1",
            "2003::1",
            "fbff::1",
        ];
        for address in allowed {
            assert!(
                policy.address_allowed(ip(address)),
                "{address} must be allowed"
            );
        }
    }

    #[test]
    fn embedded_ipv4_is_unwrapped_from_every_form() {
        let cases = [
            ("::ffff:192.0.2.1", "192.0.2.1"),
            ("::192.0.2.1", "192.0.2.1"),
            ("64:ff9b::192.0.2.1", "192.0.2.1"),
            ("64:ff9b:1::c000:201", "192.0.2.1"),
            ("2002:c000:0201::1", "192.0.2.1"),
            // Teredo carries the client's address inverted in the last 32 bits.
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45"),
        ];
        for (v6, v4) in cases {
            assert_eq!(embedded_ipv4(ip(v6)), Some(v4.parse().unwrap()), "{v6}");
        }
        assert_eq!(embedded_ipv4(ip("2a00:1450::1")), None);
        assert_eq!(embedded_ipv4(ip("::1")), None);
        assert_eq!(embedded_ipv4(ip("192.0.2.1")), None);
    }

    #[test]
    fn an_allowed_network_opens_its_addresses_and_their_embedded_forms() {
        let policy = allowing(&["127.0.0.0/8", "10.20.0.0/16"]);
        for address in [
            "127.0.0.1",
            "::ffff:127.0.0.1",
            "10.20.3.4",
            "64:ff9b::10.20.3.4",
        ] {
            assert!(policy.address_allowed(ip(address)), "{address}");
        }
        for address in ["10.21.0.1", "192.168.1.1", "::1", "169.254.169.254"] {
            assert!(!policy.address_allowed(ip(address)), "{address}");
        }
    }

    #[test]
    fn metadata_addresses_stay_refused_unless_listed_exactly() {
        let wide = allowing(&["169.254.0.0/16", "fd00::/8"]);
        for address in ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254"] {
            assert!(!wide.address_allowed(ip(address)), "{address}");
        }
        assert!(wide.address_allowed(ip("169.254.1.1")));
        let exact = allowing(&["169.254.169.254/32", "fd00:ec2::254/128"]);
        assert!(exact.address_allowed(ip("169.254.169.254")));
        assert!(exact.address_allowed(ip("fd00:ec2::254")));
    }

    #[test]
    fn ports_are_the_mail_ports_plus_the_operators() {
        let mut policy = AddressPolicy::default();
        for port in DEFAULT_PORTS {
            assert!(policy.port_allowed(port));
        }
        for port in [22, 80, 110, 3306, 8080] {
            assert!(!policy.port_allowed(port), "{port}");
        }
        policy.extra_ports.insert(8080);
        assert!(policy.port_allowed(8080));
    }

    /// A resolver that answers from a table and counts its calls.
    struct Table(Vec<(&'static str, Result<Vec<IpAddr>, ResolveError>)>);

    impl Resolver for Table {
        fn resolve<'a>(
            &'a self,
            host: &'a str,
        ) -> Pin<Box<dyn Future<Output = Result<Vec<IpAddr>, ResolveError>> + Send + 'a>> {
            let found = self
                .0
                .iter()
                .find(|(name, _)| *name == host)
                .map(|(_, answer)| answer.clone())
                .unwrap_or(Err(ResolveError::NotFound));
            Box::pin(async move { found })
        }
    }

    #[tokio::test]
    async fn names_that_do_not_resolve_or_resolve_to_refused_addresses_connect_nowhere() {
        let resolver = Table(vec![
            ("inside.example", Ok(vec![ip("10.0.0.5"), ip("::1")])),
            (
                "broken.example",
                Err(ResolveError::Failed("SERVFAIL".into())),
            ),
        ]);
        let policy = AddressPolicy::default();
        let timeout = Duration::from_secs(1);
        let code = |result: Result<(TcpStream, IpAddr), Failure>| result.err().map(|f| f.code);
        assert_eq!(
            code(
                policy
                    .connect(&resolver, "missing.example", 993, timeout)
                    .await
            ),
            Some(CheckCode::DnsNotFound)
        );
        assert_eq!(
            code(
                policy
                    .connect(&resolver, "broken.example", 993, timeout)
                    .await
            ),
            Some(CheckCode::DnsFailed)
        );
        assert_eq!(
            code(
                policy
                    .connect(&resolver, "inside.example", 993, timeout)
                    .await
            ),
            Some(CheckCode::AddressNotAllowed)
        );
        assert_eq!(
            code(
                policy
                    .connect(&resolver, "inside.example", 22, timeout)
                    .await
            ),
            Some(CheckCode::PortNotAllowed)
        );
    }
}
