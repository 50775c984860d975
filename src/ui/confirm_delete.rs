//! "Delete settings for DOMAIN?": a small modal alert dialog that asks before deleting.
//!
//! Owns: the question, its two answers, and showing that a confirmed deletion is on its way
//! (the dialog stays until the store answered). Must not: delete anything itself.

use leptos::prelude::*;

use crate::i18n::panel;
use crate::state::Settings;
use crate::ui::modal::{keep_tab_inside, show_modal_when_mounted};
use crate::ui::on_demand::on_demand;

// A wasm chunk of its own in the release build, like the drawer (`ui::on_demand`).
on_demand!(pub ConfirmDelete(ConfirmDeleteProps) => fetch_confirm_delete, draw_confirm_delete;
    confirm_delete_code, preload_confirm_delete_code);

/// The confirmation. Mounted while asking; either callback unmounts it.
#[component]
pub fn ConfirmDelete(
    /// The domain, as people read it.
    domain: String,
    /// The person confirmed.
    on_confirm: Callback<()>,
    /// The person kept the settings (Cancel or Escape).
    on_cancel: Callback<()>,
    /// The deletion was confirmed and is on its way: the answers wait for it.
    #[prop(into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let texts = panel::texts(settings.language);
    let title_id = settings.id("delete-title");
    let body_id = settings.id("delete-body");
    let (labelled_by, described_by) = (title_id.clone(), body_id.clone());
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    show_modal_when_mounted(dialog_ref);
    view! {
        <dialog
            node_ref=dialog_ref
            class="ms-confirm"
            role="alertdialog"
            aria-labelledby=labelled_by
            aria-describedby=described_by
            on:keydown=keep_tab_inside(dialog_ref)
            aria-busy=move || busy.get().to_string()
            on:cancel=move |event: web_sys::Event| {
                event.prevent_default();
                // Too late to keep them once the deletion is on its way.
                if !busy.get_untracked() {
                    on_cancel.run(());
                }
            }
        >
            <h2 class="ms-confirm__title" id=title_id>{(texts.confirm_delete_title)(&domain)}</h2>
            <p id=body_id>{(texts.confirm_delete_body)(&domain)}</p>
            <div class="ms-drawer__actions">
                <button
                    type="button"
                    class="ms-button ms-button--danger"
                    aria-disabled=move || busy.get().then_some("true")
                    on:click=move |_| {
                        if !busy.get_untracked() {
                            on_confirm.run(());
                        }
                    }
                >
                    {move || if busy.get() { texts.deleting } else { texts.confirm_delete }}
                </button>
                <button
                    type="button"
                    class="ms-button"
                    autofocus
                    aria-disabled=move || busy.get().then_some("true")
                    on:click=move |_| {
                        if !busy.get_untracked() {
                            on_cancel.run(());
                        }
                    }
                >
                    {texts.cancel}
                </button>
            </div>
        </dialog>
    }
}
