//! [`ExchangeUrl`]: the Exchange Web Services (EWS) address of a company's Exchange server, e.g.
//! `https://mail.example.com/EWS/Exchange.asmx`, with [`ExchangeUrlWarning`]s.
//!
//! Owns: the checks that run before `url::Url` (dangerous and wrong schemes, missing `//`, a
//! missing scheme, spaces), which exist because `url` silently repairs or accepts such input,
//! and the Exchange-specific checks (Outlook Web App addresses, Exchange Online).
//! Must not: re-implement URL parsing (`url` does) or host rules (`Host::parse` does).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;
use url::Url;

use crate::host::{Host, HostError, HostWarning};
use crate::port::Port;
use crate::problem::Problem;

/// The path every on-premises Exchange server serves EWS at.
pub const EWS_PATH: &str = "/EWS/Exchange.asmx";

/// Exchange Online host names; EWS there is being retired by Microsoft.
const EXCHANGE_ONLINE_HOSTS: [&str; 2] = ["outlook.office365.com", "outlook.office.com"];

/// A valid `https://` Exchange address without credentials or fragment. Display is the canonical
/// form from `url` and parses back to an equal value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ExchangeUrl {
    url: Url,
    host: Host,
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
        // `url` would turn "https:example.com" into "https://example.com/"; a person who typed
        // that most likely made a mistake elsewhere too, so ask instead of guessing.
        let Some(after_slashes) = rest.strip_prefix("//") else {
            return Err(ExchangeUrlError::MissingSlashes);
        };
        check_authority(after_slashes)?;
        let url = Url::parse(&text).map_err(|error| match error {
            url::ParseError::InvalidPort => ExchangeUrlError::InvalidPort,
            _ => ExchangeUrlError::Invalid,
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ExchangeUrlError::Credentials);
        }
        if url.fragment().is_some() {
            return Err(ExchangeUrlError::Fragment);
        }
        let host = Host::parse(url.host_str().unwrap_or_default())?;
        // `url` keeps a trailing dot ("mail.example.com."); write our canonical host back so one
        // server has one address and Display and `host()` always agree.
        let mut url = url;
        if url.host_str() != Some(host.uri_host().as_str()) {
            url.set_host(Some(&host.uri_host()))
                .map_err(|_| ExchangeUrlError::Invalid)?;
        }
        let is_outlook_web_app = url
            .path_segments()
            .and_then(|mut segments| segments.next())
            .is_some_and(|first| first.eq_ignore_ascii_case("owa"));
        if is_outlook_web_app {
            let port = url
                .port()
                .map(|port| format!(":{port}"))
                .unwrap_or_default();
            return Err(ExchangeUrlError::OutlookWebApp {
                suggestion: format!("https://{}{port}{EWS_PATH}", host.uri_host()),
            });
        }
        Ok(ExchangeUrl { url, host })
    }

    /// The canonical address, e.g. `https://mail.example.com/EWS/Exchange.asmx`.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The server.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port if one other than 443 was given (`url` drops the default port).
    pub fn port(&self) -> Option<u16> {
        self.url.port()
    }

    /// The path, e.g. `/EWS/Exchange.asmx`.
    pub fn path(&self) -> &str {
        self.url.path()
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

/// Checks the raw `user@host:port` part before `url` normalises it, because `url` accepts
/// hosts people should not use (`0x7f.0.0.1` becomes `127.0.0.1`, `%41` is decoded) and port 0.
fn check_authority(after_slashes: &str) -> Result<(), ExchangeUrlError> {
    let authority = after_slashes
        .split(['/', '?', '#', '\\'])
        .next()
        .unwrap_or_default();
    if authority.contains('@') {
        return Err(ExchangeUrlError::Credentials);
    }
    let (host_text, port_text) = if authority.starts_with('[') {
        match authority.split_once(']') {
            Some((inside, after)) => (&authority[..inside.len() + 1], after.strip_prefix(':')),
            None => (authority, None),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    Host::parse(host_text)?;
    if let Some(port_text) = port_text {
        Port::parse(port_text).map_err(|_| ExchangeUrlError::InvalidPort)?;
    }
    Ok(())
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
