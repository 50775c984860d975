//! Parts of the component whose code arrives when they are first needed. In the release build
//! (`--cfg split_chunks`, see `xtask/src/release.rs`) each part declared with [`on_demand!`] has
//! its code in a wasm chunk of its own; in every other build the code is simply there.
//!
//! Owns: fetching a part's code once, drawing the part in the same tick once the code is there,
//! and reporting a fetch that failed so the view can say so. Must not: decide which parts load
//! on demand (the components declare their own).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;

/// A part's code could not be fetched (the network failed); asking again retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeMissing;

impl From<leptos::wasm_split::SplitLoaderError> for CodeMissing {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> CodeMissing {
        CodeMissing
    }
}

/// Declares a component as a part loaded on demand, with two functions for the views (of
/// visibility `$vis`):
/// `async fn $fetch() -> Result<(), CodeMissing>` fetches its code, and
/// `fn $draw(props) -> Option<AnyView>` draws it once the code is there.
/// `$split` and `$preload` name the two functions the splitter's macro works with.
macro_rules! on_demand {
    ($vis:vis $component:ident($props:ty) => $fetch:ident, $draw:ident; $split:ident, $preload:ident) => {
        #[cfg_attr(
                            split_chunks,
                            ::leptos::wasm_split::wasm_split(
                                $split,
                                wasm_split_path = ::leptos::wasm_split,
                                fallible,
                                preload($preload)
                            )
                        )]
        fn $split(props: $props) -> Result<AnyView, $crate::ui::on_demand::CodeMissing> {
            Ok($component(props).into_any())
        }

        /// Fetches this part's code: a wasm chunk in the release build, already there in others.
        $vis async fn $fetch() -> Result<(), $crate::ui::on_demand::CodeMissing> {
            #[cfg(split_chunks)]
            {
                $preload()
                    .await
                    .map_err($crate::ui::on_demand::CodeMissing::from)
            }
            #[cfg(not(split_chunks))]
            {
                Ok(())
            }
        }

        /// Draws this part; `None` until its code is there.
        $vis fn $draw(props: $props) -> Option<AnyView> {
            #[cfg(split_chunks)]
            {
                $crate::ui::on_demand::ready_now($split(props)).and_then(Result::ok)
            }
            #[cfg(not(split_chunks))]
            {
                $split(props).ok()
            }
        }
    };
}
pub(crate) use on_demand;

/// Where a part's code stands, as a view follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    NotAsked,
    Fetching,
    Here,
}

/// Told each time a part's code could not be fetched (the host page's `onError`); provided as
/// context by the root component.
#[derive(Clone, Copy)]
pub struct FetchFailures(pub StoredValue<Option<std::rc::Rc<dyn Fn()>>, LocalStorage>);

/// One part's code, for the view that shows the part.
#[derive(Clone, Copy)]
pub struct PartCode {
    stage: RwSignal<Stage>,
    failures: Option<FetchFailures>,
}

impl PartCode {
    /// Builds without chunks have every part's code from the start, so they draw in the tick
    /// that asks, as before the split.
    pub fn new() -> PartCode {
        let stage = if cfg!(split_chunks) {
            Stage::NotAsked
        } else {
            Stage::Here
        };
        PartCode {
            stage: RwSignal::new(stage),
            failures: use_context::<FetchFailures>(),
        }
    }

    /// Whether the code is there (tracked: a view that asks redraws when it arrives).
    pub fn here(self) -> bool {
        self.stage.get() == Stage::Here
    }

    /// Fetches the code unless it is there or on its way. When the fetch fails, `on_failure`
    /// runs and the next call tries again.
    pub fn want<F>(self, fetch: impl FnOnce() -> F + 'static, on_failure: impl FnOnce() + 'static)
    where
        F: Future<Output = Result<(), CodeMissing>> + 'static,
    {
        if self.stage.get_untracked() != Stage::NotAsked {
            return;
        }
        self.stage.set(Stage::Fetching);
        leptos::task::spawn_local(async move {
            match fetch().await {
                Ok(()) => self.stage.set(Stage::Here),
                Err(CodeMissing) => {
                    self.stage.set(Stage::NotAsked);
                    on_failure();
                    if let Some(tell) = self.failures.and_then(|failures| failures.0.get_value()) {
                        tell();
                    }
                }
            }
        });
    }
}

impl Default for PartCode {
    fn default() -> PartCode {
        PartCode::new()
    }
}

/// The value of a future that needs no waiting, or `None` if it would wait. A split function
/// whose chunk is already loaded answers at once, so its part can be drawn in place of the one
/// it replaces, without a moment in between.
#[cfg_attr(not(split_chunks), allow(dead_code))] // only the release build has chunks to wait for
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
