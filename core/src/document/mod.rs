//! [`Document`]: the versioned JSON form of a [`SettingsBook`], as the browser (local storage)
//! and the server store it.
//!
//! Owns: the stored shape, format versions, and loading without losing anything: every stored
//! entry is checked with the same parse functions the forms use; an entry that fails is kept
//! as a [`RejectedEntry`] with *all* its problems and written back unchanged; unknown fields
//! survive a load -> save round trip.
//! Must not: decide validity itself (the parse functions and the book do) or do I/O.
//!
//! Shape (version 3):
//! ```json
//! { "version": 3, "domains": [
//!   { "domain": "example.com", "type": "imap",
//!     "incoming": {"host": "imap.example.com", "port": 993, "security": "ssl_tls"},
//!     "outgoing": {"host": "smtp.example.com", "port": 465, "security": "ssl_tls"},
//!     "certificate_trust": {"mode": "verified"}, "allow_insecure_certificates": false,
//!     "include_subdomains": false, "updated_at_unix_ms": 1700000000000, "revision": 1 },
//!   { "domain": "corp.example", "type": "exchange",
//!     "url": "https://mail.corp.example/EWS/Exchange.asmx",
//!     "certificate_trust": {"mode": "pinned", "spki_sha256": ["<64 lowercase hex digits>"]},
//!     "include_subdomains": false, "updated_at_unix_ms": 1700000000000, "revision": 3 } ] }
//! ```
//! `certificate_trust` (version 3) says how the servers' certificates are trusted, for both
//! kinds: `{"mode": "verified"}` (also when missing), `{"mode": "pinned", "spki_sha256": [...]}`
//! or `{"mode": "any"}` (see [`CertificateTrust`](crate::CertificateTrust)). An IMAP entry may
//! also have `allow_insecure_certificates`, the flag that version 3 replaces: alone it reads as
//! it always did (true is `any`, false or missing `verified`), beside `certificate_trust` it
//! must agree with it. Version 3 still writes it for IMAP entries, derived (true exactly when
//! the mode is `any`), for readers of the REST API that know only the flag; it goes in a later
//! version. `include_subdomains` may be missing (meaning false). An IMAP entry may have
//! `"username"`: how a person's username is formed, `email_address` (the whole address, also
//! when missing), `local_part` or `typed`; version 2 added it, so every version-1 document reads
//! as it always did. Every other field is required. The top level may also hold `"sequence"`,
//! the last revision the book issued (see [`SettingsBook::sequence`]).
//!
//! A reader refuses a document of a newer version than its own ([`DocumentError::NewerVersion`]):
//! a version-2 reader refuses version 3, whose pins it would drop on the next save.

use serde_json::{Map, Value};
use thiserror::Error;

use crate::book::{Entry, EntryDraft, SettingsBook, Timestamp};
use crate::certificate_trust::CertificateTrust;
use crate::domain::Domain;
use crate::exchange_url::ExchangeUrl;
use crate::host::Host;
use crate::port::{Port, PortError};
use crate::problem::Problem;
use crate::security::{Endpoint, Security, SecurityError};
use crate::settings::{Connection, ConnectionKind, ExchangeSettings, ImapSettings, UsernameForm};

mod trust;
mod well_formed;

pub(crate) use trust::TrustSaid;

/// Below this many entries a stored document is read whole at once: reading it takes a few
/// milliseconds (about 3 µs an entry in the browser).
pub const FIRST_PAGE_MIN_ENTRIES: usize = 1_000;

/// The start of a big stored document: see [`Document::first_page`].
#[derive(Debug, Clone, PartialEq)]
pub struct FirstPage {
    /// The first entries, and the document's other top-level fields.
    pub document: Document,
    /// How many entries the stored list holds, valid or not.
    pub stored_entries: usize,
}
mod written;

/// The format version this code writes and the newest it reads.
pub const DOCUMENT_VERSION: u64 = 3;

const KEY_VERSION: &str = "version";
const KEY_DOMAINS: &str = "domains";
/// The book's sequence (the last revision issued): kept so that a domain removed and added
/// again never gets a revision it had before. Optional: a document without it (or one an
/// older writer kept unchanged) starts from its highest entry revision.
const KEY_SEQUENCE: &str = "sequence";
/// Entry fields every kind has.
const COMMON_KEYS: [&str; 6] = [
    "domain",
    "type",
    trust::KEY_TRUST,
    "include_subdomains",
    "updated_at_unix_ms",
    "revision",
];
const IMAP_KEYS: [&str; 4] = ["incoming", "outgoing", trust::KEY_INSECURE_FLAG, "username"];
const EXCHANGE_KEYS: [&str; 1] = ["url"];
const ENDPOINT_KEYS: [&str; 3] = ["host", "port", "security"];

/// Why a stored text could not be loaded at all. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocumentError {
    #[error(
        "The saved settings are damaged (not valid JSON at line {line}, column {column}). Restore them from a backup; nothing was changed."
    )]
    NotJson { line: usize, column: usize },
    #[error(
        "This is not mailsetup data: it has no format version. Check that you chose the right file; nothing was changed."
    )]
    NotADocument,
    #[error(
        "This data was saved by a newer version of mailsetup (format {found}). Update mailsetup to change it; nothing was changed."
    )]
    NewerVersion { found: u64 },
    #[error(
        "This data uses format {found}, which mailsetup cannot read. Restore it from a backup; nothing was changed."
    )]
    UnsupportedVersion { found: u64 },
    #[error(
        "The saved settings are damaged: \"domains\" is not a list. Restore them from a backup; nothing was changed."
    )]
    DomainsNotAList,
}

impl Problem for DocumentError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotJson { .. } => "document.not_json",
            Self::NotADocument => "document.not_a_document",
            Self::NewerVersion { .. } => "document.newer_version",
            Self::UnsupportedVersion { .. } => "document.unsupported_version",
            Self::DomainsNotAList => "document.domains_not_a_list",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NotJson { line, column } => {
                vec![("line", line.to_string()), ("column", column.to_string())]
            }
            Self::NewerVersion { found } | Self::UnsupportedVersion { found } => {
                vec![("found", found.to_string())]
            }
            Self::NotADocument | Self::DomainsNotAList => Vec::new(),
        }
    }
}

/// Problems in the shape of one stored entry (the values themselves report their own errors,
/// such as `port.zero`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoredEntryError {
    #[error("This saved entry is not a set of fields. Remove it and add the domain again.")]
    NotAnObject,
    #[error("This saved entry has no value here. Edit the entry and enter one.")]
    MissingField,
    #[error("This saved value should be of type {expected}. Edit the entry and enter it again.")]
    WrongType {
        /// One of `text`, `number`, `integer`, `boolean`, `object`, `list`.
        expected: &'static str,
    },
    #[error(
        "This saved entry has the unknown type \"{found}\". Choose IMAP or Exchange settings and enter them again."
    )]
    UnknownType { found: String },
    #[error(
        "This saved entry has both IMAP and Exchange settings. A domain can have one or the other; remove one of them."
    )]
    ConflictingField,
    #[error("This saved entry has an invalid revision number. Save the entry again.")]
    InvalidRevision,
    #[error(
        "Another saved entry already has settings for this domain, so this one was not loaded. Remove it or change its domain."
    )]
    DuplicateDomain,
    #[error("This field is not part of a domain's settings. Check its spelling, or leave it out.")]
    UnknownField,
    #[error(
        "This saved entry forms usernames in the unknown way \"{found}\". Edit the entry and choose how usernames are formed."
    )]
    UnknownUsernameForm { found: String },
}

impl Problem for StoredEntryError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotAnObject => "document.entry_not_an_object",
            Self::MissingField => "document.missing_field",
            Self::WrongType { .. } => "document.wrong_type",
            Self::UnknownType { .. } => "document.unknown_type",
            Self::ConflictingField => "document.conflicting_field",
            Self::InvalidRevision => "document.invalid_revision",
            Self::DuplicateDomain => "document.duplicate_domain",
            Self::UnknownField => "document.unknown_field",
            Self::UnknownUsernameForm { .. } => "document.unknown_username_form",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::WrongType { expected } => vec![("expected", (*expected).to_owned())],
            Self::UnknownType { found } | Self::UnknownUsernameForm { found } => {
                vec![("found", found.clone())]
            }
            Self::NotAnObject
            | Self::MissingField
            | Self::ConflictingField
            | Self::InvalidRevision
            | Self::DuplicateDomain
            | Self::UnknownField => Vec::new(),
        }
    }
}

/// One problem with one field of a stored entry, ready to show or translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's path in the entry, e.g. `domain` or `incoming.port`; empty for the whole entry.
    pub field: String,
    /// The [`Problem::code`].
    pub code: &'static str,
    /// The English message.
    pub message: String,
    /// The [`Problem::params`].
    pub params: Vec<(&'static str, String)>,
}

impl FieldProblem {
    /// `problem`, recorded against the field at `field`.
    pub fn from_problem(field: &str, problem: &dyn Problem) -> FieldProblem {
        FieldProblem::new(field, problem)
    }

    fn new(field: &str, problem: &dyn Problem) -> FieldProblem {
        FieldProblem {
            field: field.to_owned(),
            code: problem.code(),
            message: problem.to_string(),
            params: problem.params(),
        }
    }
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A recorded problem is still a problem: it translates by its code like the original.
impl Problem for FieldProblem {
    fn code(&self) -> &'static str {
        self.code
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        self.params.clone()
    }
}

/// A stored entry that could not be loaded. It is written back unchanged on save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEntry {
    /// Position in the stored `domains` list, from 0.
    pub index: usize,
    /// The stored `domain` text, if there was one, to tell people which entry this is.
    pub domain_text: Option<String>,
    /// Every problem found, in field order.
    pub problems: Vec<FieldProblem>,
    /// The entry exactly as stored.
    pub raw: Value,
}

/// A loaded settings document: the valid entries as a book, the rejected ones, and unknown
/// top-level fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    book: SettingsBook,
    rejected: Vec<RejectedEntry>,
    extra: Map<String, Value>,
}

impl Document {
    /// A document holding `book` and nothing else.
    pub fn new(book: SettingsBook) -> Document {
        Document {
            book,
            rejected: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Loads a stored document. Fails only if the whole text is unusable; bad entries are
    /// collected in [`Document::rejected`] instead.
    pub fn from_json(text: &str) -> Result<Document, DocumentError> {
        match well_formed::read(text) {
            Some(document) => Ok(document),
            None => Document::read_general(text),
        }
    }

    /// The first `count` entries of a big stored document, for showing its first page before
    /// the whole of it is read: `None` unless the document holds at least
    /// [`FIRST_PAGE_MIN_ENTRIES`] entries and its first `count` are valid, of the documented
    /// shape and in ascending order of domain, as this crate writes them. What it gives is
    /// what [`Document::from_json`] gives for those entries, unless a later entry sorts before
    /// them or repeats one of them (a document edited by hand): a first page is only ever shown
    /// until the whole document is read, never changed or saved.
    pub fn first_page(text: &str, count: usize) -> Option<FirstPage> {
        well_formed::first_page(text, count)
    }

    /// Loads any text through `serde_json::Value`, naming every problem it finds: what
    /// [`Document::from_json`] does whenever [`well_formed::read`] declines.
    fn read_general(text: &str) -> Result<Document, DocumentError> {
        Document::read_versioned(text, DOCUMENT_VERSION)
    }

    /// Loads a document that [`Document::from_json`] refuses as
    /// [`DocumentError::NewerVersion`], as far as this version understands it: to be *shown*,
    /// read-only, never changed or written back (what a newer version added may mean more
    /// than this one can tell). Entries this version cannot read are in
    /// [`Document::rejected`] as usual; any other document loads as `from_json` loads it.
    pub fn from_newer_json(text: &str) -> Result<Document, DocumentError> {
        Document::read_versioned(text, u64::MAX)
    }

    /// The general reader, accepting format versions up to `newest`.
    fn read_versioned(text: &str, newest: u64) -> Result<Document, DocumentError> {
        let root: Value = serde_json::from_str(text).map_err(|error| DocumentError::NotJson {
            line: error.line(),
            column: error.column(),
        })?;
        let Value::Object(mut root) = root else {
            return Err(DocumentError::NotADocument);
        };
        let version = root
            .get(KEY_VERSION)
            .and_then(Value::as_u64)
            .ok_or(DocumentError::NotADocument)?;
        if version > newest {
            return Err(DocumentError::NewerVersion { found: version });
        }
        if version == 0 {
            return Err(DocumentError::UnsupportedVersion { found: version });
        }
        root.remove(KEY_VERSION);
        let stored_entries = match root.remove(KEY_DOMAINS) {
            None => Vec::new(),
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(DocumentError::DomainsNotAList),
        };
        let mut document = Document {
            book: SettingsBook::new(),
            rejected: Vec::new(),
            extra: root,
        };
        for (index, raw) in stored_entries.into_iter().enumerate() {
            document.add_stored(index, raw);
        }
        document.adopt_stored_sequence();
        Ok(document)
    }

    /// Takes the stored sequence out of the unknown fields into the book. A sequence that is
    /// not a whole number is dropped: the entries' revisions already raised the book's.
    fn adopt_stored_sequence(&mut self) {
        if let Some(stored) = self
            .extra
            .remove(KEY_SEQUENCE)
            .as_ref()
            .and_then(Value::as_u64)
        {
            self.book.raise_sequence(stored);
        }
    }

    /// Adds the stored entry at `index` of the list: to the book when it is valid, else to the
    /// rejected entries with all its problems.
    fn add_stored(&mut self, index: usize, raw: Value) {
        let loaded = read_entry(&raw).and_then(|entry| self.add_restored(entry));
        if let Err(problems) = loaded {
            self.reject(index, raw, problems);
        }
    }

    /// Adds a valid stored entry to the book; a second entry for one domain is a problem.
    fn add_restored(&mut self, entry: Entry) -> Result<(), Vec<FieldProblem>> {
        self.book.insert_restored(entry).map_err(|_| {
            vec![FieldProblem::new(
                "domain",
                &StoredEntryError::DuplicateDomain,
            )]
        })
    }

    fn reject(&mut self, index: usize, raw: Value, problems: Vec<FieldProblem>) {
        self.rejected.push(RejectedEntry {
            index,
            domain_text: raw.get("domain").and_then(Value::as_str).map(str::to_owned),
            problems,
            raw,
        });
    }

    /// The stored text: valid entries sorted by domain, then rejected entries unchanged, plus
    /// every unknown field. Deterministic for equal documents.
    pub fn to_json(&self) -> String {
        // Compact: a 10,000-domain book is 40% smaller than pretty-printed, which matters under
        // the browser's 5 MB storage quota.
        written::to_json(self)
    }

    /// One entry as the document stores it (the same object as in [`Document::to_json`]'s
    /// `domains` list), for a host that is told about a saved change.
    pub fn entry_json(entry: &Entry) -> String {
        written::entry_to_json(entry)
    }

    pub fn book(&self) -> &SettingsBook {
        &self.book
    }

    pub fn book_mut(&mut self) -> &mut SettingsBook {
        &mut self.book
    }

    pub fn into_book(self) -> SettingsBook {
        self.book
    }

    /// Stored entries that could not be loaded, in stored order.
    pub fn rejected(&self) -> &[RejectedEntry] {
        &self.rejected
    }

    /// Unknown top-level fields, kept for round trips.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// Collects the problems of one entry while its fields are read, so all are reported at once.
#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, field: &str, problem: &dyn Problem) {
        self.0.push(FieldProblem::new(field, problem));
    }

    /// The value at `key`, reporting a missing (or null) one.
    fn required<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'v Value> {
        match object.get(key) {
            None | Some(Value::Null) => {
                self.add(path, &StoredEntryError::MissingField);
                None
            }
            Some(value) => Some(value),
        }
    }

    fn string<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'v str> {
        let value = self.required(object, key, path)?;
        let text = value.as_str();
        if text.is_none() {
            self.add(path, &StoredEntryError::WrongType { expected: "text" });
        }
        text
    }

    /// A text field run through a parse function, reporting the parse error under `path`.
    fn parsed<T, E: Problem>(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        path: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = self.string(object, key, path)?;
        parse(text).map_err(|error| self.add(path, &error)).ok()
    }

    /// A yes/no field; missing means no.
    fn optional_bool(&mut self, object: &Map<String, Value>, key: &str) -> Option<bool> {
        match object.get(key) {
            None | Some(Value::Null) => Some(false),
            Some(Value::Bool(value)) => Some(*value),
            Some(_) => {
                self.add(
                    key,
                    &StoredEntryError::WrongType {
                        expected: "boolean",
                    },
                );
                None
            }
        }
    }
}

/// Where an entry's fields come from, which decides what they must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntrySource {
    /// A stored document: every field is required and unknown fields are kept.
    Stored,
    /// A client of the REST API: `revision` and `updated_at_unix_ms` belong to the server
    /// and are ignored, and an unknown field is refused (most likely a misspelt one).
    Sent,
}

fn read_entry(raw: &Value) -> Result<Entry, Vec<FieldProblem>> {
    read_entry_from(raw, EntrySource::Stored)
}

/// Reads one entry of the stored shape, naming every problem it has.
pub(crate) fn read_entry_from(
    raw: &Value,
    source: EntrySource,
) -> Result<Entry, Vec<FieldProblem>> {
    read_entry_saying(raw, source).map(|(entry, _)| entry)
}

/// [`read_entry_from`], and what the entry's fields said about certificate trust (a sent entry
/// that said nothing keeps the trust of the entry it replaces: see `wire::SentEntry`).
pub(crate) fn read_entry_saying(
    raw: &Value,
    source: EntrySource,
) -> Result<(Entry, TrustSaid), Vec<FieldProblem>> {
    let mut problems = Problems::default();
    let Some(object) = raw.as_object() else {
        problems.add("", &StoredEntryError::NotAnObject);
        return Err(problems.0);
    };
    let domain = problems.parsed(object, "domain", "domain", Domain::parse);
    let kind = problems.string(object, "type", "type").and_then(|text| {
        let kind = kind_from_stored(text);
        if kind.is_none() {
            problems.add(
                "type",
                &StoredEntryError::UnknownType {
                    found: text.to_owned(),
                },
            );
        }
        kind
    });
    let (connection, endpoint_extras, flag) = match kind {
        Some(ConnectionKind::Imap) => read_imap(object, &mut problems),
        Some(ConnectionKind::Exchange) => (read_exchange(object, &mut problems), None, Some(None)),
        None => (None, None, Some(None)),
    };
    let trust = trust::read_trust(object, flag, &mut problems);
    let include_subdomains = problems.optional_bool(object, "include_subdomains");
    let (updated_at, revision) = match source {
        EntrySource::Stored => read_stamp(object, &mut problems),
        EntrySource::Sent => (Some(Timestamp::from_unix_ms(0)), Some(0)),
    };
    let (
        Some(domain),
        Some(connection),
        Some(trust),
        Some(include_subdomains),
        Some(updated_at),
        Some(revision),
        true,
    ) = (
        domain,
        connection,
        trust,
        include_subdomains,
        updated_at,
        revision,
        problems.0.is_empty(),
    )
    else {
        return Err(problems.0);
    };
    let kind_keys: &[&str] = match connection.kind() {
        ConnectionKind::Imap => &IMAP_KEYS,
        ConnectionKind::Exchange => &EXCHANGE_KEYS,
    };
    let extra = unknown_fields(object, &[&COMMON_KEYS, kind_keys]);
    let (incoming_extra, outgoing_extra) = endpoint_extras.unwrap_or_default();
    if source == EntrySource::Sent {
        let unknown = [
            ("", &extra),
            ("incoming.", &incoming_extra),
            ("outgoing.", &outgoing_extra),
            ("certificate_trust.", &trust.extra),
        ];
        for (path, fields) in unknown {
            for key in fields.keys() {
                problems.add(&format!("{path}{key}"), &StoredEntryError::UnknownField);
            }
        }
        if !problems.0.is_empty() {
            return Err(problems.0);
        }
    }
    let entry = Entry::restored(
        EntryDraft {
            domain,
            connection: connection.with_certificate_trust(trust.trust),
            include_subdomains,
        },
        updated_at,
        revision,
        Map::new(),
    );
    let entry = entry.with_unknown_fields(extra, incoming_extra, outgoing_extra, trust.extra);
    Ok((entry, trust.said))
}

/// When a stored entry was last changed, and its revision.
fn read_stamp(
    object: &Map<String, Value>,
    problems: &mut Problems,
) -> (Option<Timestamp>, Option<u64>) {
    let updated_at = problems
        .required(object, "updated_at_unix_ms", "updated_at_unix_ms")
        .and_then(|value| {
            let unix_ms = value.as_i64();
            if unix_ms.is_none() {
                problems.add(
                    "updated_at_unix_ms",
                    &StoredEntryError::WrongType {
                        expected: "integer",
                    },
                );
            }
            unix_ms.map(Timestamp::from_unix_ms)
        });
    let revision = problems
        .required(object, "revision", "revision")
        .and_then(|value| {
            let revision = value.as_u64().filter(|revision| *revision >= 1);
            if revision.is_none() {
                problems.add("revision", &StoredEntryError::InvalidRevision);
            }
            revision
        });
    (updated_at, revision)
}

type EndpointExtras = (Map<String, Value>, Map<String, Value>);

/// An IMAP entry's servers and username form (its trust is read with the other kind's, from
/// `certificate_trust`), their unknown fields, and its version-2 flag
/// `allow_insecure_certificates` as [`trust::read_insecure_flag`] reads it.
fn read_imap(
    object: &Map<String, Value>,
    problems: &mut Problems,
) -> (
    Option<Connection>,
    Option<EndpointExtras>,
    Option<Option<bool>>,
) {
    report_other_kind_fields(object, &EXCHANGE_KEYS, problems);
    let incoming = read_endpoint(object, "incoming", problems);
    let outgoing = read_endpoint(object, "outgoing", problems);
    let flag = trust::read_insecure_flag(object, problems);
    let username = read_username_form(object, problems);
    match (incoming, outgoing, username) {
        (Some((incoming, incoming_extra)), Some((outgoing, outgoing_extra)), Some(username)) => (
            Some(Connection::Imap(ImapSettings {
                incoming,
                outgoing,
                certificate_trust: CertificateTrust::Verified,
                username,
            })),
            Some((incoming_extra, outgoing_extra)),
            flag,
        ),
        _ => (None, None, flag),
    }
}

/// How usernames are formed; missing (every version-1 entry) means the whole address.
fn read_username_form(
    object: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<UsernameForm> {
    match object.get("username") {
        None | Some(Value::Null) => Some(UsernameForm::EmailAddress),
        Some(Value::String(name)) => UsernameForm::from_name(name).or_else(|| {
            problems.add(
                "username",
                &StoredEntryError::UnknownUsernameForm {
                    found: name.chars().take(40).collect(),
                },
            );
            None
        }),
        Some(_) => {
            problems.add(
                "username",
                &StoredEntryError::WrongType { expected: "text" },
            );
            None
        }
    }
}

fn read_exchange(object: &Map<String, Value>, problems: &mut Problems) -> Option<Connection> {
    report_other_kind_fields(object, &IMAP_KEYS, problems);
    let url = problems.parsed(object, "url", "url", ExchangeUrl::parse)?;
    Some(Connection::Exchange(ExchangeSettings::verified(url)))
}

/// A stored entry with fields of both kinds would look like "IMAP and Exchange"; refuse it
/// rather than silently dropping half of it.
fn report_other_kind_fields(
    object: &Map<String, Value>,
    other_keys: &[&str],
    problems: &mut Problems,
) {
    for key in other_keys {
        if object.contains_key(*key) {
            problems.add(key, &StoredEntryError::ConflictingField);
        }
    }
}

fn read_endpoint(
    entry: &Map<String, Value>,
    key: &str,
    problems: &mut Problems,
) -> Option<(Endpoint, Map<String, Value>)> {
    let value = problems.required(entry, key, key)?;
    let Some(object) = value.as_object() else {
        problems.add(key, &StoredEntryError::WrongType { expected: "object" });
        return None;
    };
    let host = problems.parsed(object, "host", &format!("{key}.host"), Host::parse);
    let port_path = format!("{key}.port");
    let port = problems
        .required(object, "port", &port_path)
        .and_then(|value| match value {
            Value::Number(number) => number
                .as_u64()
                .ok_or(PortError::NotANumber)
                .and_then(Port::try_from)
                .map_err(|error| problems.add(&port_path, &error))
                .ok(),
            _ => {
                problems.add(
                    &port_path,
                    &StoredEntryError::WrongType { expected: "number" },
                );
                None
            }
        });
    let security = problems.parsed(
        object,
        "security",
        &format!("{key}.security"),
        security_from_stored,
    );
    let endpoint = Endpoint {
        host: host?,
        port: port?,
        security: security?,
    };
    Some((endpoint, unknown_fields(object, &[&ENDPOINT_KEYS])))
}

/// The stored `type` of an entry.
fn kind_from_stored(text: &str) -> Option<ConnectionKind> {
    match text {
        "imap" => Some(ConnectionKind::Imap),
        "exchange" => Some(ConnectionKind::Exchange),
        _ => None,
    }
}

/// The stored `security` of an endpoint.
fn security_from_stored(text: &str) -> Result<Security, SecurityError> {
    match text {
        "ssl_tls" => Ok(Security::SslTls),
        "starttls" => Ok(Security::StartTls),
        _ => Err(SecurityError::Unknown),
    }
}

fn unknown_fields(object: &Map<String, Value>, known: &[&[&str]]) -> Map<String, Value> {
    object
        .iter()
        .filter(|(key, _)| !known.iter().any(|keys| keys.contains(&key.as_str())))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The stored text as it was first written, through a `Value` tree: the reference the
    /// tree-free writer (written.rs) is held to.
    pub(super) fn to_json_through_value(document: &Document) -> String {
        let mut domains: Vec<Value> = document.book.iter().map(entry_to_value).collect();
        domains.extend(
            document
                .rejected
                .iter()
                .map(|rejected| rejected.raw.clone()),
        );
        let mut root = document.extra.clone();
        root.insert(KEY_VERSION.to_owned(), Value::from(DOCUMENT_VERSION));
        root.insert(
            KEY_SEQUENCE.to_owned(),
            Value::from(document.book.sequence()),
        );
        root.insert(KEY_DOMAINS.to_owned(), Value::Array(domains));
        serde_json::to_string(&Value::Object(root)).expect("a value with string keys")
    }

    fn entry_to_value(entry: &Entry) -> Value {
        let mut object = entry.extra().clone();
        let mut put = |key: &str, value: Value| {
            object.insert(key.to_owned(), value);
        };
        put("domain", Value::from(entry.domain().as_ascii()));
        put("type", Value::from(entry.kind().as_str()));
        match entry.connection() {
            Connection::Imap(settings) => {
                put(
                    "incoming",
                    endpoint_to_value(&settings.incoming, entry.incoming_extra()),
                );
                put(
                    "outgoing",
                    endpoint_to_value(&settings.outgoing, entry.outgoing_extra()),
                );
                put(
                    "allow_insecure_certificates",
                    Value::from(settings.certificate_trust.allows_any_certificate()),
                );
                if settings.username != UsernameForm::EmailAddress {
                    put("username", Value::from(settings.username.as_str()));
                }
            }
            Connection::Exchange(settings) => put("url", Value::from(settings.url.as_str())),
        }
        let mut trust = entry.trust_extra().clone();
        let written = serde_json::to_value(entry.connection().certificate_trust())
            .expect("a trust is written as an object");
        if let Value::Object(known) = written {
            trust.extend(known);
        }
        put("certificate_trust", Value::Object(trust));
        put(
            "include_subdomains",
            Value::from(entry.include_subdomains()),
        );
        put(
            "updated_at_unix_ms",
            Value::from(entry.updated_at().as_unix_ms()),
        );
        put("revision", Value::from(entry.revision()));
        Value::Object(object)
    }

    fn endpoint_to_value(endpoint: &Endpoint, extra: &Map<String, Value>) -> Value {
        let mut object = extra.clone();
        object.insert("host".to_owned(), Value::from(endpoint.host.to_string()));
        object.insert("port".to_owned(), Value::from(endpoint.port.get()));
        object.insert(
            "security".to_owned(),
            Value::from(endpoint.security.as_str()),
        );
        Value::Object(object)
    }

    const PIN: &str = "1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000";

    /// The shape the module comment documents (a pin in place of its placeholder).
    const SPEC_EXAMPLE: &str = r#"{ "version": 3, "domains": [
      { "domain": "example.com", "type": "imap",
        "incoming": {"host": "imap.example.com", "port": 993, "security": "ssl_tls"},
        "outgoing": {"host": "smtp.example.com", "port": 465, "security": "ssl_tls"},
        "certificate_trust": {"mode": "verified"}, "allow_insecure_certificates": false,
        "include_subdomains": false, "updated_at_unix_ms": 1700000000000, "revision": 1 },
      { "domain": "corp.example", "type": "exchange",
        "url": "https://mail.corp.example/EWS/Exchange.asmx",
        "certificate_trust": {"mode": "pinned", "spki_sha256": ["1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000"]},
        "include_subdomains": false, "updated_at_unix_ms": 1700000000000, "revision": 3 } ] }"#;

    fn parse_value(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn codes(rejected: &RejectedEntry) -> Vec<(&str, &str)> {
        rejected
            .problems
            .iter()
            .map(|problem| (problem.field.as_str(), problem.code))
            .collect()
    }

    #[test]
    fn loads_the_documented_shape() {
        let document = Document::from_json(SPEC_EXAMPLE).unwrap();
        assert!(document.rejected().is_empty());
        let book = document.book();
        assert_eq!(book.len(), 2);
        let corp = book.get(&Domain::parse("corp.example").unwrap()).unwrap();
        assert_eq!(corp.kind(), ConnectionKind::Exchange);
        assert_eq!(corp.revision(), 3);
        assert_eq!(
            corp.updated_at(),
            Timestamp::from_unix_ms(1_700_000_000_000)
        );
        let example = book.get(&Domain::parse("example.com").unwrap()).unwrap();
        let Connection::Imap(settings) = example.connection() else {
            panic!("example.com should be IMAP");
        };
        assert_eq!(
            settings.incoming.to_string(),
            "imap.example.com:993 SSL/TLS"
        );
        assert_eq!(settings.outgoing.port, Port::SMTP_SSL);
        assert_eq!(settings.certificate_trust, CertificateTrust::Verified);
        let pins: Vec<String> = corp
            .connection()
            .certificate_trust()
            .pins()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(pins, [PIN]);
    }

    /// The trust of the only entry of `text`, which must load.
    fn only_trust(text: &str) -> CertificateTrust {
        let document = Document::from_json(text).unwrap();
        assert!(document.rejected().is_empty(), "{:?}", document.rejected());
        document
            .book()
            .iter()
            .next()
            .unwrap()
            .connection()
            .certificate_trust()
            .clone()
    }

    fn imap_with(version: u64, trust_fields: &str) -> String {
        format!(
            r#"{{"version": {version}, "domains": [{{"domain": "example.com", "type": "imap",
            "incoming": {{"host": "imap.example.com", "port": 993, "security": "ssl_tls"}},
            "outgoing": {{"host": "smtp.example.com", "port": 465, "security": "ssl_tls"}},
            {trust_fields} "updated_at_unix_ms": 1, "revision": 1}}]}}"#
        )
    }

    fn exchange_with(version: u64, trust_fields: &str) -> String {
        format!(
            r#"{{"version": {version}, "domains": [{{"domain": "corp.example", "type": "exchange",
            "url": "https://mail.corp.example/EWS/Exchange.asmx",
            {trust_fields} "updated_at_unix_ms": 1, "revision": 1}}]}}"#
        )
    }

    #[test]
    fn version_two_reads_its_flag_as_any_or_verified_and_is_written_as_version_three() {
        let cases = [
            (
                r#""allow_insecure_certificates": true,"#,
                CertificateTrust::Any,
            ),
            (
                r#""allow_insecure_certificates": false,"#,
                CertificateTrust::Verified,
            ),
            (
                r#""allow_insecure_certificates": null,"#,
                CertificateTrust::Verified,
            ),
            ("", CertificateTrust::Verified),
        ];
        for (flag, expected) in cases {
            let text = imap_with(2, flag);
            assert_eq!(only_trust(&text), expected, "{flag}");
            let saved = parse_value(&Document::from_json(&text).unwrap().to_json());
            assert_eq!(saved["version"], 3);
            let entry = &saved["domains"][0];
            assert_eq!(
                entry["certificate_trust"],
                json!({"mode": expected.mode().as_str()})
            );
            // The flag is still written for IMAP entries, derived from the trust.
            assert_eq!(
                entry["allow_insecure_certificates"],
                expected == CertificateTrust::Any
            );
            assert_eq!(only_trust(&saved.to_string()), expected);
        }
        // A version-2 Exchange entry never had the flag: verified, and still no flag.
        let text = exchange_with(2, "");
        assert_eq!(only_trust(&text), CertificateTrust::Verified);
        let saved = parse_value(&Document::from_json(&text).unwrap().to_json());
        assert_eq!(
            saved["domains"][0]["certificate_trust"],
            json!({"mode": "verified"})
        );
        assert!(
            saved["domains"][0]
                .get("allow_insecure_certificates")
                .is_none()
        );
    }

    #[test]
    fn pins_are_kept_normalised_for_both_kinds_and_beside_an_agreeing_flag() {
        let pinned = format!(
            r#""certificate_trust": {{"mode": "pinned", "spki_sha256": [" {} ", "{PIN}"]}},"#,
            PIN.to_uppercase()
        );
        for text in [
            imap_with(3, &pinned),
            imap_with(
                3,
                &format!(r#"{pinned} "allow_insecure_certificates": false,"#),
            ),
            exchange_with(3, &pinned),
        ] {
            let trust = only_trust(&text);
            assert_eq!(trust.mode(), crate::TrustMode::Pinned);
            assert_eq!(trust.pins().len(), 1, "one pin, written twice");
            let saved = Document::from_json(&text).unwrap().to_json();
            assert!(
                saved.contains(&format!(
                    r#""certificate_trust":{{"mode":"pinned","spki_sha256":["{PIN}"]}}"#
                )),
                "{saved}"
            );
            assert_eq!(only_trust(&saved), trust);
        }
        let any = r#""certificate_trust": {"mode": "any"}, "allow_insecure_certificates": true,"#;
        assert_eq!(only_trust(&imap_with(3, any)), CertificateTrust::Any);
        assert_eq!(
            only_trust(&exchange_with(
                3,
                r#""certificate_trust": {"mode": "any"},"#
            )),
            CertificateTrust::Any
        );
    }

    #[test]
    fn trust_problems_reject_the_entry_naming_the_field() {
        let cases: [(&str, &[(&str, &str)]); 9] = [
            (
                r#""certificate_trust": {"mode": "pinned", "spki_sha256": []},"#,
                &[("certificate_trust.spki_sha256", "certificate_trust.no_pins")],
            ),
            (
                r#""certificate_trust": {"mode": "pinned"},"#,
                &[("certificate_trust.spki_sha256", "document.missing_field")],
            ),
            (
                r#""certificate_trust": {"mode": "pinned", "spki_sha256": ["abc", 7, "zz"]},"#,
                &[
                    (
                        "certificate_trust.spki_sha256[0]",
                        "certificate_trust.pin_wrong_length",
                    ),
                    ("certificate_trust.spki_sha256[1]", "document.wrong_type"),
                    (
                        "certificate_trust.spki_sha256[2]",
                        "certificate_trust.pin_not_hex",
                    ),
                ],
            ),
            (
                r#""certificate_trust": {"mode": "pinned", "spki_sha256": "abc"},"#,
                &[("certificate_trust.spki_sha256", "document.wrong_type")],
            ),
            (
                r#""certificate_trust": {"mode": "trusting"},"#,
                &[("certificate_trust.mode", "certificate_trust.unknown_mode")],
            ),
            (
                r#""certificate_trust": {"spki_sha256": []},"#,
                &[("certificate_trust.mode", "document.missing_field")],
            ),
            (
                r#""certificate_trust": "any","#,
                &[("certificate_trust", "document.wrong_type")],
            ),
            (
                r#""certificate_trust": {"mode": "verified", "spki_sha256": ["PIN"]},"#,
                &[(
                    "certificate_trust.spki_sha256",
                    "certificate_trust.pins_without_pinning",
                )],
            ),
            (
                r#""certificate_trust": {"mode": "pinned", "spki_sha256": ["PIN"]}, "allow_insecure_certificates": true,"#,
                &[(
                    "allow_insecure_certificates",
                    "certificate_trust.disagrees_with_insecure_flag",
                )],
            ),
        ];
        for (fields, expected) in cases {
            let text = imap_with(3, &fields.replace("PIN", PIN));
            let document = Document::from_json(&text).unwrap();
            assert!(document.book().is_empty(), "{fields}");
            assert_eq!(
                codes(&document.rejected()[0]),
                expected.to_vec(),
                "{fields}"
            );
            // Kept as it was stored.
            assert_eq!(
                parse_value(&document.to_json())["domains"][0],
                parse_value(&text)["domains"][0]
            );
        }
        // The flag is an IMAP field: on an Exchange entry it is a conflict, as it always was.
        let text = exchange_with(3, r#""allow_insecure_certificates": false,"#);
        let document = Document::from_json(&text).unwrap();
        assert_eq!(
            codes(&document.rejected()[0]),
            vec![("allow_insecure_certificates", "document.conflicting_field")]
        );
    }

    #[test]
    fn unknown_fields_of_the_trust_survive_load_and_save() {
        let text = imap_with(
            3,
            &format!(
                r#""certificate_trust": {{"mode": "pinned", "spki_sha256": ["{PIN}"], "until": "2030"}},"#
            ),
        );
        let document = Document::from_json(&text).unwrap();
        assert!(document.rejected().is_empty());
        let saved = parse_value(&document.to_json());
        assert_eq!(saved["domains"][0]["certificate_trust"]["until"], "2030");
        assert_eq!(
            document.to_json(),
            to_json_through_value(&document),
            "both writers agree"
        );
    }

    #[test]
    fn a_reader_of_version_two_refuses_version_three() {
        let text = imap_with(3, r#""certificate_trust": {"mode": "any"},"#);
        assert_eq!(
            Document::read_versioned(&text, 2),
            Err(DocumentError::NewerVersion { found: 3 })
        );
        assert_eq!(
            DocumentError::NewerVersion { found: 3 }.to_string(),
            "This data was saved by a newer version of mailsetup (format 3). Update mailsetup to change it; nothing was changed."
        );
    }

    #[test]
    fn round_trip_is_lossless_and_sorted() {
        let document = Document::from_json(SPEC_EXAMPLE).unwrap();
        let saved = document.to_json();
        let saved_value = parse_value(&saved);
        let domains = saved_value["domains"].as_array().unwrap();
        // Sorted by domain: corp.example before example.com.
        assert_eq!(domains[0]["domain"], "corp.example");
        assert_eq!(domains[1]["domain"], "example.com");
        let original = parse_value(SPEC_EXAMPLE);
        let original_domains = original["domains"].as_array().unwrap();
        assert_eq!(&domains[0], &original_domains[1]);
        assert_eq!(&domains[1], &original_domains[0]);
        assert_eq!(saved_value["version"], DOCUMENT_VERSION);
        let reloaded = Document::from_json(&saved).unwrap();
        assert_eq!(reloaded, document);
        assert_eq!(reloaded.to_json(), saved);
    }

    #[test]
    fn one_entry_is_written_as_it_stands_in_the_document() {
        let document = Document::from_json(SPEC_EXAMPLE).unwrap();
        let original = parse_value(SPEC_EXAMPLE);
        for (entry, stored) in document
            .book()
            .iter()
            .zip([&original["domains"][1], &original["domains"][0]])
        {
            assert_eq!(&parse_value(&Document::entry_json(entry)), stored);
        }
    }

    #[test]
    fn unknown_fields_survive_load_and_save() {
        let text = json!({
            "version": 1,
            "owner": {"team": "it"},
            "domains": [{
                "domain": "example.com", "type": "imap",
                "incoming": {"host": "imap.example.com", "port": 993, "security": "ssl_tls", "auth": "oauth2"},
                "outgoing": {"host": "smtp.example.com", "port": 587, "security": "starttls"},
                "updated_at_unix_ms": 5, "revision": 2,
                "note": "set up by Ana"
            }]
        })
        .to_string();
        let mut document = Document::from_json(&text).unwrap();
        assert!(document.rejected().is_empty());
        assert_eq!(document.extra()["owner"], json!({"team": "it"}));
        let example = Domain::parse("example.com").unwrap();
        assert_eq!(
            document.book().get(&example).unwrap().extra()["note"],
            "set up by Ana"
        );
        let saved = parse_value(&document.to_json());
        assert_eq!(saved["owner"], json!({"team": "it"}));
        assert_eq!(saved["domains"][0]["note"], "set up by Ana");
        assert_eq!(saved["domains"][0]["incoming"]["auth"], "oauth2");
        // Missing booleans are written as false.
        assert_eq!(saved["domains"][0]["include_subdomains"], false);
        assert_eq!(saved["domains"][0]["allow_insecure_certificates"], false);

        // Unknown fields also survive an edit through the book.
        let connection = document.book().get(&example).unwrap().connection().clone();
        let change = crate::Change::Update {
            expected_revision: 2,
            draft: EntryDraft {
                domain: example.clone(),
                connection,
                include_subdomains: true,
            },
        };
        document
            .book_mut()
            .apply(change, Timestamp::from_unix_ms(9))
            .unwrap();
        let saved = parse_value(&document.to_json());
        assert_eq!(saved["domains"][0]["note"], "set up by Ana");
        assert_eq!(saved["domains"][0]["incoming"]["auth"], "oauth2");
        assert_eq!(saved["domains"][0]["revision"], 3);
        assert_eq!(saved["domains"][0]["include_subdomains"], true);
    }

    #[test]
    fn bad_entries_are_rejected_with_all_problems_and_kept() {
        let text = json!({
            "version": 1,
            "domains": [
                {"domain": "good.example", "type": "exchange",
                 "url": "https://mail.good.example/EWS/Exchange.asmx",
                 "updated_at_unix_ms": 1, "revision": 1},
                {"domain": "alice@bad.example", "type": "imap",
                 "incoming": {"host": "imap..bad.example", "port": 0, "security": "plain"},
                 "outgoing": {"host": "smtp.bad.example", "port": "465"},
                 "updated_at_unix_ms": "yesterday", "revision": 0},
                {"domain": "good.example", "type": "exchange",
                 "url": "https://other.example/EWS/Exchange.asmx",
                 "updated_at_unix_ms": 1, "revision": 1},
                {"domain": "both.example", "type": "exchange",
                 "url": "https://mail.both.example/EWS/Exchange.asmx",
                 "incoming": {"host": "imap.both.example", "port": 993, "security": "ssl_tls"},
                 "updated_at_unix_ms": 1, "revision": 1},
                {"domain": "pop.example", "type": "pop3", "updated_at_unix_ms": 1, "revision": 1},
                {"type": "exchange", "url": "javascript:alert(1)", "include_subdomains": "yes"},
                "not an entry",
                {"domain": "late.example", "type": "exchange",
                 "url": "https://mail.late.example/EWS/Exchange.asmx",
                 "updated_at_unix_ms": 1, "revision": 1}
            ]
        });
        let document = Document::from_json(&text.to_string()).unwrap();
        let loaded: Vec<&str> = document
            .book()
            .iter()
            .map(|e| e.domain().as_ascii())
            .collect();
        assert_eq!(loaded, vec!["good.example", "late.example"]);
        let rejected = document.rejected();
        assert_eq!(
            rejected.iter().map(|r| r.index).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            rejected[0].domain_text.as_deref(),
            Some("alice@bad.example")
        );
        assert_eq!(
            codes(&rejected[0]),
            vec![
                ("domain", "domain.looks_like_email"),
                ("incoming.host", "name.empty_label"),
                ("incoming.port", "port.zero"),
                ("incoming.security", "security.unknown"),
                ("outgoing.port", "document.wrong_type"),
                ("outgoing.security", "document.missing_field"),
                ("updated_at_unix_ms", "document.wrong_type"),
                ("revision", "document.invalid_revision"),
            ]
        );
        assert!(rejected[0].problems[0].message.contains("bad.example"));
        assert_eq!(
            rejected[0].problems[0].params,
            vec![("suggestion", "bad.example".to_owned())]
        );
        assert_eq!(
            codes(&rejected[1]),
            vec![("domain", "document.duplicate_domain")]
        );
        assert_eq!(
            codes(&rejected[2]),
            vec![("incoming", "document.conflicting_field")]
        );
        assert_eq!(codes(&rejected[3]), vec![("type", "document.unknown_type")]);
        assert_eq!(rejected[4].domain_text, None);
        assert_eq!(
            codes(&rejected[4]),
            vec![
                ("domain", "document.missing_field"),
                ("url", "exchange_url.javascript_scheme"),
                ("include_subdomains", "document.wrong_type"),
                ("updated_at_unix_ms", "document.missing_field"),
                ("revision", "document.missing_field"),
            ]
        );
        assert_eq!(
            codes(&rejected[5]),
            vec![("", "document.entry_not_an_object")]
        );

        // Saving keeps every rejected entry, unchanged, after the valid ones.
        let saved = parse_value(&document.to_json());
        let domains = saved["domains"].as_array().unwrap();
        assert_eq!(domains.len(), 8);
        let stored = text["domains"].as_array().unwrap();
        for (position, rejected) in rejected.iter().enumerate() {
            assert_eq!(domains[2 + position], stored[rejected.index]);
            assert_eq!(rejected.raw, stored[rejected.index]);
        }
        // And loading the saved text reports the same problems.
        let reloaded = Document::from_json(&document.to_json()).unwrap();
        assert_eq!(reloaded.book(), document.book());
        assert_eq!(reloaded.rejected().len(), 6);
    }

    #[test]
    fn whole_document_errors() {
        let table = [
            ("", DocumentError::NotJson { line: 1, column: 0 }),
            (
                "{\n  \"version\": 1,\n  \"domains\": [,]\n}",
                DocumentError::NotJson {
                    line: 3,
                    column: 15,
                },
            ),
            ("[]", DocumentError::NotADocument),
            ("\"settings\"", DocumentError::NotADocument),
            ("{}", DocumentError::NotADocument),
            (
                r#"{"name": "someone else's data"}"#,
                DocumentError::NotADocument,
            ),
            (r#"{"version": "1"}"#, DocumentError::NotADocument),
            (r#"{"version": -1}"#, DocumentError::NotADocument),
            (
                r#"{"version": 4, "domains": []}"#,
                DocumentError::NewerVersion { found: 4 },
            ),
            (
                r#"{"version": 0, "domains": []}"#,
                DocumentError::UnsupportedVersion { found: 0 },
            ),
            (
                r#"{"version": 1, "domains": {}}"#,
                DocumentError::DomainsNotAList,
            ),
            (
                r#"{"version": 1, "domains": null}"#,
                DocumentError::DomainsNotAList,
            ),
        ];
        for (text, expected) in table {
            assert_eq!(Document::from_json(text), Err(expected), "{text}");
        }
        assert_eq!(
            DocumentError::NewerVersion { found: 2 }.to_string(),
            "This data was saved by a newer version of mailsetup (format 2). Update mailsetup to change it; nothing was changed."
        );
    }

    #[test]
    fn the_stored_sequence_is_kept_and_never_below_an_entry_revision() {
        let entry = r#"{"domain":"a.example","type":"exchange",
            "url":"https://mail.a.example/EWS/Exchange.asmx","updated_at_unix_ms":1,"revision":4}"#;
        let read = |sequence: &str| {
            let text = format!(r#"{{"version":1,{sequence}"domains":[{entry}]}}"#);
            let document = Document::from_json(&text).unwrap();
            assert!(document.extra().is_empty(), "{sequence}");
            document.book().sequence()
        };
        assert_eq!(read(r#""sequence":9,"#), 9);
        assert_eq!(read(r#""sequence":2,"#), 4, "an older writer's book");
        assert_eq!(read(""), 4, "a document from before the sequence");
        assert_eq!(read(r#""sequence":"x","#), 4);
        // Both readers agree (the general one reads a document the quick one declines).
        let text = format!(r#"{{"version":1,"sequence":9,"domains":[{entry},1]}}"#);
        assert_eq!(Document::from_json(&text).unwrap().book().sequence(), 9);
    }

    #[test]
    fn a_newer_document_is_read_as_far_as_this_version_understands_it() {
        let text = json!({
            "version": 5,
            "sequence": 12,
            "owner": "it",
            "domains": [
                {"domain": "now.example", "type": "exchange", "tenant": "x",
                 "url": "https://mail.now.example/EWS/Exchange.asmx",
                 "updated_at_unix_ms": 1, "revision": 3},
                {"domain": "future.example", "type": "carrier-pigeon"}
            ]
        })
        .to_string();
        assert_eq!(
            Document::from_json(&text),
            Err(DocumentError::NewerVersion { found: 5 })
        );
        let shown = Document::from_newer_json(&text).unwrap();
        assert_eq!(shown.book().len(), 1);
        let entry = shown.book().iter().next().unwrap();
        assert_eq!(entry.domain().as_ascii(), "now.example");
        assert_eq!(entry.extra().get("tenant"), Some(&json!("x")));
        assert_eq!(shown.book().sequence(), 12);
        assert_eq!(shown.rejected().len(), 1);
        assert_eq!(
            shown.rejected()[0].problems[0].code,
            "document.unknown_type"
        );
        // Anything else loads as from_json loads it, and unusable text stays unusable.
        let current = r#"{"version":1,"domains":[]}"#;
        assert_eq!(
            Document::from_newer_json(current),
            Document::from_json(current)
        );
        assert!(Document::from_newer_json("[]").is_err());
    }

    #[test]
    fn the_username_form_is_kept_and_version_one_reads_as_the_whole_address() {
        let imap = |username: &str| {
            format!(
                r#"{{"version": VERSION, "domains": [{{"domain": "example.com", "type": "imap",
                "incoming": {{"host": "imap.example.com", "port": 993, "security": "ssl_tls"}},
                "outgoing": {{"host": "smtp.example.com", "port": 465, "security": "ssl_tls"}},
                {username} "updated_at_unix_ms": 1, "revision": 1}}]}}"#
            )
        };
        let form = |text: &str| {
            let document = Document::from_json(text).unwrap();
            assert!(document.rejected().is_empty(), "{:?}", document.rejected());
            match document.book().iter().next().unwrap().connection() {
                Connection::Imap(imap) => imap.username,
                Connection::Exchange(_) => panic!("not IMAP"),
            }
        };
        let version_one = imap("").replace("VERSION", "1");
        assert_eq!(form(&version_one), UsernameForm::EmailAddress);
        // The whole address is written as nothing, the other forms by name.
        let saved = Document::from_json(&version_one).unwrap().to_json();
        assert!(
            !saved.contains("username") && saved.contains(r#""version":3"#),
            "{saved}"
        );
        for wanted in [UsernameForm::LocalPart, UsernameForm::Typed] {
            let text =
                imap(&format!(r#""username": "{}","#, wanted.as_str())).replace("VERSION", "2");
            assert_eq!(form(&text), wanted);
            let saved = Document::from_json(&text).unwrap().to_json();
            assert!(
                saved.contains(&format!(r#""username":"{}""#, wanted.as_str())),
                "{saved}"
            );
            assert_eq!(form(&saved), wanted);
            // The general reader agrees with the quick one.
            let spaced = saved.replace(",", ", ");
            assert_eq!(form(&spaced), wanted);
        }
        let unknown = imap(r#""username": "nickname","#).replace("VERSION", "2");
        let document = Document::from_json(&unknown).unwrap();
        let rejected = &document.rejected()[0];
        assert_eq!(rejected.problems[0].field, "username");
        assert_eq!(rejected.problems[0].code, "document.unknown_username_form");
    }

    #[test]
    fn missing_domains_is_an_empty_book() {
        let document = Document::from_json(r#"{"version": 1}"#).unwrap();
        assert!(document.book().is_empty());
        assert!(document.rejected().is_empty());
        let saved = parse_value(&document.to_json());
        // A version-1 document is written back as the current version.
        assert_eq!(saved, json!({"version": 3, "sequence": 0, "domains": []}));
        assert_eq!(
            Document::new(SettingsBook::new()).to_json(),
            document.to_json()
        );
        assert_eq!(Document::default().into_book(), SettingsBook::new());
    }
}
