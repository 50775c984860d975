//! `mailsetup-server backup`, run as an operator runs it (the binary) against the live database
//! file of a server: a backup taken under concurrent writes restores to exactly the book at the
//! copy's sequence (every acknowledged write up to it, with its history; none after it); an
//! existing file is refused unless `--force`; PostgreSQL is refused naming `pg_dump`; a missing
//! database is named. SQLite only: the command copies SQLite files.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ADMIN_TOKEN, AppOptions, Engine, TempDir, TestApp, etag, imap_entry, spawn_app, spawn_app_with,
};

/// Concurrent writers during the backup.
const WRITERS: usize = 4;
/// Writes acknowledged before the backup starts, and again after it finished.
const WRITES_AROUND_THE_BACKUP: usize = 40;
/// Updates of one domain before a writer moves on to a new one.
const UPDATES_PER_DOMAIN: usize = 4;

async fn backup(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .arg("backup")
        .args(args)
        .env_remove("MAILSETUP_DATABASE")
        .output()
        .await
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One acknowledged write: its domain, the revision its answer carried (the ETag), and
/// whether the request was sent after the backup command had finished.
#[derive(Debug, Clone)]
struct Acknowledged {
    domain: String,
    revision: u64,
    action: &'static str,
    sent_after_backup: bool,
}

fn revision_of(tag: &str) -> u64 {
    tag.trim_matches('"')
        .parse()
        .unwrap_or_else(|_| panic!("an entry's ETag is its revision: {tag:?}"))
}

/// Writes through the API until `stop`: creates a domain, updates it a few times (each with
/// the ETag it was given), moves on to the next. Every 2xx is recorded and counted.
async fn write_until_stopped(
    app: Arc<TestApp>,
    writer: usize,
    stop: Arc<AtomicBool>,
    backup_done: Arc<AtomicBool>,
    acknowledged: tokio::sync::watch::Sender<Vec<Acknowledged>>,
) {
    let mut domain_number = 0;
    while !stop.load(Ordering::SeqCst) {
        let domain = format!("w{writer}-{domain_number}.example");
        let mut tag: Option<String> = None;
        for update in 0..=UPDATES_PER_DOMAIN {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let mut body = imap_entry(&domain);
            body["incoming"]["port"] = json!(if update % 2 == 0 { 993 } else { 143 });
            body["incoming"]["security"] = json!(if update % 2 == 0 {
                "ssl_tls"
            } else {
                "starttls"
            });
            let sent_after_backup = backup_done.load(Ordering::SeqCst);
            let response = app.put_entry(&domain, &body, tag.as_deref()).await;
            let status = response.status();
            assert!(
                status == StatusCode::CREATED || status == StatusCode::OK,
                "{domain}: {status}"
            );
            let answer = etag(&response);
            acknowledged.send_modify(|all| {
                all.push(Acknowledged {
                    domain: domain.clone(),
                    revision: revision_of(&answer),
                    action: if tag.is_none() { "added" } else { "updated" },
                    sent_after_backup,
                });
            });
            tag = Some(answer);
        }
        domain_number += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_exactly_the_book_at_its_sequence() {
    let app = Arc::new(spawn_app(Engine::Sqlite).await);
    let stop = Arc::new(AtomicBool::new(false));
    let backup_done = Arc::new(AtomicBool::new(false));
    let (acknowledged, mut progress) = tokio::sync::watch::channel(Vec::<Acknowledged>::new());
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            tokio::spawn(write_until_stopped(
                Arc::clone(&app),
                writer,
                Arc::clone(&stop),
                Arc::clone(&backup_done),
                acknowledged.clone(),
            ))
        })
        .collect();

    progress
        .wait_for(|all| all.len() >= WRITES_AROUND_THE_BACKUP)
        .await
        .unwrap();
    let before_backup = progress.borrow().len();
    let dir = TempDir::new("backup-load");
    let copy = dir.path().join("copy.db");
    let output = backup(&[copy.to_str().unwrap(), "--database", &app.database]).await;
    backup_done.store(true, Ordering::SeqCst);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let at_backup_end = progress.borrow().len();
    progress
        .wait_for(|all| all.len() >= at_backup_end + WRITES_AROUND_THE_BACKUP)
        .await
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.unwrap();
    }
    drop(acknowledged);
    let acknowledged = progress.borrow().clone();

    // A new server on the copy (the restore): its book's sequence is S.
    let restored = spawn_app_with(
        Engine::Sqlite,
        AppOptions {
            database: Some(copy.display().to_string()),
            ..AppOptions::default()
        },
    )
    .await;
    let list = restored.get("/api/v1/email-domains", ADMIN_TOKEN).await;
    assert_eq!(list.status(), StatusCode::OK);
    let sequence = revision_of(&etag(&list));
    let printed = text(&output.stdout);
    assert!(
        printed.contains(&format!("at sequence {sequence}.")) && printed.contains("bytes"),
        "the command prints the copy's sequence: {printed}"
    );

    // The snapshot fell inside the backup's run, with writes on both sides of it.
    let mut revisions: Vec<u64> = acknowledged.iter().map(|write| write.revision).collect();
    revisions.sort_unstable();
    let total = revisions.len() as u64;
    assert_eq!(
        revisions,
        (1..=total).collect::<Vec<_>>(),
        "one revision per write"
    );
    // Acknowledged before the backup: committed before the snapshot. At its end at most one
    // write per writer may have committed without its answer having arrived yet.
    assert!(
        sequence >= before_backup as u64 && sequence <= (at_backup_end + WRITERS) as u64,
        "S = {sequence}: {before_backup} writes were acknowledged before the backup, {at_backup_end} when it ended"
    );
    assert!(sequence < total, "writes went on after the snapshot");
    for write in acknowledged.iter().filter(|write| write.sent_after_backup) {
        assert!(
            write.revision > sequence,
            "{write:?} was sent after the backup finished, yet is in a copy at {sequence}"
        );
    }

    // Every acknowledged write up to S is there with its history, and none after it.
    let mut by_domain: BTreeMap<&str, Vec<&Acknowledged>> = BTreeMap::new();
    for write in &acknowledged {
        by_domain.entry(&write.domain).or_default().push(write);
    }
    for (domain, writes) in by_domain {
        let expected: Vec<(u64, &str)> = writes
            .iter()
            .rev()
            .filter(|write| write.revision <= sequence)
            .map(|write| (write.revision, write.action))
            .collect();
        let entry = restored.get_entry(domain).await;
        let history = restored
            .get(
                &format!("/api/v1/email-domains/{domain}/history"),
                ADMIN_TOKEN,
            )
            .await;
        let Some(&(newest, _)) = expected.first() else {
            assert_eq!(
                entry.status(),
                StatusCode::NOT_FOUND,
                "{domain} came after S"
            );
            assert_eq!(history.status(), StatusCode::NOT_FOUND, "{domain}");
            continue;
        };
        assert_eq!(entry.status(), StatusCode::OK, "{domain}");
        assert_eq!(revision_of(&etag(&entry)), newest, "{domain}");
        let history: Value = history.json().await.unwrap();
        let found: Vec<(u64, &str)> = history["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|change| {
                (
                    change["revision"].as_u64().unwrap(),
                    change["action"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(found, expected, "{domain}'s history in the copy");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_file_is_refused_unless_forced() {
    let app = spawn_app(Engine::Sqlite).await;
    app.create("kept.example").await;
    let dir = TempDir::new("backup-force");
    let file = dir.path().join("nightly.db");
    std::fs::write(&file, "yesterday's copy").unwrap();
    let file_arg = file.to_str().unwrap();

    let refused = backup(&[file_arg, "--database", &app.database]).await;
    assert_eq!(refused.status.code(), Some(1));
    let message = text(&refused.stderr);
    assert!(
        message.contains("already exists") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "yesterday's copy");
    assert_only_files(dir.path(), &["nightly.db"]);

    // The database from MAILSETUP_DATABASE, as the server takes it.
    let forced = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .args(["backup", file_arg, "--force"])
        .env("MAILSETUP_DATABASE", &app.database)
        .output()
        .await
        .unwrap();
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert!(text(&forced.stdout).contains("at sequence 1."));
    assert!(
        std::fs::read(&file)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    assert_only_files(dir.path(), &["nightly.db"]);

    let database = app.database.clone();
    let itself = backup(&[&database, "--database", &database, "--force"]).await;
    assert_eq!(itself.status.code(), Some(1));
    assert!(text(&itself.stderr).contains("the database itself"));
    assert!(app.get_entry("kept.example").await.status().is_success());
}

/// No temporary file is left beside the copy.
fn assert_only_files(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, names);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_is_refused_naming_pg_dump() {
    let dir = TempDir::new("backup-postgres");
    let file = dir.path().join("copy.db");
    // Refused before any connection: nothing listens on port 1.
    let output = backup(&[
        file.to_str().unwrap(),
        "--database",
        "postgres://mailsetup@127.0.0.1:1/mailsetup",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1));
    let message = text(&output.stderr);
    assert!(message.contains("pg_dump"), "{message}");
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(!file.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_database_is_named() {
    let dir = TempDir::new("backup-missing");
    let missing = dir.path().join("no-such.db");
    let output = backup(&[
        dir.path().join("copy.db").to_str().unwrap(),
        "--database",
        missing.to_str().unwrap(),
    ])
    .await;
    assert_eq!(output.status.code(), Some(1));
    let message = text(&output.stderr);
    assert!(
        message.contains("There is no SQLite database at") && message.contains("no-such.db"),
        "{message}"
    );
    assert!(!missing.exists(), "the command creates no database");
    assert_only_files(dir.path(), &[]);
}
