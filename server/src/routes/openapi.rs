//! `/api/openapi.json`: the API contract (server/openapi.json, OpenAPI 3.1), served as written.
//!
//! Must not: generate or alter the document; the file in the repository is the contract.

use axum::http::header;
use axum::response::IntoResponse;

/// The contract, compiled in.
pub const OPENAPI_JSON: &str = include_str!("../../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}
