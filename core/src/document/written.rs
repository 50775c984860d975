//! Writing a [`Document`] as its stored text, straight from the book: no `serde_json::Value`
//! tree is built for the entries (saving a 10,000-domain book built one, and that was most of
//! the cost of a save).
//!
//! Owns: the stored shape's field names and their order. Every object is written with its keys
//! in sorted order, the order a JSON object map (`serde_json::Map`) gives, and unknown fields
//! that survived a load are merged into place; so the text is what it always was.
//! Must not: decide validity or read anything.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use super::{DOCUMENT_VERSION, Document, KEY_DOMAINS, KEY_SEQUENCE, KEY_VERSION};
use crate::book::Entry;
use crate::certificate_trust::{CertificateTrust, SpkiPins};
use crate::host::Host;
use crate::security::Endpoint;
use crate::settings::{Connection, UsernameForm};

/// One value of the stored shape, borrowed from the document.
enum Written<'a> {
    Text(&'a str),
    Host(&'a Host),
    Flag(bool),
    Count(u64),
    Millis(i64),
    Endpoint(&'a Endpoint, &'a Map<String, Value>),
    Trust(&'a CertificateTrust, &'a Map<String, Value>),
    Pins(&'a SpkiPins),
    Entry(&'a Entry),
    Entries(&'a Document),
    /// What was stored and is kept as it was: unknown fields, rejected entries.
    Stored(&'a Value),
}

/// The stored text of `document`.
pub(super) fn to_json(document: &Document) -> String {
    let root = Root(document);
    // Writing into a String cannot fail: every key is a string.
    serde_json::to_string(&root).unwrap_or_default()
}

/// One entry in its stored shape, as it stands inside the document's `domains` list.
pub(super) fn entry_to_json(entry: &Entry) -> String {
    serde_json::to_string(&Written::Entry(entry)).unwrap_or_default()
}

struct Root<'a>(&'a Document);

impl Serialize for Root<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let document = self.0;
        let known = [
            (KEY_DOMAINS, Written::Entries(document)),
            (KEY_SEQUENCE, Written::Count(document.book.sequence())),
            (KEY_VERSION, Written::Count(DOCUMENT_VERSION)),
        ];
        write_object(serializer, &known, &document.extra)
    }
}

impl Serialize for Written<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Written::Text(text) => serializer.serialize_str(text),
            Written::Host(host) => serializer.collect_str(host),
            Written::Flag(flag) => serializer.serialize_bool(flag),
            Written::Count(count) => serializer.serialize_u64(count),
            Written::Millis(millis) => serializer.serialize_i64(millis),
            Written::Endpoint(endpoint, extra) => {
                let known = [
                    ("host", Written::Host(&endpoint.host)),
                    ("port", Written::Count(u64::from(endpoint.port.get()))),
                    ("security", Written::Text(endpoint.security.as_str())),
                ];
                write_object(serializer, &known, extra)
            }
            Written::Trust(trust, extra) => {
                let mode = ("mode", Written::Text(trust.mode().as_str()));
                match trust {
                    CertificateTrust::Pinned { spki_sha256 } => {
                        let known = [mode, ("spki_sha256", Written::Pins(spki_sha256))];
                        write_object(serializer, &known, extra)
                    }
                    CertificateTrust::Verified | CertificateTrust::Any => {
                        write_object(serializer, &[mode], extra)
                    }
                }
            }
            Written::Pins(pins) => {
                let mut list = serializer.serialize_seq(Some(pins.as_slice().len()))?;
                for pin in pins {
                    list.serialize_element(&Pin(pin))?;
                }
                list.end()
            }
            Written::Entry(entry) => write_entry(serializer, entry),
            Written::Entries(document) => {
                let total = document.book.len() + document.rejected.len();
                let mut list = serializer.serialize_seq(Some(total))?;
                for entry in document.book.iter() {
                    list.serialize_element(&Written::Entry(entry))?;
                }
                for rejected in &document.rejected {
                    list.serialize_element(&Written::Stored(&rejected.raw))?;
                }
                list.end()
            }
            Written::Stored(value) => value.serialize(serializer),
        }
    }
}

/// A pin as its 64 lowercase hex digits.
struct Pin<'a>(&'a crate::certificate_trust::SpkiPin);

impl Serialize for Pin<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

fn write_entry<S: Serializer>(serializer: S, entry: &Entry) -> Result<S::Ok, S::Error> {
    let domain = ("domain", Written::Text(entry.domain().as_ascii()));
    let subdomains = (
        "include_subdomains",
        Written::Flag(entry.include_subdomains()),
    );
    let revision = ("revision", Written::Count(entry.revision()));
    let kind = ("type", Written::Text(entry.kind().as_str()));
    let updated = (
        "updated_at_unix_ms",
        Written::Millis(entry.updated_at().as_unix_ms()),
    );
    let trust = (
        "certificate_trust",
        Written::Trust(entry.connection().certificate_trust(), entry.trust_extra()),
    );
    match entry.connection() {
        Connection::Imap(imap) => {
            let known = [
                // Derived, for readers that know only the version-2 flag (see mod.rs).
                (
                    "allow_insecure_certificates",
                    Written::Flag(imap.certificate_trust.allows_any_certificate()),
                ),
                trust,
                domain,
                subdomains,
                (
                    "incoming",
                    Written::Endpoint(&imap.incoming, entry.incoming_extra()),
                ),
                (
                    "outgoing",
                    Written::Endpoint(&imap.outgoing, entry.outgoing_extra()),
                ),
                revision,
                kind,
                updated,
                ("username", Written::Text(imap.username.as_str())),
            ];
            // The whole address is the default, written as nothing (as every version-1 entry).
            let written = if imap.username == UsernameForm::EmailAddress {
                &known[..known.len() - 1]
            } else {
                &known[..]
            };
            write_object(serializer, written, entry.extra())
        }
        Connection::Exchange(exchange) => {
            let url = ("url", Written::Text(exchange.url.as_str()));
            let known = [trust, domain, subdomains, revision, kind, updated, url];
            write_object(serializer, &known, entry.extra())
        }
    }
}

/// An object of `known` fields (sorted by key) and `extra` ones, in the order of their keys; a
/// known field wins over an extra one of the same name.
fn write_object<S: Serializer>(
    serializer: S,
    known: &[(&str, Written)],
    extra: &Map<String, Value>,
) -> Result<S::Ok, S::Error> {
    debug_assert!(known.windows(2).all(|pair| pair[0].0 < pair[1].0));
    let mut object = serializer.serialize_map(None)?;
    let mut extra = extra.iter().peekable();
    for (key, value) in known {
        while let Some((extra_key, extra_value)) = extra.next_if(|(k, _)| k.as_str() < *key) {
            object.serialize_entry(extra_key, extra_value)?;
        }
        extra.next_if(|(k, _)| k.as_str() == *key);
        object.serialize_entry(key, value)?;
    }
    for (extra_key, extra_value) in extra {
        object.serialize_entry(extra_key, extra_value)?;
    }
    object.end()
}
