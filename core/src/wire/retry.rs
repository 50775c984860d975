//! When the browser's REST client sends a request again: only a request that is safe to
//! repeat (every read, and every write, since all writes are conditional), only after a network
//! error or an answer that says "later" (502, 503, 504, 429), never after an answer about the
//! request itself (a 409, 412 or 422 says the same the second time), and after a capped,
//! jittered, growing wait, or the wait `Retry-After` names.
//!
//! Owns: that rule, as numbers. Must not: wait or send (the client does), or draw random
//! numbers (the caller passes the jitter, so the rule is deterministic under test).

/// What came of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempted {
    /// No answer: the connection failed, or the client's own timeout fired.
    NetworkError,
    /// An answer with this status.
    Status(u16),
}

/// How often and how long to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait before the second attempt, in milliseconds; it doubles for each further one.
    pub base_ms: u64,
    /// No wait is longer; a `Retry-After` beyond it ends the trying instead.
    pub cap_ms: u64,
}

impl RetryPolicy {
    /// Four attempts, waiting about 0.25, 0.5 and 1 s; a server asking for more than 8 s is
    /// not waited for (the person is told instead).
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        attempts: 4,
        base_ms: 250,
        cap_ms: 8_000,
    };

    /// The wait before sending again, or `None` to stop. `sent` is how many attempts were
    /// made so far (1 after the first), `safe` whether the request may be repeated,
    /// `retry_after_ms` what the answer's `Retry-After` said, `jitter` a number in [0, 1).
    pub fn next_delay(
        &self,
        sent: u32,
        safe: bool,
        outcome: Attempted,
        retry_after_ms: Option<u64>,
        jitter: f64,
    ) -> Option<u64> {
        let worth_again = match outcome {
            Attempted::NetworkError => true,
            Attempted::Status(status) => matches!(status, 429 | 502 | 503 | 504),
        };
        if !safe || !worth_again || sent >= self.attempts {
            return None;
        }
        if let Some(asked) = retry_after_ms {
            return (asked <= self.cap_ms).then_some(asked);
        }
        let doubling = 1u64 << sent.saturating_sub(1).min(20);
        let full = self.base_ms.saturating_mul(doubling).min(self.cap_ms);
        // "Equal jitter": half the wait is kept, the other half drawn, so clients that failed
        // together do not come back together, and no wait is zero.
        let jitter = jitter.clamp(0.0, 1.0);
        let half = full / 2;
        Some(half + (half as f64 * jitter) as u64)
    }
}

/// `Retry-After` in milliseconds: delay-seconds only (an HTTP date is not worth a clock here).
pub fn retry_after_ms(header: &str) -> Option<u64> {
    let seconds: u64 = header.trim().parse().ok()?;
    seconds.checked_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const POLICY: RetryPolicy = RetryPolicy::DEFAULT;

    #[test]
    fn waits_grow_until_the_attempts_run_out() {
        let waits: Vec<Option<u64>> = (1..=4)
            .map(|sent| POLICY.next_delay(sent, true, Attempted::NetworkError, None, 0.999))
            .collect();
        assert_eq!(waits, [Some(249), Some(499), Some(999), None]);
        assert_eq!(
            POLICY.next_delay(1, true, Attempted::Status(503), None, 0.0),
            Some(125)
        );
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        assert_eq!(retry_after_ms("3"), Some(3000));
        assert_eq!(retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(
            POLICY.next_delay(1, true, Attempted::Status(429), Some(3000), 0.5),
            Some(3000)
        );
        assert_eq!(
            POLICY.next_delay(1, true, Attempted::Status(503), Some(60_000), 0.5),
            None
        );
    }

    proptest! {
        #[test]
        fn answers_about_the_request_itself_are_never_retried(
            status in prop::sample::select(vec![200u16, 201, 204, 304, 400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 500]),
            sent in 1..10u32,
            jitter in 0.0..1.0f64,
        ) {
            prop_assert_eq!(POLICY.next_delay(sent, true, Attempted::Status(status), None, jitter), None);
        }

        #[test]
        fn waits_are_capped_and_never_zero_and_unsafe_requests_never_repeat(
            status in prop::sample::select(vec![429u16, 502, 503, 504]),
            sent in 1..4u32,
            jitter in 0.0..1.0f64,
            base_ms in 1..5_000u64,
            cap_ms in 2..20_000u64,
        ) {
            let policy = RetryPolicy { attempts: 4, base_ms, cap_ms };
            let wait = policy.next_delay(sent, true, Attempted::Status(status), None, jitter).unwrap();
            prop_assert!(wait <= cap_ms);
            prop_assert!(wait >= 1 || base_ms.min(cap_ms) < 2);
            prop_assert_eq!(policy.next_delay(sent, false, Attempted::Status(status), None, jitter), None);
            prop_assert_eq!(policy.next_delay(sent, false, Attempted::NetworkError, None, jitter), None);
        }
    }
}
