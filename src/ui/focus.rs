//! Finding the component's elements and the keyboard focus, in the page or inside the shadow
//! root `<mail-setup shadow>` renders into: moving focus after a dialog closes, to the first
//! field with an error, to a step that opens; remembering where focus was.
//!
//! `document.getElementById` and `document.activeElement` stop at a shadow root (the latter
//! answers the shadow host), so both look inside the roots too.
//!
//! Owns: finding elements and focus. Must not: decide where focus should go.

use wasm_bindgen::JsCast;

/// The custom element whose shadow root may hold an instance (web/package/element.js).
const SHADOW_HOST: &str = "mail-setup";

/// The element with this id, in the page or in an instance's shadow root.
pub fn element_by_id(id: &str) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    if let Some(element) = document.get_element_by_id(id) {
        return Some(element);
    }
    let hosts = document.query_selector_all(SHADOW_HOST).ok()?;
    (0..hosts.length())
        .filter_map(|index| hosts.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .filter_map(|host| host.shadow_root())
        .find_map(|root| root.get_element_by_id(id))
}

/// Moves focus to the element with this id, if it is on the page.
pub fn focus_element(id: &str) {
    if let Some(element) =
        element_by_id(id).and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The element that has the keyboard focus, inside shadow roots too.
pub fn active_element() -> Option<web_sys::Element> {
    let mut active = web_sys::window()?.document()?.active_element()?;
    while let Some(inner) = active.shadow_root().and_then(|root| root.active_element()) {
        active = inner;
    }
    Some(active)
}
