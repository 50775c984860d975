//! The removals a book in the browser keeps beside its document, for "Recently deleted": what a
//! change removed is remembered, and forgotten once its domain is back. The list itself is
//! core's [`RemovedEntries`]; the text is kept by the store (`SettingsStore::removed_text`).
//!
//! Its code is a wasm chunk of its own in the release build (`split_chunks`), fetched the first
//! time a change in the browser removes or brings back an entry: a first visit does not carry
//! the list's reader and writer. Failing to fetch it loses only the undo, never the change.
//! Must not: decide what can be restored (core does) or touch signals.

use mailsetup_core::{Applied, ChangeAction, Entry, RemovedEntries, Timestamp};

use crate::ui::on_demand::CodeMissing;

/// The kept text after `applied`, given what it `removed` (the entry before a removal) and the
/// text kept so far; `None` when the change leaves the list as it was.
#[cfg_attr(
    split_chunks,
    leptos::wasm_split::wasm_split(removals_code, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn kept_after(
    kept: Option<String>,
    removed: Option<Entry>,
    applied: Applied,
    at: Timestamp,
) -> Result<Option<String>, CodeMissing> {
    let mut list = kept
        .as_deref()
        .map(RemovedEntries::from_json)
        .unwrap_or_default();
    match (applied.action, removed) {
        (ChangeAction::Removed, Some(entry)) => list.remember(entry, applied.sequence, "", at),
        (ChangeAction::Restored, _) => list.forget(&applied.domain),
        _ => return Ok(None),
    }
    Ok(Some(list.to_json()))
}

/// The kept text after `applied` (see [`kept_after`]); `None` when it stays as it was, or when
/// the code could not be fetched.
pub async fn text_after(
    kept: Option<String>,
    removed: Option<Entry>,
    applied: Applied,
    at: Timestamp,
) -> Option<String> {
    #[cfg(split_chunks)]
    {
        kept_after(kept, removed, applied, at).await.ok().flatten()
    }
    #[cfg(not(split_chunks))]
    {
        kept_after(kept, removed, applied, at).ok().flatten()
    }
}
