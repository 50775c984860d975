//! Property tests for mailsetup-core: generated valid values round-trip through Display and
//! parse, normalisation is idempotent, no input makes a parser panic, and the settings book
//! agrees with a simple model whatever sequence of changes runs.
//!
//! Must not: depend on files or the clock; every case is generated.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use mailsetup_core::UsernameForm;
use mailsetup_core::{
    AllowlistEntry, Change, Connection, ConnectionKind, Document, Domain, EmailAddress, Endpoint,
    EntryDraft, ExchangeSettings, ExchangeUrl, Host, ImapSettings, MatchKind, Port, Problem,
    Security, SettingsBook, Timestamp,
};
use proptest::prelude::*;

// ---------- generators ----------

fn ascii_label() -> impl Strategy<Value = String> {
    // "xn--" starts a punycode label, which random letters rarely spell validly.
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
        .prop_filter("not punycode", |label| !label.starts_with("xn--"))
}

fn unicode_label() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "bücher",
        "münchen",
        "café",
        "日本語",
        "пример",
        "ñandú",
        "faß",
    ])
    .prop_map(str::to_owned)
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![4 => ascii_label(), 1 => unicode_label()]
}

/// A valid domain as a person might write it in lowercase: 1-3 labels plus an alphabetic ending.
fn domain_text() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..4), "[a-z]{2,6}")
        .prop_map(|(labels, ending)| format!("{}.{ending}", labels.join(".")))
}

/// The same domain in the other forms people type: mixed case, trailing dot, leading '@',
/// surrounding spaces.
fn domain_variant() -> impl Strategy<Value = (String, String)> {
    (
        domain_text(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(text, upper, trailing_dot, at, spaces)| {
            let mut variant = if upper {
                simple_uppercase(&text)
            } else {
                text.clone()
            };
            if trailing_dot {
                variant.push('.');
            }
            if at {
                variant.insert(0, '@');
            }
            if spaces {
                variant = format!("  {variant}\t");
            }
            (text, variant)
        })
}

/// Uppercase where it maps one character to one ('ß' stays: its uppercase "SS" is another name).
fn simple_uppercase(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(single), None) => single,
                _ => c,
            }
        })
        .collect()
}

fn single_label_name() -> impl Strategy<Value = String> {
    ascii_label().prop_filter("a name, not a number", |label| {
        label.starts_with(|c: char| c.is_ascii_alphabetic())
    })
}

fn host_text() -> impl Strategy<Value = String> {
    prop_oneof![
        domain_text(),
        single_label_name(),
        any::<u32>().prop_map(|bits| Ipv4Addr::from(bits).to_string()),
        any::<u128>().prop_map(|bits| Ipv6Addr::from(bits).to_string()),
        any::<u128>().prop_map(|bits| format!("[{}]", Ipv6Addr::from(bits))),
    ]
}

fn exchange_url_text() -> impl Strategy<Value = String> {
    let segment = "[A-Za-z0-9_~-]{1,10}".prop_filter("not Outlook Web App", |segment| {
        !segment.eq_ignore_ascii_case("owa")
    });
    (
        host_text(),
        prop::option::of(1_u16..=65535),
        prop::collection::vec(segment, 0..4),
        any::<bool>(),
    )
        .prop_map(|(host, port, segments, asmx)| {
            let host = Host::parse(&host).map(|h| h.uri_host()).unwrap_or(host);
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let suffix = if asmx { ".asmx" } else { "" };
            format!("https://{host}{port}/{}{suffix}", segments.join("/"))
        })
}

/// Text that often looks like what the parsers expect, so the checks past the first are hit.
fn near_miss_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9:/@.\\[\\]%#?\\\\ \t_+-]{0,40}"
}

// ---------- round trips and normalisation ----------

proptest! {
    #[test]
    fn valid_domains_round_trip((canonical, variant) in domain_variant()) {
        let parsed = Domain::parse(&canonical).unwrap();
        let shown = parsed.to_string();
        prop_assert_eq!(Domain::parse(&shown).unwrap(), parsed.clone());
        prop_assert_eq!(Domain::parse(&variant).unwrap(), parsed.clone());
        prop_assert_eq!(Domain::parse(&parsed.to_unicode()).unwrap(), parsed.clone());
        // Idempotent: normalising the normal form changes nothing.
        prop_assert_eq!(Domain::parse(&shown).unwrap().to_string(), shown);
    }

    #[test]
    fn valid_hosts_round_trip(text in host_text()) {
        let parsed = Host::parse(&text).unwrap();
        let shown = parsed.to_string();
        prop_assert_eq!(Host::parse(&shown).unwrap(), parsed.clone());
        prop_assert_eq!(Host::parse(&parsed.uri_host()).unwrap(), parsed.clone());
        prop_assert_eq!(Host::parse(&shown).unwrap().to_string(), shown);
        prop_assert_eq!(Host::parse(&simple_uppercase(&text)).unwrap(), parsed);
    }

    #[test]
    fn valid_ports_round_trip(number in 1_u16..=65535, zeros in 0_usize..3) {
        let port = Port::new(number).unwrap();
        prop_assert_eq!(Port::parse(&port.to_string()), Ok(port));
        prop_assert_eq!(Port::parse(&format!("{}{number}", "0".repeat(zeros))), Ok(port));
        prop_assert_eq!(port.get(), number);
    }

    #[test]
    fn valid_exchange_urls_round_trip(text in exchange_url_text()) {
        let parsed = ExchangeUrl::parse(&text).unwrap();
        let shown = parsed.to_string();
        prop_assert_eq!(ExchangeUrl::parse(&shown).unwrap(), parsed.clone());
        prop_assert_eq!(ExchangeUrl::parse(&shown).unwrap().to_string(), shown);
        prop_assert_eq!(parsed.as_str(), parsed.to_string());
    }

    #[test]
    fn valid_email_addresses_round_trip(local in "[a-zA-Z0-9_+-]{1,10}(\\.[a-z0-9]{1,5})?", domain in domain_text()) {
        let parsed = EmailAddress::parse(&format!("{local}@{domain}")).unwrap();
        prop_assert_eq!(parsed.local_part(), local.as_str());
        prop_assert_eq!(EmailAddress::parse(&parsed.to_string()).unwrap(), parsed);
    }
}

// ---------- the parsers agree with each other ----------

/// Any host the server fields accept also works inside an Exchange URL, with the same value,
/// and any domain is a host with the same ASCII form.
fn check_agreement(text: &str) -> Result<(), TestCaseError> {
    if let Ok(host) = Host::parse(text) {
        let url = format!("https://{}/EWS/Exchange.asmx", host.uri_host());
        let parsed = ExchangeUrl::parse(&url);
        prop_assert!(parsed.is_ok(), "{} -> {:?}", url, parsed);
        if let Ok(parsed) = parsed {
            prop_assert_eq!(parsed.host(), &host);
        }
    }
    if let Ok(domain) = Domain::parse(text) {
        let host = Host::parse(domain.as_ascii()).unwrap();
        prop_assert_eq!(host.to_string(), domain.as_ascii());
    }
    Ok(())
}

proptest! {
    #[test]
    fn generated_hosts_agree_across_parsers(text in host_text()) {
        check_agreement(&text)?;
    }

    #[test]
    fn near_miss_hosts_agree_across_parsers(text in "[a-zA-Z0-9.:ßü。-]{1,20}") {
        check_agreement(&text)?;
    }
}

// ---------- no input panics; whatever parses, round-trips ----------

/// Runs every parser on `text`; each value that parses must parse again from its Display form.
fn check_every_parser(text: &str) -> Result<(), TestCaseError> {
    if let Ok(value) = Domain::parse(text) {
        prop_assert_eq!(Domain::parse(&format!("{value}")), Ok(value));
    }
    if let Ok(value) = Host::parse(text) {
        prop_assert_eq!(Host::parse(&value.to_string()), Ok(value));
    }
    if let Ok(value) = Port::parse(text) {
        prop_assert_eq!(Port::parse(&value.to_string()), Ok(value));
    }
    if let Ok(value) = ExchangeUrl::parse(text) {
        prop_assert_eq!(ExchangeUrl::parse(&value.to_string()), Ok(value));
    }
    if let Ok(value) = EmailAddress::parse(text) {
        prop_assert_eq!(EmailAddress::parse(&value.to_string()), Ok(value));
    }
    if let Ok(value) = AllowlistEntry::parse(text) {
        prop_assert_eq!(AllowlistEntry::parse(&value.to_string()), Ok(value));
    }
    let _ = text.parse::<Security>();
    let _ = Document::from_json(text);
    for error in [
        Domain::parse(text).err().map(|e| (e.code(), e.to_string())),
        Host::parse(text).err().map(|e| (e.code(), e.to_string())),
        ExchangeUrl::parse(text)
            .err()
            .map(|e| (e.code(), e.to_string())),
    ]
    .into_iter()
    .flatten()
    {
        prop_assert!(!error.0.is_empty() && !error.1.is_empty());
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        check_every_parser(&text)?;
    }

    #[test]
    fn near_miss_strings_never_panic(text in near_miss_text()) {
        check_every_parser(&text)?;
    }

    #[test]
    fn arbitrary_json_documents_never_panic(
        version in prop_oneof![Just("1".to_owned()), Just("2".to_owned()), Just("0".to_owned()), "-?[0-9.e]{1,4}"],
        entries in prop::collection::vec(near_miss_text(), 0..4),
    ) {
        let domains: Vec<String> = entries
            .iter()
            .map(|text| serde_json::json!({"domain": text, "type": "exchange", "url": text}).to_string())
            .collect();
        let text = format!(r#"{{"version": {version}, "domains": [{}]}}"#, domains.join(","));
        if let Ok(document) = Document::from_json(&text) {
            // Every entry is either loaded or rejected, never dropped.
            prop_assert_eq!(document.book().len() + document.rejected().len(), entries.len());
            let again = Document::from_json(&document.to_json()).unwrap();
            prop_assert_eq!(again.book(), document.book());
            prop_assert_eq!(again.rejected().len(), document.rejected().len());
        }
    }
}

// ---------- the book against a model ----------

const POOL: [&str; 5] = [
    "a.example",
    "b.example",
    "sub.a.example",
    "x.sub.a.example",
    "c.example",
];
const LOOKUPS: [&str; 8] = [
    "a.example",
    "b.example",
    "sub.a.example",
    "x.sub.a.example",
    "c.example",
    "deep.x.sub.a.example",
    "other.sub.a.example",
    "unrelated.example",
];

/// Which revision a change names: the entry's current one, or one it no longer has.
#[derive(Debug, Clone, Copy)]
enum Based {
    Current,
    Stale,
}

#[derive(Debug, Clone)]
enum Op {
    Add(usize, ConnectionKind, bool),
    Update(usize, Based, ConnectionKind, bool),
    Rename(usize, Based, usize),
    Edit(usize, Based, usize, ConnectionKind, bool),
    Remove(usize, Based),
    /// Restore at a domain (based on its current entry, or reviving it: `None`) the settings
    /// of `kind` under the name of the third index.
    Restore(usize, Option<Based>, usize, ConnectionKind, bool),
}

fn kind() -> impl Strategy<Value = ConnectionKind> {
    prop_oneof![Just(ConnectionKind::Imap), Just(ConnectionKind::Exchange)]
}

fn based() -> impl Strategy<Value = Based> {
    prop_oneof![4 => Just(Based::Current), 1 => Just(Based::Stale)]
}

fn op() -> impl Strategy<Value = Op> {
    let index = 0..POOL.len();
    prop_oneof![
        (index.clone(), kind(), any::<bool>()).prop_map(|(d, k, s)| Op::Add(d, k, s)),
        (index.clone(), based(), kind(), any::<bool>())
            .prop_map(|(d, r, k, s)| Op::Update(d, r, k, s)),
        (index.clone(), based(), index.clone()).prop_map(|(a, r, b)| Op::Rename(a, r, b)),
        (index.clone(), based(), index.clone(), kind(), any::<bool>())
            .prop_map(|(a, r, b, k, s)| Op::Edit(a, r, b, k, s)),
        (index.clone(), based()).prop_map(|(d, r)| Op::Remove(d, r)),
        (
            index.clone(),
            prop::option::of(based()),
            index,
            kind(),
            any::<bool>()
        )
            .prop_map(|(a, r, b, k, s)| Op::Restore(a, r, b, k, s)),
    ]
}

fn connection(kind: ConnectionKind) -> Connection {
    match kind {
        ConnectionKind::Imap => Connection::Imap(ImapSettings {
            incoming: Endpoint {
                host: Host::parse("imap.example.com").unwrap(),
                port: Port::IMAP_SSL,
                security: Security::SslTls,
            },
            outgoing: Endpoint {
                host: Host::parse("smtp.example.com").unwrap(),
                port: Port::SMTP_SUBMISSION,
                security: Security::StartTls,
            },
            certificate_trust: mailsetup_core::CertificateTrust::Verified,
            username: UsernameForm::EmailAddress,
        }),
        ConnectionKind::Exchange => Connection::Exchange(ExchangeSettings::verified(
            ExchangeUrl::parse("https://mail.example.com/EWS/Exchange.asmx").unwrap(),
        )),
    }
}

/// What an entry looks like to the model.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ModelEntry {
    kind: ConnectionKind,
    include_subdomains: bool,
    revision: u64,
}

/// The book as the model sees it: entries by name, and the last revision issued.
#[derive(Debug, Default)]
struct Model {
    entries: BTreeMap<&'static str, ModelEntry>,
    sequence: u64,
}

impl Model {
    /// The revision a change based `based` on `domain` names (1 for a missing entry).
    fn revision(&self, domain: &str, based: Based) -> u64 {
        let current = self.entries.get(domain).map_or(1, |entry| entry.revision);
        match based {
            Based::Current => current,
            Based::Stale => current + 1,
        }
    }

    /// The error code the model expects for putting `kind` at `domain`, or None if free.
    fn occupied(&self, domain: &str, kind: ConnectionKind) -> Option<&'static str> {
        self.entries.get(domain).map(|existing| {
            if existing.kind == kind {
                "book.already_configured"
            } else {
                "book.kind_conflict"
            }
        })
    }

    fn existing(&self, domain: &str, revision: u64) -> Result<ModelEntry, &'static str> {
        let existing = *self.entries.get(domain).ok_or("book.not_found")?;
        if revision != existing.revision {
            return Err("book.stale_revision");
        }
        Ok(existing)
    }

    fn put(&mut self, domain: &'static str, kind: ConnectionKind, include_subdomains: bool) {
        self.sequence += 1;
        let revision = self.sequence;
        self.entries.insert(
            domain,
            ModelEntry {
                kind,
                include_subdomains,
                revision,
            },
        );
    }

    fn edit(
        &mut self,
        original: &'static str,
        revision: u64,
        target: &'static str,
        kind: ConnectionKind,
        include_subdomains: bool,
    ) -> Result<(), &'static str> {
        let existing = self.existing(original, revision)?;
        if existing.kind != kind {
            return Err("book.kind_conflict");
        }
        if target != original
            && let Some(code) = self.occupied(target, kind)
        {
            return Err(code);
        }
        self.entries.remove(original);
        self.put(target, kind, include_subdomains);
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Result<(), &'static str> {
        match *op {
            Op::Add(d, kind, include_subdomains) => {
                if let Some(code) = self.occupied(POOL[d], kind) {
                    return Err(code);
                }
                self.put(POOL[d], kind, include_subdomains);
                Ok(())
            }
            Op::Update(d, based, kind, include) => self.edit(
                POOL[d],
                self.revision(POOL[d], based),
                POOL[d],
                kind,
                include,
            ),
            Op::Rename(from, based, to) => {
                let revision = self.revision(POOL[from], based);
                let existing = self.existing(POOL[from], revision)?;
                // Renaming onto itself is allowed and, like any edit, takes a new revision.
                self.edit(
                    POOL[from],
                    revision,
                    POOL[to],
                    existing.kind,
                    existing.include_subdomains,
                )
            }
            Op::Edit(original, based, target, kind, include) => {
                let revision = self.revision(POOL[original], based);
                self.edit(POOL[original], revision, POOL[target], kind, include)
            }
            Op::Remove(d, based) => {
                self.existing(POOL[d], self.revision(POOL[d], based))?;
                self.entries.remove(POOL[d]);
                self.sequence += 1;
                Ok(())
            }
            Op::Restore(at, based, target, kind, include) => {
                match based {
                    Some(based) => {
                        self.existing(POOL[at], self.revision(POOL[at], based))?;
                    }
                    None => {
                        if let Some(code) = self.occupied(POOL[at], kind) {
                            return Err(code);
                        }
                    }
                }
                // The kind may change; the name written back must be free but for `at`.
                if target != at
                    && let Some(code) = self.occupied(POOL[target], kind)
                {
                    return Err(code);
                }
                self.entries.remove(POOL[at]);
                self.put(POOL[target], kind, include);
                Ok(())
            }
        }
    }
}

/// The change `op` describes, with the revisions the model says it names.
fn change(model: &Model, book: &SettingsBook, op: &Op) -> Change {
    let domain = |index: usize| Domain::parse(POOL[index]).unwrap();
    let draft = |index: usize, kind: ConnectionKind, include_subdomains: bool| EntryDraft {
        domain: domain(index),
        connection: connection(kind),
        include_subdomains,
    };
    match *op {
        Op::Add(d, kind, include) => Change::Add {
            draft: draft(d, kind, include),
        },
        Op::Update(d, based, kind, include) => Change::Update {
            expected_revision: model.revision(POOL[d], based),
            draft: draft(d, kind, include),
        },
        Op::Rename(from, based, to) => {
            // A rename keeps the settings: the draft is the entry's own (or any, if missing).
            let (kind, include) = book
                .get(&domain(from))
                .map_or((ConnectionKind::Imap, false), |entry| {
                    (entry.kind(), entry.include_subdomains())
                });
            Change::edit(
                domain(from),
                model.revision(POOL[from], based),
                draft(to, kind, include),
            )
        }
        Op::Edit(original, based, target, kind, include) => Change::edit(
            domain(original),
            model.revision(POOL[original], based),
            draft(target, kind, include),
        ),
        Op::Remove(d, based) => Change::Remove {
            domain: domain(d),
            expected_revision: model.revision(POOL[d], based),
        },
        Op::Restore(at, based, target, kind, include) => Change::Restore {
            at: domain(at),
            expected_revision: based.map(|based| model.revision(POOL[at], based)),
            draft: draft(target, kind, include),
            restored_from: 1,
        },
    }
}

/// The model's answer to "which entry applies to this domain?".
fn model_lookup(model: &Model, domain: &str) -> Option<(String, MatchKind)> {
    let model = &model.entries;
    if model.contains_key(domain) {
        return Some((domain.to_owned(), MatchKind::Exact));
    }
    let mut rest = domain;
    while let Some((_, parent)) = rest.split_once('.') {
        if model
            .get(parent)
            .is_some_and(|entry| entry.include_subdomains)
        {
            return Some((parent.to_owned(), MatchKind::Parent));
        }
        rest = parent;
    }
    None
}

proptest! {
    #[test]
    fn the_book_agrees_with_a_simple_model(ops in prop::collection::vec(op(), 0..40)) {
        let mut book = SettingsBook::new();
        // A client's copy that only follows what the book applied.
        let mut copy = SettingsBook::new();
        let mut model = Model::default();
        for (step, op) in ops.iter().enumerate() {
            let now = Timestamp::from_unix_ms(i64::try_from(step).unwrap());
            let before = book.clone();
            let change = change(&model, &book, op);
            let applied = book.apply(change, now);
            if let Ok(applied) = &applied {
                copy.follow(applied);
                prop_assert_eq!(&copy, &book, "the copy fell behind at {:?}", op);
            }
            let actual = applied.map(|_| ()).map_err(|error| error.code());
            let expected = model.apply(op);
            prop_assert_eq!(actual, expected, "step {} {:?}", step, op);
            if actual.is_err() {
                prop_assert_eq!(&book, &before, "a refused change left traces: {:?}", op);
            }
            // One entry per domain, the same entries as the model.
            prop_assert_eq!(book.len(), model.entries.len());
            prop_assert_eq!(book.sequence(), model.sequence);
            let domains: Vec<&str> = book.iter().map(|entry| entry.domain().as_ascii()).collect();
            let model_domains: Vec<&str> = model.entries.keys().copied().collect();
            prop_assert_eq!(domains, model_domains);
            for entry in book.iter() {
                let expected = model.entries[entry.domain().as_ascii()];
                prop_assert_eq!(entry.kind(), expected.kind);
                prop_assert_eq!(entry.include_subdomains(), expected.include_subdomains);
                prop_assert_eq!(entry.revision(), expected.revision);
            }
            for name in LOOKUPS {
                let found = book
                    .lookup_domain(&Domain::parse(name).unwrap())
                    .map(|m| (m.entry.domain().as_ascii().to_owned(), m.kind));
                prop_assert_eq!(found, model_lookup(&model, name), "lookup {}", name);
            }
        }
        // And the book survives storage.
        let reloaded = Document::from_json(&Document::new(book.clone()).to_json()).unwrap();
        prop_assert!(reloaded.rejected().is_empty());
        prop_assert_eq!(reloaded.book(), &book);
    }
}
