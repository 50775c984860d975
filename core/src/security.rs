//! [`Security`] (how a connection is encrypted), [`Protocol`], and [`Endpoint`]: one mail server
//! as host + port + security, with [`EndpointWarning`]s about combinations that usually fail.
//!
//! Owns: which security mode a port suggests and the port/protocol/security sanity warnings.
//! Must not: parse hosts or ports itself (`host.rs` and `port.rs` do) or offer plaintext: the
//! provider requires encryption, so no variant for it exists.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::host::{Host, HostWarning};
use crate::port::Port;
use crate::problem::Problem;

/// How a mail connection is encrypted. There is no plaintext option on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Security {
    /// TLS from the first byte (implicit TLS), e.g. IMAP on 993, SMTP on 465.
    #[serde(rename = "ssl_tls")]
    SslTls,
    /// A plain connection upgraded with the STARTTLS command, e.g. IMAP on 143, SMTP on 587.
    #[serde(rename = "starttls")]
    StartTls,
}

/// Why some text is not a security mode.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecurityError {
    #[error("Choose SSL/TLS or STARTTLS.")]
    Unknown,
}

impl Problem for SecurityError {
    fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "security.unknown",
        }
    }
}

impl Security {
    /// The stored form: `ssl_tls` or `starttls`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SslTls => "ssl_tls",
            Self::StartTls => "starttls",
        }
    }

    /// The mode servers on `port` normally use: implicit TLS on 993 and 465, STARTTLS on 143,
    /// 587 and 25, and implicit TLS on any other port because it is the safer guess.
    pub fn suggested_for(protocol: Protocol, port: Port) -> Security {
        // The protocol does not change the answer today; it is part of the signature so callers
        // need not change if a protocol-specific port appears.
        let _ = protocol;
        match port.get() {
            143 | 587 | 25 => Self::StartTls,
            _ => Self::SslTls,
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SslTls => "SSL/TLS",
            Self::StartTls => "STARTTLS",
        })
    }
}

impl FromStr for Security {
    type Err = SecurityError;

    /// Accepts the display forms (`SSL/TLS`, `STARTTLS`) and the stored forms (`ssl_tls`,
    /// `starttls`), ignoring case and surrounding whitespace.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if ["SSL/TLS", "ssl_tls"]
            .iter()
            .any(|form| text.eq_ignore_ascii_case(form))
        {
            Ok(Self::SslTls)
        } else if text.eq_ignore_ascii_case("starttls") {
            Ok(Self::StartTls)
        } else {
            Err(SecurityError::Unknown)
        }
    }
}

/// Which mail protocol a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Reading mail (incoming).
    Imap,
    /// Sending mail (outgoing).
    Smtp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Imap => "IMAP",
            Self::Smtp => "SMTP",
        })
    }
}

/// One mail server: where to connect and how it is encrypted. Every field is already valid, so
/// an `Endpoint` can only be wrong in the ways [`Endpoint::warnings`] reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Endpoint {
    pub host: Host,
    pub port: Port,
    pub security: Security,
}

/// A valid endpoint setting that usually does not work.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
pub enum EndpointWarning {
    #[error(transparent)]
    Host(#[from] HostWarning),
    #[error(
        "Port {port} normally uses {suggested}, not {security}. Choose {suggested}, or check the port with your mail provider."
    )]
    SecurityPortMismatch {
        security: Security,
        port: Port,
        suggested: Security,
    },
    #[error(
        "Port 25 is usually blocked for sending mail from applications. Use port 587 (STARTTLS) or 465 (SSL/TLS) instead."
    )]
    SmtpPort25,
    #[error(
        "Port {port} is normally used for {usual_protocol}, not {protocol}. Check the port: {protocol} usually uses {}.",
        usual_ports(*protocol)
    )]
    PortForOtherProtocol {
        protocol: Protocol,
        port: Port,
        usual_protocol: Protocol,
    },
}

impl Problem for EndpointWarning {
    fn code(&self) -> &'static str {
        match self {
            Self::Host(warning) => warning.code(),
            Self::SecurityPortMismatch { .. } => "endpoint.security_port_mismatch",
            Self::SmtpPort25 => "endpoint.smtp_port_25",
            Self::PortForOtherProtocol { .. } => "endpoint.port_for_other_protocol",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Host(warning) => warning.params(),
            Self::SecurityPortMismatch {
                security,
                port,
                suggested,
            } => vec![
                ("security", security.to_string()),
                ("port", port.to_string()),
                ("suggested", suggested.to_string()),
            ],
            Self::SmtpPort25 => Vec::new(),
            Self::PortForOtherProtocol {
                protocol,
                port,
                usual_protocol,
            } => vec![
                ("protocol", protocol.to_string()),
                ("port", port.to_string()),
                ("usual_protocol", usual_protocol.to_string()),
            ],
        }
    }
}

/// The ports `protocol` normally uses, for messages.
fn usual_ports(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Imap => "993 (SSL/TLS) or 143 (STARTTLS)",
        Protocol::Smtp => "587 (STARTTLS) or 465 (SSL/TLS)",
    }
}

impl Endpoint {
    /// Everything about this endpoint that usually fails when it is used for `protocol`, most
    /// fundamental first (host, then port, then security).
    pub fn warnings(&self, protocol: Protocol) -> Vec<EndpointWarning> {
        let mut warnings: Vec<EndpointWarning> =
            self.host.warning().into_iter().map(Into::into).collect();
        let port = self.port.get();
        let usual_protocol = match protocol {
            Protocol::Imap if matches!(port, 465 | 587 | 25) => Some(Protocol::Smtp),
            Protocol::Smtp if matches!(port, 993 | 143) => Some(Protocol::Imap),
            Protocol::Imap | Protocol::Smtp => None,
        };
        if let Some(usual_protocol) = usual_protocol {
            warnings.push(EndpointWarning::PortForOtherProtocol {
                protocol,
                port: self.port,
                usual_protocol,
            });
        }
        if protocol == Protocol::Smtp && port == 25 {
            warnings.push(EndpointWarning::SmtpPort25);
        }
        let mismatched = match self.security {
            Security::StartTls => matches!(port, 993 | 465),
            Security::SslTls => matches!(port, 143 | 587),
        };
        if mismatched {
            warnings.push(EndpointWarning::SecurityPortMismatch {
                security: self.security,
                port: self.port,
                suggested: Security::suggested_for(protocol, self.port),
            });
        }
        warnings
    }
}

impl fmt::Display for Endpoint {
    /// `imap.example.com:993 SSL/TLS`; IPv6 in brackets: `[2001:db8::1]:993 SSL/TLS`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} {}",
            self.host.uri_host(),
            self.port,
            self.security
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(host: &str, port: u16, security: Security) -> Endpoint {
        Endpoint {
            host: Host::parse(host).unwrap(),
            port: Port::new(port).unwrap(),
            security,
        }
    }

    #[test]
    fn suggested_security_by_port() {
        let table = [
            (Protocol::Imap, 993, Security::SslTls),
            (Protocol::Smtp, 465, Security::SslTls),
            (Protocol::Imap, 143, Security::StartTls),
            (Protocol::Smtp, 587, Security::StartTls),
            (Protocol::Smtp, 25, Security::StartTls),
            (Protocol::Imap, 1993, Security::SslTls),
            (Protocol::Smtp, 2525, Security::SslTls),
        ];
        for (protocol, port, expected) in table {
            assert_eq!(
                Security::suggested_for(protocol, Port::new(port).unwrap()),
                expected,
                "{protocol} {port}"
            );
        }
    }

    #[test]
    fn security_text_forms() {
        assert_eq!(Security::SslTls.to_string(), "SSL/TLS");
        assert_eq!(Security::StartTls.to_string(), "STARTTLS");
        for (text, expected) in [
            ("SSL/TLS", Security::SslTls),
            ("ssl/tls", Security::SslTls),
            ("ssl_tls", Security::SslTls),
            (" STARTTLS ", Security::StartTls),
            ("starttls", Security::StartTls),
        ] {
            assert_eq!(text.parse::<Security>(), Ok(expected), "{text}");
        }
        for bad in ["", "none", "plain", "tls", "start_tls", "SSL"] {
            assert_eq!(
                bad.parse::<Security>(),
                Err(SecurityError::Unknown),
                "{bad}"
            );
        }
        assert_eq!(
            serde_json::to_string(&Security::SslTls).unwrap(),
            "\"ssl_tls\""
        );
        assert_eq!(
            serde_json::to_string(&Security::StartTls).unwrap(),
            "\"starttls\""
        );
        assert_eq!(
            serde_json::from_str::<Security>("\"starttls\"").unwrap(),
            Security::StartTls
        );
        assert!(serde_json::from_str::<Security>("\"plain\"").is_err());
        assert_eq!(Security::StartTls.as_str(), "starttls");
    }

    #[test]
    fn endpoint_warnings() {
        use EndpointWarning as W;
        use Security::{SslTls, StartTls};
        let port = |n| Port::new(n).unwrap();
        let table: Vec<(Endpoint, Protocol, Vec<EndpointWarning>)> = vec![
            (
                endpoint("imap.example.com", 993, SslTls),
                Protocol::Imap,
                vec![],
            ),
            (
                endpoint("imap.example.com", 143, StartTls),
                Protocol::Imap,
                vec![],
            ),
            (
                endpoint("smtp.example.com", 465, SslTls),
                Protocol::Smtp,
                vec![],
            ),
            (
                endpoint("smtp.example.com", 587, StartTls),
                Protocol::Smtp,
                vec![],
            ),
            (
                endpoint("imap.example.com", 1993, StartTls),
                Protocol::Imap,
                vec![],
            ),
            (
                endpoint("imap.example.com", 993, StartTls),
                Protocol::Imap,
                vec![W::SecurityPortMismatch {
                    security: StartTls,
                    port: port(993),
                    suggested: SslTls,
                }],
            ),
            (
                endpoint("smtp.example.com", 587, SslTls),
                Protocol::Smtp,
                vec![W::SecurityPortMismatch {
                    security: SslTls,
                    port: port(587),
                    suggested: StartTls,
                }],
            ),
            (
                endpoint("imap.example.com", 143, SslTls),
                Protocol::Imap,
                vec![W::SecurityPortMismatch {
                    security: SslTls,
                    port: port(143),
                    suggested: StartTls,
                }],
            ),
            (
                endpoint("smtp.example.com", 465, StartTls),
                Protocol::Smtp,
                vec![W::SecurityPortMismatch {
                    security: StartTls,
                    port: port(465),
                    suggested: SslTls,
                }],
            ),
            (
                endpoint("smtp.example.com", 25, StartTls),
                Protocol::Smtp,
                vec![W::SmtpPort25],
            ),
            (
                endpoint("imap.example.com", 587, StartTls),
                Protocol::Imap,
                vec![W::PortForOtherProtocol {
                    protocol: Protocol::Imap,
                    port: port(587),
                    usual_protocol: Protocol::Smtp,
                }],
            ),
            (
                endpoint("smtp.example.com", 993, SslTls),
                Protocol::Smtp,
                vec![W::PortForOtherProtocol {
                    protocol: Protocol::Smtp,
                    port: port(993),
                    usual_protocol: Protocol::Imap,
                }],
            ),
            (
                endpoint("10.0.0.5", 993, SslTls),
                Protocol::Imap,
                vec![W::Host(HostWarning::PrivateAddress)],
            ),
        ];
        for (endpoint, protocol, expected) in table {
            assert_eq!(
                endpoint.warnings(protocol),
                expected,
                "{endpoint} {protocol}"
            );
        }
    }

    #[test]
    fn endpoint_display_and_serde() {
        assert_eq!(
            endpoint("imap.example.com", 993, Security::SslTls).to_string(),
            "imap.example.com:993 SSL/TLS"
        );
        assert_eq!(
            endpoint("[2001:db8::1]", 993, Security::SslTls).to_string(),
            "[2001:db8::1]:993 SSL/TLS"
        );
        let value = endpoint("imap.example.com", 143, Security::StartTls);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(
            json,
            r#"{"host":"imap.example.com","port":143,"security":"starttls"}"#
        );
        assert_eq!(serde_json::from_str::<Endpoint>(&json).unwrap(), value);
        for bad in [
            r#"{"host":"imap..example.com","port":143,"security":"starttls"}"#,
            r#"{"host":"imap.example.com","port":0,"security":"starttls"}"#,
            r#"{"host":"imap.example.com","port":143,"security":"plain"}"#,
        ] {
            assert!(serde_json::from_str::<Endpoint>(bad).is_err(), "{bad}");
        }
    }
}
