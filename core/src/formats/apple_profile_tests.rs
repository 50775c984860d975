//! Tests of [`write_apple_profile`] and [`profile_uuids`]: the profile read back with
//! roxmltree (an independent XML parser) into key -> value maps and checked key by key.

use std::collections::BTreeMap;

use super::*;
use crate::host::Host;
use crate::port::Port;
use crate::security::Security;
use crate::settings::UsernameForm;

fn settings(username: UsernameForm) -> ImapSettings {
    ImapSettings {
        incoming: Endpoint {
            host: Host::parse("imap.example.net").unwrap(),
            port: Port::new(143).unwrap(),
            security: Security::StartTls,
        },
        outgoing: Endpoint {
            host: Host::parse("smtp.example.net").unwrap(),
            port: Port::new(465).unwrap(),
            security: Security::SslTls,
        },
        certificate_trust: crate::CertificateTrust::Any,
        username,
    }
}

/// A `<dict>` as key -> (value element name, value text).
type Dict = BTreeMap<String, (String, String)>;

/// A `<dict>`'s keys and values; a value is its element name and text (`true`/`false` for
/// booleans, `dict`/`array` for containers).
fn dict(node: roxmltree::Node<'_, '_>) -> Dict {
    let children: Vec<_> = node
        .children()
        .filter(roxmltree::Node::is_element)
        .collect();
    assert_eq!(children.len() % 2, 0);
    children
        .chunks(2)
        .map(|pair| {
            assert!(pair[0].has_tag_name("key"));
            let kind = pair[1].tag_name().name().to_owned();
            let text = pair[1].text().unwrap_or_default().to_owned();
            (pair[0].text().unwrap_or_default().to_owned(), (kind, text))
        })
        .collect()
}

fn parse_profile(text: &str) -> (Dict, Dict) {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options).unwrap();
    let plist = document.root_element();
    assert_eq!(plist.tag_name().name(), "plist");
    let outer = plist.first_element_child().unwrap();
    let array = outer
        .children()
        .find(|node| node.has_tag_name("array"))
        .unwrap();
    let payloads: Vec<_> = array
        .children()
        .filter(roxmltree::Node::is_element)
        .collect();
    assert_eq!(payloads.len(), 1);
    (dict(outer), dict(payloads[0]))
}

fn value<'m>(map: &'m Dict, key: &str) -> (&'m str, &'m str) {
    let (kind, text) = map.get(key).unwrap_or_else(|| panic!("{key} is missing"));
    (kind.as_str(), text.as_str())
}

#[test]
fn writes_one_mail_payload_in_a_configuration() {
    let address = EmailAddress::parse("o'brien&co@bücher.example").unwrap();
    let written = write_apple_profile(&address, &settings(UsernameForm::LocalPart));
    let (outer, mail) = parse_profile(&written);
    let uuids = profile_uuids(&address);
    assert_eq!(value(&outer, "PayloadType"), ("string", "Configuration"));
    assert_eq!(value(&outer, "PayloadVersion"), ("integer", "1"));
    assert_eq!(
        value(&outer, "PayloadUUID"),
        ("string", uuids.profile.as_str())
    );
    assert_eq!(
        value(&outer, "PayloadIdentifier").1,
        format!("dev.mailsetup.mail.{}", uuids.profile)
    );
    assert_eq!(
        value(&outer, "PayloadDisplayName").1,
        "Mail settings for o'brien&co@xn--bcher-kva.example"
    );
    assert_eq!(value(&outer, "PayloadRemovalDisallowed"), ("false", ""));
    for (key, expected) in [
        ("PayloadType", ("string", "com.apple.mail.managed")),
        ("PayloadVersion", ("integer", "1")),
        ("PayloadUUID", ("string", uuids.account.as_str())),
        ("EmailAccountType", ("string", "EmailTypeIMAP")),
        ("EmailAccountDescription", ("string", "bücher.example")),
        (
            "EmailAddress",
            ("string", "o'brien&co@xn--bcher-kva.example"),
        ),
        ("IncomingMailServerHostName", ("string", "imap.example.net")),
        ("IncomingMailServerPortNumber", ("integer", "143")),
        ("IncomingMailServerUseSSL", ("true", "")),
        ("IncomingMailServerUsername", ("string", "o'brien&co")),
        (
            "IncomingMailServerAuthentication",
            ("string", "EmailAuthPassword"),
        ),
        ("OutgoingMailServerHostName", ("string", "smtp.example.net")),
        ("OutgoingMailServerPortNumber", ("integer", "465")),
        ("OutgoingMailServerUseSSL", ("true", "")),
        ("OutgoingMailServerUsername", ("string", "o'brien&co")),
        (
            "OutgoingMailServerAuthentication",
            ("string", "EmailAuthPassword"),
        ),
        ("OutgoingPasswordSameAsIncomingPassword", ("true", "")),
    ] {
        assert_eq!(value(&mail, key), expected, "{key}");
    }
    assert!(
        value(&mail, "PayloadIdentifier")
            .1
            .starts_with("dev.mailsetup.mail.")
    );
    for password in ["IncomingPassword", "OutgoingPassword"] {
        assert!(!mail.contains_key(password), "{password}");
    }
}

#[test]
fn usernames_follow_the_form_and_are_left_out_when_typed() {
    let address = EmailAddress::parse("alice@example.com").unwrap();
    let (_, whole) = parse_profile(&write_apple_profile(
        &address,
        &settings(UsernameForm::EmailAddress),
    ));
    assert_eq!(
        value(&whole, "IncomingMailServerUsername").1,
        "alice@example.com"
    );
    let (_, typed) = parse_profile(&write_apple_profile(
        &address,
        &settings(UsernameForm::Typed),
    ));
    assert!(!typed.contains_key("IncomingMailServerUsername"));
    assert!(!typed.contains_key("OutgoingMailServerUsername"));
    assert_eq!(value(&typed, "EmailAddress").1, "alice@example.com");
}

#[test]
fn uuids_are_version_4_stable_and_distinct() {
    let alice = EmailAddress::parse("alice@example.com").unwrap();
    let first = profile_uuids(&alice);
    assert_eq!(first, profile_uuids(&alice));
    assert_ne!(first.profile, first.account);
    assert_ne!(
        first,
        profile_uuids(&EmailAddress::parse("bob@example.com").unwrap())
    );
    for uuid in [&first.profile, &first.account] {
        let groups: Vec<&str> = uuid.split('-').collect();
        assert_eq!(
            groups.iter().map(|group| group.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12],
            "{uuid}"
        );
        assert!(
            uuid.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        assert!(groups[2].starts_with('4'), "{uuid}");
        assert!(
            matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'A' | b'B'),
            "{uuid}"
        );
    }
}
