//! Browser tests: mount the component in headless Chromium and check the DOM it renders.
//! Run by `cargo xtask test` (`cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use leptos::task::tick;
use mailsetup::{Language, Options, Storage, View};
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

/// Whether `host` holds an element matching `selector`.
fn has(host: &web_sys::HtmlElement, selector: &str) -> bool {
    host.query_selector(selector).unwrap().is_some()
}

#[wasm_bindgen_test]
fn each_view_shows_only_its_parts() {
    let parts = [
        (View::All, [true, true, true]),
        (View::Admin, [true, true, false]),
        (View::Connect, [false, false, true]),
        (View::Allowlist, [false, true, false]),
    ];
    for (view, [panel, allowlist, connect]) in parts {
        let host = host();
        let options = Options {
            view,
            storage: Storage::Memory,
            ..Options::default()
        };
        let _mounted = mailsetup::mount(host.clone(), options);
        let root = host.query_selector(".ms-root").unwrap().unwrap();
        assert_eq!(
            root.get_attribute("data-view").as_deref(),
            Some(view.as_attribute())
        );
        assert_eq!(
            has(&host, "[data-testid='settings-section']"),
            panel,
            "{view:?} panel"
        );
        assert_eq!(
            has(&host, "[data-testid='allowlist']"),
            allowlist,
            "{view:?} allowlist"
        );
        assert_eq!(
            has(&host, "[data-testid='connect']"),
            connect,
            "{view:?} connect"
        );
    }
}

#[wasm_bindgen_test]
async fn memory_storage_keeps_nothing_in_the_browser_and_says_nothing_about_it() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let before = storage.length().unwrap();
    let host = host();
    let options = Options {
        storage: Storage::Memory,
        ..Options::default()
    };
    let _mounted = mailsetup::mount(host.clone(), options);
    tick().await;
    assert!(!has(&host, "[data-testid='storage-banner']"));
    assert_eq!(storage.length().unwrap(), before);
}

#[wasm_bindgen_test]
async fn the_hosts_address_fills_the_connect_flows_first_step() {
    let host = host();
    let options = Options {
        view: View::Connect,
        storage: Storage::Memory,
        email: Some("ada@example.com".into()),
        ..Options::default()
    };
    let _mounted = mailsetup::mount(host.clone(), options);
    tick().await;
    let input: web_sys::HtmlInputElement = host
        .query_selector("input[id$='-connect-email']")
        .unwrap()
        .expect("the address field")
        .dyn_into()
        .unwrap();
    assert_eq!(input.value(), "ada@example.com");
}
