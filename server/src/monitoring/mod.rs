//! What an operator scrapes from `/metrics` (`--metrics-bind`): the process-wide recorder, the
//! series' names, descriptions and histogram buckets, and the few functions that count what
//! the server does (writes and their conflicts, connection checks, sign-in failures).
//!
//! The names follow OpenTelemetry's semantic conventions where they have one
//! (`http_server_request_duration_seconds`, `http_server_active_requests`,
//! `db_client_connection_count`, Prometheus' own `process_*`), and `mailsetup_*` otherwise.
//! Every label value comes from a small fixed set (route templates, method names, status
//! codes, core's problem codes, the words below): never a domain name, an address or a token.
//!
//! The recorder is global to the process (the `metrics` facade has one) and installed once, by
//! the first application started with `--metrics-bind`; until then nothing is recorded and
//! every function here returns at once, so a server without metrics pays for none.
//!
//! Owns: the recorder and what is counted under which labels (`http.rs`: requests;
//! `endpoint.rs`: the listener's router and what is sampled when it is read). Must not: decide
//! an outcome (callers say what happened: a status, a check's report), or open a socket
//! (`startup.rs` binds the metrics listener).

use std::sync::OnceLock;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub mod endpoint;
pub mod http;

/// `http_server_request_duration_seconds`: histogram by route template, method and status.
pub const REQUEST_DURATION: &str = "http_server_request_duration_seconds";
/// `http_server_active_requests`: requests being answered now.
pub const ACTIVE_REQUESTS: &str = "http_server_active_requests";
/// `mailsetup_writes_total{operation, outcome}`.
pub const WRITES: &str = "mailsetup_writes_total";
/// `mailsetup_connection_checks_total{outcome, problem}`.
pub const CONNECTION_CHECKS: &str = "mailsetup_connection_checks_total";
/// `mailsetup_sign_in_failures_total{via, reason}`.
pub const SIGN_IN_FAILURES: &str = "mailsetup_sign_in_failures_total";
/// `db_client_connection_count{db_client_connection_pool_name, db_client_connection_state}`.
pub const POOL_CONNECTIONS: &str = "db_client_connection_count";
/// `db_client_connection_max{db_client_connection_pool_name}`.
pub const POOL_MAX_CONNECTIONS: &str = "db_client_connection_max";

/// The request duration's bucket bounds in seconds: OpenTelemetry's advice for
/// `http.server.request.duration`, with 1 and 2.5 ms below it (most answers here take less
/// than 5 ms) and 30 and 60 s above it (a connection check may take a minute).
pub const REQUEST_DURATION_BUCKETS: [f64; 18] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    30.0, 60.0,
];

/// The recorder of this process, once installed (or why it could not be).
static RECORDER: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the process's recorder on first call and returns a handle that renders it; later
/// calls return the same handle. Fails when another recorder holds the `metrics` facade (a
/// program embedding the server that installed its own).
pub fn install_recorder() -> Result<PrometheusHandle, String> {
    RECORDER
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(REQUEST_DURATION.to_owned()),
                    &REQUEST_DURATION_BUCKETS,
                )
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|error| error.to_string())?;
            describe_series();
            Ok(handle)
        })
        .clone()
}

/// Whether anything is being recorded (some application of this process serves `/metrics`).
pub fn recording() -> bool {
    matches!(RECORDER.get(), Some(Ok(_)))
}

fn describe_series() {
    describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request, until its head is sent (a streamed connection check's body goes on after it), by route template, method and status."
    );
    describe_gauge!(
        ACTIVE_REQUESTS,
        Unit::Count,
        "HTTP requests being answered now."
    );
    describe_counter!(
        WRITES,
        Unit::Count,
        "Writes (put, delete, import, restore) by outcome: applied (2xx), conflict (412: the entry or the book changed since the client read it), refused (any other 4xx), failed (5xx)."
    );
    describe_counter!(
        CONNECTION_CHECKS,
        Unit::Count,
        "Connection checks run, by outcome and by the problem code of the first failed step (none when passed)."
    );
    describe_counter!(
        SIGN_IN_FAILURES,
        Unit::Count,
        "Refused sign-ins: via sign_in (POST /api/v1/session) or bearer (Authorization header), by reason."
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        Unit::Count,
        "Database connections of each pool (read, write) by state (used, idle), sampled when /metrics is read."
    );
    describe_gauge!(
        POOL_MAX_CONNECTIONS,
        Unit::Count,
        "The most connections each database pool opens."
    );
    metrics_process::Collector::default().describe();
}

/// A write the API answers, as `mailsetup_writes_total` labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOperation {
    /// `PUT /api/v1/email-domains/{domain}`: create, update or rename.
    Put,
    /// `DELETE /api/v1/email-domains/{domain}`.
    Delete,
    /// `POST /api/v1/email-domains/import`.
    Import,
    /// `POST /api/v1/email-domains/{domain}/history/{revision}/restore`.
    Restore,
}

impl WriteOperation {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteOperation::Put => "put",
            WriteOperation::Delete => "delete",
            WriteOperation::Import => "import",
            WriteOperation::Restore => "restore",
        }
    }
}

/// What became of a write, by its answer's status: applied (2xx), conflict (412: the client's
/// revision or the book's sequence is no longer current), failed (5xx), refused (any other
/// answer: the rules, the request or the caller's rights said no).
pub fn write_outcome(status: StatusCode) -> &'static str {
    if status.is_success() {
        "applied"
    } else if status == StatusCode::PRECONDITION_FAILED {
        "conflict"
    } else if status.is_server_error() {
        "failed"
    } else {
        "refused"
    }
}

/// Middleware on each write route (its state says which write): counts the answer once, by
/// its final status, whichever part of the handler produced it.
pub async fn count_write(
    State(operation): State<WriteOperation>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if recording() {
        counter!(
            WRITES,
            "operation" => operation.as_str(),
            "outcome" => write_outcome(response.status()),
        )
        .increment(1);
    }
    response
}

/// Counts a connection check that ran: `passed` or `failed`, and the stable `check.*` code of
/// the step that failed first (`none` when none did).
pub fn count_connection_check(outcome: &'static str, problem: Option<&'static str>) {
    if recording() {
        counter!(
            CONNECTION_CHECKS,
            "outcome" => outcome,
            "problem" => problem.unwrap_or("none"),
        )
        .increment(1);
    }
}

/// How a refused caller tried to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInVia {
    /// `POST /api/v1/session`.
    SignIn,
    /// `Authorization: Bearer` on any request.
    Bearer,
}

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// A token no line of the tokens file has.
    UnknownToken,
    /// No token at all (a body without one, an `Authorization` header of another scheme).
    NoToken,
    /// Over the sign-in attempts per minute of its address.
    RateLimited,
}

/// Counts a refused sign-in.
pub fn count_sign_in_failure(via: SignInVia, reason: SignInFailure) {
    if recording() {
        counter!(
            SIGN_IN_FAILURES,
            "via" => match via {
                SignInVia::SignIn => "sign_in",
                SignInVia::Bearer => "bearer",
            },
            "reason" => match reason {
                SignInFailure::UnknownToken => "unknown_token",
                SignInFailure::NoToken => "no_token",
                SignInFailure::RateLimited => "rate_limited",
            },
        )
        .increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_counted_by_its_answer() {
        for (status, outcome) in [
            (StatusCode::OK, "applied"),
            (StatusCode::CREATED, "applied"),
            (StatusCode::NO_CONTENT, "applied"),
            (StatusCode::PRECONDITION_FAILED, "conflict"),
            (StatusCode::CONFLICT, "refused"),
            (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            (StatusCode::PRECONDITION_REQUIRED, "refused"),
            (StatusCode::FORBIDDEN, "refused"),
            (StatusCode::SERVICE_UNAVAILABLE, "failed"),
            (StatusCode::INTERNAL_SERVER_ERROR, "failed"),
        ] {
            assert_eq!(write_outcome(status), outcome, "{status}");
        }
    }

    #[test]
    fn the_request_duration_has_increasing_buckets() {
        assert!(
            REQUEST_DURATION_BUCKETS
                .windows(2)
                .all(|pair| pair[0] < pair[1])
        );
    }
}
