//! The standalone demo page around the component: the switchers a host portal would own
//! (language and role), kept outside the component's own element. A change remounts the
//! component with new options, exactly as a host page would; the choice is kept in the page's
//! query string (`?lang=pl&role=read-only`), so a reload or a shared link shows the same thing.
//!
//! Belongs to the Trunk binary only; the library knows nothing about it.

use leptos::mount::mount_to;
use leptos::prelude::*;
use mailsetup::{Language, MailSetup, Options, Role};
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
    let owner = Owner::new();
    owner.set();
    let options = RwSignal::new(initial);
    if let Some(controls) = controls {
        mount_to(controls, move || view! { <DemoControls options/> }).forget();
    }
    mount_to(host, move || {
        view! { {move || view! { <MailSetup options=options.get()/> }} }
    })
    .forget();
    std::mem::forget(owner);
}

/// "Language" and "Role" selects, as a host portal's own header would have them.
#[component]
fn DemoControls(options: RwSignal<Options>) -> impl IntoView {
    let change = move |update: &dyn Fn(&mut Options)| {
        options.update(|options| update(options));
        let options = options.get_untracked();
        remember_in_query(&options);
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
        </div>
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

fn remember_in_query(options: &Options) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    let url = format!(
        "?lang={}&role={}{hash}",
        options.language.tag(),
        options.role.as_attribute()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
