//! [`probe`]: whether a start could open the database, found out without writing to it: an
//! existing SQLite file is opened read-only (immutable when no server has it open), a PostgreSQL database answers `SELECT 1`, and the
//! migrations either records are compared with this build's as sqlx's migrator would at start
//! (a failed migration, one this build does not know, or one whose text changed stops a
//! start; migrations still to apply do not). A SQLite file that does not exist yet needs a
//! folder a start can create it in.
//!
//! Owns: those reads and the sentence for each way they fail. Must not: create, migrate or
//! write to a database (`check-config` runs it beside a live server), or show a PostgreSQL
//! URL (it may hold a password).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

use crate::configuration::DatabaseLocation;

use super::{StoreError, postgres, sqlite};

/// What a start would find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseState {
    /// A SQLite file a start would create (its folder can hold it).
    ToBeCreated,
    /// A database a start would open, applying this many migrations first.
    Existing { migrations_to_apply: usize },
}

/// Why a start could not open the database; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(
        "--database {path}: the file does not exist and the folder {folder} cannot hold it ({reason}). Create the folder, make it writable, or give another path."
    )]
    FolderUnusable {
        path: String,
        folder: String,
        reason: String,
    },
    #[error(
        "--database {shown} could not be opened and read ({error}). Give a SQLite file that mailsetup-server created, or a postgres:// URL that accepts a connection."
    )]
    Unreadable { shown: String, error: StoreError },
    #[error(
        "--database {shown}: migration {version} failed part-way in an earlier start, so a start would refuse it. Restore a backup, or repair the database and its _sqlx_migrations row."
    )]
    Dirty { shown: String, version: i64 },
    #[error(
        "--database {shown} was migrated by a newer mailsetup-server (migration {version} is unknown to this one). Start that version, or restore a backup made by this one."
    )]
    Newer { shown: String, version: i64 },
    #[error(
        "--database {shown}: migration {version} was applied from a different text than this mailsetup-server's, so a start would refuse it. Use the version that migrated it."
    )]
    Changed { shown: String, version: i64 },
}

/// One row of sqlx's migrations table.
type AppliedMigration = (i64, Vec<u8>, bool);

/// What a start would find in the database at `location`, or why it could not open it.
pub async fn probe(location: &DatabaseLocation) -> Result<DatabaseState, ProbeError> {
    match location {
        DatabaseLocation::Sqlite(path) => probe_sqlite(path).await,
        DatabaseLocation::Postgres(url) => probe_postgres(url).await,
    }
}

async fn probe_sqlite(path: &Path) -> Result<DatabaseState, ProbeError> {
    let shown = path.display().to_string();
    if !path.exists() {
        return folder_can_hold(path).map(|()| DatabaseState::ToBeCreated);
    }
    let unreadable = |error: StoreError| ProbeError::Unreadable {
        shown: shown.clone(),
        error,
    };
    let migrator = sqlite::migrator();
    let applied = async {
        // Without a -wal file no server has the database open (a clean stop removes it), so it
        // is read as immutable: no lock, and no -shm/-wal files left behind. With one, a
        // server may be writing: read-only with SQLite's usual locking.
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .read_only(true)
            .immutable(!wal_file(path).exists());
        let mut connection: SqliteConnection = options.connect().await?;
        let has_table: bool = sqlx::query_scalar(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?",
        )
        .bind(migrator.table_name.as_ref())
        .fetch_one(&mut connection)
        .await?;
        let applied = if has_table {
            sqlx::query_as(applied_migrations_sql(&migrator))
                .fetch_all(&mut connection)
                .await?
        } else {
            Vec::new()
        };
        connection.close().await?;
        Ok::<_, sqlx::Error>(applied)
    }
    .await
    .map_err(|error| unreadable(StoreError::Database(error)))?;
    compare(&migrator, &applied, &shown)
}

async fn probe_postgres(url: &str) -> Result<DatabaseState, ProbeError> {
    let options = PgConnectOptions::from_str(url);
    let shown = match &options {
        Ok(options) => format!(
            "(PostgreSQL database {} on {}:{})",
            options.get_database().unwrap_or("of the user's name"),
            options.get_host(),
            options.get_port()
        ),
        Err(_) => "(a postgres:// URL)".to_owned(),
    };
    let migrator = postgres::migrator();
    let applied = async {
        let mut connection: PgConnection = options?.connect().await?;
        sqlx::query("SELECT 1").execute(&mut connection).await?;
        let has_table: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(migrator.table_name.as_ref())
            .fetch_one(&mut connection)
            .await?;
        let applied = if has_table {
            sqlx::query_as(applied_migrations_sql(&migrator))
                .fetch_all(&mut connection)
                .await?
        } else {
            Vec::new()
        };
        connection.close().await?;
        Ok::<_, sqlx::Error>(applied)
    }
    .await
    .map_err(|error| ProbeError::Unreadable {
        shown: shown.clone(),
        error: StoreError::Database(error),
    })?;
    compare(&migrator, &applied, &shown)
}

/// The query of sqlx's migrations table, as its migrator reads it (and `success`).
fn applied_migrations_sql(migrator: &Migrator) -> AssertSqlSafe<String> {
    AssertSqlSafe(format!(
        "SELECT version, checksum, success FROM {} ORDER BY version",
        migrator.table_name
    ))
}

/// What sqlx's migrator would say at start, in its order: a failed migration, then each
/// applied one this build lacks or whose text differs.
fn compare(
    migrator: &Migrator,
    applied: &[AppliedMigration],
    shown: &str,
) -> Result<DatabaseState, ProbeError> {
    let shown = shown.to_owned();
    if let Some(&(version, _, _)) = applied.iter().find(|(_, _, success)| !success) {
        return Err(ProbeError::Dirty { shown, version });
    }
    for (version, checksum, _) in applied {
        match migrator.iter().find(|known| known.version == *version) {
            None => {
                return Err(ProbeError::Newer {
                    shown,
                    version: *version,
                });
            }
            Some(known) if known.checksum.as_ref() != checksum.as_slice() => {
                return Err(ProbeError::Changed {
                    shown,
                    version: *version,
                });
            }
            Some(_) => {}
        }
    }
    let migrations_to_apply = migrator
        .iter()
        .filter(|known| {
            applied
                .iter()
                .all(|(version, _, _)| *version != known.version)
        })
        .count();
    Ok(DatabaseState::Existing {
        migrations_to_apply,
    })
}

/// SQLite's write-ahead log beside the database at `path`.
fn wal_file(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Whether a start could create the file at `path`: its folder exists and a file can be
/// created there (tried with a file of its own, removed at once, as permissions alone do not
/// tell about read-only mounts).
fn folder_can_hold(path: &Path) -> Result<(), ProbeError> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let unusable = |reason: String| ProbeError::FolderUnusable {
        path: path.display().to_string(),
        folder: folder.display().to_string(),
        reason,
    };
    if !folder.is_dir() {
        return Err(unusable("it is not a folder".into()));
    }
    let trial = folder.join(format!(
        ".mailsetup-check-config-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&trial)
        .map_err(|error| unusable(error.to_string()))?;
    std::fs::remove_file(&trial).map_err(|error| unusable(error.to_string()))?;
    Ok(())
}
