//! `/api/v1/email-domains` and `/api/v1/email-domains/{domain}`: the list (with the book's
//! sequence as its ETag), one entry (its revision as its ETag), create (`If-None-Match: *`),
//! update or rename (`If-Match`), and remove (`If-Match`).
//!
//! Owns: turning a request into one core [`Change`] and the outcome into a response (status,
//! `ETag`, `Location`). Must not: check a rule (core does, inside the store's transaction) or
//! choose an error's status (`error.rs` does).
//!
//! A path domain may be in either spelling (`bücher.example` percent-encoded, or
//! `xn--bcher-kva.example`): core normalises it, and rows are keyed by the ASCII form. A path
//! that is no domain at all is 404 for GET and DELETE (nothing can live there) and 422 for
//! PUT (the client asked to write there: it is told what is wrong with the name).

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailsetup_core::wire::Precondition;
use mailsetup_core::{Applied, Domain, DomainError, Entry, FieldProblem, Problem, wire};

use crate::auth::{Caller, Writer};
use crate::clock;
use crate::error::{ApiError, Refusal};
use crate::request::{JsonText, delete_precondition, none_match_hits, put_precondition};
use crate::state::AppState;
use crate::store::RefusedChange;

/// Where an entry lives, by its ASCII name.
pub fn entry_location(domain: &Domain) -> String {
    format!("/api/v1/email-domains/{}", domain.as_ascii())
}

/// `GET /api/v1/email-domains`.
pub async fn list(
    _caller: Caller,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (sequence, texts) = state
        .read_model
        .collection_unless(|sequence| none_match_hits(&headers, &wire::entity_tag(sequence)))
        .await?;
    let etag = wire::entity_tag(sequence);
    let Some(texts) = texts else {
        return Ok(not_modified(&etag));
    };
    // Sent as core puts it together, a piece at a time: a large book is never held whole.
    let pieces = wire::collection_json_pieces(sequence, texts, LIST_PIECE_BYTES)
        .map(|piece| Ok::<_, Infallible>(Bytes::from(piece)));
    Ok(json_response(
        StatusCode::OK,
        &etag,
        Body::from_stream(futures_util::stream::iter(pieces)),
    ))
}

/// How much of the list is put together at a time (about 230 entries).
const LIST_PIECE_BYTES: usize = 64 * 1024;

/// `GET /api/v1/email-domains/{domain}`.
pub async fn read(
    _caller: Caller,
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let domain = domain_or_not_found(path)?;
    let entry = stored_entry(&state, &domain)
        .await?
        .ok_or_else(|| no_settings(&domain))?;
    let etag = wire::entity_tag(entry.revision());
    if none_match_hits(&headers, &etag) {
        return Ok(not_modified(&etag));
    }
    Ok(json_response(
        StatusCode::OK,
        &etag,
        wire::entry_to_wire(&entry),
    ))
}

/// `PUT /api/v1/email-domains/{domain}`: create, update or rename.
pub async fn put(
    Writer(caller): Writer,
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<JsonText, ApiError>,
) -> Result<Response, ApiError> {
    let precondition = put_precondition(&headers)?;
    let JsonText(text) = body?;
    let sent = wire::sent_entry_from_wire(&text).map_err(wire_error)?;
    let path_domain = domain_or_invalid(path)?;
    let creating = precondition == Precondition::Absent;
    // A body that does not say exactly how certificates are trusted (a client from before
    // `certificate_trust`) keeps the trust of the entry it replaces: core's rule, given that
    // entry. Read outside the write's transaction, which is safe: core uses it only at the
    // revision `If-Match` names, and the write is refused if the entry moved on since.
    let current = match precondition {
        Precondition::Revision(revision) if sent.needs_current_trust() => {
            state
                .read_model
                .entry_at_least(&path_domain, revision)
                .await?
        }
        _ => None,
    };
    let draft = sent.into_draft(precondition, current.as_ref());
    let change =
        wire::change_from_put(path_domain.clone(), precondition, draft).map_err(|mismatch| {
            ApiError::Invalid(vec![FieldProblem::from_problem("domain", &mismatch)])
        })?;
    let outcome = state
        .store
        .apply(change, &caller.name, clock::now())
        .await?;
    let applied = outcome.map_err(|RefusedChange { error, current }| Refusal {
        error,
        current,
        creating,
        original: (!creating).then(|| path_domain.clone()),
    })?;
    written(&caller, applied, creating)
}

/// The answer to a write that left an entry (a PUT, a restore): the entry and its `ETag`, 201
/// with its `Location` when `created`, and `Location` too when it moved to another name. Logs
/// the change.
pub(crate) fn written(
    caller: &Caller,
    applied: Applied,
    created: bool,
) -> Result<Response, ApiError> {
    let Some(entry) = applied.entry else {
        // Core gives the entry for every change but a removal.
        return Err(ApiError::Internal);
    };
    tracing::info!(
        actor = %caller.name,
        action = applied.action.as_str(),
        domain = entry.domain().as_ascii(),
        revision = entry.revision(),
        restored_from = applied.restored_from,
        "settings changed"
    );
    let etag = wire::entity_tag(entry.revision());
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = json_response(status, &etag, wire::entry_to_wire(&entry));
    if created || applied.previous_domain.is_some() {
        set_header(
            &mut response,
            header::LOCATION,
            &entry_location(entry.domain()),
        );
    }
    Ok(response)
}

/// `DELETE /api/v1/email-domains/{domain}`.
pub async fn remove(
    Writer(caller): Writer,
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let expected_revision = delete_precondition(&headers)?;
    let domain = domain_or_not_found(path)?;
    let change = wire::change_from_delete(domain.clone(), expected_revision);
    let applied = state
        .store
        .apply(change, &caller.name, clock::now())
        .await?
        .map_err(|RefusedChange { error, current }| Refusal {
            error,
            current,
            creating: false,
            original: Some(domain.clone()),
        })?;
    tracing::info!(
        actor = %caller.name,
        domain = applied.domain.as_ascii(),
        "settings removed"
    );
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The stored entry of exactly this domain, as of now.
pub async fn stored_entry(state: &AppState, domain: &Domain) -> Result<Option<Entry>, ApiError> {
    Ok(state.read_model.entry(domain).await?)
}

/// The path's domain, or 404: nothing can be stored under a name that is no domain.
pub fn domain_or_not_found(path: Result<Path<String>, PathRejection>) -> Result<Domain, ApiError> {
    let Ok(Path(raw)) = path else {
        return Err(ApiError::NotFound(
            "There is no domain at this address: the name in the path is not readable text.".into(),
        ));
    };
    Domain::parse(&raw).map_err(|error| {
        ApiError::NotFound(format!(
            "There is no domain at this address: the name in the path is not a domain. {error}"
        ))
    })
}

/// The path's domain, or 422 naming what is wrong with it (field `path`).
fn domain_or_invalid(path: Result<Path<String>, PathRejection>) -> Result<Domain, ApiError> {
    let invalid = |problem: &dyn Problem| {
        ApiError::Invalid(vec![FieldProblem::from_problem("path", problem)])
    };
    match path {
        Ok(Path(raw)) => Domain::parse(&raw).map_err(|error| invalid(&error)),
        Err(_) => Err(invalid(&DomainError::Empty)),
    }
}

pub fn no_settings(domain: &Domain) -> ApiError {
    ApiError::NotFound(format!("{} has no settings.", domain.to_unicode()))
}

pub fn wire_error(error: wire::WireError) -> ApiError {
    match error {
        wire::WireError::Invalid(problems) => ApiError::Invalid(problems),
        not_json @ wire::WireError::NotJson { .. } => ApiError::NotJson {
            detail: not_json.to_string(),
            code: not_json.code(),
            params: not_json.params(),
        },
    }
}

/// A JSON answer with its entity tag, which caches must check again before reusing.
pub fn json_response(status: StatusCode, etag: &str, body: impl Into<Body>) -> Response {
    let body: Body = body.into();
    let mut response = (status, body).into_response();
    set_header(&mut response, header::CONTENT_TYPE, "application/json");
    set_header(&mut response, header::ETAG, etag);
    set_header(&mut response, header::CACHE_CONTROL, "private, no-cache");
    response
}

fn not_modified(etag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    set_header(&mut response, header::ETAG, etag);
    set_header(&mut response, header::CACHE_CONTROL, "private, no-cache");
    response
}

/// Sets a header whose value the server made (entity tags, ASCII paths, fixed texts).
pub fn set_header(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}
