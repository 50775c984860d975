//! The server's one reading of the wall clock, as core's [`Timestamp`] (core has no clock).
//!
//! Must not: be called from core or from the store's rules; handlers pass `now` down.

use std::time::{SystemTime, UNIX_EPOCH};

use mailsetup_core::Timestamp;

/// The current time in Unix milliseconds. A clock set before 1970 reads as 1970.
pub fn now() -> Timestamp {
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_unix_ms(unix_ms)
}
