//! How much checking the server does at once: at most a few checks per caller at a time (a
//! session counts as its token), a cap for the whole server, and failed sign-ins per mail
//! server limited, so the check is no way to guess passwords. Concurrency, not a rate, limits
//! a caller: a check may take a minute.
//!
//! Owns: the counters and when a refused caller may come back. Must not: know HTTP (the route
//! turns a [`LimitRefusal`] into 429 with `Retry-After`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// At most this many checks of one caller at a time.
pub const CHECKS_PER_CALLER: usize = 2;
/// Failed sign-ins allowed per mail server in [`FAILED_LOGIN_WINDOW`].
pub const FAILED_LOGINS_PER_SERVER: usize = 5;
pub const FAILED_LOGIN_WINDOW: Duration = Duration::from_secs(600);

/// Why a check may not start now, and when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitRefusal {
    /// The caller already runs [`CHECKS_PER_CALLER`] checks.
    CallerBusy,
    /// The server runs as many checks as it allows.
    ServerBusy,
    /// Too many refused passwords for this mail server lately.
    TooManyFailedLogins {
        server: String,
        retry_after: Duration,
    },
}

impl LimitRefusal {
    pub fn retry_after(&self) -> Duration {
        match self {
            LimitRefusal::CallerBusy | LimitRefusal::ServerBusy => Duration::from_secs(5),
            LimitRefusal::TooManyFailedLogins { retry_after, .. } => *retry_after,
        }
    }

    pub fn detail(&self) -> String {
        match self {
            LimitRefusal::CallerBusy => format!(
                "You already run {CHECKS_PER_CALLER} connection checks. Wait for one to finish, then try again."
            ),
            LimitRefusal::ServerBusy => {
                "The server is running as many connection checks as it allows. Try again in a few seconds.".to_owned()
            }
            LimitRefusal::TooManyFailedLogins { server, retry_after } => format!(
                "{server} refused too many passwords in the last {} minutes. Try again in {} seconds.",
                FAILED_LOGIN_WINDOW.as_secs() / 60,
                retry_after.as_secs().max(1)
            ),
        }
    }
}

#[derive(Default)]
struct Counters {
    running: usize,
    per_caller: HashMap<String, usize>,
    failed_logins: HashMap<String, VecDeque<Instant>>,
}

/// The limits every check goes through.
#[derive(Clone)]
pub struct CheckLimits {
    server_wide: usize,
    counters: Arc<Mutex<Counters>>,
}

/// A running check; dropping it frees its place.
pub struct CheckPermit {
    caller: String,
    counters: Arc<Mutex<Counters>>,
}

impl Drop for CheckPermit {
    fn drop(&mut self) {
        let mut counters = lock(&self.counters);
        counters.running = counters.running.saturating_sub(1);
        if let Some(count) = counters.per_caller.get_mut(&self.caller) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counters.per_caller.remove(&self.caller);
            }
        }
    }
}

fn lock(counters: &Mutex<Counters>) -> MutexGuard<'_, Counters> {
    match counters.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl CheckLimits {
    pub fn new(server_wide: usize) -> CheckLimits {
        CheckLimits {
            server_wide: server_wide.max(1),
            counters: Arc::default(),
        }
    }

    /// A place for `caller`'s check, unless a limit says no. `servers` are the mail servers it
    /// would sign in to (`host:port`), checked only when it sends a password.
    pub fn admit(&self, caller: &str, servers: &[String]) -> Result<CheckPermit, LimitRefusal> {
        let now = Instant::now();
        let mut counters = lock(&self.counters);
        for server in servers {
            if let Some(failures) = counters.failed_logins.get_mut(server) {
                while failures
                    .front()
                    .is_some_and(|at| now.duration_since(*at) >= FAILED_LOGIN_WINDOW)
                {
                    failures.pop_front();
                }
                if failures.len() >= FAILED_LOGINS_PER_SERVER
                    && let Some(oldest) = failures.front()
                {
                    return Err(LimitRefusal::TooManyFailedLogins {
                        server: server.clone(),
                        retry_after: FAILED_LOGIN_WINDOW
                            .saturating_sub(now.duration_since(*oldest)),
                    });
                }
            }
        }
        if counters.per_caller.get(caller).copied().unwrap_or(0) >= CHECKS_PER_CALLER {
            return Err(LimitRefusal::CallerBusy);
        }
        if counters.running >= self.server_wide {
            return Err(LimitRefusal::ServerBusy);
        }
        counters.running += 1;
        *counters.per_caller.entry(caller.to_owned()).or_default() += 1;
        Ok(CheckPermit {
            caller: caller.to_owned(),
            counters: Arc::clone(&self.counters),
        })
    }

    /// A mail server refused a password.
    pub fn failed_login(&self, server: &str) {
        let mut counters = lock(&self.counters);
        counters
            .failed_logins
            .entry(server.to_owned())
            .or_default()
            .push_back(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_runs_two_checks_at_once_and_the_server_its_cap() {
        let limits = CheckLimits::new(3);
        let first = limits.admit("alice", &[]).unwrap();
        let _second = limits.admit("alice", &[]).unwrap();
        assert_eq!(
            limits.admit("alice", &[]).err(),
            Some(LimitRefusal::CallerBusy)
        );
        let _bob = limits.admit("bob", &[]).unwrap();
        assert_eq!(
            limits.admit("carol", &[]).err(),
            Some(LimitRefusal::ServerBusy)
        );
        drop(first);
        assert!(
            limits.admit("alice", &[]).is_ok(),
            "a finished check frees its place"
        );
    }

    #[test]
    fn five_refused_passwords_per_server_then_429_until_the_window_moves() {
        let limits = CheckLimits::new(10);
        let server = vec!["imap.example.com:993".to_owned()];
        for _ in 0..FAILED_LOGINS_PER_SERVER {
            assert!(limits.admit("alice", &server).is_ok());
            limits.failed_login(&server[0]);
        }
        match limits.admit("alice", &server) {
            Err(LimitRefusal::TooManyFailedLogins { retry_after, .. }) => {
                assert!(
                    retry_after <= FAILED_LOGIN_WINDOW && retry_after > Duration::from_secs(590)
                );
            }
            other => panic!("expected a refusal, got {:?}", other.err()),
        }
        assert!(
            limits
                .admit("alice", &["smtp.example.com:465".to_owned()])
                .is_ok(),
            "another server is not affected"
        );
    }
}
