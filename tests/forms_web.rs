//! Browser tests of the forms' wiring: mount the component in headless Chromium, type into the
//! IMAP dialog the way the DOM sees a person do it (value + `input` event), and check what the
//! component shows and stores. Run by `cargo xtask test` (browser tests stage).
#![cfg(target_arch = "wasm32")]

use leptos::task::tick;
use mailsetup::{Options, Storage};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh host element and options with a storage prefix of its own, so tests never share data.
fn mount(name: &str) -> (HtmlElement, mailsetup::Mounted, String) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let prefix = format!("forms-test-{name}-{}", js_sys::Math::random());
    let options = Options {
        storage: Storage::Local {
            prefix: prefix.clone(),
        },
        ..Options::default()
    };
    let mounted = mailsetup::mount(host.clone(), options);
    (host, mounted, prefix)
}

/// Lets effects run and the view update (an effect that sets a signal needs a second round).
async fn settle() {
    for _ in 0..3 {
        tick().await;
    }
}

fn find(host: &Element, selector: &str) -> Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn button(host: &Element, text: &str) -> HtmlElement {
    let buttons = host.query_selector_all("button").unwrap();
    (0..buttons.length())
        .filter_map(|index| buttons.item(index))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .find(|button| button.text_content().unwrap_or_default().trim() == text)
        .unwrap_or_else(|| panic!("no button reads {text:?}"))
}

fn type_into(host: &Element, field: &str, text: &str) {
    let input: HtmlInputElement = find(host, &format!("dialog input[id$='-{field}']"))
        .dyn_into()
        .unwrap();
    input.set_value(text);
    input.dispatch_event(&Event::new("input").unwrap()).unwrap();
}

fn select_value(host: &Element, field: &str) -> String {
    find(host, &format!("dialog select[id$='-{field}']"))
        .dyn_into::<HtmlSelectElement>()
        .unwrap()
        .value()
}

#[wasm_bindgen_test]
async fn adding_imap_settings_lists_and_stores_the_domain() {
    let (host, _mounted, prefix) = mount("add");
    button(&host, "Add IMAP settings").click();
    settle().await;
    type_into(&host, "domain", "Example.COM");
    type_into(&host, "imap-host", "imap.example.com");
    type_into(&host, "smtp-host", "smtp.example.com");
    settle().await;
    find(&host, "dialog button[type='submit']")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    assert!(
        host.query_selector("dialog").unwrap().is_none(),
        "the dialog closed"
    );
    let row = find(&host, "tbody tr");
    let text = row.text_content().unwrap();
    assert!(text.contains("example.com"), "{text}");
    assert!(text.contains("imap.example.com:993 SSL/TLS"), "{text}");
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(&format!("{prefix}:settings"))
        .unwrap()
        .expect("stored");
    assert!(stored.contains("\"domain\":\"example.com\""), "{stored}");
}

#[wasm_bindgen_test]
async fn security_follows_the_port_until_chosen() {
    let (host, _mounted, _) = mount("security");
    button(&host, "Add IMAP settings").click();
    settle().await;
    assert_eq!(select_value(&host, "smtp-security"), "ssl_tls");
    type_into(&host, "smtp-port", "587");
    settle().await;
    assert_eq!(select_value(&host, "smtp-security"), "starttls");
    // The person picks SSL/TLS: a later port change no longer moves it.
    let select: HtmlSelectElement = find(&host, "dialog select[id$='-smtp-security']")
        .dyn_into()
        .unwrap();
    select.set_value("ssl_tls");
    select
        .dispatch_event(&Event::new("change").unwrap())
        .unwrap();
    settle().await;
    type_into(&host, "smtp-port", "25");
    settle().await;
    assert_eq!(select_value(&host, "smtp-security"), "ssl_tls");
}

#[wasm_bindgen_test]
async fn submitting_an_empty_form_marks_fields_and_focuses_the_first() {
    let (host, _mounted, _) = mount("empty");
    button(&host, "Add IMAP settings").click();
    settle().await;
    find(&host, "dialog button[type='submit']")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    for field in ["domain", "imap-host", "smtp-host"] {
        let input = find(&host, &format!("dialog input[id$='-{field}']"));
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
        let described = input.get_attribute("aria-describedby").unwrap_or_default();
        assert!(described.contains("-error"), "{field}: {described}");
    }
    let active = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert!(
        active.id().ends_with("-domain"),
        "focus is on {}",
        active.id()
    );
    assert!(
        host.query_selector("dialog").unwrap().is_some(),
        "the dialog stays open"
    );
}

/// The browser build's core has no Unicode tables: the component installs the browser's mapping
/// itself (no test in this file installs it).
#[wasm_bindgen_test]
async fn the_component_saves_the_ascii_form_and_shows_the_unicode_form() {
    let (host, _mounted, prefix) = mount("international");
    button(&host, "Add IMAP settings").click();
    settle().await;
    type_into(&host, "domain", "Zażółć.PL");
    type_into(&host, "imap-host", "imap.zażółć.pl");
    type_into(&host, "smtp-host", "smtp.example.com");
    settle().await;
    find(&host, "dialog button[type='submit']")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    let row = find(&host, "tbody tr").text_content().unwrap();
    assert!(row.contains("zażółć.pl"), "{row}");
    assert!(row.contains("xn--za-6ja4f8n1l.pl"), "{row}");
    assert!(row.contains("imap.zażółć.pl:993"), "{row}");
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(&format!("{prefix}:settings"))
        .unwrap()
        .expect("stored");
    assert!(
        stored.contains("\"domain\":\"xn--za-6ja4f8n1l.pl\""),
        "{stored}"
    );
    assert!(stored.contains("imap.xn--za-6ja4f8n1l.pl"), "{stored}");
    assert!(!stored.contains("zażółć"), "{stored}");
}
