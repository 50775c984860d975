//! Parts of the component whose code arrives when they are first needed. In the release build
//! (`--cfg split_chunks`, see `xtask/src/release.rs`) each part declared with [`on_demand!`] has
//! its code in a wasm chunk of its own; in every other build the code is simply there.
//!
//! Owns: fetching a part's code once, drawing the part in the same tick once the code is there,
//! reporting a fetch that failed so the view can say so, and fetching a part's code ahead when
//! the browser is idle ([`PartCode::prefetch`]). Must not: decide which parts load on demand or
//! ahead (the components declare their own).

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

/// What to do when a fetch fails that someone asked for while a prefetch was on its way.
type OnFailure = Box<dyn FnOnce()>;

/// One part's code, for the view that shows the part.
#[derive(Clone, Copy)]
pub struct PartCode {
    stage: RwSignal<Stage>,
    failures: Option<FetchFailures>,
    /// Set while a prefetch is on its way and someone asked for the part meanwhile: the
    /// prefetch's failure is then theirs.
    waiting: StoredValue<Option<OnFailure>, LocalStorage>,
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
            waiting: StoredValue::new_local(None),
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
        match self.stage.get_untracked() {
            Stage::Here => {}
            // A prefetch is on its way: its outcome is this request's.
            Stage::Fetching => self.waiting.set_value(Some(Box::new(on_failure))),
            Stage::NotAsked => {
                self.waiting.set_value(Some(Box::new(on_failure)));
                self.fetch(fetch);
            }
        }
    }

    /// Fetches the code ahead, when the browser is idle after the first render, so the part
    /// opens at once when it is asked for. A prefetch that fails says nothing (nobody asked
    /// yet); asking for the part later tries again.
    pub fn prefetch<F>(self, fetch: impl FnOnce() -> F + 'static)
    where
        F: Future<Output = Result<(), CodeMissing>> + 'static,
    {
        if self.stage.get_untracked() == Stage::NotAsked {
            when_idle(move || {
                if self.stage.try_get_untracked() == Some(Stage::NotAsked) {
                    self.fetch(fetch);
                }
            });
        }
    }

    fn fetch<F>(self, fetch: impl FnOnce() -> F + 'static)
    where
        F: Future<Output = Result<(), CodeMissing>> + 'static,
    {
        self.stage.set(Stage::Fetching);
        leptos::task::spawn_local(async move {
            let fetched = fetch().await;
            let Some(waiting) = self.waiting.try_update_value(Option::take) else {
                return; // the view is gone
            };
            match fetched {
                Ok(()) => self.stage.set(Stage::Here),
                Err(CodeMissing) => {
                    self.stage.set(Stage::NotAsked);
                    if let Some(on_failure) = waiting {
                        on_failure();
                        if let Some(tell) =
                            self.failures.and_then(|failures| failures.0.get_value())
                        {
                            tell();
                        }
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

/// Runs `then` when the browser is idle (`requestIdleCallback`, within two seconds at most), or
/// after the current task where the browser has no idle callbacks (Safari).
fn when_idle(then: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(then);
    let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
        .ok()
        .and_then(|found| found.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(request_idle) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"timeout".into(), &2000.into());
            let _ = request_idle.call2(&window, &callback, &options);
        }
        None => {
            let _ = window.set_timeout_with_callback(callback.unchecked_ref());
        }
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
