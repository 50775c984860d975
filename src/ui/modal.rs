//! What both modal dialogs (the drawer and the delete confirmation) share: opening as a modal
//! `<dialog>` once mounted, and keeping Tab and Shift+Tab inside it (the browser would move
//! focus on to its own toolbar).
//!
//! Owns: focus containment. Must not: decide what closing means (the caller does).

use leptos::html::Dialog;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Elements that can take focus with Tab.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
    textarea:not([disabled]), summary, a[href], [tabindex]:not([tabindex='-1'])";

/// Shows the dialog as modal as soon as it is on the page.
pub fn show_modal_when_mounted(dialog: NodeRef<Dialog>) {
    Effect::new(move |_| {
        if let Some(dialog) = dialog.get()
            && !dialog.open()
        {
            let _ = dialog.show_modal();
        }
    });
}

/// A keydown handler: Tab on the last focusable element goes to the first, Shift+Tab on the
/// first goes to the last.
pub fn keep_tab_inside(dialog: NodeRef<Dialog>) -> impl Fn(web_sys::KeyboardEvent) + 'static {
    move |event: web_sys::KeyboardEvent| {
        if event.key() != "Tab" {
            return;
        }
        let Some(dialog) = dialog.get_untracked() else {
            return;
        };
        let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
            return;
        };
        let focusable: Vec<web_sys::HtmlElement> = (0..list.length())
            .filter_map(|index| list.item(index))
            .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
            // Hidden elements (e.g. inside a closed <details>) have no layout box.
            .filter(|element| element.offset_parent().is_some() || element.tag_name() == "SUMMARY")
            .collect();
        let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
            return;
        };
        let active = crate::ui::focus::active_element();
        let is = |element: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|active| active == element.unchecked_ref::<web_sys::Element>())
        };
        let outside = active
            .as_ref()
            .is_none_or(|active| !dialog.contains(Some(active.unchecked_ref())));
        if event.shift_key() && (is(first) || outside) {
            event.prevent_default();
            let _ = last.focus();
        } else if !event.shift_key() && (is(last) || outside) {
            event.prevent_default();
            let _ = first.focus();
        }
    }
}
