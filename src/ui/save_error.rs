//! The sentence a screen shows for a change that was not saved (the drawer, the connect flow's
//! "Save as settings for …", deleting in the panel).
//!
//! Owns: turning a [`ChangeError`] into text. Must not: decide what happens to the input.

use crate::i18n::{forms, problems};
use crate::state::{ChangeError, Settings};
use crate::store::StoreError;

/// The sentence for a change that was not saved. What the server said comes in the words of
/// the REST client (its text travels in its chunk).
pub fn describe_change_error(settings: Settings, error: &ChangeError) -> String {
    let language = settings.language;
    let texts = forms::save_texts(language);
    match error {
        ChangeError::Book(error) => problems::message(language, error),
        ChangeError::Store(StoreError::QuotaExceeded) => texts.save_quota.to_owned(),
        ChangeError::Store(StoreError::Refused(reason)) => (texts.save_refused)(reason),
        ChangeError::Locked => texts.save_locked.to_owned(),
        ChangeError::Conflict { .. } | ChangeError::Remote(_) => settings.describe_remote(error),
    }
}
