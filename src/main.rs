//! Trunk entry for the standalone page: install the panic hook, read the page's options from the
//! host element, mount. Nothing else belongs here.

use wasm_bindgen::JsCast;

/// The element the standalone page reserves for the component.
const HOST_ELEMENT_ID: &str = "mailsetup";

fn main() {
    console_error_panic_hook::set_once();
    let Some(host) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(HOST_ELEMENT_ID))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        web_sys::console::error_1(
            &format!("mailsetup: this page has no element with id \"{HOST_ELEMENT_ID}\"").into(),
        );
        return;
    };
    let options = mailsetup::Options::from_element(&host);
    mailsetup::mount(host, options).forget();
}
