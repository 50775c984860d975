//! The settings document in the browser's `localStorage`, under a namespaced key.
//!
//! Uses web-sys's `Storage` directly rather than gloo-storage: gloo's typed `get`/`set` would
//! re-encode a document we already serialise in our own versioned format, and its `raw()`
//! panics when storage is missing; [`LocalStore::open`] checks availability first instead.
//! Must not: decide what the document means (see `Loaded::from_text`).

use mailsetup_core::Document;
use wasm_bindgen::{JsCast, JsValue};

use super::{Loaded, SettingsStore, StorageKeys, StoreError};

pub struct LocalStore {
    storage: web_sys::Storage,
    keys: StorageKeys,
}

impl LocalStore {
    /// The page's `localStorage`, if the browser gives access to it and lets us write (a
    /// sandboxed frame throws on access; some private modes refuse every write).
    pub fn open(keys: StorageKeys) -> Option<LocalStore> {
        let storage = web_sys::window()?.local_storage().ok()??;
        let probe = format!("{}:probe", keys.settings);
        storage.set_item(&probe, "1").ok()?;
        storage.remove_item(&probe).ok()?;
        Some(LocalStore { storage, keys })
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

impl SettingsStore for LocalStore {
    fn is_persistent(&self) -> bool {
        true
    }

    fn load(&self) -> Result<Loaded, StoreError> {
        Ok(
            match self
                .storage
                .get_item(&self.keys.settings)
                .map_err(classify)?
            {
                None => Loaded::Nothing,
                Some(text) => Loaded::from_text(text),
            },
        )
    }

    fn save(&self, document: &Document) -> Result<(), StoreError> {
        self.storage
            .set_item(&self.keys.settings, &document.to_json())
            .map_err(classify)
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
        self.storage
            .remove_item(&self.keys.settings)
            .and_then(|()| self.storage.remove_item(&self.keys.quarantine))
            .map_err(classify)
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
