//! A store that keeps the document in memory only: what the panel uses when the browser gives
//! it no storage, so it still works (and says that changes will not be kept).

use std::cell::RefCell;
use std::collections::HashMap;

use mailsetup_core::Document;

use super::{Loaded, SettingsStore, StoreError};

#[derive(Default)]
pub struct MemoryStore {
    text: RefCell<Option<String>>,
    quarantined: RefCell<Option<String>>,
    removed: RefCell<Option<String>>,
    preferences: RefCell<HashMap<String, String>>,
}

impl SettingsStore for MemoryStore {
    fn is_persistent(&self) -> bool {
        false
    }

    fn load(&self) -> Result<Loaded, StoreError> {
        Ok(match self.text.borrow().clone() {
            None => Loaded::Nothing,
            Some(text) => Loaded::from_text(text),
        })
    }

    fn save(&self, document: &Document) -> Result<(), StoreError> {
        *self.text.borrow_mut() = Some(document.to_json());
        Ok(())
    }

    fn quarantine(&self, text: &str) -> Result<(), StoreError> {
        *self.quarantined.borrow_mut() = Some(text.to_owned());
        Ok(())
    }

    fn quarantined(&self) -> Option<String> {
        self.quarantined.borrow().clone()
    }

    fn removed_text(&self) -> Option<String> {
        self.removed.borrow().clone()
    }

    fn set_removed_text(&self, text: &str) -> Result<(), StoreError> {
        *self.removed.borrow_mut() = Some(text.to_owned());
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        *self.text.borrow_mut() = None;
        *self.quarantined.borrow_mut() = None;
        Ok(())
    }

    fn watches(&self, _key: &str) -> bool {
        false
    }

    fn preference(&self, name: &str) -> Option<String> {
        self.preferences.borrow().get(name).cloned()
    }

    fn set_preference(&self, name: &str, value: &str) {
        self.preferences
            .borrow_mut()
            .insert(name.to_owned(), value.to_owned());
    }
}
