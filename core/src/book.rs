//! [`SettingsBook`]: every configured domain and its connection settings, with the rules that
//! keep the book consistent: one entry per domain (the map key is the [`Domain`]), a domain's
//! kind (IMAP or Exchange) never changes by editing, and edits based on an old revision are
//! refused. Also the e-mail -> settings lookup used when someone connects an inbox.
//!
//! Owns: the book's entries, the one sequence every revision is drawn from, and the checks a
//! change must pass (applied through [`SettingsBook::apply`], see `change.rs`); lookup.
//! Must not: read a clock (callers pass `now`, so wasm and tests stay deterministic), parse
//! text, or know how the book is stored (`document.rs` does).

use std::borrow::Borrow;
use std::collections::{BTreeSet, btree_set};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::domain::Domain;
use crate::email::{EmailAddress, EmailError};
use crate::problem::Problem;
use crate::settings::{Connection, ConnectionKind};

/// A point in time as Unix milliseconds. The caller supplies it; core has no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_ms(unix_ms: i64) -> Timestamp {
        Timestamp(unix_ms)
    }

    pub const fn as_unix_ms(self) -> i64 {
        self.0
    }
}

/// One domain's settings as stored in the book.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    domain: Domain,
    connection: Connection,
    include_subdomains: bool,
    updated_at: Timestamp,
    revision: u64,
    /// Unknown fields of the stored entry, kept so saving never loses what a newer or other
    /// writer added; `None` when there are none (nearly always: three empty maps in every
    /// entry of a 10,000-domain book cost the browser a third of a megabyte).
    unknown: Option<Box<UnknownFields>>,
}

/// The fields of a stored entry this version does not know, at its top level and inside its
/// `incoming`, `outgoing` and `certificate_trust` objects.
#[derive(Debug, Clone, PartialEq, Default)]
struct UnknownFields {
    entry: Map<String, Value>,
    incoming: Map<String, Value>,
    outgoing: Map<String, Value>,
    trust: Map<String, Value>,
}

/// What an entry without unknown fields answers for them.
fn no_fields() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

impl Entry {
    /// Rebuilds an entry read from storage; `document.rs` has validated every part.
    pub(crate) fn restored(
        draft: EntryDraft,
        updated_at: Timestamp,
        revision: u64,
        extra: Map<String, Value>,
    ) -> Entry {
        Entry {
            domain: draft.domain,
            connection: draft.connection,
            include_subdomains: draft.include_subdomains,
            updated_at,
            revision,
            unknown: None,
        }
        .with_unknown_fields(extra, Map::new(), Map::new(), Map::new())
    }

    /// The entry with these unknown fields kept (at its top level, in `incoming`, in
    /// `outgoing`, in `certificate_trust`).
    pub(crate) fn with_unknown_fields(
        mut self,
        entry: Map<String, Value>,
        incoming: Map<String, Value>,
        outgoing: Map<String, Value>,
        trust: Map<String, Value>,
    ) -> Entry {
        self.unknown = (!entry.is_empty()
            || !incoming.is_empty()
            || !outgoing.is_empty()
            || !trust.is_empty())
        .then(|| {
            Box::new(UnknownFields {
                entry,
                incoming,
                outgoing,
                trust,
            })
        });
        self
    }

    /// Unknown fields of the stored `certificate_trust` object.
    pub(crate) fn trust_extra(&self) -> &Map<String, Value> {
        self.unknown
            .as_ref()
            .map_or(no_fields(), |unknown| &unknown.trust)
    }

    /// Unknown fields of the stored `incoming` object.
    pub(crate) fn incoming_extra(&self) -> &Map<String, Value> {
        self.unknown
            .as_ref()
            .map_or(no_fields(), |unknown| &unknown.incoming)
    }

    /// Unknown fields of the stored `outgoing` object.
    pub(crate) fn outgoing_extra(&self) -> &Map<String, Value> {
        self.unknown
            .as_ref()
            .map_or(no_fields(), |unknown| &unknown.outgoing)
    }

    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// IMAP or Exchange.
    pub fn kind(&self) -> ConnectionKind {
        self.connection.kind()
    }

    /// Whether addresses at subdomains (`alice@sales.example.com`) also use these settings.
    pub fn include_subdomains(&self) -> bool {
        self.include_subdomains
    }

    /// When the entry was last added, changed or renamed.
    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// Drawn from the book's one sequence when the entry was added or last changed, so a
    /// domain removed and added again never gets an old revision back; editors send it back
    /// to detect concurrent changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Unknown stored fields, kept for round trips.
    pub fn extra(&self) -> &Map<String, Value> {
        self.unknown
            .as_ref()
            .map_or(no_fields(), |unknown| &unknown.entry)
    }

    /// The settings the entry holds, as a form would submit them again.
    pub fn to_draft(&self) -> EntryDraft {
        EntryDraft {
            domain: self.domain.clone(),
            connection: self.connection.clone(),
            include_subdomains: self.include_subdomains,
        }
    }
}

/// What the add and edit forms submit.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryDraft {
    pub domain: Domain,
    pub connection: Connection,
    pub include_subdomains: bool,
}

/// How a looked-up domain matched an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchKind {
    /// The entry is for the domain itself.
    Exact,
    /// The entry is for a parent domain and includes subdomains.
    Parent,
}

/// The settings that apply to a domain, and how they were found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match<'book> {
    pub entry: &'book Entry,
    pub kind: MatchKind,
}

/// Why a change to the book was refused. Nothing in the book changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BookError {
    #[error("{} already has {kind} settings. Edit them instead.", domain.to_unicode())]
    AlreadyConfigured {
        domain: Domain,
        kind: ConnectionKind,
    },
    #[error(
        "{} already has {existing} settings. A domain can have IMAP or Exchange settings, not both.",
        domain.to_unicode()
    )]
    KindConflict {
        domain: Domain,
        existing: ConnectionKind,
    },
    #[error(
        "{} has no settings; someone may have removed them. Reload the list.",
        domain.to_unicode()
    )]
    NotFound { domain: Domain },
    #[error(
        "Someone else changed the settings for {} while you were editing. Reload to see their changes, then make yours again.",
        domain.to_unicode()
    )]
    StaleRevision {
        domain: Domain,
        expected: u64,
        actual: u64,
    },
}

impl BookError {
    /// The domain the refusal is about: the entry that is missing or moved on, or the holder
    /// of a taken name.
    pub fn domain(&self) -> &Domain {
        match self {
            Self::AlreadyConfigured { domain, .. }
            | Self::KindConflict { domain, .. }
            | Self::NotFound { domain }
            | Self::StaleRevision { domain, .. } => domain,
        }
    }
}

impl Problem for BookError {
    fn code(&self) -> &'static str {
        match self {
            Self::AlreadyConfigured { .. } => "book.already_configured",
            Self::KindConflict { .. } => "book.kind_conflict",
            Self::NotFound { .. } => "book.not_found",
            Self::StaleRevision { .. } => "book.stale_revision",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::AlreadyConfigured { domain, kind } => {
                vec![("domain", domain.to_unicode()), ("kind", kind.to_string())]
            }
            Self::KindConflict { domain, existing } => vec![
                ("domain", domain.to_unicode()),
                ("existing", existing.to_string()),
            ],
            Self::NotFound { domain } => vec![("domain", domain.to_unicode())],
            Self::StaleRevision {
                domain,
                expected,
                actual,
            } => vec![
                ("domain", domain.to_unicode()),
                ("expected", expected.to_string()),
                ("actual", actual.to_string()),
            ],
        }
    }
}

/// Every configured domain, at most one entry each, sorted by domain.
#[derive(Debug, Clone, Default)]
pub struct SettingsBook {
    /// Ordered and found by each entry's own domain: a map keyed by a copy of it would hold
    /// every domain twice (0.4 MB more for a 10,000-domain book in the browser).
    entries: BTreeSet<ByDomain>,
    /// The last revision issued: every applied change takes the next one.
    sequence: u64,
}

impl SettingsBook {
    pub fn new() -> SettingsBook {
        SettingsBook::default()
    }

    /// A book holding `entries` whose last issued revision is `sequence` (raised to the
    /// highest entry revision if that is higher): a server builds one from the rows a change
    /// touches and applies the change to it. An entry whose domain is already in is dropped.
    pub fn from_entries(sequence: u64, entries: impl IntoIterator<Item = Entry>) -> SettingsBook {
        let mut book = SettingsBook {
            entries: BTreeSet::new(),
            sequence,
        };
        for entry in entries {
            let _ = book.insert_restored(entry);
        }
        book
    }

    /// The last revision issued, the version of the whole book: it grows with every applied
    /// change, removals included.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// Raises the sequence to `sequence` (a stored document remembers it, so revisions of
    /// removed entries are not issued again). Never lowers it.
    pub(crate) fn raise_sequence(&mut self, sequence: u64) {
        self.sequence = self.sequence.max(sequence);
    }

    /// The next revision, taken from the sequence.
    pub(crate) fn next_revision(&mut self) -> u64 {
        self.sequence = self.sequence.saturating_add(1);
        self.sequence
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for exactly this domain.
    pub fn get(&self, domain: &Domain) -> Option<&Entry> {
        self.entries.get(domain).map(|found| &found.0)
    }

    /// Entries sorted by domain (ASCII order).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Entry> + '_ {
        self.into_iter()
    }

    /// Entries sorted by domain (ASCII order), collected.
    pub fn list(&self) -> Vec<&Entry> {
        self.iter().collect()
    }

    /// Adds a new domain: [`Change::Add`](crate::Change::Add) applied, for callers that build
    /// a book (fixtures, tests).
    pub fn add(&mut self, draft: EntryDraft, now: Timestamp) -> Result<&Entry, BookError> {
        let domain = draft.domain.clone();
        self.apply(crate::Change::Add { draft }, now)?;
        self.existing(&domain)
    }

    /// Checks that `domain` has an entry at `expected_revision`.
    pub(crate) fn check_revision(
        &self,
        domain: &Domain,
        expected_revision: u64,
    ) -> Result<&Entry, BookError> {
        let entry = self.existing(domain)?;
        if entry.revision != expected_revision {
            return Err(BookError::StaleRevision {
                domain: domain.clone(),
                expected: expected_revision,
                actual: entry.revision,
            });
        }
        Ok(entry)
    }

    /// Puts a checked draft in place of the entry `replacing` (none for a new one), at the next
    /// revision. The caller has run every check; the entry keeps what it carried unread.
    pub(crate) fn put(
        &mut self,
        replacing: Option<&Domain>,
        draft: EntryDraft,
        now: Timestamp,
    ) -> &Entry {
        let old = replacing.and_then(|domain| self.entries.take(domain));
        let revision = self.next_revision();
        let entry = match old {
            Some(ByDomain(mut entry)) => {
                entry.domain = draft.domain;
                entry.connection = draft.connection;
                entry.include_subdomains = draft.include_subdomains;
                entry.updated_at = now;
                entry.revision = revision;
                entry
            }
            None => Entry::restored(draft, now, revision, Map::new()),
        };
        let domain = entry.domain.clone();
        // The caller checked that the domain is free; replacing is the safe way to be wrong.
        self.entries.replace(ByDomain(entry));
        &self.entries.get(&domain).expect("the entry just put in").0
    }

    /// Takes the entry of `domain` out, consuming a revision (the book's version changes).
    /// Removes an entry without issuing a revision (following a change applied elsewhere).
    pub(crate) fn entries_remove(&mut self, domain: &Domain) -> Option<Entry> {
        self.entries.take(domain).map(|found| found.0)
    }

    pub(crate) fn take(&mut self, domain: &Domain) -> Option<Entry> {
        let entry = self.entries.take(domain)?.0;
        self.next_revision();
        Some(entry)
    }

    /// The error `add` (when `editing` is `None`) or `edit` of the entry `editing` would give
    /// for `domain` with settings of `kind`, for feedback while the person types.
    /// Revisions are not checked here.
    pub fn conflict_for(
        &self,
        domain: &Domain,
        kind: ConnectionKind,
        editing: Option<&Domain>,
    ) -> Option<BookError> {
        if let Some(original) = editing {
            let Some(entry) = self.get(original) else {
                return Some(BookError::NotFound {
                    domain: original.clone(),
                });
            };
            if entry.kind() != kind {
                return Some(BookError::KindConflict {
                    domain: original.clone(),
                    existing: entry.kind(),
                });
            }
            if domain == original {
                return None;
            }
        }
        let occupant = self.get(domain)?;
        Some(if occupant.kind() == kind {
            BookError::AlreadyConfigured {
                domain: domain.clone(),
                kind,
            }
        } else {
            BookError::KindConflict {
                domain: domain.clone(),
                existing: occupant.kind(),
            }
        })
    }

    /// The settings for an e-mail address as typed, if any apply.
    pub fn lookup(&self, email: &str) -> Result<Option<Match<'_>>, EmailError> {
        let address = EmailAddress::parse(email)?;
        Ok(self.lookup_domain(address.domain()))
    }

    /// The settings for a domain: its own entry if it has one (whatever that entry's
    /// `include_subdomains`), else the nearest parent entry that includes subdomains.
    pub fn lookup_domain(&self, domain: &Domain) -> Option<Match<'_>> {
        if let Some(entry) = self.get(domain) {
            return Some(Match {
                entry,
                kind: MatchKind::Exact,
            });
        }
        let mut ancestor = domain.parent();
        while let Some(candidate) = ancestor {
            if let Some(entry) = self.get(&candidate)
                && entry.include_subdomains
            {
                return Some(Match {
                    entry,
                    kind: MatchKind::Parent,
                });
            }
            ancestor = candidate.parent();
        }
        None
    }

    /// Adds an entry read from storage as is, or gives it back if its domain is taken.
    pub(crate) fn insert_restored(&mut self, entry: Entry) -> Result<(), Box<Entry>> {
        if self.entries.contains(&entry.domain) {
            return Err(Box::new(entry));
        }
        self.raise_sequence(entry.revision);
        self.entries.insert(ByDomain(entry));
        Ok(())
    }

    pub(crate) fn existing(&self, domain: &Domain) -> Result<&Entry, BookError> {
        self.get(domain).ok_or_else(|| BookError::NotFound {
            domain: domain.clone(),
        })
    }
}

/// Two books are equal when they hold equal entries (every field) and the same sequence.
impl PartialEq for SettingsBook {
    fn eq(&self, other: &SettingsBook) -> bool {
        self.sequence == other.sequence && self.iter().eq(other.iter())
    }
}

impl<'book> IntoIterator for &'book SettingsBook {
    type Item = &'book Entry;
    type IntoIter = Entries<'book>;

    fn into_iter(self) -> Self::IntoIter {
        Entries(self.entries.iter())
    }
}

/// The book's entries in domain order.
#[derive(Debug, Clone)]
pub struct Entries<'book>(btree_set::Iter<'book, ByDomain>);

impl<'book> Iterator for Entries<'book> {
    type Item = &'book Entry;

    fn next(&mut self) -> Option<&'book Entry> {
        self.0.next().map(|found| &found.0)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Entries<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|found| &found.0)
    }
}

impl ExactSizeIterator for Entries<'_> {}

/// An entry in the book's set: equal, ordered and found by its domain alone (the book holds
/// one entry per domain), so `Borrow<Domain>` keeps `Eq` and `Ord` consistent.
#[derive(Debug, Clone)]
struct ByDomain(Entry);

impl PartialEq for ByDomain {
    fn eq(&self, other: &ByDomain) -> bool {
        self.0.domain == other.0.domain
    }
}

impl Eq for ByDomain {}

impl PartialOrd for ByDomain {
    fn partial_cmp(&self, other: &ByDomain) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByDomain {
    fn cmp(&self, other: &ByDomain) -> std::cmp::Ordering {
        self.0.domain.cmp(&other.0.domain)
    }
}

impl Borrow<Domain> for ByDomain {
    fn borrow(&self) -> &Domain {
        &self.0.domain
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::exchange_url::ExchangeUrl;
    use crate::host::Host;
    use crate::port::Port;
    use crate::security::{Endpoint, Security};
    use crate::settings::{ExchangeSettings, ImapSettings};

    pub(crate) const T0: Timestamp = Timestamp::from_unix_ms(1_700_000_000_000);
    pub(crate) const T1: Timestamp = Timestamp::from_unix_ms(1_700_000_060_000);

    pub(crate) fn domain(text: &str) -> Domain {
        Domain::parse(text).unwrap()
    }

    pub(crate) fn imap(server: &str) -> Connection {
        Connection::Imap(ImapSettings {
            incoming: Endpoint {
                host: Host::parse(&format!("imap.{server}")).unwrap(),
                port: Port::IMAP_SSL,
                security: Security::SslTls,
            },
            outgoing: Endpoint {
                host: Host::parse(&format!("smtp.{server}")).unwrap(),
                port: Port::SMTP_SSL,
                security: Security::SslTls,
            },
            certificate_trust: crate::CertificateTrust::Verified,
            username: crate::settings::UsernameForm::EmailAddress,
        })
    }

    pub(crate) fn exchange(server: &str) -> Connection {
        Connection::Exchange(ExchangeSettings::verified(
            ExchangeUrl::parse(&format!("https://mail.{server}/EWS/Exchange.asmx")).unwrap(),
        ))
    }

    pub(crate) fn draft(
        name: &str,
        connection: Connection,
        include_subdomains: bool,
    ) -> EntryDraft {
        EntryDraft {
            domain: domain(name),
            connection,
            include_subdomains,
        }
    }

    pub(crate) fn book_with(entries: &[(&str, Connection, bool)]) -> SettingsBook {
        let mut book = SettingsBook::new();
        for (name, connection, include) in entries {
            book.add(draft(name, connection.clone(), *include), T0)
                .unwrap();
        }
        book
    }

    #[test]
    fn add_starts_at_revision_one_and_lists_sorted() {
        let mut book = SettingsBook::new();
        assert!(book.is_empty());
        let entry = book
            .add(draft("b.example", imap("b.example"), false), T0)
            .unwrap();
        assert_eq!(entry.revision(), 1);
        assert_eq!(entry.updated_at(), T0);
        assert_eq!(entry.kind(), ConnectionKind::Imap);
        book.add(draft("a.example", exchange("a.example"), true), T0)
            .unwrap();
        assert_eq!(book.len(), 2);
        let names: Vec<&str> = book.iter().map(|e| e.domain().as_ascii()).collect();
        assert_eq!(names, vec!["a.example", "b.example"]);
        assert_eq!(book.list().len(), 2);
        assert_eq!((&book).into_iter().count(), 2);
    }

    #[test]
    fn add_refuses_a_configured_domain() {
        let mut book = book_with(&[("example.com", imap("example.com"), false)]);
        assert_eq!(
            book.add(draft("EXAMPLE.com.", imap("other.example"), false), T1),
            Err(BookError::AlreadyConfigured {
                domain: domain("example.com"),
                kind: ConnectionKind::Imap
            })
        );
        let error = book
            .add(draft("example.com", exchange("example.com"), false), T1)
            .unwrap_err();
        assert_eq!(
            error,
            BookError::KindConflict {
                domain: domain("example.com"),
                existing: ConnectionKind::Imap
            }
        );
        assert_eq!(
            error.to_string(),
            "example.com already has IMAP settings. A domain can have IMAP or Exchange settings, not both."
        );
        assert_eq!(
            BookError::AlreadyConfigured {
                domain: domain("example.com"),
                kind: ConnectionKind::Imap
            }
            .to_string(),
            "example.com already has IMAP settings. Edit them instead."
        );
        assert_eq!(book.len(), 1);
        assert_eq!(book.get(&domain("example.com")).unwrap().revision(), 1);
    }

    #[test]
    fn conflict_for_matches_what_add_and_edit_would_say() {
        let book = book_with(&[
            ("imap.example", imap("imap.example"), false),
            ("ews.example", exchange("ews.example"), false),
        ]);
        let imap_domain = domain("imap.example");
        let ews_domain = domain("ews.example");
        let free = domain("free.example");
        use ConnectionKind::{Exchange, Imap};
        assert_eq!(book.conflict_for(&free, Imap, None), None);
        assert_eq!(
            book.conflict_for(&imap_domain, Imap, None),
            Some(BookError::AlreadyConfigured {
                domain: imap_domain.clone(),
                kind: Imap
            })
        );
        assert_eq!(
            book.conflict_for(&imap_domain, Exchange, None),
            Some(BookError::KindConflict {
                domain: imap_domain.clone(),
                existing: Imap
            })
        );
        assert_eq!(
            book.conflict_for(&imap_domain, Imap, Some(&imap_domain)),
            None
        );
        assert_eq!(book.conflict_for(&free, Imap, Some(&imap_domain)), None);
        assert_eq!(
            book.conflict_for(&ews_domain, Imap, Some(&imap_domain)),
            Some(BookError::KindConflict {
                domain: ews_domain.clone(),
                existing: Exchange
            })
        );
        assert_eq!(
            book.conflict_for(&imap_domain, Exchange, Some(&imap_domain)),
            Some(BookError::KindConflict {
                domain: imap_domain.clone(),
                existing: Imap
            })
        );
        assert_eq!(
            book.conflict_for(&free, Imap, Some(&free)),
            Some(BookError::NotFound {
                domain: free.clone()
            })
        );
    }

    #[test]
    fn lookup_prefers_exact_then_the_longest_including_parent() {
        let book = book_with(&[
            ("example.com", imap("example.com"), true),
            ("sales.example.com", exchange("sales.example.com"), false),
            ("eu.example.com", imap("eu.example.com"), true),
            ("other.example", imap("other.example"), false),
        ]);
        let found = |email: &str| {
            book.lookup(email)
                .unwrap()
                .map(|m| (m.entry.domain().as_ascii().to_owned(), m.kind))
        };
        let exact = |name: &str| Some((name.to_owned(), MatchKind::Exact));
        let parent = |name: &str| Some((name.to_owned(), MatchKind::Parent));
        assert_eq!(found("alice@example.com"), exact("example.com"));
        assert_eq!(found("alice@Example.COM"), exact("example.com"));
        assert_eq!(found("alice@sales.example.com"), exact("sales.example.com"));
        assert_eq!(found("alice@team.sales.example.com"), parent("example.com"));
        assert_eq!(
            found("alice@paris.eu.example.com"),
            parent("eu.example.com")
        );
        assert_eq!(found("alice@a.b.eu.example.com"), parent("eu.example.com"));
        assert_eq!(found("alice@other.example"), exact("other.example"));
        assert_eq!(found("alice@sub.other.example"), None);
        assert_eq!(found("alice@badexample.com"), None);
        assert_eq!(found("alice@unknown.example"), None);
        assert_eq!(
            book.lookup("al ice@example.com"),
            Err(EmailError::InvalidLocalPart { character: ' ' })
        );
        assert_eq!(book.lookup("alice"), Err(EmailError::MissingAt));
    }

    #[test]
    fn lookup_follows_the_include_subdomains_switch() {
        for include in [false, true] {
            let book = book_with(&[("example.com", imap("example.com"), include)]);
            let kind = |email: &str| book.lookup(email).unwrap().map(|m| m.kind);
            // The domain itself always matches, whatever the switch says.
            assert_eq!(kind("alice@example.com"), Some(MatchKind::Exact));
            let below = include.then_some(MatchKind::Parent);
            assert_eq!(kind("alice@sales.example.com"), below, "include={include}");
            assert_eq!(kind("alice@a.b.c.example.com"), below, "include={include}");
            // Only whole labels count: a name that merely ends the same is another domain.
            assert_eq!(kind("alice@myexample.com"), None);
            assert_eq!(kind("alice@example.com.evil.example"), None);
        }
    }

    #[test]
    fn lookup_skips_parents_that_keep_their_settings_to_themselves() {
        let book = book_with(&[
            ("example.com", exchange("example.com"), true),
            ("eu.example.com", imap("eu.example.com"), false),
        ]);
        let found = book.lookup("alice@paris.eu.example.com").unwrap().unwrap();
        assert_eq!(found.entry.domain(), &domain("example.com"));
        assert_eq!(found.kind, MatchKind::Parent);
        assert_eq!(found.entry.kind(), ConnectionKind::Exchange);
        let found = book.lookup("alice@eu.example.com").unwrap().unwrap();
        assert_eq!(
            (found.entry.domain(), found.kind),
            (&domain("eu.example.com"), MatchKind::Exact)
        );
    }

    #[test]
    fn lookup_reads_addresses_the_way_people_type_them() {
        let book = book_with(&[
            ("bücher.example", imap("bücher.example"), true),
            ("example.com", imap("example.com"), false),
        ]);
        let found = |email: &str| {
            book.lookup(email)
                .unwrap()
                .map(|m| (m.entry.domain().as_ascii().to_owned(), m.kind))
        };
        let bucher = "xn--bcher-kva.example".to_owned();
        assert_eq!(
            found("jörg@Bücher.example"),
            Some((bucher.clone(), MatchKind::Exact))
        );
        assert_eq!(
            found("jörg@xn--bcher-kva.example"),
            Some((bucher.clone(), MatchKind::Exact))
        );
        assert_eq!(
            found("jörg@laden.bücher.example"),
            Some((bucher, MatchKind::Parent))
        );
        assert_eq!(
            found("  Alice@EXAMPLE.com.  "),
            Some(("example.com".to_owned(), MatchKind::Exact))
        );
        // The domain part is checked by the domain rules, and its error comes back as is.
        assert!(matches!(
            book.lookup("alice@exa_mple.com"),
            Err(EmailError::Domain(_))
        ));
        assert_eq!(book.lookup(""), Err(EmailError::Empty));
    }

    #[test]
    fn lookup_on_an_empty_book_finds_nothing() {
        let book = SettingsBook::new();
        assert_eq!(book.lookup("alice@example.com").unwrap(), None);
        assert_eq!(book.lookup_domain(&domain("mail.example.com")), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn label() -> impl Strategy<Value = String> {
            "[a-z][a-z0-9]{0,8}"
        }

        proptest! {
            /// Below an entry, every depth finds it exactly when it includes subdomains; the
            /// entry's own domain always finds it.
            #[test]
            fn every_depth_below_an_entry(
                below in proptest::collection::vec(label(), 1..5),
                include in any::<bool>(),
            ) {
                let book = book_with(&[("example.com", imap("example.com"), include)]);
                let name = format!("{}.example.com", below.join("."));
                let found = book.lookup_domain(&domain(&name)).map(|m| m.kind);
                prop_assert_eq!(found, include.then_some(MatchKind::Parent));
                let exact = book.lookup_domain(&domain("example.com")).map(|m| m.kind);
                prop_assert_eq!(exact, Some(MatchKind::Exact));
            }

            /// Of two including ancestors, the nearer one wins.
            #[test]
            fn the_nearest_including_ancestor_wins(
                middle in label(),
                below in proptest::collection::vec(label(), 1..4),
            ) {
                let near = format!("{middle}.example.com");
                let book = book_with(&[
                    ("example.com", imap("example.com"), true),
                    (near.as_str(), exchange("near.example"), true),
                ]);
                let name = format!("{}.{near}", below.join("."));
                let found = book.lookup_domain(&domain(&name)).unwrap();
                prop_assert_eq!(found.entry.domain(), &domain(&near));
                prop_assert_eq!(found.kind, MatchKind::Parent);
            }
        }
    }

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(T0.as_unix_ms(), 1_700_000_000_000);
        assert!(T0 < T1);
        assert_eq!(serde_json::to_string(&T0).unwrap(), "1700000000000");
    }
}
