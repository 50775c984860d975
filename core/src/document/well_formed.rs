//! The quick way in for [`Document::from_json`]: a stored document whose entries have exactly
//! the documented shape is read straight from the text, without building a `serde_json::Value`
//! for every entry (a 10,000-domain book is about 2.8 MB, and the value tree is most of the
//! cost of loading it).
//!
//! Owns: recognising the documented shape. Must not: report problems or decide validity. An
//! entry it does not recognise (an unknown field, a wrong type, an escaped string, a value the
//! parse functions refuse) goes through the general reader in `mod.rs`, which names every
//! problem; a document it does not recognise as a whole is read by that reader from the start.
//! So both ways load any text to the same [`Document`]; the property test
//! `quick_and_general_reads_agree` holds them to it.

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{
    DOCUMENT_VERSION, Document, FIRST_PAGE_MIN_ENTRIES, FirstPage, KEY_DOMAINS, KEY_VERSION,
    kind_from_stored, security_from_stored,
};
use crate::book::{Entry, EntryDraft, SettingsBook, Timestamp};
use crate::certificate_trust::{CertificateTrust, SpkiPin, TrustMode};
use crate::domain::Domain;
use crate::exchange_url::ExchangeUrl;
use crate::host::Host;
use crate::port::Port;
use crate::security::Endpoint;
use crate::settings::{Connection, ConnectionKind, ExchangeSettings, ImapSettings, UsernameForm};

/// One entry as documented. Borrowed text only: a string with escapes is not read here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredEntry<'a> {
    domain: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    // Present-or-absent matters for the fields of one kind (in an entry of the other kind even
    // `null` is a conflict), so these do not read `null` as absent.
    #[serde(default, deserialize_with = "present", borrow)]
    incoming: Option<StoredEndpoint<'a>>,
    #[serde(default, deserialize_with = "present", borrow)]
    outgoing: Option<StoredEndpoint<'a>>,
    #[serde(default, deserialize_with = "present")]
    allow_insecure_certificates: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present", borrow)]
    certificate_trust: Option<StoredTrust<'a>>,
    #[serde(default, deserialize_with = "present")]
    url: Option<&'a str>,
    #[serde(default, deserialize_with = "present")]
    username: Option<&'a str>,
    /// Missing or `null` means no.
    #[serde(default)]
    include_subdomains: Option<bool>,
    updated_at_unix_ms: i64,
    revision: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredEndpoint<'a> {
    host: &'a str,
    port: u64,
    security: &'a str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredTrust<'a> {
    mode: &'a str,
    #[serde(default, borrow)]
    spki_sha256: Option<Vec<&'a str>>,
}

/// A field that is there, whatever its value; with `#[serde(default)]`, `None` means absent.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The top level of a stored document, read in one pass: the entries are kept as raw text for
/// [`entry`], everything else as values.
struct TopLevel<'a> {
    version: Option<Value>,
    entries: Vec<&'a RawValue>,
    extra: Map<String, Value>,
}

impl<'de: 'a, 'a> Deserialize<'de> for TopLevel<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TopLevelVisitor(std::marker::PhantomData))
    }
}

struct TopLevelVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for TopLevelVisitor<'a> {
    type Value = TopLevel<'a>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a settings document")
    }

    // A key given twice keeps its last value, as a JSON object map does.
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut top = TopLevel {
            version: None,
            entries: Vec::new(),
            extra: Map::new(),
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                KEY_VERSION => top.version = Some(map.next_value()?),
                KEY_DOMAINS => top.entries = map.next_value()?,
                _ => {
                    top.extra.insert(key, map.next_value()?);
                }
            }
        }
        Ok(top)
    }
}

/// The document, or `None` when the general reader must read it.
pub(super) fn read(text: &str) -> Option<Document> {
    read_entries(text, None).map(|first| first.document)
}

/// See [`Document::first_page`]. The whole text is still scanned once (it must be one JSON
/// document, and the count of entries comes from it), but only the first entries are read.
pub(super) fn first_page(text: &str, count: usize) -> Option<FirstPage> {
    read_entries(text, Some(count))
}

/// Both of the above in one reader, so the browser's download holds it once: every entry, or
/// with `first_page` only that many, each of which must then read quickly and sort after the
/// one before.
fn read_entries(text: &str, first_page: Option<usize>) -> Option<FirstPage> {
    let TopLevel {
        version,
        entries: stored_entries,
        extra: root,
    } = serde_json::from_str(text).ok()?;
    let version = version.as_ref().and_then(Value::as_u64);
    if !(1..=DOCUMENT_VERSION).contains(&version?) {
        return None;
    }
    if first_page.is_some() && stored_entries.len() < FIRST_PAGE_MIN_ENTRIES {
        return None;
    }
    let mut document = Document {
        book: SettingsBook::new(),
        rejected: Vec::new(),
        extra: root,
    };
    let count = first_page.unwrap_or(usize::MAX);
    for (index, raw) in stored_entries.iter().enumerate().take(count) {
        let quick = entry(raw.get());
        if first_page.is_some() {
            let entry = quick.as_ref()?;
            let ascending = (&document.book)
                .into_iter()
                .next_back()
                .is_none_or(|last| last.domain() < entry.domain());
            if !ascending {
                return None;
            }
        }
        match quick.map(|entry| document.add_restored(entry)) {
            Some(Ok(())) => {}
            Some(Err(problems)) => {
                document.reject(index, serde_json::from_str(raw.get()).ok()?, problems);
            }
            None => document.add_stored(index, serde_json::from_str(raw.get()).ok()?),
        }
    }
    document.adopt_stored_sequence();
    Some(FirstPage {
        document,
        stored_entries: stored_entries.len(),
    })
}

/// A valid entry of the documented shape, or `None` for the general reader to look at.
fn entry(text: &str) -> Option<Entry> {
    let stored: StoredEntry = serde_json::from_str(text).ok()?;
    let stated = match &stored.certificate_trust {
        None => None,
        Some(trust) => Some(certificate_trust(trust)?),
    };
    let connection = match kind_from_stored(stored.kind)? {
        ConnectionKind::Imap => {
            if stored.url.is_some() {
                return None;
            }
            let flag = stored.allow_insecure_certificates.flatten();
            let certificate_trust = match (stated, flag) {
                (Some(trust), Some(flag)) => {
                    trust.check_insecure_flag(flag).ok()?;
                    trust
                }
                (Some(trust), None) => trust,
                (None, flag) => CertificateTrust::from_insecure_flag(flag.unwrap_or(false)),
            };
            Connection::Imap(ImapSettings {
                incoming: endpoint(stored.incoming?)?,
                outgoing: endpoint(stored.outgoing?)?,
                certificate_trust,
                username: match stored.username {
                    None => UsernameForm::EmailAddress,
                    Some(name) => UsernameForm::from_name(name)?,
                },
            })
        }
        ConnectionKind::Exchange => {
            let imap_field = stored.incoming.is_some()
                || stored.outgoing.is_some()
                || stored.username.is_some()
                || stored.allow_insecure_certificates.is_some();
            if imap_field {
                return None;
            }
            Connection::Exchange(ExchangeSettings {
                url: ExchangeUrl::parse(stored.url?).ok()?,
                certificate_trust: stated.unwrap_or_default(),
            })
        }
    };
    if stored.revision == 0 {
        return None;
    }
    Some(Entry::restored(
        EntryDraft {
            domain: Domain::parse(stored.domain).ok()?,
            connection,
            include_subdomains: stored.include_subdomains.unwrap_or(false),
        },
        Timestamp::from_unix_ms(stored.updated_at_unix_ms),
        stored.revision,
        Map::new(),
    ))
}

/// The trust of a `certificate_trust` object, read with the parse functions the general reader
/// uses (so both agree on what is valid).
fn certificate_trust(stored: &StoredTrust) -> Option<CertificateTrust> {
    let mode = TrustMode::parse(stored.mode).ok()?;
    let pins = match (&stored.spki_sha256, mode) {
        (None, TrustMode::Pinned) => return None,
        (None, _) => Vec::new(),
        (Some(texts), _) => texts
            .iter()
            .map(|text| SpkiPin::parse(text).ok())
            .collect::<Option<Vec<_>>>()?,
    };
    CertificateTrust::of_mode(mode, pins).ok()
}

fn endpoint(stored: StoredEndpoint) -> Option<Endpoint> {
    Some(Endpoint {
        host: Host::parse(stored.host).ok()?,
        port: Port::try_from(stored.port).ok()?,
        security: security_from_stored(stored.security).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn imap_entry(domain: &str) -> String {
        format!(
            r#"{{"domain":"{domain}","type":"imap","incoming":{{"host":"imap.{domain}","port":993,"security":"ssl_tls"}},"outgoing":{{"host":"smtp.{domain}","port":465,"security":"ssl_tls"}},"allow_insecure_certificates":false,"include_subdomains":true,"updated_at_unix_ms":1700000000000,"revision":2}}"#
        )
    }

    #[test]
    fn a_document_of_the_documented_shape_is_read_quickly_and_completely() {
        let entries: Vec<String> = (0..100)
            .map(|index| imap_entry(&format!("company-{index}.example")))
            .collect();
        let text = format!(
            r#"{{"version":1,"note":"kept","domains":[{},{{"domain":"corp.example","type":"exchange","url":"https://mail.corp.example/EWS/Exchange.asmx","updated_at_unix_ms":1,"revision":1}}]}}"#,
            entries.join(",")
        );
        let quick = read(&text).expect("the documented shape is read without the general reader");
        assert_eq!(quick.book().len(), 101);
        assert!(quick.rejected().is_empty());
        assert_eq!(quick.extra().get("note"), Some(&Value::from("kept")));
        assert_eq!(
            quick,
            Document::read_general(&text).expect("a valid document")
        );
    }

    #[test]
    fn a_field_given_twice_keeps_its_last_value_as_the_general_reader_does() {
        let text = format!(
            r#"{{"version":1,"domains":[{}],"note":1,"domains":[{}],"note":2}}"#,
            imap_entry("first.example"),
            imap_entry("last.example")
        );
        let quick = read(&text).expect("the documented shape");
        assert_eq!(
            quick,
            Document::read_general(&text).expect("a valid document")
        );
        assert_eq!(quick.book().len(), 1);
        assert_eq!(quick.extra().get("note"), Some(&Value::from(2)));
    }

    /// A stored document of `names.len()` IMAP entries in that order, as text.
    fn document_of(names: &[String]) -> String {
        let entries: Vec<String> = names.iter().map(|name| imap_entry(name)).collect();
        format!(
            r#"{{"version":2,"kept":true,"domains":[{}],"sequence":7}}"#,
            entries.join(",")
        )
    }

    fn ascending_names(count: usize) -> Vec<String> {
        (0..count).map(|n| format!("d{n:05}.example")).collect()
    }

    #[test]
    fn the_first_page_of_a_big_document_is_its_first_entries_as_the_whole_read_gives_them() {
        let text = document_of(&ascending_names(FIRST_PAGE_MIN_ENTRIES));
        let first = first_page(&text, 50).expect("a big document in ascending order");
        let whole = Document::from_json(&text).expect("a valid document");
        assert_eq!(first.stored_entries, FIRST_PAGE_MIN_ENTRIES);
        assert_eq!(first.document.book().len(), 50);
        assert!(
            first
                .document
                .book()
                .iter()
                .eq(whole.book().iter().take(50))
        );
        assert_eq!(first.document.extra(), whole.extra());
        assert_eq!(first.document.book().sequence(), whole.book().sequence());
        // Asking for more than it holds gives all of it.
        let all = first_page(&text, usize::MAX).expect("a big document");
        assert_eq!(all.document, whole);
    }

    #[test]
    fn a_document_that_is_small_or_whose_first_page_is_unusual_is_read_whole() {
        let big = ascending_names(FIRST_PAGE_MIN_ENTRIES);
        let small = document_of(&big[..FIRST_PAGE_MIN_ENTRIES - 1]);
        assert_eq!(first_page(&small, 50), None);
        let mut out_of_order = big.clone();
        out_of_order.swap(3, 4);
        assert_eq!(first_page(&document_of(&out_of_order), 50), None);
        // Out of order after the first page: not looked at (the whole read comes next).
        assert!(first_page(&document_of(&out_of_order), 4).is_some());
        let mut repeated = big.clone();
        repeated[5] = repeated[4].clone();
        assert_eq!(first_page(&document_of(&repeated), 50), None);
        let mut invalid = big.clone();
        invalid[10] = "not a domain".to_owned();
        assert_eq!(first_page(&document_of(&invalid), 50), None);
        let newer = document_of(&big).replacen(r#""version":2"#, r#""version":4"#, 1);
        assert_eq!(first_page(&newer, 50), None);
        let truncated = document_of(&big);
        assert_eq!(first_page(&truncated[..truncated.len() - 1], 50), None);
    }

    #[test]
    fn leaves_whole_documents_it_does_not_recognise_to_the_general_reader() {
        for text in [
            "",
            "[]",
            r#"{"domains":[]}"#,
            r#"{"version":4,"domains":[]}"#,
            r#"{"version":0,"domains":[]}"#,
            r#"{"version":1,"domains":{}}"#,
            r#"{"version":1,"domains":null}"#,
            r#"{"version":1,"domains":[{"domain":"a.example","x":"\ud800"}]}"#,
        ] {
            assert!(read(text).is_none(), "{text}");
        }
    }

    /// Entries that are almost right, each in a different way.
    fn stored_entry() -> impl Strategy<Value = String> {
        // Valid values weigh most, so that many entries are wholly valid and read quickly.
        let domain = prop_oneof![
            12 => Just(r#""a.example""#),
           1 => Just(r#""A.Example""#),
           1 => Just(r#""b\u00fccher.example""#),
           1 => Just(r#""not a domain""#),
           1 => Just("null"),
           1 => Just("7"),
        ];
        let endpoint = prop_oneof![
            20 => Just(r#"{"host":"imap.a.example","port":993,"security":"ssl_tls"}"#),
           1 => Just(r#"{"host":"192.0.2.1","port":587,"security":"starttls"}"#),
           1 => Just(r#"{"host":"imap.a.example","port":0,"security":"ssl_tls"}"#),
           1 => Just(r#"{"host":"imap.a.example","port":-1,"security":"ssl_tls"}"#),
           1 => Just(r#"{"host":"imap.a.example","port":993.5,"security":"ssl_tls"}"#),
           1 => Just(r#"{"host":"imap.a.example","port":993,"security":"tls"}"#),
           1 => Just(r#"{"host":"imap.a.example","port":993,"security":"ssl_tls","extra":1}"#),
           1 => Just(r#"{"host":"https://x","port":993,"security":"ssl_tls"}"#),
           1 => Just("null"),
        ];
        let optional_bool = prop_oneof![
            3 => Just(None),
            3 => Just(Some("true")),
            3 => Just(Some("false")),
            2 => Just(Some("null")),
          1 => Just(Some("1")),
        ];
        let url = prop_oneof![
            6 => Just(None),
            6 => Just(Some(r#""https://mail.a.example/EWS/Exchange.asmx""#)),
           1 => Just(Some(r#""ftp://x""#)),
           1 => Just(Some("null")),
        ];
        let trust = prop_oneof![
            8 => Just(None),
            3 => Just(Some(r#"{"mode":"verified"}"#)),
            3 => Just(Some(r#"{"mode":"any"}"#)),
            3 => Just(Some(r#"{"mode":"pinned","spki_sha256":["1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000"]}"#)),
            1 => Just(Some(r#"{"mode":"Pinned","spki_sha256":["1F1E1D1C1B1A19181716151413121110F0E0D0C0B0A090807060504030201000","1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000"]}"#)),
            1 => Just(Some(r#"{"mode":"pinned","spki_sha256":[]}"#)),
            1 => Just(Some(r#"{"mode":"pinned","spki_sha256":["abc"]}"#)),
            1 => Just(Some(r#"{"mode":"verified","spki_sha256":null}"#)),
            1 => Just(Some(r#"{"mode":"any","until":2030}"#)),
            1 => Just(Some(r#"{"mode":"sometimes"}"#)),
            1 => Just(Some("null")),
            1 => Just(Some(r#""any""#)),
        ];
        let kind =
            prop_oneof![6 => Just(r#""imap""#), 6 => Just(r#""exchange""#), 1 => Just(r#""pop""#)];
        let number = prop_oneof![
            20 => Just("1"),
          1 => Just("0"),
          1 => Just("-5"),
          1 => Just("2.5"),
          1 => Just("null"),
        ];
        (
            domain,
            kind,
            proptest::option::weighted(0.9, endpoint.clone()),
            proptest::option::weighted(0.9, endpoint),
            (optional_bool.clone(), optional_bool, url, trust),
            (
                number.clone(),
                number,
                proptest::bool::weighted(0.1),
                proptest::bool::weighted(0.1),
            ),
        )
            .prop_map(
                |(
                    domain,
                    kind,
                    incoming,
                    outgoing,
                    (allow, subdomains, url, trust),
                    (updated, revision, unknown, twice),
                )| {
                    let mut fields =
                        vec![format!(r#""domain":{domain}"#), format!(r#""type":{kind}"#)];
                    let mut put = |key: &str, value: Option<&str>| {
                        if let Some(value) = value {
                            fields.push(format!(r#""{key}":{value}"#));
                        }
                    };
                    put("incoming", incoming);
                    put("outgoing", outgoing);
                    put("allow_insecure_certificates", allow);
                    put("certificate_trust", trust);
                    put("include_subdomains", subdomains);
                    put("url", url);
                    put("updated_at_unix_ms", Some(updated));
                    put("revision", Some(revision));
                    put("unknown", unknown.then_some("[1]"));
                    put("domain", twice.then_some(r#""c.example""#));
                    format!("{{{}}}", fields.join(","))
                },
            )
    }

    proptest! {
        #[test]
        fn quick_and_general_reads_agree(
            entries in proptest::collection::vec(stored_entry(), 0..8),
            extra in any::<bool>(),
        ) {
            let text = format!(
                r#"{{"version":1,{}"domains":[{}]}}"#,
                if extra { r#""kept":{"a":[1,2]},"# } else { "" },
                entries.join(",")
            );
            let general = Document::read_general(&text).expect("a readable document");
            let quick = read(&text).expect("the whole document is of the documented shape");
            prop_assert_eq!(&quick, &general);
            prop_assert_eq!(quick.to_json(), general.to_json());
        }

        /// The writer (written.rs) against the value tree it replaced, on the same documents:
        /// unknown fields at every level, rejected entries, both kinds.
        #[test]
        fn writing_without_a_value_tree_gives_the_same_text(
            entries in proptest::collection::vec(stored_entry(), 0..8),
            extra in any::<bool>(),
        ) {
            let text = format!(
                r#"{{{}"version":1,"domains":[{}],"zz":null}}"#,
                if extra { r#""a":1,"kept":{"a":[1,2]},"# } else { "" },
                entries.join(",")
            );
            let document = Document::from_json(&text).expect("a readable document");
            prop_assert_eq!(document.to_json(), crate::document::tests::to_json_through_value(&document));
        }
    }
}
