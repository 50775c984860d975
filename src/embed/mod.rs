//! The JavaScript API: `mount(element, options)` puts an instance into a host page's element
//! and returns a [`MountHandle`] with `ready` (a promise of the first drawn screen),
//! `update(partial)` and `unmount()`. Options are a plain object (`options`), checked key by
//! key; a saved change reaches the host's `onChange` (`saved_change`).
//!
//! Owns: turning JavaScript values into the component's Rust types and back, and the life of a
//! mounted instance. Must not: render anything itself (the root component does) or hold any
//! rule about settings (core does).

mod host_tester;
mod keys;
mod options;
mod saved_change;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::i18n::{Language, storage};
use crate::state::StorageHealth;
use crate::ui::carryover::Carryover;
use crate::{HostEvents, MailSetup, Options, Role, Storage};
use options::{HostOptions, OptionsError};
use saved_change::{SavedChange, saved_change};

thread_local! {
    /// The elements an instance is mounted in now: a second mount into one is refused.
    static MOUNTED_IN: RefCell<Vec<HtmlElement>> = const { RefCell::new(Vec::new()) };
}

/// A mounted instance, as the host page holds it.
#[wasm_bindgen]
pub struct MountHandle {
    element: HtmlElement,
    /// What the instance shows; `update` changes it.
    options: RwSignal<Options>,
    /// What open dialogs hold, kept across the redraw an `update` causes.
    carryover: Carryover,
    /// Owns `options`: lives as long as the instance.
    owner: Owner,
    mounted: Option<UnmountHandle<AnyViewState>>,
    ready: Promise,
}

#[wasm_bindgen]
impl MountHandle {
    /// Resolves when the first screen is drawn.
    #[wasm_bindgen(getter)]
    pub fn ready(&self) -> Promise {
        self.ready.clone()
    }

    /// Removes every node, listener and timer the instance added; the element is left as it
    /// was found. Calling it again does nothing.
    pub fn unmount(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            drop(mounted);
            self.owner.cleanup();
            MOUNTED_IN.with(|mounted| {
                mounted
                    .borrow_mut()
                    .retain(|element| !Object::is(element, &self.element))
            });
        }
    }

    /// Changes `view`, `role`, `locale`, `email` or `allowlist` (the other options are read
    /// once, at mount). A bad key or value throws a `TypeError` and changes nothing.
    pub fn update(&mut self, partial: JsValue) -> Result<(), JsValue> {
        if self.mounted.is_none() {
            return Err(js_sys::Error::new("mailsetup: this instance was unmounted").into());
        }
        let asked = options::read(&partial).map_err(OptionsError::into_type_error)?;
        // A REST storage at the same address may come again with new credentials (the person
        // signed in again): the instance redraws with them, open drafts kept.
        let renewal = match &asked.storage {
            Some(Storage::Rest(config)) => self.options.with_untracked(|options| {
                matches!(&options.storage, Storage::Rest(current) if current.base_url == config.base_url)
            }),
            _ => false,
        };
        if (asked.storage.is_some() && !renewal)
            || asked.on_change.is_some()
            || asked.on_error.is_some()
            || asked.test_connection.is_some()
        {
            return Err(OptionsError(
                "mailsetup: update() changes view, role, locale, email, allowlist and the credentials \
                 of a REST storage (same type and baseUrl); storage otherwise and the functions \
                 are read once, at mount: unmount and mount again to change them"
                    .into(),
            )
            .into_type_error());
        }
        // The component is drawn anew with the new options: open dialogs and their drafts go
        // on in the new drawing, except that read-only closes them, saving nothing.
        let to_read_only = asked.role == Some(Role::ReadOnly)
            && self
                .options
                .with_untracked(|options| options.role != Role::ReadOnly);
        self.carryover.forget();
        if !to_read_only {
            self.carryover.capture();
        }
        self.options.update(|options| {
            apply(options, &asked);
            if let Some(storage) = asked.storage.clone().filter(|_| renewal) {
                options.storage = storage;
            }
        });
        Ok(())
    }
}

impl Drop for MountHandle {
    /// JavaScript frees a handle the host let go of (wasm-bindgen's finaliser), often without
    /// `unmount()`: a host that ignores `mount`'s result still expects the component to stay.
    /// So an instance outlives its handle, as the Rust `Mounted::forget` does.
    fn drop(&mut self) {
        if let Some(mounted) = self.mounted.take() {
            mounted.forget();
            std::mem::forget(self.owner.clone());
        }
    }
}

/// Mounts an instance into `element`. Throws a `TypeError` for options it cannot use, and an
/// `Error` when `element` is not an element in the document or already holds an instance.
#[wasm_bindgen(js_name = mount)]
pub fn mount_for_host(element: JsValue, options: JsValue) -> Result<MountHandle, JsValue> {
    let element: HtmlElement = element.dyn_into().map_err(|_| {
        OptionsError("mailsetup: mount() needs an HTML element to render into".into())
            .into_type_error()
    })?;
    if !element.is_connected() {
        return Err(js_sys::Error::new(
            "mailsetup: the element is not in the document; add it to the page, then mount",
        )
        .into());
    }
    let taken = MOUNTED_IN.with(|mounted| {
        mounted
            .borrow()
            .iter()
            .any(|other| Object::is(other, &element))
    });
    if taken {
        return Err(js_sys::Error::new(
            "mailsetup: this element already holds an instance; unmount it first",
        )
        .into());
    }
    let asked = options::read(&options).map_err(OptionsError::into_type_error)?;
    let mut initial = Options::default();
    apply(&mut initial, &asked);
    if let Some(storage) = asked.storage.clone() {
        initial.storage = storage;
    }

    let mut resolve_ready = None;
    let ready = Promise::new(&mut |resolve, _reject| resolve_ready = Some(resolve));
    let events = HostEvents {
        on_ready: resolve_ready.map(|resolve| {
            Rc::new(move || {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }) as Rc<dyn Fn()>
        }),
        on_saved: asked.on_change.map(|on_change| {
            Rc::new(move |applied: &_| tell(&on_change, &saved_change(applied)))
                as crate::state::SavedListener
        }),
        on_fetch_failed: asked.on_error.clone().map(|on_error| {
            Rc::new(move || {
                tell_error(
                    &on_error,
                    "fetch-failed",
                    "mailsetup: a part of the component could not be downloaded; it is tried \
                     again when it is next needed",
                );
            }) as Rc<dyn Fn()>
        }),
        on_storage_problem: asked.on_error.map(|on_error| {
            Rc::new(move |health: &StorageHealth, language| {
                if let Some((code, message)) = storage_problem(health, language) {
                    tell_error(&on_error, code, &message);
                }
            }) as crate::StorageListener
        }),
    };
    let tester = asked
        .test_connection
        .map(|test| Rc::new(host_tester::HostTester::new(test)) as crate::SharedTester);

    let owner = Owner::new();
    let (signal, carryover) = owner.with(|| (RwSignal::new(initial), Carryover::new()));
    let mounted = mount_to(element.clone(), move || {
        provide_context(carryover);
        let events = StoredValue::new_local(events);
        let tester = StoredValue::new_local(tester);
        view! {
            {move || match tester.get_value() {
                Some(tester) => {
                    view! { <MailSetup options=signal.get() tester events=events.get_value()/> }
                        .into_any()
                }
                None => view! { <MailSetup options=signal.get() events=events.get_value()/> }.into_any(),
            }}
        }
        .into_any()
    });
    MOUNTED_IN.with(|mounted| mounted.borrow_mut().push(element.clone()));
    Ok(MountHandle {
        element,
        options: signal,
        carryover,
        owner,
        mounted: Some(mounted),
        ready,
    })
}

/// Applies what the host asked for to `options`.
fn apply(options: &mut Options, asked: &HostOptions) {
    if let Some(view) = asked.view {
        options.view = view;
    }
    if let Some(role) = asked.role {
        options.role = role;
    }
    if let Some(language) = asked.language {
        options.language = language;
    }
    if let Some(email) = &asked.email {
        options.email = email.clone();
    }
    if let Some(allowlist) = &asked.allowlist {
        options.allowlist = allowlist.clone();
    }
}

/// Calls the host's `onChange` with `{ action, domain, previousDomain?, settings? }`. A host
/// function that throws is the host's problem: the change is saved either way.
fn tell(on_change: &Function, change: &SavedChange) {
    let detail = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&detail, &JsValue::from_str(key), &value);
    };
    set("action", change.action.as_str().into());
    set("domain", change.domain.as_str().into());
    if let Some(previous) = &change.previous_domain {
        set("previousDomain", previous.as_str().into());
    }
    if let Some(settings) = change
        .settings_json
        .as_deref()
        .and_then(|json| js_sys::JSON::parse(json).ok())
    {
        set("settings", settings);
    }
    let _ = on_change.call1(&JsValue::UNDEFINED, &detail);
}

/// The code and sentence `onError` gets for a storage problem (the banner's words).
fn storage_problem(health: &StorageHealth, language: Language) -> Option<(&'static str, String)> {
    let texts = storage::texts(language);
    match health {
        StorageHealth::MemoryOnly => Some(("storage-unavailable", texts.memory_only.into())),
        StorageHealth::Unreadable(_) => Some(("storage-unreadable", texts.unreadable_title.into())),
        StorageHealth::Newer { found } => Some(("storage-newer", (texts.newer)(*found))),
        // For the host's developers; the person reads the banner, in their language.
        StorageHealth::ServerUnreachable => Some((
            "server-unreachable",
            "mailsetup: the settings server did not answer".into(),
        )),
        StorageHealth::SignedOut => Some((
            "unauthenticated",
            "mailsetup: the server answered 401: sign the person in again, then pass the new \
             credentials with update({ storage })"
                .into(),
        )),
        StorageHealth::Forbidden => Some((
            "forbidden",
            "mailsetup: the server answered 403 to reading the settings".into(),
        )),
        StorageHealth::ServerMisconfigured(detail) => {
            Some(("server-misconfigured", format!("mailsetup: {detail}")))
        }
        StorageHealth::PublishedUnavailable(detail) => Some((
            "published-unavailable",
            format!("mailsetup: the published settings could not be read ({detail})"),
        )),
        StorageHealth::Persistent
        | StorageHealth::MemoryByChoice
        | StorageHealth::Connecting
        | StorageHealth::Server
        | StorageHealth::Published => None,
    }
}

/// Calls the host's `onError` with `{ code, message }`.
fn tell_error(on_error: &Function, code: &str, message: &str) {
    let error = Object::new();
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    let _ = Reflect::set(&error, &"message".into(), &message.into());
    let _ = on_error.call1(&JsValue::UNDEFINED, &error);
}
