//! `mailsetup-server check EMAIL`: the connection check from a terminal, for an operator. The
//! settings come from `--settings FILE` (an entry as a PUT takes it) or from the database (as
//! `/api/v1/lookup` finds them). It asks for the password without echo (empty: no sign-in) or
//! reads it from standard input with `--password-stdin`, prints the report as a table (or
//! JSON), and exits 0 when the check passed, 1 when it failed, 2 for bad input.
//!
//! Owns: the subcommand's flags, reading the password, the table. Must not: check anything
//! itself (`check/` does) or print the password.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use mailsetup_core::wire::{CheckOutcome, CheckReport, StepState, entry_from_wire};
use mailsetup_core::{Connection, EmailAddress, Problem};

use crate::check::{CheckSetup, CheckTarget, Checker, Credentials, Secret, SystemResolver};
use crate::configuration::{CheckFlags, DatabaseLocation, check_configuration_of};
use crate::routes::lookup::settings_in;
use crate::store::{PostgresStore, SqliteStore, Store};

/// Exit code for bad input (EX_USAGE would be 64; the issue names 2, as clap uses).
const BAD_INPUT: u8 = 2;

/// `mailsetup-server check`: checks an address's mail settings against its servers.
#[derive(Debug, Parser)]
#[command(name = "mailsetup-server check")]
pub struct CheckArgs {
    /// The address whose settings to check (its domain's, or those in --settings).
    pub email: String,

    /// A JSON file with the settings to check, as a PUT of a domain takes them; without it, the
    /// settings stored in --database for the address's domain.
    #[arg(long)]
    pub settings: Option<PathBuf>,

    /// Send a message to the address itself and look for it in the inbox.
    #[arg(long)]
    pub send_test_email: bool,

    /// Print the report as JSON (as the API answers) instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Read the password from the first line of standard input instead of asking for it.
    #[arg(long)]
    pub password_stdin: bool,

    /// The username, for domains whose people type their own.
    #[arg(long)]
    pub username: Option<String>,

    /// The database to read stored settings from (as the server's --database).
    #[arg(long, env = "MAILSETUP_DATABASE", default_value = "./mailsetup.db")]
    pub database: String,

    /// The connection check's reach, trust and bounds, as the server takes them.
    #[command(flatten)]
    pub check: CheckFlags,
}

/// Runs the subcommand; `args` are the words after `check`.
pub async fn main(args: CheckArgs) -> ExitCode {
    match run(args).await {
        Ok(report) => match report.outcome {
            CheckOutcome::Passed => ExitCode::SUCCESS,
            CheckOutcome::Failed => ExitCode::from(1),
        },
        Err(message) => {
            eprintln!("mailsetup-server check: {message}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

async fn run(args: CheckArgs) -> Result<CheckReport, String> {
    let email =
        EmailAddress::parse(&args.email).map_err(|error| format!("{}: {error}", error.code()))?;
    let check = check_configuration_of(&args.check, 1).map_err(|error| error.to_string())?;
    let connection = match &args.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("{} could not be read: {error}", path.display()))?;
            let draft = entry_from_wire(&text).map_err(|error| match error {
                mailsetup_core::wire::WireError::Invalid(problems) => problems
                    .iter()
                    .map(|problem| format!("{}: {}", problem.field, problem.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            })?;
            draft.connection
        }
        None => stored_settings(&args.database, &email).await?,
    };
    let password = read_password(&email, args.password_stdin)?;
    let credentials = match password {
        None => None,
        Some(password) => {
            let username = match &connection {
                Connection::Imap(imap) => imap
                    .username
                    .username_for(&email)
                    .or_else(|| args.username.clone()),
                Connection::Exchange(_) => {
                    args.username.clone().or_else(|| Some(email.to_string()))
                }
            }
            .ok_or("People of this domain type their own username: give it with --username.")?;
            Some(Credentials { username, password })
        }
    };
    let checker = Checker {
        setup: CheckSetup {
            policy: check.policy,
            resolver: Arc::new(SystemResolver),
            roots: check.roots,
            bounds: check.bounds,
        },
    };
    let target = CheckTarget { email, connection };
    let json = args.json;
    let mut print_step = |step: &mailsetup_core::wire::StepReport| {
        if !json {
            println!("{}", table_row(step));
        }
    };
    if !json {
        println!(
            "{:<19} {:<7} {:>7}  {:<40} problem",
            "step", "state", "ms", "server"
        );
    }
    let report = checker
        .run(
            &target,
            credentials.as_ref(),
            args.send_test_email,
            &mut print_step,
            &mut |_| {},
        )
        .await;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?
        );
    } else {
        for step in &report.steps {
            for warning in &step.warnings {
                println!(
                    "warning ({}): {} {}",
                    step.step.as_str(),
                    warning.code.code(),
                    warning.detail
                );
            }
            if let Some(suggestion) = &step.suggestion {
                println!(
                    "suggestion ({}): use {} on port {}",
                    step.step.as_str(),
                    suggestion.security.as_str(),
                    suggestion.port
                );
            }
        }
        println!(
            "outcome: {}",
            match report.outcome {
                CheckOutcome::Passed => "passed",
                CheckOutcome::Failed => "failed",
            }
        );
    }
    Ok(report)
}

fn table_row(step: &mailsetup_core::wire::StepReport) -> String {
    let state = match step.state {
        StepState::Passed => "passed",
        StepState::Failed => "failed",
        StepState::NotRun => "not run",
    };
    let server = step.server.as_ref().map_or(String::new(), |server| {
        format!(
            "{}:{} {}{}",
            server.host,
            server.port,
            server.security.as_str(),
            server
                .address
                .as_deref()
                .map_or(String::new(), |address| format!(" ({address})"))
        )
    });
    let problem = step.problem.as_ref().map_or(String::new(), |problem| {
        let reply = problem
            .server_reply
            .as_deref()
            .map_or(String::new(), |reply| format!(" Server: {reply}"));
        format!("{} {}{reply}", problem.code.code(), problem.detail)
    });
    format!(
        "{:<19} {:<7} {:>7}  {:<40} {problem}",
        step.step.as_str(),
        state,
        step.elapsed_ms,
        server
    )
}

async fn stored_settings(database: &str, email: &EmailAddress) -> Result<Connection, String> {
    let location = DatabaseLocation::parse(database).map_err(|error| error.to_string())?;
    let store: Box<dyn Store> = match &location {
        DatabaseLocation::Sqlite(path) => {
            if !path.exists() {
                return Err(format!(
                    "{} does not exist; give --database, or the settings with --settings FILE.",
                    path.display()
                ));
            }
            Box::new(
                SqliteStore::open(path)
                    .await
                    .map_err(|error| error.to_string())?,
            )
        }
        DatabaseLocation::Postgres(url) => Box::new(
            PostgresStore::connect(url)
                .await
                .map_err(|error| error.to_string())?,
        ),
    };
    let found = settings_in(store.as_ref(), email.domain())
        .await
        .map_err(|error| error.to_string());
    let _ = store.close().await;
    found?.map(|(_, entry)| entry.connection().clone()).ok_or_else(|| {
        format!(
            "No settings apply to {email}; give them with --settings FILE (a JSON entry as a PUT takes it)."
        )
    })
}

/// The password: asked for without echo on a terminal, or the first line of standard input.
/// Empty means no sign-in.
fn read_password(email: &EmailAddress, from_stdin: bool) -> Result<Option<Secret>, String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|error| format!("the password could not be read: {error}"))?;
        let trimmed = line.trim_end_matches(['\r', '\n']).to_owned();
        zeroize::Zeroize::zeroize(&mut line);
        trimmed
    } else if std::io::stdin().is_terminal() {
        let _ = std::io::stderr().flush();
        rpassword::prompt_password(format!(
            "Password for {email} (leave empty to check without signing in): "
        ))
        .map_err(|error| format!("the password could not be read: {error}"))?
    } else {
        String::new()
    };
    Ok((!password.is_empty()).then(|| Secret::new(password)))
}
