//! Parts of the component whose code arrives when they are first needed. In the release build
//! (`--cfg split_chunks`, see `xtask/src/release.rs`) every function marked
//! `#[cfg_attr(split_chunks, leptos::lazy)]` has its code in a wasm chunk of its own, which the
//! function fetches on its first call; in every other build it is a plain call.
//!
//! Owns: drawing such a part in the same tick once its code is there. Must not: decide what is
//! loaded on demand (the components mark their own parts).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// The value of a future that needs no waiting, or `None` if it would wait. A `lazy` function
/// whose chunk is already loaded answers at once, so its part can be drawn in place of the one
/// it replaces, without a moment in between.
pub fn ready_now<T>(future: impl Future<Output = T>) -> Option<T> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_future_that_needs_no_waiting_answers_at_once() {
        assert_eq!(ready_now(async { 7 }), Some(7));
        assert_eq!(ready_now(std::future::pending::<u8>()), None);
    }
}
