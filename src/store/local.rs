//! The settings document in the browser's `localStorage`, under a namespaced key.
//!
//! Uses web-sys's `Storage` directly rather than gloo-storage: gloo's typed `get`/`set` would
//! re-encode a document we already serialise in our own versioned format, and its `raw()`
//! panics when storage is missing; [`LocalStore::open`] checks availability first instead.
//! Must not: decide what the document means (see `Loaded::from_text`).

use std::cell::RefCell;

use mailsetup_core::Document;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use super::{Loaded, SettingsStore, Start, StorageKeys, StoreError};

#[wasm_bindgen]
extern "C" {
    /// `web_sys::Storage`, for a `getItem` answering the browser's own string (or `null`), not
    /// a copy in wasm memory: telling whether the stored text changed then copies nothing.
    type StorageItems;
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn item(this: &StorageItems, key: &str) -> Result<JsValue, JsValue>;
}

pub struct LocalStore {
    storage: web_sys::Storage,
    keys: StorageKeys,
    /// The stored value as the browser last gave it to this tab, after a load or a save: a
    /// string, or `null` for nothing stored; `None` when it must be read again. Compared in
    /// JavaScript, where an unchanged item is the same string the browser already holds.
    last_seen: RefCell<Option<JsValue>>,
    /// The item a first page was read from, until [`SettingsStore::finish_start`] reads it whole.
    started_from: RefCell<Option<JsValue>>,
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
            last_seen: RefCell::new(None),
            started_from: RefCell::new(None),
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

    /// The stored item as the browser holds it: a string, or `null`.
    fn stored_item(&self) -> Result<JsValue, StoreError> {
        self.storage
            .unchecked_ref::<StorageItems>()
            .item(&self.keys.settings)
            .map_err(classify)
    }

    /// Whether `item` is what this tab last loaded or saved.
    fn is_last_seen(&self, item: &JsValue) -> bool {
        self.last_seen
            .borrow()
            .as_ref()
            .is_some_and(|seen| seen == item)
    }

    /// Only a document (or nothing) is remembered: unreadable or newer text must always be
    /// looked at again, never stand for a document this tab holds.
    fn classify_and_remember(&self, item: JsValue) -> Loaded {
        let loaded = match item.as_string() {
            None => Loaded::Nothing,
            Some(text) => Loaded::from_text(text),
        };
        self.remember_if_readable(item, &loaded);
        loaded
    }

    fn remember_if_readable(&self, item: JsValue, loaded: &Loaded) {
        let readable = !matches!(loaded, Loaded::Newer { .. } | Loaded::Unreadable { .. });
        *self.last_seen.borrow_mut() = readable.then_some(item);
    }
}

impl SettingsStore for LocalStore {
    fn is_persistent(&self) -> bool {
        true
    }

    fn load(&self) -> Result<Loaded, StoreError> {
        let item = self.stored_item()?;
        Ok(self.classify_and_remember(item))
    }

    fn load_start(&self, count: usize) -> Result<Start, StoreError> {
        let item = self.stored_item()?;
        let first = item
            .as_string()
            .and_then(|text| Document::first_page(&text, count).map(|first| (first, text)));
        Ok(match first {
            // Not remembered as seen before it is read whole (`finish_start`).
            Some((first, text)) => {
                *self.started_from.borrow_mut() = Some(item);
                Start::FirstPage { first, text }
            }
            None => Start::Whole(self.classify_and_remember(item)),
        })
    }

    fn finish_start(&self, text: String) -> Loaded {
        let loaded = Loaded::from_text(text);
        match self.started_from.take() {
            Some(item) => self.remember_if_readable(item, &loaded),
            None => *self.last_seen.borrow_mut() = None,
        }
        loaded
    }

    fn load_if_changed(&self) -> Result<Option<Loaded>, StoreError> {
        if self.announcing.get() {
            return Ok(None);
        }
        let item = self.stored_item()?;
        if self.is_last_seen(&item) {
            return Ok(None);
        }
        Ok(Some(self.classify_and_remember(item)))
    }

    fn save(&self, document: &Document) -> Result<(), StoreError> {
        let text = document.to_json();
        self.storage
            .set_item(&self.keys.settings, &text)
            .map_err(classify)?;
        // The browser's own copy, read back: holding the string passed in would keep a second
        // copy of the book alive in JavaScript.
        *self.last_seen.borrow_mut() = self.stored_item().ok();
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

    fn removed_text(&self) -> Option<String> {
        self.storage.get_item(&self.keys.removed).ok().flatten()
    }

    fn set_removed_text(&self, text: &str) -> Result<(), StoreError> {
        self.storage
            .set_item(&self.keys.removed, text)
            .map_err(classify)
    }

    fn clear(&self) -> Result<(), StoreError> {
        *self.last_seen.borrow_mut() = None;
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
