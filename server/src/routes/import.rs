//! `POST /api/v1/email-domains/import`: the settings of a file, previewed by the person against
//! the list whose `ETag` the request names in `If-Match`, applied in one transaction, all of them
//! or none. 412 when the book changed since (`book-changed`), 422 naming each line the book's
//! rules refuse (`domains[i]`).
//!
//! Owns: turning the request into the store's import order and its outcome into a response.
//! Must not: plan the import (core's `import::plan_import` does, inside the store's transaction).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mailsetup_core::FieldProblem;
use mailsetup_core::wire::{self, ImportRequest};

use crate::auth::Writer;
use crate::clock;
use crate::error::ApiError;
use crate::request::{IMPORT_BODY_LIMIT_BYTES, JsonText, import_precondition};
use crate::routes::email_domains::{json_response, wire_error};
use crate::state::AppState;
use crate::store::{ImportOrder, RefusedImport};

/// `POST /api/v1/email-domains/import`.
pub async fn import(
    Writer(caller): Writer,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<JsonText, ApiError>,
) -> Result<Response, ApiError> {
    let expected_sequence = import_precondition(&headers)?;
    let JsonText(text) = body.map_err(|error| match error {
        ApiError::PayloadTooLarge { .. } => ApiError::PayloadTooLarge {
            limit_kib: IMPORT_BODY_LIMIT_BYTES / 1024,
        },
        other => other,
    })?;
    let request = ImportRequest::from_json(&text).map_err(wire_error)?;
    let order = ImportOrder {
        request,
        expected_sequence,
    };
    let (summary, sequence) = state
        .store
        .import(&order, &caller.name, clock::now())
        .await?
        .map_err(|refused| match refused {
            RefusedImport::Outdated { sequence } => ApiError::BookChanged { sequence },
            RefusedImport::Lines(lines) => ApiError::Invalid(
                lines
                    .iter()
                    .map(|(index, refusal)| {
                        FieldProblem::from_problem(&format!("domains[{index}]"), refusal)
                    })
                    .collect(),
            ),
        })?;
    tracing::info!(
        actor = %caller.name,
        added = summary.added,
        changed = summary.changed,
        removed = summary.removed,
        sequence,
        "settings imported"
    );
    Ok(json_response(
        StatusCode::OK,
        &wire::entity_tag(sequence),
        summary.to_json(),
    ))
}
