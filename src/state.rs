//! The live state one instance of the component shares between its views: the settings
//! document, how healthy its storage is, and the one way to change the book ([`Settings::change`]).
//!
//! Owns: loading from the store (a big stored book shows its first page first and is read
//! whole right after: [`Settings::finish_reading`]), saving every change, following changes
//! made in other tabs (browser storage) or other browsers (a server: [`Settings::refresh`]).
//! Must not: know any validation rule (core does) or render anything.

use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;
use mailsetup_core::import::ImportPlan;
use mailsetup_core::wire::{CheckReport, HistoryRecord, ImportRequest, RemovedEntry, StepReport};
use mailsetup_core::{
    Applied, BookError, Change, ChangeAction, Document, DocumentError, Domain, Entry,
    RemovedEntries, SettingsBook, Timestamp,
};

use crate::i18n::Language;
use crate::store::local::LocalStore;
use crate::store::memory::MemoryStore;
use crate::store::remote::{self, CheckNotRun, Pending, RemoteBook, RemoteError};
use crate::store::{Loaded, SettingsStore, Start, StorageKeys, StoreError, removals};
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
    /// On a server, before its first answer.
    Connecting,
    /// On a server, which answered the last request.
    Server,
    /// On a server that did not answer (offline, down, too slow): what shows may be out of
    /// date, and saving fails until it is back; open drafts stay.
    ServerUnreachable,
    /// The server no longer knows this person (the session ended): sign in again to save.
    SignedOut,
    /// The server does not let this person read the settings.
    Forbidden,
    /// The server answered outside the API's contract (named in the text): whoever runs it
    /// must look. Nothing is sent until it answers properly again.
    ServerMisconfigured(String),
    /// A published settings document, read: shown read-only.
    Published,
    /// The published settings document could not be read (why, in the text): the connect
    /// flow still lets people type their servers.
    PublishedUnavailable(String),
}

impl StorageHealth {
    /// Whether there is nothing to tell the person about the storage.
    pub fn is_fine(&self) -> bool {
        matches!(
            self,
            Self::Persistent
                | Self::MemoryByChoice
                | Self::Connecting
                | Self::Server
                | Self::Published
        )
    }

    /// Whether changes may be saved at all.
    /// (A server that is unreachable or a person signed out still allow trying: the open
    /// drafts stay, and a save says why it failed.)
    pub fn allows_changes(&self) -> bool {
        matches!(
            self,
            Self::Persistent
                | Self::MemoryOnly
                | Self::MemoryByChoice
                | Self::Server
                | Self::ServerUnreachable
                | Self::SignedOut
        )
    }

    /// Whether the book shown is known to be what is stored (a server that is down or an
    /// expired session leave the last list on screen).
    pub fn is_loading(&self) -> bool {
        matches!(self, Self::Connecting)
    }
}

/// Why a change was not made. Nothing changed, in the book or in storage.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeError {
    /// The book refused it (exclusivity, stale revision, missing domain).
    Book(BookError),
    /// The browser refused to store it.
    Store(StoreError),
    /// The stored settings cannot be changed right now (unreadable or from a newer version).
    Locked,
    /// The entry changed on the server since the person started (`current`; `None`: removed).
    /// Nothing of theirs is lost: the caller still holds the draft.
    Conflict { current: Option<Box<Entry>> },
    /// The server did not save it (unreachable, signed out, refused...).
    Remote(RemoteError),
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

/// Rows per page of the panel's table, which never holds more, however large the book; a big
/// stored book is shown with its first page before it is read whole.
pub const PAGE_SIZE: usize = 50;

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
    /// Whether the book is on a settings server, which checks connections too (a published
    /// document is read from a server that does not).
    server_checks: bool,
    /// The server's book, once its client is there (`None` on browser storage).
    remote: StoredValue<Option<Rc<dyn RemoteBook>>, LocalStorage>,
    /// Counts the changes the server acknowledged, so that a list asked for before one of
    /// them is not shown over it.
    acknowledged: StoredValue<u64>,
    /// Whether a refresh from the server is on its way.
    refreshing: StoredValue<bool>,
    saved: StoredValue<Option<SavedListener>, LocalStorage>,
    /// While only the first page of a big stored book is read: its text, read whole by
    /// [`Settings::finish_reading`], and how many entries it stores.
    unread: StoredValue<Option<(String, usize)>, LocalStorage>,
}

impl Settings {
    /// Opens the store `storage` names (memory when the browser gives no storage) and loads
    /// the document.
    pub fn open(language: Language, role: Role, storage: &Storage) -> Settings {
        let local = match storage {
            Storage::Local { prefix } => LocalStore::open(StorageKeys::new(prefix)),
            Storage::Memory | Storage::Rest(_) | Storage::Published { .. } => None,
        };
        let (store, health): (Box<dyn SettingsStore>, StorageHealth) = match (local, storage) {
            (Some(local), _) => (Box::new(local), StorageHealth::Persistent),
            (None, Storage::Memory) => {
                (Box::<MemoryStore>::default(), StorageHealth::MemoryByChoice)
            }
            (None, Storage::Local { .. }) => {
                (Box::<MemoryStore>::default(), StorageHealth::MemoryOnly)
            }
            // The book lives on the server; the memory store keeps only this visit's choices.
            (None, Storage::Rest(_) | Storage::Published { .. }) => {
                (Box::<MemoryStore>::default(), StorageHealth::Connecting)
            }
        };
        let mut settings = Settings::with_store(language, role, store, health);
        settings.server_checks = matches!(storage, Storage::Rest(_));
        match storage {
            Storage::Rest(config) => settings.connect(remote::Source::Server(config.clone())),
            Storage::Published { url } => {
                settings.connect(remote::Source::Published { url: url.clone() })
            }
            Storage::Local { .. } | Storage::Memory => {}
        }
        settings
    }

    /// Fetches the REST client (its own chunk in the release build), then the book.
    fn connect(&self, source: remote::Source) {
        let settings = *self;
        leptos::task::spawn_local(async move {
            match remote::open(source).await {
                Ok(client) => {
                    if settings.remote.try_set_value(Some(client)).is_none() {
                        settings.refresh().await;
                    }
                }
                Err(_) => {
                    web_sys::console::warn_1(
                        &"mailsetup: the REST client could not be downloaded".into(),
                    );
                    settings.health.try_set(StorageHealth::ServerUnreachable);
                }
            }
        });
    }

    /// Whether this instance keeps its book on a server.
    pub fn on_server(&self) -> bool {
        self.remote.with_value(Option::is_some)
            || self
                .health
                .with_untracked(|health| *health == StorageHealth::Connecting)
    }

    fn client(&self) -> Option<Rc<dyn RemoteBook>> {
        self.remote.try_get_value().flatten()
    }

    /// Asks the server for the book, unless the one shown is current (the REST client does,
    /// in its chunk). Does nothing on browser storage.
    pub async fn refresh(&self) {
        if let Some(client) = self.client() {
            client.refresh(*self).await;
        }
    }

    /// The document signal, for the REST client that keeps it in step with the server.
    pub(crate) fn document_signal(&self) -> RwSignal<Document> {
        self.document
    }

    /// The health signal, for the REST client.
    pub(crate) fn health_signal(&self) -> RwSignal<StorageHealth> {
        self.health
    }

    /// How many changes the server acknowledged so far (a list asked for before one of them
    /// must not be shown over it).
    pub(crate) fn acknowledged(&self) -> StoredValue<u64> {
        self.acknowledged
    }

    /// Whether a refresh from the server is on its way.
    pub(crate) fn refreshing(&self) -> StoredValue<bool> {
        self.refreshing
    }

    /// Starts a refresh without waiting for it (focus, visibility, after a write).
    pub fn refresh_soon(&self) {
        let settings = *self;
        leptos::task::spawn_local(async move { settings.refresh().await });
    }

    /// The sentence for a change the server did not save (`ChangeError::Conflict` or `Remote`),
    /// in the words of the REST client (its text travels in its chunk).
    pub fn describe_remote(&self, error: &ChangeError) -> String {
        self.client()
            .map(|client| client.describe(error, self.language))
            .unwrap_or_default()
    }

    /// Whether the settings server can check connections for this instance.
    pub fn checks_on_server(&self) -> bool {
        self.server_checks
    }

    /// Runs the settings server's connection check (see [`RemoteBook::check_connection`]).
    pub async fn check_connection(
        &self,
        body: String,
        finished: Rc<dyn Fn(StepReport)>,
    ) -> Result<CheckReport, CheckNotRun> {
        match self.client() {
            Some(client) => client.check_connection(body, finished).await,
            // Its client could not be downloaded.
            None if self.server_checks => Err(CheckNotRun::Unreachable),
            None => Err(CheckNotRun::NoServer),
        }
    }

    /// The changes made to `domain`'s entry, from the server; `None` on browser storage.
    pub fn history(
        &self,
        domain: Domain,
    ) -> Option<Pending<Result<Vec<HistoryRecord>, RemoteError>>> {
        self.client().map(|client| client.history(domain))
    }

    /// The domains deleted lately that can be restored, newest first: the server's list, or
    /// those this browser kept (see [`Settings::change`]) that hold no entry now.
    pub async fn removed_entries(&self) -> Result<Vec<RemovedEntry>, RemoteError> {
        match self.client() {
            Some(client) => client.removed().await,
            None => {
                let kept = self.kept_removals();
                Ok(self.with_book_untracked(|book| kept.still_removed(book)))
            }
        }
    }

    fn kept_removals(&self) -> RemovedEntries {
        self.store
            .with_value(|store| store.removed_text())
            .map(|text| RemovedEntries::from_json(&text))
            .unwrap_or_default()
    }

    /// Keeps what a change in this browser removed, for "Recently deleted", and forgets a
    /// removal once its domain is brought back. Failing to keep it loses only the undo.
    async fn keep_removal(&self, removed: Option<Entry>, applied: Applied) {
        let kept = self.store.with_value(|store| store.removed_text());
        // An entry added again is simply not offered (core's `still_removed`).
        let changes_list = match applied.action {
            ChangeAction::Removed => removed.is_some(),
            ChangeAction::Restored => kept.is_some(),
            _ => false,
        };
        if !changes_list {
            return;
        }
        if let Some(text) = removals::text_after(kept, removed, applied, now()).await {
            let _ = self
                .store
                .try_with_value(|store| store.set_removed_text(&text));
        }
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
            server_checks: false,
            remote: StoredValue::new_local(None),
            acknowledged: StoredValue::new(0),
            refreshing: StoredValue::new(false),
            saved: StoredValue::new_local(None),
            unread: StoredValue::new_local(None),
        };
        settings.load_start();
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

    /// Runs `read` over the current book, without tracking it.
    pub fn with_book_untracked<T>(&self, read: impl FnOnce(&SettingsBook) -> T) -> T {
        self.document
            .with_untracked(|document| read(document.book()))
    }

    pub fn health(&self) -> ReadSignal<StorageHealth> {
        self.health.read_only()
    }

    /// Whether this person may change settings now: an admin, and storage allows it (reactive).
    pub fn can_change(&self) -> bool {
        self.role.can_edit() && self.health.with(StorageHealth::allows_changes)
    }

    /// Re-reads the store, e.g. after another tab changed it (a server's book: [`Settings::refresh`]).
    pub fn reload(&self) {
        if self.on_server() {
            return self.refresh_soon();
        }
        match self.store.with_value(|store| store.load()) {
            Ok(loaded) => self.show(loaded),
            Err(_) => self.health.set(StorageHealth::MemoryOnly),
        }
    }

    /// Reads the store for the first screen: a big book's first page only, the rest of it
    /// right after that page is on screen ([`Settings::finish_reading`]).
    fn load_start(&self) {
        if self.on_server() {
            return self.reload();
        }
        match self.store.with_value(|store| store.load_start(PAGE_SIZE)) {
            Ok(Start::Whole(loaded)) => self.show(loaded),
            Ok(Start::FirstPage { first, text }) => {
                self.show(Loaded::Document(first.document));
                // After `show`, which forgets any first page still unread. Nothing is drawn
                // yet, so nothing has read the count this changes.
                self.unread.set_value(Some((text, first.stored_entries)));
            }
            Err(_) => self.health.set(StorageHealth::MemoryOnly),
        }
    }

    /// Reads whole the big stored book whose first page is shown, if one is. The root
    /// component runs it once that page is on screen, and before anything a person does; a
    /// deep link runs it before it looks an address up. Changes never start from a first page:
    /// the store reads what is stored in full for them.
    pub fn finish_reading(&self) {
        let Some((text, _)) = self.unread.try_update_value(Option::take).flatten() else {
            return;
        };
        let loaded = self.store.with_value(|store| store.finish_start(text));
        self.show(loaded);
    }

    /// Whether only the first page of a big stored book is read so far.
    pub fn reads_later(&self) -> bool {
        self.unread.with_value(Option::is_some)
    }

    /// How many entries the book holds (reactive); while only the first page of a big stored
    /// book is read, how many it stores.
    pub fn entry_count(&self) -> usize {
        // Reading the book whole changes the document, so this follows that too.
        self.with_book(|book| {
            self.unread
                .with_value(|unread| unread.as_ref().map(|(_, stored)| *stored))
                .unwrap_or_else(|| book.len())
        })
    }

    /// Shows what the store holds.
    fn show(&self, loaded: Loaded) {
        // Whatever was read now replaces a first page still waiting to be read whole.
        self.unread.set_value(None);
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
    /// fails, neither the stored document nor the one on screen changes. On a server the
    /// answer takes a while: the change counts as saved only once the server acknowledged it.
    pub async fn change(&self, change: Change) -> Result<Applied, ChangeError> {
        if !self.can_change() {
            return Err(ChangeError::Locked);
        }
        let applied = match self.client() {
            Some(client) => client.change(*self, change).await?,
            None => {
                let removed = match &change {
                    Change::Remove { domain, .. } => {
                        self.with_book_untracked(|book| book.get(domain).cloned())
                    }
                    _ => None,
                };
                let applied = self.change_in_browser(change)?;
                // Kept before the views hear of the change, so that "Recently deleted" reads
                // the list with it.
                self.keep_removal(removed, applied.clone()).await;
                self.document.notify();
                applied
            }
        };
        if let Some(listener) = self.saved.get_value() {
            listener(&applied);
        }
        Ok(applied)
    }

    /// Applies and saves `change` in the browser; the views hear of it when `change` tells them.
    fn change_in_browser(&self, change: Change) -> Result<Applied, ChangeError> {
        let Some(mut document) = self.stored_document_if_changed()? else {
            return self.change_in_place(change);
        };
        let applied = document.book_mut().apply(change, now())?;
        self.store.with_value(|store| store.save(&document))?;
        self.document.update_untracked(|shown| *shown = document);
        Ok(applied)
    }

    /// Applies `change` to this tab's copy of the document, which is what is stored (copying
    /// 10,000 entries cost more than the change) and saves it; `change` then tells the views. A change the
    /// book refuses leaves the copy as it was; a save that fails leaves the stored document as
    /// it was, and the copy is read back from it.
    fn change_in_place(&self, change: Change) -> Result<Applied, ChangeError> {
        let applied = self
            .document
            .try_update_untracked(|document| document.book_mut().apply(change, now()))
            .ok_or(ChangeError::Locked)??;
        let saved = self
            .document
            .with_untracked(|document| self.store.with_value(|store| store.save(document)));
        if let Err(error) = saved {
            self.reload();
            return Err(error.into());
        }
        Ok(applied)
    }

    /// Applies an import's plan, all of it or nothing: in the browser as one change saved
    /// once, on a server as its import request against the list the plan was made from (which
    /// the server refuses if the book moved on since). Answers how many entries changed.
    pub async fn import(
        &self,
        plan: &ImportPlan,
        remove_missing: bool,
    ) -> Result<usize, ChangeError> {
        if !self.can_change() {
            return Err(ChangeError::Locked);
        }
        let applied = match self.client() {
            Some(client) => {
                let request = ImportRequest::from_plan(plan, remove_missing);
                client.import(*self, request, plan.sequence).await?;
                self.with_book(|book| plan.applied_in(book))
            }
            None => self.import_in_browser(plan)?,
        };
        if let Some(listener) = self.saved.get_value() {
            applied.iter().for_each(|change| listener(change));
        }
        Ok(applied.len())
    }

    fn import_in_browser(&self, plan: &ImportPlan) -> Result<Vec<Applied>, ChangeError> {
        let mut document = self.stored_document()?;
        let applied = document.book_mut().apply_import(plan, now())?;
        self.store.with_value(|store| store.save(&document))?;
        self.document.set(document);
        Ok(applied)
    }

    /// The document as stored now: this tab's copy when nobody changed it since.
    fn stored_document(&self) -> Result<Document, ChangeError> {
        Ok(self
            .stored_document_if_changed()?
            .unwrap_or_else(|| self.document.get_untracked()))
    }

    /// The document as stored now, or `None` when it is this tab's copy (nobody changed it
    /// since this tab read or wrote it).
    fn stored_document_if_changed(&self) -> Result<Option<Document>, ChangeError> {
        Ok(
            match self.store.with_value(|store| store.load_if_changed())? {
                None => None,
                Some(Loaded::Nothing) => Some(Document::default()),
                Some(Loaded::Document(document)) => Some(document),
                Some(Loaded::Newer { .. } | Loaded::Unreadable { .. }) => {
                    self.reload();
                    return Err(ChangeError::Locked);
                }
            },
        )
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
