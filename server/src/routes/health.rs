//! The probes, for load balancers and orchestrators, no sign-in: `/livez` (the process
//! answers; no database: a liveness probe must not restart a server whose database is away),
//! `/readyz` (the database answers and its schema is the one this build migrates to: send it
//! traffic), and `/healthz` (kept as it always was: the process answers).
//!
//! Must not: do more than trivial queries; probes run often.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok")
}

pub async fn livez() -> impl IntoResponse {
    (StatusCode::OK, "alive")
}

pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    state.store.ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check: database does not answer");
        ApiError::Unavailable
    })?;
    let pending = state.store.pending_migrations().await.map_err(|error| {
        tracing::warn!(%error, "readiness check: the applied migrations cannot be read");
        ApiError::Unavailable
    })?;
    if !pending.is_empty() {
        tracing::warn!(
            ?pending,
            "readiness check: the database lacks migrations this build applies at start"
        );
        return Err(ApiError::Unavailable);
    }
    Ok((StatusCode::OK, "ready"))
}
