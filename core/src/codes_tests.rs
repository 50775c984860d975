//! Crate-wide checks of the [`Problem`] convention: every error and warning variant has its own
//! code in `area.snake_case` form, and a non-empty English message.
//!
//! The `exhaustive_*` functions match without wildcards, so adding a variant fails to compile
//! until it is added to [`every_problem`] too.

use std::collections::BTreeMap;

use crate::formats::csv::CsvError;
use crate::formats::{AutoconfigError, AutoconfigRefusal};
use crate::*;

/// One instance of every leaf variant (wrapper variants delegate to these and are checked in
/// [`wrappers_delegate_code_params_and_message`]).
fn every_problem() -> Vec<Box<dyn Problem>> {
    let port = Port::IMAP_SSL;
    let listed: Vec<Box<dyn Problem>> = vec![
        Box::new(NameError::InvalidCharacter { character: '_' }),
        Box::new(NameError::ContainsSpace),
        Box::new(NameError::InvalidInternationalName),
        Box::new(NameError::EmptyLabel),
        Box::new(NameError::LabelTooLong {
            label: "a".repeat(64),
            length: 64,
        }),
        Box::new(NameError::TooLong { length: 254 }),
        Box::new(NameError::HyphenAtLabelEdge { label: "-a".into() }),
        Box::new(NameError::NumericTopLevel),
        Box::new(DomainError::Empty),
        Box::new(DomainError::LooksLikeEmail {
            suggestion: Some("example.com".into()),
        }),
        Box::new(DomainError::ContainsSpace),
        Box::new(DomainError::SingleLabel {
            label: "localhost".into(),
        }),
        Box::new(DomainError::IpAddress),
        Box::new(HostError::Empty),
        Box::new(HostError::IncludesScheme),
        Box::new(HostError::IncludesPort { port: "993".into() }),
        Box::new(HostError::LooksLikeEmail),
        Box::new(HostError::InvalidIpv4),
        Box::new(HostError::InvalidIpv6),
        Box::new(HostError::Ipv6ZoneIndex),
        Box::new(HostWarning::PrivateAddress),
        Box::new(HostWarning::LoopbackAddress),
        Box::new(HostWarning::LinkLocalAddress),
        Box::new(HostWarning::UnspecifiedAddress),
        Box::new(HostWarning::SingleLabelName),
        Box::new(HostWarning::InternalName),
        Box::new(PortError::Empty),
        Box::new(PortError::Zero),
        Box::new(PortError::TooLarge),
        Box::new(PortError::NotANumber),
        Box::new(SecurityError::Unknown),
        Box::new(EndpointWarning::SecurityPortMismatch {
            security: Security::StartTls,
            port,
            suggested: Security::SslTls,
        }),
        Box::new(EndpointWarning::SmtpPort25),
        Box::new(EndpointWarning::PortForOtherProtocol {
            protocol: Protocol::Smtp,
            port,
            usual_protocol: Protocol::Imap,
        }),
        Box::new(ExchangeUrlError::Empty),
        Box::new(ExchangeUrlError::JavascriptScheme),
        Box::new(ExchangeUrlError::ContainsSpace),
        Box::new(ExchangeUrlError::NotHttps {
            suggestion: "https://mail.example.com/EWS/Exchange.asmx".into(),
        }),
        Box::new(ExchangeUrlError::UnsupportedScheme {
            scheme: "ftp".into(),
        }),
        Box::new(ExchangeUrlError::MissingScheme {
            suggestion: "https://mail.example.com/EWS/Exchange.asmx".into(),
        }),
        Box::new(ExchangeUrlError::RelativeUrl),
        Box::new(ExchangeUrlError::MissingSlashes),
        Box::new(ExchangeUrlError::InvalidPort),
        Box::new(ExchangeUrlError::Credentials),
        Box::new(ExchangeUrlError::Fragment),
        Box::new(ExchangeUrlError::OutlookWebApp {
            suggestion: "https://mail.example.com/EWS/Exchange.asmx".into(),
        }),
        Box::new(ExchangeUrlError::Invalid),
        Box::new(ExchangeUrlWarning::UnusualPath { expected: EWS_PATH }),
        Box::new(ExchangeUrlWarning::ExchangeOnline),
        Box::new(EmailError::Empty),
        Box::new(EmailError::MissingAt),
        Box::new(EmailError::MultipleAt),
        Box::new(EmailError::EmptyLocalPart),
        Box::new(EmailError::LocalPartTooLong),
        Box::new(EmailError::InvalidLocalPart { character: ',' }),
        Box::new(EmailError::LocalPartDots),
        Box::new(BookError::AlreadyConfigured {
            domain: example(),
            kind: ConnectionKind::Imap,
        }),
        Box::new(BookError::KindConflict {
            domain: example(),
            existing: ConnectionKind::Imap,
        }),
        Box::new(BookError::NotFound { domain: example() }),
        Box::new(BookError::StaleRevision {
            domain: example(),
            expected: 1,
            actual: 2,
        }),
        Box::new(CidrError::Empty),
        Box::new(CidrError::PrefixOutOfRange { max: 32 }),
        Box::new(CidrError::HostBitsSet {
            network: "143.244.82.0/24".into(),
        }),
        Box::new(CidrError::Invalid),
        Box::new(IpAddressError::Empty),
        Box::new(IpAddressError::Invalid),
        Box::new(AllowlistError::NoGroups),
        Box::new(AllowlistError::UnnamedGroup { position: 2 }),
        Box::new(AllowlistError::EmptyGroup {
            group: "Office relays".into(),
        }),
        Box::new(DocumentError::NotJson { line: 1, column: 2 }),
        Box::new(DocumentError::NotADocument),
        Box::new(DocumentError::NewerVersion { found: 2 }),
        Box::new(DocumentError::UnsupportedVersion { found: 0 }),
        Box::new(DocumentError::DomainsNotAList),
        Box::new(StoredEntryError::NotAnObject),
        Box::new(StoredEntryError::MissingField),
        Box::new(StoredEntryError::WrongType { expected: "text" }),
        Box::new(StoredEntryError::UnknownType {
            found: "pop3".into(),
        }),
        Box::new(StoredEntryError::ConflictingField),
        Box::new(StoredEntryError::InvalidRevision),
        Box::new(StoredEntryError::DuplicateDomain),
        Box::new(StoredEntryError::UnknownField),
        Box::new(StoredEntryError::UnknownUsernameForm {
            found: "nickname".into(),
        }),
        Box::new(crate::wire::WireError::NotJson { line: 1, column: 2 }),
        Box::new(crate::wire::WireError::Invalid(Vec::new())),
        Box::new(crate::wire::RequestError::DomainMismatch {
            body: "a.example".into(),
            path: "b.example".into(),
        }),
        Box::new(CredentialError::EmptyUsername),
        Box::new(CredentialError::UsernameControlCharacter),
        Box::new(CredentialError::EmptyPassword),
        Box::new(AutoconfigError::TooLarge { size_kib: 300 }),
        Box::new(AutoconfigError::Dtd),
        Box::new(AutoconfigError::NotXml { line: 3, column: 7 }),
        Box::new(AutoconfigError::NotAutoconfig),
        Box::new(AutoconfigError::NoDomain),
        Box::new(AutoconfigError::InvalidDomain {
            domain: "not a domain".into(),
        }),
        Box::new(AutoconfigRefusal::NoImap),
        Box::new(AutoconfigRefusal::NoSmtp),
        Box::new(AutoconfigRefusal::NoPasswordAuth {
            protocol: Protocol::Imap,
            methods: "OAuth2".into(),
        }),
        Box::new(AutoconfigRefusal::PlaceholderHost {
            protocol: Protocol::Imap,
            host: "%EMAILDOMAIN%".into(),
        }),
        Box::new(AutoconfigRefusal::PlainSocket {
            protocol: Protocol::Smtp,
        }),
        Box::new(AutoconfigRefusal::UnknownSocket {
            protocol: Protocol::Imap,
            socket_type: "TLS".into(),
        }),
        Box::new(AutoconfigRefusal::InvalidHost {
            protocol: Protocol::Imap,
            host: "imap example.com".into(),
        }),
        Box::new(AutoconfigRefusal::InvalidPort {
            protocol: Protocol::Smtp,
            port: "99999".into(),
        }),
        Box::new(AutoconfigRefusal::MissingField {
            protocol: Protocol::Imap,
            field: "hostname",
        }),
        Box::new(AutoconfigRefusal::UsernameMismatch),
        Box::new(CsvError::NotCsv { line: 4 }),
        Box::new(CsvError::MissingColumn { column: "domain" }),
        Box::new(crate::import::ImportRefusal::Repeated { domain: example() }),
        Box::new(CertificateTrustError::PinNotHex { character: ':' }),
        Box::new(CertificateTrustError::PinWrongLength { length: 40 }),
        Box::new(CertificateTrustError::NoPins),
        Box::new(CertificateTrustError::UnknownMode {
            found: "insecure".into(),
        }),
        Box::new(CertificateTrustError::PinsWithoutPinning),
        Box::new(CertificateTrustError::DisagreesWithInsecureFlag {
            flag: true,
            mode: "pinned",
        }),
    ];
    listed
        .into_iter()
        // The connection check's codes (`wire::check`).
        .chain(crate::wire::CheckCode::ALL.map(|code| Box::new(code) as Box<dyn Problem>))
        .collect()
}

fn example() -> Domain {
    Domain::parse("example.com").unwrap()
}

#[test]
fn every_code_is_unique_and_well_formed() {
    let problems = every_problem();
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for problem in &problems {
        let code = problem.code();
        if let Some(previous) = seen.insert(code, problem.to_string()) {
            panic!("code {code} is used twice: {previous:?} and {problem}");
        }
        let (area, name) = code
            .split_once('.')
            .unwrap_or_else(|| panic!("{code} has no area"));
        for part in [area, name] {
            assert!(
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{code} is not area.snake_case"
            );
        }
    }
    assert_eq!(seen.len(), problems.len());
    // 141 leaf variants today (134, then check.certificate_pin_mismatch and the six
    // certificate_trust.* codes); update when adding one.
    assert_eq!(seen.len(), 141);
}

#[test]
fn every_message_is_a_sentence_and_params_are_named() {
    for problem in every_problem() {
        let message = problem.to_string();
        assert!(
            !message.trim().is_empty(),
            "{} has no message",
            problem.code()
        );
        assert!(
            message.ends_with('.'),
            "{}: {message:?} should be a full sentence",
            problem.code()
        );
        let params = problem.params();
        for (name, value) in &params {
            assert!(
                !name.is_empty() && !value.is_empty(),
                "{}: {params:?}",
                problem.code()
            );
        }
    }
}

#[test]
fn wrappers_delegate_code_params_and_message() {
    let name = NameError::HyphenAtLabelEdge { label: "-a".into() };
    let wrapped: Vec<Box<dyn Problem>> = vec![
        Box::new(DomainError::Name(name.clone())),
        Box::new(HostError::Name(name.clone())),
        Box::new(ExchangeUrlError::InvalidHost(HostError::Name(name.clone()))),
        Box::new(EmailError::Domain(DomainError::Name(name.clone()))),
    ];
    for problem in wrapped {
        assert_eq!(problem.code(), name.code());
        assert_eq!(problem.params(), name.params());
        assert_eq!(problem.to_string(), name.to_string());
    }
    let host_warning = HostWarning::PrivateAddress;
    let wrapped: Vec<Box<dyn Problem>> = vec![
        Box::new(EndpointWarning::Host(host_warning)),
        Box::new(ExchangeUrlWarning::Host(host_warning)),
        Box::new(ConnectionWarning::Incoming(EndpointWarning::Host(
            host_warning,
        ))),
        Box::new(ConnectionWarning::Outgoing(EndpointWarning::Host(
            host_warning,
        ))),
        Box::new(ConnectionWarning::Exchange(ExchangeUrlWarning::Host(
            host_warning,
        ))),
    ];
    for problem in wrapped {
        assert_eq!(problem.code(), host_warning.code());
        assert_eq!(problem.to_string(), host_warning.to_string());
    }
    let allowlist = AllowlistError::InvalidRange {
        group: "Office relays".into(),
        value: "192.0.2.7/24".into(),
        error: CidrError::HostBitsSet {
            network: "192.0.2.0/24".into(),
        },
    };
    assert_eq!(allowlist.code(), "cidr.host_bits_set");
    assert_eq!(
        allowlist.params(),
        vec![
            ("group", "Office relays".to_owned()),
            ("value", "192.0.2.7/24".to_owned()),
            ("network", "192.0.2.0/24".to_owned()),
        ]
    );
}

/// Fails to compile when a variant is added without being listed in [`every_problem`].
#[expect(dead_code, reason = "never called: it exists to be type-checked")]
#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per enum keeps every exhaustive match in one place"
)]
fn exhaustive(
    name: NameError,
    domain: DomainError,
    host: HostError,
    host_warning: HostWarning,
    port: PortError,
    security: SecurityError,
    endpoint: EndpointWarning,
    exchange: ExchangeUrlError,
    exchange_warning: ExchangeUrlWarning,
    email: EmailError,
    book: BookError,
    cidr: CidrError,
    ip: IpAddressError,
    allowlist: AllowlistError,
    document: DocumentError,
    stored: StoredEntryError,
    connection: ConnectionWarning,
    credentials: CredentialError,
    wire: crate::wire::WireError,
    request: crate::wire::RequestError,
    autoconfig: AutoconfigError,
    autoconfig_refusal: AutoconfigRefusal,
    csv: CsvError,
    import: crate::import::ImportRefusal,
    trust: CertificateTrustError,
) {
    use CertificateTrustError as T;
    match trust {
        T::PinNotHex { .. }
        | T::PinWrongLength { .. }
        | T::NoPins
        | T::UnknownMode { .. }
        | T::PinsWithoutPinning
        | T::DisagreesWithInsecureFlag { .. } => {}
    }
    match csv {
        CsvError::NotCsv { .. } | CsvError::MissingColumn { .. } => {}
    }
    match import {
        crate::import::ImportRefusal::Book(_) | crate::import::ImportRefusal::Repeated { .. } => {}
    }
    use NameError as N;
    match name {
        N::InvalidCharacter { .. }
        | N::ContainsSpace
        | N::InvalidInternationalName
        | N::EmptyLabel
        | N::LabelTooLong { .. }
        | N::TooLong { .. }
        | N::HyphenAtLabelEdge { .. }
        | N::NumericTopLevel => {}
    }
    use DomainError as D;
    match domain {
        D::Empty
        | D::LooksLikeEmail { .. }
        | D::ContainsSpace
        | D::SingleLabel { .. }
        | D::IpAddress
        | D::Name(_) => {}
    }
    use HostError as H;
    match host {
        H::Empty
        | H::IncludesScheme
        | H::IncludesPort { .. }
        | H::LooksLikeEmail
        | H::InvalidIpv4
        | H::InvalidIpv6
        | H::Ipv6ZoneIndex
        | H::Name(_) => {}
    }
    use HostWarning as HW;
    match host_warning {
        HW::PrivateAddress
        | HW::LoopbackAddress
        | HW::LinkLocalAddress
        | HW::UnspecifiedAddress
        | HW::SingleLabelName
        | HW::InternalName => {}
    }
    match port {
        PortError::Empty | PortError::Zero | PortError::TooLarge | PortError::NotANumber => {}
    }
    match security {
        SecurityError::Unknown => {}
    }
    use EndpointWarning as EW;
    match endpoint {
        EW::Host(_)
        | EW::SecurityPortMismatch { .. }
        | EW::SmtpPort25
        | EW::PortForOtherProtocol { .. } => {}
    }
    use ExchangeUrlError as X;
    match exchange {
        X::Empty
        | X::JavascriptScheme
        | X::ContainsSpace
        | X::NotHttps { .. }
        | X::UnsupportedScheme { .. }
        | X::MissingScheme { .. }
        | X::RelativeUrl
        | X::MissingSlashes
        | X::InvalidHost(_)
        | X::InvalidPort
        | X::Credentials
        | X::Fragment
        | X::OutlookWebApp { .. }
        | X::Invalid => {}
    }
    use ExchangeUrlWarning as XW;
    match exchange_warning {
        XW::UnusualPath { .. } | XW::ExchangeOnline | XW::Host(_) => {}
    }
    use EmailError as E;
    match email {
        E::Empty
        | E::MissingAt
        | E::MultipleAt
        | E::EmptyLocalPart
        | E::LocalPartTooLong
        | E::InvalidLocalPart { .. }
        | E::LocalPartDots
        | E::Domain(_) => {}
    }
    use BookError as B;
    match book {
        B::AlreadyConfigured { .. }
        | B::KindConflict { .. }
        | B::NotFound { .. }
        | B::StaleRevision { .. } => {}
    }
    use CidrError as C;
    match cidr {
        C::Empty | C::PrefixOutOfRange { .. } | C::HostBitsSet { .. } | C::Invalid => {}
    }
    match ip {
        IpAddressError::Empty | IpAddressError::Invalid => {}
    }
    match allowlist {
        AllowlistError::NoGroups
        | AllowlistError::UnnamedGroup { .. }
        | AllowlistError::EmptyGroup { .. }
        | AllowlistError::InvalidRange { .. } => {}
    }
    use DocumentError as Doc;
    match document {
        Doc::NotJson { .. }
        | Doc::NotADocument
        | Doc::NewerVersion { .. }
        | Doc::UnsupportedVersion { .. }
        | Doc::DomainsNotAList => {}
    }
    use StoredEntryError as S;
    match stored {
        S::NotAnObject
        | S::MissingField
        | S::WrongType { .. }
        | S::UnknownType { .. }
        | S::ConflictingField
        | S::InvalidRevision
        | S::DuplicateDomain
        | S::UnknownField
        | S::UnknownUsernameForm { .. } => {}
    }
    use ConnectionWarning as CW;
    match connection {
        CW::Incoming(_) | CW::Outgoing(_) | CW::Exchange(_) => {}
    }
    use CredentialError as Cr;
    match credentials {
        Cr::EmptyUsername | Cr::UsernameControlCharacter | Cr::EmptyPassword => {}
    }
    use crate::wire::WireError as W;
    match wire {
        W::NotJson { .. } | W::Invalid(_) => {}
    }
    match request {
        crate::wire::RequestError::DomainMismatch { .. } => {}
    }
    use AutoconfigError as A;
    match autoconfig {
        A::TooLarge { .. }
        | A::Dtd
        | A::NotXml { .. }
        | A::NotAutoconfig
        | A::NoDomain
        | A::InvalidDomain { .. } => {}
    }
    use AutoconfigRefusal as AR;
    match autoconfig_refusal {
        AR::NoImap
        | AR::NoSmtp
        | AR::NoPasswordAuth { .. }
        | AR::PlaceholderHost { .. }
        | AR::PlainSocket { .. }
        | AR::UnknownSocket { .. }
        | AR::InvalidHost { .. }
        | AR::InvalidPort { .. }
        | AR::MissingField { .. }
        | AR::UsernameMismatch => {}
    }
}
