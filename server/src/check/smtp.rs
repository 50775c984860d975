//! SMTP for the check, written over the vetted stream (lettre's transport cannot take our
//! socket and verifier; the dialogue is small): greeting, EHLO, STARTTLS, the AUTH mechanisms
//! offered after TLS, AUTH PLAIN or LOGIN, and the test message to the person's own address.
//!
//! Owns: SMTP's commands and replies (RFC 5321, 4954, 3207) and the test message's text.
//! Must not: send credentials before TLS, nor put the password in any sentence.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailsetup_core::CertificateTrust;
use mailsetup_core::wire::CheckCode;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::client::TlsStream;
use zeroize::Zeroizing;

use super::connection::{
    MailSession, Target, login_not_offered, login_refused, secure_connection, starttls_not_offered,
    starttls_refused,
};
use super::conversation::Conversation;
use super::tls::Handshake;
use super::{CheckSetup, Credentials, Failure};

/// The name we give in EHLO.
const EHLO_NAME: &str = "mailsetup-check.invalid";

/// A connection that passed `smtp_connect`: over TLS, greeted, EHLO answered.
pub struct SmtpSession {
    conversation: Conversation<TlsStream<TcpStream>>,
    pub address: IpAddr,
    pub handshake: Handshake,
    /// AUTH mechanisms offered after TLS.
    pub mechanisms: Vec<String>,
}

/// One SMTP reply: its code and every line's text.
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        self.lines.join("\n")
    }
}

pub async fn connect(
    setup: &CheckSetup,
    target: &Target,
    trust: &CertificateTrust,
    deadline: Instant,
) -> Result<SmtpSession, Failure> {
    let (mut conversation, address, handshake) = secure_connection(
        setup,
        target,
        trust,
        deadline,
        async |plain| {
            read_greeting(plain, deadline).await?;
            let extensions = ehlo(plain, deadline).await?;
            if !extensions
                .iter()
                .any(|e| e.eq_ignore_ascii_case("STARTTLS"))
            {
                return Err(starttls_not_offered(target, 465, extensions.join("\n")));
            }
            plain.send("STARTTLS", deadline).await?;
            let answer = reply(plain, deadline).await?;
            if answer.code == 220 {
                Ok(())
            } else {
                Err(starttls_refused(target, answer.text()))
            }
        },
        async |tls| read_greeting(tls, deadline).await,
    )
    .await?;
    let at = |failure: Failure| failure.at(address);
    let extensions = ehlo(&mut conversation, deadline)
        .await
        .map_err(|failure| at(failure.with_tls(handshake.report.clone())))?;
    let mechanisms = extensions
        .iter()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words
                .next()
                .filter(|word| word.eq_ignore_ascii_case("AUTH"))
                .map(|_| words.map(str::to_ascii_uppercase).collect::<Vec<_>>())
        })
        .flatten()
        .collect();
    Ok(SmtpSession {
        conversation,
        address,
        handshake,
        mechanisms,
    })
}

impl SmtpSession {
    /// Sends `message` (headers and body, CRLF lines) from `address` to itself.
    pub async fn send_to_self(
        &mut self,
        address: &str,
        message: &str,
        deadline: Instant,
    ) -> Result<(), Failure> {
        let host = self.conversation.host().to_owned();
        for command in [
            format!("MAIL FROM:<{address}>"),
            format!("RCPT TO:<{address}>"),
        ] {
            self.conversation.send(&command, deadline).await?;
            let answer = reply(&mut self.conversation, deadline).await?;
            if answer.code / 100 != 2 {
                return Err(rejected(&host, &answer));
            }
        }
        self.conversation.send("DATA", deadline).await?;
        let answer = reply(&mut self.conversation, deadline).await?;
        if answer.code != 354 {
            return Err(rejected(&host, &answer));
        }
        let mut body = String::new();
        for line in message.split("\r\n") {
            // Dot-stuffing (RFC 5321 4.5.2).
            if line.starts_with('.') {
                body.push('.');
            }
            body.push_str(line);
            body.push_str("\r\n");
        }
        body.push('.');
        self.conversation.send(&body, deadline).await?;
        let answer = reply(&mut self.conversation, deadline).await?;
        if answer.code / 100 != 2 {
            return Err(rejected(&host, &answer));
        }
        Ok(())
    }

    pub async fn quit(mut self, deadline: Instant) {
        let _ = self.conversation.send("QUIT", deadline).await;
    }
}

impl MailSession for SmtpSession {
    fn connected(&self) -> (IpAddr, &Handshake, &[String]) {
        (self.address, &self.handshake, &self.mechanisms)
    }

    fn start_step(&mut self) {
        self.conversation.start_step();
    }

    /// AUTH PLAIN when offered, else AUTH LOGIN.
    async fn login(&mut self, credentials: &Credentials, deadline: Instant) -> Result<(), Failure> {
        let host = self.conversation.host().to_owned();
        let answer = if self.mechanisms.iter().any(|m| m == "PLAIN") {
            let command = Zeroizing::new(format!(
                "AUTH PLAIN {}",
                BASE64.encode(format!(
                    "\0{}\0{}",
                    credentials.username,
                    credentials.password.expose()
                ))
            ));
            self.conversation.send(&command, deadline).await?;
            reply(&mut self.conversation, deadline).await?
        } else if self.mechanisms.iter().any(|m| m == "LOGIN") {
            self.conversation.send("AUTH LOGIN", deadline).await?;
            let first = reply(&mut self.conversation, deadline).await?;
            if first.code != 334 {
                return Err(login_failed(&host, credentials, &first));
            }
            self.conversation
                .send(&BASE64.encode(&credentials.username), deadline)
                .await?;
            let second = reply(&mut self.conversation, deadline).await?;
            if second.code != 334 {
                return Err(login_failed(&host, credentials, &second));
            }
            let password = Zeroizing::new(BASE64.encode(credentials.password.expose()));
            self.conversation.send(&password, deadline).await?;
            reply(&mut self.conversation, deadline).await?
        } else {
            return Err(login_not_offered(&host, &self.mechanisms));
        };
        if answer.code == 235 {
            Ok(())
        } else {
            Err(login_failed(&host, credentials, &answer))
        }
    }
}

fn login_failed(host: &str, credentials: &Credentials, answer: &Reply) -> Failure {
    login_refused(host, credentials, &answer.text())
}

fn rejected(host: &str, answer: &Reply) -> Failure {
    Failure::new(
        CheckCode::SendRejected,
        format!("{host} refused to send the test message."),
    )
    .replied(answer.text())
}

async fn read_greeting<S: AsyncRead + AsyncWrite + Unpin>(
    conversation: &mut Conversation<S>,
    deadline: Instant,
) -> Result<(), Failure> {
    let first = conversation.line(deadline).await?;
    if !first.starts_with("220") {
        let code = if first.starts_with("421") || first.starts_with("554") {
            CheckCode::ServerError
        } else {
            CheckCode::GreetingUnexpected
        };
        return Err(Failure::new(
            code,
            format!(
                "{} did not greet like an SMTP server. Check the port: it may belong to another service.",
                conversation.host()
            ),
        )
        .replied(first));
    }
    let mut line = first;
    while line.as_bytes().get(3) == Some(&b'-') {
        line = conversation.line(deadline).await?;
    }
    Ok(())
}

/// EHLO: the extension lines of its 250 answer (without the first, the server's name).
async fn ehlo<S: AsyncRead + AsyncWrite + Unpin>(
    conversation: &mut Conversation<S>,
    deadline: Instant,
) -> Result<Vec<String>, Failure> {
    conversation
        .send(&format!("EHLO {EHLO_NAME}"), deadline)
        .await?;
    let answer = reply(conversation, deadline).await?;
    if answer.code != 250 {
        return Err(Failure::new(
            CheckCode::GreetingUnexpected,
            format!("{} refused EHLO.", conversation.host()),
        )
        .replied(answer.text()));
    }
    Ok(answer.lines.into_iter().skip(1).collect())
}

/// One reply, all its lines.
async fn reply<S: AsyncRead + AsyncWrite + Unpin>(
    conversation: &mut Conversation<S>,
    deadline: Instant,
) -> Result<Reply, Failure> {
    let mut lines = Vec::new();
    loop {
        let line = conversation.line(deadline).await?;
        let code = line
            .get(..3)
            .and_then(|digits| digits.parse::<u16>().ok())
            .ok_or_else(|| {
                Failure::new(
                    CheckCode::GreetingUnexpected,
                    format!(
                        "{} answered in a way SMTP servers do not.",
                        conversation.host()
                    ),
                )
                .replied(line.clone())
            })?;
        let last = line.as_bytes().get(3) != Some(&b'-');
        lines.push(line.get(4..).unwrap_or_default().to_owned());
        if last {
            return Ok(Reply { code, lines });
        }
    }
}

/// The test message: from the address to itself, with a random token, in English and Polish.
pub fn test_message(address: &str, message_id: &str, token: &str, date: &str) -> String {
    [
        format!("From: <{address}>"),
        format!("To: <{address}>"),
        "Subject: Test message from the mail settings check / Wiadomość testowa".to_owned(),
        format!("Message-ID: {message_id}"),
        format!("Date: {date}"),
        "MIME-Version: 1.0".to_owned(),
        "Content-Type: text/plain; charset=utf-8".to_owned(),
        "Content-Transfer-Encoding: 8bit".to_owned(),
        String::new(),
        "This message was sent by the mail settings check to confirm that your outgoing server"
            .to_owned(),
        "can send and your inbox receives. You can delete it.".to_owned(),
        String::new(),
        "Tę wiadomość wysłało sprawdzenie ustawień poczty, aby potwierdzić, że serwer poczty"
            .to_owned(),
        "wychodzącej wysyła, a skrzynka odbiorcza odbiera. Możesz ją usunąć.".to_owned(),
        String::new(),
        format!("Check token: {token}"),
    ]
    .join("\r\n")
}
