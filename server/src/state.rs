//! [`AppState`]: what every handler shares (axum's state): the store and the book in memory for reads, the tokens in force, the
//! allowlist, the session settings, the rate limiters of sign-ins and of mail programs'
//! requests, and the connection check with its limits.
//!
//! Must not: hold per-request data or anything mutable beyond what its parts guard themselves.

use std::sync::Arc;
use std::time::Duration;

use mailsetup_core::Allowlist;

use crate::auth::{RateLimiter, TokenRegistry};
use crate::check::{CheckLimits, Checker};
use crate::read_model::ReadModel;
use crate::store::Store;

/// Cheap to clone: axum clones the state for every request, so it is one shared pointer.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl AppState {
    pub fn new(parts: AppParts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct AppParts {
    pub store: Arc<dyn Store>,
    pub tokens: TokenRegistry,
    pub allowlist: Arc<Allowlist>,
    pub sessions: SessionSettings,
    pub session_limiter: Arc<RateLimiter>,
    /// Counts the requests of mail programs (autoconfig, Autodiscover, Apple profiles), which
    /// need no sign-in.
    pub mail_program_limiter: Arc<RateLimiter>,
    /// The book in memory for reads (entries, lookups, the list), as current as the store.
    pub read_model: ReadModel,
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
