//! How a step reaches a mail server: the [`Target`] (host, port, security), opened through the
//! address policy within the connect bound, and made secure as its security says — TLS from
//! the first byte, or the protocol's plain dialogue up to STARTTLS and then TLS on the same
//! socket. A STARTTLS port that stays silent is probed with TLS (`tls_expected`).
//!
//! Owns: the order connect, TLS, greeting that IMAP and SMTP share. Must not: know a command
//! of either protocol (they pass their dialogues in).

use std::net::IpAddr;
use std::time::Duration;

use mailsetup_core::wire::{CheckCode, CheckedServer, Suggestion};
use mailsetup_core::{CertificateTrust, Endpoint, Security};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::client::TlsStream;

use super::conversation::Conversation;
use super::run::remaining;
use super::tls::Handshake;
use super::{CheckSetup, Failure};

/// How long a STARTTLS port may stay silent before the check tries TLS on it.
const SILENCE_BEFORE_TLS_PROBE: Duration = Duration::from_secs(3);

/// A conversation over TLS.
pub type Secured = Conversation<TlsStream<TcpStream>>;

/// A connection that passed its connect step (IMAP's or SMTP's), ready to sign in.
pub(crate) trait MailSession {
    /// The address connected to, the TLS session, and the sign-in mechanisms offered.
    fn connected(&self) -> (IpAddr, &Handshake, &[String]);

    /// A new step on the same connection: its own read budget.
    fn start_step(&mut self);

    async fn login(
        &mut self,
        credentials: &super::Credentials,
        deadline: Instant,
    ) -> Result<(), Failure>;
}

/// One server as a step connects to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl Target {
    pub fn of(endpoint: &Endpoint) -> Target {
        Target {
            host: endpoint.host.to_string(),
            port: endpoint.port.get(),
            security: endpoint.security,
        }
    }

    /// A TCP connection through the address policy, within the connect bound.
    pub async fn open(
        &self,
        setup: &CheckSetup,
        deadline: Instant,
    ) -> Result<(TcpStream, IpAddr), Failure> {
        let wait = setup.bounds.connect.min(remaining(deadline));
        setup
            .policy
            .connect(setup.resolver.as_ref(), &self.host, self.port, wait)
            .await
    }

    pub fn server(&self, address: Option<IpAddr>) -> CheckedServer {
        CheckedServer {
            host: self.host.clone(),
            port: self.port,
            security: self.security,
            address: address.map(|address| address.to_string()),
        }
    }

    pub fn with(&self, security: Security, port: u16) -> Target {
        Target {
            security,
            port,
            ..self.clone()
        }
    }
}

/// Opens `target` and secures it: with SSL/TLS, the handshake and then `greet` over TLS; with
/// STARTTLS, the plain greeting (or `tls_expected`), `before_tls` (the protocol's greeting and
/// STARTTLS, accepted), then the handshake on the same socket. A failure carries the address
/// reached and, once there was a handshake, its report.
pub async fn secure_connection(
    setup: &CheckSetup,
    target: &Target,
    trust: &CertificateTrust,
    deadline: Instant,
    before_tls: impl AsyncFnOnce(&mut Conversation<TcpStream>) -> Result<(), Failure>,
    greet: impl AsyncFnOnce(&mut Secured) -> Result<(), Failure>,
) -> Result<(Secured, IpAddr, Handshake), Failure> {
    let (stream, address) = target.open(setup, deadline).await?;
    let at = |failure: Failure| failure.at(address);
    let stream = match target.security {
        Security::SslTls => stream,
        Security::StartTls => {
            let mut plain = Conversation::new(stream, &target.host);
            greeting_or_tls_expected(setup, target, &mut plain, deadline)
                .await
                .map_err(at)?;
            before_tls(&mut plain).await.map_err(at)?;
            plain.into_stream().map_err(at)?
        }
    };
    let (tls, handshake) = setup
        .roots
        .handshake(stream, &target.host, trust, setup.bounds.greeting)
        .await
        .map_err(at)?;
    let mut conversation = Conversation::new(tls, &target.host);
    if target.security == Security::SslTls {
        greet(&mut conversation)
            .await
            .map_err(|failure| at(failure.with_tls(handshake.report.clone())))?;
    }
    Ok((conversation, address, handshake))
}

/// `StarttlsNotOffered` for a server whose plain answer did not list STARTTLS.
pub fn starttls_not_offered(target: &Target, standard_tls_port: u16, offered: String) -> Failure {
    Failure::new(
        CheckCode::StarttlsNotOffered,
        format!(
            "{} does not offer STARTTLS on port {}, so the password would travel unencrypted. Choose SSL/TLS and port {standard_tls_port}.",
            target.host, target.port
        ),
    )
    .replied(offered)
}

/// `LoginNotOffered`: none of the mechanisms offered after TLS is one the check can use.
pub fn login_not_offered(host: &str, mechanisms: &[String]) -> Failure {
    let offered = if mechanisms.is_empty() {
        "none".to_owned()
    } else {
        mechanisms.join(", ")
    };
    Failure::new(
        CheckCode::LoginNotOffered,
        format!("{host} offers no sign-in this check can use after TLS (it offers {offered})."),
    )
}

/// `LoginFailed`, with the server's words scrubbed of the password.
pub fn login_refused(host: &str, credentials: &super::Credentials, reply: &str) -> Failure {
    Failure::new(
        CheckCode::LoginFailed,
        format!(
            "{host} refused the username {} or its password.",
            credentials.username
        ),
    )
    .replied(credentials.scrub(reply))
}

/// `StarttlsNotOffered` for a server that refused the STARTTLS command.
pub fn starttls_refused(target: &Target, reply: String) -> Failure {
    Failure::new(
        CheckCode::StarttlsNotOffered,
        format!("{} refused STARTTLS.", target.host),
    )
    .replied(reply)
}

/// On a STARTTLS port: waits for the plain greeting. A port that stays silent is probed with
/// TLS from the start; if that works, the settings name the wrong mode (`tls_expected`, with
/// the suggestion to use SSL/TLS on the same port).
async fn greeting_or_tls_expected<S: AsyncRead + AsyncWrite + Unpin>(
    setup: &CheckSetup,
    target: &Target,
    plain: &mut Conversation<S>,
    deadline: Instant,
) -> Result<(), Failure> {
    let greeting_deadline = (Instant::now() + setup.bounds.greeting).min(deadline);
    if plain
        .has_spoken_within(SILENCE_BEFORE_TLS_PROBE.min(remaining(greeting_deadline)))
        .await?
    {
        return Ok(());
    }
    let probe = async {
        let (stream, _) = target.open(setup, greeting_deadline).await?;
        setup
            .roots
            // A probe for the mode only: any certificate will do.
            .handshake(
                stream,
                &target.host,
                &CertificateTrust::Any,
                remaining(greeting_deadline),
            )
            .await
    };
    if let Ok(Ok(_)) = tokio::time::timeout_at(greeting_deadline, probe).await {
        return Err(Failure::new(
            CheckCode::TlsExpected,
            format!(
                "{} expects encryption from the start on port {}: it sent no greeting, and SSL/TLS on the same port works. Choose SSL/TLS.",
                target.host, target.port
            ),
        )
        .suggest(Suggestion {
            security: Security::SslTls,
            port: target.port,
        }));
    }
    if plain
        .has_spoken_within(remaining(greeting_deadline))
        .await?
    {
        return Ok(());
    }
    Err(Failure::new(
        CheckCode::ConnectionTimedOut,
        format!(
            "{} accepted the connection on port {} but sent no greeting within {} seconds, and does not speak TLS there either.",
            target.host,
            target.port,
            setup.bounds.greeting.as_secs()
        ),
    ))
}
