//! IMAP for the check: connect (implicit TLS, or a plain greeting then STARTTLS), read the
//! capabilities offered after TLS, sign in (AUTHENTICATE PLAIN when offered, else LOGIN), and
//! look for the test message in INBOX by its Message-ID.
//!
//! Owns: IMAP's commands and replies (RFC 9051/3501), the few this check needs. Must not: send
//! the password over a connection whose certificate did not pass as the settings' certificate
//! trust asks (`any` lets any through), nor put it in any sentence.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailsetup_core::CertificateTrust;
use mailsetup_core::wire::CheckCode;
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

/// A connection that passed `imap_connect`: over TLS, greeted, capabilities read.
pub struct ImapSession {
    conversation: Conversation<TlsStream<TcpStream>>,
    pub address: IpAddr,
    pub handshake: Handshake,
    /// `AUTH=` mechanisms offered after TLS.
    pub mechanisms: Vec<String>,
    login_disabled: bool,
    next_tag: u32,
}

/// Connects to `target` as its security says, up to reading the capabilities after TLS.
pub async fn connect(
    setup: &CheckSetup,
    target: &Target,
    trust: &CertificateTrust,
    deadline: Instant,
) -> Result<ImapSession, Failure> {
    let (tls, address, handshake) = secure_connection(
        setup,
        target,
        trust,
        deadline,
        async |plain| {
            read_greeting(plain, deadline).await?;
            let capabilities = capabilities(plain, "s1", deadline).await?;
            if !capabilities
                .iter()
                .any(|c| c.eq_ignore_ascii_case("STARTTLS"))
            {
                return Err(starttls_not_offered(target, 993, capabilities.join(" ")));
            }
            plain.send("s2 STARTTLS", deadline).await?;
            let reply = tagged_reply(plain, "s2", deadline).await?;
            if reply.ok {
                Ok(())
            } else {
                Err(starttls_refused(target, reply.line))
            }
        },
        async |tls| read_greeting(tls, deadline).await,
    )
    .await?;
    let at = |failure: Failure| failure.at(address);
    let mut session = ImapSession {
        conversation: tls,
        address,
        handshake,
        mechanisms: Vec::new(),
        login_disabled: false,
        next_tag: 1,
    };
    let tag = session.tag();
    let capabilities = capabilities(&mut session.conversation, &tag, deadline)
        .await
        .map_err(|failure| at(failure.with_tls(session.handshake.report.clone())))?;
    session.mechanisms = capabilities
        .iter()
        .filter_map(|capability| {
            capability
                .get(..5)
                .filter(|prefix| prefix.eq_ignore_ascii_case("AUTH="))
                .map(|_| capability[5..].to_ascii_uppercase())
        })
        .collect();
    session.login_disabled = capabilities
        .iter()
        .any(|capability| capability.eq_ignore_ascii_case("LOGINDISABLED"));
    Ok(session)
}

impl ImapSession {
    fn tag(&mut self) -> String {
        self.next_tag += 1;
        format!("c{}", self.next_tag)
    }

    /// Selects INBOX and searches it for `message_id` (with its angle brackets).
    pub async fn inbox_holds(
        &mut self,
        message_id: &str,
        deadline: Instant,
    ) -> Result<bool, Failure> {
        let tag = self.tag();
        self.conversation
            .send(&format!("{tag} SELECT INBOX"), deadline)
            .await?;
        let selected = tagged_reply(&mut self.conversation, &tag, deadline).await?;
        if !selected.ok {
            return Err(Failure::new(
                CheckCode::ServerError,
                "The inbox could not be opened to look for the test message.",
            )
            .replied(selected.line));
        }
        let tag = self.tag();
        self.conversation
            .send(
                &format!("{tag} SEARCH HEADER Message-ID {}", quoted(message_id)),
                deadline,
            )
            .await?;
        let mut found = false;
        loop {
            let line = self.conversation.line(deadline).await?;
            if let Some(numbers) = line.strip_prefix("* SEARCH") {
                found |= numbers.split_whitespace().next().is_some();
            } else if line.starts_with(&format!("{tag} ")) {
                return Ok(found);
            }
        }
    }

    /// Ends the session politely (best effort).
    pub async fn logout(mut self, deadline: Instant) {
        let tag = self.tag();
        let _ = self
            .conversation
            .send(&format!("{tag} LOGOUT"), deadline)
            .await;
    }
}

impl MailSession for ImapSession {
    fn connected(&self) -> (IpAddr, &Handshake, &[String]) {
        (self.address, &self.handshake, &self.mechanisms)
    }

    fn start_step(&mut self) {
        self.conversation.start_step();
    }

    /// Signs in: AUTHENTICATE PLAIN when offered, else LOGIN.
    async fn login(&mut self, credentials: &Credentials, deadline: Instant) -> Result<(), Failure> {
        let host = self.conversation.host().to_owned();
        let tag = self.tag();
        let reply = if self.mechanisms.iter().any(|m| m == "PLAIN") {
            self.conversation
                .send(&format!("{tag} AUTHENTICATE PLAIN"), deadline)
                .await?;
            let continuation = self.conversation.line(deadline).await?;
            if !continuation.starts_with('+') {
                return Err(Failure::new(
                    CheckCode::LoginFailed,
                    format!("{host} did not accept AUTHENTICATE PLAIN."),
                )
                .replied(credentials.scrub(&continuation)));
            }
            let response = Zeroizing::new(BASE64.encode(format!(
                "\0{}\0{}",
                credentials.username,
                credentials.password.expose()
            )));
            self.conversation.send(&response, deadline).await?;
            tagged_reply(&mut self.conversation, &tag, deadline).await?
        } else if !self.login_disabled {
            let command = Zeroizing::new(format!(
                "{tag} LOGIN {} {}",
                quoted(&credentials.username),
                quoted(credentials.password.expose())
            ));
            self.conversation.send(&command, deadline).await?;
            tagged_reply(&mut self.conversation, &tag, deadline).await?
        } else {
            return Err(login_not_offered(&host, &self.mechanisms));
        };
        if reply.ok {
            Ok(())
        } else {
            Err(login_refused(&host, credentials, &reply.line))
        }
    }
}

/// Reads the greeting: `* OK`, `* PREAUTH`; a `* BYE` or anything else ends the step.
async fn read_greeting<S>(
    conversation: &mut Conversation<S>,
    deadline: Instant,
) -> Result<(), Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let line = conversation.line(deadline).await?;
    let upper = line.to_ascii_uppercase();
    if upper.starts_with("* OK") || upper.starts_with("* PREAUTH") {
        Ok(())
    } else if upper.starts_with("* BYE") {
        Err(Failure::new(
            CheckCode::ServerError,
            format!("{} turned the connection away.", conversation.host()),
        )
        .replied(line))
    } else {
        Err(Failure::new(
            CheckCode::GreetingUnexpected,
            format!(
                "{} did not greet like an IMAP server. Check the port: it may belong to another service.",
                conversation.host()
            ),
        )
        .replied(line))
    }
}

/// CAPABILITY, as the words of its untagged answer.
async fn capabilities<S>(
    conversation: &mut Conversation<S>,
    tag: &str,
    deadline: Instant,
) -> Result<Vec<String>, Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    conversation
        .send(&format!("{tag} CAPABILITY"), deadline)
        .await?;
    let mut words = Vec::new();
    loop {
        let line = conversation.line(deadline).await?;
        let upper = line.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("* CAPABILITY") {
            words.extend(
                line[line.len() - rest.len()..]
                    .split_whitespace()
                    .map(str::to_owned),
            );
        } else if line.starts_with(&format!("{tag} ")) {
            if upper[tag.len() + 1..].starts_with("OK") {
                return Ok(words);
            }
            return Err(Failure::new(
                CheckCode::GreetingUnexpected,
                format!("{} refused CAPABILITY.", conversation.host()),
            )
            .replied(line));
        }
    }
}

/// A tagged completion: OK or not, and its line without our tag (the server's own words:
/// `NO [AUTHENTICATIONFAILED] Authentication failed.`).
struct Completion {
    ok: bool,
    line: String,
}

async fn tagged_reply<S>(
    conversation: &mut Conversation<S>,
    tag: &str,
    deadline: Instant,
) -> Result<Completion, Failure>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let prefix = format!("{tag} ");
    loop {
        let line = conversation.line(deadline).await?;
        if let Some(rest) = line.strip_prefix(&prefix) {
            return Ok(Completion {
                ok: rest
                    .get(..2)
                    .is_some_and(|word| word.eq_ignore_ascii_case("OK")),
                line: rest.to_owned(),
            });
        }
    }
}

/// An IMAP quoted string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_escape_backslash_and_quote() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
