//! A reusable copy-to-clipboard button, and the fallback that shows the text selected in a
//! read-only field when the browser refuses to copy.
//!
//! Owns: talking to the Clipboard API without ever panicking (it may be missing on plain http,
//! refused in an iframe, or reject), the button's short "copied" look, and the fallback field.
//! Must not: hold user-visible text (callers pass it in, already translated) or decide what is
//! copied; the caller owns the text and where the "Copied" announcement goes.

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

/// How long the button keeps its "copied" look.
const COPIED_LOOK: Duration = Duration::from_millis(2000);

/// What happened when the button tried to copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyOutcome {
    /// The text is on the clipboard.
    Copied,
    /// The browser has no Clipboard API here or refused it; the text still has to be copied by hand.
    Blocked(String),
}

/// Writes `text` to the clipboard. `Err` when `navigator.clipboard` is missing, `writeText` is not
/// a function, throws, or its promise rejects. Every browser call is checked, none can panic.
pub async fn write_to_clipboard(text: &str) -> Result<(), JsValue> {
    let navigator = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return Err(JsValue::from_str("navigator.clipboard is not available"));
    }
    let write_text: js_sys::Function =
        js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))?
            .dyn_into()
            .map_err(|_| JsValue::from_str("navigator.clipboard.writeText is not a function"))?;
    // `call1` catches a synchronous throw; `Promise::resolve` accepts a non-promise result.
    let returned = write_text.call1(&clipboard, &JsValue::from_str(text))?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&returned))
        .await
        .map(|_| ())
}

/// A button that copies `text` and reports the outcome to `on_copy`.
#[component]
pub fn CopyButton(
    /// The exact text put on the clipboard.
    #[prop(into)]
    text: String,
    /// The visible label, such as "Copy" or "Copy combined list".
    label: &'static str,
    /// Extra words read by screen readers after the label (visually hidden), so that one of many
    /// "Copy" buttons is named "Copy 141.193.184.0/27". Empty for buttons whose label says it all.
    #[prop(into, optional)]
    context: String,
    /// Extra classes, for the caller's layout (e.g. the compact per-entry variant).
    #[prop(optional)]
    class: &'static str,
    /// Called once the attempt is over, with what happened.
    on_copy: Callback<CopyOutcome>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let on_click = move |_| {
        let text = text.clone();
        spawn_local(async move {
            match write_to_clipboard(&text).await {
                Ok(()) => {
                    copied.set(true);
                    set_timeout(
                        move || {
                            let _ = copied.try_set(false);
                        },
                        COPIED_LOOK,
                    );
                    on_copy.run(CopyOutcome::Copied);
                }
                Err(_) => on_copy.run(CopyOutcome::Blocked(text)),
            }
        });
    };
    let has_context = !context.is_empty();
    view! {
        <button
            type="button"
            class=format!("ms-button ms-copy-button {class}")
            class:ms-copy-button--copied=move || copied.get()
            on:click=on_click
        >
            {label}
            {has_context.then(|| view! { <span class="ms-visually-hidden">" " {context}</span> })}
        </button>
    }
}

/// The text someone has to copy by hand: a read-only field, focused with its text selected, so
/// Ctrl+C (⌘C) copies it, plus a button that closes it.
#[component]
pub fn CopyFallback(
    /// The text to show, `None` while there is nothing to copy by hand.
    text: Signal<Option<String>>,
    /// Why the text is shown and what to press, e.g. "Copying is blocked here. …".
    message: &'static str,
    /// The label of the button that hides the field.
    close_label: &'static str,
    /// Id of the field, unique on the page (its label points at it).
    field_id: String,
    /// Called when the person closes the field.
    on_close: Callback<()>,
) -> impl IntoView {
    let field = NodeRef::<html::Textarea>::new();
    // Whenever new text arrives: write it, focus, select. The value is set here rather than with
    // `prop:value` so that it is certainly in place before `select()`, whatever order effects run in.
    Effect::new(move |_| {
        if let (Some(value), Some(element)) = (text.get(), field.get()) {
            element.set_value(&value);
            let _ = element.focus();
            element.select();
        }
    });
    view! {
        <Show when=move || text.with(Option::is_some)>
            <div class="ms-copy-fallback" data-testid="copy-fallback">
                <label class="ms-copy-fallback__message" for=field_id.clone()>
                    {message}
                </label>
                <textarea
                    id=field_id.clone()
                    class="ms-copy-fallback__field"
                    node_ref=field
                    readonly
                    spellcheck="false"
                    rows=move || text.with(|t| t.as_deref().map_or(1, |t| t.lines().count().clamp(1, 12)))
                ></textarea>
                <button
                    type="button"
                    class="ms-button ms-copy-button ms-copy-fallback__close"
                    on:click=move |_| on_close.run(())
                >
                    {close_label}
                </button>
            </div>
        </Show>
    }
}
