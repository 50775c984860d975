//! `/api/v1/session`: browser sign-in. `POST {"token": ...}` exchanges an access token for an
//! `HttpOnly; SameSite=Strict` session cookie and answers the CSRF token writes must send
//! back; `GET` says who is signed in; `DELETE` ends the session and clears the cookie.
//!
//! Owns: the sign-in rate limit per client address (`client_address.rs` says which), the session's lifetime and cookie.
//! Must not: store or log a token, cookie value or CSRF token in clear (the store gets the
//! cookie's SHA-256 and the token's SHA-256 only).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailsetup_core::Timestamp;
use serde_json::{Value, json};

use crate::auth::{Caller, Credential, SessionSecrets, session_to_end};
use crate::auth::{cleared_cookie_header, session_cookie_header};
use crate::client_address::ClientAddress;
use crate::clock;
use crate::error::{ApiError, Limited};
use crate::monitoring::{SignInFailure, SignInVia, count_sign_in_failure};
use crate::request::JsonText;
use crate::state::AppState;
use crate::store::NewSession;

/// `POST /api/v1/session`.
pub async fn open(
    client: ClientAddress,
    State(state): State<AppState>,
    body: Result<JsonText, ApiError>,
) -> Result<Response, ApiError> {
    state
        .session_limiter
        .attempt(client.0)
        .map_err(|retry_after_seconds| {
            tracing::warn!(%client, "sign-in attempts over the limit");
            count_sign_in_failure(SignInVia::SignIn, SignInFailure::RateLimited);
            ApiError::RateLimited {
                what: Limited::SignIns,
                retry_after_seconds,
            }
        })?;
    let JsonText(text) = body?;
    let token = token_from_body(&text).ok_or_else(|| {
        count_sign_in_failure(SignInVia::SignIn, SignInFailure::NoToken);
        ApiError::Unauthenticated("Send {\"token\": \"...\"} with your access token to sign in.")
    })?;
    let tokens = state.tokens.current();
    let holder = tokens.find(&token).ok_or_else(|| {
        tracing::info!(%client, "sign-in with an unknown token");
        count_sign_in_failure(SignInVia::SignIn, SignInFailure::UnknownToken);
        ApiError::Unauthenticated(
            "This access token is not valid. Check it, or ask your administrator for a new one.",
        )
    })?;
    let now = clock::now();
    let lifetime = state.sessions.lifetime;
    let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
    let expires_at = Timestamp::from_unix_ms(now.as_unix_ms().saturating_add(lifetime_ms));
    let secrets = SessionSecrets::generate();
    let session = NewSession {
        id_hash: secrets.id_hash.clone(),
        csrf_token: secrets.csrf_token.clone(),
        token_hash: hex::encode(holder.digest),
        role: holder.role,
        name: holder.name.clone(),
        expires_at,
    };
    state.store.create_session(&session, now).await?;
    tracing::info!(%client, name = %holder.name, role = holder.role.as_str(), "session opened");
    let cookie = session_cookie_header(
        &secrets.cookie_value,
        lifetime.as_secs(),
        state.sessions.secure_cookie,
    );
    let body = Json(json!({
        "name": holder.name,
        "role": holder.role.as_str(),
        "csrf_token": secrets.csrf_token,
        "expires_at_unix_ms": expires_at.as_unix_ms(),
    }));
    let mut response = (StatusCode::OK, body).into_response();
    insert(&mut response, header::SET_COOKIE, &cookie);
    insert(&mut response, header::CACHE_CONTROL, "no-store");
    Ok(response)
}

/// `GET /api/v1/session`: the signed-in caller (by cookie or bearer token).
pub async fn show(caller: Caller) -> Response {
    let (via, csrf_token) = match &caller.credential {
        Credential::Session { csrf_token, .. } => ("session", Some(csrf_token.clone())),
        Credential::Bearer => ("bearer", None),
    };
    let body = Json(json!({
        "name": caller.name,
        "role": caller.role.as_str(),
        "via": via,
        "csrf_token": csrf_token,
    }));
    let mut response = body.into_response();
    insert(&mut response, header::CACHE_CONTROL, "no-store");
    response
}

/// `DELETE /api/v1/session`: ends the cookie's session (the CSRF header is required, as for
/// any change) and clears the cookie. Without a session there is nothing to end: 204 anyway.
pub async fn end(
    client: ClientAddress,
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let (mut parts, _body) = request.into_parts();
    if let Some(id_hash) = session_to_end(&mut parts, &state).await? {
        state.store.end_session(&id_hash).await?;
        tracing::info!(%client, "session ended");
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    insert(
        &mut response,
        header::SET_COOKIE,
        &cleared_cookie_header(state.sessions.secure_cookie),
    );
    Ok(response)
}

/// The `token` of `{"token": "..."}`.
fn token_from_body(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    value.get("token")?.as_str().map(str::to_owned)
}

fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}
