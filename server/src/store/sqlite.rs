//! [`SqliteStore`]: the book in one SQLite file, for a single server instance (the default).
//!
//! Owns: the SQLite connection settings (WAL, `busy_timeout`, foreign keys, synchronous FULL so
//! an acknowledged write survives a crash), its migrations (`migrations/sqlite/`, then the
//! stored texts' upgrade `mod.rs` describes), and every
//! write as one `BEGIN IMMEDIATE` transaction: the write lock is taken before the rows are
//! read, so a revision checked by core cannot change before the write commits. Writes go
//! through a pool of one connection: SQLite admits one writer at a time anyway, and waiting in
//! the pool's queue is fair and immediate, where writers on several connections would wait in
//! SQLite's busy handler, which sleeps and polls (that made a write's p99 under load 160 ms).
//! Reads use a pool of their own and run in parallel under WAL, never behind a waiting writer.
//! Also the snapshot a backup copies ([`SqliteStore::snapshot`], `VACUUM INTO`).
//! Must not: decide whether a change may happen (`plan_batch`, i.e. core, does) or serve
//! several instances (SQLite locks one file on one machine; use PostgreSQL for that).

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use mailsetup_core::{Change, Domain, Entry, Timestamp};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row, SqlSafeStr};

use super::group_commit::{
    BatchTransaction, BatchWriter, QueuedWrite, WriteQueue, finish_transaction, write_batch_in,
};
use super::{
    BODY_UPGRADE_BATCH, HistoryRecord, ImportOrder, ImportOutcome, NewSession, PoolUse,
    REMOVED_ENTRIES_SQL, RemovedRecord, RowWrites, Store, StoreFuture, StoreResult, StoredChanges,
    StoredCollection, StoredSession, WriteOutcome, action_from_stored, body_version,
    collection_changes_sql, entry_from_row, from_stored, pending_migrations, plan_import_writes,
    to_stored, upgraded_bodies,
};

/// How long a writer waits for another's transaction before giving up with 503.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Readers run in parallel under WAL.
const MAX_READERS: u32 = 8;

pub struct SqliteStore {
    /// Every read.
    pool: SqlitePool,
    /// Imports and sessions: one connection, so writers queue here in order.
    writer: SqlitePool,
    /// Changes, written in batches on `writer` (group commit).
    writes: WriteQueue<SqliteWriter>,
}

pub(super) fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            Cow::Borrowed("schema"),
            MigrationType::Simple,
            include_str!("../../migrations/sqlite/0001_schema.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            Cow::Borrowed("body version"),
            MigrationType::Simple,
            include_str!("../../migrations/sqlite/0002_body_version.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            Cow::Borrowed("restored from"),
            MigrationType::Simple,
            include_str!("../../migrations/sqlite/0003_restored_from.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            Cow::Borrowed("history by revision"),
            MigrationType::Simple,
            include_str!("../../migrations/sqlite/0004_history_by_revision.sql").into_sql_str(),
            false,
        ),
    ])
}

/// Rewrites the stored texts of an older format as core writes them now (see `mod.rs`), in one
/// write transaction, and records the version. Nothing to do on a database already upgraded.
async fn upgrade_bodies(writer: &SqlitePool) -> StoreResult<()> {
    let mut transaction = writer.begin_with("BEGIN IMMEDIATE").await?;
    let version: i64 = sqlx::query_scalar("SELECT body_version FROM book WHERE id = 1")
        .fetch_one(&mut *transaction)
        .await?;
    if version >= body_version() {
        transaction.rollback().await?;
        return Ok(());
    }
    let rows = sqlx::query("SELECT domain, body FROM domains")
        .fetch_all(&mut *transaction)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("domain")?, row.try_get("body")?)))
        .collect::<StoreResult<Vec<(String, String)>>>()?;
    for (domain, body) in upgraded_bodies(rows) {
        sqlx::query("UPDATE domains SET body = ? WHERE domain = ?")
            .bind(body)
            .bind(domain)
            .execute(&mut *transaction)
            .await?;
    }
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, body FROM history WHERE id > ? AND body IS NOT NULL ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(BODY_UPGRADE_BATCH)
        .fetch_all(&mut *transaction)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("body")?)))
        .collect::<StoreResult<Vec<(i64, String)>>>()?;
        let Some(&(last, _)) = rows.last() else {
            break;
        };
        after = last;
        for (id, body) in upgraded_bodies(rows) {
            sqlx::query("UPDATE history SET body = ? WHERE id = ?")
                .bind(body)
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
    }
    sqlx::query("UPDATE book SET body_version = ? WHERE id = 1")
        .bind(body_version())
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating it on first start) the database file at `path` and migrates it.
    pub async fn open(path: &Path) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool_of = |connections| {
            SqlitePoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(BUSY_TIMEOUT + Duration::from_secs(5))
        };
        // The writer first: it creates the file and migrates it before any reader opens it.
        let writer = pool_of(1).connect_with(options.clone()).await?;
        migrator().run(&writer).await?;
        upgrade_bodies(&writer).await?;
        let pool = pool_of(MAX_READERS).connect_with(options).await?;
        let writes = WriteQueue::new(SqliteWriter(writer.clone()));
        Ok(SqliteStore {
            pool,
            writer,
            writes,
        })
    }

    /// Writes a consistent snapshot of the database file at `database`, which a server may be
    /// writing to, into `target` (a new file) with `VACUUM INTO`: one read transaction, so the
    /// copy holds every write committed before it began and none after. Answers the book's
    /// sequence as the copy holds it. Creates, migrates and changes nothing at `database`;
    /// making the copy durable and putting it in place is the caller's (`backup.rs`).
    pub async fn snapshot(database: &Path, target: &Path) -> StoreResult<u64> {
        let target_text = target.to_str().ok_or_else(|| {
            sqlx::Error::Configuration(
                format!("the snapshot's path {} is not UTF-8", target.display()).into(),
            )
        })?;
        let mut source = SqliteConnectOptions::new()
            .filename(database)
            .busy_timeout(BUSY_TIMEOUT)
            .connect()
            .await?;
        let written = sqlx::query("VACUUM INTO ?")
            .bind(target_text)
            .execute(&mut source)
            .await;
        source.close().await?;
        written?;
        // Read back from the copy itself, opened as a file nobody changes (no lock, no WAL).
        let mut copy = SqliteConnectOptions::new()
            .filename(target)
            .read_only(true)
            .immutable(true)
            .connect()
            .await?;
        let sequence = sqlx::query_scalar("SELECT sequence FROM book WHERE id = 1")
            .fetch_one(&mut copy)
            .await;
        copy.close().await?;
        from_stored(sequence?, "sequence")
    }

    async fn write_import(
        &self,
        order: &ImportOrder,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<ImportOutcome> {
        let mut transaction = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let sequence: i64 = sqlx::query_scalar("SELECT sequence FROM book WHERE id = 1")
            .fetch_one(&mut *transaction)
            .await?;
        let rows = sqlx::query("SELECT domain, body FROM domains")
            .fetch_all(&mut *transaction)
            .await?
            .iter()
            .map(|row| entry_from_row(row.try_get("domain")?, row.try_get("body")?))
            .collect::<StoreResult<Vec<Entry>>>()?;
        let sequence = from_stored(sequence, "sequence")?;
        let (summary, writes) = match plan_import_writes(sequence, rows, order, actor, now)? {
            Ok(planned) => planned,
            Err(refused) => {
                transaction.rollback().await?;
                return Ok(Err(refused));
            }
        };
        let sequence = writes
            .last()
            .map_or(sequence, |planned| planned.applied.sequence);
        write_rows(&mut transaction, &RowWrites::of(writes)).await?;
        store_sequence(&mut transaction, sequence).await?;
        transaction.commit().await?;
        Ok(Ok((summary, sequence)))
    }
}

/// Stores the book's sequence, as the last change of a transaction left it.
async fn store_sequence(
    transaction: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    sequence: u64,
) -> StoreResult<()> {
    sqlx::query("UPDATE book SET sequence = ? WHERE id = 1")
        .bind(to_stored(sequence, "sequence")?)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// SQLite's side of group commit: the writer pool's one connection.
struct SqliteWriter(SqlitePool);

impl BatchWriter for SqliteWriter {
    fn write_batch<'a>(&'a self, batch: &'a [QueuedWrite]) -> StoreFuture<'a, Vec<WriteOutcome>> {
        Box::pin(write_batch(&self.0, batch))
    }
}

/// Writes `batch` in one `BEGIN IMMEDIATE` transaction: the book's sequence stored once, one
/// commit (none when core refused every change).
async fn write_batch(writer: &SqlitePool, batch: &[QueuedWrite]) -> StoreResult<Vec<WriteOutcome>> {
    let mut transaction = writer.begin_with("BEGIN IMMEDIATE").await?;
    let stored: i64 = sqlx::query_scalar("SELECT sequence FROM book WHERE id = 1")
        .fetch_one(&mut *transaction)
        .await?;
    write_batch_in(transaction, from_stored(stored, "sequence")?, batch).await
}

impl BatchTransaction for sqlx::Transaction<'static, sqlx::Sqlite> {
    fn rows_of<'a>(&'a mut self, domains: &'a [&'a Domain]) -> StoreFuture<'a, Vec<Entry>> {
        Box::pin(select_entries(&mut **self, domains))
    }

    fn write_rows<'a>(&'a mut self, rows: &'a RowWrites) -> StoreFuture<'a, ()> {
        Box::pin(write_rows(self, rows))
    }

    fn store_sequence(&mut self, sequence: u64) -> StoreFuture<'_, ()> {
        Box::pin(store_sequence(self, sequence))
    }

    fn finish(self, commit: bool) -> StoreFuture<'static, ()> {
        Box::pin(finish_transaction(self, commit))
    }
}

/// The stored entries of `domains` that exist, read by `executor` (the readers' pool, or a
/// batch's transaction).
async fn select_entries<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    domains: &[&Domain],
) -> StoreResult<Vec<Entry>> {
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT domain, body FROM domains WHERE domain IN ({})",
        placeholders(domains.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for domain in domains {
        query = query.bind(domain.as_ascii().to_owned());
    }
    query
        .fetch_all(executor)
        .await?
        .iter()
        .map(|row| entry_from_row(row.try_get("domain")?, row.try_get("body")?))
        .collect()
}

/// `?, ?, ?` for `count` values.
fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
}

/// Rows a multi-row statement writes at most: well under SQLite's limit of bound values
/// (32,766) with eight values a history row.
const ROWS_PER_STATEMENT: usize = 500;

/// Writes the rows a batch or an import left: the removed domains, the entries left, the audit
/// rows, each as few multi-row statements (the book's sequence is [`store_sequence`]'s).
async fn write_rows(
    transaction: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    rows: &RowWrites,
) -> StoreResult<()> {
    for domains in rows.deletes.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "DELETE FROM domains WHERE domain IN ({})",
            placeholders(domains.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for domain in domains {
            query = query.bind(domain);
        }
        query.execute(&mut **transaction).await?;
    }
    for upserts in rows.upserts.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO domains (domain, revision, body) VALUES {}
             ON CONFLICT (domain) DO UPDATE SET revision = excluded.revision, body = excluded.body",
            vec!["(?, ?, ?)"; upserts.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (domain, revision, body) in upserts {
            query = query.bind(domain).bind(revision).bind(body);
        }
        query.execute(&mut **transaction).await?;
    }
    for records in rows.history.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO history
                 (domain, previous_domain, action, revision, actor, at_unix_ms, body, restored_from)
                 VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; records.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for record in records {
            query = query
                .bind(&record.domain)
                .bind(&record.previous_domain)
                .bind(record.action.as_str())
                .bind(to_stored(record.revision, "revision")?)
                .bind(&record.actor)
                .bind(record.at_unix_ms)
                .bind(&record.body)
                .bind(
                    record
                        .restored_from
                        .map(|revision| to_stored(revision, "history.restored_from"))
                        .transpose()?,
                );
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.pool.close().await;
            self.writer.close().await;
            Ok(())
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        })
    }

    fn pending_migrations(&self) -> StoreFuture<'_, Vec<i64>> {
        Box::pin(async move {
            let mut connection = self.pool.acquire().await?;
            pending_migrations(&mut *connection, &migrator()).await
        })
    }

    fn pool_use(&self) -> Vec<PoolUse> {
        vec![
            PoolUse::of("read", &self.pool),
            PoolUse::of("write", &self.writer),
        ]
    }

    fn sequence(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let sequence: i64 = sqlx::query_scalar("SELECT sequence FROM book WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
            from_stored(sequence, "sequence")
        })
    }

    fn collection(&self) -> StoreFuture<'_, StoredCollection> {
        Box::pin(async move {
            // One statement, so one snapshot: the sequence and the rows agree. SQLite compares
            // text byte by byte (BINARY), the book's order.
            let rows = sqlx::query(
                "SELECT book.sequence AS sequence, domains.domain AS domain, domains.body AS body
                 FROM book LEFT JOIN domains ON 1 = 1 WHERE book.id = 1
                 ORDER BY domains.domain",
            )
            .fetch_all(&self.pool)
            .await?;
            let mut collection = StoredCollection {
                sequence: 0,
                entries: Vec::with_capacity(rows.len()),
            };
            for row in &rows {
                collection.sequence = from_stored(row.try_get("sequence")?, "sequence")?;
                if let (Some(domain), Some(body)) = (
                    row.try_get::<Option<String>, _>("domain")?,
                    row.try_get::<Option<String>, _>("body")?,
                ) {
                    collection.entries.push((domain, body));
                }
            }
            Ok(collection)
        })
    }

    fn collection_changes(&self, since: u64) -> StoreFuture<'_, StoredChanges> {
        Box::pin(async move {
            let rows = sqlx::query(AssertSqlSafe(collection_changes_sql("?1")))
                .bind(to_stored(since, "sequence")?)
                .fetch_all(&self.pool)
                .await?;
            let mut changes = StoredChanges::default();
            for row in &rows {
                changes.sequence = from_stored(row.try_get("sequence")?, "sequence")?;
                if let Some(domain) = row.try_get::<Option<String>, _>("domain")? {
                    changes.changed.push((domain, row.try_get("body")?));
                }
            }
            Ok(changes)
        })
    }

    fn entries<'a>(&'a self, domains: &'a [Domain]) -> StoreFuture<'a, Vec<Entry>> {
        Box::pin(async move {
            let domains: Vec<&Domain> = domains.iter().collect();
            select_entries(&self.pool, &domains).await
        })
    }

    fn apply<'a>(
        &'a self,
        change: Change,
        actor: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, WriteOutcome> {
        Box::pin(self.writes.write(QueuedWrite {
            change,
            actor: actor.to_owned(),
            now,
        }))
    }

    fn import<'a>(
        &'a self,
        order: &'a ImportOrder,
        actor: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, ImportOutcome> {
        Box::pin(self.write_import(order, actor, now))
    }

    fn history_rows<'a>(
        &'a self,
        domain: &'a str,
        before_revision: Option<u64>,
    ) -> StoreFuture<'a, Vec<HistoryRecord>> {
        Box::pin(async move {
            let before = match before_revision {
                Some(revision) => to_stored(revision, "history.revision")?,
                None => i64::MAX,
            };
            let rows = sqlx::query(
                "SELECT domain, previous_domain, action, revision, actor, at_unix_ms, body,
                        restored_from
                 FROM history WHERE (domain = ?1 OR previous_domain = ?1) AND revision < ?2
                 ORDER BY revision DESC",
            )
            .bind(domain)
            .bind(before)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(HistoryRecord {
                        domain: row.try_get("domain")?,
                        previous_domain: row.try_get("previous_domain")?,
                        action: action_from_stored(row.try_get("action")?)?,
                        revision: from_stored(row.try_get("revision")?, "history.revision")?,
                        actor: row.try_get("actor")?,
                        at_unix_ms: row.try_get("at_unix_ms")?,
                        body: row.try_get("body")?,
                        restored_from: row
                            .try_get::<Option<i64>, _>("restored_from")?
                            .map(|revision| from_stored(revision, "history.restored_from"))
                            .transpose()?,
                    })
                })
                .collect()
        })
    }

    fn removed_entries(&self) -> StoreFuture<'_, Vec<RemovedRecord>> {
        Box::pin(async move {
            let rows = sqlx::query(REMOVED_ENTRIES_SQL)
                .fetch_all(&self.pool)
                .await?;
            let mut removed = Vec::with_capacity(rows.len());
            for row in &rows {
                // Only a database edited by hand has a removal with no row before it.
                let Some(body) = row.try_get::<Option<String>, _>("body")? else {
                    continue;
                };
                removed.push(RemovedRecord {
                    domain: row.try_get("domain")?,
                    revision: from_stored(row.try_get("revision")?, "history.revision")?,
                    actor: row.try_get("actor")?,
                    at_unix_ms: row.try_get("at_unix_ms")?,
                    body,
                });
            }
            Ok(removed)
        })
    }

    fn create_session<'a>(
        &'a self,
        session: &'a NewSession,
        now: Timestamp,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let expires_at = session.expires_at.as_unix_ms();
            let mut transaction = self.writer.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query("DELETE FROM sessions WHERE expires_at_unix_ms <= ?")
                .bind(now.as_unix_ms())
                .execute(&mut *transaction)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (id_hash, csrf_token, token_hash, role, name, expires_at_unix_ms)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&session.id_hash)
            .bind(&session.csrf_token)
            .bind(&session.token_hash)
            .bind(session.role.as_str())
            .bind(&session.name)
            .bind(expires_at)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            Ok(())
        })
    }

    fn session<'a>(
        &'a self,
        id_hash: &'a str,
        now: Timestamp,
    ) -> StoreFuture<'a, Option<StoredSession>> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT csrf_token, token_hash FROM sessions
                 WHERE id_hash = ? AND expires_at_unix_ms > ?",
            )
            .bind(id_hash)
            .bind(now.as_unix_ms())
            .fetch_optional(&self.pool)
            .await?;
            row.map(|row| {
                Ok(StoredSession {
                    csrf_token: row.try_get("csrf_token")?,
                    token_hash: row.try_get("token_hash")?,
                })
            })
            .transpose()
        })
    }

    fn end_session<'a>(&'a self, id_hash: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
                .bind(id_hash)
                .execute(&self.writer)
                .await?;
            Ok(())
        })
    }
}
