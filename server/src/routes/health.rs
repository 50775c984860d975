//! `/healthz` (the process answers) and `/readyz` (the database answers too), for load
//! balancers and orchestrators. No sign-in.
//!
//! Must not: do more than a trivial query; probes run often.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok")
}

pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    state.store.ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check: database does not answer");
        ApiError::Unavailable
    })?;
    Ok((StatusCode::OK, "ready"))
}
