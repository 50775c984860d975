//! mailsetup: the admin panel where a company pre-configures, per e-mail domain, how its people
//! connect their inboxes (IMAP + SMTP servers, or an Exchange URL), as a Leptos component.
//!
//! Public surface: [`mount`] puts the component into an element of a host page, [`Options`]
//! says how it should behave, [`MailSetup`] is the root component for Leptos apps. The component
//! renders only inside the element it is given and never touches `<html>`, `<body>` or global
//! styles. Every rule about what is valid lives in `mailsetup-core`.

mod connect;
mod draft;
mod i18n;
mod state;
mod store;
mod ui;
mod uts46;

use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use web_sys::HtmlElement;

pub use connect::{
    Attempt, CheckStep, ConnectionTester, DemoOutcome, DemoTester, Password, SharedTester,
    StepFailure, StepFuture, StepResult,
};
pub use i18n::Language;
pub use uts46::install_browser_uts46;

/// What the person using the panel may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// A super admin or a user with Account Access: may add, edit and delete settings.
    #[default]
    Admin,
    /// Anyone else: sees the settings and the allowlist, changes nothing.
    ReadOnly,
}

impl Role {
    /// Reads `admin` or `read-only` (as in `data-role`).
    pub fn from_attribute(value: &str) -> Option<Role> {
        match value.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "read-only" | "readonly" => Some(Role::ReadOnly),
            _ => None,
        }
    }

    /// The attribute form: `admin` or `read-only`.
    pub fn as_attribute(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ReadOnly => "read-only",
        }
    }

    pub fn can_edit(self) -> bool {
        self == Role::Admin
    }
}

/// The `performance.mark` the component sets when its first complete render is done (panel,
/// stored rows and allowlist in the DOM): what `cargo xtask bench` measures start-up against.
pub const READY_MARK: &str = "mailsetup:ready";

/// The storage key prefix used when a host page sets none.
pub const DEFAULT_STORAGE_PREFIX: &str = "mailsetup";

/// How an instance of the component behaves. Host pages set these through [`mount`] or, on the
/// standalone page, through `data-*` attributes of the host element (see [`Options::from_element`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The language of every string the component shows.
    pub language: Language,
    /// Whether the person may change the settings.
    pub role: Role,
    /// Prefix of the browser-storage keys, so several products (or instances) on one origin
    /// keep their data apart. The book lives under `PREFIX:settings`.
    pub storage_prefix: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            language: Language::default(),
            role: Role::default(),
            storage_prefix: DEFAULT_STORAGE_PREFIX.to_owned(),
        }
    }
}

impl Options {
    /// Reads options from a host element: `data-lang="pl"` (falls back to the element's own
    /// `lang`, then English), `data-role="read-only"`, `data-storage-prefix="acme-mail"`.
    /// Unknown values fall back to the defaults rather than failing.
    pub fn from_element(element: &web_sys::Element) -> Options {
        let language = element
            .get_attribute("data-lang")
            .or_else(|| element.get_attribute("lang"))
            .and_then(|tag| Language::from_tag(&tag))
            .unwrap_or_default();
        let role = element
            .get_attribute("data-role")
            .and_then(|value| Role::from_attribute(&value))
            .unwrap_or_default();
        let storage_prefix = element
            .get_attribute("data-storage-prefix")
            .map(|prefix| prefix.trim().to_owned())
            .filter(|prefix| !prefix.is_empty())
            .unwrap_or_else(|| DEFAULT_STORAGE_PREFIX.to_owned());
        Options {
            language,
            role,
            storage_prefix,
        }
    }
}

/// A mounted instance. Dropping it removes the component from the page; call
/// [`Mounted::forget`] to keep it for the life of the page.
pub struct Mounted {
    handle: UnmountHandle<AnyViewState>,
}

impl Mounted {
    /// Keeps the component mounted for the rest of the page's life.
    pub fn forget(self) {
        self.handle.forget();
    }
}

/// Mounts the component inside `element`.
pub fn mount(element: HtmlElement, options: Options) -> Mounted {
    let handle = mount_to(element, move || view! { <MailSetup options/> }.into_any());
    Mounted { handle }
}

/// The root component: the admin's settings panel and allowlist, and beside them the
/// "Connect your inbox" flow, in the language of `options`.
#[component]
pub fn MailSetup(
    /// How this instance behaves.
    options: Options,
    /// What "Connect" uses to check a connection; the demo tester when not given.
    #[prop(optional)]
    tester: Option<SharedTester>,
) -> impl IntoView {
    // The Polish text comes on demand (`i18n::polish`, fetched like any part: `ui::on_demand`):
    // a Polish instance draws once it is there, and in English if it cannot be fetched (the
    // console says why).
    let wanted = options.language;
    let polish = ui::on_demand::PartCode::new();
    let english_instead = RwSignal::new(false);
    if wanted == Language::Polish {
        polish.want(i18n::polish::fetch, move || {
            web_sys::console::warn_1(
                &"mailsetup: the Polish text could not be fetched; showing English".into(),
            );
            english_instead.set(true);
        });
    }
    let tester = StoredValue::new_local(tester);
    move || {
        let language = if wanted == Language::English || english_instead.get() {
            Some(Language::English)
        } else {
            polish.here().then_some(Language::Polish)
        };
        language.map(|language| {
            let options = Options {
                language,
                ..options.clone()
            };
            view! { <MailSetupBody options tester=tester.get_value()/> }
        })
    }
}

/// The component in a language whose text is there.
#[component]
fn MailSetupBody(options: Options, tester: Option<SharedTester>) -> impl IntoView {
    // Before anything parses a name: stored settings are read just below.
    install_browser_uts46();
    let tester = tester.unwrap_or_else(|| std::rc::Rc::new(DemoTester::default()));
    let language = options.language;
    let settings = state::Settings::open(language, options.role, &options.storage_prefix);
    provide_context(settings);
    // Another tab or window of this site changed the settings: show them here too.
    let listener = window_event_listener(leptos::ev::storage, move |event| {
        let ours = event.key().is_none_or(|key| settings.watches(&key));
        if ours {
            settings.reload();
        }
    });
    on_cleanup(move || listener.remove());
    // Effects first run once the view below is built and in the DOM: the first complete render.
    Effect::new(move |_| mark_ready());
    view! {
        <div
            class="ms-root"
            lang=language.tag()
            data-testid="mailsetup"
            data-role=options.role.as_attribute()
        >
            <div class="ms-layout">
                <div class="ms-layout__admin">
                    <ui::settings_panel::SettingsPanel/>
                    <ui::allowlist::AllowlistSection language/>
                </div>
                <div class="ms-layout__connect">
                    <connect::ConnectInbox tester/>
                </div>
            </div>
        </div>
    }
}

/// Sets [`READY_MARK`] on the page's performance timeline, when the browser has one.
fn mark_ready() {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(READY_MARK);
    }
}
