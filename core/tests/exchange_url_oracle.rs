//! Differential test: the hand-written `ExchangeUrl` parser against the `url`-based parser it
//! replaced (kept here verbatim as `former_parse`), so dropping `url` from the browser build
//! changed no rule, error or canonical form.
//!
//! Must not: be loosened to make a difference pass; a difference is a behaviour change.

use mailsetup_core::{EWS_PATH, ExchangeUrl, ExchangeUrlError, Host, Port};
use proptest::prelude::*;
use url::Url;

/// What the former parser produced for a valid address.
#[derive(Debug, PartialEq)]
struct Former {
    text: String,
    port: Option<u16>,
    path: String,
    host: Host,
}

// ---------- the former parser, verbatim but for its result type ----------

fn former_parse(input: &str) -> Result<Former, ExchangeUrlError> {
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
    Ok(Former {
        text: url.as_str().to_owned(),
        port: url.port(),
        path: url.path().to_owned(),
        host,
    })
}

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

/// The new parser, in the same shape.
fn current_parse(input: &str) -> Result<Former, ExchangeUrlError> {
    ExchangeUrl::parse(input).map(|parsed| Former {
        text: parsed.as_str().to_owned(),
        port: parsed.port(),
        path: parsed.path().to_owned(),
        host: parsed.host().clone(),
    })
}

fn check(input: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(current_parse(input), former_parse(input), "{:?}", input);
    Ok(())
}

#[test]
fn chosen_addresses_parse_as_before() {
    let table = [
        "https://mail.example.com/EWS/Exchange.asmx",
        "https://mail.example.com",
        "https://mail.example.com?",
        "https://mail.example.com/?",
        "https://mail.example.com?x=1",
        "https://mail.example.com/a/./b/../c",
        "https://mail.example.com/a/..",
        "https://mail.example.com/a/.",
        "https://mail.example.com/a/%2e%2E/b",
        "https://mail.example.com/a/.%2e",
        "https://mail.example.com/a/%2E.",
        "https://mail.example.com/..",
        "https://mail.example.com/../../x",
        "https://mail.example.com//a//b/",
        "https://mail.example.com\\EWS\\Exchange.asmx",
        "https://mail.example.com/EWS/Exch%41nge.asmx",
        "https://mail.example.com/EWS/Exchänge.asmx",
        "https://mail.example.com/\"quoted\"<x>`{y}^|[z]'",
        "https://mail.example.com/a?\"q\"<x>`{y}^|'é%zz",
        "https://mail.example.com/a\u{1}b\u{7f}?c\u{1}d",
        "https://mail.example.com/a?b?c",
        "https://mail.example.com/?#",
        "https://mail.example.com/owa#x",
        "https://mail.example.com/./owa",
        "https://mail.example.com/x/../OWA/",
        "https://mail.example.com/%6fwa",
        "https://mail.example.com/owa.aspx",
        "https://mail.example.com:0443/EWS",
        "https://mail.example.com:00000000443/EWS",
        "https://mail.example.com:65535",
        "https://mail.example.com:65536",
        "https://mail.example.com:+443",
        "https://mail.example.com:443:443",
        "https://[::1]x/EWS",
        "https://[::1]x:99999/EWS",
        "https://[::1]]/EWS",
        "https://[::1]:/EWS",
        "https://[::1]:0/EWS",
        "https://[::1/EWS",
        "https://[::ffff:10.0.0.1]/EWS",
        "https://[::ffff:a00:1]/EWS",
        "https://[::10.0.0.1]/EWS",
        "https://[2001:DB8:0:0:1:0:0:1]/EWS",
        "https://[0:0:1:0:0:0:1:0]/EWS",
        "https://[1:0:0:0:0:0:0:0]/EWS",
        "https://[0:0:0:0:0:0:0:0]/EWS",
        "https://[1:2:3:4:5:6:7:8]/EWS",
        "https://[1:0:3:4:5:6:7:8]/EWS",
        "https://mail.example.com./EWS",
        "https://MAIL.Bücher.example:8443/ews?Ü",
        "https://mail.ex＿ample.com/EWS",
        "https://xn--bcher-kva.example/EWS",
        "https://xn--zz.example/EWS",
        "https://1.2.3.4/EWS",
        "https://1.2.3/EWS",
        "https://a@b/EWS",
        "https://a/@b/EWS",
        "https://a\\@b/EWS",
        "https://a?@b/EWS",
        "https://a#@b/EWS",
        "https://:443/EWS",
        "https://\\mail.example.com/EWS",
        "https://mail.example.com:443\\EWS",
        "https://mail.example.com:8443?x",
        "https://mail.example.com:8443#x",
        "HTTPS://mail.example.com/\u{a0}",
        "https://mail.example.com/\u{200b}",
    ];
    for input in table {
        check(input).unwrap();
    }
}

/// Text after `https://` built from the pieces that matter to URL parsing.
fn after_scheme() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "mail.example.com",
        "Mail.Bücher.example",
        "[2001:db8::1]",
        "[::ffff:10.0.0.1]",
        "[::1]",
        "192.0.2.1",
        "1.2.3",
        "xn--bcher-kva.example",
        ":",
        ":443",
        ":8443",
        ":0",
        ":65536",
        "/",
        "\\",
        ".",
        "..",
        "%2e",
        "%2E",
        "%41",
        "%",
        "?",
        "#",
        "@",
        "owa",
        "OWA",
        "EWS",
        "Exchange.asmx",
        "a",
        "-",
        "_",
        "'",
        "\"",
        "<",
        ">",
        "`",
        "{",
        "}",
        "^",
        "|",
        "[",
        "]",
        "é",
        "＿",
        "。",
        "\u{1}",
        "\u{7f}",
        "\u{200b}",
        "=",
        "&",
        "+",
        "~",
        ";",
        ",",
    ]);
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn generated_addresses_parse_as_before(rest in after_scheme(), valid_host in any::<bool>()) {
        let input = if valid_host {
            format!("https://mail.example.com{rest}")
        } else {
            format!("https://{rest}")
        };
        check(&input)?;
    }

    #[test]
    fn arbitrary_text_parses_as_before(text in any::<String>()) {
        check(&text)?;
        check(&format!("https://mail.example.com/{text}"))?;
        check(&format!("https://{text}"))?;
    }

    #[test]
    fn near_miss_text_parses_as_before(text in "[a-zA-Z0-9:/@.\\[\\]%#?\\\\ \t_+'\"<>`{}^|é-]{0,40}") {
        check(&text)?;
        check(&format!("https://{text}"))?;
    }
}
