//! The binary as a process: acknowledged writes survive `kill -9` (SQLite), SIGHUP reloads
//! the tokens file (keeping the old tokens when the new file is bad), SIGTERM stops cleanly and
//! lets a write in flight finish.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use sqlx::Connection;

use crate::helpers::{
    ADMIN_TOKEN, TempDir, free_port, imap_entry, wait_until_healthy, write_tokens_file,
};

fn start_server(dir: &Path, database: &Path, tokens: &Path, port: u16) -> Child {
    let log = std::fs::File::create(dir.join(format!("server-{port}.log"))).expect("log file");
    let log_err = log.try_clone().expect("log file");
    Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(database)
        .arg("--tokens")
        .arg(tokens)
        .env_remove("MAILSETUP_ALLOWED_ORIGINS")
        .env_remove("MAILSETUP_ALLOWLIST")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .expect("start the server binary")
}

/// A server binary's folder, files and port, kept across its restarts.
struct ServerFiles {
    dir: TempDir,
    tokens: std::path::PathBuf,
    database: std::path::PathBuf,
    port: u16,
    base: String,
}

impl ServerFiles {
    fn new(name: &str) -> ServerFiles {
        let dir = TempDir::new(name);
        let tokens = write_tokens_file(dir.path());
        let database = dir.path().join("mailsetup.db");
        let port = free_port();
        ServerFiles {
            dir,
            tokens,
            database,
            port,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn move_to_a_free_port(&mut self) {
        self.port = free_port();
        self.base = format!("http://127.0.0.1:{}", self.port);
    }

    /// Starts the binary on these files and waits until it answers.
    async fn start(&self) -> Child {
        let child = start_server(self.dir.path(), &self.database, &self.tokens, self.port);
        wait_until_healthy(&self.base).await;
        child
    }
}

fn signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    // SAFETY: kill has no memory preconditions; the pid is our own child's.
    let sent = unsafe { libc::kill(pid, signal) };
    assert_eq!(sent, 0, "signal the server");
}

/// What the writers were told: the last acknowledged revision per domain, and whether a later
/// write to it was in flight when the server died.
#[derive(Default)]
struct Acknowledged {
    revisions: HashMap<String, (u64, bool)>,
}

fn revision(tag: &str) -> u64 {
    tag.trim_matches('"').parse().expect("a numeric ETag")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    let mut files = ServerFiles::new("durable");
    let base = files.base.clone();
    let database = files.database.clone();
    let mut server = files.start().await;

    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let acknowledged = Arc::clone(&acknowledged);
        let base = base.clone();
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for round in 0.. {
                let domain = format!("w{writer}-{round}.example");
                let url = format!("{base}/api/v1/email-domains/{domain}");
                let Ok(created) = client
                    .put(&url)
                    .bearer_auth(ADMIN_TOKEN)
                    .header("If-None-Match", "*")
                    .json(&imap_entry(&domain))
                    .send()
                    .await
                else {
                    return;
                };
                assert_eq!(created.status(), StatusCode::CREATED);
                let tag = crate::helpers::etag(&created);
                acknowledged
                    .lock()
                    .unwrap()
                    .revisions
                    .insert(domain.clone(), (revision(&tag), true));
                let updated = client
                    .put(&url)
                    .bearer_auth(ADMIN_TOKEN)
                    .header("If-Match", &tag)
                    .json(&imap_entry(&domain))
                    .send()
                    .await;
                let Ok(updated) = updated else { return };
                assert_eq!(updated.status(), StatusCode::OK);
                let tag = crate::helpers::etag(&updated);
                acknowledged
                    .lock()
                    .unwrap()
                    .revisions
                    .insert(domain, (revision(&tag), false));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("kill -9 the server");
    let _ = server.wait();
    for writer in writers {
        writer.await.expect("a writer");
    }
    let acknowledged = std::mem::take(&mut acknowledged.lock().unwrap().revisions);
    assert!(
        acknowledged.len() >= 10,
        "the burst wrote something: {}",
        acknowledged.len()
    );

    let mut connection =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
            .await
            .expect("open the database file");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .expect("integrity check");
    assert_eq!(integrity, "ok");
    let _ = connection.close().await;

    // A port of its own: the dead server's may still be held by the kernel for a moment.
    files.move_to_a_free_port();
    let base = files.base.clone();
    let mut restarted = files.start().await;
    let client = reqwest::Client::new();
    for (domain, (acked, later_write_in_flight)) in &acknowledged {
        let response = client
            .get(format!("{base}/api/v1/email-domains/{domain}"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("the restarted server answers");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{domain} was acknowledged"
        );
        let stored = revision(&crate::helpers::etag(&response));
        if *later_write_in_flight {
            assert!(stored >= *acked, "{domain}: {stored} < {acked}");
        } else {
            assert_eq!(stored, *acked, "{domain}");
        }
    }
    signal(&restarted, libc::SIGTERM);
    let status = restarted.wait().expect("the server stops");
    assert!(status.success(), "SIGTERM stops cleanly: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_tokens_file_and_keeps_the_old_one_if_the_new_is_bad() {
    let files = ServerFiles::new("sighup");
    let (base, tokens, port) = (files.base.clone(), files.tokens.clone(), files.port);
    let mut server = files.start().await;
    let client = reqwest::Client::new();
    let status_for = |token: &'static str| {
        client
            .get(format!("{base}/api/v1/session"))
            .bearer_auth(token)
            .send()
    };
    const CAROL: &str = "carol-token-0123456789abcdef";
    assert_eq!(
        status_for(CAROL).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    let mut text = std::fs::read_to_string(&tokens).unwrap();
    text.push_str(&format!("admin carol {CAROL}\n"));
    std::fs::write(&tokens, &text).unwrap();
    signal(&server, libc::SIGHUP);
    let mut reloaded = false;
    for _ in 0..100 {
        if status_for(CAROL).await.unwrap().status() == StatusCode::OK {
            reloaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reloaded, "SIGHUP reloads the tokens file");

    std::fs::write(&tokens, "admin carol short\n").unwrap();
    signal(&server, libc::SIGHUP);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(status_for(CAROL).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        status_for(ADMIN_TOKEN).await.unwrap().status(),
        StatusCode::OK
    );
    let log = std::fs::read_to_string(files.dir.path().join(format!("server-{port}.log"))).unwrap();
    assert!(
        log.contains("not reloaded") && log.contains("Line 1"),
        "{log}"
    );
    assert!(
        !log.contains(CAROL) && !log.contains(ADMIN_TOKEN),
        "never a token in the log"
    );

    signal(&server, libc::SIGTERM);
    assert!(server.wait().expect("stops").success());
}

/// SIGTERM lets a write that is under way finish: a request whose headers have arrived (its
/// body still on the way) is answered and stored, and the server then exits cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_write_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let files = ServerFiles::new("graceful");
    let (base, port) = (files.base.clone(), files.port);
    let mut server = files.start().await;

    let body = imap_entry("inflight.example").to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let head = format!(
        "PUT /api/v1/email-domains/inflight.example HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {ADMIN_TOKEN}\r\nIf-None-Match: *\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("send head");
    stream
        .write_all(first_half.as_bytes())
        .await
        .expect("send half");
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&server, libc::SIGTERM);
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream
        .write_all(second_half.as_bytes())
        .await
        .expect("send the rest after SIGTERM");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .expect("read the answer");
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let status = server.wait().expect("the server stops");
    assert!(status.success(), "SIGTERM stops cleanly: {status}");

    let mut restarted = files.start().await;
    let stored = reqwest::Client::new()
        .get(format!("{base}/api/v1/email-domains/inflight.example"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("the restarted server answers");
    assert_eq!(
        stored.status(),
        StatusCode::OK,
        "the write in flight was kept"
    );
    signal(&restarted, libc::SIGTERM);
    let _ = restarted.wait();
}
