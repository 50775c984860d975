//! `GET /api/v1/email-domains/{domain}/history`: the audit log of one entry, newest first —
//! who (the token's name), when, what, the revision, the old name of a rename, the revision a
//! restore wrote back (`restored_from`, null for every other change), and the entry after the
//! change (null for a removal). A rename's row shows under the new and the old name,
//! and an entry that came by a rename brings the changes made under its earlier names.
//! Any signed-in role.
//!
//! Must not: write; the store appends rows inside each change's transaction.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::email_domains::domain_or_not_found;
use crate::state::AppState;
use crate::store::{HistoryRecord, entry_history};

pub async fn read(
    _caller: Caller,
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let domain = domain_or_not_found(path)?;
    let records = entry_history(state.store.as_ref(), &domain).await?;
    if records.is_empty() {
        return Err(ApiError::NotFound(format!(
            "{} has never had settings, so it has no history.",
            domain.to_unicode()
        )));
    }
    let changes: Vec<Value> = records.iter().map(record_json).collect();
    Ok(Json(json!({
        "domain": domain.as_ascii(),
        "changes": changes,
    })))
}

fn record_json(record: &HistoryRecord) -> Value {
    let entry = record
        .body
        .as_deref()
        .and_then(|body| serde_json::from_str::<Value>(body).ok())
        .unwrap_or(Value::Null);
    json!({
        "action": record.action.as_str(),
        "domain": record.domain,
        "previous_domain": record.previous_domain,
        "revision": record.revision,
        "actor": record.actor,
        "at_unix_ms": record.at_unix_ms,
        "restored_from": record.restored_from,
        "entry": entry,
    })
}
