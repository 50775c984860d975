//! The `mailsetup-server` binary: reads the configuration, starts the server, waits for a
//! signal. Must not: hold any logic of its own (see `startup.rs`).

use std::process::ExitCode;

use clap::Parser;
use mailsetup_server::backup::{self, BackupArgs};
use mailsetup_server::check_command::{self, CheckArgs};
use mailsetup_server::check_config;
use mailsetup_server::configuration::{Args, Configuration};
use mailsetup_server::healthcheck::{self, HealthcheckArgs};
use mailsetup_server::startup::Application;
use mailsetup_server::telemetry;

/// mimalloc instead of glibc's malloc: under the bench's mixed load glibc's arenas took 14 % of
/// the CPU (their locks contended across the runtime's threads); with mimalloc the write path
/// answered twice the writes a second (`server/examples/load.rs`, writes only).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        // `mailsetup-server check EMAIL ...`: the connection check from a terminal.
        Some("check") => {
            return match subcommand_args::<CheckArgs>() {
                Ok(args) => check_command::main(args).await,
                Err(exit) => exit,
            };
        }
        // `mailsetup-server healthcheck`: a container's HEALTHCHECK.
        Some("healthcheck") => {
            return match subcommand_args::<HealthcheckArgs>() {
                Ok(args) => healthcheck::main(args).await,
                Err(exit) => exit,
            };
        }
        // `mailsetup-server backup FILE`: a consistent copy of a running SQLite database.
        Some("backup") => {
            return match subcommand_args::<BackupArgs>() {
                Ok(args) => backup::main(args).await,
                Err(exit) => exit,
            };
        }
        // `mailsetup-server check-config [OPTIONS]`: a start's checks without starting.
        Some("check-config") => return check_config::main(std::env::args().skip(1)).await,
        _ => {}
    }
    let args = Args::parse();
    telemetry::init(args.log_format);
    let result = async {
        let configuration = Configuration::from_args(args)?;
        let application = Application::build(configuration).await?;
        application.run_until_stopped().await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("mailsetup-server: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A subcommand's flags (the words after its name), or clap's message printed and its exit
/// code (0 for --help, 2 for a mistake).
fn subcommand_args<T: Parser>() -> Result<T, ExitCode> {
    T::try_parse_from(std::env::args().skip(1)).map_err(|error| {
        let _ = error.print();
        ExitCode::from(if error.use_stderr() { 2 } else { 0 })
    })
}
