//! The connection check: talks to the mail servers a domain's settings name, step by step,
//! and reports each step with its server, TLS session, certificate, offered sign-in methods,
//! warnings, the problem that ended it (a stable `check.*` code, our sentence and the server's
//! own words) and a suggestion that was tried and works.
//!
//! A module per concern: `policy` (where a check may connect), `tls` (trust, the recording
//! verifier, the certificate report), `connection` (a target opened and made secure),
//! `conversation` (bounded line reads), `imap`, `smtp`,
//! `exchange`, `run` (the plan, the bounds, suggestions), `limits` (how many checks at once,
//! failed logins per target). The route (`routes/connection_checks.rs`) only parses,
//! authorises, limits and calls [`Checker::run`].
//!
//! Must not: store, log or return a password, in plain or encoded (AUTH PLAIN/LOGIN and Basic
//! send it base64-encoded): it lives in a [`Secret`] that wipes it, and every server reply is
//! scrubbed of it before it leaves.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailsetup_core::wire::{CheckCode, Suggestion, TlsReport};
use zeroize::Zeroizing;

pub mod connection;
pub mod conversation;
pub mod dates;
pub mod exchange;
pub mod imap;
pub mod limits;
pub mod policy;
pub mod run;
pub mod smtp;
pub mod tls;

pub use limits::{CheckLimits, CheckPermit, LimitRefusal};
pub use policy::{AddressPolicy, ResolveError, Resolver, SystemResolver};
pub use run::{CheckTarget, Checker};
pub use tls::TrustRoots;

/// The check's time bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// To open a TCP connection.
    pub connect: Duration,
    /// For a greeting, or a TLS handshake's answer.
    pub greeting: Duration,
    /// For one step.
    pub step: Duration,
    /// For the whole check.
    pub whole: Duration,
    /// How long to look for the test message in the inbox.
    pub arrival: Duration,
}

impl Default for Bounds {
    fn default() -> Bounds {
        Bounds {
            connect: Duration::from_secs(10),
            greeting: Duration::from_secs(10),
            step: Duration::from_secs(20),
            whole: Duration::from_secs(60),
            arrival: Duration::from_secs(30),
        }
    }
}

/// A password: never printed (no `Debug`), wiped from memory when dropped.
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(password: String) -> Secret {
        Secret(Zeroizing::new(password))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Who signs in: the login name (core's rule from the entry's username form) and the password.
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

impl Credentials {
    /// `text` with the password, and every encoding of it a protocol sends, taken out.
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, Some(self))
    }
}

/// Removes the password and its encodings from a server's words.
pub fn scrub(text: &str, credentials: Option<&Credentials>) -> String {
    let Some(credentials) = credentials else {
        return text.to_owned();
    };
    let password = credentials.password.expose();
    if password.is_empty() {
        return text.to_owned();
    }
    let user = &credentials.username;
    let encoded = [
        Zeroizing::new(password.to_owned()),
        Zeroizing::new(BASE64.encode(password)),
        Zeroizing::new(BASE64.encode(format!("\0{user}\0{password}"))),
        Zeroizing::new(BASE64.encode(format!("{user}:{password}"))),
    ];
    let mut scrubbed = text.to_owned();
    for secret in encoded.iter() {
        if !secret.is_empty() {
            scrubbed = scrubbed.replace(secret.as_str(), "(password hidden)");
        }
    }
    scrubbed
}

/// Why a step failed: its code, our sentence, the server's words, and what was learnt before.
#[derive(Debug, Clone)]
pub struct Failure {
    pub code: CheckCode,
    pub detail: String,
    pub server_reply: Option<String>,
    /// The address connected to, when one was.
    pub address: Option<IpAddr>,
    /// Boxed: a certificate report is large, and most failures have none.
    pub tls: Option<Box<TlsReport>>,
    /// Settings found to work instead (the `tls_expected` probe sets it).
    pub suggestion: Option<Suggestion>,
}

impl Failure {
    pub fn new(code: CheckCode, detail: impl Into<String>) -> Failure {
        Failure {
            code,
            detail: detail.into(),
            server_reply: None,
            address: None,
            tls: None,
            suggestion: None,
        }
    }

    /// With the server's own words (empty words are none).
    pub fn replied(mut self, reply: impl Into<String>) -> Failure {
        let reply = reply.into();
        self.server_reply = (!reply.trim().is_empty()).then_some(reply);
        self
    }

    pub fn at(mut self, address: IpAddr) -> Failure {
        self.address = Some(address);
        self
    }

    pub fn with_tls(mut self, tls: TlsReport) -> Failure {
        self.tls = Some(Box::new(tls));
        self
    }

    pub fn suggest(mut self, suggestion: Suggestion) -> Failure {
        self.suggestion = Some(suggestion);
        self
    }
}

/// Everything the checks share: the address policy, the resolver, the trust roots, the bounds.
#[derive(Clone)]
pub struct CheckSetup {
    pub policy: AddressPolicy,
    pub resolver: Arc<dyn Resolver>,
    pub roots: TrustRoots,
    pub bounds: Bounds,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_a_protocol_sends_the_password_in_is_scrubbed() {
        let credentials = Credentials {
            username: "alice@example.com".into(),
            password: Secret::new("s3cret!".into()),
        };
        let forms = [
            "s3cret!".to_owned(),
            BASE64.encode("s3cret!"),
            BASE64.encode("\0alice@example.com\0s3cret!"),
            BASE64.encode("alice@example.com:s3cret!"),
        ];
        for form in &forms {
            let reply = format!("a1 NO [AUTHENTICATIONFAILED] bad {form} here");
            let scrubbed = credentials.scrub(&reply);
            assert!(!scrubbed.contains(form.as_str()), "{scrubbed}");
            assert!(scrubbed.contains("(password hidden)"), "{scrubbed}");
        }
        assert_eq!(scrub("no secret here", None), "no secret here");
    }
}
