//! [`AppState`]: what every handler shares (axum's state): the store, the tokens in force, the
//! allowlist, the session settings, the rate limiters of sign-ins and of mail programs'
//! requests, and the connection check with its limits.
//!
//! Must not: hold per-request data or anything mutable beyond what its parts guard themselves.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use mailsetup_core::Allowlist;

use crate::auth::{RateLimiter, TokenRegistry};
use crate::check::{CheckLimits, Checker};
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
    pub collection_cache: CollectionCache,
    /// The connection check and its limits.
    pub checker: Checker,
    pub check_limits: CheckLimits,
}

/// The last collection body served, by the sequence it was read at. A sequence names exactly
/// one state of the book (every change takes a new one), so a body cached for the stored
/// sequence is current, whichever instance made the changes.
#[derive(Debug, Clone, Default)]
pub struct CollectionCache(Arc<Mutex<Option<CachedCollection>>>);

/// A collection body (cheap to clone) and the sequence it was read at.
type CachedCollection = (u64, Bytes);

impl CollectionCache {
    /// The cached body if it was read at `sequence`.
    pub fn get(&self, sequence: u64) -> Option<Bytes> {
        let cached = match self.0.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        cached.and_then(|(at, body)| (at == sequence).then_some(body))
    }

    pub fn put(&self, sequence: u64, body: Bytes) {
        match self.0.lock() {
            Ok(mut guard) => *guard = Some((sequence, body)),
            Err(poisoned) => *poisoned.into_inner() = Some((sequence, body)),
        }
    }
}

/// How browser sessions are issued.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    pub lifetime: Duration,
    /// Add `Secure` to the cookie (set it when the server is reached over HTTPS).
    pub secure_cookie: bool,
}
