//! Where the settings book lives between visits: the [`SettingsStore`] trait and its browser
//! implementations ([`local::LocalStore`] on `localStorage`, [`memory::MemoryStore`] when the
//! browser gives us no storage).
//!
//! Owns: reading and writing the versioned document as text, and classifying what went wrong.
//! Must not: interpret entries (core's `Document` does) or touch signals and views.
//! A book kept by a server is a [`remote::RemoteBook`] instead: every answer takes a while.

pub mod local;
pub mod memory;
pub mod remote;
pub mod removals;
mod rest;

use mailsetup_core::{Document, DocumentError, FirstPage};

/// What a store found under its key.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// Nothing stored yet.
    Nothing,
    /// A document this version understands (bad entries are inside, in `rejected()`).
    Document(Document),
    /// A document written by a newer version of mailsetup: show what this version understands
    /// of it (`document`), change nothing.
    Newer { found: u64, document: Document },
    /// Text that is not a settings document at all.
    Unreadable { text: String, error: DocumentError },
}

impl Loaded {
    /// Classifies stored text.
    pub fn from_text(text: String) -> Loaded {
        match Document::from_json(&text) {
            Ok(document) => Loaded::Document(document),
            Err(DocumentError::NewerVersion { found }) => match Document::from_newer_json(&text) {
                Ok(document) => Loaded::Newer { found, document },
                Err(error) => Loaded::Unreadable { text, error },
            },
            Err(error) => Loaded::Unreadable { text, error },
        }
    }
}

/// What a store read for the first screen: everything, or the first page of a big book.
#[derive(Debug, Clone)]
pub enum Start {
    Whole(Loaded),
    /// The first entries of a big stored document, and its text: read it whole with
    /// [`SettingsStore::finish_start`] once they are on screen. Until then the store does not
    /// count the text as seen, so a change reads what is stored in full.
    FirstPage {
        first: FirstPage,
        text: String,
    },
}

/// Why a store could not do what was asked. Nothing stored changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The browser's storage is full.
    QuotaExceeded,
    /// The browser refused (storage disabled, sandboxed frame, private mode...).
    Refused(String),
}

/// A place that keeps one settings document, as text.
pub trait SettingsStore {
    /// Whether what is saved survives a reload.
    fn is_persistent(&self) -> bool;

    /// What is stored now.
    fn load(&self) -> Result<Loaded, StoreError>;

    /// What is stored now, or `None` when it is exactly the document this store last loaded or
    /// saved: then the caller's copy is current and need not be parsed again (a 10,000-domain
    /// book takes a few hundred milliseconds to parse). Stores without that knowledge load.
    fn load_if_changed(&self) -> Result<Option<Loaded>, StoreError> {
        self.load().map(Some)
    }

    /// What is stored now, for the first screen: of a big document only its first `count`
    /// entries (see [`Document::first_page`]), anything else whole.
    fn load_start(&self, _count: usize) -> Result<Start, StoreError> {
        self.load().map(Start::Whole)
    }

    /// Reads whole the text a [`Start::FirstPage`] came from.
    fn finish_start(&self, text: String) -> Loaded {
        Loaded::from_text(text)
    }

    /// Replaces the stored document.
    fn save(&self, document: &Document) -> Result<(), StoreError>;

    /// Keeps unreadable text aside under a quarantine key before anything replaces it.
    fn quarantine(&self, text: &str) -> Result<(), StoreError>;

    /// The text kept aside by [`SettingsStore::quarantine`], if any.
    fn quarantined(&self) -> Option<String>;

    /// The entries removed lately, as kept beside the document (core's `RemovedEntries` text),
    /// so that "Recently deleted" can bring one back; `None` when nothing is kept.
    fn removed_text(&self) -> Option<String>;

    /// Keeps the entries removed lately. Failing only loses the undo, never the book.
    fn set_removed_text(&self, text: &str) -> Result<(), StoreError>;

    /// Forgets the stored document (and the quarantined copy), to start fresh.
    fn clear(&self) -> Result<(), StoreError>;

    /// Whether a change notification for `key` concerns this store's document.
    fn watches(&self, key: &str) -> bool;

    /// The name of the event this store dispatches on `window` after each save, for the other
    /// instances on this page that keep the same document (the browser's `storage` event
    /// reaches only other tabs). `None` for a store nothing else shares.
    fn saved_event(&self) -> Option<String> {
        None
    }

    /// A small remembered choice of the person (such as whether a section is open).
    fn preference(&self, name: &str) -> Option<String>;

    /// Remembers a choice; failing only forgets it, so errors are ignored.
    fn set_preference(&self, name: &str, value: &str);
}

/// The keys one instance uses, derived from the configurable prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageKeys {
    pub prefix: String,
    pub settings: String,
    pub quarantine: String,
    /// The entries removed lately, beside the document (which does not change for them).
    pub removed: String,
}

impl StorageKeys {
    pub fn new(prefix: &str) -> StorageKeys {
        StorageKeys {
            prefix: prefix.to_owned(),
            settings: format!("{prefix}:settings"),
            quarantine: format!("{prefix}:settings:unreadable"),
            removed: format!("{prefix}:removed"),
        }
    }

    /// The key of a remembered choice.
    pub fn preference(&self, name: &str) -> String {
        format!("{}:pref:{name}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_stored_text() {
        assert!(matches!(
            Loaded::from_text(r#"{"version":1,"domains":[]}"#.into()),
            Loaded::Document(_)
        ));
        let newer = r#"{"version":7,"domains":[{"domain":"a.example","type":"exchange",
            "url":"https://mail.a.example/EWS/Exchange.asmx","updated_at_unix_ms":1,"revision":1}]}"#;
        match Loaded::from_text(newer.into()) {
            Loaded::Newer { found: 7, document } => assert_eq!(document.book().len(), 1),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Loaded::from_text("not json".into()),
            Loaded::Unreadable { .. }
        ));
        assert!(matches!(
            Loaded::from_text("[1,2]".into()),
            Loaded::Unreadable { .. }
        ));
    }

    #[test]
    fn keys_carry_the_prefix() {
        let keys = StorageKeys::new("acme");
        assert_eq!(keys.settings, "acme:settings");
        assert!(keys.quarantine.starts_with("acme:"));
        assert_eq!(keys.removed, "acme:removed");
        assert_eq!(keys.preference("open"), "acme:pref:open");
    }
}
