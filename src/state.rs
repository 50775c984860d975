//! The live state one instance of the component shares between its views: the settings
//! document, how healthy its storage is, and the one way to change the book ([`Settings::change`]).
//!
//! Owns: loading from the store, saving every change, following changes made in other tabs.
//! Must not: know any validation rule (core does) or render anything.

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;
use mailsetup_core::{
    Applied, BookError, Change, Document, DocumentError, SettingsBook, Timestamp,
};

use crate::i18n::Language;
use crate::store::local::LocalStore;
use crate::store::memory::MemoryStore;
use crate::store::{Loaded, SettingsStore, StorageKeys, StoreError};
use crate::{Role, Storage};

/// How far the stored settings can be trusted and changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageHealth {
    /// Saved in the browser; changes are kept.
    Persistent,
    /// The browser gives no storage: the panel works, nothing survives a reload.
    MemoryOnly,
    /// The host chose memory (`Storage::Memory`, demos): nothing is kept, and nothing needs
    /// saying about it.
    MemoryByChoice,
    /// What is stored is not a settings document. It was kept aside; nothing can change until
    /// the person downloads it or starts fresh.
    Unreadable(DocumentError),
    /// Written by a newer version of mailsetup; shown read-only so it is never damaged.
    Newer { found: u64 },
}

impl StorageHealth {
    /// Whether there is nothing to tell the person about the storage.
    pub fn is_fine(&self) -> bool {
        matches!(self, Self::Persistent | Self::MemoryByChoice)
    }

    /// Whether changes may be saved at all.
    pub fn allows_changes(&self) -> bool {
        matches!(
            self,
            Self::Persistent | Self::MemoryOnly | Self::MemoryByChoice
        )
    }
}

/// Why a change was not made. Nothing changed, in the book or in storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    /// The book refused it (exclusivity, stale revision, missing domain).
    Book(BookError),
    /// The browser refused to store it.
    Store(StoreError),
    /// The stored settings cannot be changed right now (unreadable or from a newer version).
    Locked,
}

impl From<BookError> for ChangeError {
    fn from(error: BookError) -> ChangeError {
        ChangeError::Book(error)
    }
}

impl From<StoreError> for ChangeError {
    fn from(error: StoreError) -> ChangeError {
        ChangeError::Store(error)
    }
}

/// Told of every saved change, as core applied it (the host page's `onChange`).
pub type SavedListener = std::rc::Rc<dyn Fn(&Applied)>;

/// Numbers the instances on a page, so element ids never collide between two of them.
static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// The shared state, provided as context by the root component. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Settings {
    pub language: Language,
    pub role: Role,
    instance: usize,
    document: RwSignal<Document>,
    health: RwSignal<StorageHealth>,
    store: StoredValue<Box<dyn SettingsStore>, LocalStorage>,
    saved: StoredValue<Option<SavedListener>, LocalStorage>,
}

impl Settings {
    /// Opens the store `storage` names (memory when the browser gives no storage) and loads
    /// the document.
    pub fn open(language: Language, role: Role, storage: &Storage) -> Settings {
        let local = match storage {
            Storage::Local { prefix } => LocalStore::open(StorageKeys::new(prefix)),
            Storage::Memory => None,
        };
        let (store, health): (Box<dyn SettingsStore>, StorageHealth) = match (local, storage) {
            (Some(local), _) => (Box::new(local), StorageHealth::Persistent),
            (None, Storage::Memory) => {
                (Box::<MemoryStore>::default(), StorageHealth::MemoryByChoice)
            }
            (None, Storage::Local { .. }) => {
                (Box::<MemoryStore>::default(), StorageHealth::MemoryOnly)
            }
        };
        Settings::with_store(language, role, store, health)
    }

    /// State over a given store (tests use a memory store).
    pub fn with_store(
        language: Language,
        role: Role,
        store: Box<dyn SettingsStore>,
        health: StorageHealth,
    ) -> Settings {
        let settings = Settings {
            language,
            role,
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed) + 1,
            document: RwSignal::new(Document::default()),
            health: RwSignal::new(health),
            store: StoredValue::new_local(store),
            saved: StoredValue::new_local(None),
        };
        settings.reload();
        settings
    }

    /// An element id unique on the page: `ms<instance>-<name>`.
    pub fn id(&self, name: &str) -> String {
        format!("ms{}-{name}", self.instance)
    }

    /// The current document (reactive).
    pub fn document(&self) -> ReadSignal<Document> {
        self.document.read_only()
    }

    /// Runs `read` over the current book (reactive).
    pub fn with_book<T>(&self, read: impl FnOnce(&SettingsBook) -> T) -> T {
        self.document.with(|document| read(document.book()))
    }

    pub fn health(&self) -> ReadSignal<StorageHealth> {
        self.health.read_only()
    }

    /// Whether this person may change settings now: an admin, and storage allows it (reactive).
    pub fn can_change(&self) -> bool {
        self.role.can_edit() && self.health.with(StorageHealth::allows_changes)
    }

    /// Re-reads the store, e.g. after another tab changed it.
    pub fn reload(&self) {
        match self.store.with_value(|store| store.load()) {
            Ok(loaded) => self.show(loaded),
            Err(_) => self.health.set(StorageHealth::MemoryOnly),
        }
    }

    /// Shows what the store holds.
    fn show(&self, loaded: Loaded) {
        let persistent = self.store.with_value(|store| store.is_persistent());
        match loaded {
            Loaded::Nothing => {
                self.document.set(Document::default());
                self.health.set(self.healthy(persistent));
            }
            Loaded::Document(document) => {
                self.document.set(document);
                self.health.set(self.healthy(persistent));
            }
            Loaded::Newer { found, document } => {
                // Shown read-only (the health forbids changes), so the panel lists the
                // settings and the connect flow finds them, and nothing is written back.
                self.document.set(document);
                self.health.set(StorageHealth::Newer { found });
            }
            Loaded::Unreadable { text, error } => {
                // Keep the text aside before anything could replace it. If even that fails,
                // the original stays where it is, because the panel is locked until the
                // person chooses.
                let _ = self.store.with_value(|store| store.quarantine(&text));
                self.document.set(Document::default());
                self.health.set(StorageHealth::Unreadable(error));
            }
        }
    }

    /// The health of a store that read or wrote fine.
    fn healthy(&self, persistent: bool) -> StorageHealth {
        if persistent {
            StorageHealth::Persistent
        } else if self.health.get_untracked() == StorageHealth::MemoryByChoice {
            StorageHealth::MemoryByChoice
        } else {
            StorageHealth::MemoryOnly
        }
    }

    /// The event another instance on this page dispatches on `window` when it saved the same
    /// book, if the store is shared.
    pub fn saved_event(&self) -> Option<String> {
        self.store.with_value(|store| store.saved_event())
    }

    /// Re-reads the store if what is stored is not what this instance last read or wrote.
    pub fn reload_if_changed(&self) {
        match self.store.with_value(|store| store.load_if_changed()) {
            Ok(None) => {}
            Ok(Some(loaded)) => self.show(loaded),
            Err(_) => self.health.set(StorageHealth::MemoryOnly),
        }
    }

    /// Whether a `storage` event for `key` is about this instance's settings.
    pub fn watches(&self, key: &str) -> bool {
        self.store.with_value(|store| store.watches(key))
    }

    /// Applies one change to the book and saves it. Starts from what is stored now, so a change
    /// made in another tab since this tab loaded is not overwritten (the change names the
    /// revision the person started from, and core refuses it if that moved on); if saving
    /// fails, neither the stored document nor the one on screen changes.
    pub fn change(&self, change: Change) -> Result<Applied, ChangeError> {
        if !self.can_change() {
            return Err(ChangeError::Locked);
        }
        let mut document = match self.store.with_value(|store| store.load_if_changed())? {
            // Nobody changed the stored document since this tab read or wrote it.
            None => self.document.get_untracked(),
            Some(Loaded::Nothing) => Document::default(),
            Some(Loaded::Document(document)) => document,
            Some(Loaded::Newer { .. } | Loaded::Unreadable { .. }) => {
                self.reload();
                return Err(ChangeError::Locked);
            }
        };
        let applied = document.book_mut().apply(change, now())?;
        self.store.with_value(|store| store.save(&document))?;
        if let Some(listener) = self.saved.get_value() {
            listener(&applied);
        }
        self.document.set(document);
        Ok(applied)
    }

    /// Tells `listener` of every change saved from now on.
    pub fn on_saved(&self, listener: SavedListener) {
        self.saved.set_value(Some(listener));
    }

    /// A remembered choice of the person, e.g. whether a section is open.
    pub fn preference(&self, name: &str) -> Option<String> {
        self.store.with_value(|store| store.preference(name))
    }

    pub fn set_preference(&self, name: &str, value: &str) {
        self.store
            .with_value(|store| store.set_preference(name, value));
    }

    /// The unreadable text that was kept aside, for download.
    pub fn quarantined_text(&self) -> Option<String> {
        self.store.with_value(|store| store.quarantined())
    }

    /// Drops unreadable or newer stored data and starts with an empty book.
    pub fn start_fresh(&self) -> Result<(), StoreError> {
        self.store.with_value(|store| store.clear())?;
        self.reload();
        Ok(())
    }
}

/// Now, as the book records it.
fn now() -> Timestamp {
    Timestamp::from_unix_ms(js_sys::Date::now() as i64)
}
