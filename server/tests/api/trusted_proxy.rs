//! The client's address behind a reverse proxy (`--trusted-proxy`): without the flag a spoofed
//! `X-Forwarded-For` changes nothing; with it, the rightmost untrusted hop is the client, for
//! the rate limits, the audit events and each request's log line. Every address here travels
//! inside headers only: all connections are to 127.0.0.1.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_TOKEN, AppOptions, Engine, PipedServer, TestApp, spawn_app_with};

const SIGN_IN_LIMIT: usize = 3;

async fn app_with(extra: &[&str]) -> TestApp {
    let mut args = vec![
        "--sign-in-attempts-per-minute".to_owned(),
        SIGN_IN_LIMIT.to_string(),
        "--autoconfig-requests-per-minute".to_owned(),
        SIGN_IN_LIMIT.to_string(),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    spawn_app_with(
        Engine::Sqlite,
        AppOptions {
            args,
            ..AppOptions::default()
        },
    )
    .await
}

/// A sign-in with a wrong token, forwarded for `forwarded_for` (no header when `None`).
async fn sign_in(app: &TestApp, forwarded_for: Option<&str>) -> StatusCode {
    let request = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"token": "guess-guess-guess-guess"}));
    let request = match forwarded_for {
        Some(value) => request.header("X-Forwarded-For", value),
        None => request,
    };
    request.send().await.expect("the server answers").status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_a_spoofed_header_changes_nothing() {
    let app = app_with(&[]).await;
    for attempt in 0..SIGN_IN_LIMIT {
        let spoofed = format!("203.0.113.{attempt}");
        assert_eq!(
            sign_in(&app, Some(&spoofed)).await,
            StatusCode::UNAUTHORIZED
        );
    }
    // Every attempt counted against 127.0.0.1, whatever the header said.
    assert_eq!(
        sign_in(&app, Some("198.51.100.99")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(sign_in(&app, None).await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let app = app_with(&["--trusted-proxy", "127.0.0.1/32"]).await;
    for _ in 0..SIGN_IN_LIMIT {
        assert_eq!(
            sign_in(&app, Some("203.0.113.7, 127.0.0.1")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in(&app, Some("203.0.113.7")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A client that writes another address at the left is still the rightmost untrusted hop.
    assert_eq!(
        sign_in(&app, Some("1.2.3.4, 203.0.113.7")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another forwarded client, and the proxy itself, have budgets of their own.
    assert_eq!(
        sign_in(&app, Some("198.51.100.9, 127.0.0.1")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sign_in(&app, None).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_programs_are_limited_by_the_forwarded_client() {
    let app = app_with(&["--trusted-proxy", "127.0.0.1"]).await;
    let autoconfig =
        |forwarded_for: &'static str| {
            app.client
                .get(app.url(
                    "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=ann@example.com",
                ))
                .header("X-Forwarded-For", forwarded_for)
                .send()
        };
    for _ in 0..SIGN_IN_LIMIT {
        let response = autoconfig("203.0.113.7").await.expect("answers");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let limited = autoconfig("203.0.113.7").await.expect("answers");
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = autoconfig("198.51.100.9").await.expect("answers");
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

/// The server binary with JSON logs, its lines read as they are written.
struct LoggingServer(PipedServer);

impl LoggingServer {
    async fn start(extra: &[&str]) -> LoggingServer {
        let mut args = vec!["--log-format", "json"];
        args.extend_from_slice(extra);
        LoggingServer(PipedServer::start("proxy-log", &args).await)
    }

    /// Every line up to and including the first for which `wanted` holds; fails after 30 s.
    fn lines_until(&self, wanted: impl Fn(&Value) -> bool) -> Vec<Value> {
        let parse = |line: &str| -> Value { serde_json::from_str(line).expect("a JSON log line") };
        self.0
            .lines_until(|line| wanted(&parse(line)))
            .iter()
            .map(|line| parse(line))
            .collect()
    }
}

/// A sign-in with the admin token, forwarded for `forwarded_for`; then the log lines up to
/// the request's own line, which comes last.
async fn signed_in_lines(server: &LoggingServer, forwarded_for: &str) -> Vec<Value> {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/session", server.0.base))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({ "token": ADMIN_TOKEN }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::OK);
    server.lines_until(|line| {
        line["fields"]["message"] == "finished processing request"
            && line["span"]["uri"] == "/api/v1/session"
    })
}

fn line_with_message<'a>(lines: &'a [Value], message: &str) -> &'a Value {
    lines
        .iter()
        .find(|line| line["fields"]["message"] == message)
        .unwrap_or_else(|| panic!("no {message:?} line in {lines:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_line_and_the_audit_event_carry_the_client() {
    let server = LoggingServer::start(&["--trusted-proxy", "127.0.0.1/32"]).await;
    let lines = signed_in_lines(&server, "1.2.3.4, 203.0.113.7, 127.0.0.1").await;
    let request_line = lines.last().expect("the request's line");
    assert_eq!(
        request_line["span"]["client"], "203.0.113.7",
        "{request_line}"
    );
    assert_eq!(request_line["level"], "INFO");
    let audit = line_with_message(&lines, "session opened");
    assert_eq!(audit["fields"]["client"], "203.0.113.7", "{audit}");
    // The header itself is never logged: the spoofed part appears nowhere.
    let text = serde_json::to_string(&lines).expect("text");
    assert!(!text.contains("1.2.3.4"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_the_log_shows_the_peer() {
    let server = LoggingServer::start(&[]).await;
    let lines = signed_in_lines(&server, "203.0.113.7").await;
    let request_line = lines.last().expect("the request's line");
    assert_eq!(
        request_line["span"]["client"], "127.0.0.1",
        "{request_line}"
    );
    let audit = line_with_message(&lines, "session opened");
    assert_eq!(audit["fields"]["client"], "127.0.0.1", "{audit}");
    let text = serde_json::to_string(&lines).expect("text");
    assert!(!text.contains("203.0.113.7"), "{text}");
}
