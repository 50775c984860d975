//! The connection settings a domain can have: [`Connection::Imap`] (an incoming IMAP server and
//! an outgoing SMTP server) or [`Connection::Exchange`] (one EWS address), never both, because
//! `Connection` is an enum.
//!
//! Both kinds carry their [`CertificateTrust`]: how the servers they name (IMAP and SMTP, or the
//! EWS address) must prove who they are, so the trust travels wherever the connection goes (the
//! book, the wire, the connection check, a host's tester).
//!
//! Owns: the shapes of the two kinds and collecting their warnings per field.
//! Must not: know about domains or the book (`book.rs` does) or re-check values, which are
//! valid by construction.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::certificate_trust::CertificateTrust;
use crate::exchange_url::{ExchangeUrl, ExchangeUrlWarning};
use crate::problem::Problem;
use crate::security::{Endpoint, EndpointWarning, Protocol};

/// IMAP for reading and SMTP for sending.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImapSettings {
    /// The IMAP server ("Incoming Mail (IMAP)").
    pub incoming: Endpoint,
    /// The SMTP server ("Outgoing Mail (SMTP)").
    pub outgoing: Endpoint,
    /// How both servers' certificates are trusted ("Allow insecure certificates" is
    /// [`CertificateTrust::Any`]).
    #[serde(default)]
    pub certificate_trust: CertificateTrust,
    /// How a person's username is formed from their address.
    pub username: UsernameForm,
}

/// How a person's username (for IMAP and SMTP) is formed from their e-mail address. Providers
/// differ: most take the whole address, about a third of Thunderbird's provider database the
/// part before the @, and some give people a name of their own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsernameForm {
    /// The whole address, `alice@example.com` (Thunderbird's `%EMAILADDRESS%`).
    #[default]
    EmailAddress,
    /// The part before the @, `alice` (Thunderbird's `%EMAILLOCALPART%`).
    LocalPart,
    /// Neither: the person types it.
    Typed,
}

impl UsernameForm {
    pub const ALL: [UsernameForm; 3] = [
        UsernameForm::EmailAddress,
        UsernameForm::LocalPart,
        UsernameForm::Typed,
    ];

    /// The name the document and the API use: `email_address`, `local_part` or `typed`.
    pub fn as_str(self) -> &'static str {
        match self {
            UsernameForm::EmailAddress => "email_address",
            UsernameForm::LocalPart => "local_part",
            UsernameForm::Typed => "typed",
        }
    }

    /// The form named by [`UsernameForm::as_str`].
    pub fn from_name(name: &str) -> Option<UsernameForm> {
        UsernameForm::ALL
            .into_iter()
            .find(|form| form.as_str() == name)
    }

    /// The username of the person with `address`; `None` when they type it.
    pub fn username_for(self, address: &crate::EmailAddress) -> Option<String> {
        match self {
            UsernameForm::EmailAddress => Some(address.to_string()),
            UsernameForm::LocalPart => Some(address.local_part().to_owned()),
            UsernameForm::Typed => None,
        }
    }
}

/// Exchange Web Services.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExchangeSettings {
    /// The EWS address ("Exchange URL").
    pub url: ExchangeUrl,
    /// How the EWS server's certificate is trusted.
    #[serde(default)]
    pub certificate_trust: CertificateTrust,
}

impl ExchangeSettings {
    /// `url`, with its certificate verified against the trusted roots (the default).
    pub fn verified(url: ExchangeUrl) -> ExchangeSettings {
        ExchangeSettings {
            url,
            certificate_trust: CertificateTrust::Verified,
        }
    }
}

/// How people of one domain connect their inbox. Serialised with a `type` tag:
/// `{"type": "imap", "incoming": …}` or `{"type": "exchange", "url": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Connection {
    Imap(ImapSettings),
    Exchange(ExchangeSettings),
}

/// Which kind of [`Connection`] a domain has, without the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    Imap,
    Exchange,
}

impl ConnectionKind {
    /// The stored form: `imap` or `exchange`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imap => "imap",
            Self::Exchange => "exchange",
        }
    }
}

impl fmt::Display for ConnectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Imap => "IMAP",
            Self::Exchange => "Exchange",
        })
    }
}

/// A warning about one field of a [`Connection`]. The message and code are those of the
/// warning inside; [`ConnectionWarning::field`] says which form field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
pub enum ConnectionWarning {
    #[error(transparent)]
    Incoming(EndpointWarning),
    #[error(transparent)]
    Outgoing(EndpointWarning),
    #[error(transparent)]
    Exchange(ExchangeUrlWarning),
}

impl ConnectionWarning {
    /// The field the warning concerns, as named in the stored document: `incoming`, `outgoing`
    /// or `url`.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Incoming(_) => "incoming",
            Self::Outgoing(_) => "outgoing",
            Self::Exchange(_) => "url",
        }
    }
}

impl Problem for ConnectionWarning {
    fn code(&self) -> &'static str {
        match self {
            Self::Incoming(warning) | Self::Outgoing(warning) => warning.code(),
            Self::Exchange(warning) => warning.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Incoming(warning) | Self::Outgoing(warning) => warning.params(),
            Self::Exchange(warning) => warning.params(),
        }
    }
}

impl Connection {
    /// IMAP or Exchange.
    pub fn kind(&self) -> ConnectionKind {
        match self {
            Self::Imap(_) => ConnectionKind::Imap,
            Self::Exchange(_) => ConnectionKind::Exchange,
        }
    }

    /// How the certificates of the servers these settings name are trusted.
    pub fn certificate_trust(&self) -> &CertificateTrust {
        match self {
            Self::Imap(settings) => &settings.certificate_trust,
            Self::Exchange(settings) => &settings.certificate_trust,
        }
    }

    /// The same settings with `trust` instead of their own.
    pub fn with_certificate_trust(mut self, trust: CertificateTrust) -> Connection {
        match &mut self {
            Self::Imap(settings) => settings.certificate_trust = trust,
            Self::Exchange(settings) => settings.certificate_trust = trust,
        }
        self
    }

    /// Every warning about these settings, incoming before outgoing.
    pub fn warnings(&self) -> Vec<ConnectionWarning> {
        match self {
            Self::Imap(settings) => settings
                .incoming
                .warnings(Protocol::Imap)
                .into_iter()
                .map(ConnectionWarning::Incoming)
                .chain(
                    settings
                        .outgoing
                        .warnings(Protocol::Smtp)
                        .into_iter()
                        .map(ConnectionWarning::Outgoing),
                )
                .collect(),
            Self::Exchange(settings) => settings
                .url
                .warnings()
                .into_iter()
                .map(ConnectionWarning::Exchange)
                .collect(),
        }
    }
}

impl From<ImapSettings> for Connection {
    fn from(settings: ImapSettings) -> Self {
        Self::Imap(settings)
    }
}

impl From<ExchangeSettings> for Connection {
    fn from(settings: ExchangeSettings) -> Self {
        Self::Exchange(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Host, HostWarning};
    use crate::port::Port;
    use crate::security::Security;

    fn imap(incoming_port: u16, outgoing_port: u16) -> Connection {
        Connection::Imap(ImapSettings {
            incoming: Endpoint {
                host: Host::parse("imap.example.com").unwrap(),
                port: Port::new(incoming_port).unwrap(),
                security: Security::SslTls,
            },
            outgoing: Endpoint {
                host: Host::parse("smtp.example.com").unwrap(),
                port: Port::new(outgoing_port).unwrap(),
                security: Security::SslTls,
            },
            certificate_trust: CertificateTrust::Verified,
            username: UsernameForm::EmailAddress,
        })
    }

    fn exchange(url: &str) -> Connection {
        Connection::Exchange(ExchangeSettings::verified(ExchangeUrl::parse(url).unwrap()))
    }

    #[test]
    fn kind_and_display() {
        assert_eq!(imap(993, 465).kind(), ConnectionKind::Imap);
        assert_eq!(
            exchange("https://mail.example.com/EWS/Exchange.asmx").kind(),
            ConnectionKind::Exchange
        );
        assert_eq!(ConnectionKind::Imap.to_string(), "IMAP");
        assert_eq!(ConnectionKind::Exchange.to_string(), "Exchange");
        assert_eq!(ConnectionKind::Exchange.as_str(), "exchange");
    }

    #[test]
    fn warnings_name_their_field() {
        assert!(imap(993, 465).warnings().is_empty());
        let warnings = imap(993, 25).warnings();
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0],
            ConnectionWarning::Outgoing(EndpointWarning::SmtpPort25)
        );
        assert_eq!(warnings[0].field(), "outgoing");
        assert_eq!(warnings[0].code(), "endpoint.smtp_port_25");

        let warnings = imap(587, 465).warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings.iter().all(|w| w.field() == "incoming"));

        let warnings = exchange("https://outlook.office365.com/EWS/Exchange.asmx").warnings();
        assert_eq!(
            warnings,
            vec![ConnectionWarning::Exchange(
                ExchangeUrlWarning::ExchangeOnline
            )]
        );
        assert_eq!(warnings[0].field(), "url");

        let warnings = exchange("https://localhost/EWS/Exchange.asmx").warnings();
        assert_eq!(
            warnings,
            vec![ConnectionWarning::Exchange(ExchangeUrlWarning::Host(
                HostWarning::InternalName
            ))]
        );
    }

    #[test]
    fn serde_is_tagged_by_type() {
        let connection = exchange("https://mail.example.com/EWS/Exchange.asmx");
        let json = serde_json::to_string(&connection).unwrap();
        assert_eq!(
            json,
            r#"{"type":"exchange","url":"https://mail.example.com/EWS/Exchange.asmx","certificate_trust":{"mode":"verified"}}"#
        );
        assert_eq!(
            serde_json::from_str::<Connection>(&json).unwrap(),
            connection
        );
        let connection = imap(993, 465);
        let json = serde_json::to_string(&connection).unwrap();
        assert!(json.starts_with(r#"{"type":"imap","incoming":{"host":"imap.example.com""#));
        assert_eq!(
            serde_json::from_str::<Connection>(&json).unwrap(),
            connection
        );
    }

    #[test]
    fn both_kinds_carry_their_certificate_trust() {
        let pins = crate::SpkiPins::new([crate::SpkiPin::from_sha256([7; 32])]).unwrap();
        let pinned = CertificateTrust::pinned(pins);
        for connection in [
            imap(993, 465),
            exchange("https://mail.example.com/EWS/Exchange.asmx"),
        ] {
            assert_eq!(connection.certificate_trust(), &CertificateTrust::Verified);
            let changed = connection.with_certificate_trust(pinned.clone());
            assert_eq!(changed.certificate_trust(), &pinned);
            let json = serde_json::to_value(&changed).unwrap();
            assert_eq!(json["certificate_trust"]["mode"], "pinned");
            assert_eq!(serde_json::from_value::<Connection>(json).unwrap(), changed);
        }
    }
}
