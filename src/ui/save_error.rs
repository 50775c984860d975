//! The sentence a screen shows for a change that was not saved (the drawer, the connect flow's
//! "Save as settings for …", deleting in the panel).
//!
//! Owns: turning a [`ChangeError`] into text. Must not: decide what happens to the input.

use crate::i18n::{Language, forms, problems};
use crate::state::ChangeError;
use crate::store::StoreError;

/// The sentence for a change that was not saved.
pub fn describe_change_error(language: Language, error: &ChangeError) -> String {
    let texts = forms::save_texts(language);
    match error {
        ChangeError::Book(error) => problems::message(language, error),
        ChangeError::Store(StoreError::QuotaExceeded) => texts.save_quota.to_owned(),
        ChangeError::Store(StoreError::Refused(reason)) => (texts.save_refused)(reason),
        ChangeError::Locked => texts.save_locked.to_owned(),
    }
}
