//! [`AppState`]: what every handler shares (axum's state): the store, the tokens in force, the
//! allowlist, the session settings, the rate limiters of sign-ins and of mail programs'
//! requests, and the connection check with its limits.
//!
//! Must not: hold per-request data or anything mutable beyond what its parts guard themselves.

use std::sync::Arc;
use std::time::Duration;

use mailsetup_core::Allowlist;

use crate::auth::{RateLimiter, TokenRegistry};
use crate::check::{CheckLimits, Checker};
use crate::collection_cache::CollectionCache;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub tokens: TokenRegistry,
    pub allowlist: Arc<Allowlist>,
    pub sessions: SessionSettings,
    pub session_limiter: Arc<RateLimiter>,
    /// Counts the requests of mail programs (autoconfig, Autodiscover, Apple profiles), which
    /// need no sign-in.
    pub mail_program_limiter: Arc<RateLimiter>,
    /// The list's answer, kept current.
    pub collection_cache: CollectionCache,
    /// The connection check and its limits.
    pub checker: Checker,
    pub check_limits: CheckLimits,
}

/// How browser sessions are issued.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    pub lifetime: Duration,
    /// Add `Secure` to the cookie (set it when the server is reached over HTTPS).
    pub secure_cookie: bool,
}
