//! [`ReadModel`]: the book held in memory for reads (one entry, a lookup and the answers to
//! mail programs, the list), as current as a read of the database would be.
//!
//! Every read waits for a refresh that *began after the read arrived*: a refresh asks the
//! store what changed after the sequence the copy holds ([`Store::collection_changes`], one
//! statement, so one snapshot) and splices it in. A write acknowledged before a read began
//! (by this instance or any other sharing the database) is in the store's snapshot of such a
//! refresh, so a read never shows less than one straight from the database; but all the reads
//! that arrive while one refresh runs share the next one, so under load the store answers
//! one small question per refresh instead of one per read, and no read touches the writers'
//! path. The first refresh loads the whole book ([`Store::collection`]).
//!
//! A sequence names exactly one state of the book (every change takes a new one), so a copy
//! brought to the stored sequence is what a full read would give.
//!
//! Owns: the copy (ASCII domain → stored text and the entry core reads from it, in the book's
//! byte order) and the order of refreshes. Must not: decide which entry a lookup finds (core's
//! `lookup_domain` does), shape an entry or the list (core's `entry_from_stored` and
//! `collection_json_pieces` do), or write.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use mailsetup_core::{Domain, Entry};

use crate::store::{
    Store, StoreError, StoreFuture, StoreResult, StoredChanges, StoredCollection, entry_from_row,
};

/// What the read model reads the book from: the store's two collection reads (the tests give
/// a source whose answers they hold back).
pub trait BookSource: Send + Sync + 'static {
    fn collection(&self) -> StoreFuture<'_, StoredCollection>;
    fn collection_changes(&self, since: u64) -> StoreFuture<'_, StoredChanges>;
}

/// The store as a [`BookSource`].
struct FromStore(Arc<dyn Store>);

impl BookSource for FromStore {
    fn collection(&self) -> StoreFuture<'_, StoredCollection> {
        self.0.collection()
    }

    fn collection_changes(&self, since: u64) -> StoreFuture<'_, StoredChanges> {
        self.0.collection_changes(since)
    }
}

/// The book in memory, kept current for reads; cheap to clone (one shared copy).
#[derive(Clone)]
pub struct ReadModel(Arc<Inner>);

struct Inner {
    source: Box<dyn BookSource>,
    /// `None` until the first refresh loaded the book.
    copy: RwLock<Option<BookCopy>>,
    refreshes: Mutex<Refreshes>,
}

/// A refresh as its waiters share it: done once, answered to all.
type Refresh = Shared<BoxFuture<'static, Result<(), Arc<StoreError>>>>;

/// At most one refresh runs; at most one waits behind it, and every read that arrives while
/// one runs joins the waiting one (which begins only after the read arrived).
#[derive(Default)]
struct Refreshes {
    running: Option<Refresh>,
    queued: Option<Refresh>,
}

/// The book as of `sequence`.
struct BookCopy {
    sequence: u64,
    rows: BTreeMap<String, Row>,
}

/// One stored entry: its text as stored (the list joins these) and what core reads from it,
/// or why core cannot (a row edited by hand: reading that domain fails as a read of the
/// database would, the others still answer).
struct Row {
    text: Arc<str>,
    /// The entry, or why core cannot read the text.
    entry: Result<Entry, String>,
}

impl ReadModel {
    pub fn new(store: Arc<dyn Store>) -> ReadModel {
        ReadModel::over(Box::new(FromStore(store)))
    }

    /// A read model of another source than the store.
    pub fn over(source: Box<dyn BookSource>) -> ReadModel {
        ReadModel(Arc::new(Inner {
            source,
            copy: RwLock::new(None),
            refreshes: Mutex::new(Refreshes::default()),
        }))
    }

    /// The entries of these domains that exist (in the order asked), as of now.
    pub async fn entries(&self, domains: &[Domain]) -> StoreResult<Vec<Entry>> {
        self.read_fresh(|copy| {
            domains
                .iter()
                .filter_map(|domain| Some((domain, copy.rows.get(domain.as_ascii())?)))
                .map(|(domain, row)| {
                    row.entry.clone().map_err(|reason| StoreError::Corrupt {
                        key: domain.as_ascii().to_owned(),
                        reason,
                    })
                })
                .collect()
        })
        .await?
    }

    /// The stored entry of exactly this domain, as of now.
    pub async fn entry(&self, domain: &Domain) -> StoreResult<Option<Entry>> {
        Ok(self
            .entries(std::slice::from_ref(domain))
            .await?
            .into_iter()
            .next())
    }

    /// The entry of this domain if the copy already holds it at `revision` or later, without
    /// asking the store; else the entry as of now. For a PUT naming `revision` in `If-Match`:
    /// the entry at a revision never changes, and at a later one the write is refused as
    /// stale whatever it carries.
    pub async fn entry_at_least(
        &self,
        domain: &Domain,
        revision: u64,
    ) -> StoreResult<Option<Entry>> {
        let held = {
            let copy = self.0.copy.read().unwrap_or_else(PoisonError::into_inner);
            copy.as_ref()
                .and_then(|copy| copy.rows.get(domain.as_ascii()))
                .and_then(|row| row.entry.as_ref().ok())
                .filter(|entry| entry.revision() >= revision)
                .cloned()
        };
        match held {
            Some(entry) => Ok(Some(entry)),
            None => self.entry(domain).await,
        }
    }

    /// The book's sequence as of now, and unless `held` says the caller has that one already,
    /// every entry's stored text in the book's order: what the list sends (core joins the
    /// texts as they are).
    pub async fn collection_unless(
        &self,
        held: impl FnOnce(u64) -> bool,
    ) -> StoreResult<(u64, Option<Vec<Arc<str>>>)> {
        self.read_fresh(|copy| {
            let texts = (!held(copy.sequence)).then(|| {
                copy.rows
                    .values()
                    .map(|row| Arc::clone(&row.text))
                    .collect()
            });
            (copy.sequence, texts)
        })
        .await
    }

    /// `read` of the copy as of now (after a refresh that began after this call).
    async fn read_fresh<T>(&self, read: impl FnOnce(&BookCopy) -> T) -> StoreResult<T> {
        self.fresh().await?;
        let copy = self.0.copy.read().unwrap_or_else(PoisonError::into_inner);
        Ok(read(
            copy.as_ref().expect("a finished refresh leaves a copy"),
        ))
    }

    /// Waits for a refresh that begins after this call: joins the one queued behind the
    /// running one, or queues one.
    async fn fresh(&self) -> StoreResult<()> {
        let refresh = {
            let mut refreshes = self
                .0
                .refreshes
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match &refreshes.queued {
                Some(queued) => queued.clone(),
                None => {
                    let refresh = Inner::refresh_after(&self.0, refreshes.running.clone());
                    refreshes.queued = Some(refresh.clone());
                    refresh
                }
            }
        };
        refresh.await.map_err(StoreError::Shared)
    }
}

impl Inner {
    /// A refresh that begins once `running` (if any) has finished. It runs as a task of its
    /// own, so a reader that goes away does not stop it half-way for the others.
    fn refresh_after(inner: &Arc<Inner>, running: Option<Refresh>) -> Refresh {
        let inner = Arc::clone(inner);
        let task = tokio::spawn(async move {
            if let Some(running) = running {
                // Its outcome is its own waiters'; this refresh asks the store again anyway.
                let _ = running.await;
            }
            {
                let mut refreshes = inner
                    .refreshes
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                // From here on, a read that arrives needs a refresh after this one.
                refreshes.running = refreshes.queued.take();
            }
            let outcome = inner.bring_up_to_date().await.map_err(Arc::new);
            inner
                .refreshes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .running = None;
            outcome
        });
        async move {
            task.await.unwrap_or_else(|stopped| {
                Err(Arc::new(StoreError::Corrupt {
                    key: "read model".into(),
                    reason: format!("the refresh stopped: {stopped}"),
                }))
            })
        }
        .boxed()
        .shared()
    }

    /// Asks the store for what changed since the copy's sequence (or for the whole book, the
    /// first time) and splices it in.
    async fn bring_up_to_date(&self) -> StoreResult<()> {
        let since = self
            .copy
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|copy| copy.sequence);
        match since {
            None => {
                let loaded = BookCopy::from(self.source.collection().await?);
                *self.copy.write().unwrap_or_else(PoisonError::into_inner) = Some(loaded);
            }
            Some(since) => {
                let changes = self.source.collection_changes(since).await?;
                if let Some(copy) = self
                    .copy
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_mut()
                {
                    copy.apply(changes);
                }
            }
        }
        Ok(())
    }
}

impl Row {
    fn read(domain: &str, text: String) -> Row {
        let entry = entry_from_row(domain, &text).map_err(|error| match error {
            StoreError::Corrupt { reason, .. } => reason,
            other => other.to_string(),
        });
        Row {
            entry,
            text: text.into(),
        }
    }
}

impl From<StoredCollection> for BookCopy {
    fn from(stored: StoredCollection) -> BookCopy {
        BookCopy {
            sequence: stored.sequence,
            rows: stored
                .entries
                .into_iter()
                .map(|(domain, text)| {
                    let row = Row::read(&domain, text);
                    (domain, row)
                })
                .collect(),
        }
    }
}

impl BookCopy {
    /// Splices in what changed; a store that answers an older sequence (it cannot, but a
    /// database restored under a running server could) replaces nothing.
    fn apply(&mut self, changes: StoredChanges) {
        if changes.sequence <= self.sequence {
            return;
        }
        for (domain, text) in changes.changed {
            match text {
                Some(text) => {
                    let row = Row::read(&domain, text);
                    self.rows.insert(domain, row);
                }
                None => {
                    self.rows.remove(&domain);
                }
            }
        }
        self.sequence = changes.sequence;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::sync::Semaphore;

    use super::*;

    type Rows = BTreeMap<String, (u64, String)>;

    /// The book's sequence as a read sees it now (the list's read, without its texts).
    impl ReadModel {
        async fn sequence(&self) -> StoreResult<u64> {
            Ok(self.collection_unless(|_| true).await?.0)
        }
    }

    /// A book whose change reads take their snapshot when asked and answer only when the
    /// test lets them (one permit each).
    struct HeldBook {
        /// The sequence, and each domain's text with the revision that last wrote it.
        state: Mutex<(u64, Rows)>,
        answers: Semaphore,
        asked: AtomicUsize,
        fail_next: Mutex<bool>,
    }

    impl HeldBook {
        fn with(domain: &str) -> Arc<HeldBook> {
            let book = Arc::new(HeldBook {
                state: Mutex::new((0, BTreeMap::new())),
                answers: Semaphore::new(0),
                asked: AtomicUsize::new(0),
                fail_next: Mutex::new(false),
            });
            book.commit(domain, 993);
            book
        }

        /// A write acknowledged: the next sequence, the domain's text at that port.
        fn commit(&self, domain: &str, port: u16) -> u64 {
            let mut state = self.state.lock().unwrap();
            state.0 += 1;
            let revision = state.0;
            state.1.insert(
                domain.to_owned(),
                (revision, stored_at(domain, port, revision)),
            );
            revision
        }

        async fn until_asked(&self, times: usize) {
            while self.asked.load(Ordering::SeqCst) < times {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }

    struct Source(Arc<HeldBook>);

    impl BookSource for Source {
        fn collection(&self) -> StoreFuture<'_, StoredCollection> {
            let state = self.0.state.lock().unwrap();
            let stored = StoredCollection {
                sequence: state.0,
                entries: state
                    .1
                    .iter()
                    .map(|(domain, (_, text))| (domain.clone(), text.clone()))
                    .collect(),
            };
            Box::pin(async move { Ok(stored) })
        }

        fn collection_changes(&self, since: u64) -> StoreFuture<'_, StoredChanges> {
            let snapshot = {
                let state = self.0.state.lock().unwrap();
                StoredChanges {
                    sequence: state.0,
                    changed: state
                        .1
                        .iter()
                        .filter(|(_, (revision, _))| *revision > since)
                        .map(|(domain, (_, text))| (domain.clone(), Some(text.clone())))
                        .collect(),
                }
            };
            self.0.asked.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                self.0.answers.acquire().await.expect("open").forget();
                if std::mem::take(&mut *self.0.fail_next.lock().unwrap()) {
                    return Err(StoreError::WriterStopped);
                }
                Ok(snapshot)
            })
        }
    }

    /// A model over `book` whose copy is loaded (the first read loads it whole, unheld).
    async fn loaded(book: &Arc<HeldBook>) -> ReadModel {
        let model = ReadModel::over(Box::new(Source(Arc::clone(book))));
        assert_eq!(model.sequence().await.unwrap(), 1);
        model
    }

    fn queued(model: &ReadModel) -> bool {
        model.0.refreshes.lock().unwrap().queued.is_some()
    }

    /// Waits (5 s at most) until a refresh waits behind the running one.
    async fn until_queued(model: &ReadModel) {
        let queued = async {
            while !queued(model) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), queued)
            .await
            .expect("a read that arrives while a refresh runs queues the next one");
    }

    #[tokio::test]
    async fn a_read_that_arrives_while_a_refresh_runs_waits_for_the_next_one() {
        let book = HeldBook::with("a.example");
        let model = loaded(&book).await;
        let early = tokio::spawn({
            let model = model.clone();
            async move { model.sequence().await.unwrap() }
        });
        book.until_asked(1).await;
        // The running refresh has its snapshot; now a write is acknowledged, then a read begins.
        let acknowledged = book.commit("a.example", 143);
        let late = tokio::spawn({
            let model = model.clone();
            async move {
                model
                    .entry(&Domain::parse("a.example").unwrap())
                    .await
                    .unwrap()
            }
        });
        until_queued(&model).await;
        book.answers.add_permits(1);
        assert_eq!(
            early.await.unwrap(),
            1,
            "the early read shows what was there when it began"
        );
        book.until_asked(2).await;
        book.answers.add_permits(1);
        let entry = late.await.unwrap().expect("a.example has settings");
        assert_eq!(
            entry.revision(),
            acknowledged,
            "the late read shows the acknowledged write"
        );
    }

    #[tokio::test]
    async fn the_reads_that_arrive_during_one_refresh_share_the_next() {
        let book = HeldBook::with("a.example");
        let model = loaded(&book).await;
        let first = tokio::spawn({
            let model = model.clone();
            async move { model.sequence().await.unwrap() }
        });
        book.until_asked(1).await;
        book.commit("b.example", 993);
        let waiting: Vec<_> = (0..20)
            .map(|_| {
                let model = model.clone();
                tokio::spawn(async move { model.sequence().await.unwrap() })
            })
            .collect();
        until_queued(&model).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        book.answers.add_permits(2);
        assert_eq!(first.await.unwrap(), 1);
        for read in waiting {
            assert_eq!(read.await.unwrap(), 2);
        }
        assert_eq!(
            book.asked.load(Ordering::SeqCst),
            2,
            "twenty reads, one more question"
        );
    }

    #[tokio::test]
    async fn a_failed_refresh_fails_its_reads_and_the_next_read_asks_again() {
        let book = HeldBook::with("a.example");
        let model = loaded(&book).await;
        *book.fail_next.lock().unwrap() = true;
        book.answers.add_permits(1);
        let failed = model.sequence().await.unwrap_err();
        assert!(failed.is_unavailable(), "{failed}");
        book.commit("a.example", 143);
        book.answers.add_permits(1);
        assert_eq!(model.sequence().await.unwrap(), 2);
    }

    fn stored(domain: &str, port: u16) -> String {
        stored_at(domain, port, 1)
    }

    fn stored_at(domain: &str, port: u16, revision: u64) -> String {
        format!(
            r#"{{"certificate_trust":{{"mode":"verified"}},"domain":"{domain}","include_subdomains":false,"incoming":{{"host":"imap.example.net","port":{port},"security":"ssl_tls"}},"outgoing":{{"host":"smtp.example.net","port":465,"security":"ssl_tls"}},"revision":{revision},"type":"imap","updated_at_unix_ms":1700000000000}}"#
        )
    }

    fn copy_of(sequence: u64, entries: &[(&str, String)]) -> BookCopy {
        BookCopy::from(StoredCollection {
            sequence,
            entries: entries
                .iter()
                .map(|(domain, text)| ((*domain).to_owned(), text.clone()))
                .collect(),
        })
    }

    fn ports(copy: &BookCopy) -> Vec<(String, Option<u16>)> {
        copy.rows
            .iter()
            .map(|(domain, row)| {
                let port = row
                    .entry
                    .as_ref()
                    .ok()
                    .and_then(|entry| match entry.connection() {
                        mailsetup_core::Connection::Imap(imap) => Some(imap.incoming.port.get()),
                        mailsetup_core::Connection::Exchange(_) => None,
                    });
                (domain.clone(), port)
            })
            .collect()
    }

    #[test]
    fn changes_are_spliced_in_byte_order_and_removals_leave() {
        let mut copy = copy_of(
            3,
            &[
                ("b.example", stored("b.example", 993)),
                ("a.example", stored("a.example", 993)),
            ],
        );
        assert_eq!(
            copy.rows.keys().collect::<Vec<_>>(),
            ["a.example", "b.example"]
        );
        copy.apply(StoredChanges {
            sequence: 5,
            changed: vec![
                ("a.example".into(), None),
                ("c.example".into(), Some(stored("c.example", 143))),
                ("b.example".into(), Some(stored("b.example", 143))),
            ],
        });
        assert_eq!(copy.sequence, 5);
        assert_eq!(
            ports(&copy),
            [
                ("b.example".to_owned(), Some(143)),
                ("c.example".to_owned(), Some(143))
            ]
        );
    }

    #[test]
    fn an_older_answer_changes_nothing() {
        let mut copy = copy_of(7, &[("a.example", stored("a.example", 993))]);
        copy.apply(StoredChanges {
            sequence: 6,
            changed: vec![("a.example".into(), None)],
        });
        assert_eq!(
            (copy.sequence, ports(&copy)),
            (7, vec![("a.example".to_owned(), Some(993))])
        );
    }

    #[test]
    fn a_row_core_cannot_read_is_kept_with_its_reason_and_its_text() {
        let copy = copy_of(1, &[("a.example", "{\"domain\":".to_owned())]);
        let row = &copy.rows["a.example"];
        assert_eq!(&*row.text, "{\"domain\":");
        assert!(row.entry.is_err());
    }
}
