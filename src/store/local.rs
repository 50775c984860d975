//! The settings document in the browser's `localStorage`, under a namespaced key.
//!
//! Uses web-sys's `Storage` directly rather than gloo-storage: gloo's typed `get`/`set` would
//! re-encode a document we already serialise in our own versioned format, and its `raw()`
//! panics when storage is missing; [`LocalStore::open`] checks availability first instead.
//! Must not: decide what the document means (see `Loaded::from_text`).

use mailsetup_core::Document;
use wasm_bindgen::{JsCast, JsValue};

use super::{LastSeen, Loaded, SettingsStore, Start, StorageKeys, StoreError};

pub struct LocalStore {
    storage: web_sys::Storage,
    keys: StorageKeys,
    /// The document text this tab last loaded or saved.
    last_seen: LastSeen,
    /// While this store tells the page of its own save: it holds what it wrote, so it need not
    /// read the book back when it hears itself.
    announcing: std::cell::Cell<bool>,
}

impl LocalStore {
    /// The page's `localStorage`, if the browser gives access to it and lets us write (a
    /// sandboxed frame throws on access; some private modes refuse every write).
    pub fn open(keys: StorageKeys) -> Option<LocalStore> {
        let storage = web_sys::window()?.local_storage().ok()??;
        let probe = format!("{}:probe", keys.settings);
        storage.set_item(&probe, "1").ok()?;
        storage.remove_item(&probe).ok()?;
        Some(LocalStore {
            storage,
            keys,
            last_seen: LastSeen::default(),
            announcing: std::cell::Cell::new(false),
        })
    }
}

/// A storage exception, sorted into "full" and "anything else".
fn classify(error: JsValue) -> StoreError {
    let name = error
        .dyn_ref::<web_sys::DomException>()
        .map(|exception| (exception.name(), exception.code()));
    match name {
        // 22 is the legacy code of QuotaExceededError; Firefox also used NS_ERROR_DOM_QUOTA_REACHED.
        Some((name, code))
            if name == "QuotaExceededError"
                || name == "NS_ERROR_DOM_QUOTA_REACHED"
                || code == 22 =>
        {
            StoreError::QuotaExceeded
        }
        Some((name, _)) => StoreError::Refused(name),
        None => StoreError::Refused(format!("{error:?}")),
    }
}

impl LocalStore {
    /// Tells the other instances on this page (`saved_event`); the one that saved finds
    /// nothing new when it hears it, as it remembers what it wrote.
    fn announce_save(&self) {
        let event = self
            .saved_event()
            .and_then(|name| web_sys::Event::new(&name).ok());
        if let (Some(window), Some(event)) = (web_sys::window(), event) {
            // Listeners run during the dispatch, this store's own instance among them.
            self.announcing.set(true);
            let _ = window.dispatch_event(&event);
            self.announcing.set(false);
        }
    }

    fn stored_text(&self) -> Result<Option<String>, StoreError> {
        self.storage.get_item(&self.keys.settings).map_err(classify)
    }

    /// Only a document (or nothing) is remembered: unreadable or newer text must always be
    /// looked at again, never stand for a document this tab holds.
    fn classify_and_remember(&self, text: Option<String>) -> Loaded {
        self.last_seen.remember(text.as_deref());
        let loaded = match text {
            None => Loaded::Nothing,
            Some(text) => Loaded::from_text(text),
        };
        if matches!(loaded, Loaded::Newer { .. } | Loaded::Unreadable { .. }) {
            self.last_seen.forget();
        }
        loaded
    }
}

impl SettingsStore for LocalStore {
    fn is_persistent(&self) -> bool {
        true
    }

    fn load(&self) -> Result<Loaded, StoreError> {
        let text = self.stored_text()?;
        Ok(self.classify_and_remember(text))
    }

    fn load_start(&self, count: usize) -> Result<Start, StoreError> {
        let text = self.stored_text()?;
        let first = text
            .as_deref()
            .and_then(|text| Document::first_page(text, count));
        Ok(match (first, text) {
            // Not remembered as seen before it is read whole (`finish_start`).
            (Some(first), Some(text)) => Start::FirstPage { first, text },
            (_, text) => Start::Whole(self.classify_and_remember(text)),
        })
    }

    fn finish_start(&self, text: String) -> Loaded {
        self.classify_and_remember(Some(text))
    }

    fn load_if_changed(&self) -> Result<Option<Loaded>, StoreError> {
        if self.announcing.get() {
            return Ok(None);
        }
        let text = self.stored_text()?;
        if self.last_seen.is(text.as_deref()) {
            return Ok(None);
        }
        Ok(Some(self.classify_and_remember(text)))
    }

    fn save(&self, document: &Document) -> Result<(), StoreError> {
        let text = document.to_json();
        self.storage
            .set_item(&self.keys.settings, &text)
            .map_err(classify)?;
        self.last_seen.remember(Some(&text));
        self.announce_save();
        Ok(())
    }

    fn quarantine(&self, text: &str) -> Result<(), StoreError> {
        self.storage
            .set_item(&self.keys.quarantine, text)
            .map_err(classify)
    }

    fn quarantined(&self) -> Option<String> {
        self.storage.get_item(&self.keys.quarantine).ok().flatten()
    }

    fn clear(&self) -> Result<(), StoreError> {
        self.last_seen.forget();
        self.storage
            .remove_item(&self.keys.settings)
            .and_then(|()| self.storage.remove_item(&self.keys.quarantine))
            .map_err(classify)?;
        self.announce_save();
        Ok(())
    }

    fn saved_event(&self) -> Option<String> {
        Some(format!("mailsetup-saved:{}", self.keys.settings))
    }

    fn watches(&self, key: &str) -> bool {
        key == self.keys.settings
    }

    fn preference(&self, name: &str) -> Option<String> {
        self.storage
            .get_item(&self.keys.preference(name))
            .ok()
            .flatten()
    }

    fn set_preference(&self, name: &str, value: &str) {
        let _ = self.storage.set_item(&self.keys.preference(name), value);
    }
}
