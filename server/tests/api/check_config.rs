//! `mailsetup-server check-config`, the real binary: one sentence per mistake and exit 78, or
//! "configuration ok" and exit 0, and the database left as it was.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use sqlx::Connection;

use crate::helpers::{
    AppOptions, Engine, TempDir, fresh_postgres_database, spawn_app, spawn_app_with,
    write_tokens_file,
};
use mailsetup_server::configuration::{Args, Configuration};
use mailsetup_server::startup::Application;

const EX_CONFIG: i32 = 78;

/// What the binary said: its exit code, the sentences it wrote to stderr, and stdout.
struct Outcome {
    code: i32,
    sentences: Vec<String>,
    stdout: String,
}

fn check_config(args: &[&str]) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailsetup-server"));
    command.arg("check-config").args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("MAILSETUP_") {
            command.env_remove(name);
        }
    }
    let output = command.output().expect("run the server binary");
    Outcome {
        code: output.status.code().expect("an exit code"),
        sentences: String::from_utf8_lossy(&output.stderr)
            .lines()
            .map(str::to_owned)
            .collect(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

/// A folder with a good tokens file, and the flags that name it and a SQLite file there.
struct Setup {
    dir: TempDir,
    tokens: String,
    database: String,
}

impl Setup {
    fn new() -> Setup {
        let dir = TempDir::new("check-config");
        let tokens = write_tokens_file(dir.path()).display().to_string();
        let database = dir.path().join("mailsetup.db").display().to_string();
        Setup {
            dir,
            tokens,
            database,
        }
    }

    /// The good flags, each `--flag value` pair of `changes` replacing the good one of that
    /// name or added after them (clap refuses a flag given twice).
    fn run(&self, changes: &[&str]) -> Outcome {
        let mut pairs: Vec<(&str, &str)> = vec![
            ("--bind", "127.0.0.1:0"),
            ("--tokens", &self.tokens),
            ("--database", &self.database),
        ];
        for change in changes.chunks(2) {
            let [flag, value] = change else {
                panic!("flags come in pairs: {changes:?}");
            };
            match pairs.iter_mut().find(|(known, _)| known == flag) {
                Some(pair) => pair.1 = value,
                None => pairs.push((flag, value)),
            }
        }
        let args: Vec<&str> = pairs
            .iter()
            .flat_map(|(flag, value)| [*flag, *value])
            .collect();
        check_config(&args)
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

/// One sentence, that names each of `names`.
fn one_mistake(outcome: &Outcome, names: &[&str]) {
    assert_eq!(outcome.code, EX_CONFIG, "{:?}", outcome.sentences);
    assert_eq!(outcome.sentences.len(), 1, "{:#?}", outcome.sentences);
    for name in names {
        assert!(
            outcome.sentences[0].contains(name),
            "{:?} should name {name}",
            outcome.sentences[0]
        );
    }
}

fn ok(outcome: &Outcome) {
    assert_eq!(outcome.code, 0, "{:#?}", outcome.sentences);
    assert!(outcome.sentences.is_empty(), "{:#?}", outcome.sentences);
    assert!(
        outcome.stdout.starts_with("configuration ok"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn a_missing_tokens_file() {
    let setup = Setup::new();
    let missing = setup.path("no-such-tokens");
    one_mistake(
        &setup.run(&["--tokens", &missing]),
        &[&missing, "ROLE NAME TOKEN"],
    );
}

#[test]
fn malformed_tokens_lines() {
    let setup = Setup::new();
    let tokens = setup.path("bad-tokens");
    std::fs::write(
        &tokens,
        "admin alice 0123456789abcdef0123\nsuperuser bob 0123456789abcdef9999\n",
    )
    .unwrap();
    let outcome = setup.run(&["--tokens", &tokens]);
    one_mistake(&outcome, &["Line 2", "superuser"]);
    assert!(
        !outcome.sentences[0].contains("0123456789abcdef"),
        "never a token"
    );
    // Each bad line is a mistake of its own.
    std::fs::write(
        &tokens,
        "admin alice\nadmin bob 0123456789abcdef0123\nroot carol 0123456789abcdef4567\n",
    )
    .unwrap();
    let outcome = setup.run(&["--tokens", &tokens]);
    assert_eq!(outcome.code, EX_CONFIG);
    assert_eq!(outcome.sentences.len(), 2, "{:#?}", outcome.sentences);
    assert!(
        outcome.sentences[0].contains("Line 1"),
        "{:?}",
        outcome.sentences
    );
    assert!(
        outcome.sentences[1].contains("Line 3"),
        "{:?}",
        outcome.sentences
    );
}

#[test]
fn an_unreadable_database() {
    let setup = Setup::new();
    let garbage = setup.path("garbage.db");
    std::fs::write(&garbage, "this is not a database, it only has its name").unwrap();
    one_mistake(
        &setup.run(&["--database", &garbage]),
        &[&garbage, "could not be opened and read"],
    );
    // A folder where the file should be.
    let folder = setup.path("a-folder");
    std::fs::create_dir(&folder).unwrap();
    one_mistake(&setup.run(&["--database", &folder]), &[&folder]);
    // A file in a folder that does not exist: a start could not create it.
    let nowhere = setup.path("missing-folder/mailsetup.db");
    one_mistake(
        &setup.run(&["--database", &nowhere]),
        &[&nowhere, "missing-folder"],
    );
}

#[test]
fn invalid_networks() {
    let setup = Setup::new();
    one_mistake(
        &setup.run(&["--trusted-proxy", "10.0.0.1/8"]),
        &["--trusted-proxy", "10.0.0.1/8"],
    );
    one_mistake(
        &setup.run(&["--check-allow-network", "10.20.0.0/33"]),
        &["--check-allow-network", "10.20.0.0/33"],
    );
}

#[test]
fn a_metrics_address_in_use() {
    let setup = Setup::new();
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = holder.local_addr().unwrap().to_string();
    one_mistake(
        &setup.run(&["--metrics-bind", &address]),
        &["--metrics-bind", &address],
    );
}

#[test]
fn every_mistake_at_once() {
    let setup = Setup::new();
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let in_use = holder.local_addr().unwrap().to_string();
    let outcome = setup.run(&[
        "--tokens",
        &setup.path("no-such-tokens"),
        "--database",
        &setup.path("missing-folder/mailsetup.db"),
        "--trusted-proxy",
        "proxy.example.com",
        "--check-allow-network",
        "10.20.0.0/33",
        "--allowed-origin",
        "https://crm.example.com/",
        "--bind",
        &in_use,
    ]);
    assert_eq!(outcome.code, EX_CONFIG);
    let expected = [
        "no-such-tokens",
        "https://crm.example.com/",
        "10.20.0.0/33",
        "proxy.example.com",
        "missing-folder",
        &in_use,
    ];
    assert_eq!(
        outcome.sentences.len(),
        expected.len(),
        "{:#?}",
        outcome.sentences
    );
    for (sentence, name) in outcome.sentences.iter().zip(expected) {
        assert!(sentence.contains(name), "{sentence:?} should name {name}");
    }
}

#[test]
fn a_sqlite_file_not_yet_created_is_fine_and_stays_uncreated() {
    let setup = Setup::new();
    let outcome = setup.run(&[]);
    ok(&outcome);
    assert!(
        outcome.stdout.contains("will be created"),
        "{}",
        outcome.stdout
    );
    assert!(!Path::new(&setup.database).exists());
    assert_eq!(
        std::fs::read_dir(setup.dir.path()).unwrap().count(),
        1,
        "only the tokens file"
    );
}

/// Starts a server on `setup`'s database and stops it cleanly (its WAL checkpointed and gone).
async fn start_and_stop(setup: &Setup) {
    let args = <Args as clap::Parser>::try_parse_from([
        "mailsetup-server",
        "--bind",
        "127.0.0.1:0",
        "--tokens",
        &setup.tokens,
        "--database",
        &setup.database,
    ])
    .unwrap();
    let application = Application::build(Configuration::from_args(args).unwrap())
        .await
        .unwrap();
    application.run_until(async {}).await.unwrap();
}

fn folder_listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_sqlite_file_is_read_and_left_as_it_was() {
    let setup = Setup::new();
    start_and_stop(&setup).await;
    let before = std::fs::read(&setup.database).unwrap();
    let listing = folder_listing(setup.dir.path());
    let outcome = setup.run(&[]);
    ok(&outcome);
    assert_eq!(outcome.stdout.trim(), "configuration ok");
    assert_eq!(std::fs::read(&setup.database).unwrap(), before);
    assert_eq!(
        folder_listing(setup.dir.path()),
        listing,
        "no -wal or -shm left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_servers_database_is_fine_and_its_address_in_use() {
    let app = spawn_app(Engine::Sqlite).await;
    let setup = Setup::new();
    let address = app.address.to_string();
    let outcome = setup.run(&["--database", &app.database, "--bind", &address]);
    one_mistake(&outcome, &["--bind", &address, "running mailsetup-server"]);
    ok(&setup.run(&["--database", &app.database]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_migrated_by_a_newer_server() {
    let setup = Setup::new();
    start_and_stop(&setup).await;
    let mut connection = sqlx::SqliteConnection::connect(&format!("sqlite:{}", setup.database))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'future', true, x'00', 0)",
    )
    .execute(&mut connection)
    .await
    .unwrap();
    connection.close().await.unwrap();
    one_mistake(&setup.run(&[]), &["newer mailsetup-server", "999"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_fresh_and_migrated() {
    let setup = Setup::new();
    let fresh = fresh_postgres_database().await;
    let outcome = setup.run(&["--database", &fresh]);
    ok(&outcome);
    assert!(outcome.stdout.contains("migrate"), "{}", outcome.stdout);
    let app = spawn_app_with(Engine::Postgres, AppOptions::default()).await;
    let outcome = setup.run(&["--database", &app.database]);
    ok(&outcome);
    assert_eq!(outcome.stdout.trim(), "configuration ok");
    // A database server that does not answer: one sentence, and no URL in it.
    let closed = "postgres://someone:hunter2@127.0.0.1:1/nothing";
    let outcome = setup.run(&["--database", closed]);
    one_mistake(&outcome, &["PostgreSQL database nothing on 127.0.0.1:1"]);
    assert!(!outcome.sentences[0].contains("hunter2"));
}

#[test]
fn help_names_the_command() {
    let output = Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("mailsetup-server check-config"), "{help}");
    let own = check_config(&["--help"]);
    assert_eq!(own.code, 0);
    assert!(
        own.stdout.contains("Usage: mailsetup-server check-config"),
        "{}",
        own.stdout
    );
    assert!(own.stdout.contains("--trusted-proxy"), "{}", own.stdout);
}
