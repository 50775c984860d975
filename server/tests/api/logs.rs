//! The log lines as an operator's collector receives them: written to a pipe (systemd's
//! journal, a container runtime, a file), compact lines carry no terminal colour codes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::helpers::{TempDir, free_port, wait_until_healthy, write_tokens_file};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compact_lines_written_to_a_pipe_have_no_colour_codes() {
    let dir = TempDir::new("compact-log");
    let tokens = write_tokens_file(dir.path());
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(dir.path().join("mailsetup.db"))
        .arg("--tokens")
        .arg(tokens)
        .arg("--log-format")
        .arg("compact")
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server binary");
    let stdout = child.stdout.take().expect("the server's output");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    wait_until_healthy(&base).await;
    let response = reqwest::get(format!("{base}/livez"))
        .await
        .expect("the server answers");
    assert_eq!(response.status(), reqwest::StatusCode::OK);

    let mut seen = Vec::new();
    let request_line = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no line for GET /livez; saw {seen:#?}"));
        seen.push(line.clone());
        if line.contains("finished processing request") && line.contains("/livez") {
            break line;
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.iter().all(|line| !line.contains('\u{1b}')),
        "colour codes in a piped log: {seen:#?}"
    );
    assert!(request_line.contains("status=200"), "{request_line}");
}
