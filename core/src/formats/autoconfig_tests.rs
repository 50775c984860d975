//! Tests of [`read_autoconfig`] and [`write_autoconfig`]: tables of files and what they read
//! as, property tests of write -> read, and the ISPDB corpus (`../../shared/ispdb` beside the
//! repository, or `$MAILSETUP_ISPDB`; skipped with a notice when absent).
//!
//! Must not: fail when the corpus is absent (it lives outside the repository).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use proptest::prelude::*;

use super::*;
use crate::formats::xml_text::is_xml_char;

fn domain(text: &str) -> Domain {
    Domain::parse(text).unwrap()
}

fn endpoint(host: &str, port: u16, security: Security) -> Endpoint {
    Endpoint {
        host: Host::parse(host).unwrap(),
        port: Port::new(port).unwrap(),
        security,
    }
}

fn settings_with(username: UsernameForm) -> ImapSettings {
    ImapSettings {
        incoming: endpoint("imap.example.com", 993, Security::SslTls),
        outgoing: endpoint("smtp.example.com", 587, Security::StartTls),
        certificate_trust: crate::CertificateTrust::Verified,
        username,
    }
}

/// One server element; `username` and each authentication are left out when `None`/empty.
fn server(
    element: &str,
    kind: &str,
    host: &str,
    port: &str,
    socket: &str,
    username: Option<&str>,
    auth: &[&str],
) -> String {
    let mut xml = format!(
        "<{element} type=\"{kind}\"><hostname>{host}</hostname><port>{port}</port>\
         <socketType>{socket}</socketType>"
    );
    if let Some(username) = username {
        xml.push_str(&format!("<username>{username}</username>"));
    }
    for method in auth {
        xml.push_str(&format!("<authentication>{method}</authentication>"));
    }
    xml.push_str(&format!("</{element}>"));
    xml
}

fn imap(host: &str, port: &str, socket: &str, auth: &[&str]) -> String {
    server(
        "incomingServer",
        "imap",
        host,
        port,
        socket,
        Some("%EMAILADDRESS%"),
        auth,
    )
}

fn smtp(host: &str, port: &str, socket: &str, auth: &[&str]) -> String {
    server(
        "outgoingServer",
        "smtp",
        host,
        port,
        socket,
        Some("%EMAILADDRESS%"),
        auth,
    )
}

const PASSWORD: &[&str] = &["password-cleartext"];

fn good_imap() -> String {
    imap("imap.example.com", "993", "SSL", PASSWORD)
}

fn good_smtp() -> String {
    smtp("smtp.example.com", "587", "STARTTLS", PASSWORD)
}

/// A whole file for example.com with `inside` in its `<emailProvider>`.
fn file(inside: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\
         <emailProvider id=\"example.com\"><domain>example.com</domain>{inside}\
         </emailProvider></clientConfig>"
    )
}

#[test]
fn usable_providers_read_as_settings() {
    use UsernameForm::{EmailAddress, LocalPart, Typed};
    let local_part = |element, kind, host, port, socket| {
        server(
            element,
            kind,
            host,
            port,
            socket,
            Some("%EMAILLOCALPART%"),
            PASSWORD,
        )
    };
    let table: Vec<(&str, String, ImapSettings)> = vec![
        (
            "SSL IMAP, STARTTLS SMTP, whole address",
            file(&(good_imap() + &good_smtp())),
            settings_with(EmailAddress),
        ),
        (
            "the part before the @",
            file(
                &(local_part("incomingServer", "imap", "imap.example.com", "993", "SSL")
                    + &local_part(
                        "outgoingServer",
                        "smtp",
                        "smtp.example.com",
                        "587",
                        "STARTTLS",
                    )),
            ),
            settings_with(LocalPart),
        ),
        (
            "a username the person types",
            file(
                &(server(
                    "incomingServer",
                    "imap",
                    "imap.example.com",
                    "993",
                    "SSL",
                    Some("%EMAILLOCALPART%.%EMAILDOMAIN%"),
                    PASSWORD,
                ) + &server(
                    "outgoingServer",
                    "smtp",
                    "smtp.example.com",
                    "587",
                    "STARTTLS",
                    Some("%EMAILLOCALPART%.%EMAILDOMAIN%"),
                    PASSWORD,
                )),
            ),
            settings_with(Typed),
        ),
        (
            "no username anywhere: typed",
            file(
                &(server(
                    "incomingServer",
                    "imap",
                    "imap.example.com",
                    "993",
                    "SSL",
                    None,
                    PASSWORD,
                ) + &server(
                    "outgoingServer",
                    "smtp",
                    "smtp.example.com",
                    "587",
                    "STARTTLS",
                    None,
                    PASSWORD,
                )),
            ),
            settings_with(Typed),
        ),
        (
            "SMTP without username takes IMAP's",
            file(
                &(local_part("incomingServer", "imap", "imap.example.com", "993", "SSL")
                    + &server(
                        "outgoingServer",
                        "smtp",
                        "smtp.example.com",
                        "587",
                        "STARTTLS",
                        None,
                        PASSWORD,
                    )),
            ),
            settings_with(LocalPart),
        ),
        (
            "STARTTLS chosen over plain listed first",
            file(
                &(imap("imap.example.com", "143", "plain", PASSWORD)
                    + &imap("imap.example.com", "143", "STARTTLS", PASSWORD)
                    + &good_smtp()),
            ),
            ImapSettings {
                incoming: endpoint("imap.example.com", 143, Security::StartTls),
                ..settings_with(EmailAddress)
            },
        ),
        (
            "SSL chosen over STARTTLS listed first",
            file(
                &(imap("imap.example.com", "143", "STARTTLS", PASSWORD)
                    + &imap("imap.example.com", "993", "SSL", PASSWORD)
                    + &smtp("smtp.example.com", "587", "STARTTLS", PASSWORD)
                    + &smtp("smtp.example.com", "465", "SSL", PASSWORD)),
            ),
            ImapSettings {
                outgoing: endpoint("smtp.example.com", 465, Security::SslTls),
                ..settings_with(EmailAddress)
            },
        ),
        (
            "an OAuth2-only SSL server skipped for a STARTTLS one with a password",
            file(
                &(imap("imap.example.com", "993", "SSL", &["OAuth2"])
                    + &imap("imap.example.com", "143", "STARTTLS", PASSWORD)
                    + &good_smtp()),
            ),
            ImapSettings {
                incoming: endpoint("imap.example.com", 143, Security::StartTls),
                ..settings_with(EmailAddress)
            },
        ),
        (
            "OAuth2 beside a password, legacy method names, POP3 and other kinds ignored",
            file(
                &(server(
                    "incomingServer",
                    "pop3",
                    "pop.example.com",
                    "995",
                    "SSL",
                    Some("%EMAILADDRESS%"),
                    PASSWORD,
                ) + &server(
                    "incomingServer",
                    "exchange",
                    "outlook.example.com",
                    "443",
                    "SSL",
                    None,
                    &["OAuth2"],
                ) + &imap("imap.example.com", "993", "SSL", &["OAuth2", "plain"])
                    + &smtp("smtp.example.com", "587", "STARTTLS", &["secure"])),
            ),
            settings_with(EmailAddress),
        ),
        (
            "password-encrypted, spaces and mixed case around values",
            file(
                &(imap(
                    " IMAP.Example.COM ",
                    " 0993 ",
                    " ssl ",
                    &["password-encrypted"],
                ) + &smtp(
                    "smtp.example.com",
                    "587",
                    "starttls",
                    &["password-encrypted"],
                )),
            ),
            settings_with(EmailAddress),
        ),
    ];
    for (name, xml, expected) in table {
        let provider = read_autoconfig(&xml).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(provider.domains, vec![domain("example.com")], "{name}");
        assert_eq!(provider.imap, Ok(expected), "{name}");
    }
}

#[test]
fn unusable_servers_are_refused_with_the_domains_still_named() {
    use AutoconfigRefusal as R;
    use Protocol::{Imap, Smtp};
    let pop3 = server(
        "incomingServer",
        "pop3",
        "pop.example.com",
        "995",
        "SSL",
        Some("%EMAILADDRESS%"),
        PASSWORD,
    );
    let table: Vec<(&str, String, AutoconfigRefusal)> = vec![
        ("POP3 only", file(&(pop3.clone() + &good_smtp())), R::NoImap),
        ("no servers", file(""), R::NoImap),
        ("no SMTP", file(&good_imap()), R::NoSmtp),
        (
            "OAuth2-only IMAP",
            file(&(imap("imap.example.com", "993", "SSL", &["OAuth2"]) + &good_smtp())),
            R::NoPasswordAuth {
                protocol: Imap,
                methods: "OAuth2".into(),
            },
        ),
        (
            "OAuth2-only SMTP",
            file(
                &(good_imap() + &smtp("smtp.example.com", "587", "STARTTLS", &["OAuth2", "none"])),
            ),
            R::NoPasswordAuth {
                protocol: Smtp,
                methods: "OAuth2, none".into(),
            },
        ),
        (
            "no authentication named",
            file(&(imap("imap.example.com", "993", "SSL", &[]) + &good_smtp())),
            R::MissingField {
                protocol: Imap,
                field: "authentication",
            },
        ),
        (
            "placeholder host",
            file(&(good_imap() + &smtp("%EMAILDOMAIN%", "587", "STARTTLS", PASSWORD))),
            R::PlaceholderHost {
                protocol: Smtp,
                host: "%EMAILDOMAIN%".into(),
            },
        ),
        (
            "plain only",
            file(&(imap("imap.example.com", "143", "plain", PASSWORD) + &good_smtp())),
            R::PlainSocket { protocol: Imap },
        ),
        (
            "unknown socket type",
            file(&(imap("imap.example.com", "993", "TLS1.3", PASSWORD) + &good_smtp())),
            R::UnknownSocket {
                protocol: Imap,
                socket_type: "TLS1.3".into(),
            },
        ),
        (
            "invalid host",
            file(&(imap("imap example.com", "993", "SSL", PASSWORD) + &good_smtp())),
            R::InvalidHost {
                protocol: Imap,
                host: "imap example.com".into(),
            },
        ),
        (
            "invalid port",
            file(&(good_imap() + &smtp("smtp.example.com", "99999", "SSL", PASSWORD))),
            R::InvalidPort {
                protocol: Smtp,
                port: "99999".into(),
            },
        ),
        (
            "missing hostname",
            file(&(imap("", "993", "SSL", PASSWORD) + &good_smtp())),
            R::MissingField {
                protocol: Imap,
                field: "hostname",
            },
        ),
        (
            "missing socket type",
            file(&(imap("imap.example.com", "993", "", PASSWORD) + &good_smtp())),
            R::MissingField {
                protocol: Imap,
                field: "socketType",
            },
        ),
        (
            "different usernames",
            file(
                &(server(
                    "incomingServer",
                    "imap",
                    "imap.example.com",
                    "993",
                    "SSL",
                    Some("%EMAILLOCALPART%"),
                    PASSWORD,
                ) + &good_smtp()),
            ),
            R::UsernameMismatch,
        ),
        (
            "none usable: the refusal of the most preferred (SSL) server",
            file(
                &(imap("imap.example.com", "143", "plain", PASSWORD)
                    + &imap("imap.example.com", "993", "SSL", &["OAuth2"])
                    + &good_smtp()),
            ),
            R::NoPasswordAuth {
                protocol: Imap,
                methods: "OAuth2".into(),
            },
        ),
        (
            "IMAP refused before SMTP",
            file(
                &(imap("imap.example.com", "143", "plain", PASSWORD)
                    + &smtp("smtp.example.com", "25", "plain", PASSWORD)),
            ),
            R::PlainSocket { protocol: Imap },
        ),
    ];
    for (name, xml, expected) in table {
        let provider = read_autoconfig(&xml).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(provider.domains, vec![domain("example.com")], "{name}");
        assert_eq!(provider.imap, Err(expected), "{name}");
    }
}

#[test]
fn files_that_cannot_be_read() {
    use AutoconfigError as E;
    let valid = file(&(good_imap() + &good_smtp()));
    let billion_laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n \
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n \
        <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n\
        <clientConfig><emailProvider id=\"x\"><domain>&lol3;</domain></emailProvider></clientConfig>";
    let external = "<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
        <clientConfig><emailProvider><domain>&xxe;</domain></emailProvider></clientConfig>";
    let table: Vec<(&str, String, AutoconfigError)> =
        vec![
        ("billion laughs", billion_laughs.into(), E::Dtd),
        ("external entity", external.into(), E::Dtd),
        (
            "a lowercase doctype without entities",
            format!("<!doctype clientConfig>{}", &valid[valid.find("<clientConfig").unwrap()..]),
            E::Dtd,
        ),
        (
            "an entity declaration without a doctype",
            format!("<!ENTITY a \"b\">{valid}"),
            E::Dtd,
        ),
        ("empty", String::new(), E::NotXml { line: 1, column: 1 }),
        (
            "plain text",
            "example.com imap.example.com 993".into(),
            E::NotXml {
                line: 1,
                column: 33,
            },
        ),
        ("JSON", "{\"domain\": \"example.com\"}".into(), E::NotXml { line: 1, column: 26 }),
        (
            "unclosed elements",
            "<clientConfig>\n<emailProvider>".into(),
            E::NotXml { line: 2, column: 16 },
        ),
        (
            "mismatched end tag",
            "<clientConfig>\n  <emailProvider></clientConfig>".into(),
            E::NotXml { line: 2, column: 18 },
        ),
        (
            "an undeclared entity",
            file("<displayName>&nbsp;</displayName>"),
            E::NotXml { line: 2, column: 102 },
        ),
        (
            "a bare ampersand",
            file("<displayName>AT&T</displayName>"),
            E::NotXml { line: 2, column: 104 },
        ),
        (
            "two roots",
            format!("{valid}\n  <clientConfig/>"),
            E::NotXml { line: 3, column: 3 },
        ),
        (
            "an undeclared entity in an attribute",
            file("<incomingServer type=\"&imap;\"></incomingServer>"),
            E::NotXml { line: 2, column: 89 },
        ),
        ("HTML", "<html><body>Not found</body></html>".into(), E::NotAutoconfig),
        (
            "no emailProvider",
            "<clientConfig version=\"1.1\"><webMail/></clientConfig>".into(),
            E::NotAutoconfig,
        ),
        (
            "no domain",
            "<clientConfig><emailProvider id=\"x\"></emailProvider></clientConfig>".into(),
            E::NoDomain,
        ),
        (
            "an empty domain element",
            "<clientConfig><emailProvider id=\"x\"><domain/></emailProvider></clientConfig>".into(),
            E::NoDomain,
        ),
        (
            "only invalid domains",
            "<clientConfig><emailProvider><domain>not a domain</domain><domain>localhost</domain>\
             </emailProvider></clientConfig>"
                .into(),
            E::InvalidDomain {
                domain: "not a domain".into(),
            },
        ),
    ];
    for (name, xml, expected) in table {
        assert_eq!(read_autoconfig(&xml), Err(expected), "{name}");
    }
}

#[test]
fn size_limit() {
    let valid = file(&(good_imap() + &good_smtp()));
    let padded = |total: usize| {
        let filler = total - valid.len() - "<!---->".len();
        format!("{valid}<!--{}-->", "x".repeat(filler))
    };
    let at_limit = padded(AUTOCONFIG_MAX_BYTES);
    assert_eq!(at_limit.len(), AUTOCONFIG_MAX_BYTES);
    assert!(read_autoconfig(&at_limit).is_ok());
    let over = padded(AUTOCONFIG_MAX_BYTES + 1);
    assert_eq!(
        read_autoconfig(&over),
        Err(AutoconfigError::TooLarge { size_kib: 257 })
    );
    let huge = "<".repeat(10 * 1024 * 1024);
    assert_eq!(
        read_autoconfig(&huge),
        Err(AutoconfigError::TooLarge {
            size_kib: 10 * 1024
        })
    );
}

#[test]
fn domains_display_name_and_references() {
    let xml = "<?xml version=\"1.0\"?>\n<!-- <domain>comment.example</domain> -->\n\
        <clientConfig version=\"1.1\">\n\
        <emailProvider id=\"att.net\">\n\
          <domain>att.net</domain>\n\
          <domain> ATT.NET </domain>\n\
          <domain>@sbcglobal.net</domain>\n\
          <domain>bücher.example</domain>\n\
          <domain>bad_domain.example</domain>\n\
          <domain>localhost</domain>\n\
          <displayName> AT&amp;T &#x2764; <![CDATA[<Mail>]]> </displayName>\n\
          <incomingServer type=\"IMAP\"><hostname>imap.&#97;tt.net</hostname><port>993</port>\
            <socketType>SSL</socketType><username>%EMAILADDRESS%</username>\
            <authentication>password-cleartext</authentication></incomingServer>\n\
          <outgoingServer type=\"smtp\"><hostname>smtp.att.net</hostname><port>465</port>\
            <socketType>SSL</socketType><authentication>password-cleartext</authentication>\
            <documentation><hostname>ignored.example</hostname></documentation></outgoingServer>\n\
          <documentation url=\"https://example.com/?a=1&amp;b=2\"><descr>x</descr></documentation>\n\
        </emailProvider>\n\
        <emailProvider id=\"second\"><domain>second.example</domain><displayName>No</displayName>\
        </emailProvider>\n\
        </clientConfig>\n";
    let provider = read_autoconfig(xml).unwrap();
    assert_eq!(
        provider.domains,
        vec![
            domain("att.net"),
            domain("sbcglobal.net"),
            domain("xn--bcher-kva.example")
        ]
    );
    let rejected: Vec<(&str, &str)> = provider
        .rejected_domains
        .iter()
        .map(|rejected| (rejected.text.as_str(), rejected.error.code()))
        .collect();
    assert_eq!(
        rejected,
        vec![
            ("bad_domain.example", "name.invalid_character"),
            ("localhost", "domain.single_label")
        ]
    );
    assert_eq!(provider.display_name.as_deref(), Some("AT&T ❤ <Mail>"));
    let settings = provider.imap.unwrap();
    assert_eq!(
        settings.incoming,
        endpoint("imap.att.net", 993, Security::SslTls)
    );
    assert_eq!(
        settings.outgoing,
        endpoint("smtp.att.net", 465, Security::SslTls)
    );
    assert_eq!(settings.username, UsernameForm::EmailAddress);
}

#[test]
fn writes_a_config_v1_1_file() {
    let domains = [domain("example.com"), domain("bücher.example")];
    let written = write_autoconfig(
        &domains,
        &settings_with(UsernameForm::LocalPart),
        Some("Example"),
    );
    assert_eq!(
        written,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<clientConfig version=\"1.1\">
  <emailProvider id=\"example.com\">
    <domain>example.com</domain>
    <domain>xn--bcher-kva.example</domain>
    <displayName>Example</displayName>
    <displayShortName>Example</displayShortName>
    <incomingServer type=\"imap\">
      <hostname>imap.example.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type=\"smtp\">
      <hostname>smtp.example.com</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"
    );
    let typed = write_autoconfig(&domains, &settings_with(UsernameForm::Typed), None);
    assert!(!typed.contains("<username>"), "{typed}");
    assert!(!typed.contains("displayName"), "{typed}");
    let provider = read_autoconfig(&typed).unwrap();
    assert_eq!(provider.imap, Ok(settings_with(UsernameForm::Typed)));
    assert_eq!(provider.display_name, None);
    // Nothing to name: the file is still well-formed, and reading it says what is missing.
    let empty = write_autoconfig(&[], &settings_with(UsernameForm::EmailAddress), None);
    assert!(roxmltree::Document::parse(&empty).is_ok());
    assert_eq!(read_autoconfig(&empty), Err(AutoconfigError::NoDomain));
}

#[test]
fn written_values_are_escaped() {
    let domains = [domain("example.com")];
    let settings = settings_with(UsernameForm::EmailAddress);
    let table = [
        (
            "A&B <C> \"D\" 'E'",
            "A&amp;B &lt;C&gt; &quot;D&quot; &apos;E&apos;",
            "A&B <C> \"D\" 'E'",
        ),
        ("]]> &amp;", "]]&gt; &amp;amp;", "]]> &amp;"),
        ("line\r\nbreak", "line&#13;\nbreak", "line\r\nbreak"),
        ("nul\0bell\u{7}\u{FFFE}", "nulbell", "nulbell"),
        ("  spaced  ", "spaced", "spaced"),
        (
            "</displayName><domain>evil.example</domain>",
            "&lt;/displayName&gt;",
            "</displayName><domain>evil.example</domain>",
        ),
    ];
    for (name, escaped, read_back) in table {
        let written = write_autoconfig(&domains, &settings, Some(name));
        assert!(written.contains(escaped), "{name:?}: {written}");
        let document = roxmltree::Document::parse(&written)
            .unwrap_or_else(|error| panic!("{name:?}: {error}"));
        let shown = document
            .descendants()
            .find(|node| node.has_tag_name("displayName"))
            .and_then(|node| node.text());
        assert_eq!(shown, Some(read_back), "{name:?}");
        let provider = read_autoconfig(&written).unwrap();
        assert_eq!(
            provider.display_name.as_deref(),
            Some(read_back),
            "{name:?}"
        );
        assert_eq!(provider.domains, domains, "{name:?}");
        assert_eq!(provider.imap.as_ref(), Ok(&settings), "{name:?}");
    }
    // IPv6 servers are written without brackets and read back.
    let ipv6 = ImapSettings {
        incoming: endpoint("2001:db8::1", 993, Security::SslTls),
        ..settings
    };
    let provider = read_autoconfig(&write_autoconfig(&domains, &ipv6, None)).unwrap();
    assert_eq!(provider.imap, Ok(ipv6));
}

#[test]
fn problems_name_what_the_file_says() {
    let long_host = format!("%EMAILDOMAIN%{}", "a".repeat(500));
    let xml = file(&(imap(&long_host, "993", "SSL", PASSWORD) + &good_smtp()));
    let refusal = read_autoconfig(&xml).unwrap().imap.unwrap_err();
    assert_eq!(refusal.code(), "autoconfig.placeholder_host");
    let params = refusal.params();
    assert_eq!(params[0], ("protocol", "IMAP".to_owned()));
    assert_eq!(params[1].1.chars().count(), QUOTE_MAX_CHARS + 1);
    assert!(params[1].1.ends_with('…'));
    assert!(
        refusal
            .to_string()
            .starts_with("The provider's IMAP server \"%EMAILDOMAIN%aaa")
    );
    let error = read_autoconfig(&"x".repeat(300 * 1024)).unwrap_err();
    assert_eq!(error.code(), "autoconfig.too_large");
    assert_eq!(error.params(), vec![("size_kib", "300".to_owned())]);
}

#[test]
fn every_truncation_of_a_file_reads_or_fails_cleanly() {
    let valid = file(&(good_imap() + &good_smtp()));
    for (end, _) in valid.char_indices() {
        let cut = &valid[..end];
        if let Ok(provider) = read_autoconfig(cut) {
            panic!("{cut:?} read as {provider:?}");
        }
    }
    assert!(read_autoconfig(&valid).is_ok());
}

fn domain_strategy() -> impl Strategy<Value = Domain> {
    "[a-z][a-z0-9]{0,8}(\\.[a-z][a-z0-9]{0,5}){1,2}".prop_map(|text| domain(&text))
}

fn host_strategy() -> impl Strategy<Value = Host> {
    prop_oneof![
        // Random letters can spell a name core refuses (an "xn--" label that is no valid
        // punycode): such a draw is not a host, so it is skipped rather than unwrapped.
        "[a-z][a-z0-9-]{0,8}[a-z0-9](\\.[a-z]{2,6}){1,2}"
            .prop_filter_map("a host name core accepts", |text| Host::parse(&text).ok()),
        any::<[u8; 4]>().prop_map(|octets| Host::Ipv4(Ipv4Addr::from(octets))),
        any::<[u16; 8]>().prop_map(|segments| Host::Ipv6(Ipv6Addr::from(segments))),
    ]
}

fn endpoint_strategy() -> impl Strategy<Value = Endpoint> {
    (
        host_strategy(),
        1_u16..=u16::MAX,
        prop_oneof![Just(Security::SslTls), Just(Security::StartTls)],
    )
        .prop_map(|(host, port, security)| Endpoint {
            host,
            port: Port::new(port).unwrap(),
            security,
        })
}

proptest! {
    #[test]
    fn write_then_read_gives_the_same_provider(
        domains in prop::collection::vec(domain_strategy(), 1..5),
        incoming in endpoint_strategy(),
        outgoing in endpoint_strategy(),
        username in prop_oneof![
            Just(UsernameForm::EmailAddress),
            Just(UsernameForm::LocalPart),
            Just(UsernameForm::Typed),
        ],
        display_name in proptest::option::of("\\PC{0,20}|[ &<>\"'\\r\\n\\t\\x00-\\x1f\\]]{0,10}"),
    ) {
        let settings = ImapSettings {
            incoming,
            outgoing,
            certificate_trust: crate::CertificateTrust::Verified,
            username,
        };
        let written = write_autoconfig(&domains, &settings, display_name.as_deref());
        prop_assert!(roxmltree::Document::parse(&written).is_ok(), "{}", written);
        let provider = read_autoconfig(&written).unwrap();
        let mut expected_domains: Vec<Domain> = Vec::new();
        for domain in domains {
            if !expected_domains.contains(&domain) {
                expected_domains.push(domain);
            }
        }
        prop_assert_eq!(provider.domains, expected_domains);
        prop_assert!(provider.rejected_domains.is_empty());
        let expected_name = display_name.and_then(|name| {
            let kept: String = name.trim().chars().filter(|&c| is_xml_char(c)).collect();
            let kept = kept.trim().to_owned();
            (!kept.is_empty()).then_some(kept)
        });
        prop_assert_eq!(provider.display_name, expected_name);
        prop_assert_eq!(provider.imap, Ok(settings));
    }

    #[test]
    fn reading_never_panics(text in "\\PC{0,200}|[<>/&;!#\\[\\]a-zA-Z =\"%-]{0,200}") {
        let _ = read_autoconfig(&text);
        let inside = file(&text);
        if let Ok(provider) = read_autoconfig(&inside) {
            prop_assert!(!provider.domains.is_empty());
        }
    }
}

fn corpus_dir() -> PathBuf {
    std::env::var_os("MAILSETUP_ISPDB").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/ispdb"),
        PathBuf::from,
    )
}

/// Every ISPDB file reads; every usable provider survives write -> read unchanged.
#[test]
fn ispdb_corpus_reads_and_round_trips() {
    let dir = corpus_dir();
    let Ok(listing) = std::fs::read_dir(&dir) else {
        println!("skipping: ISPDB corpus not found at {}", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    files.sort();
    let mut domains = 0;
    let mut rejected_domains = 0;
    let mut usable = 0;
    let mut usable_domains = 0;
    let mut refusals: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut file_errors: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut usernames: BTreeMap<&'static str, usize> = BTreeMap::new();
    for path in &files {
        let name = path.display();
        let text = std::fs::read_to_string(path).unwrap();
        let provider = match read_autoconfig(&text) {
            Ok(provider) => provider,
            Err(error) => {
                *file_errors.entry(error.code()).or_default() += 1;
                continue;
            }
        };
        domains += provider.domains.len();
        rejected_domains += provider.rejected_domains.len();
        match &provider.imap {
            Ok(settings) => {
                usable += 1;
                usable_domains += provider.domains.len();
                *usernames.entry(settings.username.as_str()).or_default() += 1;
                let written = write_autoconfig(
                    &provider.domains,
                    settings,
                    provider.display_name.as_deref(),
                );
                let again = read_autoconfig(&written)
                    .unwrap_or_else(|error| panic!("{name}: {error}\n{written}"));
                let expected = AutoconfigProvider {
                    rejected_domains: Vec::new(),
                    ..provider.clone()
                };
                assert_eq!(again, expected, "{name}");
                assert_eq!(
                    write_autoconfig(&again.domains, settings, again.display_name.as_deref()),
                    written,
                    "{name}: writing is not stable"
                );
            }
            Err(refusal) => *refusals.entry(refusal.code()).or_default() += 1,
        }
    }
    let refused: usize = refusals.values().sum();
    println!(
        "ISPDB autoconfig: {} files read, {} unreadable {file_errors:?}; {domains} domains \
         ({rejected_domains} rejected); {usable} providers usable ({usable_domains} domains, \
         usernames {usernames:?}); {refused} refused: {refusals:?}",
        files.len(),
        file_errors.values().sum::<usize>(),
    );
    assert!(file_errors.is_empty(), "{file_errors:?}");
    assert_eq!(files.len(), 163);
    assert_eq!(rejected_domains, 0);
    assert_eq!(usable + refused, files.len());
}
