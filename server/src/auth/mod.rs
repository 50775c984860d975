//! Who is calling and what they may do: [`Caller`] (any signed-in role, by bearer token or
//! session cookie), [`CsrfCaller`] (any role, with the CSRF header when signed in by cookie)
//! and [`Writer`] (an admin, with the CSRF header when signed in by cookie),
//! as axum extractors; and the session cookie's secrets.
//!
//! Owns: reading `Authorization` and the `mailsetup_session` cookie, the CSRF check, the role
//! check, minting session secrets (only their SHA-256 reaches the store), counting refused
//! bearer tokens (`monitoring`).
//! Must not: log a token, a cookie value or a CSRF token, or answer a request itself (it
//! returns [`ApiError`]s, which `error.rs` turns into responses).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock;
use crate::error::ApiError;
use crate::monitoring::{SignInFailure, SignInVia, count_sign_in_failure};
use crate::state::AppState;

pub mod rate_limit;
pub mod tokens;

pub use rate_limit::RateLimiter;
pub use tokens::{AccessToken, Role, TokenRegistry, TokenSet};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "mailsetup_session";
/// The header a cookie-authenticated write must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token holder's name (the audit log's "who").
    pub name: String,
    pub role: Role,
    pub credential: Credential,
}

/// How the caller signed in.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer ...`: scripts and cross-origin pages; no CSRF risk, since a
    /// browser never adds it by itself.
    Bearer,
    /// The session cookie; writes must repeat the session's CSRF token in a header.
    Session { id_hash: String, csrf_token: String },
}

impl Caller {
    /// For a cookie session: the request carries the session's CSRF token.
    fn check_csrf(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Credential::Session { csrf_token, .. } = &self.credential else {
            return Ok(());
        };
        let sent = headers
            .get(CSRF_HEADER)
            .map(HeaderValue::as_bytes)
            .unwrap_or_default();
        if bool::from(sent.ct_eq(csrf_token.as_bytes())) {
            Ok(())
        } else {
            Err(ApiError::Csrf)
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = bearer_token(value).ok_or_else(|| {
                count_sign_in_failure(SignInVia::Bearer, SignInFailure::NoToken);
                ApiError::Unauthenticated(
                    "Send the header Authorization: Bearer followed by your access token.",
                )
            })?;
            let tokens = state.tokens.current();
            let holder = tokens.find(token).ok_or_else(|| {
                count_sign_in_failure(SignInVia::Bearer, SignInFailure::UnknownToken);
                ApiError::Unauthenticated(
                    "This access token is not valid. Check it, or ask your administrator for a new one.",
                )
            })?;
            return Ok(Caller {
                name: holder.name.clone(),
                role: holder.role,
                credential: Credential::Bearer,
            });
        }
        if let Some(session_id) = session_cookie(&parts.headers) {
            let id_hash = sha256_hex(session_id);
            let stored = state.store.session(&id_hash, clock::now()).await?.ok_or(
                ApiError::Unauthenticated("Your session has ended. Sign in again."),
            )?;
            let tokens = state.tokens.current();
            let holder = parse_digest(&stored.token_hash)
                .and_then(|digest| tokens.find_digest(&digest))
                .ok_or(ApiError::Unauthenticated(
                    "The token this session was opened with is no longer valid. Sign in again.",
                ))?;
            return Ok(Caller {
                name: holder.name.clone(),
                role: holder.role,
                credential: Credential::Session {
                    id_hash,
                    csrf_token: stored.csrf_token,
                },
            });
        }
        Err(ApiError::Unauthenticated(
            "Sign in: send Authorization: Bearer with your access token, or open a session with POST /api/v1/session.",
        ))
    }
}

/// A caller allowed to change settings: an admin, whose cookie-authenticated request carries
/// the CSRF header.
#[derive(Debug, Clone)]
pub struct Writer(pub Caller);

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.check_csrf(&parts.headers)?;
        if caller.role != Role::Admin {
            return Err(ApiError::ForbiddenRole);
        }
        Ok(Writer(caller))
    }
}

/// Any signed-in caller whose cookie-authenticated request carries the CSRF header: for
/// requests that change nothing stored but act on the caller's behalf (a connection check
/// talks to mail servers with a password).
#[derive(Debug, Clone)]
pub struct CsrfCaller(pub Caller);

impl FromRequestParts<AppState> for CsrfCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.check_csrf(&parts.headers)?;
        Ok(CsrfCaller(caller))
    }
}

/// The caller's session, if signed in by cookie, with the CSRF header checked (ending a
/// session is a change too). `None` when the request has no valid session.
pub async fn session_to_end(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<String>, ApiError> {
    if session_cookie(&parts.headers).is_none() || parts.headers.contains_key(header::AUTHORIZATION)
    {
        return Ok(None);
    }
    match Caller::from_request_parts(parts, state).await {
        Ok(caller) => {
            caller.check_csrf(&parts.headers)?;
            match caller.credential {
                Credential::Session { id_hash, .. } => Ok(Some(id_hash)),
                Credential::Bearer => Ok(None),
            }
        }
        Err(ApiError::Unauthenticated(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer_token(value: &HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?.trim();
    let (scheme, token) = text.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The session cookie's value, if the request has a well-formed one.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| value.len() == 64 && value.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

/// A new session's secrets: the cookie value (given to the browser once) and its hash (stored).
pub struct SessionSecrets {
    pub cookie_value: String,
    pub id_hash: String,
    pub csrf_token: String,
}

impl SessionSecrets {
    pub fn generate() -> SessionSecrets {
        let cookie_value = random_hex();
        SessionSecrets {
            id_hash: sha256_hex(&cookie_value),
            cookie_value,
            csrf_token: random_hex(),
        }
    }
}

/// 32 random bytes from the operating system's generator (through rand's thread RNG, a CSPRNG
/// seeded from it), in hex.
fn random_hex() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn parse_digest(text: &str) -> Option<tokens::TokenDigest> {
    hex::decode(text).ok()?.try_into().ok()
}

/// `Set-Cookie` for a new session.
pub fn session_cookie_header(value: &str, max_age_seconds: u64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` that makes the browser forget the session cookie.
pub fn cleared_cookie_header(secure: bool) -> String {
    session_cookie_header("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_tokens_and_session_cookies() {
        let value = HeaderValue::from_static("bearer  abc ");
        assert_eq!(bearer_token(&value), Some("abc"));
        assert_eq!(bearer_token(&HeaderValue::from_static("Basic abc")), None);
        assert_eq!(bearer_token(&HeaderValue::from_static("Bearer ")), None);
        let id = "a".repeat(64);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {SESSION_COOKIE}={id}")).unwrap(),
        );
        assert_eq!(session_cookie(&headers), Some(id.as_str()));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("mailsetup_session=../../etc"),
        );
        assert_eq!(session_cookie(&headers), None);
    }

    #[test]
    fn session_secrets_are_random_and_only_hashed_for_storage() {
        let one = SessionSecrets::generate();
        let two = SessionSecrets::generate();
        assert_ne!(one.cookie_value, two.cookie_value);
        assert_ne!(one.csrf_token, two.csrf_token);
        assert_eq!(one.id_hash, sha256_hex(&one.cookie_value));
        assert_ne!(one.id_hash, one.cookie_value);
    }
}
