//! The entries removed from a book kept in the browser, so that "Recently deleted" can bring
//! one back where no server keeps a history. Kept beside the settings document, not inside it:
//! the document's version and shape do not change for it.
//!
//! The text is the settings server's answer to `GET /api/v1/removed-email-domains`
//! (`{"removed": [{domain, revision, actor, at_unix_ms, entry}]}`), so both are read by the same
//! [`removed_from_answer`].
//!
//! Owns: which removals are kept (the newest [`RemovedEntries::KEPT`], one per domain) and
//! which of them can still be brought back. Must not: store anything (the component does).

use serde_json::{Value, json};

use crate::book::{Entry, SettingsBook, Timestamp};
use crate::domain::Domain;
use crate::wire::{RemovedEntry, entry_to_wire, removed_from_answer};

/// Removed entries, newest removal first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemovedEntries(Vec<RemovedEntry>);

impl RemovedEntries {
    /// How many removals are kept: the oldest beyond these is forgotten.
    pub const KEPT: usize = 25;

    /// Reads kept text; what cannot be read (damaged by hand, or nothing) counts as none kept,
    /// since it only ever offers an undo.
    pub fn from_json(text: &str) -> RemovedEntries {
        let mut entries = removed_from_answer(text).unwrap_or_default();
        entries.sort_by_key(|removed| std::cmp::Reverse(removed.revision));
        entries.truncate(Self::KEPT);
        RemovedEntries(entries)
    }

    pub fn to_json(&self) -> String {
        let removed: Vec<Value> = self
            .0
            .iter()
            .map(|removed| {
                let entry: Value =
                    serde_json::from_str(&entry_to_wire(&removed.entry)).unwrap_or(Value::Null);
                json!({
                    "domain": removed.domain.as_ascii(),
                    "revision": removed.revision,
                    "actor": removed.actor,
                    "at_unix_ms": removed.at.as_unix_ms(),
                    "entry": entry,
                })
            })
            .collect();
        json!({ "removed": removed }).to_string()
    }

    /// Remembers that `entry` was removed by the change of revision `revision`: it comes first,
    /// an earlier removal of the same domain is forgotten, and so is the oldest beyond
    /// [`RemovedEntries::KEPT`].
    pub fn remember(&mut self, entry: Entry, revision: u64, actor: &str, at: Timestamp) {
        let domain = entry.domain().clone();
        self.forget(&domain);
        self.0.insert(
            0,
            RemovedEntry {
                domain,
                revision,
                actor: actor.to_owned(),
                at,
                entry,
            },
        );
        self.0.truncate(Self::KEPT);
    }

    /// Forgets the removal of `domain` (it was brought back).
    pub fn forget(&mut self, domain: &Domain) {
        self.0.retain(|removed| &removed.domain != domain);
    }

    /// The removals that can be brought back: those whose domain holds no entry in `book` now
    /// (one added again since is not offered), newest first.
    pub fn still_removed(&self, book: &SettingsBook) -> Vec<RemovedEntry> {
        self.0
            .iter()
            .filter(|removed| book.get(&removed.domain).is_none())
            .cloned()
            .collect()
    }

    pub fn as_slice(&self) -> &[RemovedEntry] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{T1, book_with, domain, imap};

    fn entry(name: &str) -> Entry {
        book_with(&[(name, imap(name), false)])
            .get(&domain(name))
            .cloned()
            .unwrap()
    }

    #[test]
    fn round_trips_newest_first() {
        let mut removed = RemovedEntries::default();
        removed.remember(entry("a.example"), 5, "", T1);
        removed.remember(entry("b.example"), 7, "admin", T1);
        let text = removed.to_json();
        let read = RemovedEntries::from_json(&text);
        assert_eq!(read, removed);
        let domains: Vec<String> = read
            .as_slice()
            .iter()
            .map(|removed| removed.domain.as_ascii().to_owned())
            .collect();
        assert_eq!(domains, ["b.example", "a.example"]);
        assert_eq!(read.as_slice()[0].actor, "admin");
    }

    #[test]
    fn keeps_one_removal_per_domain_and_at_most_kept() {
        let mut removed = RemovedEntries::default();
        for revision in 0..(RemovedEntries::KEPT as u64 + 10) {
            removed.remember(entry(&format!("d{revision}.example")), revision + 1, "", T1);
        }
        removed.remember(entry("d40.example"), 100, "", T1);
        assert_eq!(removed.as_slice().len(), RemovedEntries::KEPT);
        assert_eq!(removed.as_slice()[0].revision, 100);
        assert_eq!(
            removed
                .as_slice()
                .iter()
                .filter(|r| r.domain.as_ascii() == "d40.example")
                .count(),
            1
        );
        // The oldest went first.
        assert!(removed.as_slice().iter().all(|r| r.revision > 10));
    }

    #[test]
    fn a_domain_added_again_is_not_offered_and_unreadable_text_is_none() {
        let mut removed = RemovedEntries::default();
        removed.remember(entry("a.example"), 2, "", T1);
        removed.remember(entry("b.example"), 3, "", T1);
        let book = book_with(&[("a.example", imap("a.example"), false)]);
        let offered = removed.still_removed(&book);
        assert_eq!(offered.len(), 1);
        assert_eq!(offered[0].domain.as_ascii(), "b.example");
        removed.forget(&domain("b.example"));
        assert_eq!(removed.as_slice().len(), 1);
        assert_eq!(
            RemovedEntries::from_json("not json"),
            RemovedEntries::default()
        );
    }
}
