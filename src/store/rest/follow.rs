//! Keeping the component's state in step with the server: the list shown (refreshed, never
//! over a change acknowledged meanwhile), how the server is doing (the banners' health), and a
//! change counted as saved only once the server acknowledged it.
//!
//! Owns: what a refresh and a save do to `Settings`. Must not: send anything itself (`super`
//! does) or decide validity (core's book does, on this copy first and on the server's after).

use std::rc::Rc;

use leptos::prelude::*;

use mailsetup_core::wire::{ImportRequest, ImportSummary};
use mailsetup_core::{Applied, Change, Document, Timestamp};

use super::http::Http;
use super::{load, send, send_import};
use crate::state::{ChangeError, Settings, StorageHealth};
use crate::store::Loaded;
use crate::store::remote::RemoteError;

/// Asks for the list (with the sequence shown as its entity tag) and shows what came.
pub async fn refresh(http: Rc<Http>, settings: Settings) {
    let refreshing = settings.refreshing();
    if refreshing.try_get_value() != Some(false) {
        return;
    }
    refreshing.set_value(true);
    let health = settings.health_signal();
    let known = (health.get_untracked() == StorageHealth::Server)
        .then(|| settings.with_book(|book| book.sequence()));
    let acknowledged = settings.acknowledged();
    let asked_after = acknowledged.get_value();
    let answer = load(http, known).await;
    if refreshing.try_set_value(false).is_some() {
        return; // unmounted meanwhile
    }
    match answer {
        // A change acknowledged meanwhile is newer than this list: the next refresh brings both.
        Ok(_) if acknowledged.get_value() != asked_after => {}
        Ok(None) => health.set(StorageHealth::Server),
        Ok(Some(loaded)) => show(settings, loaded),
        Err(error) => note(settings, &error),
    }
}

/// Shows the server's book; one of a newer version read-only, as from browser storage.
fn show(settings: Settings, loaded: Loaded) {
    let (document, health) = (settings.document_signal(), settings.health_signal());
    match loaded {
        Loaded::Nothing => document.set(Document::default()),
        Loaded::Document(book) => document.set(book),
        Loaded::Newer {
            found,
            document: book,
        } => {
            document.set(book);
            return health.set(StorageHealth::Newer { found });
        }
        Loaded::Unreadable { error, .. } => {
            return health.set(StorageHealth::ServerMisconfigured(error.to_string()));
        }
    }
    health.set(StorageHealth::Server);
}

/// Records what an error says about the server.
fn note(settings: Settings, error: &RemoteError) {
    let health = match error {
        RemoteError::Unreachable => StorageHealth::ServerUnreachable,
        RemoteError::SignedOut => StorageHealth::SignedOut,
        RemoteError::Forbidden if settings.with_book(|book| book.is_empty()) => {
            StorageHealth::Forbidden
        }
        // Forbidden to change, though allowed to read: the save says so.
        RemoteError::Forbidden => return,
        RemoteError::Misconfigured(detail) => StorageHealth::ServerMisconfigured(detail.clone()),
        RemoteError::Conflict { .. } | RemoteError::Outdated | RemoteError::Refused { .. } => {
            StorageHealth::Server
        }
    };
    settings.health_signal().set(health);
}

/// Core's rules first, on this copy of the book (what they refuse is never sent); then the
/// server decides, against its own book.
pub async fn change(
    http: Rc<Http>,
    settings: Settings,
    change: Change,
) -> Result<Applied, ChangeError> {
    settings
        .with_book(|book| book.clone())
        .apply(change.clone(), now())
        .map_err(ChangeError::Book)?;
    let health = settings.health_signal();
    match send(Rc::clone(&http), change.clone()).await {
        Ok(applied) => {
            settings.acknowledged().update_value(|count| *count += 1);
            settings
                .document_signal()
                .update(|document| document.book_mut().follow(&applied));
            health.set(StorageHealth::Server);
            settings.refresh_soon();
            Ok(applied)
        }
        Err(RemoteError::Conflict { current }) => {
            health.set(StorageHealth::Server);
            settings.refresh_soon();
            Err(ChangeError::Conflict { current })
        }
        Err(refused @ RemoteError::Refused { .. }) => {
            // The server's book differs from this copy: with the current one, core names
            // what is wrong in the person's language.
            refresh(http, settings).await;
            let again = settings.with_book(|book| book.clone()).apply(change, now());
            Err(again
                .err()
                .map_or(ChangeError::Remote(refused), ChangeError::Book))
        }
        Err(error) => {
            note(settings, &error);
            Err(ChangeError::Remote(error))
        }
    }
}

/// Sends an import; the list shown is then the server's, whether the import was applied or the
/// book had moved on (the preview then plans against the current list).
pub async fn import(
    http: Rc<Http>,
    settings: Settings,
    request: ImportRequest,
    sequence: u64,
) -> Result<ImportSummary, ChangeError> {
    let answer = send_import(Rc::clone(&http), &request, sequence).await;
    match answer {
        Ok(summary) => {
            settings.acknowledged().update_value(|count| *count += 1);
            settings.health_signal().set(StorageHealth::Server);
            refresh(http, settings).await;
            // A refresh already on its way when the import was acknowledged is not shown.
            settings.refresh_soon();
            Ok(summary)
        }
        Err(error @ (RemoteError::Outdated | RemoteError::Refused { .. })) => {
            refresh(http, settings).await;
            Err(ChangeError::Remote(error))
        }
        Err(error) => {
            note(settings, &error);
            Err(ChangeError::Remote(error))
        }
    }
}

/// Now, as the book records it.
fn now() -> Timestamp {
    Timestamp::from_unix_ms(js_sys::Date::now() as i64)
}
