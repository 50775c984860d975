//! Browser tests of the JavaScript API (`mount(element, options)` and its handle), called the
//! way a host page's script calls it: options are plain JavaScript objects. Run by
//! `cargo xtask test` (browser tests stage).
#![cfg(all(target_arch = "wasm32", feature = "js-api"))]

use js_sys::{Array, Function, JSON, Promise, Reflect};
use leptos::task::tick;
use mailsetup::{MountHandle, mount_for_host};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Event, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element in the page, holding one child of the host's own.
fn host() -> HtmlElement {
    let element: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

/// A plain object from JSON text.
fn object(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

/// `{ storage: { type: "memory" }, ...extra }`: tests never share stored data.
fn memory_options(extra: &[(&str, JsValue)]) -> JsValue {
    let options = object(r#"{"storage":{"type":"memory"}}"#);
    for (key, value) in extra {
        Reflect::set(&options, &(*key).into(), value).unwrap();
    }
    options
}

fn error_message(error: &JsValue) -> String {
    error.dyn_ref::<js_sys::Error>().unwrap().message().into()
}

fn is_type_error(error: &JsValue) -> bool {
    error.dyn_ref::<js_sys::TypeError>().is_some()
}

async fn settle() {
    for _ in 0..3 {
        tick().await;
    }
}

async fn mounted(host: &HtmlElement, options: JsValue) -> MountHandle {
    let handle = mount_for_host(host.clone().into(), options).expect("mounted");
    JsFuture::from(handle.ready()).await.unwrap();
    handle
}

#[wasm_bindgen_test]
fn bad_options_throw_a_type_error_that_names_the_key_and_mount_nothing() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"lcoale":"pl"}"#,
            r#"unknown option "lcoale". Did you mean "locale"?"#,
        ),
        (r#"{"on_change":1}"#, r#"Did you mean "onChange"?"#),
        (
            r#"{"language":"pl"}"#,
            "Known options: view, role, locale, storage, email",
        ),
        (
            r#"{"locale":"de"}"#,
            r#"option "locale" must be "en" or "pl", not "de""#,
        ),
        (
            r#"{"role":"superuser"}"#,
            r#"option "role" must be "admin" or "read-only", not "superuser""#,
        ),
        (
            r#"{"view":"everything"}"#,
            r#"option "view" must be "all", "admin", "connect" or "allowlist""#,
        ),
        (r#"{"view":3}"#, "not the number 3"),
        (r#"{"email":true}"#, r#"option "email" must be a string"#),
        (
            r#"{"onChange":"log"}"#,
            r#"option "onChange" must be a function, not "log""#,
        ),
        (
            r#"{"storage":"local"}"#,
            r#"option "storage" must be an object"#,
        ),
        (
            r#"{"storage":{"type":"session"}}"#,
            r#"option "storage.type" must be "local", "memory", "rest" or "url", not "session""#,
        ),
        (
            r#"{"storage":{}}"#,
            r#""storage.type" must be "local", "memory", "rest" or "url", not missing"#,
        ),
        (
            r#"{"storage":{"type":"local","prefx":"a"}}"#,
            r#"unknown option "storage.prefx". Did you mean "storage.prefix"?"#,
        ),
        (
            r#"{"storage":{"type":"memory","prefix":"a"}}"#,
            r#"unknown option "storage.prefix""#,
        ),
        (
            r#"{"storage":{"type":"url","url":"settings.json"}}"#,
            r#"option "storage.url" must be the absolute address of a published settings document"#,
        ),
        (
            r#"{"storage":{"type":"url","url":"https://it.example.com/s.json","prefix":"a"}}"#,
            r#"unknown option "storage.prefix""#,
        ),
        (
            r#"{"storage":{"type":"rest"}}"#,
            r#"option "storage.baseUrl" is missing"#,
        ),
        (
            r#"{"storage":{"type":"rest","baseUrl":"crm.example.com"}}"#,
            r#"option "storage.baseUrl" must be an absolute address"#,
        ),
        (
            r#"{"storage":{"type":"rest","baseUrl":"https://crm.example.com","tokn":"x"}}"#,
            r#"unknown option "storage.tokn". Did you mean "storage.token"?"#,
        ),
        (
            r#"{"storage":{"type":"rest","baseUrl":"https://crm.example.com","credentials":"all"}}"#,
            r#"option "storage.credentials" must be "omit", "same-origin" or "include", not "all""#,
        ),
        (
            r#"{"storage":{"type":"rest","baseUrl":"https://crm.example.com","csrf":{"header":"X-CSRF-Token"}}}"#,
            r#"option "storage.csrf" needs both "header" and "token""#,
        ),
        (
            r#"{"storage":{"type":"rest","baseUrl":"https://crm.example.com","headers":{"X-Portal":7}}}"#,
            r#"option "storage.headers.X-Portal" must be a string, not the number 7"#,
        ),
        (
            r#"{"storage":{"type":"rest","baseUrl":"https://crm.example.com","timeoutMs":5}}"#,
            r#"option "storage.timeoutMs" must be a whole number of milliseconds from 1000 to 120000"#,
        ),
        (
            r#"{"storage":{"type":"local","prefix":""}}"#,
            r#"option "storage.prefix" must be a non-empty string"#,
        ),
        (
            r#"{"allowlist":{"name":"Relays"}}"#,
            r#"option "allowlist" must be an array of groups ({ name, purpose, ranges }), not an object"#,
        ),
        (
            r#"{"allowlist":["10.0.0.0/8"]}"#,
            r#"option "allowlist[0]" must be an object, not "10.0.0.0/8""#,
        ),
        (
            r#"{"allowlist":[{"name":"Relays","purpose":"smtp","range":["10.0.0.0/8"]}]}"#,
            r#"unknown option "allowlist[0].range". Did you mean "allowlist[0].ranges"?"#,
        ),
        (
            r#"{"allowlist":[{"name":"Relays","purpose":"pop3","ranges":["10.0.0.0/8"]}]}"#,
            r#"option "allowlist[0].purpose" must be "smtp" or "imap", not "pop3""#,
        ),
        (
            r#"{"allowlist":[{"name":"Relays","ranges":["10.0.0.0/8"]}]}"#,
            r#"option "allowlist[0].purpose" must be "smtp" or "imap" (the traffic the addresses carry), not missing"#,
        ),
        (
            r#"{"allowlist":[{"name":"Relays","purpose":"smtp","ranges":"10.0.0.0/8"}]}"#,
            r#"option "allowlist[0].ranges" must be an array of address ranges"#,
        ),
        (
            r#"{"allowlist":[{"name":"Relays","purpose":"smtp","ranges":[167772160]}]}"#,
            r#"option "allowlist[0].ranges[0]" must be a string"#,
        ),
        (
            r#"{"allowlist":[{"name":7,"purpose":"smtp","ranges":["10.0.0.0/8"]}]}"#,
            r#"option "allowlist[0].name" must be a string (the group's heading), not the number 7"#,
        ),
        (
            r#"{"allowlist":[]}"#,
            r#"option "allowlist": The allowlist has no groups."#,
        ),
        (
            r#"{"allowlist":[{"name":" ","purpose":"imap","ranges":["10.0.0.0/8"]}]}"#,
            r#"option "allowlist": Allowlist group 1 has no name."#,
        ),
        (
            r#"{"allowlist":[{"name":"Sync","purpose":"imap","ranges":[]}]}"#,
            r#"option "allowlist": Allowlist group "Sync" has no address ranges."#,
        ),
        (
            r#"{"allowlist":[{"name":"Relays","purpose":"smtp","ranges":["192.0.2.0/24"]},{"name":"Sync","purpose":"imap","ranges":["10.0.0.1/8"]}]}"#,
            r#"option "allowlist": Allowlist group "Sync": "10.0.0.1/8" is not an address range. This network has host bits set. Enter the network address 10.0.0.0/8 instead."#,
        ),
        (r#"[]"#, "the options must be an object, not an array"),
        (
            r#""admin""#,
            r#"the options must be an object, not "admin""#,
        ),
    ];
    for (options, expected) in cases {
        let host = host();
        let error = match mount_for_host(host.clone().into(), object(options)) {
            Ok(_) => panic!("{options} was accepted"),
            Err(error) => error,
        };
        assert!(is_type_error(&error), "{options}: not a TypeError");
        let message = error_message(&error);
        assert!(message.contains(expected), "{options}: {message}");
        assert_eq!(
            host.child_element_count(),
            0,
            "{options}: something was mounted"
        );
    }
}

#[wasm_bindgen_test]
fn mounting_where_it_cannot_says_why() {
    let not_an_element = mount_for_host(JsValue::from_str("#app"), JsValue::UNDEFINED)
        .err()
        .unwrap();
    assert!(is_type_error(&not_an_element));
    assert!(error_message(&not_an_element).contains("needs an HTML element"));

    let detached: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    let error = mount_for_host(detached.into(), JsValue::UNDEFINED)
        .err()
        .unwrap();
    assert!(error_message(&error).contains("not in the document"));

    let host = host();
    let _first = mount_for_host(host.clone().into(), memory_options(&[])).unwrap();
    let error = mount_for_host(host.into(), memory_options(&[]))
        .err()
        .unwrap();
    assert!(error_message(&error).contains("already holds an instance"));
}

#[wasm_bindgen_test]
async fn unmount_leaves_the_element_as_it_was_and_a_new_mount_works() {
    let host = host();
    let own = document().create_element("p").unwrap();
    own.set_text_content(Some("the host's own"));
    host.append_child(&own).unwrap();
    let before = host.inner_html();
    let mut handle = mounted(&host, memory_options(&[])).await;
    assert!(host.query_selector(".ms-root").unwrap().is_some());
    handle.unmount();
    handle.unmount();
    assert_eq!(host.inner_html(), before);
    assert!(
        handle.update(object("{}")).is_err(),
        "an unmounted handle refuses updates"
    );
    let mut again = mounted(&host, memory_options(&[])).await;
    assert!(host.query_selector(".ms-root").unwrap().is_some());
    again.unmount();
    assert_eq!(host.inner_html(), before);
}

#[wasm_bindgen_test]
async fn update_changes_language_role_and_view_and_refuses_what_is_read_once() {
    let host = host();
    let mut handle = mounted(&host, memory_options(&[])).await;
    let heading = |host: &HtmlElement| {
        host.query_selector("h2")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
    };
    assert_eq!(heading(&host), "Exchange & IMAP settings");

    handle.update(object(r#"{"locale":"pl"}"#)).unwrap();
    for _ in 0..20 {
        settle().await;
        if heading(&host) == "Ustawienia Exchange i IMAP" {
            break;
        }
    }
    assert_eq!(heading(&host), "Ustawienia Exchange i IMAP");

    handle
        .update(object(r#"{"role":"read-only","view":"admin"}"#))
        .unwrap();
    settle().await;
    let root = host.query_selector(".ms-root").unwrap().unwrap();
    assert_eq!(
        root.get_attribute("data-role").as_deref(),
        Some("read-only")
    );
    assert_eq!(root.get_attribute("data-view").as_deref(), Some("admin"));

    let error = handle
        .update(object(r#"{"storage":{"type":"memory"}}"#))
        .err()
        .unwrap();
    assert!(error_message(&error).contains("read once, at mount"));
    let error = handle.update(object(r#"{"rolle":"admin"}"#)).err().unwrap();
    assert!(error_message(&error).contains(r#"Did you mean "role"?"#));
}

#[wasm_bindgen_test]
async fn a_hosts_allowlist_replaces_the_providers_and_update_changes_it() {
    let host = host();
    let groups = r#"[{"name":"Office relays","purpose":"smtp","ranges":["192.0.2.0/24","198.51.100.7"]},{"name":"Mailbox sync","purpose":"imap","ranges":["192.0.2.0/25"]}]"#;
    let mut handle = mounted(
        &host,
        memory_options(&[("view", "allowlist".into()), ("allowlist", object(groups))]),
    )
    .await;
    let headings = |host: &HtmlElement| {
        let found = host
            .query_selector_all("h3.ms-allowlist__group-title")
            .unwrap();
        (0..found.length())
            .filter_map(|index| found.item(index)?.text_content())
            .map(|text| text.trim().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(headings(&host), ["Office relays", "Mailbox sync"]);
    let entries = host.query_selector_all(".ms-allowlist__net").unwrap();
    assert_eq!(entries.length(), 3);

    handle
        .update(object(
            r#"{"allowlist":[{"name":"Relays","purpose":"smtp","ranges":["203.0.113.0/24"]}]}"#,
        ))
        .unwrap();
    settle().await;
    assert_eq!(headings(&host), ["Relays"]);

    let error = handle
        .update(object(
            r#"{"allowlist":[{"name":"Relays","purpose":"smtp","ranges":["203.0.113.0/33"]}]}"#,
        ))
        .err()
        .unwrap();
    assert!(is_type_error(&error));
    assert!(error_message(&error).contains(r#"Allowlist group "Relays": "203.0.113.0/33""#));
    settle().await;
    assert_eq!(
        headings(&host),
        ["Relays"],
        "a refused update changes nothing"
    );

    handle.update(object(r#"{"allowlist":null}"#)).unwrap();
    settle().await;
    assert_eq!(headings(&host), ["SMTP IP addresses", "IMAP IP addresses"]);
    handle.unmount();
}

/// Collects every call's first argument into `calls`.
fn recorder(calls: &Array) -> Function {
    let calls = calls.clone();
    let closure = wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |value: JsValue| {
        calls.push(&value);
    });
    closure.into_js_value().unchecked_into()
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}

#[wasm_bindgen_test]
async fn a_saved_change_reaches_on_change_with_its_settings() {
    let host = host();
    let calls = Array::new();
    let _handle = mounted(
        &host,
        memory_options(&[("onChange", recorder(&calls).into())]),
    )
    .await;
    let add = host.query_selector_all("button").unwrap();
    let add: HtmlElement = (0..add.length())
        .filter_map(|i| add.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .find(|button| button.text_content().unwrap_or_default().trim() == "Add Exchange settings")
        .unwrap();
    add.click();
    settle().await;
    for (field, value) in [
        ("domain", "example.com"),
        ("url", "https://mail.example.com/EWS/Exchange.asmx"),
    ] {
        let input: HtmlInputElement = host
            .query_selector(&format!("dialog input[id$='-{field}']"))
            .unwrap()
            .unwrap_or_else(|| panic!("no {field} field"))
            .dyn_into()
            .unwrap();
        input.set_value(value);
        input.dispatch_event(&Event::new("input").unwrap()).unwrap();
    }
    settle().await;
    host.query_selector("dialog button[type='submit']")
        .unwrap()
        .unwrap()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    assert_eq!(calls.length(), 1);
    let detail = calls.get(0);
    assert_eq!(text(&detail, "action").as_deref(), Some("added"));
    assert_eq!(text(&detail, "domain").as_deref(), Some("example.com"));
    let settings = Reflect::get(&detail, &"settings".into()).unwrap();
    assert_eq!(text(&settings, "type").as_deref(), Some("exchange"));
    assert_eq!(
        text(&settings, "url").as_deref(),
        Some("https://mail.example.com/EWS/Exchange.asmx")
    );
}

#[wasm_bindgen_test]
async fn the_hosts_connection_check_runs_each_step_and_its_failure_shows() {
    let host = host();
    let calls = Array::new();
    let seen = calls.clone();
    // Fails at "smtp-login", as a host whose SMTP server refuses the password would.
    let test = wasm_bindgen::closure::Closure::<dyn Fn(JsValue, JsValue, JsValue) -> JsValue>::new(
        move |step: JsValue, attempt: JsValue, signal: JsValue| {
            seen.push(&step);
            assert!(signal.is_instance_of::<web_sys::AbortSignal>());
            assert_eq!(text(&attempt, "password").as_deref(), Some("s3cret"));
            let answer = if step.as_string().as_deref() == Some("smtp-login") {
                object(r#"{"ok":false,"reason":"535 authentication failed"}"#)
            } else {
                object(r#"{"ok":true}"#)
            };
            Promise::resolve(&answer).into()
        },
    );
    let options = memory_options(&[
        ("view", "connect".into()),
        ("email", "ada@example.com".into()),
        ("testConnection", test.into_js_value()),
    ]);
    let _handle = mounted(&host, options).await;
    assert!(
        host.query_selector("[data-testid='demo-notice']")
            .unwrap()
            .is_none()
    );
    let form = host
        .query_selector(".ms-connect__address-form")
        .unwrap()
        .unwrap();
    form.dispatch_event(&Event::new("submit").unwrap()).unwrap();
    for _ in 0..20 {
        settle().await;
        if host
            .query_selector("input[type='password']")
            .unwrap()
            .is_some()
        {
            break;
        }
    }
    for (field, value) in [
        ("imap-host", "imap.example.com"),
        ("smtp-host", "smtp.example.com"),
    ] {
        if let Some(input) = host
            .query_selector(&format!("input[id$='-{field}']"))
            .unwrap()
        {
            let input: HtmlInputElement = input.dyn_into().unwrap();
            input.set_value(value);
            input.dispatch_event(&Event::new("input").unwrap()).unwrap();
        }
    }
    let password: HtmlInputElement = host
        .query_selector("input[type='password']")
        .unwrap()
        .expect("the password field")
        .dyn_into()
        .unwrap();
    password.set_value("s3cret");
    password
        .dispatch_event(&Event::new("input").unwrap())
        .unwrap();
    settle().await;
    let step_form = host.query_selector(".ms-connect__form").unwrap().unwrap();
    step_form
        .dispatch_event(&Event::new("submit").unwrap())
        .unwrap();
    for _ in 0..40 {
        settle().await;
        if calls.length() >= 4 {
            break;
        }
    }
    let steps: Vec<String> = calls.iter().filter_map(|step| step.as_string()).collect();
    assert_eq!(
        steps,
        ["imap-connect", "imap-login", "smtp-connect", "smtp-login"]
    );
    settle().await;
    let states: Vec<String> = {
        let steps = host
            .query_selector_all("[data-testid='check-step']")
            .unwrap();
        (0..steps.length())
            .filter_map(|i| steps.item(i))
            .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
            .filter_map(|step| step.get_attribute("data-state"))
            .collect()
    };
    assert_eq!(states[..4], ["passed", "passed", "passed", "failed"]);
    let text = host.text_content().unwrap();
    assert!(text.contains("535 authentication failed"), "{text}");
}

#[wasm_bindgen_test]
async fn an_instance_outlives_a_handle_the_host_let_go_of() {
    let host = host();
    let handle = mounted(&host, memory_options(&[])).await;
    // What wasm-bindgen's finaliser does when the host page drops the handle.
    drop(handle);
    settle().await;
    assert!(host.query_selector(".ms-root").unwrap().is_some());
    let error = mount_for_host(host.into(), memory_options(&[]))
        .err()
        .unwrap();
    assert!(error_message(&error).contains("already holds an instance"));
}
