//! The floor of `cargo xtask bench`: a Leptos page with one heading, built with the component's
//! release profile and Trunk setup, so the report can tell what the framework costs from what
//! mailsetup adds. It sets the same ready mark as the component.
//!
//! Must not: grow beyond the minimum; anything added here hides the component's own cost.

use leptos::prelude::*;

/// The mark the component sets after its first complete render (`mailsetup::READY_MARK`).
const READY_MARK: &str = "mailsetup:ready";

fn main() {
    leptos::mount::mount_to_body(Floor);
}

#[component]
fn Floor() -> impl IntoView {
    // Effects first run once the view is in the DOM, as in the component.
    Effect::new(move |_| {
        if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
            let _ = performance.mark(READY_MARK);
        }
    });
    view! { <h1>"Email logging"</h1> }
}
