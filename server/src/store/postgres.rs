//! [`PostgresStore`]: the book in a PostgreSQL database that several server instances share.
//!
//! Owns: the connection pool, its migrations (`migrations/postgres/`, applied under sqlx's
//! advisory lock so instances starting together do not race; then the stored texts' upgrade
//! `mod.rs` describes, under the book row's lock), and every write as one
//! transaction that first locks the single `book` row (`SELECT ... FOR UPDATE`): writers of
//! every instance queue there, so the rows read afterwards are current and core's revision
//! check cannot be overtaken before the commit. Writes use a small pool of their own, so
//! writers waiting for that lock never hold the connections reads need.
//! Must not: decide whether a change may happen (`plan_batch`, i.e. core, does) or log the
//! connection URL (it may hold a password).

use std::borrow::Cow;
use std::time::Duration;

use mailsetup_core::{Change, Domain, Entry, Timestamp};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Row, SqlSafeStr};

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

/// Connections for reads, which run in parallel.
const MAX_READERS: u32 = 10;
/// Connections for writes: they queue on the book row anyway; two let the next writer wait
/// for the lock while one commits.
const MAX_WRITERS: u32 = 2;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct PostgresStore {
    /// Every read.
    pool: PgPool,
    /// Imports and sessions.
    writer: PgPool,
    /// Changes, written in batches on `writer` (group commit).
    writes: WriteQueue<PostgresWriter>,
}

pub(super) fn migrator() -> Migrator {
    Migrator::with_migrations(vec![
        Migration::new(
            1,
            Cow::Borrowed("schema"),
            MigrationType::Simple,
            include_str!("../../migrations/postgres/0001_schema.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            2,
            Cow::Borrowed("body version"),
            MigrationType::Simple,
            include_str!("../../migrations/postgres/0002_body_version.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            3,
            Cow::Borrowed("restored from"),
            MigrationType::Simple,
            include_str!("../../migrations/postgres/0003_restored_from.sql").into_sql_str(),
            false,
        ),
        Migration::new(
            4,
            Cow::Borrowed("history by revision"),
            MigrationType::Simple,
            include_str!("../../migrations/postgres/0004_history_by_revision.sql").into_sql_str(),
            false,
        ),
    ])
}

/// Rewrites the stored texts of an older format as core writes them now (see `mod.rs`), in one
/// transaction holding the book row's lock (so every writer of every instance waits, and a
/// second instance starting meanwhile finds the work done), and records the version.
async fn upgrade_bodies(writer: &PgPool) -> StoreResult<()> {
    let mut transaction = writer.begin().await?;
    let version: i64 = sqlx::query_scalar("SELECT body_version FROM book WHERE id = 1 FOR UPDATE")
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
        sqlx::query("UPDATE domains SET body = $1 WHERE domain = $2")
            .bind(body)
            .bind(domain)
            .execute(&mut *transaction)
            .await?;
    }
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, body FROM history WHERE id > $1 AND body IS NOT NULL ORDER BY id LIMIT $2",
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
            sqlx::query("UPDATE history SET body = $1 WHERE id = $2")
                .bind(body)
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
    }
    sqlx::query("UPDATE book SET body_version = $1 WHERE id = 1")
        .bind(body_version())
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

impl PostgresStore {
    /// Connects to the database at `url` (postgres://...) and migrates it.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let options: PgConnectOptions = url.parse()?;
        let pool_of = |connections| {
            PgPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(ACQUIRE_TIMEOUT)
        };
        let writer = pool_of(MAX_WRITERS).connect_with(options.clone()).await?;
        migrator().run(&writer).await?;
        upgrade_bodies(&writer).await?;
        let pool = pool_of(MAX_READERS).connect_with(options).await?;
        let writes = WriteQueue::new(PostgresWriter(writer.clone()));
        Ok(PostgresStore {
            pool,
            writer,
            writes,
        })
    }

    async fn write_import(
        &self,
        order: &ImportOrder,
        actor: &str,
        now: Timestamp,
    ) -> StoreResult<ImportOutcome> {
        let mut transaction = self.writer.begin().await?;
        let sequence: i64 = sqlx::query_scalar("SELECT sequence FROM book WHERE id = 1 FOR UPDATE")
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

/// PostgreSQL's side of group commit: the writer pool.
struct PostgresWriter(PgPool);

impl BatchWriter for PostgresWriter {
    fn write_batch<'a>(&'a self, batch: &'a [QueuedWrite]) -> StoreFuture<'a, Vec<WriteOutcome>> {
        Box::pin(write_batch(&self.0, batch))
    }
}

/// Writes `batch` in one transaction that first locks the book row (writers of every instance
/// wait there for the one before to commit): the sequence stored once, one commit (none when
/// core refused every change).
async fn write_batch(writer: &PgPool, batch: &[QueuedWrite]) -> StoreResult<Vec<WriteOutcome>> {
    let mut transaction = writer.begin().await?;
    let stored: i64 = sqlx::query_scalar("SELECT sequence FROM book WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut *transaction)
        .await?;
    write_batch_in(transaction, from_stored(stored, "sequence")?, batch).await
}

impl BatchTransaction for sqlx::Transaction<'static, sqlx::Postgres> {
    fn rows_of<'a>(&'a mut self, domains: &'a [&'a Domain]) -> StoreFuture<'a, Vec<Entry>> {
        Box::pin(async move {
            let keys: Vec<String> = domains
                .iter()
                .map(|domain| domain.as_ascii().to_owned())
                .collect();
            sqlx::query("SELECT domain, body FROM domains WHERE domain = ANY($1)")
                .bind(&keys)
                .fetch_all(&mut **self)
                .await?
                .iter()
                .map(|row| entry_from_row(row.try_get("domain")?, row.try_get("body")?))
                .collect()
        })
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

/// Stores the book's sequence, as the last change of a transaction left it.
async fn store_sequence(
    transaction: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    sequence: u64,
) -> StoreResult<()> {
    sqlx::query("UPDATE book SET sequence = $1 WHERE id = 1")
        .bind(to_stored(sequence, "sequence")?)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Writes the rows a batch or an import left: the removed domains, the entries left, the audit
/// rows, one statement each whatever their number (arrays unnested), the book's sequence
/// being [`store_sequence`]'s.
async fn write_rows(
    transaction: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    rows: &RowWrites,
) -> StoreResult<()> {
    if !rows.deletes.is_empty() {
        sqlx::query("DELETE FROM domains WHERE domain = ANY($1)")
            .bind(&rows.deletes)
            .execute(&mut **transaction)
            .await?;
    }
    if !rows.upserts.is_empty() {
        let (domains, revisions, bodies) = rows.upserts.iter().cloned().fold(
            (Vec::new(), Vec::new(), Vec::new()),
            |(mut domains, mut revisions, mut bodies), (domain, revision, body)| {
                domains.push(domain);
                revisions.push(revision);
                bodies.push(body);
                (domains, revisions, bodies)
            },
        );
        sqlx::query(
            "INSERT INTO domains (domain, revision, body)
             SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])
             ON CONFLICT (domain) DO UPDATE SET revision = EXCLUDED.revision, body = EXCLUDED.body",
        )
        .bind(domains)
        .bind(revisions)
        .bind(bodies)
        .execute(&mut **transaction)
        .await?;
    }
    if !rows.history.is_empty() {
        let history = &rows.history;
        let revisions = history
            .iter()
            .map(|record| to_stored(record.revision, "revision"))
            .collect::<StoreResult<Vec<i64>>>()?;
        let restored_from = history
            .iter()
            .map(|record| {
                record
                    .restored_from
                    .map(|revision| to_stored(revision, "history.restored_from"))
                    .transpose()
            })
            .collect::<StoreResult<Vec<Option<i64>>>>()?;
        sqlx::query(
            "INSERT INTO history
                 (domain, previous_domain, action, revision, actor, at_unix_ms, body, restored_from)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                                  $6::bigint[], $7::text[], $8::bigint[])",
        )
        .bind(history.iter().map(|r| r.domain.clone()).collect::<Vec<_>>())
        .bind(
            history
                .iter()
                .map(|r| r.previous_domain.clone())
                .collect::<Vec<_>>(),
        )
        .bind(
            history
                .iter()
                .map(|r| r.action.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(revisions)
        .bind(history.iter().map(|r| r.actor.clone()).collect::<Vec<_>>())
        .bind(history.iter().map(|r| r.at_unix_ms).collect::<Vec<_>>())
        .bind(history.iter().map(|r| r.body.clone()).collect::<Vec<_>>())
        .bind(restored_from)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

impl Store for PostgresStore {
    fn engine(&self) -> &'static str {
        "postgres"
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
            // One statement, so one snapshot: the sequence and the rows agree. Byte order
            // (COLLATE "C"), the book's order, whatever the database's collation.
            let rows = sqlx::query(
                "SELECT book.sequence AS sequence, domains.domain AS domain, domains.body AS body
                 FROM book LEFT JOIN domains ON TRUE WHERE book.id = 1
                 ORDER BY domains.domain COLLATE \"C\"",
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
            let rows = sqlx::query(AssertSqlSafe(collection_changes_sql("$1")))
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
            let keys: Vec<String> = domains
                .iter()
                .map(|domain| domain.as_ascii().to_owned())
                .collect();
            let rows = sqlx::query("SELECT domain, body FROM domains WHERE domain = ANY($1)")
                .bind(&keys)
                .fetch_all(&self.pool)
                .await?;
            rows.iter()
                .map(|row| entry_from_row(row.try_get("domain")?, row.try_get("body")?))
                .collect()
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
                 FROM history WHERE (domain = $1 OR previous_domain = $1) AND revision < $2
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
            let mut transaction = self.writer.begin().await?;
            sqlx::query("DELETE FROM sessions WHERE expires_at_unix_ms <= $1")
                .bind(now.as_unix_ms())
                .execute(&mut *transaction)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (id_hash, csrf_token, token_hash, role, name, expires_at_unix_ms)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&session.id_hash)
            .bind(&session.csrf_token)
            .bind(&session.token_hash)
            .bind(session.role.as_str())
            .bind(&session.name)
            .bind(session.expires_at.as_unix_ms())
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
                 WHERE id_hash = $1 AND expires_at_unix_ms > $2",
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
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(&self.writer)
                .await?;
            Ok(())
        })
    }
}
