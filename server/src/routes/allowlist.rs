//! `GET /api/v1/allowlist`: the IP groups the server was configured with (`--allowlist`), or
//! the provider's published lists; any signed-in role.
//!
//! Must not: parse ranges (core did, at start) or change the groups.

use axum::Json;
use axum::extract::State;
use mailsetup_core::AllowlistGroupKind;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::state::AppState;

/// `{"groups": [{"name", "purpose", "ranges"}], "combined": [...]}`; `name` is null for the
/// provider's own lists (clients name them in the reader's language).
pub async fn read(_caller: Caller, State(state): State<AppState>) -> Json<Value> {
    let groups: Vec<Value> = state
        .allowlist
        .groups()
        .iter()
        .map(|group| {
            json!({
                "name": group.name(),
                "purpose": match group.kind() {
                    AllowlistGroupKind::Smtp => "smtp",
                    AllowlistGroupKind::Imap => "imap",
                },
                "ranges": group.entries().iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(json!({
        "groups": groups,
        "combined": state.allowlist.combined(),
    }))
}
