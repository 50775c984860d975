//! One run of the check: the plan (core's [`CheckStep::plan`]), each step within its bounds,
//! the first failed step ending a run with a password (the rest `not_run`), both connect steps
//! without one, and a suggestion after a connect step failed: the other security mode on the
//! same port first, then the standard ports (993/143, 465/587), each probed without
//! credentials through the same address policy.
//!
//! Owns: strings steps into a report, in order, handing each finished step to the caller as it
//! ends (for a streamed answer). Must not: know HTTP, or keep the password past the run.

use std::net::IpAddr;
use std::time::Duration;

use mailsetup_core::wire::{
    CheckCode, CheckReport, CheckStep, CheckWarning, CheckedServer, StepProblem, StepReport,
    StepState, Suggestion,
};
use mailsetup_core::{CertificateTrust, Connection, EmailAddress, Protocol, Security};
use rand::RngCore;
use tokio::time::Instant;

use super::connection::{MailSession, Target};
use super::imap::ImapSession;
use super::smtp::SmtpSession;
use super::tls::Handshake;
use super::{CheckSetup, Credentials, Failure, exchange, imap, smtp};

/// How long the probes for a suggestion may take together.
const SUGGESTION_BUDGET: Duration = Duration::from_secs(5);

/// What a check looks at.
#[derive(Debug, Clone)]
pub struct CheckTarget {
    pub email: EmailAddress,
    pub connection: Connection,
}

/// Runs checks with a shared setup.
#[derive(Clone)]
pub struct Checker {
    pub setup: CheckSetup,
}

/// A step's result before it becomes a report.
struct StepResult {
    server: Option<CheckedServer>,
    handshake: Option<Handshake>,
    mechanisms: Vec<String>,
    failure: Option<Failure>,
}

impl StepResult {
    /// A connect step that passed, with what the connection told.
    fn connected(
        server: &Target,
        address: IpAddr,
        handshake: &Handshake,
        mechanisms: &[String],
    ) -> StepResult {
        StepResult {
            server: Some(server.server(Some(address))),
            handshake: Some(handshake.clone()),
            mechanisms: mechanisms.to_vec(),
            failure: None,
        }
    }

    /// A step on a connection to `address` that ended as `outcome` says.
    fn of(server: &Target, address: IpAddr, outcome: Result<(), Failure>) -> StepResult {
        match outcome {
            Ok(()) => StepResult::passed(server.server(Some(address))),
            Err(failure) => StepResult::failed_at(server, failure.at(address)),
        }
    }

    /// A failed step, at the address the failure reached (if any).
    fn failed_at(server: &Target, failure: Failure) -> StepResult {
        StepResult::failed(Some(server.server(failure.address)), failure)
    }

    fn passed(server: CheckedServer) -> StepResult {
        StepResult {
            server: Some(server),
            handshake: None,
            mechanisms: Vec::new(),
            failure: None,
        }
    }

    fn failed(server: Option<CheckedServer>, failure: Failure) -> StepResult {
        StepResult {
            server,
            handshake: None,
            mechanisms: Vec::new(),
            failure: Some(failure),
        }
    }
}

/// What failed logins tell the caller (the route counts them per target address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedLogin {
    pub address: Option<IpAddr>,
}

impl Checker {
    /// Runs every step of the plan; `on_step` hears each as it ends. With credentials the
    /// first failed step ends the run; `failed_login` hears of a refused password.
    pub async fn run(
        &self,
        target: &CheckTarget,
        credentials: Option<&Credentials>,
        send_test_email: bool,
        on_step: &mut (dyn FnMut(&StepReport) + Send),
        failed_login: &mut (dyn FnMut(FailedLogin) + Send),
    ) -> CheckReport {
        let whole = Instant::now() + self.setup.bounds.whole;
        let plan = CheckStep::plan(
            target.connection.kind(),
            credentials.is_some(),
            send_test_email,
        );
        let mut state = RunState::default();
        let mut reports: Vec<StepReport> = Vec::new();
        let mut stopped = false;
        for step in plan.iter().copied() {
            if stopped {
                let report = StepReport::not_run(step);
                on_step(&report);
                reports.push(report);
                continue;
            }
            let started = Instant::now();
            let deadline = if step == CheckStep::TestEmailArrived {
                (started + self.setup.bounds.arrival).min(whole)
            } else {
                (started + self.setup.bounds.step).min(whole)
            };
            let result = match tokio::time::timeout_at(
                deadline,
                self.step(step, target, credentials, &mut state, deadline),
            )
            .await
            {
                Ok(result) => result,
                Err(_) => StepResult::failed(
                    None,
                    Failure::new(
                        CheckCode::ConnectionTimedOut,
                        format!(
                            "This step did not finish within {} seconds.",
                            remaining_between(started, deadline).as_secs()
                        ),
                    ),
                ),
            };
            if let Some(failure) = &result.failure
                && matches!(step, CheckStep::ImapLogin | CheckStep::SmtpLogin)
                && failure.code == CheckCode::LoginFailed
            {
                failed_login(FailedLogin {
                    address: failure.address,
                });
            }
            let mut report = self.report(step, started, result, credentials);
            if report.state == StepState::Failed
                && report.suggestion.is_none()
                && matches!(step, CheckStep::ImapConnect | CheckStep::SmtpConnect)
                && report
                    .problem
                    .as_ref()
                    .is_some_and(|problem| another_mode_may_work(problem.code))
            {
                let timed_out = report
                    .problem
                    .as_ref()
                    .is_some_and(|problem| problem.code == CheckCode::ConnectionTimedOut);
                let budget = (Instant::now() + SUGGESTION_BUDGET).min(whole);
                report.suggestion = self.suggest(step, target, timed_out, budget).await;
            }
            if report.state == StepState::Failed && credentials.is_some() {
                stopped = true;
            }
            on_step(&report);
            reports.push(report);
        }
        state.close().await;
        CheckReport::of(reports)
    }

    async fn step(
        &self,
        step: CheckStep,
        target: &CheckTarget,
        credentials: Option<&Credentials>,
        state: &mut RunState,
        deadline: Instant,
    ) -> StepResult {
        let setup = &self.setup;
        let trust = target.connection.certificate_trust();
        let (incoming, outgoing) = match &target.connection {
            Connection::Imap(imap) => (
                Some(Target::of(&imap.incoming)),
                Some(Target::of(&imap.outgoing)),
            ),
            Connection::Exchange(_) => (None, None),
        };
        match step {
            CheckStep::ImapConnect => match incoming {
                Some(server) => {
                    let connected = imap::connect(setup, &server, trust, deadline).await;
                    connect_step(&server, connected, &mut state.imap)
                }
                None => unexpected_step(),
            },
            CheckStep::ImapLogin => {
                login_step(incoming, state.imap.as_mut(), credentials, deadline).await
            }
            CheckStep::SmtpConnect => match outgoing {
                Some(server) => {
                    let connected = smtp::connect(setup, &server, trust, deadline).await;
                    connect_step(&server, connected, &mut state.smtp)
                }
                None => unexpected_step(),
            },
            CheckStep::SmtpLogin => {
                login_step(outgoing, state.smtp.as_mut(), credentials, deadline).await
            }
            CheckStep::SendTestEmail => {
                let (Some(server), Some(session)) = (outgoing, state.smtp.as_mut()) else {
                    return unexpected_step();
                };
                session.start_step();
                let address = session.address;
                let token = random_token();
                let message_id = format!("<{token}@mailsetup-check.invalid>");
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_secs() as i64);
                let message = smtp::test_message(
                    &target.email.to_string(),
                    &message_id,
                    &token,
                    &super::dates::rfc5322(now),
                );
                let sent = session
                    .send_to_self(&target.email.to_string(), &message, deadline)
                    .await;
                if sent.is_ok() {
                    state.message_id = Some(message_id);
                }
                StepResult::of(&server, address, sent)
            }
            CheckStep::TestEmailArrived => {
                let (Some(server), Some(session), Some(message_id)) =
                    (incoming, state.imap.as_mut(), state.message_id.clone())
                else {
                    return unexpected_step();
                };
                let address = session.address;
                loop {
                    session.start_step();
                    match session.inbox_holds(&message_id, deadline).await {
                        Ok(true) => return StepResult::of(&server, address, Ok(())),
                        Ok(false) => {}
                        Err(failure) if failure.code == CheckCode::ConnectionTimedOut => break,
                        Err(failure) => return StepResult::of(&server, address, Err(failure)),
                    }
                    if remaining(deadline) < Duration::from_millis(600) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                let not_received = Failure::new(
                    CheckCode::TestEmailNotReceived,
                    format!(
                        "The test message {message_id} did not arrive in the inbox within {} seconds. The outgoing server accepted it: check the inbox's filters, or whether the outgoing server delivers to this mailbox.",
                        self.setup.bounds.arrival.as_secs()
                    ),
                );
                StepResult::of(&server, address, Err(not_received))
            }
            CheckStep::ExchangeReach | CheckStep::ExchangeLogin => {
                let Connection::Exchange(settings) = &target.connection else {
                    return unexpected_step();
                };
                let result = if step == CheckStep::ExchangeReach {
                    exchange::reach(setup, settings, deadline).await
                } else {
                    match credentials {
                        Some(credentials) => {
                            exchange::login(setup, settings, credentials, deadline).await
                        }
                        None => return unexpected_step(),
                    }
                };
                let server = exchange::server(&settings.url);
                match result {
                    Ok(reached) => StepResult {
                        server: Some(CheckedServer {
                            address: Some(reached.address.to_string()),
                            ..server
                        }),
                        handshake: Some(reached.handshake),
                        mechanisms: reached.schemes,
                        failure: None,
                    },
                    Err(failure) => StepResult::failed(
                        Some(CheckedServer {
                            address: failure.address.map(|a| a.to_string()),
                            ..server
                        }),
                        failure,
                    ),
                }
            }
        }
    }

    fn report(
        &self,
        step: CheckStep,
        started: Instant,
        result: StepResult,
        credentials: Option<&Credentials>,
    ) -> StepReport {
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut warnings: Vec<CheckWarning> = Vec::new();
        let mut tls = None;
        if let Some(handshake) = &result.handshake {
            tls = Some(handshake.report.clone());
            warnings.extend(
                handshake
                    .warnings
                    .iter()
                    .map(|(code, detail)| CheckWarning {
                        code: *code,
                        detail: detail.clone(),
                    }),
            );
        }
        let (state, problem, suggestion) = match result.failure {
            None => (StepState::Passed, None, None),
            Some(failure) => {
                if tls.is_none() {
                    tls = failure.tls.as_deref().cloned();
                }
                let problem = StepProblem {
                    code: failure.code,
                    detail: super::scrub(&failure.detail, credentials),
                    server_reply: failure
                        .server_reply
                        .as_deref()
                        .map(|reply| super::scrub(reply, credentials)),
                };
                (StepState::Failed, Some(problem), failure.suggestion)
            }
        };
        StepReport {
            step,
            state,
            elapsed_ms,
            server: result.server,
            tls,
            auth_mechanisms: result.mechanisms,
            warnings,
            problem,
            suggestion,
        }
    }

    /// Tries the other security mode on the same port, then the standard ports, without
    /// credentials; the first that connects is the suggestion.
    /// After a timeout the same port is not tried again: a port silent to a TLS handshake sends
    /// no plain greeting either, and a silent STARTTLS port was already probed with TLS.
    async fn suggest(
        &self,
        step: CheckStep,
        target: &CheckTarget,
        timed_out: bool,
        deadline: Instant,
    ) -> Option<Suggestion> {
        let Connection::Imap(settings) = &target.connection else {
            return None;
        };
        let (configured, protocol) = match step {
            CheckStep::ImapConnect => (&settings.incoming, Protocol::Imap),
            CheckStep::SmtpConnect => (&settings.outgoing, Protocol::Smtp),
            _ => return None,
        };
        let configured = Target::of(configured);
        let other = match configured.security {
            Security::SslTls => Security::StartTls,
            Security::StartTls => Security::SslTls,
        };
        let standard = |security: Security| match (protocol, security) {
            (Protocol::Imap, Security::SslTls) => 993,
            (Protocol::Imap, Security::StartTls) => 143,
            (Protocol::Smtp, Security::SslTls) => 465,
            (Protocol::Smtp, Security::StartTls) => 587,
        };
        let mut candidates: Vec<(Security, u16)> = Vec::new();
        for candidate in [
            (other, configured.port),
            (configured.security, standard(configured.security)),
            (other, standard(other)),
        ] {
            let same_port = candidate.1 == configured.port;
            if candidate != (configured.security, configured.port)
                && !(timed_out && same_port)
                && !candidates.contains(&candidate)
            {
                candidates.push(candidate);
            }
        }
        for (security, port) in candidates {
            if remaining(deadline).is_zero() {
                return None;
            }
            if !self.setup.policy.port_allowed(port) {
                continue;
            }
            let probe = configured.with(security, port);
            let trust: &CertificateTrust = &settings.certificate_trust;
            let works = match protocol {
                Protocol::Imap => imap::connect(&self.setup, &probe, trust, deadline)
                    .await
                    .is_ok(),
                Protocol::Smtp => smtp::connect(&self.setup, &probe, trust, deadline)
                    .await
                    .is_ok(),
            };
            if works {
                return Some(Suggestion { security, port });
            }
        }
        None
    }
}

/// The sessions a run keeps open between its steps.
#[derive(Default)]
struct RunState {
    imap: Option<ImapSession>,
    smtp: Option<SmtpSession>,
    message_id: Option<String>,
}

impl RunState {
    async fn close(self) {
        let deadline = Instant::now() + Duration::from_secs(1);
        if let Some(session) = self.imap {
            session.logout(deadline).await;
        }
        if let Some(session) = self.smtp {
            session.quit(deadline).await;
        }
    }
}

/// Whether a connect step's failure may be the security mode or the port: then the other
/// mode and the standard ports are worth a probe. Names that do not resolve, addresses the
/// policy refuses and certificates are not.
fn another_mode_may_work(code: CheckCode) -> bool {
    matches!(
        code,
        CheckCode::ConnectionRefused
            | CheckCode::ConnectionTimedOut
            | CheckCode::TlsNotSpoken
            | CheckCode::TlsExpected
            | CheckCode::StarttlsNotOffered
            | CheckCode::TlsHandshakeFailed
            | CheckCode::TlsVersionTooOld
            | CheckCode::GreetingUnexpected
    )
}

/// A connect step's result; the session is kept for the steps after it.
fn connect_step<S: MailSession>(
    server: &Target,
    connected: Result<S, Failure>,
    slot: &mut Option<S>,
) -> StepResult {
    match connected {
        Ok(session) => {
            let (address, handshake, mechanisms) = session.connected();
            let result = StepResult::connected(server, address, handshake, mechanisms);
            *slot = Some(session);
            result
        }
        Err(failure) => StepResult::failed_at(server, failure),
    }
}

/// A login step on the session its connect step kept.
async fn login_step<S: MailSession>(
    server: Option<Target>,
    session: Option<&mut S>,
    credentials: Option<&Credentials>,
    deadline: Instant,
) -> StepResult {
    let (Some(server), Some(session), Some(credentials)) = (server, session, credentials) else {
        return unexpected_step();
    };
    session.start_step();
    let (address, _, _) = session.connected();
    StepResult::of(&server, address, session.login(credentials, deadline).await)
}

/// A step of the plan that does not fit the settings (cannot happen with core's plan).
fn unexpected_step() -> StepResult {
    StepResult::failed(
        None,
        Failure::new(
            CheckCode::ServerError,
            "This step does not apply to these settings.",
        ),
    )
}

pub(super) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

fn remaining_between(started: Instant, deadline: Instant) -> Duration {
    deadline.saturating_duration_since(started)
}

/// 16 random bytes in hex, for the test message.
fn random_token() -> String {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
