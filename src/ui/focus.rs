//! Moving the keyboard focus to an element by its id: after a dialog closes, to the first field
//! with an error, to a step that opens.
//!
//! Owns: finding the element and focusing it. Must not: decide where focus should go.

use wasm_bindgen::JsCast;

/// Moves focus to the element with this id, if it is on the page.
pub fn focus_element(id: &str) {
    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
