//! The connection check's vocabulary on the wire (`POST /api/v1/connection-checks`): the
//! request a client sends, the steps, their states and problem codes, and the report the
//! server answers with, step by step.
//!
//! Owns: the names (snake_case on the wire, `check.*` codes in core's `area.name` style), the
//! order of the steps, the English sentence of every code (the i18n key is the code), and
//! reading a request body, whose `settings` are read with the same rules as a PUT's entry.
//! Must not: talk to a server, resolve a name or keep the password anywhere but in the value it
//! hands over (the server wraps it at once in a type that wipes it).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::book::EntryDraft;
use crate::document::{EntrySource, FieldProblem, read_entry_from};
use crate::email::EmailAddress;
use crate::problem::Problem;
use crate::security::Security;
use crate::settings::ConnectionKind;

/// Where a client asks for a check.
pub const CONNECTION_CHECKS_PATH: &str = "/api/v1/connection-checks";

/// One step of a check, in the order [`CheckStep::plan`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStep {
    ImapConnect,
    ImapLogin,
    SmtpConnect,
    SmtpLogin,
    SendTestEmail,
    TestEmailArrived,
    ExchangeReach,
    ExchangeLogin,
}

impl CheckStep {
    /// Every step, IMAP's then Exchange's.
    pub const ALL: [CheckStep; 8] = [
        CheckStep::ImapConnect,
        CheckStep::ImapLogin,
        CheckStep::SmtpConnect,
        CheckStep::SmtpLogin,
        CheckStep::SendTestEmail,
        CheckStep::TestEmailArrived,
        CheckStep::ExchangeReach,
        CheckStep::ExchangeLogin,
    ];

    /// The steps a check runs, in order: a login step only with a password, the test message's
    /// two steps only when asked for (and only for IMAP, with a password).
    pub fn plan(
        kind: ConnectionKind,
        with_password: bool,
        send_test_email: bool,
    ) -> Vec<CheckStep> {
        match (kind, with_password) {
            (ConnectionKind::Imap, false) => vec![CheckStep::ImapConnect, CheckStep::SmtpConnect],
            (ConnectionKind::Imap, true) => {
                let mut steps = vec![
                    CheckStep::ImapConnect,
                    CheckStep::ImapLogin,
                    CheckStep::SmtpConnect,
                    CheckStep::SmtpLogin,
                ];
                if send_test_email {
                    steps.extend([CheckStep::SendTestEmail, CheckStep::TestEmailArrived]);
                }
                steps
            }
            (ConnectionKind::Exchange, false) => vec![CheckStep::ExchangeReach],
            (ConnectionKind::Exchange, true) => {
                vec![CheckStep::ExchangeReach, CheckStep::ExchangeLogin]
            }
        }
    }

    /// The component's name for the step (`imap-connect`): the JavaScript API's
    /// `testConnection` steps and the demo page's `?outcome=`.
    pub fn tag(self) -> &'static str {
        match self {
            CheckStep::ImapConnect => "imap-connect",
            CheckStep::ImapLogin => "imap-login",
            CheckStep::SmtpConnect => "smtp-connect",
            CheckStep::SmtpLogin => "smtp-login",
            CheckStep::SendTestEmail => "send-test-email",
            CheckStep::TestEmailArrived => "test-email-arrived",
            CheckStep::ExchangeReach => "exchange-reach",
            CheckStep::ExchangeLogin => "exchange-login",
        }
    }

    /// The step named by [`CheckStep::tag`].
    pub fn from_tag(tag: &str) -> Option<CheckStep> {
        CheckStep::ALL.into_iter().find(|step| step.tag() == tag)
    }

    /// The wire name, `imap_connect` and so on.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStep::ImapConnect => "imap_connect",
            CheckStep::ImapLogin => "imap_login",
            CheckStep::SmtpConnect => "smtp_connect",
            CheckStep::SmtpLogin => "smtp_login",
            CheckStep::SendTestEmail => "send_test_email",
            CheckStep::TestEmailArrived => "test_email_arrived",
            CheckStep::ExchangeReach => "exchange_reach",
            CheckStep::ExchangeLogin => "exchange_login",
        }
    }
}

/// Where a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Passed,
    Failed,
    /// An earlier step failed, so this one was never tried.
    NotRun,
}

/// The whole check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    Passed,
    Failed,
}

/// Why a step failed, or what it warns about. Codes are stable (`check.*`), like every
/// [`Problem`] code; the English sentence is [`CheckCode`]'s `Display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum CheckCode {
    #[error("The server's name was not found. Check the spelling of the host name.")]
    DnsNotFound,
    #[error("The server's name could not be looked up just now. Try again in a minute.")]
    DnsFailed,
    #[error(
        "This address may not be checked from here (it is a private, local or reserved address). Use the server's public name, or ask the operator to allow its network."
    )]
    AddressNotAllowed,
    #[error(
        "This port may not be checked from here. Mail servers use 993 or 143 (IMAP) and 465 or 587 (SMTP); ask the operator if yours uses another."
    )]
    PortNotAllowed,
    #[error("The server refused the connection on this port. Check the port number.")]
    ConnectionRefused,
    #[error(
        "The server did not answer in time. Check the host name and port, and that a firewall lets the connection through."
    )]
    ConnectionTimedOut,
    #[error(
        "The server answered without encryption on a port set for SSL/TLS. Choose STARTTLS, or the server's SSL/TLS port."
    )]
    TlsNotSpoken,
    #[error(
        "The server expects encryption from the start on this port. Choose SSL/TLS instead of STARTTLS."
    )]
    TlsExpected,
    #[error(
        "The server does not offer STARTTLS on this port, so the password would travel unencrypted. Choose SSL/TLS and its port."
    )]
    StarttlsNotOffered,
    #[error("The encrypted connection could not be set up.")]
    TlsHandshakeFailed,
    #[error(
        "The server only speaks an old, insecure TLS version (below 1.2). Ask its administrator to enable TLS 1.2 or 1.3."
    )]
    TlsVersionTooOld,
    #[error(
        "The server's certificate is not signed by an authority this server trusts. Ask for a certificate from a public authority, or have the operator add your company's CA."
    )]
    CertificateUntrusted,
    #[error("The server's certificate has expired. Ask the server's administrator to renew it.")]
    CertificateExpired,
    #[error("The server's certificate is not valid yet. Check the server's clock and certificate.")]
    CertificateNotYetValid,
    #[error("The server's certificate is for another name. Use a host name the certificate names.")]
    CertificateNameMismatch,
    #[error(
        "No key of the certificate chain the server presented matches the trusted key fingerprints. If the server's certificate was renewed with a new key, check it and trust its key; otherwise someone may be intercepting the connection."
    )]
    CertificatePinMismatch,
    #[error("The server's certificate expires within 21 days.")]
    CertificateExpiresSoon,
    #[error(
        "The server did not greet like a mail server of this kind. Check the port: it may belong to another service."
    )]
    GreetingUnexpected,
    #[error("The server refused the username or password.")]
    LoginFailed,
    #[error(
        "The server offers no sign-in method this check can use (PLAIN or LOGIN) on this connection."
    )]
    LoginNotOffered,
    #[error("The server refused to send the test message.")]
    SendRejected,
    #[error("The test message did not arrive in the inbox in time.")]
    TestEmailNotReceived,
    #[error("No Exchange Web Services answer at this address. Check the Exchange URL.")]
    ExchangeNotFound,
    #[error("Exchange refused the username or password.")]
    ExchangeLoginFailed,
    #[error("The address answered, but not as Exchange Web Services do.")]
    ExchangeUnexpectedAnswer,
    #[error(
        "The Exchange URL redirects elsewhere. Check the address it points to, and use that one if it is right."
    )]
    ExchangeRedirected,
    #[error("The server reported an error of its own. Try again later.")]
    ServerError,
}

impl CheckCode {
    /// Every code, for tests and the OpenAPI document.
    pub const ALL: [CheckCode; 27] = [
        CheckCode::DnsNotFound,
        CheckCode::DnsFailed,
        CheckCode::AddressNotAllowed,
        CheckCode::PortNotAllowed,
        CheckCode::ConnectionRefused,
        CheckCode::ConnectionTimedOut,
        CheckCode::TlsNotSpoken,
        CheckCode::TlsExpected,
        CheckCode::StarttlsNotOffered,
        CheckCode::TlsHandshakeFailed,
        CheckCode::TlsVersionTooOld,
        CheckCode::CertificateUntrusted,
        CheckCode::CertificateExpired,
        CheckCode::CertificateNotYetValid,
        CheckCode::CertificateNameMismatch,
        CheckCode::CertificatePinMismatch,
        CheckCode::CertificateExpiresSoon,
        CheckCode::GreetingUnexpected,
        CheckCode::LoginFailed,
        CheckCode::LoginNotOffered,
        CheckCode::SendRejected,
        CheckCode::TestEmailNotReceived,
        CheckCode::ExchangeNotFound,
        CheckCode::ExchangeLoginFailed,
        CheckCode::ExchangeUnexpectedAnswer,
        CheckCode::ExchangeRedirected,
        CheckCode::ServerError,
    ];

    /// Whether this is a certificate problem, which the certificate trust `any` ("Allow
    /// insecure certificates") turns into a warning. A pin mismatch is one too, though only a
    /// pinned trust meets it.
    pub fn is_certificate_problem(self) -> bool {
        matches!(
            self,
            CheckCode::CertificateUntrusted
                | CheckCode::CertificateExpired
                | CheckCode::CertificateNotYetValid
                | CheckCode::CertificateNameMismatch
                | CheckCode::CertificatePinMismatch
        )
    }

    pub fn from_code(code: &str) -> Option<CheckCode> {
        CheckCode::ALL
            .into_iter()
            .find(|known| known.code() == code)
    }
}

impl Problem for CheckCode {
    fn code(&self) -> &'static str {
        match self {
            CheckCode::DnsNotFound => "check.dns_not_found",
            CheckCode::DnsFailed => "check.dns_failed",
            CheckCode::AddressNotAllowed => "check.address_not_allowed",
            CheckCode::PortNotAllowed => "check.port_not_allowed",
            CheckCode::ConnectionRefused => "check.connection_refused",
            CheckCode::ConnectionTimedOut => "check.connection_timed_out",
            CheckCode::TlsNotSpoken => "check.tls_not_spoken",
            CheckCode::TlsExpected => "check.tls_expected",
            CheckCode::StarttlsNotOffered => "check.starttls_not_offered",
            CheckCode::TlsHandshakeFailed => "check.tls_handshake_failed",
            CheckCode::TlsVersionTooOld => "check.tls_version_too_old",
            CheckCode::CertificateUntrusted => "check.certificate_untrusted",
            CheckCode::CertificateExpired => "check.certificate_expired",
            CheckCode::CertificateNotYetValid => "check.certificate_not_yet_valid",
            CheckCode::CertificateNameMismatch => "check.certificate_name_mismatch",
            CheckCode::CertificatePinMismatch => "check.certificate_pin_mismatch",
            CheckCode::CertificateExpiresSoon => "check.certificate_expires_soon",
            CheckCode::GreetingUnexpected => "check.greeting_unexpected",
            CheckCode::LoginFailed => "check.login_failed",
            CheckCode::LoginNotOffered => "check.login_not_offered",
            CheckCode::SendRejected => "check.send_rejected",
            CheckCode::TestEmailNotReceived => "check.test_email_not_received",
            CheckCode::ExchangeNotFound => "check.exchange_not_found",
            CheckCode::ExchangeLoginFailed => "check.exchange_login_failed",
            CheckCode::ExchangeUnexpectedAnswer => "check.exchange_unexpected_answer",
            CheckCode::ExchangeRedirected => "check.exchange_redirected",
            CheckCode::ServerError => "check.server_error",
        }
    }
}

impl Serialize for CheckCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for CheckCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        CheckCode::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown check code {code:?}")))
    }
}

/// The server a step talked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedServer {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The IP address actually connected to, without the port; absent when none was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The TLS session a step set up, or tried to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsReport {
    /// `TLSv1.3` or `TLSv1.2`; absent when the handshake did not finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The leaf certificate the server presented, also when it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateReport>,
}

/// What a person needs to judge a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateReport {
    pub subject: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// SHA-256 over the certificate's DER, 64 lowercase hex digits.
    pub sha256: String,
    /// SHA-256 over its DER SubjectPublicKeyInfo (what a pin names), 64 lowercase hex digits.
    pub spki_sha256: String,
    /// Whether the certificate is trusted as the settings ask: its chain verified against the
    /// trusted roots for this host name or, for a pinned trust, the chain holds a pinned key
    /// (see the check's `tls.rs`).
    pub trusted: bool,
}

/// A warning: the step goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckWarning {
    pub code: CheckCode,
    pub detail: String,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProblem {
    pub code: CheckCode,
    /// Our sentence.
    pub detail: String,
    /// The server's own words, the password never among them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_reply: Option<String>,
}

/// Settings that were tried and work where the configured ones did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub security: Security,
    pub port: u16,
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    pub step: CheckStep,
    pub state: StepState,
    pub elapsed_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<CheckedServer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsReport>,
    /// IMAP/SMTP mechanisms as offered after TLS; Exchange's `WWW-Authenticate` schemes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_mechanisms: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<CheckWarning>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<StepProblem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

impl StepReport {
    /// A step of the plan that was never tried.
    pub fn not_run(step: CheckStep) -> StepReport {
        StepReport {
            step,
            state: StepState::NotRun,
            elapsed_ms: 0,
            server: None,
            tls: None,
            auth_mechanisms: Vec::new(),
            warnings: Vec::new(),
            problem: None,
            suggestion: None,
        }
    }
}

/// The answer: every step of the plan, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub outcome: CheckOutcome,
    pub steps: Vec<StepReport>,
}

impl CheckReport {
    /// The report of `steps`: passed when none failed.
    pub fn of(steps: Vec<StepReport>) -> CheckReport {
        let failed = steps.iter().any(|step| step.state == StepState::Failed);
        CheckReport {
            outcome: if failed {
                CheckOutcome::Failed
            } else {
                CheckOutcome::Passed
            },
            steps,
        }
    }
}

/// A request for a check, read. The password is moved out of the body, never copied.
#[derive(PartialEq)]
pub struct CheckRequest {
    pub email: EmailAddress,
    pub password: Option<String>,
    pub username: Option<String>,
    /// The draft to check; `None` checks the settings stored for the address's domain.
    pub settings: Option<EntryDraft>,
    pub send_test_email: bool,
}

impl std::fmt::Debug for CheckRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckRequest")
            .field("email", &self.email)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .field("username", &self.username)
            .field("settings", &self.settings)
            .field("send_test_email", &self.send_test_email)
            .finish()
    }
}

/// What can be wrong with a check request's shape.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CheckRequestError {
    #[error(
        "Send a JSON object such as {{\"email\": \"alice@example.com\", \"password\": \"...\"}}."
    )]
    NotAnObject,
    #[error(
        "Only \"email\", \"password\", \"username\", \"settings\" and \"send_test_email\" can be sent here; leave this field out."
    )]
    UnknownField,
    #[error("Send this as text.")]
    NotText,
    #[error("Send true or false.")]
    NotABoolean,
    #[error("Send the settings as an object, in the shape a PUT of a domain takes.")]
    SettingsNotAnObject,
}

impl Problem for CheckRequestError {
    fn code(&self) -> &'static str {
        match self {
            CheckRequestError::NotAnObject => "request.not_an_object",
            CheckRequestError::UnknownField => "request.unknown_field",
            CheckRequestError::NotText | CheckRequestError::NotABoolean => "request.wrong_type",
            CheckRequestError::SettingsNotAnObject => "request.not_an_object",
        }
    }
}

const REQUEST_FIELDS: [&str; 5] = [
    "email",
    "password",
    "username",
    "settings",
    "send_test_email",
];

/// Reads a parsed request body; every problem is named by its field (`settings.incoming.port`).
/// `body` is taken apart: the password leaves it by move.
pub fn check_request_from(body: Value) -> Result<CheckRequest, Vec<FieldProblem>> {
    let Value::Object(mut object) = body else {
        return Err(vec![FieldProblem::from_problem(
            "",
            &CheckRequestError::NotAnObject,
        )]);
    };
    let mut problems = Vec::new();
    for key in object.keys() {
        if !REQUEST_FIELDS.contains(&key.as_str()) {
            problems.push(FieldProblem::from_problem(
                key,
                &CheckRequestError::UnknownField,
            ));
        }
    }
    // A missing address reads as empty: core then says what to type.
    let email = match take_text(&mut object, "email", &mut problems) {
        None if problems.iter().any(|problem| problem.field == "email") => None,
        text => match EmailAddress::parse(text.as_deref().unwrap_or_default()) {
            Ok(address) => Some(address),
            Err(error) => {
                problems.push(FieldProblem::from_problem("email", &error));
                None
            }
        },
    };
    let password = take_text(&mut object, "password", &mut problems).filter(|p| !p.is_empty());
    let username = take_text(&mut object, "username", &mut problems)
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    let send_test_email = match object.remove("send_test_email") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => flag,
        Some(_) => {
            problems.push(FieldProblem::from_problem(
                "send_test_email",
                &CheckRequestError::NotABoolean,
            ));
            false
        }
    };
    let settings = match object.remove("settings") {
        None | Some(Value::Null) => None,
        Some(raw @ Value::Object(_)) => match read_entry_from(&raw, EntrySource::Sent) {
            Ok(entry) => Some(entry.to_draft()),
            Err(found) => {
                problems.extend(found.into_iter().map(|mut problem| {
                    problem.field = if problem.field.is_empty() {
                        "settings".to_owned()
                    } else {
                        format!("settings.{}", problem.field)
                    };
                    problem
                }));
                None
            }
        },
        Some(_) => {
            problems.push(FieldProblem::from_problem(
                "settings",
                &CheckRequestError::SettingsNotAnObject,
            ));
            None
        }
    };
    match (email, problems.is_empty()) {
        (Some(email), true) => Ok(CheckRequest {
            email,
            password,
            username,
            settings,
            send_test_email,
        }),
        _ => Err(problems),
    }
}

/// The body a client sends for a check, as [`check_request_from`] reads it: `settings` (a
/// draft, in the shape a PUT takes) only when the draft is what should be checked; `username`
/// only when there is one. The text holds the password: the caller drops it once sent.
pub fn check_request_text(
    email: &EmailAddress,
    password: Option<&str>,
    username: Option<&str>,
    settings: Option<&EntryDraft>,
    send_test_email: bool,
) -> String {
    let mut body = Map::new();
    body.insert("email".into(), Value::from(email.to_string()));
    if let Some(password) = password {
        body.insert("password".into(), Value::from(password));
    }
    if let Some(username) = username {
        body.insert("username".into(), Value::from(username));
    }
    if let Some(draft) = settings {
        let wire = serde_json::from_str(&crate::wire::draft_to_wire(draft)).unwrap_or_default();
        body.insert("settings".into(), wire);
    }
    body.insert("send_test_email".into(), Value::from(send_test_email));
    Value::Object(body).to_string()
}

/// One line of a streamed check (`Accept: application/x-ndjson`): a finished step, and last
/// the whole report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStreamLine {
    Step(Box<StepReport>),
    Report(CheckReport),
}

/// Reads one line of a streamed check; `None` for a line that is neither (a client then says
/// the answer could not be read).
pub fn check_stream_line(line: &str) -> Option<CheckStreamLine> {
    let value: Value = serde_json::from_str(line).ok()?;
    if value.get("outcome").is_some() {
        serde_json::from_value(value)
            .ok()
            .map(CheckStreamLine::Report)
    } else {
        serde_json::from_value(value)
            .ok()
            .map(CheckStreamLine::Step)
    }
}

/// Removes `key` as text: absent or null is `None`, anything else but text is a problem.
fn take_text(
    object: &mut Map<String, Value>,
    key: &str,
    problems: &mut Vec<FieldProblem>,
) -> Option<String> {
    match object.remove(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(_) => {
            problems.push(FieldProblem::from_problem(key, &CheckRequestError::NotText));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_plan_lists_only_the_steps_that_apply_in_order() {
        use CheckStep::*;
        assert_eq!(
            CheckStep::plan(ConnectionKind::Imap, false, true),
            [ImapConnect, SmtpConnect]
        );
        assert_eq!(
            CheckStep::plan(ConnectionKind::Imap, true, false),
            [ImapConnect, ImapLogin, SmtpConnect, SmtpLogin]
        );
        assert_eq!(
            CheckStep::plan(ConnectionKind::Imap, true, true),
            [
                ImapConnect,
                ImapLogin,
                SmtpConnect,
                SmtpLogin,
                SendTestEmail,
                TestEmailArrived
            ]
        );
        assert_eq!(
            CheckStep::plan(ConnectionKind::Exchange, true, true),
            [ExchangeReach, ExchangeLogin]
        );
        assert_eq!(
            CheckStep::plan(ConnectionKind::Exchange, false, false),
            [ExchangeReach]
        );
    }

    #[test]
    fn every_step_has_a_wire_name_and_a_tag_that_read_back() {
        for step in CheckStep::ALL {
            assert_eq!(step.tag(), step.as_str().replace('_', "-"));
            assert_eq!(CheckStep::from_tag(step.tag()), Some(step));
        }
        assert_eq!(CheckStep::from_tag("imap_connect"), None);
    }

    #[test]
    fn step_names_on_the_wire_are_snake_case() {
        for step in [
            CheckStep::ImapConnect,
            CheckStep::TestEmailArrived,
            CheckStep::ExchangeLogin,
        ] {
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                json!(step.as_str()),
                "{step:?}"
            );
        }
    }

    #[test]
    fn every_code_is_unique_in_the_check_area_and_round_trips() {
        let mut seen = std::collections::BTreeSet::new();
        for code in CheckCode::ALL {
            let text = code.code();
            assert!(text.starts_with("check."), "{text}");
            assert!(
                text[6..]
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte == b'_'),
                "{text}"
            );
            assert!(seen.insert(text), "{text} twice");
            assert!(!code.to_string().is_empty());
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(serde_json::from_value::<CheckCode>(wire).unwrap(), code);
        }
        assert!(serde_json::from_value::<CheckCode>(json!("check.nope")).is_err());
    }

    #[test]
    fn a_report_fails_when_any_step_failed() {
        let mut failed = StepReport::not_run(CheckStep::ImapConnect);
        failed.state = StepState::Failed;
        let report = CheckReport::of(vec![failed, StepReport::not_run(CheckStep::ImapLogin)]);
        assert_eq!(report.outcome, CheckOutcome::Failed);
        let text = serde_json::to_value(&report).unwrap();
        assert_eq!(text["outcome"], "failed");
        assert_eq!(
            text["steps"][1],
            json!({"step": "imap_login", "state": "not_run", "elapsed_ms": 0})
        );
        assert_eq!(
            CheckReport::of(vec![]).outcome,
            CheckOutcome::Passed,
            "nothing failed"
        );
    }

    #[test]
    fn a_request_is_read_with_a_draft_parsed_like_a_put() {
        let request = check_request_from(json!({
            "email": "Alice@Example.com",
            "password": "s3cret",
            "send_test_email": true,
            "settings": {
                "domain": "example.com", "type": "imap",
                "incoming": {"host": "imap.example.com", "port": 993, "security": "ssl_tls"},
                "outgoing": {"host": "smtp.example.com", "port": 465, "security": "ssl_tls"}
            }
        }))
        .unwrap();
        assert_eq!(request.password.as_deref(), Some("s3cret"));
        assert!(request.send_test_email);
        assert_eq!(request.settings.unwrap().domain.to_string(), "example.com");
        assert!(
            !format!(
                "{:?}",
                check_request_from(json!({"email": "a@example.com", "password": "s3cret"}))
            )
            .contains("s3cret")
        );
    }

    #[test]
    fn a_request_a_client_writes_reads_back_the_same() {
        let email = EmailAddress::parse("alice@example.com").unwrap();
        let draft = check_request_from(json!({
            "email": "alice@example.com",
            "settings": {
                "domain": "example.com", "type": "imap",
                "incoming": {"host": "imap.example.com", "port": 143, "security": "starttls"},
                "outgoing": {"host": "smtp.example.com", "port": 587, "security": "starttls"},
                "username": "typed"
            }
        }))
        .unwrap()
        .settings
        .unwrap();
        let text = check_request_text(&email, Some("s3 cret"), Some("alice"), Some(&draft), true);
        let read = check_request_from(serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(
            read,
            CheckRequest {
                email: email.clone(),
                password: Some("s3 cret".into()),
                username: Some("alice".into()),
                settings: Some(draft),
                send_test_email: true,
            }
        );
        let stored = check_request_text(&email, None, None, None, false);
        assert_eq!(
            serde_json::from_str::<Value>(&stored).unwrap(),
            json!({"email": "alice@example.com", "send_test_email": false})
        );
    }

    #[test]
    fn a_requests_settings_carry_their_certificate_trust() {
        let pin = "1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000";
        let settings = |trust: Value| {
            json!({
                "email": "alice@example.com",
                "settings": {
                    "domain": "example.com", "type": "exchange",
                    "url": "https://mail.example.com/EWS/Exchange.asmx",
                    "certificate_trust": trust
                }
            })
        };
        let request =
            check_request_from(settings(json!({"mode": "pinned", "spki_sha256": [pin]}))).unwrap();
        let draft = request.settings.unwrap();
        assert_eq!(
            draft.connection.certificate_trust().pins()[0].to_string(),
            pin
        );
        let email = EmailAddress::parse("alice@example.com").unwrap();
        let text = check_request_text(&email, None, None, Some(&draft), false);
        let read = check_request_from(serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(read.settings, Some(draft));
        let problems =
            check_request_from(settings(json!({"mode": "pinned", "spki_sha256": ["x"]})))
                .unwrap_err();
        assert_eq!(
            problems[0].field,
            "settings.certificate_trust.spki_sha256[0]"
        );
        assert_eq!(problems[0].code, "certificate_trust.pin_not_hex");
    }

    #[test]
    fn stream_lines_are_steps_then_the_report() {
        let mut step = StepReport::not_run(CheckStep::ImapLogin);
        step.state = StepState::Failed;
        step.problem = Some(StepProblem {
            code: CheckCode::LoginFailed,
            detail: CheckCode::LoginFailed.to_string(),
            server_reply: Some("a1 NO [AUTHENTICATIONFAILED] Authentication failed.".into()),
        });
        let line = serde_json::to_string(&step).unwrap();
        assert_eq!(
            check_stream_line(&line),
            Some(CheckStreamLine::Step(Box::new(step.clone())))
        );
        let report = CheckReport::of(vec![step]);
        let line = serde_json::to_string(&report).unwrap();
        assert_eq!(
            check_stream_line(&line),
            Some(CheckStreamLine::Report(report))
        );
        for unreadable in [
            "",
            "{",
            "[]",
            r#"{"step": "imap_dance"}"#,
            r#"{"outcome": 3}"#,
        ] {
            assert_eq!(check_stream_line(unreadable), None, "{unreadable}");
        }
    }

    #[test]
    fn every_problem_of_a_request_is_named_by_its_field() {
        let problems = check_request_from(json!({
            "email": "not an address",
            "password": 5,
            "send_test_email": "yes",
            "pasword": "x",
            "settings": {"domain": "example.com", "type": "imap",
                "incoming": {"host": "imap.example.com", "port": 99999, "security": "ssl_tls"},
                "outgoing": {"host": "smtp.example.com", "port": 465, "security": "ssl_tls"}}
        }))
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        for field in [
            "email",
            "password",
            "send_test_email",
            "pasword",
            "settings.incoming.port",
        ] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        let missing = check_request_from(json!({})).unwrap_err();
        assert_eq!(missing[0].field, "email");
        assert_eq!(
            check_request_from(json!([1])).unwrap_err()[0].code,
            "request.not_an_object"
        );
    }
}
