//! A line-based conversation with a mail server (IMAP and SMTP are both CRLF lines), with
//! the check's bounds on every read: a line is at most 8 KiB, a step reads at most 64 KiB,
//! and each read waits no longer than the step's deadline.
//!
//! Owns: reading lines without reading past them (so the socket can be handed to TLS after
//! STARTTLS with nothing buffered), writing commands, and the bounds. Must not: know any
//! command or reply of a protocol.

use std::time::Duration;

use mailsetup_core::wire::CheckCode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::Failure;

/// The longest line a server may send.
pub const MAX_LINE_BYTES: usize = 8 * 1024;
/// The most a step reads from a server.
pub const MAX_STEP_BYTES: usize = 64 * 1024;

/// A stream and what has been read from it but not yet consumed.
pub struct Conversation<S> {
    stream: S,
    buffer: Vec<u8>,
    read_in_step: usize,
    /// Who is on the other end, for sentences (`imap.example.com`).
    host: String,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conversation<S> {
    pub fn new(stream: S, host: &str) -> Conversation<S> {
        Conversation {
            stream,
            buffer: Vec::new(),
            read_in_step: 0,
            host: host.to_owned(),
        }
    }

    /// A new step: its own read budget.
    pub fn start_step(&mut self) {
        self.read_in_step = 0;
    }

    /// The stream, for TLS after STARTTLS. Anything the server sent ahead of the handshake
    /// would be read as if it came over TLS (a known STARTTLS injection): refused.
    pub fn into_stream(self) -> Result<S, Failure> {
        if self.buffer.is_empty() {
            Ok(self.stream)
        } else {
            Err(Failure::new(
                CheckCode::TlsHandshakeFailed,
                format!(
                    "{} sent data before the TLS handshake after STARTTLS; the connection was not trusted.",
                    self.host
                ),
            ))
        }
    }

    pub async fn send(&mut self, line: &str, deadline: Instant) -> Result<(), Failure> {
        let write = async {
            self.stream.write_all(line.as_bytes()).await?;
            self.stream.write_all(b"\r\n").await?;
            self.stream.flush().await
        };
        match tokio::time::timeout_at(deadline, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(self.lost(&error)),
            Err(_) => Err(self.timed_out()),
        }
    }

    /// The next line without its CRLF, waiting until `deadline` at the most.
    pub async fn line(&mut self, deadline: Instant) -> Result<String, Failure> {
        loop {
            if let Some(end) = self.buffer.iter().position(|byte| *byte == b'\n') {
                let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(String::from_utf8_lossy(&line).into_owned());
            }
            if self.buffer.len() > MAX_LINE_BYTES {
                return Err(Failure::new(
                    CheckCode::GreetingUnexpected,
                    format!(
                        "{} sent a line longer than {} KiB, which no mail server sends.",
                        self.host,
                        MAX_LINE_BYTES / 1024
                    ),
                ));
            }
            if self.read_in_step >= MAX_STEP_BYTES {
                return Err(Failure::new(
                    CheckCode::GreetingUnexpected,
                    format!(
                        "{} sent more than {} KiB in one step; the check stopped reading.",
                        self.host,
                        MAX_STEP_BYTES / 1024
                    ),
                ));
            }
            let mut chunk = [0_u8; 1024];
            // No more than the rest of the budget. A server sends nothing after the reply we
            // wait for until we answer, so a read does not take bytes of a later reply.
            let room = (MAX_STEP_BYTES - self.read_in_step).min(chunk.len());
            let read =
                tokio::time::timeout_at(deadline, self.stream.read(&mut chunk[..room])).await;
            match read {
                Err(_) => return Err(self.timed_out()),
                Ok(Err(error)) => return Err(self.lost(&error)),
                Ok(Ok(0)) => {
                    return Err(Failure::new(
                        CheckCode::GreetingUnexpected,
                        format!("{} closed the connection.", self.host),
                    )
                    .replied(String::from_utf8_lossy(&self.buffer).trim().to_owned()));
                }
                Ok(Ok(count)) => {
                    self.read_in_step += count;
                    self.buffer.extend_from_slice(&chunk[..count]);
                }
            }
        }
    }

    /// Waits at most `wait` for the first bytes; `Ok(false)` when none came.
    pub async fn has_spoken_within(&mut self, wait: Duration) -> Result<bool, Failure> {
        if !self.buffer.is_empty() {
            return Ok(true);
        }
        let mut chunk = [0_u8; 1024];
        match tokio::time::timeout(wait, self.stream.read(&mut chunk)).await {
            Err(_) => Ok(false),
            Ok(Err(error)) => Err(self.lost(&error)),
            Ok(Ok(0)) => Err(Failure::new(
                CheckCode::GreetingUnexpected,
                format!("{} closed the connection without a greeting.", self.host),
            )),
            Ok(Ok(count)) => {
                self.read_in_step += count;
                self.buffer.extend_from_slice(&chunk[..count]);
                Ok(true)
            }
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    fn timed_out(&self) -> Failure {
        Failure::new(
            CheckCode::ConnectionTimedOut,
            format!("{} stopped answering.", self.host),
        )
    }

    /// A read or write that failed: a TLS alert (in TLS 1.3 a server refuses after the
    /// client's side of the handshake is done, e.g. for want of a client certificate) is the
    /// handshake's failure; anything else a broken connection.
    fn lost(&self, error: &std::io::Error) -> Failure {
        if let Some(tls) = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Failure::new(
                super::tls::handshake_code(tls),
                format!("The TLS session with {} failed: {tls}.", self.host),
            );
        }
        Failure::new(
            CheckCode::ServerError,
            format!("The connection to {} broke: {error}.", self.host),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(2)
    }

    #[tokio::test]
    async fn lines_are_read_one_at_a_time_without_their_line_ends() {
        let (client, mut server) = duplex(64 * 1024);
        server
            .write_all(b"* OK ready\r\na1 OK done\n")
            .await
            .unwrap();
        let mut conversation = Conversation::new(client, "imap.example.com");
        assert_eq!(conversation.line(soon()).await.unwrap(), "* OK ready");
        assert_eq!(conversation.line(soon()).await.unwrap(), "a1 OK done");
    }

    #[tokio::test]
    async fn a_line_over_8_kib_ends_the_step() {
        let (client, mut server) = duplex(64 * 1024);
        server
            .write_all(&vec![b'x'; MAX_LINE_BYTES + 2048])
            .await
            .unwrap();
        let mut conversation = Conversation::new(client, "imap.example.com");
        let failure = conversation.line(soon()).await.unwrap_err();
        assert_eq!(failure.code, CheckCode::GreetingUnexpected);
        assert!(failure.detail.contains("8 KiB"), "{}", failure.detail);
    }

    #[tokio::test]
    async fn a_step_reads_at_most_64_kib_and_a_new_step_has_its_own_budget() {
        let (client, mut server) = duplex(256 * 1024);
        let line = format!("* {}\r\n", "y".repeat(1000));
        let writer = tokio::spawn(async move {
            for _ in 0..200 {
                if server.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
            }
            server
        });
        let mut conversation = Conversation::new(client, "imap.example.com");
        let mut read = 0;
        let failure = loop {
            match conversation.line(soon()).await {
                Ok(_) => read += 1,
                Err(failure) => break failure,
            }
        };
        assert!(failure.detail.contains("64 KiB"), "{}", failure.detail);
        assert!((60..=66).contains(&read), "{read} lines");
        conversation.start_step();
        assert!(conversation.line(soon()).await.is_ok());
        drop(writer);
    }

    #[tokio::test]
    async fn silence_past_the_deadline_is_a_timeout_and_a_closed_stream_is_named() {
        let (client, server) = duplex(1024);
        let mut conversation = Conversation::new(client, "imap.example.com");
        let failure = conversation
            .line(Instant::now() + Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(failure.code, CheckCode::ConnectionTimedOut);
        drop(server);
        let failure = conversation.line(soon()).await.unwrap_err();
        assert!(failure.detail.contains("closed"), "{}", failure.detail);
    }

    #[tokio::test]
    async fn bytes_sent_ahead_of_a_tls_handshake_are_refused() {
        let (client, mut server) = duplex(1024);
        server
            .write_all(b"s2 OK go\r\n* injected\r\n")
            .await
            .unwrap();
        let mut conversation = Conversation::new(client, "imap.example.com");
        assert_eq!(conversation.line(soon()).await.unwrap(), "s2 OK go");
        assert!(conversation.into_stream().is_err());
    }
}
