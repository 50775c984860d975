//! `POST /api/v1/connection-checks` against real mail servers on loopback (Dovecot and Exim,
//! started by the `mailsetup-mail-servers` harness with a CA of the test's own) and small fakes where a real
//! server cannot misbehave on purpose (`fake_servers.rs`, and the scripted ones below): a test
//! per problem code, the address policy end to end, limits, streaming, and no password in any
//! answer or log line. No test sends a packet beyond 127.0.0.1.

use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use mailsetup_core::wire::{CheckCode, CheckOutcome, CheckStep, StepState};
use mailsetup_mail_servers::{MAIL_PASSWORD, MAIL_USER, MailServers, TestCa};
use mailsetup_server::check::{
    AddressPolicy, Bounds, CheckSetup, CheckTarget, Checker, Credentials, ResolveError, Resolver,
    Secret, TrustRoots,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::fake_servers::{self, Behaviour, EwsAnswer};
use crate::helpers::{
    ADMIN_TOKEN, AppOptions, Engine, READER_TOKEN, TempDir, TestApp, problem, spawn_app,
    spawn_app_with,
};

const DAY: Duration = Duration::from_secs(86_400);

/// A server allowed to check loopback on `ports`, trusting `ca`.
async fn checking_app(ca: &TestCa, ports: &[u16], extra: &[&str]) -> TestApp {
    let trusting = [
        "--check-ca-file".to_owned(),
        ca.ca_file.display().to_string(),
    ];
    checking_app_with(&trusting, ports, extra).await
}

/// A server allowed to check loopback on `ports` that trusts Mozilla's roots only (no
/// `--check-ca-file`): every test CA's chain is untrusted there.
async fn checking_app_without_ca(ports: &[u16]) -> TestApp {
    checking_app_with(&[], ports, &[]).await
}

async fn checking_app_with(trust: &[String], ports: &[u16], extra: &[&str]) -> TestApp {
    let mut args = vec!["--check-allow-network".to_owned(), "127.0.0.0/8".to_owned()];
    args.extend(trust.iter().cloned());
    for port in ports {
        args.extend(["--check-allow-port".to_owned(), port.to_string()]);
    }
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

fn endpoint(host: &str, port: u16, security: &str) -> Value {
    json!({"host": host, "port": port, "security": security})
}

fn imap_settings(incoming: Value, outgoing: Value) -> Value {
    json!({"domain": "mail.test", "type": "imap", "incoming": incoming, "outgoing": outgoing})
}

async fn check_with(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/connection-checks"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("the server answers")
}

/// Runs a check and returns its report (200 expected).
async fn check(app: &TestApp, body: &Value) -> Value {
    let response = check_with(app, ADMIN_TOKEN, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("a JSON report")
}

fn step<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|step| step["step"] == name))
        .unwrap_or_else(|| panic!("no step {name} in {report:#}"))
}

fn step_names(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|step| step["step"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn problem_code(report: &Value, name: &str) -> String {
    step(report, name)["problem"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{name} has no problem in {report:#}"))
        .to_owned()
}

/// The real pair: IMAP over TLS, SMTP submission with STARTTLS.
fn real_settings(servers: &MailServers) -> Value {
    imap_settings(
        endpoint("localhost", servers.imap_tls_port, "ssl_tls"),
        endpoint("localhost", servers.smtp_starttls_port, "starttls"),
    )
}

fn real_ports(servers: &MailServers) -> Vec<u16> {
    vec![
        servers.imap_tls_port,
        servers.imap_starttls_port,
        servers.smtp_tls_port,
        servers.smtp_starttls_port,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_password_passes_every_step_and_the_test_message_arrives() {
    let servers = MailServers::start().await;
    let app = checking_app(&servers.ca, &real_ports(&servers), &[]).await;
    let started = Instant::now();
    let report = check(
        &app,
        &json!({
            "email": MAIL_USER,
            "password": MAIL_PASSWORD,
            "settings": real_settings(&servers),
            "send_test_email": true,
        }),
    )
    .await;
    let elapsed = started.elapsed();
    println!(
        "full check with the test message: {} ms",
        elapsed.as_millis()
    );
    assert_eq!(
        report["outcome"],
        "passed",
        "{report:#}\n{}",
        servers.logs()
    );
    assert_eq!(
        step_names(&report),
        [
            "imap_connect",
            "imap_login",
            "smtp_connect",
            "smtp_login",
            "send_test_email",
            "test_email_arrived"
        ]
    );
    for name in step_names(&report) {
        assert_eq!(step(&report, &name)["state"], "passed", "{name}");
    }
    let imap = step(&report, "imap_connect");
    assert_eq!(imap["server"]["address"], "127.0.0.1");
    assert_eq!(imap["server"]["security"], "ssl_tls");
    assert!(
        imap["tls"]["version"]
            .as_str()
            .unwrap()
            .starts_with("TLSv1.")
    );
    let certificate = &imap["tls"]["certificate"];
    assert_eq!(certificate["trusted"], true);
    assert!(
        certificate["issuer"]
            .as_str()
            .unwrap()
            .contains("mailsetup test CA")
    );
    assert!(
        certificate["dns_names"]
            .as_array()
            .unwrap()
            .contains(&json!("localhost"))
    );
    for hash in ["sha256", "spki_sha256"] {
        let hex = certificate[hash].as_str().unwrap();
        assert_eq!(hex.len(), 64);
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
    assert!(
        imap["auth_mechanisms"]
            .as_array()
            .unwrap()
            .contains(&json!("PLAIN"))
    );
    let smtp = step(&report, "smtp_connect");
    assert_eq!(smtp["server"]["security"], "starttls");
    assert!(
        smtp["auth_mechanisms"]
            .as_array()
            .unwrap()
            .contains(&json!("PLAIN"))
    );
    // The message is in the maildir Dovecot serves, with its token.
    let delivered = servers.delivered();
    assert!(
        delivered.iter().any(
            |message| message.contains("Check token:") && message.contains("Wiadomość testowa")
        ),
        "{delivered:?}"
    );
    assert!(elapsed < Duration::from_secs(35), "{elapsed:?}");
    let text = report.to_string();
    assert!(!text.contains(MAIL_PASSWORD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_fails_at_imap_login_with_the_servers_reply() {
    let servers = MailServers::start().await;
    let app = checking_app(&servers.ca, &real_ports(&servers), &[]).await;
    let report = check(
        &app,
        &json!({
            "email": MAIL_USER,
            "password": "wrong horse battery",
            "settings": real_settings(&servers),
        }),
    )
    .await;
    assert_eq!(report["outcome"], "failed");
    assert_eq!(step(&report, "imap_connect")["state"], "passed");
    let login = step(&report, "imap_login");
    assert_eq!(login["state"], "failed");
    assert_eq!(login["problem"]["code"], "check.login_failed");
    let reply = login["problem"]["server_reply"].as_str().unwrap();
    assert!(
        reply.starts_with("NO "),
        "the server's own words, without the check's command tag: {reply}"
    );
    for later in ["smtp_connect", "smtp_login"] {
        assert_eq!(step(&report, later)["state"], "not_run", "{later}");
    }
    assert!(!report.to_string().contains("wrong horse battery"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_on_the_tls_port_gives_tls_expected_and_a_suggestion_that_works() {
    let servers = MailServers::start().await;
    // The check takes seconds (it waits for a greeting that never comes): it is exempt from
    // the request timeout, which every other route keeps.
    let app = checking_app(
        &servers.ca,
        &real_ports(&servers),
        &["--request-timeout-seconds", "1"],
    )
    .await;
    let wrong = imap_settings(
        endpoint("localhost", servers.imap_tls_port, "starttls"),
        endpoint("localhost", servers.smtp_starttls_port, "starttls"),
    );
    let started = Instant::now();
    let report = check(&app, &json!({"email": MAIL_USER, "settings": wrong})).await;
    let took = started.elapsed();
    println!("tls_expected found in {} ms", took.as_millis());
    assert!(
        took > Duration::from_secs(1),
        "longer than the request timeout: {took:?}"
    );
    assert_eq!(problem_code(&report, "imap_connect"), "check.tls_expected");
    let suggestion = &step(&report, "imap_connect")["suggestion"];
    assert_eq!(
        *suggestion,
        json!({"security": "ssl_tls", "port": servers.imap_tls_port})
    );
    // Without a password both connect steps run: SMTP was right.
    assert_eq!(step(&report, "smtp_connect")["state"], "passed");
    assert_eq!(step_names(&report), ["imap_connect", "smtp_connect"]);
    // The suggestion, applied, passes with the password.
    let fixed = imap_settings(
        endpoint("localhost", servers.imap_tls_port, "ssl_tls"),
        endpoint("localhost", servers.smtp_starttls_port, "starttls"),
    );
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": MAIL_PASSWORD, "settings": fixed}),
    )
    .await;
    assert_eq!(report["outcome"], "passed", "{report:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssl_tls_on_the_starttls_port_is_tls_not_spoken_and_the_suggestion_is_starttls() {
    let servers = MailServers::start().await;
    let app = checking_app(&servers.ca, &real_ports(&servers), &[]).await;
    let wrong = imap_settings(
        endpoint("localhost", servers.imap_tls_port, "ssl_tls"),
        endpoint("localhost", servers.smtp_starttls_port, "ssl_tls"),
    );
    let report = check(&app, &json!({"email": MAIL_USER, "settings": wrong})).await;
    assert_eq!(step(&report, "imap_connect")["state"], "passed");
    assert_eq!(
        problem_code(&report, "smtp_connect"),
        "check.tls_not_spoken"
    );
    assert_eq!(
        step(&report, "smtp_connect")["suggestion"],
        json!({"security": "starttls", "port": servers.smtp_starttls_port})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streamed_answer_sends_each_step_as_it_ends_then_the_report() {
    let servers = MailServers::start().await;
    // The SMTP server accepts and stays silent: its step ends only at the greeting bound, so
    // the IMAP steps' lines must reach the client long before the report.
    let (silent, _) = counting_listener().await;
    let mut ports = real_ports(&servers);
    ports.push(silent);
    let app = checking_app(&servers.ca, &ports, &[]).await;
    let settings = imap_settings(
        endpoint("localhost", servers.imap_tls_port, "ssl_tls"),
        endpoint("localhost", silent, "ssl_tls"),
    );
    let mut response = app
        .client
        .post(app.url("/api/v1/connection-checks"))
        .bearer_auth(ADMIN_TOKEN)
        .header("Accept", "application/x-ndjson")
        .header("Accept-Encoding", "gzip")
        .json(&json!({"email": MAIL_USER, "password": MAIL_PASSWORD, "settings": settings}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    assert!(
        response.headers().get("content-encoding").is_none(),
        "not compressed"
    );
    let first = response.chunk().await.unwrap().expect("a first line");
    let first = String::from_utf8_lossy(&first).into_owned();
    assert!(first.contains("\"imap_connect\""), "{first}");
    assert!(
        !first.contains("\"outcome\""),
        "the report came with the first step: {first}"
    );
    let mut text = first;
    while let Some(chunk) = response.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 5, "{text}");
    let names: Vec<&str> = lines[..4]
        .iter()
        .map(|l| l["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["imap_connect", "imap_login", "smtp_connect", "smtp_login"]
    );
    let states: Vec<&str> = lines[..4]
        .iter()
        .map(|l| l["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["passed", "passed", "failed", "not_run"]);
    assert_eq!(lines[2]["problem"]["code"], "check.connection_timed_out");
    assert_eq!(lines[4]["outcome"], "failed");
    assert_eq!(lines[4]["steps"].as_array().unwrap().len(), 4);
}

/// A listener that counts the connections it accepts and keeps them open, silent.
async fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            open.push(stream);
        }
    });
    (port, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_allow_flags_every_loopback_form_is_refused_before_connecting() {
    let (port, accepted) = counting_listener().await;
    // The port is allowed, the network is not.
    let app = spawn_app_with(
        Engine::Sqlite,
        AppOptions {
            args: vec!["--check-allow-port".into(), port.to_string()],
            ..AppOptions::default()
        },
    )
    .await;
    for host in [
        "127.0.0.1",
        "127.1.2.3",
        "localhost",
        "::1",
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "64:ff9b::127.0.0.1",
        "0.0.0.0",
    ] {
        let report = check(
            &app,
            &json!({"email": "alice@example.com", "settings": imap_settings(
                endpoint(host, port, "ssl_tls"), endpoint(host, port, "starttls"))}),
        )
        .await;
        for name in ["imap_connect", "smtp_connect"] {
            assert_eq!(
                problem_code(&report, name),
                "check.address_not_allowed",
                "{host}: {report:#}"
            );
            assert!(step(&report, name).get("suggestion").is_none());
        }
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 0, "no connection was made");
    // A port outside the defaults is refused by its own code.
    let report = check(
        &app,
        &json!({"email": "alice@example.com", "settings": imap_settings(
            endpoint("127.0.0.1", 2222, "ssl_tls"), endpoint("127.0.0.1", port, "ssl_tls"))}),
    )
    .await;
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.port_not_allowed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_settings_are_checked_for_the_addresss_domain_and_a_missing_one_is_404() {
    let servers = MailServers::start().await;
    let app = checking_app(&servers.ca, &real_ports(&servers), &[]).await;
    let mut entry = real_settings(&servers);
    entry["include_subdomains"] = json!(true);
    app.create_body("mail.test", &entry).await;
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": MAIL_PASSWORD}),
    )
    .await;
    assert_eq!(report["outcome"], "passed", "{report:#}");
    let response = check_with(
        &app,
        ADMIN_TOKEN,
        &json!({"email": "bob@elsewhere.example"}),
    )
    .await;
    problem(response, 404, "not-found").await;
    // A reader may check too.
    let response = check_with(&app, READER_TOKEN, &json!({"email": MAIL_USER})).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_body_is_refused_with_each_field_named() {
    let app = spawn_app(Engine::Sqlite).await;
    let response = check_with(
        &app,
        ADMIN_TOKEN,
        &json!({"email": "nobody", "send_test_email": 1, "settings": {"domain": "mail.test", "type": "imap",
            "incoming": {"host": "imap.mail.test", "port": 0, "security": "ssl_tls"},
            "outgoing": {"host": "smtp.mail.test", "port": 465, "security": "ssl_tls"}}}),
    )
    .await;
    let body = problem(response, 422, "validation-failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    for field in ["email", "send_test_email", "settings.incoming.port"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    // The typed username form needs a username with the password.
    let mut typed = imap_settings(
        endpoint("imap.mail.test", 993, "ssl_tls"),
        endpoint("smtp.mail.test", 465, "ssl_tls"),
    );
    typed["username"] = json!("typed");
    let response = check_with(
        &app,
        ADMIN_TOKEN,
        &json!({"email": "alice@mail.test", "password": "x", "settings": typed}),
    )
    .await;
    let body = problem(response, 422, "validation-failed").await;
    assert_eq!(body["errors"][0]["field"], "username");
    // Unauthenticated: 401.
    let response = app
        .client
        .post(app.url("/api/v1/connection-checks"))
        .json(&json!({"email": "alice@mail.test"}))
        .send()
        .await
        .unwrap();
    problem(response, 401, "unauthenticated").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_needs_the_csrf_header_for_a_check() {
    let app = spawn_app(Engine::Sqlite).await;
    let opened = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"token": READER_TOKEN}))
        .send()
        .await
        .unwrap();
    let cookie = opened.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let answer: Value = opened.json().await.unwrap();
    let csrf = answer["csrf_token"].as_str().unwrap().to_owned();
    let body = json!({"email": "alice@mail.test", "settings": imap_settings(
        endpoint("127.0.0.1", 993, "ssl_tls"), endpoint("127.0.0.1", 465, "ssl_tls"))});
    let without = app
        .client
        .post(app.url("/api/v1/connection-checks"))
        .header("Cookie", &cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    problem(without, 403, "csrf").await;
    let with = app
        .client
        .post(app.url("/api/v1/connection-checks"))
        .header("Cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_refused_passwords_for_a_server_then_429_with_retry_after() {
    let servers = MailServers::start().await;
    let app = checking_app(&servers.ca, &real_ports(&servers), &[]).await;
    let body =
        json!({"email": MAIL_USER, "password": "guess", "settings": real_settings(&servers)});
    for attempt in 0..5 {
        let report = check(&app, &body).await;
        assert_eq!(
            problem_code(&report, "imap_login"),
            "check.login_failed",
            "{attempt}"
        );
    }
    let response = check_with(&app, ADMIN_TOKEN, &body).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 500 && retry_after <= 600, "{retry_after}");
    problem(response, 429, "rate-limited").await;
    // Without a password nothing is guessed: still allowed.
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "settings": real_settings(&servers)}),
    )
    .await;
    assert_eq!(report["outcome"], "passed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_runs_two_checks_at_once_and_the_third_is_429() {
    let (silent, connections) = counting_listener().await;
    let dir = TempDir::new("limits");
    let ca = TestCa::new(dir.path());
    let app = checking_app(&ca, &[silent], &[]).await;
    let body = json!({"email": "alice@mail.test", "settings": imap_settings(
        endpoint("127.0.0.1", silent, "ssl_tls"), endpoint("127.0.0.1", silent, "ssl_tls"))});
    let first = tokio::spawn({
        let request = app
            .client
            .post(app.url("/api/v1/connection-checks"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body);
        async move { request.send().await.unwrap().status() }
    });
    let second = tokio::spawn({
        let request = app
            .client
            .post(app.url("/api/v1/connection-checks"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body);
        async move { request.send().await.unwrap().status() }
    });
    // Both are running once the fake has seen their connections.
    let deadline = Instant::now() + Duration::from_secs(10);
    while connections.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "the two checks never connected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let third = check_with(&app, ADMIN_TOKEN, &body).await;
    assert!(third.headers().contains_key("retry-after"));
    problem(third, 429, "rate-limited").await;
    // Another caller is not affected.
    let other = check_with(
        &app,
        READER_TOKEN,
        &json!({"email": "x@mail.test", "settings": imap_settings(
        endpoint("127.0.0.1", 2222, "ssl_tls"), endpoint("127.0.0.1", 2222, "ssl_tls"))}),
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(first.await.unwrap(), StatusCode::OK);
    assert_eq!(second.await.unwrap(), StatusCode::OK);
}

/// One check, without a password, of a fake on `port` as the IMAP server; the SMTP server is
/// `outgoing` (a port where nothing listens unless given).
async fn imap_fake_report(
    app: &TestApp,
    port: u16,
    outgoing: u16,
    security: &str,
    extra: Value,
) -> Value {
    let mut settings = imap_settings(
        endpoint("localhost", port, security),
        endpoint("localhost", outgoing, security),
    );
    if let (Some(settings), Some(extra)) = (settings.as_object_mut(), extra.as_object()) {
        settings.extend(extra.clone());
    }
    check(
        app,
        &json!({"email": "alice@mail.test", "settings": settings}),
    )
    .await
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_times_out_and_banners_of_other_services_are_named() {
    let dir = TempDir::new("fakes");
    let ca = TestCa::new(dir.path());
    let silent = fake_servers::silent();
    let ssh = fake_servers::banner("SSH-2.0-OpenSSH_9.2\r\n");
    let plain = fake_servers::plain_text_on_tls_port();
    let closed = closed_port();
    let app = checking_app(&ca, &[silent.port(), ssh.port(), plain.port(), closed], &[]).await;

    let started = Instant::now();
    let report = imap_fake_report(&app, silent.port(), closed, "ssl_tls", json!({})).await;
    println!(
        "a check that hits the timeout (IMAP silent, SMTP refused): {} ms",
        started.elapsed().as_millis()
    );
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.connection_timed_out"
    );

    let report = imap_fake_report(&app, ssh.port(), closed, "starttls", json!({})).await;
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.greeting_unexpected"
    );
    assert!(
        step(&report, "imap_connect")["problem"]["server_reply"]
            .as_str()
            .unwrap()
            .starts_with("SSH-2.0")
    );

    let report = imap_fake_report(&app, plain.port(), closed, "ssl_tls", json!({})).await;
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.tls_not_spoken"
    );

    // Nothing listens: refused (the SMTP step of every report above).
    assert_eq!(
        problem_code(&report, "smtp_connect"),
        "check.connection_refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_problems_are_named_and_the_certificate_is_reported() {
    let dir = TempDir::new("certs");
    let ca = TestCa::new(dir.path());
    let other_dir = TempDir::new("other-ca");
    let other_ca = TestCa::new(other_dir.path());
    let now = SystemTime::now();
    let (expired, expired_key) = ca.leaf(&["localhost", "127.0.0.1"], now - 30 * DAY, now - DAY);
    let (future, future_key) = ca.leaf(&["localhost", "127.0.0.1"], now + DAY, now + 30 * DAY);
    let (elsewhere, elsewhere_key) = ca.leaf_now(&["mail.elsewhere.example"]);
    let (stranger, stranger_key) = other_ca.leaf_now(&["localhost", "127.0.0.1"]);
    let (soon, soon_key) = ca.leaf(&["localhost", "127.0.0.1"], now - DAY, now + 5 * DAY);
    let fakes = [
        (
            fake_servers::tls(&expired, &expired_key, Behaviour::Imap),
            "check.certificate_expired",
        ),
        (
            fake_servers::tls(&future, &future_key, Behaviour::Imap),
            "check.certificate_not_yet_valid",
        ),
        (
            fake_servers::tls(&elsewhere, &elsewhere_key, Behaviour::Imap),
            "check.certificate_name_mismatch",
        ),
        (
            fake_servers::tls(&stranger, &stranger_key, Behaviour::Imap),
            "check.certificate_untrusted",
        ),
    ];
    let soon_fake = fake_servers::tls(&soon, &soon_key, Behaviour::Imap);
    let closed = closed_port();
    let mut ports: Vec<u16> = fakes.iter().map(|(fake, _)| fake.port()).collect();
    ports.extend([soon_fake.port(), closed]);
    let app = checking_app(&ca, &ports, &[]).await;
    for (fake, code) in &fakes {
        let report = imap_fake_report(&app, fake.port(), closed, "ssl_tls", json!({})).await;
        assert_eq!(problem_code(&report, "imap_connect"), *code);
        let certificate = &step(&report, "imap_connect")["tls"]["certificate"];
        assert_eq!(certificate["trusted"], false, "{code}: {report:#}");
        assert_eq!(certificate["spki_sha256"].as_str().unwrap().len(), 64);
        // Allowed insecure certificates: the same code as a warning, and the step goes on.
        let report = imap_fake_report(
            &app,
            fake.port(),
            closed,
            "ssl_tls",
            json!({"allow_insecure_certificates": true}),
        )
        .await;
        let connect = step(&report, "imap_connect");
        assert_eq!(connect["state"], "passed", "{code}: {report:#}");
        assert_eq!(connect["warnings"][0]["code"], *code);
    }
    let report = imap_fake_report(&app, soon_fake.port(), closed, "ssl_tls", json!({})).await;
    let connect = step(&report, "imap_connect");
    assert_eq!(connect["state"], "passed");
    assert_eq!(
        connect["warnings"][0]["code"],
        "check.certificate_expires_soon"
    );
}

/// The pin of the certificate in `pem` (its first): SHA-256 over its SubjectPublicKeyInfo.
fn spki_pin(pem: &str) -> String {
    use rustls::pki_types::pem::PemObject;
    use sha2::{Digest, Sha256};
    let der = rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
    let (_, certificate) = x509_parser::parse_x509_certificate(&der).unwrap();
    hex::encode(Sha256::digest(certificate.public_key().raw))
}

fn pinned(pins: &[&str]) -> Value {
    json!({"mode": "pinned", "spki_sha256": pins})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_pinned_domain_passes_with_its_leafs_pin_without_the_ca_file() {
    let servers = MailServers::start().await;
    let app = checking_app_without_ca(&real_ports(&servers)).await;
    // Verified: the test CA is no root this server trusts.
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "settings": real_settings(&servers)}),
    )
    .await;
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.certificate_untrusted",
        "{report:#}"
    );
    let certificate = &step(&report, "imap_connect")["tls"]["certificate"];
    assert_eq!(certificate["trusted"], false);
    let leaf_pin = certificate["spki_sha256"].as_str().unwrap().to_owned();

    // Pinned to the leaf's key, as stored settings: every step passes, the password included.
    let mut entry = real_settings(&servers);
    entry["certificate_trust"] = pinned(&[&leaf_pin]);
    let tag = app.create_body("mail.test", &entry).await;
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": MAIL_PASSWORD}),
    )
    .await;
    assert_eq!(
        report["outcome"],
        "passed",
        "{report:#}\n{}",
        servers.logs()
    );
    assert_eq!(
        step_names(&report),
        ["imap_connect", "imap_login", "smtp_connect", "smtp_login"]
    );
    for name in ["imap_connect", "smtp_connect"] {
        let connect = step(&report, name);
        assert_eq!(connect["tls"]["certificate"]["trusted"], true, "{name}");
        assert!(
            connect["warnings"].as_array().is_none_or(Vec::is_empty),
            "{name}: {connect:#}"
        );
    }

    // Pinned to another key: the first connect step fails with the pin's own code, and no
    // password is sent.
    let other = "0".repeat(64);
    entry["certificate_trust"] = pinned(&[&other]);
    let response = app.put_entry("mail.test", &entry, Some(&tag)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": MAIL_PASSWORD}),
    )
    .await;
    assert_eq!(report["outcome"], "failed");
    let connect = step(&report, "imap_connect");
    assert_eq!(connect["problem"]["code"], "check.certificate_pin_mismatch");
    assert_eq!(connect["tls"]["certificate"]["spki_sha256"], leaf_pin);
    assert_eq!(connect["tls"]["certificate"]["trusted"], false);
    assert_eq!(step(&report, "imap_login")["state"], "not_run");
    // Without a password both connect steps run, and both say so.
    let report = check(&app, &json!({"email": MAIL_USER})).await;
    for name in ["imap_connect", "smtp_connect"] {
        assert_eq!(
            problem_code(&report, name),
            "check.certificate_pin_mismatch",
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_ca_key_in_the_chain_passes_whoever_issued_it_but_only_up_the_chain() {
    let dir = TempDir::new("pinned-ca");
    let ca = TestCa::new(dir.path());
    let other_dir = TempDir::new("other-ca");
    let other_ca = TestCa::new(other_dir.path());
    let now = SystemTime::now();
    let chain = |leaf: &str, issuer: &TestCa| format!("{leaf}{}", issuer.cert_pem);
    // Servers that send their CA's certificate after their own, as most do.
    let (leaf, leaf_key) = ca.leaf_now(&["localhost", "127.0.0.1"]);
    let renewed = ca.leaf_now(&["localhost", "127.0.0.1"]);
    let (expired, expired_key) = ca.leaf(&["localhost", "127.0.0.1"], now - 30 * DAY, now - DAY);
    // An impostor: a leaf of another CA, with the pinned CA's (public) certificate appended.
    let (impostor, impostor_key) = other_ca.leaf_now(&["localhost", "127.0.0.1"]);
    let good = fake_servers::tls(&chain(&leaf, &ca), &leaf_key, Behaviour::Imap);
    let after_renewal = fake_servers::tls(&chain(&renewed.0, &ca), &renewed.1, Behaviour::Imap);
    let outdated = fake_servers::tls(&chain(&expired, &ca), &expired_key, Behaviour::Imap);
    let pretending = fake_servers::tls(&chain(&impostor, &ca), &impostor_key, Behaviour::Imap);
    let ews = fake_servers::https_ews(
        &chain(&leaf, &ca),
        &leaf_key,
        EwsAnswer::Unauthorized {
            schemes: vec!["Basic realm=\"mail\"".to_owned()],
        },
    );
    let closed = closed_port();
    let ports = [
        good.port(),
        after_renewal.port(),
        outdated.port(),
        pretending.port(),
        ews.port(),
        closed,
    ];
    let app = checking_app_without_ca(&ports).await;
    let ca_pin = spki_pin(&ca.cert_pem);
    let pinned_to = |pins: &[&str]| json!({"certificate_trust": pinned(pins)});

    for (port, pins, expected) in [
        (good.port(), vec![ca_pin.as_str()], None),
        // The company CA's key survives the server's renewal with a new key.
        (after_renewal.port(), vec![ca_pin.as_str()], None),
        // Any of several pins will do.
        (good.port(), vec![&"0".repeat(64), ca_pin.as_str()], None),
        (
            outdated.port(),
            vec![ca_pin.as_str()],
            Some("check.certificate_expired"),
        ),
        (
            pretending.port(),
            vec![ca_pin.as_str()],
            Some("check.certificate_pin_mismatch"),
        ),
        (
            good.port(),
            vec![&"0".repeat(64)],
            Some("check.certificate_pin_mismatch"),
        ),
    ] {
        let report = imap_fake_report(&app, port, closed, "ssl_tls", pinned_to(&pins)).await;
        let connect = step(&report, "imap_connect");
        match expected {
            None => {
                assert_eq!(connect["state"], "passed", "{pins:?}: {report:#}");
                assert_eq!(connect["tls"]["certificate"]["trusted"], true);
            }
            Some(code) => assert_eq!(connect["problem"]["code"], code, "{report:#}"),
        }
    }

    // Exchange honours it too.
    let exchange = |pins: &[&str]| {
        json!({"domain": "mail.test", "type": "exchange",
            "url": format!("https://localhost:{}/EWS/Exchange.asmx", ews.port()),
            "certificate_trust": pinned(pins)})
    };
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "settings": exchange(&[&ca_pin])}),
    )
    .await;
    assert_eq!(
        step(&report, "exchange_reach")["state"],
        "passed",
        "{report:#}"
    );
    let wrong = "0".repeat(64);
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": MAIL_PASSWORD, "settings": exchange(&[&wrong])}),
    )
    .await;
    assert_eq!(
        problem_code(&report, "exchange_reach"),
        "check.certificate_pin_mismatch"
    );
    assert!(
        ews.requests()
            .iter()
            .all(|request| request.header("authorization").is_none()),
        "no password went to a server whose key is not pinned"
    );
    // And any: the untrusted chain is a warning.
    let mut anything = exchange(&[]);
    anything["certificate_trust"] = json!({"mode": "any"});
    let report = check(&app, &json!({"email": MAIL_USER, "settings": anything})).await;
    let reach = step(&report, "exchange_reach");
    assert_eq!(reach["state"], "passed", "{report:#}");
    assert_eq!(reach["warnings"][0]["code"], "check.certificate_untrusted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_is_required_even_of_a_chain_the_roots_trust() {
    let dir = TempDir::new("pinned-trusted");
    let ca = TestCa::new(dir.path());
    let (leaf, key) = ca.leaf_now(&["localhost", "127.0.0.1"]);
    let fake = fake_servers::tls(&leaf, &key, Behaviour::Imap);
    let closed = closed_port();
    let app = checking_app(&ca, &[fake.port(), closed], &[]).await;
    let report = imap_fake_report(&app, fake.port(), closed, "ssl_tls", json!({})).await;
    assert_eq!(step(&report, "imap_connect")["state"], "passed");
    let wrong = "0".repeat(64);
    let report = imap_fake_report(
        &app,
        fake.port(),
        closed,
        "ssl_tls",
        json!({"certificate_trust": pinned(&[&wrong])}),
    )
    .await;
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.certificate_pin_mismatch"
    );
    let leaf_pin = spki_pin(&leaf);
    let report = imap_fake_report(
        &app,
        fake.port(),
        closed,
        "ssl_tls",
        json!({"certificate_trust": pinned(&[&leaf_pin])}),
    )
    .await;
    assert_eq!(
        step(&report, "imap_connect")["state"],
        "passed",
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_answers_are_read_and_never_followed() {
    let dir = TempDir::new("ews");
    let ca = TestCa::new(dir.path());
    let (cert, key) = ca.leaf_now(&["localhost", "127.0.0.1"]);
    let schemes = vec![
        "Negotiate".to_owned(),
        "NTLM".to_owned(),
        "Basic realm=\"mail\"".to_owned(),
    ];
    let ews = fake_servers::https_ews(&cert, &key, EwsAnswer::Unauthorized { schemes });
    let ntlm_only = fake_servers::https_ews(
        &cert,
        &key,
        EwsAnswer::Unauthorized {
            schemes: vec!["NTLM".to_owned()],
        },
    );
    let missing = fake_servers::https_ews(&cert, &key, EwsAnswer::NotFound);
    let moved = fake_servers::https_ews(
        &cert,
        &key,
        EwsAnswer::Redirect("https://elsewhere.example/EWS/Exchange.asmx".to_owned()),
    );
    let broken = fake_servers::https_ews(&cert, &key, EwsAnswer::ServerError);
    let plain_imap = fake_servers::tls(&cert, &key, Behaviour::Imap);
    let ports = [
        ews.port(),
        ntlm_only.port(),
        missing.port(),
        moved.port(),
        broken.port(),
        plain_imap.port(),
    ];
    let app = checking_app(&ca, &ports, &[]).await;
    let exchange = |port: u16| {
        json!({"domain": "mail.test", "type": "exchange",
            "url": format!("https://localhost:{port}/EWS/Exchange.asmx")})
    };
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "settings": exchange(ews.port())}),
    )
    .await;
    assert_eq!(step_names(&report), ["exchange_reach"]);
    let reach = step(&report, "exchange_reach");
    assert_eq!(reach["state"], "passed");
    assert_eq!(
        reach["auth_mechanisms"],
        json!(["Negotiate", "NTLM", "Basic"])
    );

    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": MAIL_PASSWORD, "settings": exchange(ews.port())}),
    )
    .await;
    assert_eq!(report["outcome"], "passed", "{report:#}");
    let sent = ews.requests();
    let signed_in = sent
        .iter()
        .find(|request| request.header("authorization").is_some())
        .expect("a request with credentials");
    assert_eq!(signed_in.method, "POST");
    assert_eq!(signed_in.path, "/EWS/Exchange.asmx");

    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": "nope", "settings": exchange(ews.port())}),
    )
    .await;
    assert_eq!(
        problem_code(&report, "exchange_login"),
        "check.exchange_login_failed"
    );

    let report = check(
        &app,
        &json!({"email": MAIL_USER, "password": MAIL_PASSWORD, "settings": exchange(ntlm_only.port())}),
    )
    .await;
    assert_eq!(
        problem_code(&report, "exchange_login"),
        "check.login_not_offered"
    );
    assert!(
        ntlm_only
            .requests()
            .iter()
            .all(|request| request.header("authorization").is_none()),
        "no password went to a server that does not offer Basic"
    );

    let cases = [
        (missing.port(), "check.exchange_not_found"),
        (moved.port(), "check.exchange_redirected"),
        (broken.port(), "check.server_error"),
        (plain_imap.port(), "check.exchange_unexpected_answer"),
    ];
    for (port, code) in cases {
        let report = check(
            &app,
            &json!({"email": MAIL_USER, "settings": exchange(port)}),
        )
        .await;
        assert_eq!(problem_code(&report, "exchange_reach"), code, "{report:#}");
    }
    let report = check(
        &app,
        &json!({"email": MAIL_USER, "settings": exchange(moved.port())}),
    )
    .await;
    assert!(
        step(&report, "exchange_reach")["problem"]["server_reply"]
            .as_str()
            .unwrap()
            .contains("https://elsewhere.example/EWS/Exchange.asmx")
    );
    assert_eq!(moved.requests().len(), 2, "the redirect was never followed");
}

// ---- Scripted servers for what neither Dovecot, Exim nor the fakes can be made to do ----

/// A line server: sends `greeting`, then answers each line with `answer(line)` (the reply's
/// `{tag}` replaced by the line's first word). Over TLS when given a certificate and key.
fn scripted(
    tls: Option<(String, String)>,
    greeting: &'static str,
    answer: fn(&str) -> String,
) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tls.map(|(cert, key)| {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    });
    tokio::spawn(async move {
        let listener = TcpListener::from_std(listener).unwrap();
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                match acceptor {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(stream).await {
                            converse(stream, greeting, answer).await;
                        }
                    }
                    None => converse(stream, greeting, answer).await,
                }
            });
        }
    });
    port
}

async fn converse<S>(stream: S, greeting: &str, answer: fn(&str) -> String)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (reader, mut writer) = tokio::io::split(stream);
    let mut lines = BufReader::new(reader).lines();
    if writer.write_all(greeting.as_bytes()).await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let tag = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let reply = answer(&line).replace("{tag}", &tag);
        if writer.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A TLS server that demands a client certificate the check does not have: the handshake
/// fails for a reason other than the server's certificate.
fn demanding_a_client_certificate(ca: &TestCa) -> u16 {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let (cert, key) = ca.leaf_now(&["localhost"]);
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(ca.cert_pem.as_bytes()) {
        roots.add(certificate.unwrap()).unwrap();
    }
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::clone(&provider),
    )
    .build()
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let listener = TcpListener::from_std(listener).unwrap();
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut stream) = acceptor.accept(stream).await {
                    let _ = stream.write_all(b"* OK never\r\n").await;
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handshake_that_fails_for_another_reason_is_tls_handshake_failed() {
    let dir = TempDir::new("mtls");
    let ca = TestCa::new(dir.path());
    let port = demanding_a_client_certificate(&ca);
    let closed = closed_port();
    let app = checking_app(&ca, &[port, closed], &[]).await;
    let report = imap_fake_report(&app, port, closed, "ssl_tls", json!({})).await;
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.tls_handshake_failed",
        "{report:#}"
    );
}

/// IMAP that never offers STARTTLS.
fn no_starttls(line: &str) -> String {
    if line.to_ascii_uppercase().contains("CAPABILITY") {
        "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n".into()
    } else {
        "{tag} BAD no\r\n".into()
    }
}

/// IMAP over TLS that offers no sign-in this check can use.
fn no_usable_login(line: &str) -> String {
    if line.to_ascii_uppercase().contains("CAPABILITY") {
        "* CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=GSSAPI\r\n{tag} OK done\r\n".into()
    } else {
        "{tag} BAD no\r\n".into()
    }
}

/// IMAP over TLS that lets anyone in (LOGIN) and never holds the test message.
fn empty_inbox(line: &str) -> String {
    let command = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_ascii_uppercase();
    match command.as_str() {
        "CAPABILITY" => "* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n".into(),
        "SEARCH" => "* SEARCH\r\n{tag} OK done\r\n".into(),
        "LOGOUT" => "* BYE\r\n{tag} OK done\r\n".into(),
        _ => "{tag} OK done\r\n".into(),
    }
}

/// SMTP over TLS that lets anyone in, and refuses or accepts the message by the recipient.
fn smtp_script(line: &str) -> String {
    let upper = line.to_ascii_uppercase();
    if upper.starts_with("EHLO") {
        "250-fake.test\r\n250 AUTH PLAIN LOGIN\r\n".into()
    } else if upper.starts_with("AUTH") {
        "235 ok\r\n".into()
    } else if upper.starts_with("MAIL") {
        "250 ok\r\n".into()
    } else if upper.starts_with("RCPT") && upper.contains("REFUSED") {
        "550 5.7.1 Relaying denied\r\n".into()
    } else if upper.starts_with("RCPT") {
        "250 ok\r\n".into()
    } else if upper.starts_with("DATA") {
        "354 go on\r\n".into()
    } else if upper == "." {
        "250 queued\r\n".into()
    } else if upper.starts_with("QUIT") {
        "221 bye\r\n".into()
    } else {
        String::new()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_not_offered_and_no_usable_login_are_named() {
    let dir = TempDir::new("scripted");
    let ca = TestCa::new(dir.path());
    let plain = scripted(None, "* OK plain only\r\n", no_starttls);
    let no_login = scripted(
        Some(ca.leaf_now(&["localhost"])),
        "* OK ready\r\n",
        no_usable_login,
    );
    let closed = closed_port();
    let app = checking_app(&ca, &[plain, no_login, closed], &[]).await;
    let report = imap_fake_report(&app, plain, closed, "starttls", json!({})).await;
    assert_eq!(
        problem_code(&report, "imap_connect"),
        "check.starttls_not_offered"
    );
    let settings = imap_settings(
        endpoint("localhost", no_login, "ssl_tls"),
        endpoint("localhost", no_login, "ssl_tls"),
    );
    let report = check(
        &app,
        &json!({"email": "alice@mail.test", "password": "secret", "settings": settings}),
    )
    .await;
    assert_eq!(
        problem_code(&report, "imap_login"),
        "check.login_not_offered"
    );
}

/// A checker over the scripted servers, with a resolver of the test's own.
fn checker(ca: &TestCa, ports: &[u16], resolver: Arc<dyn Resolver>, arrival: Duration) -> Checker {
    Checker {
        setup: CheckSetup {
            policy: AddressPolicy {
                allowed_networks: vec!["127.0.0.0/8".parse().unwrap()],
                extra_ports: ports.iter().copied().collect(),
            },
            resolver,
            roots: TrustRoots::load(std::slice::from_ref(&ca.ca_file)).unwrap(),
            bounds: Bounds {
                arrival,
                ..Bounds::default()
            },
        },
    }
}

/// The step of a report run through [`Checker`] directly.
fn report_step(
    report: &mailsetup_core::wire::CheckReport,
    step: CheckStep,
) -> &mailsetup_core::wire::StepReport {
    report
        .steps
        .iter()
        .find(|report| report.step == step)
        .unwrap_or_else(|| panic!("no step {step:?} in {report:#?}"))
}

/// Resolves every name to loopback, except the ones it is told fail.
struct TestResolver;

impl Resolver for TestResolver {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn std::future::Future<Output = Result<Vec<IpAddr>, ResolveError>> + Send + 'a>>
    {
        Box::pin(async move {
            match host {
                "missing.mail.test" => Err(ResolveError::NotFound),
                "broken.mail.test" => Err(ResolveError::Failed("SERVFAIL".into())),
                // Nothing listens on 127.0.0.2: the check goes on to the next address.
                "twice.mail.test" => Ok(vec![
                    "127.0.0.2".parse().unwrap(),
                    "127.0.0.1".parse().unwrap(),
                ]),
                _ => Ok(vec!["127.0.0.1".parse().unwrap()]),
            }
        })
    }
}

fn connection(incoming: (&str, u16), outgoing: (&str, u16)) -> mailsetup_core::Connection {
    let value = imap_settings(
        endpoint(incoming.0, incoming.1, "ssl_tls"),
        endpoint(outgoing.0, outgoing.1, "ssl_tls"),
    );
    mailsetup_core::wire::entry_from_wire(&value.to_string())
        .unwrap()
        .connection
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_do_not_resolve_a_refused_message_and_one_that_never_arrives() {
    let dir = TempDir::new("resolver");
    let ca = TestCa::new(dir.path());
    let imap = scripted(
        Some(ca.leaf_now(&["localhost", "twice.mail.test"])),
        "* OK ready\r\n",
        empty_inbox,
    );
    let smtp = scripted(
        Some(ca.leaf_now(&["localhost"])),
        "220 fake.test ESMTP\r\n",
        smtp_script,
    );
    let checker = checker(
        &ca,
        &[imap, smtp],
        Arc::new(TestResolver),
        Duration::from_secs(2),
    );
    let credentials = || Credentials {
        username: "alice@mail.test".into(),
        password: Secret::new("secret".into()),
    };
    let run = |email: &str, connection| {
        let target = CheckTarget {
            email: mailsetup_core::EmailAddress::parse(email).unwrap(),
            connection,
        };
        let checker = checker.clone();
        async move {
            let credentials = credentials();
            checker
                .run(&target, Some(&credentials), true, &mut |_| {}, &mut |_| {})
                .await
        }
    };
    let report = run(
        "alice@mail.test",
        connection(("missing.mail.test", imap), ("localhost", smtp)),
    )
    .await;
    assert_eq!(
        report.steps[0].problem.as_ref().unwrap().code,
        CheckCode::DnsNotFound
    );
    assert!(
        report.steps[1..]
            .iter()
            .all(|step| step.state == StepState::NotRun)
    );
    let report = run(
        "alice@mail.test",
        connection(("broken.mail.test", imap), ("localhost", smtp)),
    )
    .await;
    assert_eq!(
        report.steps[0].problem.as_ref().unwrap().code,
        CheckCode::DnsFailed
    );
    // The first address refuses: the check connects to the next allowed one.
    let report = run(
        "alice@mail.test",
        connection(("twice.mail.test", imap), ("localhost", smtp)),
    )
    .await;
    let connected = &report.steps[0];
    assert_eq!(connected.state, StepState::Passed, "{report:#?}");
    assert_eq!(
        connected
            .server
            .as_ref()
            .and_then(|server| server.address.as_deref()),
        Some("127.0.0.1")
    );

    let report = run(
        "refused@mail.test",
        connection(("localhost", imap), ("localhost", smtp)),
    )
    .await;
    let send = report_step(&report, CheckStep::SendTestEmail);
    assert_eq!(
        send.problem.as_ref().unwrap().code,
        CheckCode::SendRejected,
        "{report:#?}"
    );
    assert!(
        send.problem
            .as_ref()
            .unwrap()
            .server_reply
            .as_deref()
            .unwrap()
            .contains("Relaying denied")
    );

    let started = Instant::now();
    let report = run(
        "alice@mail.test",
        connection(("localhost", imap), ("localhost", smtp)),
    )
    .await;
    let arrived = report_step(&report, CheckStep::TestEmailArrived);
    assert_eq!(
        arrived.problem.as_ref().map(|p| p.code),
        Some(CheckCode::TestEmailNotReceived),
        "{report:#?}"
    );
    assert_eq!(report.outcome, CheckOutcome::Failed);
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// `mailsetup-server check` with `args`, the password on standard input, at the most verbose
/// log level.
async fn check_command(args: &[std::ffi::OsString], password: &str) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .args(args)
        .env("RUST_LOG", "trace")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        format!("{password}\n").as_bytes(),
    )
    .unwrap();
    tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_and_no_log_line_holds_the_password() {
    let servers = MailServers::start().await;
    let dir = TempDir::new("password-logs");
    let settings_file = dir.path().join("settings.json");
    std::fs::write(&settings_file, real_settings(&servers).to_string()).unwrap();
    let password = "Tr0ub4dor&3-secret";
    let mut args: Vec<std::ffi::OsString> = vec![
        "check".into(),
        MAIL_USER.into(),
        "--settings".into(),
        settings_file.clone().into(),
        "--password-stdin".into(),
        "--check-allow-network".into(),
        "127.0.0.0/8".into(),
        "--check-ca-file".into(),
        servers.ca.ca_file.clone().into(),
    ];
    for port in real_ports(&servers) {
        args.extend(["--check-allow-port".into(), port.to_string().into()]);
    }
    let output = check_command(&args, password).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a wrong password fails: {stdout}{stderr}"
    );
    assert!(
        stdout.contains("imap_login") && stdout.contains("check.login_failed"),
        "{stdout}"
    );
    // The right password passes (exit 0); an address that is none is bad input (exit 2).
    let passed = check_command(&args, MAIL_PASSWORD).await;
    let table = String::from_utf8_lossy(&passed.stdout);
    assert_eq!(passed.status.code(), Some(0), "{table}");
    assert!(
        table.contains("outcome: passed") && table.contains("smtp_login"),
        "{table}"
    );
    let bad = check_command(&["check".into(), "not-an-address".into()], "").await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("email."),
        "names core's code"
    );
    use base64::Engine;
    let forms = [
        password.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(password),
        base64::engine::general_purpose::STANDARD.encode(format!("\0{MAIL_USER}\0{password}")),
    ];
    for form in &forms {
        assert!(
            !stdout.contains(form.as_str()) && !stderr.contains(form.as_str()),
            "{form}"
        );
    }
    // The server's own event log, at the most verbose level, through a real server process.
    let log = dir.path().join("server.log");
    let tokens = dir.path().join("tokens");
    std::fs::write(
        &tokens,
        format!("admin {} {ADMIN_TOKEN}\n", crate::helpers::ADMIN_NAME),
    )
    .unwrap();
    let port = mailsetup_server::throwaway_postgres::free_loopback_port().unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .arg("--database")
        .arg(dir.path().join("db.sqlite"))
        .arg("--tokens")
        .arg(&tokens)
        .args(["--check-allow-network", "127.0.0.0/8", "--check-ca-file"])
        .arg(&servers.ca.ca_file)
        .args(
            real_ports(&servers)
                .iter()
                .flat_map(|port| ["--check-allow-port".to_owned(), port.to_string()]),
        )
        .env("RUST_LOG", "trace")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    crate::helpers::wait_until_healthy(&base).await;
    let client = reqwest::Client::new();
    for secret in [password, MAIL_PASSWORD] {
        let answer = client
            .post(format!("{base}/api/v1/connection-checks"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"email": MAIL_USER, "password": secret, "settings": real_settings(&servers)}))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!answer.contains(secret), "{answer}");
    }
    let _ = server.kill();
    let _ = server.wait();
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(
        written.contains("connection check"),
        "the check is logged as an event: {written}"
    );
    for secret in [password, MAIL_PASSWORD] {
        for form in [
            secret.to_owned(),
            base64::engine::general_purpose::STANDARD.encode(secret),
            base64::engine::general_purpose::STANDARD.encode(format!("\0{MAIL_USER}\0{secret}")),
        ] {
            assert!(!written.contains(&form), "the log holds {form}");
        }
    }
}
