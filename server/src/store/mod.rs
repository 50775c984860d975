//! [`Store`]: where the settings book, its audit log and the browser sessions live, behind one
//! trait with one implementation per engine (`sqlite.rs`, `postgres.rs`); the same API test
//! suite runs against both.
//!
//! Owns: the trait, the records it returns, and [`plan_change`], the engine-independent middle
//! of every write (build a book of the rows a change touches, let core apply the change, and
//! say which rows to write); and [`upgraded_bodies`], the middle of the stored texts' upgrade
//! each engine runs at start. Must not: check a rule itself (core's `SettingsBook::apply` does),
//! know about HTTP, or read the clock (callers pass `now`).
//!
//! Stored texts: `domains.body` and `history.body` hold entries exactly as core's
//! `wire::entry_to_wire` writes them, so the list can join them unread. When core writes a newer
//! format (version 3 added `certificate_trust`), every engine, once migrated, rewrites the
//! texts of an older one at start ([`BODY_UPGRADE_BATCH`] rows at a time, in one transaction
//! that locks out every writer), and records the version in `book.body_version` so that the next
//! start skips it. This is Rust, not SQL, on purpose: the text must be the very text core writes
//! (keys in order, the trust derived by core's rules from the version-2 flag), which neither
//! SQLite's `json_set` (it appends keys) nor PostgreSQL's `jsonb` (it reorders them) can write.
//! Reads never depend on it: core reads every older format, so an entry row of the old shape
//! (say, written by an instance not yet upgraded) still reads, and is answered, in the new one.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use mailsetup_core::import::{ImportRefusal, plan_import};
use mailsetup_core::{
    Applied, BookError, Change, ChangeAction, Domain, Entry, FieldProblem, SettingsBook, Timestamp,
    wire,
};

use sqlx::migrate::{Migrate, Migrator};

use crate::auth::Role;

pub mod group_commit;
use group_commit::QueuedWrite;
pub mod postgres;
pub mod probe;
pub mod sqlite;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Why the store could not answer. Refused changes are not errors (see [`WriteOutcome`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored row that core cannot read back: someone edited the database by hand.
    #[error("stored row for {key} is damaged: {reason}")]
    Corrupt { key: String, reason: String },
    /// The task writing batches stopped before it answered this change (see `group_commit`).
    #[error("the database writer stopped before it answered")]
    WriterStopped,
    /// An engine answered a batch with another number of outcomes than it had changes.
    #[error("a batch of {sent} writes was answered with {answered} outcomes")]
    BatchMismatch { sent: usize, answered: usize },
    /// One error that several readers waited on (the read model's refresh, see `read_model`).
    #[error(transparent)]
    Shared(Arc<StoreError>),
}

impl StoreError {
    /// Whether trying again later may work (pool exhausted, database gone or locked).
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(error) => match error {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(database) => {
                    // SQLite: SQLITE_BUSY (5) / SQLITE_LOCKED (6) outlasting busy_timeout;
                    // PostgreSQL: serialization failure, deadlock, admin shutdown, too many connections.
                    matches!(
                        database.code().as_deref(),
                        Some("5" | "6" | "517" | "40001" | "40P01" | "57P01" | "53300")
                    )
                }
                _ => false,
            },
            StoreError::WriterStopped => true,
            StoreError::Shared(error) => error.is_unavailable(),
            StoreError::Migration(_)
            | StoreError::Corrupt { .. }
            | StoreError::BatchMismatch { .. } => false,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A boxed future, so that `Store` can live behind `Arc<dyn Store>`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

/// What a write did: applied, or refused by core with the state it was refused against.
pub type WriteOutcome = Result<Applied, RefusedChange>;

/// A change core refused, with the entry the refusal names as the store held it.
#[derive(Debug, Clone)]
pub struct RefusedChange {
    pub error: BookError,
    pub current: Option<Entry>,
}

/// One row of an entry's audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub domain: String,
    pub previous_domain: Option<String>,
    pub action: ChangeAction,
    pub revision: u64,
    /// The name of the token that made the change.
    pub actor: String,
    pub at_unix_ms: i64,
    /// The entry after the change, as stored (core's wire form); `None` for a removal.
    pub body: Option<String>,
    /// The revision a restore wrote back; `None` for every other change.
    pub restored_from: Option<u64>,
}

/// A domain whose last change removed its settings (and which holds none now), as
/// [`Store::removed_entries`] finds them.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedRecord {
    /// The ASCII form of the name.
    pub domain: String,
    /// The removal's revision (the sequence it took).
    pub revision: u64,
    pub actor: String,
    pub at_unix_ms: i64,
    /// The entry as it was before the removal, as stored (core's wire form).
    pub body: String,
}

/// The whole book as stored: its sequence and every entry as (ASCII domain, text in core's
/// wire form).
#[derive(Debug, Clone, Default)]
pub struct StoredCollection {
    pub sequence: u64,
    pub entries: Vec<(String, String)>,
}

/// What changed in the book after a sequence, read in one snapshot: the sequence now, and each
/// domain whose row was written or deleted since with its text now (`None`: it holds no entry).
#[derive(Debug, Clone, Default)]
pub struct StoredChanges {
    pub sequence: u64,
    pub changed: Vec<(String, Option<String>)>,
}

/// [`Store::collection_changes`] in one statement, so one snapshot: every name a change after
/// the sequence `{since}` (a placeholder, bound once per use) was about, the one it was
/// written under and the one it moved from, joined with the row each name holds now. Every
/// change has a history row with its revision, and revisions commit in order (one writer
/// holds the book at a time), so these are all the rows that differ from that sequence's.
///
/// The recent history rows are found first, by revision (`MATERIALIZED`): without it SQLite
/// 3.54 merges the two halves of the union by walking both domain indexes of the whole
/// history, 2.5 ms on the bench's book instead of microseconds.
pub fn collection_changes_sql(since: &str) -> String {
    format!(
        "WITH recent AS MATERIALIZED (
             SELECT domain, previous_domain FROM history WHERE revision > {since})
         SELECT book.sequence AS sequence, changed.domain AS domain, domains.body AS body
         FROM book
         LEFT JOIN (SELECT domain FROM recent
                    UNION
                    SELECT previous_domain FROM recent WHERE previous_domain IS NOT NULL) AS changed
           ON 1 = 1
         LEFT JOIN domains ON domains.domain = changed.domain
         WHERE book.id = 1"
    )
}

/// A browser session to store: only hashes of its secrets' carriers.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 (hex) of the cookie value.
    pub id_hash: String,
    pub csrf_token: String,
    /// SHA-256 (hex) of the access token it was opened with.
    pub token_hash: String,
    pub role: Role,
    pub name: String,
    pub expires_at: Timestamp,
}

/// A stored, unexpired session.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub csrf_token: String,
    pub token_hash: String,
}

/// Everything the server keeps. Writes are one transaction each; reads are consistent.
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres", for logs.
    fn engine(&self) -> &'static str;

    /// Closes the connections (at shutdown; SQLite checkpoints its WAL).
    fn close(&self) -> StoreFuture<'_, ()>;

    /// Whether the database answers (for `/readyz`).
    fn ping(&self) -> StoreFuture<'_, ()>;

    /// The versions of this build's migrations that the database has not applied (or applied
    /// only in part), for `/readyz`: empty when the schema is the one this build expects.
    fn pending_migrations(&self) -> StoreFuture<'_, Vec<i64>>;

    /// How many connections each pool holds, in use and idle, now (for `/metrics`).
    fn pool_use(&self) -> Vec<PoolUse>;

    /// The book's sequence alone (the collection's version), for cheap conditional reads.
    fn sequence(&self) -> StoreFuture<'_, u64>;

    /// Every entry's stored text in domain order (byte order of the ASCII name, the book's
    /// order) with the book's sequence, read in one snapshot: what the list sends, joined by
    /// core without reading each entry again.
    fn collection(&self) -> StoreFuture<'_, StoredCollection>;

    /// What changed after the book's sequence `since` (see [`StoredChanges`]), for keeping a
    /// copy of the collection current without reading it whole.
    fn collection_changes(&self, since: u64) -> StoreFuture<'_, StoredChanges>;

    /// The entries of these domains that exist (any order).
    fn entries<'a>(&'a self, domains: &'a [Domain]) -> StoreFuture<'a, Vec<Entry>>;

    /// Applies one change in one transaction that serialises with every other writer (of
    /// every instance sharing the database): reads the rows of `change.domains()`, lets core
    /// apply the change, writes the result, the sequence and the audit row.
    fn apply<'a>(
        &'a self,
        change: Change,
        actor: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, WriteOutcome>;

    /// Imports in one transaction that serialises with every other writer: reads the whole
    /// book, refuses if its sequence is not the one the import was previewed against or if a
    /// line cannot be imported, and otherwise writes every change with its audit row.
    fn import<'a>(
        &'a self,
        order: &'a ImportOrder,
        actor: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, ImportOutcome>;

    /// The audit rows about the name `domain` (ASCII form), newest first: the changes made
    /// under that name and renames away from it, only those older than `before_revision` when
    /// given. [`entry_history`] follows renames with it.
    fn history_rows<'a>(
        &'a self,
        domain: &'a str,
        before_revision: Option<u64>,
    ) -> StoreFuture<'a, Vec<HistoryRecord>>;

    /// The names whose newest audit row (a change under the name, or a rename away from it) is
    /// their removal, newest removal first, each with the entry as the newest row under that
    /// name before the removal left it. A name that holds an entry is never among them.
    fn removed_entries(&self) -> StoreFuture<'_, Vec<RemovedRecord>>;

    /// Stores a new session and forgets those expired at `now`.
    fn create_session<'a>(&'a self, session: &'a NewSession, now: Timestamp)
    -> StoreFuture<'a, ()>;

    /// The session with this id hash, if it exists and has not expired at `now`.
    fn session<'a>(
        &'a self,
        id_hash: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, Option<StoredSession>>;

    /// Ends a session (nothing happens if it does not exist).
    fn end_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, ()>;
}

/// One connection pool's use at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// `read` or `write`.
    pub name: &'static str,
    /// Connections lent out.
    pub used: u32,
    /// Connections open and waiting.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl PoolUse {
    /// The use of `pool`, named `name`.
    pub fn of<DB: sqlx::Database>(name: &'static str, pool: &sqlx::Pool<DB>) -> PoolUse {
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
        PoolUse {
            name,
            // The pool counts idle connections apart from its size: read one after the
            // other, they may disagree for a moment.
            used: pool.size().saturating_sub(idle),
            idle,
            max: pool.options().get_max_connections(),
        }
    }
}

/// The versions of `migrator`'s migrations that the database behind `connection` has not
/// applied: a migration that failed half-way (sqlx's "dirty" version) and every one not
/// recorded as applied. Reads sqlx's own migrations table, as `Migrator::run` does.
pub async fn pending_migrations<C>(connection: &mut C, migrator: &Migrator) -> StoreResult<Vec<i64>>
where
    C: Migrate + Send + ?Sized,
{
    let table = &migrator.table_name;
    if let Some(dirty) = connection.dirty_version(table).await? {
        return Ok(vec![dirty]);
    }
    let applied: std::collections::HashSet<i64> = connection
        .list_applied_migrations(table)
        .await?
        .into_iter()
        .map(|migration| migration.version)
        .collect();
    Ok(migrator
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .map(|migration| migration.version)
        .filter(|version| !applied.contains(version))
        .collect())
}

/// What [`Store::removed_entries`] reads, the same text for both engines: every removal after
/// which nothing happened under its name (no change there, no rename away from it) and whose
/// name holds no entry, with the body of the newest row under the name before it (the entry it
/// removed), newest removal first.
pub const REMOVED_ENTRIES_SQL: &str = "
    SELECT removal.domain AS domain, removal.revision AS revision, removal.actor AS actor,
           removal.at_unix_ms AS at_unix_ms,
           (SELECT earlier.body FROM history AS earlier
             WHERE earlier.domain = removal.domain AND earlier.revision < removal.revision
               AND earlier.body IS NOT NULL
             ORDER BY earlier.revision DESC LIMIT 1) AS body
    FROM history AS removal
    WHERE removal.action = 'removed'
      AND NOT EXISTS (SELECT 1 FROM history AS later
                       WHERE (later.domain = removal.domain OR later.previous_domain = removal.domain)
                         AND later.revision > removal.revision)
      AND NOT EXISTS (SELECT 1 FROM domains WHERE domains.domain = removal.domain)
    ORDER BY removal.revision DESC";

/// How many renames [`entry_history`] follows back at most.
const MAX_RENAMES_FOLLOWED: usize = 64;

/// The audit log of a domain, newest first: what happened under its name (renames away from
/// it included), and for an entry that came to this name by a rename, what happened to it
/// under its earlier name from its start there (an `added`, or a rename into that name, which
/// is followed the same way), and so on back. Every change has its own revision (one sequence
/// over the book), so the rows are ordered and told apart by it.
pub async fn entry_history(store: &dyn Store, domain: &Domain) -> StoreResult<Vec<HistoryRecord>> {
    let mut found: std::collections::BTreeMap<u64, HistoryRecord> = Default::default();
    // (name, older than this revision): the asked name whole, earlier names of one entry.
    let mut names: Vec<(String, Option<u64>)> = vec![(domain.as_ascii().to_owned(), None)];
    let mut followed = 0;
    while let Some((name, before_revision)) = names.pop() {
        let whole_name = before_revision.is_none();
        for record in store.history_rows(&name, before_revision).await? {
            // Where an entry started under this name: added here, or renamed (or restored back
            // under its earlier name) into it. A restore in place continues the entry's life,
            // a revival too: what it revives is the entry whose rows come before.
            let moved_in = record
                .previous_domain
                .as_deref()
                .is_some_and(|previous| previous != name);
            let arrived = record.domain == name
                && match record.action {
                    ChangeAction::Added => true,
                    ChangeAction::Renamed | ChangeAction::Restored => moved_in,
                    ChangeAction::Updated | ChangeAction::Removed => false,
                };
            if arrived
                && record.action != ChangeAction::Added
                && followed < MAX_RENAMES_FOLLOWED
                && let Some(earlier) = record.previous_domain.clone()
            {
                followed += 1;
                names.push((earlier, Some(record.revision)));
            }
            found.insert(record.revision, record);
            // An earlier name's rows before the entry arrived there are another entry's.
            if arrived && !whole_name {
                break;
            }
        }
    }
    Ok(found.into_values().rev().collect())
}

/// The rows one applied change writes, worked out by [`planned_write`].
#[derive(Debug)]
pub struct PlannedWrite {
    pub applied: Applied,
    /// The row to delete: a renamed entry's old name, a removed entry.
    pub delete: Option<String>,
    /// The row to insert or replace: (domain, revision, body).
    pub upsert: Option<(String, i64, String)>,
    pub history: HistoryRecord,
}

/// What a batch of changes does, worked out by [`plan_batch`]: one outcome per change, in
/// order, the rows to write, and the book's sequence after the last applied change.
#[derive(Debug)]
pub struct PlannedBatch {
    pub outcomes: Vec<WriteOutcome>,
    pub rows: RowWrites,
    pub sequence: u64,
}

/// Applies the changes of a batch one after the other to a book holding only `rows` (the
/// stored entries of every domain the batch names) at the stored `sequence`: each change sees
/// what the ones before it did, exactly as if it were applied alone to the whole book after
/// them (core holds that a book of the rows a change names answers it as the whole book
/// would). A refused change changes nothing and carries the entry it was refused against.
pub fn plan_batch(
    sequence: u64,
    rows: Vec<Entry>,
    batch: &[QueuedWrite],
) -> StoreResult<PlannedBatch> {
    let mut book = SettingsBook::from_entries(sequence, rows);
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut planned = Vec::with_capacity(batch.len());
    for write in batch {
        match book.apply(write.change.clone(), write.now) {
            Ok(applied) => {
                let rows = planned_write(applied, &write.actor, write.now)?;
                outcomes.push(Ok(rows.applied.clone()));
                planned.push(rows);
            }
            Err(error) => {
                let current = book.get(error.domain()).cloned();
                outcomes.push(Err(RefusedChange { error, current }));
            }
        }
    }
    Ok(PlannedBatch {
        outcomes,
        rows: RowWrites::of(planned),
        sequence: book.sequence(),
    })
}

/// The rows a series of applied changes leaves: each domain's last row (or that it has none),
/// and every change's audit row in order. A domain changed twice in one transaction is
/// written once, as the second change left it; its audit rows keep both.
#[derive(Debug, Default)]
pub struct RowWrites {
    /// Domains that hold no entry after the changes.
    pub deletes: Vec<String>,
    /// (domain, revision, body) of the entries the changes left.
    pub upserts: Vec<(String, i64, String)>,
    pub history: Vec<HistoryRecord>,
}

impl RowWrites {
    pub fn of(planned: impl IntoIterator<Item = PlannedWrite>) -> RowWrites {
        let mut last: std::collections::BTreeMap<String, Option<(i64, String)>> =
            Default::default();
        let mut history = Vec::new();
        for write in planned {
            if let Some(domain) = write.delete {
                last.insert(domain, None);
            }
            if let Some((domain, revision, body)) = write.upsert {
                last.insert(domain, Some((revision, body)));
            }
            history.push(write.history);
        }
        let mut rows = RowWrites {
            history,
            ..RowWrites::default()
        };
        for (domain, row) in last {
            match row {
                Some((revision, body)) => rows.upserts.push((domain, revision, body)),
                None => rows.deletes.push(domain),
            }
        }
        rows
    }

    pub fn is_empty(&self) -> bool {
        self.history.is_empty()
    }
}

/// The rows `applied` writes.
fn planned_write(applied: Applied, actor: &str, now: Timestamp) -> StoreResult<PlannedWrite> {
    let delete = match applied.action {
        ChangeAction::Renamed => applied
            .previous_domain
            .as_ref()
            .map(|domain| domain.as_ascii().to_owned()),
        ChangeAction::Removed => Some(applied.domain.as_ascii().to_owned()),
        // A restore replaces the entry at its `at`: under another name, that row goes.
        ChangeAction::Restored => applied
            .previous_domain
            .as_ref()
            .map(|domain| domain.as_ascii().to_owned()),
        ChangeAction::Added | ChangeAction::Updated => None,
    };
    let body = applied.entry.as_ref().map(wire::entry_to_wire);
    let upsert = match (&applied.entry, &body) {
        (Some(entry), Some(body)) => Some((
            entry.domain().as_ascii().to_owned(),
            to_stored(entry.revision(), "revision")?,
            body.clone(),
        )),
        _ => None,
    };
    let revision = applied
        .entry
        .as_ref()
        .map_or(applied.sequence, Entry::revision);
    let history = HistoryRecord {
        domain: applied.domain.as_ascii().to_owned(),
        previous_domain: applied
            .previous_domain
            .as_ref()
            .map(|domain| domain.as_ascii().to_owned()),
        action: applied.action,
        revision,
        actor: actor.to_owned(),
        at_unix_ms: now.as_unix_ms(),
        body,
        restored_from: applied.restored_from,
    };
    Ok(PlannedWrite {
        applied,
        delete,
        upsert,
        history,
    })
}

/// What an import asks of the store: the request, and the collection's sequence the person's
/// preview was made against (`If-Match`).
#[derive(Debug, Clone)]
pub struct ImportOrder {
    pub request: wire::ImportRequest,
    pub expected_sequence: u64,
}

/// Why an import changed nothing.
#[derive(Debug, Clone)]
pub enum RefusedImport {
    /// The book is no longer the one the preview was made against.
    Outdated { sequence: u64 },
    /// Lines the book's rules refuse, each with the index of its line in the request.
    Lines(Vec<(usize, ImportRefusal)>),
}

/// What an import did: how many entries it added, changed, found so and removed, and the
/// book's sequence after it.
pub type ImportOutcome = Result<(wire::ImportSummary, u64), RefusedImport>;

/// Plans an import against the whole stored book (`rows` at `sequence`), as core plans it in
/// the browser: every line it keeps applied in one go, or none of them.
pub fn plan_import_writes(
    sequence: u64,
    rows: Vec<Entry>,
    order: &ImportOrder,
    actor: &str,
    now: Timestamp,
) -> StoreResult<Result<(wire::ImportSummary, Vec<PlannedWrite>), RefusedImport>> {
    if sequence != order.expected_sequence {
        return Ok(Err(RefusedImport::Outdated { sequence }));
    }
    let mut book = SettingsBook::from_entries(sequence, rows);
    let lines = &order.request.domains;
    let plan = plan_import(&book, lines, order.request.remove_missing);
    if !plan.refused.is_empty() {
        let mut taken = vec![false; lines.len()];
        let refused = plan
            .refused
            .into_iter()
            .map(|(draft, refusal)| {
                let index = (0..lines.len())
                    .find(|&index| !taken[index] && lines[index] == draft)
                    .unwrap_or_default();
                if let Some(taken) = taken.get_mut(index) {
                    *taken = true;
                }
                (index, refusal)
            })
            .collect();
        return Ok(Err(RefusedImport::Lines(refused)));
    }
    let summary = wire::ImportSummary::of_plan(&plan);
    let applied = match book.apply_import(&plan, now) {
        Ok(applied) => applied,
        // Planned against this very book: core holds that its own plan applies.
        Err(error) => {
            return Err(StoreError::Corrupt {
                key: "import".into(),
                reason: error.to_string(),
            });
        }
    };
    let writes = applied
        .into_iter()
        .map(|applied| planned_write(applied, actor, now))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Ok((summary, writes)))
}

/// How many stored texts the upgrade reads at a time.
pub const BODY_UPGRADE_BATCH: i64 = 500;

/// The version of the stored texts core writes now.
pub fn body_version() -> i64 {
    i64::try_from(mailsetup_core::DOCUMENT_VERSION).unwrap_or(i64::MAX)
}

/// The stored texts among `rows` (a key, the text) that core writes differently now, each with
/// its new text. A text core cannot read at all is left as it is: the read that meets it
/// reports it, as it would have before.
pub fn upgraded_bodies<K>(rows: Vec<(K, String)>) -> Vec<(K, String)> {
    rows.into_iter()
        .filter_map(|(key, body)| {
            let entry = wire::entry_from_stored(&body).ok()?;
            let text = wire::entry_to_wire(&entry);
            (text != body).then_some((key, text))
        })
        .collect()
}

/// A revision or sequence as the database's signed 64-bit integer.
pub fn to_stored(value: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(value).map_err(|_| StoreError::Corrupt {
        key: what.to_owned(),
        reason: format!("{value} does not fit a 64-bit database integer"),
    })
}

/// A stored revision or sequence back as core's unsigned number.
pub fn from_stored(value: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        key: what.to_owned(),
        reason: format!("{value} is negative"),
    })
}

/// An entry row's body read back through core.
pub fn entry_from_row(domain: &str, body: &str) -> StoreResult<Entry> {
    wire::entry_from_stored(body).map_err(|problems| StoreError::Corrupt {
        key: domain.to_owned(),
        reason: describe(&problems),
    })
}

fn describe(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|problem| format!("{} ({}): {}", problem.field, problem.code, problem.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A history row's action text back as core's action.
pub fn action_from_stored(text: &str) -> StoreResult<ChangeAction> {
    ChangeAction::from_name(text).ok_or_else(|| StoreError::Corrupt {
        key: "history.action".into(),
        reason: format!("unknown action {text:?}"),
    })
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    fn draft(domain: &str, port: u16) -> mailsetup_core::EntryDraft {
        let body = format!(
            r#"{{"domain":"{domain}","type":"imap",
                "incoming":{{"host":"imap.example.net","port":{port},"security":"ssl_tls"}},
                "outgoing":{{"host":"smtp.example.net","port":465,"security":"ssl_tls"}}}}"#
        );
        wire::sent_entry_from_wire(&body)
            .expect("a valid entry")
            .draft()
            .clone()
    }

    fn queued(change: Change) -> QueuedWrite {
        QueuedWrite {
            change,
            actor: "alice".into(),
            now: Timestamp::from_unix_ms(1_000),
        }
    }

    fn domain(name: &str) -> Domain {
        Domain::parse(name).expect("a domain")
    }

    #[test]
    fn each_change_of_a_batch_sees_the_ones_before_it() {
        let batch = [
            queued(Change::Add {
                draft: draft("a.example", 993),
            }),
            // Based on the addition's revision, made in the same batch.
            queued(Change::Update {
                expected_revision: 1,
                draft: draft("a.example", 143),
            }),
            // Stale: the update above took revision 2.
            queued(Change::Update {
                expected_revision: 1,
                draft: draft("a.example", 110),
            }),
            queued(Change::Rename {
                from: domain("a.example"),
                expected_revision: 2,
                draft: draft("b.example", 143),
            }),
        ];
        let planned = plan_batch(0, Vec::new(), &batch).expect("planned");
        let revisions: Vec<Option<u64>> = planned
            .outcomes
            .iter()
            .map(|outcome| outcome.as_ref().ok().map(|applied| applied.sequence))
            .collect();
        assert_eq!(revisions, [Some(1), Some(2), None, Some(3)]);
        let Err(refused) = &planned.outcomes[2] else {
            panic!("the stale update is refused");
        };
        assert_eq!(refused.current.as_ref().map(Entry::revision), Some(2));
        assert_eq!(planned.sequence, 3);
        // a.example is written once (gone), b.example once; three audit rows in order.
        assert_eq!(planned.rows.deletes, ["a.example"]);
        assert_eq!(
            planned
                .rows
                .upserts
                .iter()
                .map(|(domain, revision, _)| (domain.as_str(), *revision))
                .collect::<Vec<_>>(),
            [("b.example", 3)]
        );
        assert_eq!(
            planned
                .rows
                .history
                .iter()
                .map(|record| (record.action, record.revision))
                .collect::<Vec<_>>(),
            [
                (ChangeAction::Added, 1),
                (ChangeAction::Updated, 2),
                (ChangeAction::Renamed, 3)
            ]
        );
    }

    #[test]
    fn a_batch_core_refuses_whole_writes_nothing() {
        let batch = [queued(Change::Remove {
            domain: domain("missing.example"),
            expected_revision: 4,
        })];
        let planned = plan_batch(7, Vec::new(), &batch).expect("planned");
        assert!(planned.outcomes[0].is_err());
        assert!(planned.rows.is_empty());
        assert_eq!(planned.sequence, 7);
    }
}
