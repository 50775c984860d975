//! [`ApiError`]: every way a request can fail, and the one place that turns a failure into an
//! HTTP status and an RFC 9457 `application/problem+json` body.
//!
//! Owns: status codes of failures, problem `type` URIs (listed in [`ProblemType`] and documented
//! in README.md and openapi.json), titles, extension members (`code`, `params`, `errors`,
//! `current`, `etag`), and the headers a failure needs (`WWW-Authenticate`, `Retry-After`).
//! Must not: decide whether something failed (core, the store and the handlers do) or word
//! core's messages itself: core's sentence is the `detail` and its code the `code`.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailsetup_core::{BookError, Domain, Entry, FieldProblem, Problem, wire};
use serde_json::{Map, Value, json};

use crate::request::UNMATCHED_REVISION;
use crate::store::StoreError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where the problem types are documented; each type URI is this plus its slug.
pub const PROBLEM_BASE: &str = "https://mailsetup.dev/problems/";

/// The kinds of problem the API reports, each with its own `type` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    Unauthenticated,
    ForbiddenRole,
    Csrf,
    NotFound,
    MethodNotAllowed,
    MalformedRequest,
    InvalidPrecondition,
    PreconditionRequired,
    StaleRevision,
    BookChanged,
    AlreadyExists,
    DomainTaken,
    KindChange,
    ValidationFailed,
    UnsupportedMediaType,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    Internal,
}

impl ProblemType {
    /// Every type, for the documentation test.
    pub const ALL: [ProblemType; 19] = [
        ProblemType::Unauthenticated,
        ProblemType::ForbiddenRole,
        ProblemType::Csrf,
        ProblemType::NotFound,
        ProblemType::MethodNotAllowed,
        ProblemType::MalformedRequest,
        ProblemType::InvalidPrecondition,
        ProblemType::PreconditionRequired,
        ProblemType::StaleRevision,
        ProblemType::BookChanged,
        ProblemType::AlreadyExists,
        ProblemType::DomainTaken,
        ProblemType::KindChange,
        ProblemType::ValidationFailed,
        ProblemType::UnsupportedMediaType,
        ProblemType::PayloadTooLarge,
        ProblemType::RateLimited,
        ProblemType::Unavailable,
        ProblemType::Internal,
    ];

    /// The last part of the type URI.
    pub fn slug(self) -> &'static str {
        match self {
            ProblemType::Unauthenticated => "unauthenticated",
            ProblemType::ForbiddenRole => "forbidden-role",
            ProblemType::Csrf => "csrf",
            ProblemType::NotFound => "not-found",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::MalformedRequest => "malformed-request",
            ProblemType::InvalidPrecondition => "invalid-precondition",
            ProblemType::PreconditionRequired => "precondition-required",
            ProblemType::StaleRevision => "stale-revision",
            ProblemType::BookChanged => "book-changed",
            ProblemType::AlreadyExists => "already-exists",
            ProblemType::DomainTaken => "domain-taken",
            ProblemType::KindChange => "kind-change",
            ProblemType::ValidationFailed => "validation-failed",
            ProblemType::UnsupportedMediaType => "unsupported-media-type",
            ProblemType::PayloadTooLarge => "payload-too-large",
            ProblemType::RateLimited => "rate-limited",
            ProblemType::Unavailable => "unavailable",
            ProblemType::Internal => "internal",
        }
    }

    pub fn uri(self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug())
    }

    /// The short, fixed summary (`title`); `detail` says what happened this time.
    pub fn title(self) -> &'static str {
        match self {
            ProblemType::Unauthenticated => "Sign-in required",
            ProblemType::ForbiddenRole => "Your role may not do this",
            ProblemType::Csrf => "Missing or wrong CSRF token",
            ProblemType::NotFound => "Not found",
            ProblemType::MethodNotAllowed => "Method not allowed",
            ProblemType::MalformedRequest => "Malformed request",
            ProblemType::InvalidPrecondition => "Unusable precondition header",
            ProblemType::PreconditionRequired => "Precondition required",
            ProblemType::StaleRevision => "The entry has changed",
            ProblemType::BookChanged => "The settings have changed",
            ProblemType::AlreadyExists => "The domain already has settings",
            ProblemType::DomainTaken => "The new domain already has settings",
            ProblemType::KindChange => "The kind of settings cannot change",
            ProblemType::ValidationFailed => "Invalid settings",
            ProblemType::UnsupportedMediaType => "Send JSON",
            ProblemType::PayloadTooLarge => "Request body too large",
            ProblemType::RateLimited => "Too many attempts",
            ProblemType::Unavailable => "Temporarily unavailable",
            ProblemType::Internal => "Internal error",
        }
    }
}

/// A change core refused, with what the store held when it refused.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub error: BookError,
    /// The entry the refusal is about (the error's domain), as it stands; `None` if it has none.
    pub current: Option<Entry>,
    /// Whether the request asked to create (`If-None-Match: *`): a taken domain is then a
    /// failed precondition (412), not a conflict (409).
    pub creating: bool,
    /// The entry the request edits (its path domain), to tell a kind change on it from a
    /// rename onto a domain of the other kind.
    pub original: Option<Domain>,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("A read-only token can read and look up settings but not change them.")]
    ForbiddenRole,
    #[error(
        "A change made with a session cookie needs the X-CSRF-Token header the session was opened with."
    )]
    Csrf,
    #[error("{0}")]
    NotFound(String),
    #[error("This address does not accept that method.")]
    MethodNotAllowed,
    #[error("{0}")]
    Malformed(String),
    /// The body is not JSON at all; core's `wire.not_json` or a plain parse error.
    #[error("{detail}")]
    NotJson {
        detail: String,
        code: &'static str,
        params: Vec<(&'static str, String)>,
    },
    #[error("{0}")]
    InvalidPrecondition(String),
    #[error("{0}")]
    PreconditionRequired(&'static str),
    /// Field-level problems, by core's codes.
    #[error("The request has {} problem(s); each is named with its field.", .0.len())]
    Invalid(Vec<FieldProblem>),
    #[error("{}", .0.error)]
    Refused(Box<Refusal>),
    /// An import previewed against another version of the book than the one stored now.
    #[error(
        "The settings have changed since the import was previewed (the collection is now at ETag \"{sequence}\"). Nothing was imported: read the list again, preview the import against it and send it with the new ETag."
    )]
    BookChanged { sequence: u64 },
    #[error("Send the body as JSON with the header Content-Type: application/json.")]
    UnsupportedMediaType,
    #[error("The request body is larger than {limit_kib} KiB.")]
    PayloadTooLarge { limit_kib: usize },
    #[error("Too many {what} from this address. Wait {retry_after_seconds} s and try again.")]
    RateLimited {
        what: Limited,
        retry_after_seconds: u64,
    },
    /// A connection check beyond a limit: the caller's checks at once, the server's, or
    /// refused passwords for a mail server.
    #[error("{detail}")]
    ChecksLimited {
        detail: String,
        retry_after_seconds: u64,
    },
    /// A mail program's request without a usable e-mail address, or a body that is not the
    /// request its format expects; `code` and `params` when core's `email.*` code says why.
    #[error("{detail}")]
    MailRequest {
        detail: String,
        code: Option<&'static str>,
        params: Vec<(&'static str, String)>,
    },
    #[error("The server is busy or its database does not answer. Try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on the server. It has been logged; try again.")]
    Internal,
    /// A bare error status from a layer or axum (a timeout, an unknown route), given a body.
    #[error("The request failed with status {0}.")]
    Status(StatusCode),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        if error.is_unavailable() {
            tracing::warn!(%error, "database unavailable");
            ApiError::Unavailable
        } else {
            tracing::error!(%error, "store failure");
            ApiError::Internal
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        ApiError::Refused(Box::new(refusal))
    }
}

/// What a client did too often (each has its own limiter, per client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// `POST /api/v1/session`.
    SignIns,
    /// The answers to mail programs (autoconfig, Autodiscover, Apple profiles).
    MailSettingsRequests,
}

impl std::fmt::Display for Limited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Limited::SignIns => "sign-in attempts",
            Limited::MailSettingsRequests => "requests for mail settings",
        })
    }
}

/// How long a client should wait after a 503.
const UNAVAILABLE_RETRY_SECONDS: u64 = 2;

impl ApiError {
    fn problem_type(&self) -> ProblemType {
        match self {
            ApiError::Unauthenticated(_) => ProblemType::Unauthenticated,
            ApiError::ForbiddenRole => ProblemType::ForbiddenRole,
            ApiError::Csrf => ProblemType::Csrf,
            ApiError::NotFound(_) => ProblemType::NotFound,
            ApiError::MethodNotAllowed => ProblemType::MethodNotAllowed,
            ApiError::Malformed(_) | ApiError::NotJson { .. } | ApiError::MailRequest { .. } => {
                ProblemType::MalformedRequest
            }
            ApiError::InvalidPrecondition(_) => ProblemType::InvalidPrecondition,
            ApiError::PreconditionRequired(_) => ProblemType::PreconditionRequired,
            ApiError::Invalid(_) => ProblemType::ValidationFailed,
            ApiError::Refused(refusal) => refusal_type(refusal),
            ApiError::BookChanged { .. } => ProblemType::BookChanged,
            ApiError::UnsupportedMediaType => ProblemType::UnsupportedMediaType,
            ApiError::PayloadTooLarge { .. } => ProblemType::PayloadTooLarge,
            ApiError::RateLimited { .. } | ApiError::ChecksLimited { .. } => {
                ProblemType::RateLimited
            }
            ApiError::Unavailable => ProblemType::Unavailable,
            ApiError::Internal => ProblemType::Internal,
            ApiError::Status(status) => status_type(*status),
        }
    }

    fn status(&self) -> StatusCode {
        match self.problem_type() {
            ProblemType::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemType::ForbiddenRole | ProblemType::Csrf => StatusCode::FORBIDDEN,
            ProblemType::NotFound => StatusCode::NOT_FOUND,
            ProblemType::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemType::MalformedRequest | ProblemType::InvalidPrecondition => {
                StatusCode::BAD_REQUEST
            }
            ProblemType::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ProblemType::StaleRevision | ProblemType::BookChanged | ProblemType::AlreadyExists => {
                StatusCode::PRECONDITION_FAILED
            }
            ProblemType::DomainTaken | ProblemType::KindChange => StatusCode::CONFLICT,
            ProblemType::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemType::Unavailable => match self {
                ApiError::Status(status) => *status,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            },
            ProblemType::Internal => match self {
                ApiError::Status(status) if status.is_server_error() => *status,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    /// The extension members beyond type, title, status and detail.
    fn extensions(&self) -> Map<String, Value> {
        let mut members = Map::new();
        match self {
            ApiError::NotJson { code, params, .. } => {
                members.insert("code".into(), json!(code));
                members.insert("params".into(), params_object(params));
            }
            ApiError::MailRequest {
                code: Some(code),
                params,
                ..
            } => {
                members.insert("code".into(), json!(code));
                members.insert("params".into(), params_object(params));
            }
            ApiError::Invalid(problems) => {
                let errors = problems.iter().map(field_problem_json).collect();
                members.insert("errors".into(), Value::Array(errors));
            }
            ApiError::Refused(refusal) => {
                members.insert("code".into(), json!(refusal.error.code()));
                members.insert(
                    "params".into(),
                    params_object(&refusal_params(&refusal.error)),
                );
                let (current, etag) = match &refusal.current {
                    Some(entry) => (entry_json(entry), json!(wire::entity_tag(entry.revision()))),
                    None => (Value::Null, Value::Null),
                };
                members.insert("current".into(), current);
                members.insert("etag".into(), etag);
            }
            ApiError::BookChanged { sequence } => {
                members.insert("etag".into(), json!(wire::entity_tag(*sequence)));
            }
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            }
            | ApiError::ChecksLimited {
                retry_after_seconds,
                ..
            } => {
                members.insert("retry_after".into(), json!(retry_after_seconds));
            }
            _ => {}
        }
        members
    }

    fn extra_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        match self {
            ApiError::Unauthenticated(_) => vec![(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"mailsetup\""),
            )],
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            }
            | ApiError::ChecksLimited {
                retry_after_seconds,
                ..
            } => retry_after(*retry_after_seconds),
            ApiError::Unavailable | ApiError::Status(StatusCode::SERVICE_UNAVAILABLE) => {
                retry_after(UNAVAILABLE_RETRY_SECONDS)
            }
            _ => Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let kind = self.problem_type();
        let detail = match &self {
            ApiError::Status(_) => status_detail(status),
            other => other.to_string(),
        };
        let mut body = Map::new();
        body.insert("type".into(), json!(kind.uri()));
        body.insert("title".into(), json!(kind.title()));
        body.insert("status".into(), json!(status.as_u16()));
        body.insert("detail".into(), json!(detail));
        body.extend(self.extensions());
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        for (name, value) in self.extra_headers() {
            headers.insert(name, value);
        }
        (status, headers, Value::Object(body).to_string()).into_response()
    }
}

fn refusal_type(refusal: &Refusal) -> ProblemType {
    match &refusal.error {
        BookError::StaleRevision { .. } | BookError::NotFound { .. } => ProblemType::StaleRevision,
        BookError::AlreadyConfigured { .. } | BookError::KindConflict { .. }
            if refusal.creating =>
        {
            ProblemType::AlreadyExists
        }
        BookError::KindConflict { domain, .. } if refusal.original.as_ref() == Some(domain) => {
            ProblemType::KindChange
        }
        BookError::AlreadyConfigured { .. } | BookError::KindConflict { .. } => {
            ProblemType::DomainTaken
        }
    }
}

/// The problem type for a bare status some layer produced.
fn status_type(status: StatusCode) -> ProblemType {
    match status {
        StatusCode::UNAUTHORIZED => ProblemType::Unauthenticated,
        StatusCode::NOT_FOUND => ProblemType::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ProblemType::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
        StatusCode::TOO_MANY_REQUESTS => ProblemType::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => ProblemType::Unavailable,
        status if status.is_server_error() => ProblemType::Internal,
        _ => ProblemType::MalformedRequest,
    }
}

fn status_detail(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => {
            "There is nothing at this address. The API lives under /api/v1/; see /api/openapi.json."
                .into()
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not accept that method; the Allow header lists those it does.".into()
        }
        // Only a body over the largest limit any route has is refused before a handler runs.
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "The request body is larger than {} KiB.",
            crate::request::IMPORT_BODY_LIMIT_BYTES / 1024
        ),
        StatusCode::SERVICE_UNAVAILABLE => {
            "The server took too long to answer. Try again in a moment.".into()
        }
        status => format!(
            "The request failed: {}.",
            status.canonical_reason().unwrap_or("unknown status")
        ),
    }
}

fn retry_after(seconds: u64) -> Vec<(HeaderName, HeaderValue)> {
    vec![(header::RETRY_AFTER, HeaderValue::from(seconds))]
}

/// A refused change's params, without the revision it expected when the request named none
/// this server issued (a foreign entity tag, [`UNMATCHED_REVISION`]): that number is the
/// server's stand-in, not something the client sent.
fn refusal_params(error: &BookError) -> Vec<(&'static str, String)> {
    let stand_in = UNMATCHED_REVISION.to_string();
    error
        .params()
        .into_iter()
        .filter(|(name, value)| !(*name == "expected" && *value == stand_in))
        .collect()
}

/// Problem params as a JSON object (`{"domain": "example.com"}`).
fn params_object(params: &[(&'static str, String)]) -> Value {
    Value::Object(
        params
            .iter()
            .map(|(name, value)| ((*name).to_owned(), json!(value)))
            .collect(),
    )
}

fn field_problem_json(problem: &FieldProblem) -> Value {
    json!({
        "field": problem.field,
        "code": problem.code,
        "message": problem.message,
        "params": params_object(&problem.params),
    })
}

/// An entry as a JSON value, in the shape core writes.
pub fn entry_json(entry: &Entry) -> Value {
    // Core writes valid JSON; Null would only stand in if that ever broke.
    serde_json::from_str(&wire::entry_to_wire(entry)).unwrap_or(Value::Null)
}
