//! `POST /api/v1/connection-checks`: checks a domain's settings (stored, or a draft sent in the
//! body) against the real mail servers. Any signed-in role; sessions send the CSRF header.
//! Answers the whole report as JSON, or with `Accept: application/x-ndjson` one line per
//! finished step and then the report.
//!
//! Owns: parsing the body (core's `check_request_from`), authorising, the limits (429 with
//! `Retry-After`), finding the settings as `/api/v1/lookup` does, the login name by core's rule,
//! and logging each check as an event and counting it (`monitoring`). Must not: talk to a mail
//! server itself (`check/` does), or log, store or return the password.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailsetup_core::wire::{
    CheckOutcome, CheckReport, CheckRequest, StepReport, check_request_from,
};
use mailsetup_core::{Connection, FieldProblem, Problem};
use zeroize::Zeroize;

use crate::auth::CsrfCaller;
use crate::check::run::FailedLogin;
use crate::check::{CheckPermit, CheckTarget, Credentials, LimitRefusal, Secret};
use crate::error::ApiError;
use crate::monitoring::count_connection_check;
use crate::request::{JsonText, json_value};
use crate::routes::lookup::settings_for;
use crate::state::AppState;

/// The streamed answer's media type.
pub const NDJSON: &str = "application/x-ndjson";

pub async fn check(
    CsrfCaller(caller): CsrfCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonText(mut text): JsonText,
) -> Result<Response, ApiError> {
    let parsed = json_value(
        &text,
        r#"{"email": "alice@example.com", "password": "..."}"#,
    );
    text.zeroize();
    let body = parsed?;
    let mut request = check_request_from(body).map_err(ApiError::Invalid)?;
    let connection = match request.settings.take() {
        Some(draft) => draft.connection,
        None => {
            let domain = request.email.domain().clone();
            settings_for(&state, &domain)
                .await?
                .map(|(_, entry)| entry.connection().clone())
                .ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "No settings apply to {}: neither {} nor a parent domain that includes subdomains has any. Send the settings to check in \"settings\".",
                        request.email,
                        domain.to_unicode()
                    ))
                })?
        }
    };
    let credentials = credentials(&mut request, &connection)?;
    let servers = login_servers(&connection);
    let permit = state
        .check_limits
        .admit(
            &caller.name,
            if credentials.is_some() { &servers } else { &[] },
        )
        .map_err(limited)?;
    let target = CheckTarget {
        email: request.email.clone(),
        connection,
    };
    let run = CheckRun {
        state: state.clone(),
        caller: caller.name.clone(),
        target,
        credentials,
        send_test_email: request.send_test_email,
        servers,
        _permit: permit,
    };
    if accepts_ndjson(&headers) {
        Ok(run.streamed())
    } else {
        let report = run.whole().await;
        Ok((StatusCode::OK, Json(report)).into_response())
    }
}

/// The sign-in name by the entry's username form (core's rule), or the one sent; the typed
/// form needs one sent. Exchange signs in with the name sent, else the address.
fn credentials(
    request: &mut CheckRequest,
    connection: &Connection,
) -> Result<Option<Credentials>, ApiError> {
    let Some(password) = request.password.take() else {
        return Ok(None);
    };
    let password = Secret::new(password);
    let username = match connection {
        Connection::Imap(imap) => imap
            .username
            .username_for(&request.email)
            .or_else(|| request.username.clone()),
        Connection::Exchange(_) => request
            .username
            .clone()
            .or_else(|| Some(request.email.to_string())),
    };
    let Some(username) = username else {
        return Err(ApiError::Invalid(vec![FieldProblem::from_problem(
            "username",
            &UsernameRequired,
        )]));
    };
    Ok(Some(Credentials { username, password }))
}

/// The servers a check signs in to, as the failed-login limit counts them (`host:port`).
fn login_servers(connection: &Connection) -> Vec<String> {
    match connection {
        Connection::Imap(imap) => vec![
            format!("{}:{}", imap.incoming.host, imap.incoming.port.get()),
            format!("{}:{}", imap.outgoing.host, imap.outgoing.port.get()),
        ],
        Connection::Exchange(exchange) => vec![format!(
            "{}:{}",
            exchange.url.host(),
            exchange.url.port().unwrap_or(443)
        )],
    }
}

fn limited(refusal: LimitRefusal) -> ApiError {
    ApiError::ChecksLimited {
        detail: refusal.detail(),
        retry_after_seconds: refusal.retry_after().as_secs().max(1),
    }
}

fn accepts_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|kind| kind.trim().eq_ignore_ascii_case(NDJSON))
        })
}

/// One check about to run, with its place under the limits.
struct CheckRun {
    state: AppState,
    caller: String,
    target: CheckTarget,
    credentials: Option<Credentials>,
    send_test_email: bool,
    servers: Vec<String>,
    _permit: CheckPermit,
}

impl CheckRun {
    async fn whole(self) -> CheckReport {
        self.run(&mut |_| {}).await
    }

    /// One line per finished step, then the report; the check runs on even if the client
    /// goes away (its place under the limits is held until it ends).
    fn streamed(self) -> Response {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            let steps = sender.clone();
            let report = self
                .run(&mut move |step| {
                    if let Ok(line) = serde_json::to_string(step) {
                        let _ = steps.send(line + "\n");
                    }
                })
                .await;
            if let Ok(line) = serde_json::to_string(&report) {
                let _ = sender.send(line + "\n");
            }
        });
        let lines = futures_util::stream::unfold(receiver, |mut receiver| async move {
            receiver
                .recv()
                .await
                .map(|line| (Ok::<_, std::convert::Infallible>(line), receiver))
        });
        let mut response = Response::new(Body::from_stream(lines));
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(NDJSON));
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    async fn run(self, on_step: &mut (dyn FnMut(&StepReport) + Send)) -> CheckReport {
        let started = std::time::Instant::now();
        let limits = self.state.check_limits.clone();
        let servers = self.servers.clone();
        let mut failed_login = move |_: FailedLogin| {
            // Both servers of a pair count: a guess refused by one is a guess.
            for server in &servers {
                limits.failed_login(server);
            }
        };
        let report = self
            .state
            .checker
            .run(
                &self.target,
                self.credentials.as_ref(),
                self.send_test_email,
                on_step,
                &mut failed_login,
            )
            .await;
        let first_failure = report
            .steps
            .iter()
            .find_map(|step| Some((step, step.problem.as_ref()?.code.code())));
        let failed_step =
            first_failure.map(|(step, code)| format!("{} ({code})", step.step.as_str()));
        let outcome = match report.outcome {
            CheckOutcome::Passed => "passed",
            CheckOutcome::Failed => "failed",
        };
        count_connection_check(outcome, first_failure.map(|(_, code)| code));
        tracing::info!(
            caller = %self.caller,
            email = %self.target.email,
            servers = %self.servers.join(", "),
            with_password = self.credentials.is_some(),
            send_test_email = self.send_test_email,
            outcome,
            failed_step = failed_step.as_deref().unwrap_or("none"),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "connection check"
        );
        report
    }
}

/// A `typed` username form with no username sent.
#[derive(Debug)]
struct UsernameRequired;

impl std::fmt::Display for UsernameRequired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "People of this domain type their own username: send it in \"username\" with the password.",
        )
    }
}

impl Problem for UsernameRequired {
    fn code(&self) -> &'static str {
        "credentials.empty_username"
    }
}
