//! [`ExchangeUrl`]: the Exchange Web Services (EWS) address of a company's Exchange server, e.g.
//! `https://mail.example.com/EWS/Exchange.asmx`, with [`ExchangeUrlWarning`]s.
//!
//! Owns: reading an absolute `https://` address the way the WHATWG URL Standard does for what it
//! accepts (dot segments, `\` as `/`, percent-encoding of the path and query, the default port
//! dropped), but stricter: wrong schemes, a missing `//` or scheme, spaces, credentials and
//! fragments are refused with a precise error instead of repaired; and the Exchange-specific
//! checks (Outlook Web App addresses, Exchange Online).
//! Must not: re-implement host or port rules (`Host::parse` and `Port::parse` own them). It does
//! not use the `url` crate, whose IDNA tables would double the browser download; the tests in
//! `tests/exchange_url_oracle.rs` check it gives what the former `url`-based parser gave.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

use crate::host::{Host, HostError, HostWarning};
use crate::port::Port;
use crate::problem::Problem;

/// The path every on-premises Exchange server serves EWS at.
pub const EWS_PATH: &str = "/EWS/Exchange.asmx";

/// Exchange Online host names; EWS there is being retired by Microsoft.
const EXCHANGE_ONLINE_HOSTS: [&str; 2] = ["outlook.office365.com", "outlook.office.com"];

/// A valid `https://` Exchange address without credentials or fragment. Display is the canonical
/// form a browser would give (WHATWG URL serialisation) and parses back to an equal value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ExchangeUrl {
    /// The whole canonical address.
    serialization: String,
    host: Host,
    /// `None` for the default port 443.
    port: Option<u16>,
    /// Where the path starts and ends in `serialization`.
    path: std::ops::Range<usize>,
}

/// Why some text is not an Exchange address.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExchangeUrlError {
    #[error("Enter the Exchange address, such as https://mail.example.com/EWS/Exchange.asmx.")]
    Empty,
    #[error(
        "Enter a web address that starts with https://, such as https://mail.example.com/EWS/Exchange.asmx. Script addresses are not allowed."
    )]
    JavascriptScheme,
    #[error(
        "Remove the spaces: a web address cannot contain spaces. Enter it like https://mail.example.com/EWS/Exchange.asmx."
    )]
    ContainsSpace,
    #[error("Use a secure address that starts with https://, such as {suggestion}.")]
    NotHttps { suggestion: String },
    #[error(
        "Enter a web address that starts with https://, such as https://mail.example.com/EWS/Exchange.asmx; \"{scheme}:\" addresses are not supported."
    )]
    UnsupportedScheme { scheme: String },
    #[error("Add https:// at the start, such as {suggestion}.")]
    MissingScheme { suggestion: String },
    #[error(
        "Enter the full address including the server, such as https://mail.example.com/EWS/Exchange.asmx."
    )]
    RelativeUrl,
    #[error("Enter two slashes after https:, such as https://mail.example.com/EWS/Exchange.asmx.")]
    MissingSlashes,
    #[error(transparent)]
    InvalidHost(#[from] HostError),
    #[error(
        "Enter a port number between 1 and 65535 after the colon, such as https://mail.example.com:443/EWS/Exchange.asmx, or leave the port out."
    )]
    InvalidPort,
    #[error(
        "Remove the user name and password from the address: enter it like https://mail.example.com/EWS/Exchange.asmx. People sign in when they connect their inbox."
    )]
    Credentials,
    #[error(
        "Remove the part from # onwards: enter the address like https://mail.example.com/EWS/Exchange.asmx."
    )]
    Fragment,
    #[error(
        "This is the Outlook Web App address people use in a browser. Enter the Exchange Web Services address instead, usually {suggestion}."
    )]
    OutlookWebApp { suggestion: String },
    #[error("Enter a valid web address, such as https://mail.example.com/EWS/Exchange.asmx.")]
    Invalid,
}

impl Problem for ExchangeUrlError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "exchange_url.empty",
            Self::JavascriptScheme => "exchange_url.javascript_scheme",
            Self::ContainsSpace => "exchange_url.contains_space",
            Self::NotHttps { .. } => "exchange_url.not_https",
            Self::UnsupportedScheme { .. } => "exchange_url.unsupported_scheme",
            Self::MissingScheme { .. } => "exchange_url.missing_scheme",
            Self::RelativeUrl => "exchange_url.relative_url",
            Self::MissingSlashes => "exchange_url.missing_slashes",
            Self::InvalidHost(error) => error.code(),
            Self::InvalidPort => "exchange_url.invalid_port",
            Self::Credentials => "exchange_url.credentials",
            Self::Fragment => "exchange_url.fragment",
            Self::OutlookWebApp { .. } => "exchange_url.outlook_web_app",
            Self::Invalid => "exchange_url.invalid",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NotHttps { suggestion }
            | Self::MissingScheme { suggestion }
            | Self::OutlookWebApp { suggestion } => vec![("suggestion", suggestion.clone())],
            Self::UnsupportedScheme { scheme } => vec![("scheme", scheme.clone())],
            Self::InvalidHost(error) => error.params(),
            Self::Empty
            | Self::JavascriptScheme
            | Self::ContainsSpace
            | Self::RelativeUrl
            | Self::MissingSlashes
            | Self::InvalidPort
            | Self::Credentials
            | Self::Fragment
            | Self::Invalid => Vec::new(),
        }
    }
}

/// A valid Exchange address that probably is not what the person wants.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
pub enum ExchangeUrlWarning {
    #[error(
        "Exchange Web Services is usually at {expected}, such as https://mail.example.com{expected}. Check the address with your Exchange administrator."
    )]
    UnusualPath { expected: &'static str },
    #[error(
        "This is Exchange Online (Microsoft 365), where Microsoft is retiring Exchange Web Services. Use the Microsoft 365 connection instead."
    )]
    ExchangeOnline,
    #[error(transparent)]
    Host(#[from] HostWarning),
}

impl Problem for ExchangeUrlWarning {
    fn code(&self) -> &'static str {
        match self {
            Self::UnusualPath { .. } => "exchange_url.unusual_path",
            Self::ExchangeOnline => "exchange_url.exchange_online",
            Self::Host(warning) => warning.code(),
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::UnusualPath { expected } => vec![("expected", (*expected).to_owned())],
            Self::ExchangeOnline => Vec::new(),
            Self::Host(warning) => warning.params(),
        }
    }
}

impl ExchangeUrl {
    /// Parses an Exchange address as typed or stored. Only `https://` with a valid host is
    /// accepted; credentials, fragments and Outlook Web App addresses are refused.
    pub fn parse(input: &str) -> Result<ExchangeUrl, ExchangeUrlError> {
        // The same clean-up WHATWG URL parsing does, so the scheme we check is the scheme a
        // browser would see ("java\tscript:" is "javascript:" to a browser).
        let text: String = input
            .trim_matches(|c: char| c.is_whitespace() || c.is_control())
            .chars()
            .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
            .collect();
        if text.is_empty() {
            return Err(ExchangeUrlError::Empty);
        }
        let Some((scheme, rest)) = split_scheme(&text) else {
            return Err(without_scheme_error(&text));
        };
        match scheme.as_str() {
            "https" => {}
            "javascript" => return Err(ExchangeUrlError::JavascriptScheme),
            "http" => {
                return Err(ExchangeUrlError::NotHttps {
                    suggestion: format!("https:{rest}"),
                });
            }
            _ => return Err(ExchangeUrlError::UnsupportedScheme { scheme }),
        }
        if text.chars().any(char::is_whitespace) {
            return Err(ExchangeUrlError::ContainsSpace);
        }
        // Browsers turn "https:example.com" into "https://example.com/"; a person who typed
        // that most likely made a mistake elsewhere too, so ask instead of guessing.
        let Some(after_slashes) = rest.strip_prefix("//") else {
            return Err(ExchangeUrlError::MissingSlashes);
        };
        let (host, port, after_authority) = parse_authority(after_slashes)?;
        // The fragment is never sent to a server; a '#' usually means text pasted after the address.
        if after_authority.contains('#') {
            return Err(ExchangeUrlError::Fragment);
        }
        let (path_text, query_text) = match after_authority.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (after_authority, None),
        };
        let path = normalise_path(path_text);
        let is_outlook_web_app = path
            .split('/')
            .nth(1)
            .is_some_and(|first| first.eq_ignore_ascii_case("owa"));
        if is_outlook_web_app {
            let port = port.map(|port| format!(":{port}")).unwrap_or_default();
            return Err(ExchangeUrlError::OutlookWebApp {
                suggestion: format!("https://{}{port}{EWS_PATH}", host.uri_host()),
            });
        }
        let mut serialization = String::from("https://");
        write_url_host(&mut serialization, &host);
        if let Some(port) = port {
            serialization.push_str(&format!(":{port}"));
        }
        let path_start = serialization.len();
        serialization.push_str(&path);
        let path_end = serialization.len();
        if let Some(query) = query_text {
            serialization.push('?');
            percent_encode_into(&mut serialization, query, is_in_query_set);
        }
        Ok(ExchangeUrl {
            serialization,
            host,
            port,
            path: path_start..path_end,
        })
    }

    /// The canonical address, e.g. `https://mail.example.com/EWS/Exchange.asmx`.
    pub fn as_str(&self) -> &str {
        &self.serialization
    }

    /// The server.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port if one other than 443 was given (the default port is dropped, as browsers do).
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path, e.g. `/EWS/Exchange.asmx`.
    pub fn path(&self) -> &str {
        &self.serialization[self.path.clone()]
    }

    /// Everything about this address that suggests it is not the right one.
    pub fn warnings(&self) -> Vec<ExchangeUrlWarning> {
        let mut warnings = Vec::new();
        if let Some(warning) = self.host.warning() {
            warnings.push(ExchangeUrlWarning::Host(warning));
        }
        let is_exchange_online = self
            .host
            .as_name()
            .is_some_and(|name| EXCHANGE_ONLINE_HOSTS.contains(&name.as_str()));
        if is_exchange_online {
            warnings.push(ExchangeUrlWarning::ExchangeOnline);
        }
        if !self.path().eq_ignore_ascii_case(EWS_PATH) {
            warnings.push(ExchangeUrlWarning::UnusualPath { expected: EWS_PATH });
        }
        warnings
    }
}

/// The lowercased scheme and what follows its ':', if `text` starts with one. A "scheme"
/// followed by digits is a `host:port` without a scheme (`mail.example.com:443/EWS`).
fn split_scheme(text: &str) -> Option<(String, &str)> {
    let (scheme, rest) = text.split_once(':')?;
    let mut characters = scheme.chars();
    let is_scheme = characters.next().is_some_and(|c| c.is_ascii_alphabetic())
        && characters.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let is_port = rest.starts_with(|c: char| c.is_ascii_digit());
    (is_scheme && !is_port).then(|| (scheme.to_ascii_lowercase(), rest))
}

/// The error for text without a scheme: relative, or a host people forgot `https://` before.
fn without_scheme_error(text: &str) -> ExchangeUrlError {
    if text.starts_with(['/', '.', '\\']) {
        return ExchangeUrlError::RelativeUrl;
    }
    if text.chars().any(char::is_whitespace) {
        return ExchangeUrlError::ContainsSpace;
    }
    let authority = text.split(['/', '?', '#']).next().unwrap_or_default();
    let host_text = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(authority, |(host, _)| host);
    if Host::parse(host_text).is_ok() && !authority.contains('@') {
        ExchangeUrlError::MissingScheme {
            suggestion: format!("https://{text}"),
        }
    } else {
        ExchangeUrlError::Invalid
    }
}

/// Reads the `host:port` part after `https://` and returns what follows it. Stricter than
/// browsers: no credentials, no loose hosts (`0x7f.0.0.1`, `%41`), no port 0.
fn parse_authority(after_slashes: &str) -> Result<(Host, Option<u16>, &str), ExchangeUrlError> {
    let end = after_slashes
        .find(['/', '?', '#', '\\'])
        .unwrap_or(after_slashes.len());
    let (authority, rest) = after_slashes.split_at(end);
    if authority.contains('@') {
        return Err(ExchangeUrlError::Credentials);
    }
    let (host_text, port_text, trailing) = if authority.starts_with('[') {
        match authority.split_once(']') {
            Some((inside, after)) => {
                let host_text = &authority[..inside.len() + 1];
                match after.strip_prefix(':') {
                    Some(port) => (host_text, Some(port), ""),
                    None => (host_text, None, after),
                }
            }
            None => (authority, None, ""),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port), ""),
            None => (authority, None, ""),
        }
    };
    let host = Host::parse(host_text)?;
    let port = match port_text {
        Some(port_text) => {
            let port = Port::parse(port_text).map_err(|_| ExchangeUrlError::InvalidPort)?;
            Some(port.get()).filter(|&number| number != DEFAULT_PORT)
        }
        None => None,
    };
    // Text after an IPv6 address's ']' that is not a port, such as "[::1]x".
    if !trailing.is_empty() {
        return Err(ExchangeUrlError::Invalid);
    }
    Ok((host, port, rest))
}

/// The default port of `https`, which the canonical form leaves out.
const DEFAULT_PORT: u16 = 443;

/// The host as a URL serialises it: names and IPv4 as Display, IPv6 in brackets in the WHATWG
/// form, which never uses dotted IPv4 (`[::ffff:a00:1]`, where Display gives `::ffff:10.0.0.1`).
fn write_url_host(out: &mut String, host: &Host) {
    let Host::Ipv6(address) = host else {
        out.push_str(&host.to_string());
        return;
    };
    let pieces = address.segments();
    // The first longest run of two or more zero pieces is written as "::".
    let mut compressed: Option<(usize, usize)> = None;
    let mut index = 0;
    while index < pieces.len() {
        let run = pieces[index..]
            .iter()
            .take_while(|&&piece| piece == 0)
            .count();
        if run >= 2 && compressed.is_none_or(|(_, longest)| run > longest) {
            compressed = Some((index, run));
        }
        index += run.max(1);
    }
    out.push('[');
    let mut index = 0;
    while index < pieces.len() {
        match compressed {
            Some((start, run)) if start == index => {
                out.push_str(if index == 0 { "::" } else { ":" });
                index += run;
            }
            _ => {
                out.push_str(&format!("{:x}", pieces[index]));
                if index + 1 < pieces.len() {
                    out.push(':');
                }
                index += 1;
            }
        }
    }
    out.push(']');
}

/// The path as browsers normalise it for `https`: `\` is `/`, `.` and `..` segments (also
/// written `%2e`) are resolved, and characters outside the path set are percent-encoded.
/// Always starts with '/'.
fn normalise_path(text: &str) -> String {
    let text = text.strip_prefix(['/', '\\']).unwrap_or(text);
    let mut segments: Vec<String> = Vec::new();
    let mut pieces = text.split(['/', '\\']).peekable();
    while let Some(piece) = pieces.next() {
        let is_last = pieces.peek().is_none();
        if is_double_dot(piece) {
            segments.pop();
            if is_last {
                segments.push(String::new());
            }
        } else if is_single_dot(piece) {
            if is_last {
                segments.push(String::new());
            }
        } else {
            let mut segment = String::with_capacity(piece.len());
            percent_encode_into(&mut segment, piece, is_in_path_set);
            segments.push(segment);
        }
    }
    let mut path = String::with_capacity(text.len() + 1);
    for segment in &segments {
        path.push('/');
        path.push_str(segment);
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

fn is_single_dot(segment: &str) -> bool {
    segment == "." || segment.eq_ignore_ascii_case("%2e")
}

fn is_double_dot(segment: &str) -> bool {
    matches!(segment.len(), 2 | 4 | 6)
        && matches!(
            segment.to_ascii_lowercase().as_str(),
            ".." | ".%2e" | "%2e." | "%2e%2e"
        )
}

/// The C0 control percent-encode set: controls, DEL and everything non-ASCII.
fn is_in_control_set(byte: u8) -> bool {
    !(0x20..0x7f).contains(&byte)
}

/// The special-scheme query percent-encode set.
fn is_in_query_set(byte: u8) -> bool {
    is_in_control_set(byte) || matches!(byte, b' ' | b'"' | b'#' | b'<' | b'>' | b'\'')
}

/// The path percent-encode set.
fn is_in_path_set(byte: u8) -> bool {
    is_in_control_set(byte)
        || matches!(
            byte,
            b' ' | b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}'
        )
}

/// Appends `text` with every UTF-8 byte in the set written as `%XX`; '%' itself is kept.
fn percent_encode_into(out: &mut String, text: &str, in_set: fn(u8) -> bool) {
    for character in text.chars() {
        let mut buffer = [0_u8; 4];
        let bytes = character.encode_utf8(&mut buffer).as_bytes();
        if bytes.iter().any(|&byte| in_set(byte)) {
            for byte in bytes {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(character);
        }
    }
}

impl fmt::Display for ExchangeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExchangeUrl {
    type Err = ExchangeUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ExchangeUrl::parse(text)
    }
}

impl TryFrom<String> for ExchangeUrl {
    type Error = ExchangeUrlError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        ExchangeUrl::parse(&text)
    }
}

impl Serialize for ExchangeUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::NameError;

    fn exchange_url(text: &str) -> ExchangeUrl {
        ExchangeUrl::parse(text).unwrap()
    }

    #[test]
    fn valid_urls_and_their_canonical_form() {
        let table = [
            (
                "https://mail.example.com/EWS/Exchange.asmx",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
            (
                "  HTTPS://Mail.Example.COM/EWS/Exchange.asmx \n",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
            (
                "https://mail.example.com/ews/exchange.asmx",
                "https://mail.example.com/ews/exchange.asmx",
            ),
            (
                "https://mail.example.com:443/EWS/Exchange.asmx",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
            (
                "https://mail.example.com:8443/EWS/Exchange.asmx",
                "https://mail.example.com:8443/EWS/Exchange.asmx",
            ),
            (
                "https://mail.Bücher.example/EWS/Exchange.asmx",
                "https://mail.xn--bcher-kva.example/EWS/Exchange.asmx",
            ),
            (
                "https://[2001:db8::1]/EWS/Exchange.asmx",
                "https://[2001:db8::1]/EWS/Exchange.asmx",
            ),
            (
                "https://192.0.2.10/EWS/Exchange.asmx",
                "https://192.0.2.10/EWS/Exchange.asmx",
            ),
            (
                "https://mail.example.com/EWS/Exchange.asmx?x=1",
                "https://mail.example.com/EWS/Exchange.asmx?x=1",
            ),
            ("https://mail.example.com", "https://mail.example.com/"),
            (
                "https://Mail.Example.com./EWS/Exchange.asmx",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
            (
                "https://mail.exa\tmple.com/EWS/Exchange.asmx",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
        ];
        for (input, expected) in table {
            let parsed = exchange_url(input);
            assert_eq!(parsed.as_str(), expected, "{input:?}");
            assert_eq!(
                exchange_url(&parsed.to_string()),
                parsed,
                "{input:?} round trip"
            );
        }
        let parsed = exchange_url("https://mail.example.com:8443/EWS/Exchange.asmx");
        assert_eq!(parsed.host(), &Host::parse("mail.example.com").unwrap());
        assert_eq!(parsed.port(), Some(8443));
        assert_eq!(parsed.path(), "/EWS/Exchange.asmx");
        assert_eq!(
            exchange_url("https://mail.example.com:443/EWS/Exchange.asmx").port(),
            None
        );
    }

    #[test]
    fn invalid_urls_give_the_precise_error() {
        use ExchangeUrlError as E;
        let table: Vec<(&str, ExchangeUrlError)> = vec![
            ("", E::Empty),
            (" \t\n ", E::Empty),
            ("javascript:alert(1)", E::JavascriptScheme),
            ("java\tscript:alert(1)", E::JavascriptScheme),
            ("java\nscript:alert(1)", E::JavascriptScheme),
            ("  javascript:alert(1)", E::JavascriptScheme),
            ("\u{0}javascript:alert(1)", E::JavascriptScheme),
            ("JAVASCRIPT:alert(1)", E::JavascriptScheme),
            (
                "http://mail.example.com/EWS/Exchange.asmx",
                E::NotHttps {
                    suggestion: "https://mail.example.com/EWS/Exchange.asmx".into(),
                },
            ),
            (
                "HTTP://mail.example.com/EWS/Exchange.asmx",
                E::NotHttps {
                    suggestion: "https://mail.example.com/EWS/Exchange.asmx".into(),
                },
            ),
            (
                "data:text/html,hi",
                E::UnsupportedScheme {
                    scheme: "data".into(),
                },
            ),
            (
                "ftp://mail.example.com/EWS/Exchange.asmx",
                E::UnsupportedScheme {
                    scheme: "ftp".into(),
                },
            ),
            (
                "mail.example.com/EWS/Exchange.asmx",
                E::MissingScheme {
                    suggestion: "https://mail.example.com/EWS/Exchange.asmx".into(),
                },
            ),
            (
                "mail.example.com:443/EWS/Exchange.asmx",
                E::MissingScheme {
                    suggestion: "https://mail.example.com:443/EWS/Exchange.asmx".into(),
                },
            ),
            ("/EWS/Exchange.asmx", E::RelativeUrl),
            ("./EWS/Exchange.asmx", E::RelativeUrl),
            ("../EWS/Exchange.asmx", E::RelativeUrl),
            ("https:example.com/EWS/Exchange.asmx", E::MissingSlashes),
            ("https:/example.com/EWS/Exchange.asmx", E::MissingSlashes),
            ("https:\\\\example.com\\EWS", E::MissingSlashes),
            (
                "https://mail.example.com/EWS/Exchange asmx",
                E::ContainsSpace,
            ),
            ("https://mail example.com/EWS", E::ContainsSpace),
            (
                "https:///EWS/Exchange.asmx",
                E::InvalidHost(HostError::Empty),
            ),
            (
                "https://0x7f.0.0.1/EWS/Exchange.asmx",
                E::InvalidHost(HostError::InvalidIpv4),
            ),
            (
                "https://mail..example.com/EWS/Exchange.asmx",
                E::InvalidHost(NameError::EmptyLabel.into()),
            ),
            (
                "https://ex%41mple.com/EWS/Exchange.asmx",
                E::InvalidHost(NameError::InvalidCharacter { character: '%' }.into()),
            ),
            (
                "https://[fe80::1%25eth0]/EWS/Exchange.asmx",
                E::InvalidHost(HostError::Ipv6ZoneIndex),
            ),
            (
                "https://mail.example.com:0/EWS/Exchange.asmx",
                E::InvalidPort,
            ),
            (
                "https://mail.example.com:99999/EWS/Exchange.asmx",
                E::InvalidPort,
            ),
            (
                "https://mail.example.com:/EWS/Exchange.asmx",
                E::InvalidPort,
            ),
            ("https://mail.example.com:https/EWS", E::InvalidPort),
            (
                "https://user:pw@mail.example.com/EWS/Exchange.asmx",
                E::Credentials,
            ),
            (
                "https://user@mail.example.com/EWS/Exchange.asmx",
                E::Credentials,
            ),
            (
                "https://mail.example.com/EWS/Exchange.asmx#frag",
                E::Fragment,
            ),
            ("https://mail.example.com/EWS/Exchange.asmx#", E::Fragment),
            (
                "https://mail.example.com/owa",
                E::OutlookWebApp {
                    suggestion: "https://mail.example.com/EWS/Exchange.asmx".into(),
                },
            ),
            (
                "https://mail.example.com:8443/OWA/?path=/mail",
                E::OutlookWebApp {
                    suggestion: "https://mail.example.com:8443/EWS/Exchange.asmx".into(),
                },
            ),
            ("not a url at all", E::ContainsSpace),
            ("exa_mple.com/EWS", E::Invalid),
        ];
        for (input, expected) in table {
            assert_eq!(ExchangeUrl::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn warnings() {
        let table: Vec<(&str, Vec<ExchangeUrlWarning>)> = vec![
            ("https://mail.example.com/EWS/Exchange.asmx", vec![]),
            ("https://mail.example.com/ews/exchange.asmx", vec![]),
            (
                "https://outlook.office365.com/EWS/Exchange.asmx",
                vec![ExchangeUrlWarning::ExchangeOnline],
            ),
            (
                "https://outlook.office.com/EWS/Exchange.asmx",
                vec![ExchangeUrlWarning::ExchangeOnline],
            ),
            (
                "https://mail.example.com/",
                vec![ExchangeUrlWarning::UnusualPath { expected: EWS_PATH }],
            ),
            (
                "https://mail.example.com/EWS/Services.wsdl",
                vec![ExchangeUrlWarning::UnusualPath { expected: EWS_PATH }],
            ),
            (
                "https://exchange.corp.local/EWS/Exchange.asmx",
                vec![ExchangeUrlWarning::Host(HostWarning::InternalName)],
            ),
            (
                "https://10.0.0.2/EWS",
                vec![
                    ExchangeUrlWarning::Host(HostWarning::PrivateAddress),
                    ExchangeUrlWarning::UnusualPath { expected: EWS_PATH },
                ],
            ),
        ];
        for (input, expected) in table {
            assert_eq!(exchange_url(input).warnings(), expected, "{input}");
        }
    }

    #[test]
    fn serde_uses_the_canonical_string() {
        let parsed = exchange_url("HTTPS://Mail.Example.com/EWS/Exchange.asmx");
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(json, "\"https://mail.example.com/EWS/Exchange.asmx\"");
        assert_eq!(serde_json::from_str::<ExchangeUrl>(&json).unwrap(), parsed);
        assert!(serde_json::from_str::<ExchangeUrl>("\"javascript:alert(1)\"").is_err());
    }
}
