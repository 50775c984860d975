//! `mailsetup-server backup FILE [--database URL] [--force]`: a consistent copy of a SQLite
//! database, taken while a server keeps writing to it. The store writes the snapshot
//! (`VACUUM INTO`) to a temporary name in FILE's folder; this module makes it durable (fsync),
//! puts it in place in one step (a link that refuses an existing FILE, or with `--force` a
//! rename over it), makes the folder's entry durable (fsync), and prints what was written. A
//! restore is starting a server with `--database FILE`. PostgreSQL is refused: `pg_dump` is
//! its tool.
//!
//! Owns: the subcommand's flags, the temporary name, durability and placement of the copy,
//! its sentences. Must not: hold SQL (`SqliteStore::snapshot` does), need the tokens file, or
//! create, migrate or change the database it copies.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use crate::configuration::{ConfigurationError, DatabaseLocation};
use crate::store::{SqliteStore, StoreError};

/// `mailsetup-server backup`: writes a consistent snapshot of a running SQLite database.
#[derive(Debug, Parser)]
#[command(name = "mailsetup-server backup")]
pub struct BackupArgs {
    /// Where to write the copy (a new file, unless --force).
    pub file: PathBuf,

    /// The database to copy (as the server's --database): a SQLite file.
    #[arg(long, env = "MAILSETUP_DATABASE", default_value = "./mailsetup.db")]
    pub database: String,

    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Why no backup was written; each says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Database(#[from] ConfigurationError),
    #[error(
        "The database is PostgreSQL, which this command does not copy: back it up with pg_dump, e.g. `pg_dump --format=custom --file mailsetup.dump \"$MAILSETUP_DATABASE\"` (see README, Backups)."
    )]
    Postgres,
    #[error(
        "There is no SQLite database at {0}; give the server's --database (or set MAILSETUP_DATABASE)."
    )]
    NoDatabase(String),
    #[error("{0} already exists; give --force to replace it, or another file name.")]
    Exists(String),
    #[error("{0} is the database itself; give another file name for the copy.")]
    SameFile(String),
    #[error("{0} is a folder; give a file name for the copy, such as {0}/mailsetup-backup.db.")]
    Folder(String),
    #[error("The folder {0} does not exist; create it or give another file name.")]
    NoFolder(String),
    #[error("The snapshot of {database} could not be written: {error}")]
    Snapshot { database: String, error: StoreError },
    #[error("{path} could not be written: {error}")]
    Io { path: String, error: std::io::Error },
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub file: PathBuf,
    pub bytes: u64,
    /// The book's sequence in the copy: every write up to it is there, none after it.
    pub sequence: u64,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Wrote {} ({} bytes): the settings book at sequence {}. To restore it, start mailsetup-server with --database pointing at a copy of this file.",
            self.file.display(),
            self.bytes,
            self.sequence
        )
    }
}

/// Runs the subcommand; `args` are the words after `backup`. Exit 0 when written, 1 otherwise.
pub async fn main(args: BackupArgs) -> ExitCode {
    match back_up(&args.database, &args.file, args.force).await {
        Ok(written) => {
            println!("{written}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("mailsetup-server backup: {error}");
            ExitCode::from(1)
        }
    }
}

/// Copies the database `database` names into `file`.
pub async fn back_up(database: &str, file: &Path, force: bool) -> Result<Written, BackupError> {
    let source = match DatabaseLocation::parse(database)? {
        DatabaseLocation::Postgres(_) => return Err(BackupError::Postgres),
        DatabaseLocation::Sqlite(path) => path,
    };
    if !source.is_file() {
        return Err(BackupError::NoDatabase(source.display().to_string()));
    }
    let shown = file.display().to_string();
    if let Ok(existing) = std::fs::metadata(file) {
        if existing.is_dir() {
            return Err(BackupError::Folder(shown));
        }
        if same_file(&source, file) {
            return Err(BackupError::SameFile(shown));
        }
        if !force {
            return Err(BackupError::Exists(shown));
        }
    }
    let folder = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(BackupError::NoFolder(folder.display().to_string()));
    }
    let name = file
        .file_name()
        .ok_or_else(|| BackupError::Folder(shown.clone()))?;
    let partial = folder.join(format!(
        ".{}.partial-{}-{:08x}",
        name.to_string_lossy(),
        std::process::id(),
        rand::random::<u32>()
    ));
    let placed = write_then_place(&source, &partial, file, force).await;
    // Gone after a rename; after a link or a failure, the temporary name is removed.
    let _ = std::fs::remove_file(&partial);
    let sequence = placed?;
    let io = |error| BackupError::Io {
        path: shown.clone(),
        error,
    };
    File::open(&folder)
        .and_then(|folder| folder.sync_all())
        .map_err(io)?;
    let bytes = std::fs::metadata(file).map_err(io)?.len();
    Ok(Written {
        file: file.to_path_buf(),
        bytes,
        sequence,
    })
}

/// The snapshot into `partial`, made durable, then in place at `file`: linked (which fails if
/// `file` exists, so nothing written meanwhile is replaced) or, with `force`, renamed over it.
async fn write_then_place(
    source: &Path,
    partial: &Path,
    file: &Path,
    force: bool,
) -> Result<u64, BackupError> {
    let sequence = SqliteStore::snapshot(source, partial)
        .await
        .map_err(|error| BackupError::Snapshot {
            database: source.display().to_string(),
            error,
        })?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |error| BackupError::Io { path, error }
    };
    File::open(partial)
        .and_then(|copy| copy.sync_all())
        .map_err(io(partial))?;
    if force {
        std::fs::rename(partial, file).map_err(io(file))?;
    } else {
        std::fs::hard_link(partial, file).map_err(|error| {
            if error.kind() == std::io::ErrorKind::AlreadyExists {
                BackupError::Exists(file.display().to_string())
            } else {
                io(file)(error)
            }
        })?;
    }
    Ok(sequence)
}

/// Whether `a` and `b` are one file (both exist and resolve to the same real path).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
