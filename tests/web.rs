//! Browser tests: mount the component in headless Chromium and check the DOM it renders.
//! Run by `cargo xtask test` (`cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use mailsetup::{Language, Options};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh host element appended to the test page's body.
fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element.dyn_into().unwrap()
}

#[wasm_bindgen_test]
fn mounts_with_the_settings_heading() {
    let host = host();
    let _mounted = mailsetup::mount(host.clone(), Options::default());
    let heading = host.query_selector("h2").unwrap().expect("a heading");
    assert_eq!(heading.text_content().unwrap(), "Exchange & IMAP settings");
    let root = host
        .query_selector(".ms-root")
        .unwrap()
        .expect("the component root");
    assert_eq!(root.get_attribute("lang").as_deref(), Some("en"));
}

#[wasm_bindgen_test]
fn speaks_polish_and_sets_lang_only_on_its_root() {
    let host = host();
    let options = Options {
        language: Language::Polish,
        ..Options::default()
    };
    let _mounted = mailsetup::mount(host.clone(), options);
    let heading = host.query_selector("h2").unwrap().expect("a heading");
    assert_eq!(
        heading.text_content().unwrap(),
        "Ustawienia Exchange i IMAP"
    );
    let root = host.query_selector(".ms-root").unwrap().unwrap();
    assert_eq!(root.get_attribute("lang").as_deref(), Some("pl"));
    let html = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap();
    assert_ne!(html.get_attribute("lang").as_deref(), Some("pl"));
}

#[wasm_bindgen_test]
fn dropping_the_handle_unmounts() {
    let host = host();
    let mounted = mailsetup::mount(host.clone(), Options::default());
    assert!(host.query_selector(".ms-root").unwrap().is_some());
    drop(mounted);
    assert!(host.query_selector(".ms-root").unwrap().is_none());
}
