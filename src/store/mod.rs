//! Where the settings book lives between visits: the [`SettingsStore`] trait and its browser
//! implementations ([`local::LocalStore`] on `localStorage`, [`memory::MemoryStore`] when the
//! browser gives us no storage).
//!
//! Owns: reading and writing the versioned document as text, and classifying what went wrong.
//! Must not: interpret entries (core's `Document` does) or touch signals and views.
//! The REST store arrives with the server; it will need an async variant of this trait.

pub mod local;
pub mod memory;

use mailsetup_core::{Document, DocumentError};

/// What a store found under its key.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// Nothing stored yet.
    Nothing,
    /// A document this version understands (bad entries are inside, in `rejected()`).
    Document(Document),
    /// A document written by a newer version of mailsetup: show it, change nothing.
    Newer { found: u64 },
    /// Text that is not a settings document at all.
    Unreadable { text: String, error: DocumentError },
}

impl Loaded {
    /// Classifies stored text.
    pub fn from_text(text: String) -> Loaded {
        match Document::from_json(&text) {
            Ok(document) => Loaded::Document(document),
            Err(DocumentError::NewerVersion { found }) => Loaded::Newer { found },
            Err(error) => Loaded::Unreadable { text, error },
        }
    }
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

    /// Replaces the stored document.
    fn save(&self, document: &Document) -> Result<(), StoreError>;

    /// Keeps unreadable text aside under a quarantine key before anything replaces it.
    fn quarantine(&self, text: &str) -> Result<(), StoreError>;

    /// The text kept aside by [`SettingsStore::quarantine`], if any.
    fn quarantined(&self) -> Option<String>;

    /// Forgets the stored document (and the quarantined copy), to start fresh.
    fn clear(&self) -> Result<(), StoreError>;

    /// Whether a change notification for `key` concerns this store's document.
    fn watches(&self, key: &str) -> bool;

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
}

impl StorageKeys {
    pub fn new(prefix: &str) -> StorageKeys {
        StorageKeys {
            prefix: prefix.to_owned(),
            settings: format!("{prefix}:settings"),
            quarantine: format!("{prefix}:settings:unreadable"),
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
        assert!(matches!(
            Loaded::from_text(r#"{"version":7,"domains":[]}"#.into()),
            Loaded::Newer { found: 7, .. }
        ));
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
        assert_eq!(keys.preference("open"), "acme:pref:open");
    }
}
