//! `mailsetup-server check-config [the flags and variables of a start]`: tells whether a start
//! would succeed, without starting. It runs the start's own checks of the flags and files
//! (`Configuration::from_args`: the tokens file, origins, networks, allowlist, web root, CA
//! files), opens the database without writing (`store::probe`), and binds `--bind` and
//! `--metrics-bind` for a moment, holding the first while it tries the second as a start
//! would. It prints one sentence per mistake, every one it finds, and exits 78 (EX_CONFIG);
//! or prints "configuration ok" and exits 0.
//!
//! Owns: the subcommand's flags (a start's), its output and exit codes. Must not: check a flag
//! itself (`configuration.rs` does, for the start and for this alike), create, migrate or write
//! a database, or keep a socket bound.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};

use crate::configuration::{
    Args, Configuration, ConfigurationError, DatabaseLocation, parse_bind, parse_metrics_bind,
};
use crate::store::probe::{DatabaseState, ProbeError, probe};

/// sysexits.h's EX_CONFIG: the configuration is wrong.
pub const EX_CONFIG: u8 = 78;

/// How long the database may take to answer before that counts as a mistake.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(15);

/// One reason a start would fail.
#[derive(Debug, thiserror::Error)]
pub enum StartWouldFail {
    #[error("{0}")]
    Configuration(ConfigurationError),
    #[error("{0}")]
    Database(ProbeError),
    #[error(
        "--database did not answer within {seconds} seconds. Check that the database server runs and that this machine can reach it."
    )]
    DatabaseSilent { seconds: u64 },
    #[error(
        "{flag} {address} cannot be listened on ({error}). Stop the program that holds it (a running mailsetup-server holds its own addresses), or choose another address."
    )]
    Bind {
        flag: &'static str,
        address: SocketAddr,
        error: std::io::Error,
    },
}

/// Runs the subcommand; `words` are the command line from `check-config` on.
pub async fn main(words: impl IntoIterator<Item = String>) -> ExitCode {
    let command = Args::command()
        .name("mailsetup-server check-config")
        .bin_name("mailsetup-server check-config")
        .about("Checks a configuration without starting: the flags and environment variables of a start, its files, its database (opened without writing) and its addresses. One sentence per mistake and exit 78, or \"configuration ok\" and exit 0.")
        .after_help(None::<&str>);
    let args = match command
        .try_get_matches_from(words)
        .and_then(|matches| Args::from_arg_matches(&matches))
    {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EX_CONFIG)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match check(args).await {
        Ok(state) => {
            println!(
                "configuration ok{}",
                match state {
                    DatabaseState::ToBeCreated =>
                        "; the SQLite file will be created at first start",
                    DatabaseState::Existing {
                        migrations_to_apply: 0,
                    } => "",
                    DatabaseState::Existing { .. } => "; a start will migrate the database",
                }
            );
            ExitCode::SUCCESS
        }
        Err(mistakes) => {
            for mistake in mistakes {
                eprintln!("{mistake}");
            }
            ExitCode::from(EX_CONFIG)
        }
    }
}

/// What a start would find in the database, or every reason it would fail.
pub async fn check(args: Args) -> Result<DatabaseState, Vec<StartWouldFail>> {
    // The places a start opens and binds, parsed by the functions `from_args` uses, so they
    // are tried even when another flag is wrong (their own mistakes come from `from_args`).
    let bind = parse_bind(&args.bind).ok();
    let metrics_bind = parse_metrics_bind(args.metrics_bind.as_deref())
        .ok()
        .flatten();
    let database = DatabaseLocation::parse(&args.database).ok();
    let mut mistakes: Vec<StartWouldFail> = match Configuration::from_args(args) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_mistakes()
            .into_iter()
            .map(StartWouldFail::Configuration)
            .collect(),
    };
    let state = match database {
        Some(database) => match tokio::time::timeout(DATABASE_TIMEOUT, probe(&database)).await {
            Ok(Ok(state)) => Some(state),
            Ok(Err(error)) => {
                mistakes.push(StartWouldFail::Database(error));
                None
            }
            Err(_) => {
                mistakes.push(StartWouldFail::DatabaseSilent {
                    seconds: DATABASE_TIMEOUT.as_secs(),
                });
                None
            }
        },
        None => None,
    };
    mistakes.extend(bind_mistakes(bind, metrics_bind));
    match state {
        Some(state) if mistakes.is_empty() => Ok(state),
        _ => Err(mistakes),
    }
}

/// Binds each address as a start would, the first still held while the second is tried (so
/// one address given twice is caught), then lets both go.
fn bind_mistakes(
    bind: Option<SocketAddr>,
    metrics_bind: Option<SocketAddr>,
) -> Vec<StartWouldFail> {
    let mut held = Vec::new();
    let mut mistakes = Vec::new();
    for (flag, address) in [("--bind", bind), ("--metrics-bind", metrics_bind)] {
        let Some(address) = address else {
            continue;
        };
        match TcpListener::bind(address) {
            Ok(listener) => held.push(listener),
            Err(error) => mistakes.push(StartWouldFail::Bind {
                flag,
                address,
                error,
            }),
        }
    }
    drop(held);
    mistakes
}
