//! `mailsetup-server healthcheck`, the binary as a container runs it: exit 0 on 200 from a real
//! server; by default `/livez` of the `--bind` address (a wildcard asked on loopback); exit 1
//! with one sentence on another status, on nothing listening, and on no answer in time.

use std::process::Output;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::{Engine, free_port, spawn_app};

/// Runs `mailsetup-server healthcheck ARGS` without MAILSETUP_BIND from the environment.
async fn healthcheck(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .arg("healthcheck")
        .args(args)
        .env_remove("MAILSETUP_BIND")
        .output()
        .await
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A one-connection HTTP server on 127.0.0.1 that answers `status` (or never answers, for
/// `None`) and hands back the request's head.
async fn answer_once(status: Option<&'static str>) -> (u16, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buffer = [0_u8; 1024];
        while !head.ends_with(b"\r\n\r\n") {
            let read = stream.read(&mut buffer).await.unwrap();
            if read == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        match status {
            Some(status) => {
                let answer =
                    format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                stream.write_all(answer.as_bytes()).await.unwrap();
            }
            // Hold the connection open without a word until the client gives up.
            None => while stream.read(&mut buffer).await.is_ok_and(|read| read > 0) {},
        }
        String::from_utf8_lossy(&head).into_owned()
    });
    (port, served)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_server_passes() {
    let app = spawn_app(Engine::Sqlite).await;
    let url = app.url("/healthz");
    let output = healthcheck(&["--url", &url]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_it_asks_livez_of_the_bind_address_on_loopback() {
    let (port, served) = answer_once(Some("200 OK")).await;
    let bind = format!("0.0.0.0:{port}");
    let output = healthcheck(&["--bind", &bind]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let head = served.await.unwrap();
    assert!(head.starts_with("GET /livez HTTP/1.1\r\n"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("host: 127.0.0.1:{port}\r\n")),
        "{head}"
    );

    // MAILSETUP_BIND is the server's own variable, so a container sets it once for both.
    let (port, served) = answer_once(Some("200 OK")).await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .arg("healthcheck")
        .env("MAILSETUP_BIND", format!("0.0.0.0:{port}"))
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(served.await.unwrap().starts_with("GET /livez "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_status_fails_with_a_sentence() {
    let (port, served) = answer_once(Some("503 Service Unavailable")).await;
    let url = format!("http://127.0.0.1:{port}/readyz");
    let output = healthcheck(&["--url", &url]).await;
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&url) && message.contains("503") && message.lines().count() == 1,
        "{message}"
    );
    assert!(served.await.unwrap().starts_with("GET /readyz "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_or_no_answer_fails_with_a_sentence() {
    let port = free_port();
    let output = healthcheck(&["--url", &format!("http://127.0.0.1:{port}/livez")]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot connect"),
        "{}",
        stderr(&output)
    );

    let (port, served) = answer_once(None).await;
    let started = Instant::now();
    let output = healthcheck(&["--url", &format!("http://127.0.0.1:{port}/livez")]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("did not answer within"),
        "{}",
        stderr(&output)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    served.await.unwrap();

    for (args, needed) in [
        (["--url", "https://127.0.0.1:1/livez"], "http://"),
        (["--url", "not a url"], "not a URL"),
        (["--bind", "localhost"], "--bind"),
    ] {
        let output = healthcheck(&args).await;
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&output).contains(needed),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}
