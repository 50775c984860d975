//! `POST /api/v1/email-domains/{domain}/history/{revision}/restore`: writes the entry as it was
//! after a revision of the domain's history back, as a new change with a new revision.
//! `If-Match` names the entry now at the path's domain; `If-None-Match: *` revives a removed
//! one (201). The revision's entry comes back under the name it had then: from before a rename
//! that is the old name (the entry moves back to it, `Location` says where). The history
//! records a `restored` row with `restored_from`.
//!
//! Owns: finding the revision in the domain's history (the same history `GET …/history`
//! lists), reading its entry through core, and turning the outcome into a response as a PUT
//! does (200/201 with the entry and its `ETag`; 412 with the current entry; 409 naming the
//! holder of a taken name). Must not: check a rule (core's `SettingsBook::apply` does, inside
//! the store's transaction) or choose an error's status (`error.rs` does).
//!
//! Answers of its own: 404 when the revision is not in the domain's history, and 404 when the
//! revision is a removal (there is no entry as it was after it: the revision before it holds
//! the entry it removed). A stored entry that today's rules refuse is a 422 naming its fields.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use mailsetup_core::wire::{self, Precondition};
use mailsetup_core::{Change, Domain};

use crate::auth::Writer;
use crate::clock;
use crate::error::{ApiError, Refusal};
use crate::request::restore_precondition;
use crate::routes::email_domains::written;
use crate::state::AppState;
use crate::store::{RefusedChange, entry_history};

/// `POST /api/v1/email-domains/{domain}/history/{revision}/restore`.
pub async fn restore(
    Writer(caller): Writer,
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let precondition = restore_precondition(&headers)?;
    let (at, revision) = domain_and_revision(path)?;
    // Read outside the write's transaction, which is safe: audit rows are only ever appended,
    // so revision R's entry cannot change; whether it may be written back now is core's
    // decision inside the transaction.
    let history = entry_history(state.store.as_ref(), &at).await?;
    let record = history
        .iter()
        .find(|record| record.revision == revision)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Revision {revision} is not in the history of {}. Read the history for the revisions it has.",
                at.to_unicode()
            ))
        })?;
    let Some(body) = record.body.as_deref() else {
        return Err(ApiError::NotFound(format!(
            "Revision {revision} removed the entry, so there is no entry as it was after it. Restore the revision before it."
        )));
    };
    // Read as core reads any stored entry: an entry written under an older version of the
    // document is read through today's rules.
    let entry = wire::entry_from_stored(body).map_err(ApiError::Invalid)?;
    let reviving = precondition == Precondition::Absent;
    let change = Change::Restore {
        at: at.clone(),
        expected_revision: match precondition {
            Precondition::Revision(expected) => Some(expected),
            Precondition::Absent => None,
        },
        draft: entry.to_draft(),
        restored_from: revision,
    };
    let applied = state
        .store
        .apply(change, &caller.name, clock::now())
        .await?
        .map_err(|RefusedChange { error, current }| Refusal {
            // Reviving a name that holds an entry is a failed precondition, as a creation's
            // is; the name written back being taken is a conflict.
            creating: reviving && error.domain() == &at,
            original: Some(at.clone()),
            error,
            current,
        })?;
    written(&caller, applied, reviving)
}

/// The path's domain and revision, or 404: no history lives at a name that is no domain, and
/// no revision is anything but a number.
fn domain_and_revision(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(Domain, u64), ApiError> {
    let Ok(Path((raw_domain, raw_revision))) = path else {
        return Err(ApiError::NotFound(
            "There is no revision at this address: the path is not readable text.".into(),
        ));
    };
    let domain = Domain::parse(&raw_domain).map_err(|error| {
        ApiError::NotFound(format!(
            "There is no history at this address: the name in the path is not a domain. {error}"
        ))
    })?;
    let revision = raw_revision.parse::<u64>().map_err(|_| {
        ApiError::NotFound(format!(
            "There is no revision {} in any history: a revision is a number, as the history lists it.",
            shorten(&raw_revision)
        ))
    })?;
    Ok((domain, revision))
}

/// A path segment cut for quoting in a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
