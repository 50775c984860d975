//! Outlook's Autodiscover in its plain-old-XML form, `POST /autodiscover/autodiscover.xml`:
//! [`read_autodiscover_request`] reads the request a mail program sends (the person's address
//! and the response schema it accepts), and [`write_autodiscover_response`] answers with a
//! domain's IMAP and SMTP settings in Outlook's response schema ([`OUTLOOK_RESPONSE_SCHEMA`]).
//!
//! Owns: which parts of a request are read (`<Autodiscover><Request>`'s `<EMailAddress>` and
//! `<AcceptableResponseSchema>`, by local name: prefixes and namespaces are not checked, since
//! nothing else is read), the one response schema answered, the XML safety limits (at most
//! [`AUTODISCOVER_MAX_BYTES`], no document type or entity declarations, no entities but XML's
//! five and character references), and how [`ImapSettings`] become `<Protocol>` elements.
//! Must not: judge the address (`EmailAddress::parse` does), find the settings (the caller
//! looks the address's domain up in the book), or answer for Exchange domains, which keep
//! their own Autodiscover.

use std::fmt::Write as _;

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use thiserror::Error;

use super::xml_text::{append_text, declares_dtd, escape, line_and_column};
use crate::email::{EmailAddress, EmailError};
use crate::security::{Endpoint, Security};
use crate::settings::ImapSettings;

/// The largest request [`read_autodiscover_request`] reads: 16 KiB. Outlook's are under 1 KiB.
pub const AUTODISCOVER_MAX_BYTES: usize = 16 * 1024;

/// The namespace of the requests Outlook sends.
pub const REQUEST_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";

/// The one response schema answered: Outlook's, which carries IMAP and SMTP settings. (The
/// `mobilesync` schema of ActiveSync has no place for them.)
pub const OUTLOOK_RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

/// The namespace of the response's root element.
const RESPONSE_ROOT_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";

/// Longest request text quoted in an error; longer text is cut with "…".
const QUOTE_MAX_CHARS: usize = 120;

/// What an Autodiscover request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutodiscoverRequest {
    /// The person's address, from `<EMailAddress>`.
    pub email: EmailAddress,
}

/// Why a body is not an Autodiscover request this server can answer.
///
/// Not a [`Problem`](crate::Problem): it answers a mail program over HTTP, never a person in a
/// form, so it has no i18n key; the server sends its English sentence as the problem's
/// `detail`, and for an invalid address core's own `email.*` code (from the [`EmailError`]
/// inside).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AutodiscoverRequestError {
    #[error(
        "The request is {size_kib} KiB, and an Autodiscover request is at most 16 KiB. Send the request for one address."
    )]
    TooLarge { size_kib: usize },
    #[error(
        "The request declares a document type or entities (<!DOCTYPE or <!ENTITY), which Autodiscover requests never do, so it was not read. Send the request without them."
    )]
    Dtd,
    #[error(
        "The request is not valid XML (line {line}, column {column}). Send an Autodiscover request: <Autodiscover xmlns=\"{request}\"><Request><EMailAddress>alice@example.com</EMailAddress><AcceptableResponseSchema>{response}</AcceptableResponseSchema></Request></Autodiscover>.",
        request = REQUEST_SCHEMA,
        response = OUTLOOK_RESPONSE_SCHEMA
    )]
    NotXml { line: usize, column: usize },
    #[error(
        "The request is XML but not an Autodiscover request: it needs an <Autodiscover> root element with a <Request> inside."
    )]
    NotAutodiscover,
    #[error(
        "The request names no e-mail address. Put it in <Request>, such as <EMailAddress>alice@example.com</EMailAddress>."
    )]
    NoAddress,
    #[error("The request's <EMailAddress> is not an e-mail address. {0}")]
    InvalidAddress(EmailError),
    #[error(
        "This server answers only in the response schema {supported}, and the request asks for \"{schema}\". Send <AcceptableResponseSchema>{supported}</AcceptableResponseSchema>.",
        supported = OUTLOOK_RESPONSE_SCHEMA
    )]
    UnsupportedSchema { schema: String },
}

/// Reads an Autodiscover request.
///
/// Refuses, before parsing, text over [`AUTODISCOVER_MAX_BYTES`] and text containing
/// `<!DOCTYPE` or `<!ENTITY` anywhere. The whole text must be well-formed XML with an
/// `<Autodiscover>` root holding a `<Request>`; the first `<EMailAddress>` and
/// `<AcceptableResponseSchema>` of that request count. A request without the schema element
/// is answered in [`OUTLOOK_RESPONSE_SCHEMA`] (Outlook always sends it; a hand-written request
/// may not); any other schema, an empty one too, is refused.
pub fn read_autodiscover_request(
    xml: &str,
) -> Result<AutodiscoverRequest, AutodiscoverRequestError> {
    if xml.len() > AUTODISCOVER_MAX_BYTES {
        return Err(AutodiscoverRequestError::TooLarge {
            size_kib: xml.len().div_ceil(1024),
        });
    }
    if declares_dtd(xml) {
        return Err(AutodiscoverRequestError::Dtd);
    }
    let raw = parse(xml)?;
    if !raw.has_request {
        return Err(AutodiscoverRequestError::NotAutodiscover);
    }
    if let Some(schema) = raw.schema
        && schema != OUTLOOK_RESPONSE_SCHEMA
    {
        return Err(AutodiscoverRequestError::UnsupportedSchema {
            schema: quote(&schema),
        });
    }
    let email = raw
        .email
        .filter(|email| !email.is_empty())
        .ok_or(AutodiscoverRequestError::NoAddress)?;
    let email = EmailAddress::parse(&email).map_err(AutodiscoverRequestError::InvalidAddress)?;
    Ok(AutodiscoverRequest { email })
}

/// The answer to `address`'s request: `imap` as an `email` account with an `IMAP` and an
/// `SMTP` `<Protocol>`, in [`OUTLOOK_RESPONSE_SCHEMA`].
///
/// Both servers say `<SSL>on</SSL>` and `<AuthRequired>on</AuthRequired>` with a password
/// (`<SPA>off</SPA>`); `<Encryption>` tells implicit TLS (`SSL`) from STARTTLS (`TLS`) and,
/// where a client reads it, overrides `<SSL>`. A client that reads only `<SSL>` thus never
/// sends a password unencrypted: at worst it tries implicit TLS on a STARTTLS port and fails.
/// `<LoginName>` follows the domain's username form and is left out when people type their
/// own. Values are XML-escaped.
pub fn write_autodiscover_response(address: &EmailAddress, imap: &ImapSettings) -> String {
    let login_name = imap.username.username_for(address);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // `write!` to a String cannot fail; the results are ignored for that reason.
    let _ = writeln!(xml, "<Autodiscover xmlns=\"{RESPONSE_ROOT_SCHEMA}\">");
    let _ = writeln!(xml, "  <Response xmlns=\"{OUTLOOK_RESPONSE_SCHEMA}\">");
    xml.push_str("    <Account>\n");
    xml.push_str("      <AccountType>email</AccountType>\n");
    xml.push_str("      <Action>settings</Action>\n");
    write_protocol(&mut xml, "IMAP", &imap.incoming, login_name.as_deref());
    write_protocol(&mut xml, "SMTP", &imap.outgoing, login_name.as_deref());
    xml.push_str("    </Account>\n  </Response>\n</Autodiscover>\n");
    xml
}

fn write_protocol(xml: &mut String, kind: &str, endpoint: &Endpoint, login_name: Option<&str>) {
    let encryption = match endpoint.security {
        Security::SslTls => "SSL",
        Security::StartTls => "TLS",
    };
    xml.push_str("      <Protocol>\n");
    let _ = writeln!(xml, "        <Type>{kind}</Type>");
    let _ = writeln!(
        xml,
        "        <Server>{}</Server>",
        escape(&endpoint.host.to_string())
    );
    let _ = writeln!(xml, "        <Port>{}</Port>", endpoint.port);
    if let Some(login_name) = login_name {
        let _ = writeln!(xml, "        <LoginName>{}</LoginName>", escape(login_name));
    }
    xml.push_str("        <DomainRequired>off</DomainRequired>\n");
    xml.push_str("        <SPA>off</SPA>\n");
    xml.push_str("        <SSL>on</SSL>\n");
    let _ = writeln!(xml, "        <Encryption>{encryption}</Encryption>");
    xml.push_str("        <AuthRequired>on</AuthRequired>\n");
    xml.push_str("      </Protocol>\n");
}

/// The parts of a request that are read, as written (trimmed).
#[derive(Debug, Default)]
struct RawRequest {
    has_request: bool,
    email: Option<String>,
    schema: Option<String>,
}

const ROOT: &str = "Autodiscover";
const REQUEST: &str = "Request";

/// Reads the request's parts, checking that the whole text is well-formed. A streaming pass:
/// the stack of open elements' local names says where each text belongs.
fn parse(xml: &str) -> Result<RawRequest, AutodiscoverRequestError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().expand_empty_elements = true;
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut saw_root = false;
    let mut request = RawRequest::default();
    loop {
        let event_start = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|_| not_xml(xml, reader.error_position()))?;
        append_text(&mut text, &event, reader.buffer_position())
            .map_err(|offset| not_xml(xml, offset))?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if open.is_empty() {
                    if saw_root {
                        // A second root element: not well-formed.
                        return Err(not_xml(xml, event_start));
                    }
                    saw_root = true;
                    if name != ROOT {
                        return Err(AutodiscoverRequestError::NotAutodiscover);
                    }
                } else if open.len() == 1 && name == REQUEST {
                    request.has_request = true;
                }
                open.push(name);
                text.clear();
            }
            Event::End(_) => {
                // Names are matched by the reader, so this is the open one.
                let Some(name) = open.pop() else {
                    return Err(not_xml(xml, reader.buffer_position()));
                };
                let value = std::mem::take(&mut text).trim().to_owned();
                let in_request = open.len() == 2 && open[0] == ROOT && open[1] == REQUEST;
                if in_request {
                    let slot = match name.as_str() {
                        "EMailAddress" => &mut request.email,
                        "AcceptableResponseSchema" => &mut request.schema,
                        _ => continue,
                    };
                    slot.get_or_insert(value);
                }
            }
            // Read into `text` above.
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {}
            // Unreachable after the scan in `read_autodiscover_request`; refused again so no
            // DTD is ever used.
            Event::DocType(_) => return Err(AutodiscoverRequestError::Dtd),
            Event::Eof => break,
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !open.is_empty() || !saw_root {
        return Err(not_xml(xml, reader.buffer_position()));
    }
    Ok(request)
}

fn not_xml(xml: &str, offset: u64) -> AutodiscoverRequestError {
    let (line, column) = line_and_column(xml, offset);
    AutodiscoverRequestError::NotXml { line, column }
}

/// Request text for an error message: at most [`QUOTE_MAX_CHARS`] characters.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
#[path = "autodiscover_tests.rs"]
mod tests;
