//! Trunk entry for the standalone page: install the panic hook, find the host elements, start
//! the demo shell. Nothing else belongs here.

mod demo_shell;

use wasm_bindgen::JsCast;

/// The element the standalone page reserves for the component.
const HOST_ELEMENT_ID: &str = "mailsetup";
/// The element in the page header for the demo's switchers.
const CONTROLS_ELEMENT_ID: &str = "mailsetup-demo-controls";

fn main() {
    // Panic messages in the console for debug builds; the release build aborts without one
    // (see README, "The release build").
    console_error_panic_hook::set_once();
    let Some(host) = html_element(HOST_ELEMENT_ID) else {
        web_sys::console::error_1(
            &format!("mailsetup: this page has no element with id \"{HOST_ELEMENT_ID}\"").into(),
        );
        return;
    };
    demo_shell::start(host, html_element(CONTROLS_ELEMENT_ID));
}

fn html_element(id: &str) -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
}
