//! Proves the mail-server harness (the `mailsetup-mail-servers` crate, fake_servers.rs) works on
//! its own, without the connection check: real IMAP and SMTP dialogues over tokio-rustls that
//! trust only the test CA, a message sent through Exim found in the maildir and through
//! Dovecot, and the fakes answering as documented.
//!
//! This file tests the harness only: it must not use the server's check module (that has tests
//! of its own), and it waits on what it can observe (a greeting, a reply, a file), never on a
//! bare sleep.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailsetup_mail_servers::{MAIL_PASSWORD, MAIL_USER, MailServers, TestCa};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::fake_servers::{self, Behaviour, EwsAnswer};
use crate::helpers::random_hex;

/// How long any one reply may take.
const REPLY_WAIT: Duration = Duration::from_secs(10);
/// How long Exim may take to put an accepted message into the maildir.
const DELIVERY_WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn imap_over_implicit_tls_greets_with_a_certificate_from_the_test_ca() {
    let servers = MailServers::start().await;
    let mut imap = Dialogue::new(tls_connect(&servers.ca, servers.imap_tls_port).await);
    let greeting = imap.line().await;
    assert!(greeting.starts_with("* OK"), "greeting: {greeting:?}");
    let login = imap
        .command(&format!("a LOGIN \"{MAIL_USER}\" \"{MAIL_PASSWORD}\"\r\n"))
        .await;
    assert!(login.starts_with("a OK"), "LOGIN over TLS: {login:?}");
}

#[tokio::test]
async fn imap_refuses_login_before_starttls_and_accepts_it_after() {
    let servers = MailServers::start().await;

    let mut plain = Dialogue::new(tcp_connect(servers.imap_starttls_port).await);
    let greeting = plain.line().await;
    assert!(greeting.starts_with("* OK"), "greeting: {greeting:?}");
    assert!(greeting.contains("STARTTLS"), "greeting: {greeting:?}");
    let refused = plain
        .command(&format!("a LOGIN \"{MAIL_USER}\" \"{MAIL_PASSWORD}\"\r\n"))
        .await;
    assert!(refused.starts_with("a NO"), "LOGIN before TLS: {refused:?}");

    let mut plain = Dialogue::new(tcp_connect(servers.imap_starttls_port).await);
    plain.line().await;
    let started = plain.command("a STARTTLS\r\n").await;
    assert!(started.starts_with("a OK"), "STARTTLS: {started:?}");
    let mut secure = Dialogue::new(tls_upgrade(&servers.ca, plain.into_inner()).await);
    let login = secure
        .command(&format!("b LOGIN \"{MAIL_USER}\" \"{MAIL_PASSWORD}\"\r\n"))
        .await;
    assert!(login.starts_with("b OK"), "LOGIN after STARTTLS: {login:?}");
}

#[tokio::test]
async fn a_message_submitted_through_exim_arrives_in_the_imap_inbox() {
    let servers = MailServers::start().await;
    let message_id = format!("<selftest-{}@mail.test>", random_hex(8));

    let mut plain = Dialogue::new(tcp_connect(servers.smtp_starttls_port).await);
    let greeting = plain.smtp_reply().await;
    assert!(greeting.starts_with("220"), "greeting: {greeting:?}");
    plain.send("EHLO selftest.mail.test\r\n").await;
    let before = plain.smtp_reply().await;
    assert!(before.starts_with("250"), "EHLO: {before:?}");
    assert!(before.contains("STARTTLS"), "EHLO before TLS: {before:?}");
    assert!(!before.contains("AUTH"), "AUTH before TLS: {before:?}");
    plain.send("STARTTLS\r\n").await;
    let ready = plain.smtp_reply().await;
    assert!(ready.starts_with("220"), "STARTTLS: {ready:?}");

    let mut smtp = Dialogue::new(tls_upgrade(&servers.ca, plain.into_inner()).await);
    smtp.send("EHLO selftest.mail.test\r\n").await;
    let after = smtp.smtp_reply().await;
    assert!(
        after.contains("AUTH PLAIN LOGIN"),
        "EHLO after TLS: {after:?}"
    );
    let credentials = BASE64.encode(format!("\0{MAIL_USER}\0{MAIL_PASSWORD}"));
    let steps = [
        (format!("AUTH PLAIN {credentials}\r\n"), "235"),
        (format!("MAIL FROM:<{MAIL_USER}>\r\n"), "250"),
        (format!("RCPT TO:<{MAIL_USER}>\r\n"), "250"),
        ("DATA\r\n".to_owned(), "354"),
        (
            format!(
                "From: <{MAIL_USER}>\r\nTo: <{MAIL_USER}>\r\nSubject: harness self-test\r\n\
                 Message-ID: {message_id}\r\n\r\nHello from the self-test.\r\n.\r\n"
            ),
            "250",
        ),
        ("QUIT\r\n".to_owned(), "221"),
    ];
    for (command, expected) in steps {
        smtp.send(&command).await;
        let reply = smtp.smtp_reply().await;
        assert!(
            reply.starts_with(expected),
            "{command:?} → {reply:?}\n{}",
            servers.logs()
        );
    }

    let deadline = Instant::now() + DELIVERY_WAIT;
    while !servers
        .delivered()
        .iter()
        .any(|message| message.contains(&message_id))
    {
        assert!(
            Instant::now() < deadline,
            "{message_id} not in the maildir after {DELIVERY_WAIT:?}\n{}",
            servers.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut imap = Dialogue::new(tls_connect(&servers.ca, servers.imap_tls_port).await);
    imap.line().await;
    let login = imap
        .command(&format!("a LOGIN \"{MAIL_USER}\" \"{MAIL_PASSWORD}\"\r\n"))
        .await;
    assert!(login.starts_with("a OK"), "LOGIN: {login:?}");
    let selected = imap.command("b SELECT INBOX\r\n").await;
    assert!(selected.starts_with("b OK"), "SELECT: {selected:?}");
    imap.send(&format!("c SEARCH HEADER Message-ID \"{message_id}\"\r\n"))
        .await;
    let untagged = imap.line().await;
    assert_eq!(untagged, "* SEARCH 1", "SEARCH for {message_id}");
    let done = imap.line().await;
    assert!(done.starts_with("c OK"), "SEARCH: {done:?}");
}

#[tokio::test]
async fn smtp_over_implicit_tls_takes_auth_login() {
    let servers = MailServers::start().await;
    let mut smtp = Dialogue::new(tls_connect(&servers.ca, servers.smtp_tls_port).await);
    let greeting = smtp.smtp_reply().await;
    assert!(greeting.starts_with("220"), "greeting: {greeting:?}");
    let steps = [
        ("EHLO selftest.mail.test\r\n".to_owned(), "250"),
        ("AUTH LOGIN\r\n".to_owned(), "334"),
        (format!("{}\r\n", BASE64.encode(MAIL_USER)), "334"),
        (format!("{}\r\n", BASE64.encode(MAIL_PASSWORD)), "235"),
    ];
    for (command, expected) in steps {
        smtp.send(&command).await;
        let reply = smtp.smtp_reply().await;
        assert!(reply.starts_with(expected), "{command:?} → {reply:?}");
    }
}

#[tokio::test]
async fn fakes_answer_as_documented() {
    let dir = crate::helpers::TempDir::new("fakes");
    let ca = TestCa::new(dir.path());

    let banner = fake_servers::banner("SSH-2.0-OpenSSH_9.2\r\n");
    let mut ssh = Dialogue::new(tcp_connect(banner.port()).await);
    assert_eq!(ssh.line().await, "SSH-2.0-OpenSSH_9.2");

    let plain = fake_servers::plain_text_on_tls_port();
    let mut imap = Dialogue::new(tcp_connect(plain.port()).await);
    assert_eq!(imap.line().await, "* OK plain text IMAP");

    let (cert, key) = ca.leaf_now(&["localhost", "127.0.0.1"]);
    let fake = fake_servers::tls(&cert, &key, Behaviour::Imap);
    let mut imap = Dialogue::new(tls_connect(&ca, fake.port()).await);
    assert_eq!(imap.line().await, "* OK fake ready");
    imap.send("a CAPABILITY\r\n").await;
    assert!(imap.line().await.starts_with("* CAPABILITY IMAP4rev1"));
    assert!(imap.line().await.starts_with("a OK"));

    let day = Duration::from_secs(24 * 60 * 60);
    let now = SystemTime::now();
    let (expired, expired_key) = ca.leaf(&["localhost"], now - 30 * day, now - day);
    let fake = fake_servers::tls(&expired, &expired_key, Behaviour::Imap);
    let tcp = tcp_connect(fake.port()).await;
    let refused = tls_connector(&ca)
        .connect(localhost(), tcp)
        .await
        .expect_err("rustls accepted an expired certificate");
    assert!(
        refused.to_string().to_lowercase().contains("expired"),
        "refusal: {refused}"
    );
}

#[tokio::test]
async fn the_https_fake_wants_basic_credentials_and_records_requests() {
    let dir = crate::helpers::TempDir::new("fakes");
    let ca = TestCa::new(dir.path());
    let (cert, key) = ca.leaf_now(&["localhost"]);
    let schemes = vec![
        "Negotiate".to_owned(),
        "NTLM".to_owned(),
        "Basic realm=\"mail\"".to_owned(),
    ];
    let fake = fake_servers::https_ews(&cert, &key, EwsAnswer::Unauthorized { schemes });
    let mut http = Dialogue::new(tls_connect(&ca, fake.port()).await);
    let body = "<soap/>";
    http.send(&format!(
        "POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ))
    .await;
    let head = http.http_head().await;
    assert!(head[0].starts_with("HTTP/1.1 401"), "{head:?}");
    let challenges: Vec<&String> = head
        .iter()
        .filter(|line| line.starts_with("WWW-Authenticate: "))
        .collect();
    assert_eq!(challenges.len(), 3, "{head:?}");

    let credentials = BASE64.encode(format!("{MAIL_USER}:{MAIL_PASSWORD}"));
    http.send(&format!(
        "POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: localhost\r\n\
         Authorization: Basic {credentials}\r\nContent-Length: 0\r\n\r\n"
    ))
    .await;
    let head = http.http_head().await;
    assert!(head[0].starts_with("HTTP/1.1 200"), "{head:?}");

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/EWS/Exchange.asmx");
    assert_eq!(requests[0].body, body.as_bytes());
    assert_eq!(requests[0].header("authorization"), None);
    assert!(requests[1].header("Authorization").is_some());
}

/// A line-based conversation over any stream; every read is bounded by [`REPLY_WAIT`].
struct Dialogue<S> {
    reader: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<S> {
    fn new(stream: S) -> Dialogue<S> {
        Dialogue {
            reader: BufReader::new(stream),
        }
    }

    async fn send(&mut self, text: &str) {
        let stream = self.reader.get_mut();
        stream.write_all(text.as_bytes()).await.expect("send");
        stream.flush().await.expect("flush");
    }

    /// One line without its CRLF.
    async fn line(&mut self) -> String {
        let mut line = String::new();
        let read = tokio::time::timeout(REPLY_WAIT, self.reader.read_line(&mut line))
            .await
            .expect("a reply within the wait")
            .expect("read a line");
        assert!(read > 0, "the server closed the connection");
        line.trim_end_matches(['\r', '\n']).to_owned()
    }

    /// Sends an IMAP command and returns its tagged reply (untagged lines skipped).
    async fn command(&mut self, command: &str) -> String {
        let tag = command.split(' ').next().expect("a tag").to_owned();
        self.send(command).await;
        loop {
            let line = self.line().await;
            if line.starts_with(&format!("{tag} ")) {
                return line;
            }
        }
    }

    /// A whole SMTP reply: its lines joined by newlines, up to the one with `NNN `.
    async fn smtp_reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let line = self.line().await;
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    /// An HTTP answer's head (status line and headers); reads and drops its body.
    async fn http_head(&mut self) -> Vec<String> {
        let mut head = Vec::new();
        loop {
            let line = self.line().await;
            if line.is_empty() {
                break;
            }
            head.push(line);
        }
        let length: usize = head
            .iter()
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .map_or(0, |value| value.parse().expect("a Content-Length number"));
        let mut body = vec![0u8; length];
        tokio::time::timeout(
            REPLY_WAIT,
            tokio::io::AsyncReadExt::read_exact(&mut self.reader, &mut body),
        )
        .await
        .expect("the body within the wait")
        .expect("read the body");
        head
    }

    /// The stream, for a STARTTLS upgrade (nothing may be left unread in the buffer).
    fn into_inner(self) -> S {
        assert!(
            self.reader.buffer().is_empty(),
            "the server sent more before the TLS handshake"
        );
        self.reader.into_inner()
    }
}

async fn tcp_connect(port: u16) -> TcpStream {
    tokio::time::timeout(REPLY_WAIT, TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connect within the wait")
        .expect("connect to 127.0.0.1")
}

async fn tls_connect(ca: &TestCa, port: u16) -> TlsStream<TcpStream> {
    tls_upgrade(ca, tcp_connect(port).await).await
}

async fn tls_upgrade(ca: &TestCa, tcp: TcpStream) -> TlsStream<TcpStream> {
    tokio::time::timeout(REPLY_WAIT, tls_connector(ca).connect(localhost(), tcp))
        .await
        .expect("a TLS handshake within the wait")
        .expect("a TLS handshake trusting the test CA")
}

/// rustls trusting the test CA alone.
fn tls_connector(ca: &TestCa) -> TlsConnector {
    TlsConnector::from(Arc::new(ca.client_config()))
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("a server name")
}
