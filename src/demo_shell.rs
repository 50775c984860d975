//! The standalone demo page around the component: the switchers a host portal would own
//! (language and role), kept outside the component's own element, and the demo's choice of how
//! the connection check ends. A language or role change remounts the component with new
//! options, exactly as a host page would; the outcome goes straight to the demo tester, so a
//! flow in progress keeps its state. Every choice is kept in the page's query string
//! (`?lang=pl&role=read-only&outcome=imap-login`), so a reload or a shared link shows the same
//! thing; `delay=MS` sets how long each demo step takes (tests shorten it).
//!
//! Belongs to the Trunk binary only; the library knows nothing about it.

use leptos::mount::mount_to;
use leptos::prelude::*;
use std::rc::Rc;

use mailsetup::{DemoOutcome, DemoTester, Language, MailSetup, Options, Role, SharedTester};
use web_sys::HtmlElement;

/// Mounts the switchers into `controls` (when the page has that element) and the component
/// into `host`.
pub fn start(host: HtmlElement, controls: Option<HtmlElement>) {
    let mut initial = Options::from_element(&host);
    let query = current_query();
    if let Some(language) = query_value(&query, "lang").and_then(|tag| Language::from_tag(&tag)) {
        initial.language = language;
    }
    if let Some(role) = query_value(&query, "role").and_then(|value| Role::from_attribute(&value)) {
        initial.role = role;
    }
    let outcome = query_value(&query, "outcome")
        .and_then(|tag| DemoOutcome::from_tag(&tag))
        .unwrap_or_default();
    let step_delay_ms = query_value(&query, "delay")
        .and_then(|ms| ms.parse::<u32>().ok())
        .unwrap_or(DemoTester::DEFAULT_STEP_DELAY_MS);
    let tester = DemoTester::new(outcome, step_delay_ms);
    let owner = Owner::new();
    owner.set();
    let options = RwSignal::new(initial);
    let demo_tester = StoredValue::new_local(tester);
    if let Some(controls) = controls {
        mount_to(
            controls,
            move || view! { <DemoControls options demo_tester/> },
        )
        .forget();
    }
    mount_to(host, move || {
        view! {
            {move || {
                let tester: SharedTester = Rc::new(demo_tester.get_value());
                view! { <MailSetup options=options.get() tester/> }
            }}
        }
    })
    .forget();
    std::mem::forget(owner);
}

/// "Language" and "Role" selects, as a host portal's own header would have them, and the
/// demo's "Connection check" outcome.
#[component]
fn DemoControls(
    options: RwSignal<Options>,
    demo_tester: StoredValue<DemoTester, LocalStorage>,
) -> impl IntoView {
    let remember = move || {
        let outcome = demo_tester.with_value(DemoTester::outcome);
        options.with_untracked(|options| remember_in_query(options, outcome));
    };
    let change = move |update: &dyn Fn(&mut Options)| {
        options.update(|options| update(options));
        remember();
    };
    view! {
        <div class="demo__controls">
            <label class="demo__control">
                "Language "
                <select
                    prop:value=move || options.with(|o| o.language.tag())
                    on:change=move |event| {
                        if let Some(language) = Language::from_tag(&event_target_value(&event)) {
                            change(&|options| options.language = language);
                        }
                    }
                >
                    {Language::ALL
                        .into_iter()
                        .map(|language| {
                            view! { <option value=language.tag()>{language.endonym()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="demo__control">
                "Role "
                <select
                    prop:value=move || options.with(|o| o.role.as_attribute())
                    on:change=move |event| {
                        if let Some(role) = Role::from_attribute(&event_target_value(&event)) {
                            change(&|options| options.role = role);
                        }
                    }
                >
                    <option value=Role::Admin.as_attribute()>"Super admin"</option>
                    <option value=Role::ReadOnly.as_attribute()>"Read-only user"</option>
                </select>
            </label>
            <label class="demo__control">
                "Connection check "
                <select
                    prop:value=demo_tester.with_value(|tester| tester.outcome().tag())
                    on:change=move |event| {
                        if let Some(outcome) = DemoOutcome::from_tag(&event_target_value(&event)) {
                            demo_tester.with_value(|tester| tester.set_outcome(outcome));
                            remember();
                        }
                    }
                >
                    {DemoOutcome::all()
                        .map(|outcome| {
                            view! { <option value=outcome.tag()>{outcome_label(outcome)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        </div>
    }
}

/// The demo page's (English-only) name of an outcome.
fn outcome_label(outcome: DemoOutcome) -> &'static str {
    use mailsetup::CheckStep as Step;
    match outcome {
        DemoOutcome::Succeed => "Succeed",
        DemoOutcome::FailAt(Step::ImapConnect) => "Fail at IMAP connect",
        DemoOutcome::FailAt(Step::ImapLogin) => "Fail at IMAP login",
        DemoOutcome::FailAt(Step::SmtpConnect) => "Fail at SMTP connect",
        DemoOutcome::FailAt(Step::SmtpLogin) => "Fail at SMTP login",
        DemoOutcome::FailAt(Step::SendTestEmail) => "Fail at sending the test e-mail",
        DemoOutcome::FailAt(Step::TestEmailArrived) => "Fail at receiving the test e-mail",
        DemoOutcome::FailAt(Step::ExchangeReach) => "Fail at reaching Exchange",
        DemoOutcome::FailAt(Step::ExchangeLogin) => "Fail at Exchange login",
    }
}

fn current_query() -> String {
    web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default()
}

/// The value of `name` in a query string such as `?lang=pl&role=admin`.
fn query_value(query: &str, name: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn remember_in_query(options: &Options, outcome: DemoOutcome) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let delay = query_value(&current_query(), "delay")
        .filter(|ms| ms.parse::<u32>().is_ok())
        .map(|ms| format!("&delay={ms}"))
        .unwrap_or_default();
    let url = format!(
        "?lang={}&role={}&outcome={}{delay}{hash}",
        options.language.tag(),
        options.role.as_attribute(),
        outcome.tag()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
