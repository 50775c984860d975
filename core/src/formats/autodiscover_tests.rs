//! Tests of [`read_autodiscover_request`] (a table of bodies and what they read as, the safety
//! limits) and [`write_autodiscover_response`] (read back with roxmltree, an independent XML
//! parser, field by field).

use super::*;
use crate::host::Host;
use crate::port::Port;
use crate::settings::UsernameForm;

fn request(email: &str, schema: Option<&str>) -> String {
    let schema = schema
        .map(|schema| format!("<AcceptableResponseSchema>{schema}</AcceptableResponseSchema>"))
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"{REQUEST_SCHEMA}\">\
         <Request><EMailAddress>{email}</EMailAddress>{schema}</Request></Autodiscover>"
    )
}

fn settings(username: UsernameForm) -> ImapSettings {
    ImapSettings {
        incoming: Endpoint {
            host: Host::parse("imap.example.net").unwrap(),
            port: Port::new(993).unwrap(),
            security: Security::SslTls,
        },
        outgoing: Endpoint {
            host: Host::parse("smtp.example.net").unwrap(),
            port: Port::new(587).unwrap(),
            security: Security::StartTls,
        },
        certificate_trust: crate::CertificateTrust::Verified,
        username,
    }
}

#[test]
fn reads_the_address_of_outlooks_request() {
    let read = read_autodiscover_request(&request(
        " Alice@Example.COM ",
        Some(OUTLOOK_RESPONSE_SCHEMA),
    ))
    .unwrap();
    assert_eq!(read.email.to_string(), "Alice@example.com");
    // Prefixes, CDATA, references, other elements and no schema at all are fine.
    let prefixed = format!(
        "<a:Autodiscover xmlns:a=\"{REQUEST_SCHEMA}\"><!-- hi --><a:Request>\
         <a:Other>x</a:Other><a:EMailAddress><![CDATA[bob]]>&#64;example.com</a:EMailAddress>\
         </a:Request></a:Autodiscover>"
    );
    assert_eq!(
        read_autodiscover_request(&prefixed)
            .unwrap()
            .email
            .to_string(),
        "bob@example.com"
    );
    let no_schema = "<Autodiscover><Request><EMailAddress>c@example.com</EMailAddress>\
                     </Request></Autodiscover>";
    assert!(read_autodiscover_request(no_schema).is_ok());
}

#[test]
fn refuses_what_it_cannot_answer() {
    use AutodiscoverRequestError as E;
    let mobilesync =
        "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006";
    let table: Vec<(String, E)> =
        vec![
        (String::new(), E::NotXml { line: 1, column: 1 }),
        ("alice@example.com".into(), E::NotXml { line: 1, column: 18 }),
        ("<Autodiscover><Request>".into(), E::NotXml { line: 1, column: 24 }),
        (
            "<Autodiscover><Request></Autodiscover>".into(),
            E::NotXml { line: 1, column: 24 },
        ),
        ("<Autodiscover/><x/>".into(), E::NotXml { line: 1, column: 16 }),
        (
            "<Autodiscover><Request><EMailAddress>&lol;</EMailAddress></Request></Autodiscover>"
                .into(),
            E::NotXml { line: 1, column: 38 },
        ),
        ("<clientConfig/>".into(), E::NotAutodiscover),
        ("<Autodiscover><Other/></Autodiscover>".into(), E::NotAutodiscover),
        (
            "<Autodiscover><Request></Request></Autodiscover>".into(),
            E::NoAddress,
        ),
        (request("  ", None), E::NoAddress),
        (
            request("alice", None),
            E::InvalidAddress(EmailError::MissingAt),
        ),
        (
            request("alice@example.com", Some(" ")),
            E::UnsupportedSchema {
                schema: String::new(),
            },
        ),
        (
            "<Autodiscover><Request><EMailAddress>a@example.com</EMailAddress>\
             <AcceptableResponseSchema/></Request></Autodiscover>"
                .into(),
            E::UnsupportedSchema {
                schema: String::new(),
            },
        ),
        (
            request("alice@example.com", Some(mobilesync)),
            E::UnsupportedSchema {
                schema: mobilesync.into(),
            },
        ),
    ];
    for (body, expected) in table {
        assert_eq!(read_autodiscover_request(&body), Err(expected), "{body:?}");
    }
    let message = E::UnsupportedSchema { schema: "x".into() }.to_string();
    assert!(message.contains(OUTLOOK_RESPONSE_SCHEMA), "{message}");
}

#[test]
fn refuses_declarations_and_oversized_bodies_before_parsing() {
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n \
                <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n\
                <Autodiscover><Request><EMailAddress>&lol2;@example.com</EMailAddress>\
                </Request></Autodiscover>";
    assert_eq!(
        read_autodiscover_request(bomb),
        Err(AutodiscoverRequestError::Dtd)
    );
    let padded = request(
        &format!("alice@example.com{}", " ".repeat(AUTODISCOVER_MAX_BYTES)),
        None,
    );
    assert_eq!(
        read_autodiscover_request(&padded),
        Err(AutodiscoverRequestError::TooLarge { size_kib: 17 })
    );
}

/// `(Type, child name -> text)` of every `<Protocol>`, read with roxmltree.
fn protocols(xml: &str) -> Vec<Vec<(String, String)>> {
    let document = roxmltree::Document::parse(xml).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "Autodiscover");
    assert_eq!(root.tag_name().namespace(), Some(RESPONSE_ROOT_SCHEMA));
    let response = root.first_element_child().unwrap();
    assert_eq!(response.tag_name().name(), "Response");
    assert_eq!(
        response.tag_name().namespace(),
        Some(OUTLOOK_RESPONSE_SCHEMA)
    );
    let account = response.first_element_child().unwrap();
    assert_eq!(account.tag_name().name(), "Account");
    let child = |name: &str| {
        account
            .children()
            .find(|node| node.has_tag_name(name))
            .and_then(|node| node.text())
            .map(str::to_owned)
    };
    assert_eq!(child("AccountType").as_deref(), Some("email"));
    assert_eq!(child("Action").as_deref(), Some("settings"));
    account
        .children()
        .filter(|node| node.has_tag_name("Protocol"))
        .map(|protocol| {
            protocol
                .children()
                .filter(roxmltree::Node::is_element)
                .map(|field| {
                    (
                        field.tag_name().name().to_owned(),
                        field.text().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[test]
fn writes_imap_and_smtp_with_the_login_name_of_the_username_form() {
    let address = EmailAddress::parse("o'brien&co@example.com").unwrap();
    let written = write_autodiscover_response(&address, &settings(UsernameForm::EmailAddress));
    assert_eq!(
        protocols(&written),
        vec![
            pairs(&[
                ("Type", "IMAP"),
                ("Server", "imap.example.net"),
                ("Port", "993"),
                ("LoginName", "o'brien&co@example.com"),
                ("DomainRequired", "off"),
                ("SPA", "off"),
                ("SSL", "on"),
                ("Encryption", "SSL"),
                ("AuthRequired", "on"),
            ]),
            pairs(&[
                ("Type", "SMTP"),
                ("Server", "smtp.example.net"),
                ("Port", "587"),
                ("LoginName", "o'brien&co@example.com"),
                ("DomainRequired", "off"),
                ("SPA", "off"),
                ("SSL", "on"),
                ("Encryption", "TLS"),
                ("AuthRequired", "on"),
            ]),
        ]
    );
    let local = write_autodiscover_response(&address, &settings(UsernameForm::LocalPart));
    for protocol in protocols(&local) {
        assert!(protocol.contains(&("LoginName".into(), "o'brien&co".into())));
    }
    let typed = write_autodiscover_response(&address, &settings(UsernameForm::Typed));
    for protocol in protocols(&typed) {
        assert!(
            protocol.iter().all(|(name, _)| name != "LoginName"),
            "{protocol:?}"
        );
    }
}
