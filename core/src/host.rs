//! [`Host`]: a mail server's address as typed into a "server" field: a DNS name, an IPv4
//! address in strict dotted-decimal form, or an IPv6 address; plus [`HostWarning`]s for servers
//! the CRM's servers on the internet cannot reach.
//!
//! Owns: recognising which of the three a text is, the friendly errors for whole URLs, `host:port`
//! and e-mail addresses, and the reachability warnings.
//! Must not: re-implement the DNS label rules (`name.rs` owns them) or know about ports and
//! protocols (`security.rs` does).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

use crate::name::{NameError, is_numeric_label, to_ascii_name};
use crate::problem::Problem;
use crate::uts46;

/// A validated DNS host name in lowercase ASCII (punycode) form without a trailing dot.
/// Only [`Host::parse`] creates one, so every `HostName` is valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostName(String);

impl HostName {
    /// The ASCII form, e.g. `imap.xn--bcher-kva.example`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form to show people, e.g. `imap.bücher.example`.
    pub fn to_unicode(&self) -> String {
        uts46::to_unicode(&self.0)
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mail server address. Display gives names in ASCII, IPv4 dotted and IPv6 compressed
/// *without* brackets (`2001:db8::1`); [`Host::uri_host`] adds the brackets a URL or
/// `host:port` needs, and [`Endpoint`](crate::Endpoint) uses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Host {
    Name(HostName),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

/// Why some text is not a server address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostError {
    #[error("Enter the server name, such as mail.example.com.")]
    Empty,
    #[error("Enter only the server name, such as mail.example.com, without https://.")]
    IncludesScheme,
    #[error(
        "Enter only the server name, such as mail.example.com, and enter the port {port} in the port field."
    )]
    IncludesPort { port: String },
    #[error("Enter the server name, such as mail.example.com, not an e-mail address.")]
    LooksLikeEmail,
    #[error(
        "Enter an IPv4 address as four numbers from 0 to 255 separated by dots, such as 192.0.2.1, or a server name such as mail.example.com."
    )]
    InvalidIpv4,
    #[error(
        "Enter a valid IPv6 address, such as 2001:db8::1, or a server name such as mail.example.com."
    )]
    InvalidIpv6,
    #[error(
        "Remove the zone index (the part from %): enter the IPv6 address alone, such as 2001:db8::1."
    )]
    Ipv6ZoneIndex,
    #[error(transparent)]
    Name(#[from] NameError),
}

impl Problem for HostError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "host.empty",
            Self::IncludesScheme => "host.includes_scheme",
            Self::IncludesPort { .. } => "host.includes_port",
            Self::LooksLikeEmail => "host.looks_like_email",
            Self::InvalidIpv4 => "host.invalid_ipv4",
            Self::InvalidIpv6 => "host.invalid_ipv6",
            Self::Ipv6ZoneIndex => "host.ipv6_zone_index",
            Self::Name(error) => error.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::IncludesPort { port } => vec![("port", port.clone())],
            Self::Name(error) => error.params(),
            Self::Empty
            | Self::IncludesScheme
            | Self::LooksLikeEmail
            | Self::InvalidIpv4
            | Self::InvalidIpv6
            | Self::Ipv6ZoneIndex => Vec::new(),
        }
    }
}

/// A valid server the CRM's servers on the internet most likely cannot reach. Saving is still
/// allowed (a company may route such names), but the person should look twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum HostWarning {
    #[error(
        "This is a private network address. The CRM's servers on the internet cannot reach it; enter the server's public name, such as mail.example.com."
    )]
    PrivateAddress,
    #[error(
        "This address points to the computer itself (loopback). The CRM's servers on the internet cannot reach it; enter the server's public name, such as mail.example.com."
    )]
    LoopbackAddress,
    #[error(
        "This is a link-local address. The CRM's servers on the internet cannot reach it; enter the server's public name, such as mail.example.com."
    )]
    LinkLocalAddress,
    #[error(
        "This address means \"no address\". The CRM's servers on the internet cannot reach it; enter the server's public name, such as mail.example.com."
    )]
    UnspecifiedAddress,
    #[error(
        "This name has no domain ending, so it only works inside a company network. The CRM's servers on the internet cannot reach it; enter the full name, such as mail.example.com."
    )]
    SingleLabelName,
    #[error(
        "This name only works inside a company network. The CRM's servers on the internet cannot reach it; enter the server's public name, such as mail.example.com."
    )]
    InternalName,
}

impl Problem for HostWarning {
    fn code(&self) -> &'static str {
        match self {
            Self::PrivateAddress => "host.private_address",
            Self::LoopbackAddress => "host.loopback_address",
            Self::LinkLocalAddress => "host.link_local_address",
            Self::UnspecifiedAddress => "host.unspecified_address",
            Self::SingleLabelName => "host.single_label_name",
            Self::InternalName => "host.internal_name",
        }
    }
}

/// Name endings reserved or commonly used for names that only resolve inside a network.
const INTERNAL_SUFFIXES: [&str; 6] = ["local", "internal", "lan", "localhost", "home.arpa", "corp"];

impl Host {
    /// Parses a server address as typed: trims; accepts IPv6 with or without brackets; rejects
    /// loose IPv4 forms (`127.1`, `0x7f.0.0.1`, `010.0.0.1`) that resolvers read differently.
    pub fn parse(input: &str) -> Result<Host, HostError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(HostError::Empty);
        }
        if text.contains("://") {
            return Err(HostError::IncludesScheme);
        }
        if text.contains('@') {
            return Err(HostError::LooksLikeEmail);
        }
        if let Some(bracketed) = text.strip_prefix('[') {
            let Some((inside, after)) = bracketed.split_once(']') else {
                return Err(HostError::InvalidIpv6);
            };
            if after.is_empty() {
                return parse_ipv6(inside);
            }
            return match after.strip_prefix(':') {
                Some(port) if is_port_like(port) => Err(HostError::IncludesPort {
                    port: port.to_owned(),
                }),
                _ => Err(HostError::InvalidIpv6),
            };
        }
        match text.matches(':').count() {
            0 => {}
            1 => {
                if let Some((_, port)) = text.split_once(':')
                    && is_port_like(port)
                {
                    return Err(HostError::IncludesPort {
                        port: port.to_owned(),
                    });
                }
                // Not a port: the name rules below name the ':' as the wrong character.
            }
            _ => return parse_ipv6(text),
        }
        if looks_numeric(text) {
            return text
                .parse::<Ipv4Addr>()
                .map(Host::Ipv4)
                .map_err(|_| HostError::InvalidIpv4);
        }
        Ok(Host::Name(HostName(to_ascii_name(text)?)))
    }

    /// The name, if this host is one.
    pub fn as_name(&self) -> Option<&HostName> {
        match self {
            Self::Name(name) => Some(name),
            Self::Ipv4(_) | Self::Ipv6(_) => None,
        }
    }

    /// Whether this host is an IP address literal rather than a name.
    pub fn is_ip_address(&self) -> bool {
        !matches!(self, Self::Name(_))
    }

    /// The form to show people: names in Unicode (`imap.bücher.example`), addresses as Display.
    pub fn to_unicode(&self) -> String {
        match self {
            Self::Name(name) => name.to_unicode(),
            Self::Ipv4(_) | Self::Ipv6(_) => self.to_string(),
        }
    }

    /// The host as it appears in a URL or before `:port`: IPv6 in brackets (`[2001:db8::1]`).
    pub fn uri_host(&self) -> String {
        match self {
            Self::Ipv6(address) => format!("[{address}]"),
            Self::Name(_) | Self::Ipv4(_) => self.to_string(),
        }
    }

    /// Why the CRM's servers probably cannot reach this host, if they probably cannot.
    pub fn warning(&self) -> Option<HostWarning> {
        match self {
            Self::Name(name) => name_warning(name.as_str()),
            Self::Ipv4(address) => ipv4_warning(*address),
            Self::Ipv6(address) => match address.to_ipv4_mapped() {
                Some(mapped) => ipv4_warning(mapped),
                None => ipv6_warning(*address),
            },
        }
    }
}

fn parse_ipv6(text: &str) -> Result<Host, HostError> {
    if text.contains('%') {
        return Err(HostError::Ipv6ZoneIndex);
    }
    text.parse::<Ipv6Addr>()
        .map(Host::Ipv6)
        .map_err(|_| HostError::InvalidIpv6)
}

/// Text after a ':' that a person meant as a port: digits only.
fn is_port_like(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a resolver or browser would read `text` as an IPv4 address (in any of the loose
/// forms too), so it must be judged as one rather than as a name: WHATWG URL parsing does so
/// when the last label is a number (`127.1`, `0x7f.0.0.1`, `example.123`).
fn looks_numeric(text: &str) -> bool {
    let without_dot = text.strip_suffix('.').unwrap_or(text);
    without_dot.rsplit('.').next().is_some_and(is_numeric_label)
}

fn name_warning(name: &str) -> Option<HostWarning> {
    let is_internal = INTERNAL_SUFFIXES.iter().any(|suffix| {
        name == *suffix
            || name
                .strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('.'))
    });
    if is_internal {
        Some(HostWarning::InternalName)
    } else if !name.contains('.') {
        Some(HostWarning::SingleLabelName)
    } else {
        None
    }
}

fn ipv4_warning(address: Ipv4Addr) -> Option<HostWarning> {
    let [first, second, ..] = address.octets();
    // 100.64.0.0/10 is carrier-grade NAT (RFC 6598); std has no stable check for it.
    let is_shared = first == 100 && (64..128).contains(&second);
    if address.is_unspecified() {
        Some(HostWarning::UnspecifiedAddress)
    } else if address.is_loopback() {
        Some(HostWarning::LoopbackAddress)
    } else if address.is_link_local() {
        Some(HostWarning::LinkLocalAddress)
    } else if address.is_private() || is_shared {
        Some(HostWarning::PrivateAddress)
    } else {
        None
    }
}

fn ipv6_warning(address: Ipv6Addr) -> Option<HostWarning> {
    let first_segment = address.segments()[0];
    if address.is_unspecified() {
        Some(HostWarning::UnspecifiedAddress)
    } else if address.is_loopback() {
        Some(HostWarning::LoopbackAddress)
    } else if first_segment & 0xffc0 == 0xfe80 {
        Some(HostWarning::LinkLocalAddress)
    } else if first_segment & 0xfe00 == 0xfc00 {
        Some(HostWarning::PrivateAddress)
    } else {
        None
    }
}

impl fmt::Display for Host {
    /// Names in ASCII, IPv4 dotted, IPv6 compressed without brackets; parses back to an equal value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => name.fmt(f),
            Self::Ipv4(address) => address.fmt(f),
            Self::Ipv6(address) => address.fmt(f),
        }
    }
}

impl FromStr for Host {
    type Err = HostError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Host::parse(text)
    }
}

impl TryFrom<String> for Host {
    type Error = HostError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Host::parse(&text)
    }
}

impl Serialize for Host {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(text: &str) -> Host {
        Host::parse(text).unwrap()
    }

    #[test]
    fn valid_hosts_and_their_display() {
        let table = [
            ("imap.example.com", "imap.example.com"),
            ("  IMAP.Example.COM. ", "imap.example.com"),
            ("mailserver", "mailserver"),
            ("imap.Bücher.example", "imap.xn--bcher-kva.example"),
            ("192.0.2.1", "192.0.2.1"),
            ("0.0.0.0", "0.0.0.0"),
            ("255.255.255.255", "255.255.255.255"),
            ("::1", "::1"),
            ("[::1]", "::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("[2001:DB8:0:0:0:0:0:1]", "2001:db8::1"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
            ("1.example.com", "1.example.com"),
            ("cafe.bad", "cafe.bad"),
        ];
        for (input, expected) in table {
            let parsed = host(input);
            assert_eq!(parsed.to_string(), expected, "{input}");
            assert_eq!(host(&parsed.to_string()), parsed, "{input} round trip");
        }
        assert!(matches!(host("192.0.2.1"), Host::Ipv4(_)));
        assert!(matches!(host("[::1]"), Host::Ipv6(_)));
        assert!(matches!(host("mailserver"), Host::Name(_)));
    }

    #[test]
    fn invalid_hosts_give_the_precise_error() {
        let table: Vec<(&str, HostError)> = vec![
            ("", HostError::Empty),
            ("  ", HostError::Empty),
            ("https://imap.example.com", HostError::IncludesScheme),
            ("imaps://imap.example.com:993", HostError::IncludesScheme),
            (
                "imap.example.com:993",
                HostError::IncludesPort { port: "993".into() },
            ),
            (
                "192.0.2.1:143",
                HostError::IncludesPort { port: "143".into() },
            ),
            (
                "[2001:db8::1]:993",
                HostError::IncludesPort { port: "993".into() },
            ),
            ("alice@example.com", HostError::LooksLikeEmail),
            ("256.1.1.1", HostError::InvalidIpv4),
            ("127.1", HostError::InvalidIpv4),
            ("0x7f.0.0.1", HostError::InvalidIpv4),
            ("0X7F.0.0.1", HostError::InvalidIpv4),
            ("010.0.0.1", HostError::InvalidIpv4),
            ("1.2.3.04", HostError::InvalidIpv4),
            ("1.2.3", HostError::InvalidIpv4),
            ("1.2.3.4.5", HostError::InvalidIpv4),
            ("1.2.3.4.", HostError::InvalidIpv4),
            ("2130706433", HostError::InvalidIpv4),
            ("example.123", HostError::InvalidIpv4),
            ("mail.0x1f", HostError::InvalidIpv4),
            ("1..2.3", HostError::InvalidIpv4),
            ("2001:db8::g", HostError::InvalidIpv6),
            ("1:2:3:4:5:6:7:8:9", HostError::InvalidIpv6),
            ("[::1", HostError::InvalidIpv6),
            ("[::1]x", HostError::InvalidIpv6),
            ("[example.com]", HostError::InvalidIpv6),
            ("fe80::1%eth0", HostError::Ipv6ZoneIndex),
            ("[fe80::1%25eth0]", HostError::Ipv6ZoneIndex),
            (
                "imap.example.com:imaps",
                NameError::InvalidCharacter { character: ':' }.into(),
            ),
            (
                "imap_1.example.com",
                NameError::InvalidCharacter { character: '_' }.into(),
            ),
            ("imap example.com", NameError::ContainsSpace.into()),
            ("imap..example.com", NameError::EmptyLabel.into()),
            (
                "-imap.example.com",
                NameError::HyphenAtLabelEdge {
                    label: "-imap".into(),
                }
                .into(),
            ),
        ];
        for (input, expected) in table {
            assert_eq!(Host::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn uri_host_brackets_only_ipv6() {
        assert_eq!(host("2001:db8::1").uri_host(), "[2001:db8::1]");
        assert_eq!(host("192.0.2.1").uri_host(), "192.0.2.1");
        assert_eq!(host("imap.example.com").uri_host(), "imap.example.com");
        assert_eq!(
            host("imap.Bücher.example").to_unicode(),
            "imap.bücher.example"
        );
        assert_eq!(host("::1").to_unicode(), "::1");
    }

    #[test]
    fn warnings_for_servers_the_internet_cannot_reach() {
        let table = [
            ("imap.example.com", None),
            ("192.0.2.1", None),
            ("8.8.8.8", None),
            ("2001:db8::1", None),
            ("10.1.2.3", Some(HostWarning::PrivateAddress)),
            ("172.16.0.1", Some(HostWarning::PrivateAddress)),
            ("172.31.255.255", Some(HostWarning::PrivateAddress)),
            ("172.32.0.1", None),
            ("192.168.1.10", Some(HostWarning::PrivateAddress)),
            ("100.64.0.1", Some(HostWarning::PrivateAddress)),
            ("100.127.255.255", Some(HostWarning::PrivateAddress)),
            ("100.128.0.1", None),
            ("fd00::1", Some(HostWarning::PrivateAddress)),
            ("fc00::1", Some(HostWarning::PrivateAddress)),
            ("::ffff:10.0.0.1", Some(HostWarning::PrivateAddress)),
            ("127.0.0.1", Some(HostWarning::LoopbackAddress)),
            ("127.255.0.9", Some(HostWarning::LoopbackAddress)),
            ("::1", Some(HostWarning::LoopbackAddress)),
            ("169.254.1.1", Some(HostWarning::LinkLocalAddress)),
            ("fe80::1", Some(HostWarning::LinkLocalAddress)),
            ("febf::1", Some(HostWarning::LinkLocalAddress)),
            ("0.0.0.0", Some(HostWarning::UnspecifiedAddress)),
            ("::", Some(HostWarning::UnspecifiedAddress)),
            ("mailserver", Some(HostWarning::SingleLabelName)),
            ("mail.corp.local", Some(HostWarning::InternalName)),
            ("exchange.internal", Some(HostWarning::InternalName)),
            ("nas.lan", Some(HostWarning::InternalName)),
            ("imap.localhost", Some(HostWarning::InternalName)),
            ("localhost", Some(HostWarning::InternalName)),
            ("router.home.arpa", Some(HostWarning::InternalName)),
            ("mail.corp", Some(HostWarning::InternalName)),
            ("mail.corp.example.com", None),
            ("mail.notlocal", None),
        ];
        for (input, expected) in table {
            assert_eq!(host(input).warning(), expected, "{input}");
        }
    }

    #[test]
    fn serde_uses_the_display_string() {
        let parsed = host("[2001:db8::1]");
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(json, "\"2001:db8::1\"");
        assert_eq!(serde_json::from_str::<Host>(&json).unwrap(), parsed);
        assert!(serde_json::from_str::<Host>("\"127.1\"").is_err());
    }
}
