//! [`RateLimiter`]: at most N attempts per client address per window, in this instance's
//! memory (session creation uses it against token guessing, the answers to mail programs
//! against scraping and floods).
//!
//! Owns: counting attempts and the wait it tells a refused client. Must not: share counts
//! between instances (each instance limits on its own; put a proxy limit in front for more)
//! or decide whose address it counts (`client_address.rs` does, `X-Forwarded-For` included).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Forget clients whose window ended once this many are tracked.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    attempts: u32,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `client`: `Err(seconds)` to wait when it is over the limit.
    pub fn attempt(&self, client: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut clients = match self.clients.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if clients.len() > PRUNE_ABOVE {
            let window = self.window;
            clients.retain(|_, seen| now.duration_since(seen.started) < window);
        }
        let seen = clients.entry(client).or_insert(Window {
            started: now,
            attempts: 0,
        });
        if now.duration_since(seen.started) >= self.window {
            *seen = Window {
                started: now,
                attempts: 0,
            };
        }
        if seen.attempts >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(seen.started));
            // Round up: "Retry-After: 0" would invite an immediate retry.
            return Err(left.as_secs() + u64::from(left.subsec_nanos() > 0));
        }
        seen.attempts += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_over_the_limit_per_client() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let one: IpAddr = "203.0.113.1".parse().unwrap();
        let two: IpAddr = "203.0.113.2".parse().unwrap();
        assert!(limiter.attempt(one).is_ok());
        assert!(limiter.attempt(one).is_ok());
        let wait = limiter.attempt(one).unwrap_err();
        assert!((59..=60).contains(&wait), "{wait}");
        assert!(limiter.attempt(two).is_ok());
    }

    #[test]
    fn a_new_window_starts_over() {
        let limiter = RateLimiter::new(1, Duration::from_millis(20));
        let client: IpAddr = "::1".parse().unwrap();
        assert!(limiter.attempt(client).is_ok());
        assert!(limiter.attempt(client).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(limiter.attempt(client).is_ok());
    }
}
