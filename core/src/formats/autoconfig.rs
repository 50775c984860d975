//! Thunderbird's autoconfig format, `config-v1.1.xml` (the format of its provider database,
//! ISPDB): [`read_autoconfig`] turns a provider's file into domains and [`ImapSettings`], and
//! [`write_autoconfig`] writes a domain's settings as such a file.
//!
//! Owns: which parts of the format mailsetup reads (the first `<emailProvider>`: its
//! `<domain>`s, `<displayName>`, IMAP `<incomingServer>`s and SMTP `<outgoingServer>`s) and how
//! they map to core's values: the choice among several servers, `socketType`, the `<username>`
//! placeholders, password authentication; the reasons a provider's servers cannot be used; and
//! the XML safety limits (at most [`AUTOCONFIG_MAX_BYTES`], no document type or entity
//! declarations, no entities but XML's five and character references).
//! Must not: judge domains, hosts or ports itself (`Domain::parse`, `Host::parse` and
//! `Port::parse` do, so an imported value obeys the same rules as a typed one), follow anything
//! out of the file, or touch the book.
//!
//! Two kinds of failure, two types: [`AutoconfigError`] when the file cannot be read at all
//! (nothing to show but the error), and [`AutoconfigRefusal`] when the file names its domains
//! but its servers cannot be used. The refusal sits in [`AutoconfigProvider::imap`], beside the
//! domains, so an import preview can name every domain and say why it will not be imported.

use std::fmt::Write as _;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use thiserror::Error;

use crate::certificate_trust::CertificateTrust;
use crate::domain::{Domain, DomainError};
use crate::host::Host;
use crate::port::Port;
use crate::problem::Problem;
use crate::security::{Endpoint, Protocol, Security};

use super::xml_text::{append_text, declares_dtd, escape, line_and_column};
use crate::settings::{ImapSettings, UsernameForm};

/// The largest file [`read_autoconfig`] reads: 256 KiB. ISPDB's largest file is under 9 KiB.
pub const AUTOCONFIG_MAX_BYTES: usize = 256 * 1024;

/// Longest file text quoted in a problem's params; longer text is cut with "…".
const QUOTE_MAX_CHARS: usize = 80;

/// `<authentication>` values that mean "sign in with a password". `plain` and `secure` are
/// the deprecated names for the first two that Thunderbird's reader still accepts.
const PASSWORD_METHODS: [&str; 4] = [
    "password-cleartext",
    "password-encrypted",
    "plain",
    "secure",
];

/// The username placeholders of the format, as [`UsernameForm`]s.
const EMAIL_ADDRESS: &str = "%EMAILADDRESS%";
const EMAIL_LOCAL_PART: &str = "%EMAILLOCALPART%";

/// What a `config-v1.1.xml` file says about one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoconfigProvider {
    /// Every `<domain>` that is a valid domain, in file order, each once. Never empty.
    pub domains: Vec<Domain>,
    /// Every `<domain>` that is not a valid domain, in file order, with the reason; empty ones
    /// are left out.
    pub rejected_domains: Vec<RejectedDomain>,
    /// `<displayName>`, trimmed; `None` when absent or blank.
    pub display_name: Option<String>,
    /// The IMAP and SMTP servers as settings, or why they cannot be used. The format has no
    /// "allow insecure certificates", so it is always `false` here.
    pub imap: Result<ImapSettings, AutoconfigRefusal>,
}

/// A `<domain>` whose text is not a valid domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedDomain {
    /// The text as written in the file, trimmed.
    pub text: String,
    /// Why [`Domain::parse`] refused it.
    pub error: DomainError,
}

/// Why a file cannot be read as a Thunderbird settings file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AutoconfigError {
    #[error(
        "This file is {size_kib} KiB, and a Thunderbird settings file (config-v1.1.xml) is at most 256 KiB. Check that you chose the provider's config-v1.1.xml file."
    )]
    TooLarge { size_kib: usize },
    #[error(
        "This file declares a document type or entities (<!DOCTYPE or <!ENTITY), which settings files never do and which can make a file grow without end, so it was not read. Remove that part, or choose the provider's config-v1.1.xml file."
    )]
    Dtd,
    #[error(
        "This file is not valid XML (line {line}, column {column}). Choose the provider's config-v1.1.xml file, or correct the file at that place."
    )]
    NotXml { line: usize, column: usize },
    #[error(
        "This XML file is not a Thunderbird settings file: it has no <clientConfig> with an <emailProvider>. Choose the provider's config-v1.1.xml file."
    )]
    NotAutoconfig,
    #[error(
        "This settings file names no e-mail domain. Add one to its <emailProvider>, such as <domain>example.com</domain>, or enter the settings by hand."
    )]
    NoDomain,
    #[error(
        "The settings file's domain \"{domain}\" is not a valid domain. Correct it in the file, such as <domain>example.com</domain>, or enter the settings by hand."
    )]
    InvalidDomain { domain: String },
}

impl Problem for AutoconfigError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "autoconfig.too_large",
            Self::Dtd => "autoconfig.dtd",
            Self::NotXml { .. } => "autoconfig.not_xml",
            Self::NotAutoconfig => "autoconfig.not_autoconfig",
            Self::NoDomain => "autoconfig.no_domain",
            Self::InvalidDomain { .. } => "autoconfig.invalid_domain",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::TooLarge { size_kib } => vec![("size_kib", size_kib.to_string())],
            Self::NotXml { line, column } => {
                vec![("line", line.to_string()), ("column", column.to_string())]
            }
            Self::InvalidDomain { domain } => vec![("domain", domain.clone())],
            Self::Dtd | Self::NotAutoconfig | Self::NoDomain => Vec::new(),
        }
    }
}

/// Why a provider's servers cannot become [`ImapSettings`]. The first reason found is given,
/// IMAP before SMTP.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AutoconfigRefusal {
    #[error(
        "This provider offers no IMAP server (only POP3 or other kinds), and inboxes are connected with IMAP. Ask the provider for IMAP settings, or enter them by hand."
    )]
    NoImap,
    #[error(
        "This provider's settings file has no SMTP server for sending mail. Ask the provider for SMTP settings, or enter them by hand."
    )]
    NoSmtp,
    #[error(
        "The provider's {protocol} server accepts only {methods} sign-in, not a password, and inboxes are connected with a password. Ask the provider for a server that accepts passwords, or enter one by hand."
    )]
    NoPasswordAuth { protocol: Protocol, methods: String },
    #[error(
        "The provider's {protocol} server \"{host}\" depends on each person's address (it contains a placeholder such as %EMAILDOMAIN%). Enter your domain's server by hand, such as mail.example.com."
    )]
    PlaceholderHost { protocol: Protocol, host: String },
    #[error(
        "The provider's {protocol} server is offered only without encryption, and SSL/TLS or STARTTLS is required. Ask the provider for an encrypted server, or enter one by hand."
    )]
    PlainSocket { protocol: Protocol },
    #[error(
        "The provider's {protocol} server has an unknown encryption \"{socket_type}\"; the file should say SSL or STARTTLS. Correct the file, or enter the settings by hand."
    )]
    UnknownSocket {
        protocol: Protocol,
        socket_type: String,
    },
    #[error(
        "The provider's {protocol} server \"{host}\" is not a valid server name. Correct it in the file, such as mail.example.com, or enter the settings by hand."
    )]
    InvalidHost { protocol: Protocol, host: String },
    #[error(
        "The provider's {protocol} port \"{port}\" is not a number between 1 and 65535. Correct it in the file, such as 993, or enter the settings by hand."
    )]
    InvalidPort { protocol: Protocol, port: String },
    #[error(
        "The provider's {protocol} server has no <{field}>. Add it to the file, or enter the settings by hand."
    )]
    MissingField {
        protocol: Protocol,
        field: &'static str,
    },
    #[error(
        "The provider's IMAP and SMTP servers take different usernames (for example the whole address for one and only the part before the @ for the other), and one username is used for both. Enter the settings by hand and check the username with the provider."
    )]
    UsernameMismatch,
}

impl Problem for AutoconfigRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::NoImap => "autoconfig.no_imap",
            Self::NoSmtp => "autoconfig.no_smtp",
            Self::NoPasswordAuth { .. } => "autoconfig.no_password_auth",
            Self::PlaceholderHost { .. } => "autoconfig.placeholder_host",
            Self::PlainSocket { .. } => "autoconfig.plain_socket",
            Self::UnknownSocket { .. } => "autoconfig.unknown_socket",
            Self::InvalidHost { .. } => "autoconfig.invalid_host",
            Self::InvalidPort { .. } => "autoconfig.invalid_port",
            Self::MissingField { .. } => "autoconfig.missing_field",
            Self::UsernameMismatch => "autoconfig.username_mismatch",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NoPasswordAuth { protocol, methods } => {
                vec![
                    ("protocol", protocol.to_string()),
                    ("methods", methods.clone()),
                ]
            }
            Self::PlaceholderHost { protocol, host } | Self::InvalidHost { protocol, host } => {
                vec![("protocol", protocol.to_string()), ("host", host.clone())]
            }
            Self::PlainSocket { protocol } => vec![("protocol", protocol.to_string())],
            Self::UnknownSocket {
                protocol,
                socket_type,
            } => vec![
                ("protocol", protocol.to_string()),
                ("socket_type", socket_type.clone()),
            ],
            Self::InvalidPort { protocol, port } => {
                vec![("protocol", protocol.to_string()), ("port", port.clone())]
            }
            Self::MissingField { protocol, field } => {
                vec![
                    ("protocol", protocol.to_string()),
                    ("field", (*field).to_owned()),
                ]
            }
            Self::NoImap | Self::NoSmtp | Self::UsernameMismatch => Vec::new(),
        }
    }
}

/// Reads a provider's `config-v1.1.xml`.
///
/// Refuses, before parsing, text over [`AUTOCONFIG_MAX_BYTES`] and text containing `<!DOCTYPE`
/// or `<!ENTITY` anywhere (even in a comment: ISPDB files never have them, and an entity
/// declaration is how an "XML bomb" grows). Only the first `<emailProvider>` is read (the
/// format has one per file).
///
/// Among several IMAP servers (and likewise SMTP) the first usable one in this order of
/// preference is taken: SSL, then STARTTLS, then any other, file order within each (Thunderbird
/// itself takes the first valid one in file order; preferring implicit TLS picks the same
/// server for every ISPDB file). When none is usable, the refusal is that of the most preferred
/// one. The username form is the IMAP server's (`%EMAILADDRESS%`, `%EMAILLOCALPART%`, anything
/// else or none: typed); an SMTP server without `<username>` takes the IMAP server's, and one
/// with a different form is refused, because [`ImapSettings`] has one form for both.
pub fn read_autoconfig(xml: &str) -> Result<AutoconfigProvider, AutoconfigError> {
    if xml.len() > AUTOCONFIG_MAX_BYTES {
        return Err(AutoconfigError::TooLarge {
            size_kib: xml.len().div_ceil(1024),
        });
    }
    if declares_dtd(xml) {
        return Err(AutoconfigError::Dtd);
    }
    let raw = parse(xml)?;
    let mut domains: Vec<Domain> = Vec::new();
    let mut rejected_domains = Vec::new();
    // An empty `<domain/>` names nothing; it is skipped rather than reported as a domain "".
    for text in raw.domains.into_iter().filter(|text| !text.is_empty()) {
        match Domain::parse(&text) {
            Ok(domain) => {
                if !domains.contains(&domain) {
                    domains.push(domain);
                }
            }
            Err(error) => rejected_domains.push(RejectedDomain { text, error }),
        }
    }
    if domains.is_empty() {
        return Err(match rejected_domains.first() {
            Some(rejected) => AutoconfigError::InvalidDomain {
                domain: quote(&rejected.text),
            },
            None => AutoconfigError::NoDomain,
        });
    }
    Ok(AutoconfigProvider {
        domains,
        rejected_domains,
        display_name: raw.display_name.filter(|name| !name.is_empty()),
        imap: settings(&raw.incoming, &raw.outgoing),
    })
}

/// Writes `imap` for `domains` as a `config-v1.1.xml` file that [`read_autoconfig`] reads back
/// to the same domains, display name and settings. The provider's `id` is the first domain.
///
/// Values are XML-escaped; characters XML 1.0 cannot carry at all (most control characters)
/// are left out of the display name. The certificate trust has no place in the format and is not
/// written (a file read back trusts verified certificates). A typed username is written as no `<username>` (there is no placeholder
/// for "the person types it"). With no domains the file names none, and [`read_autoconfig`] refuses
/// it (`autoconfig.no_domain`).
pub fn write_autoconfig(
    domains: &[Domain],
    imap: &ImapSettings,
    display_name: Option<&str>,
) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<clientConfig version=\"1.1\">\n");
    let id = domains.first().map_or("", Domain::as_ascii);
    // `write!` to a String cannot fail; the results are ignored for that reason.
    let _ = writeln!(xml, "  <emailProvider id=\"{}\">", escape(id));
    for domain in domains {
        let _ = writeln!(xml, "    <domain>{}</domain>", escape(domain.as_ascii()));
    }
    let display_name = display_name.map(|name| escape(name.trim()));
    if let Some(name) = display_name.filter(|name| !name.trim().is_empty()) {
        let _ = writeln!(xml, "    <displayName>{name}</displayName>");
        let _ = writeln!(xml, "    <displayShortName>{name}</displayShortName>");
    }
    write_server(
        &mut xml,
        "incomingServer",
        "imap",
        &imap.incoming,
        imap.username,
    );
    write_server(
        &mut xml,
        "outgoingServer",
        "smtp",
        &imap.outgoing,
        imap.username,
    );
    xml.push_str("  </emailProvider>\n</clientConfig>\n");
    xml
}

fn write_server(
    xml: &mut String,
    element: &str,
    kind: &str,
    endpoint: &Endpoint,
    username: UsernameForm,
) {
    let socket_type = match endpoint.security {
        Security::SslTls => "SSL",
        Security::StartTls => "STARTTLS",
    };
    let _ = writeln!(xml, "    <{element} type=\"{kind}\">");
    let _ = writeln!(
        xml,
        "      <hostname>{}</hostname>",
        escape(&endpoint.host.to_string())
    );
    let _ = writeln!(xml, "      <port>{}</port>", endpoint.port);
    let _ = writeln!(xml, "      <socketType>{socket_type}</socketType>");
    let placeholder = match username {
        UsernameForm::EmailAddress => Some(EMAIL_ADDRESS),
        UsernameForm::LocalPart => Some(EMAIL_LOCAL_PART),
        UsernameForm::Typed => None,
    };
    if let Some(placeholder) = placeholder {
        let _ = writeln!(xml, "      <username>{placeholder}</username>");
    }
    let _ = writeln!(
        xml,
        "      <authentication>password-cleartext</authentication>"
    );
    let _ = writeln!(xml, "    </{element}>");
}

/// File text for a problem's params: at most [`QUOTE_MAX_CHARS`] characters.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// One `<incomingServer>` or `<outgoingServer>` as written, values trimmed.
#[derive(Debug, Default)]
struct RawServer {
    /// The `type` attribute: `imap`, `pop3`, `smtp`, `exchange`, ...
    kind: String,
    hostname: Option<String>,
    port: Option<String>,
    socket_type: Option<String>,
    username: Option<String>,
    authentication: Vec<String>,
}

/// The first `<emailProvider>` as written.
#[derive(Debug, Default)]
struct RawProvider {
    domains: Vec<String>,
    display_name: Option<String>,
    incoming: Vec<RawServer>,
    outgoing: Vec<RawServer>,
}

const ROOT: &str = "clientConfig";
const PROVIDER: &str = "emailProvider";
const INCOMING: &str = "incomingServer";
const OUTGOING: &str = "outgoingServer";

/// Reads the parts of the file mailsetup uses, checking that the whole file is well-formed.
/// A streaming pass: the stack of open element names says where each text belongs.
fn parse(xml: &str) -> Result<RawProvider, AutoconfigError> {
    let mut reader = Reader::from_str(xml);
    // `<domain/>` then arrives as a start and an end, like `<domain></domain>`.
    reader.config_mut().expand_empty_elements = true;
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut saw_root = false;
    let mut providers = 0_usize;
    let mut provider = RawProvider::default();
    let mut server: Option<RawServer> = None;
    loop {
        let event_start = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|_| not_xml(xml, reader.error_position()))?;
        append_text(&mut text, &event, reader.buffer_position())
            .map_err(|offset| not_xml(xml, offset))?;
        match event {
            Event::Start(start) => {
                let name = start.name().as_ref().to_owned();
                let in_first_provider = providers == 1 && is_path(&open, &[ROOT, PROVIDER]);
                if open.is_empty() {
                    if saw_root {
                        // A second root element: not well-formed.
                        return Err(not_xml(xml, event_start));
                    }
                    saw_root = true;
                    if name != ROOT {
                        return Err(AutoconfigError::NotAutoconfig);
                    }
                } else if is_path(&open, &[ROOT]) && name == PROVIDER {
                    providers += 1;
                } else if in_first_provider && (name == INCOMING || name == OUTGOING) {
                    server = Some(RawServer {
                        kind: type_attribute(&start).ok_or_else(|| not_xml(xml, event_start))?,
                        ..RawServer::default()
                    });
                }
                open.push(name);
                text.clear();
            }
            Event::End(_) => {
                // Names are matched by the reader (`check_end_names`), so this is the open one.
                let Some(name) = open.pop() else {
                    return Err(not_xml(xml, reader.buffer_position()));
                };
                let value = std::mem::take(&mut text).trim().to_owned();
                if providers != 1 {
                    continue;
                }
                if is_path(&open, &[ROOT, PROVIDER]) {
                    match name.as_str() {
                        "domain" => provider.domains.push(value),
                        "displayName" => provider.display_name = Some(value),
                        INCOMING => provider.incoming.extend(server.take()),
                        OUTGOING => provider.outgoing.extend(server.take()),
                        _ => {}
                    }
                } else if (is_path(&open, &[ROOT, PROVIDER, INCOMING])
                    || is_path(&open, &[ROOT, PROVIDER, OUTGOING]))
                    && let Some(server) = server.as_mut()
                {
                    match name.as_str() {
                        "hostname" => server.hostname = Some(value),
                        "port" => server.port = Some(value),
                        "socketType" => server.socket_type = Some(value),
                        "username" => server.username = Some(value),
                        "authentication" => server.authentication.push(value),
                        _ => {}
                    }
                }
            }
            // Read into `text` above.
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {}
            // Unreachable after the scan above; refused again so no DTD is ever used.
            Event::DocType(_) => return Err(AutoconfigError::Dtd),
            Event::Eof => break,
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !open.is_empty() || !saw_root {
        return Err(not_xml(xml, reader.buffer_position()));
    }
    if providers == 0 {
        return Err(AutoconfigError::NotAutoconfig);
    }
    Ok(provider)
}

/// Whether the open elements are exactly `path`, outermost first.
fn is_path(open: &[String], path: &[&str]) -> bool {
    open.len() == path.len() && open.iter().zip(path).all(|(open, want)| open == want)
}

/// A server element's `type`, lowercase; `None` when the attribute is malformed. A missing
/// `type` is an empty kind, which no rule asks for.
fn type_attribute(start: &BytesStart<'_>) -> Option<String> {
    match start.try_get_attribute("type") {
        Ok(Some(attribute)) => attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .ok()
            .map(|value| value.trim().to_ascii_lowercase()),
        Ok(None) => Some(String::new()),
        Err(_) => None,
    }
}

/// [`AutoconfigError::NotXml`] at byte `offset` of `xml`, as a 1-based line and column (in
/// characters).
fn not_xml(xml: &str, offset: u64) -> AutoconfigError {
    let (line, column) = line_and_column(xml, offset);
    AutoconfigError::NotXml { line, column }
}

/// The provider's settings from its servers, or the first reason they cannot be used.
fn settings(
    incoming: &[RawServer],
    outgoing: &[RawServer],
) -> Result<ImapSettings, AutoconfigRefusal> {
    let imap: Vec<&RawServer> = incoming.iter().filter(|s| s.kind == "imap").collect();
    let smtp: Vec<&RawServer> = outgoing.iter().filter(|s| s.kind == "smtp").collect();
    let (incoming, imap_username) =
        choose(Protocol::Imap, &imap)?.ok_or(AutoconfigRefusal::NoImap)?;
    let (outgoing, smtp_username) =
        choose(Protocol::Smtp, &smtp)?.ok_or(AutoconfigRefusal::NoSmtp)?;
    let username = imap_username.unwrap_or(UsernameForm::Typed);
    if smtp_username.is_some_and(|form| form != username) {
        return Err(AutoconfigRefusal::UsernameMismatch);
    }
    Ok(ImapSettings {
        incoming,
        outgoing,
        certificate_trust: CertificateTrust::Verified,
        username,
    })
}

/// The first usable server in order of preference (SSL, STARTTLS, any other;
/// file order within each) with its username form (`None` without `<username>`); the most
/// preferred server's refusal when none is usable; `Ok(None)` when there is no server.
fn choose(
    protocol: Protocol,
    servers: &[&RawServer],
) -> Result<Option<(Endpoint, Option<UsernameForm>)>, AutoconfigRefusal> {
    let mut ranked = servers.to_vec();
    // A stable sort keeps file order within each rank.
    ranked.sort_by_key(|server| socket_rank(server.socket_type.as_deref()));
    let mut first_refusal = None;
    for server in ranked {
        match endpoint(protocol, server) {
            Ok(endpoint) => {
                let username = server.username.as_deref().map(username_form);
                return Ok(Some((endpoint, username)));
            }
            Err(refusal) => {
                first_refusal.get_or_insert(refusal);
            }
        }
    }
    first_refusal.map_or(Ok(None), Err)
}

fn socket_rank(socket_type: Option<&str>) -> u8 {
    match socket_type {
        Some(text) if text.eq_ignore_ascii_case("SSL") => 0,
        Some(text) if text.eq_ignore_ascii_case("STARTTLS") => 1,
        _ => 2,
    }
}

fn username_form(text: &str) -> UsernameForm {
    match text {
        EMAIL_ADDRESS => UsernameForm::EmailAddress,
        EMAIL_LOCAL_PART => UsernameForm::LocalPart,
        _ => UsernameForm::Typed,
    }
}

/// One server as an [`Endpoint`], checked in the order a person would fix it: where it is,
/// how it is encrypted, how one signs in.
fn endpoint(protocol: Protocol, server: &RawServer) -> Result<Endpoint, AutoconfigRefusal> {
    let missing = |field| AutoconfigRefusal::MissingField { protocol, field };
    let hostname = present(server.hostname.as_deref()).ok_or_else(|| missing("hostname"))?;
    if hostname.contains('%') {
        return Err(AutoconfigRefusal::PlaceholderHost {
            protocol,
            host: quote(hostname),
        });
    }
    let host = Host::parse(hostname).map_err(|_| AutoconfigRefusal::InvalidHost {
        protocol,
        host: quote(hostname),
    })?;
    let port_text = present(server.port.as_deref()).ok_or_else(|| missing("port"))?;
    let port = Port::parse(port_text).map_err(|_| AutoconfigRefusal::InvalidPort {
        protocol,
        port: quote(port_text),
    })?;
    let socket_type =
        present(server.socket_type.as_deref()).ok_or_else(|| missing("socketType"))?;
    let security = if socket_type.eq_ignore_ascii_case("SSL") {
        Security::SslTls
    } else if socket_type.eq_ignore_ascii_case("STARTTLS") {
        Security::StartTls
    } else if socket_type.eq_ignore_ascii_case("plain") {
        return Err(AutoconfigRefusal::PlainSocket { protocol });
    } else {
        return Err(AutoconfigRefusal::UnknownSocket {
            protocol,
            socket_type: quote(socket_type),
        });
    };
    let methods: Vec<&str> = server
        .authentication
        .iter()
        .map(String::as_str)
        .filter(|method| !method.is_empty())
        .collect();
    if methods.is_empty() {
        return Err(missing("authentication"));
    }
    let takes_password = methods.iter().any(|method| {
        PASSWORD_METHODS
            .iter()
            .any(|password| method.eq_ignore_ascii_case(password))
    });
    if !takes_password {
        return Err(AutoconfigRefusal::NoPasswordAuth {
            protocol,
            methods: quote(&methods.join(", ")),
        });
    }
    Ok(Endpoint {
        host,
        port,
        security,
    })
}

/// A field's text unless absent or blank.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|text| !text.is_empty())
}

#[cfg(test)]
#[path = "autoconfig_tests.rs"]
mod tests;
