//! [`CollectionCache`]: the list's answer (`GET /api/v1/email-domains`), kept current. The first
//! list read loads the whole book; every later one that finds the book moved on asks the store
//! only for what changed after the sequence it holds ([`Store::collection_changes`]) and
//! splices that in, so a list read under a steady stream of writes costs the changed rows and
//! one join of the texts, not a read of every row.
//!
//! A sequence names exactly one state of the book (every change takes a new one), so a copy
//! brought to the stored sequence is what a full read would give, whichever instance made the
//! changes.
//!
//! Owns: the copy (ASCII domain → stored text, in the book's byte order) and its joined body.
//! Must not: read or shape an entry (the texts are joined as stored, by core's
//! `collection_json_from_stored`) or decide an answer's status or headers (the route does).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use mailsetup_core::wire;
use tokio::sync::Mutex;

use crate::store::{Store, StoreResult, StoredChanges, StoredCollection};

#[derive(Debug, Clone, Default)]
pub struct CollectionCache(Arc<Mutex<Option<BookCopy>>>);

/// The book as of `sequence`, and the list's body for it.
#[derive(Debug)]
struct BookCopy {
    sequence: u64,
    entries: BTreeMap<String, String>,
    body: Bytes,
}

impl CollectionCache {
    /// The list's body at the book's `sequence` or later, with the sequence it shows.
    ///
    /// One caller at a time brings the copy up to date; the others wait and then find it
    /// current. A caller that goes away while the store answers leaves the copy as it was.
    pub async fn body(&self, store: &dyn Store, sequence: u64) -> StoreResult<(u64, Bytes)> {
        let mut copy = self.0.lock().await;
        match copy.as_mut() {
            Some(current) if current.sequence >= sequence => {}
            Some(behind) => behind.apply(store.collection_changes(behind.sequence).await?),
            None => *copy = Some(BookCopy::from(store.collection().await?)),
        }
        let copy = copy.as_ref().expect("filled above");
        Ok((copy.sequence, copy.body.clone()))
    }
}

impl From<StoredCollection> for BookCopy {
    fn from(stored: StoredCollection) -> BookCopy {
        let entries: BTreeMap<String, String> = stored.entries.into_iter().collect();
        BookCopy {
            body: joined(stored.sequence, &entries),
            sequence: stored.sequence,
            entries,
        }
    }
}

impl BookCopy {
    /// Splices in what changed; a store that answers an older sequence (it cannot, but a
    /// database restored under a running server could) replaces nothing.
    fn apply(&mut self, changes: StoredChanges) {
        if changes.sequence <= self.sequence {
            return;
        }
        for (domain, text) in changes.changed {
            match text {
                Some(text) => self.entries.insert(domain, text),
                None => self.entries.remove(&domain),
            };
        }
        self.sequence = changes.sequence;
        self.body = joined(self.sequence, &self.entries);
    }
}

fn joined(sequence: u64, entries: &BTreeMap<String, String>) -> Bytes {
    Bytes::from(wire::collection_json_from_stored(
        sequence,
        entries.values().map(String::as_str),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_of(sequence: u64, entries: &[(&str, &str)]) -> BookCopy {
        BookCopy::from(StoredCollection {
            sequence,
            entries: entries
                .iter()
                .map(|(domain, text)| ((*domain).to_owned(), (*text).to_owned()))
                .collect(),
        })
    }

    #[test]
    fn changes_are_spliced_in_byte_order_and_removals_leave() {
        let mut copy = copy_of(3, &[("b.example", "{\"b\":1}"), ("a.example", "{\"a\":1}")]);
        assert_eq!(
            &copy.body[..],
            br#"{"domains":[{"a":1},{"b":1}],"sequence":3,"version":3}"#
        );
        copy.apply(StoredChanges {
            sequence: 5,
            changed: vec![
                ("a.example".into(), None),
                ("c.example".into(), Some("{\"c\":1}".into())),
                ("b.example".into(), Some("{\"b\":2}".into())),
            ],
        });
        assert_eq!(copy.sequence, 5);
        assert_eq!(
            &copy.body[..],
            br#"{"domains":[{"b":2},{"c":1}],"sequence":5,"version":3}"#
        );
    }

    #[test]
    fn an_older_answer_changes_nothing() {
        let mut copy = copy_of(7, &[("a.example", "{\"a\":1}")]);
        let before = copy.body.clone();
        copy.apply(StoredChanges {
            sequence: 6,
            changed: vec![("a.example".into(), None)],
        });
        assert_eq!((copy.sequence, copy.body), (7, before));
    }
}
