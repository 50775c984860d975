//! `GET /api/v1/removed-email-domains`: the domains whose last change removed their settings,
//! newest removal first, each with the removal's revision, who removed it and when, and the
//! entry as it was before (reviving it restores that entry's revision with `If-None-Match: *`).
//! Any signed-in role.
//!
//! Must not: write, or decide what counts as removed (the store's query does: a name whose
//! newest audit row is its removal and that holds no entry).

use axum::Json;
use axum::extract::State;
use mailsetup_core::wire;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, entry_json};
use crate::state::AppState;
use crate::store::RemovedRecord;

pub async fn list(_caller: Caller, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let removed = state.store.removed_entries().await?;
    let items: Vec<Value> = removed.iter().filter_map(item_json).collect();
    Ok(Json(json!({ "removed": items })))
}

/// One removed domain; `None` (left out, and logged) when its entry no longer reads: it could
/// not be revived as it is.
fn item_json(record: &RemovedRecord) -> Option<Value> {
    let entry = match wire::entry_from_stored(&record.body) {
        Ok(entry) => entry,
        Err(problems) => {
            tracing::warn!(
                domain = %record.domain,
                revision = record.revision,
                problems = problems.len(),
                "a removed entry's last stored settings do not read; left out of the list"
            );
            return None;
        }
    };
    Some(json!({
        "domain": record.domain,
        "revision": record.revision,
        "actor": record.actor,
        "at_unix_ms": record.at_unix_ms,
        "entry": entry_json(&entry),
    }))
}
