//! mailsetup: the admin panel where a company pre-configures, per e-mail domain, how its people
//! connect their inboxes (IMAP + SMTP servers, or an Exchange URL), as a Leptos component.
//!
//! Public surface: [`mount`] puts the component into an element of a host page, [`Options`]
//! says how it should behave, [`MailSetup`] is the root component for Leptos apps. The component
//! renders only inside the element it is given and never touches `<html>`, `<body>` or global
//! styles. Every rule about what is valid lives in `mailsetup-core`.

mod connect;
mod draft;
#[cfg(feature = "js-api")]
mod embed;
mod i18n;
mod state;
mod store;
mod ui;
mod uts46;

use std::time::Duration;

use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use web_sys::HtmlElement;

pub use connect::{
    Attempt, CheckNotRun, CheckStep, ConnectionTester, DemoOutcome, DemoTester, Password,
    RunFuture, SharedTester, StepFailure, StepFuture, StepResult, StepSink, step_by_step,
};
#[cfg(feature = "js-api")]
pub use embed::{MountHandle, mount_for_host};
pub use i18n::Language;
pub use store::remote::{RestConfig, RestCredentials, SendCookies};
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

/// Which parts of the component an instance shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum View {
    /// The settings panel and the allowlist, with the "Connect your inbox" flow beside them.
    #[default]
    All,
    /// The settings panel and the allowlist: an admin portal's page.
    Admin,
    /// Only the "Connect your inbox" flow: what a portal shows the person connecting.
    Connect,
    /// Only the IP addresses to allowlist: an IT help page.
    Allowlist,
}

impl View {
    /// Whether the settings panel shows.
    fn shows_panel(self) -> bool {
        matches!(self, View::All | View::Admin)
    }

    fn shows_allowlist(self) -> bool {
        matches!(self, View::All | View::Admin | View::Allowlist)
    }

    fn shows_connect(self) -> bool {
        matches!(self, View::All | View::Connect)
    }

    /// The attribute form: `all`, `admin`, `connect` or `allowlist`.
    pub fn as_attribute(self) -> &'static str {
        match self {
            View::All => "all",
            View::Admin => "admin",
            View::Connect => "connect",
            View::Allowlist => "allowlist",
        }
    }
}

/// Where an instance keeps the settings book.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Storage {
    /// The browser's `localStorage`, under keys that start with `prefix` (the book lives under
    /// `PREFIX:settings`), so several products or instances on one origin keep their data
    /// apart. Falls back to memory when the browser gives no storage.
    Local { prefix: String },
    /// Memory only: nothing is kept after the page goes (demos).
    Memory,
    /// A settings server (the reference one is `server/`): shared by everyone who signs in,
    /// refreshed when the page gets focus or becomes visible and after each save. Its client
    /// is downloaded only for an instance configured this way.
    Rest(RestConfig),
    /// A settings document published at this address (the JSON export), read-only: a static
    /// self-service page whose connect flow pre-fills from it. Read with the REST client's code.
    Published { url: String },
}

impl Default for Storage {
    fn default() -> Storage {
        Storage::Local {
            prefix: DEFAULT_STORAGE_PREFIX.to_owned(),
        }
    }
}

/// How an instance of the component behaves. Host pages set these through [`mount`] or, on the
/// standalone page, through `data-*` attributes of the host element (see [`Options::from_element`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The language of every string the component shows.
    pub language: Language,
    /// Whether the person may change the settings.
    pub role: Role,
    /// Which parts show.
    pub view: View,
    /// Where the settings book is kept.
    pub storage: Storage,
    /// The address of the person connecting, to pre-fill the first step of the connect flow
    /// (a portal knows it).
    pub email: Option<String>,
    /// The IP groups to show instead of the provider's lists (a host page's own).
    pub allowlist: Option<mailsetup_core::Allowlist>,
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
        let storage = element
            .get_attribute("data-storage-prefix")
            .map(|prefix| prefix.trim().to_owned())
            .filter(|prefix| !prefix.is_empty())
            .map(|prefix| Storage::Local { prefix })
            .unwrap_or_default();
        Options {
            language,
            role,
            storage,
            ..Options::default()
        }
    }
}

/// Told each time the stored settings get into trouble (the banners show the same).
pub type StorageListener = std::rc::Rc<dyn Fn(&state::StorageHealth, Language)>;

/// What the host page hears about, in Rust form (the JavaScript API's `ready`, `onChange` and
/// `onError` are built on it).
#[derive(Clone, Default)]
pub struct HostEvents {
    /// Called once the first screen is drawn.
    pub on_ready: Option<std::rc::Rc<dyn Fn()>>,
    /// Called after each saved change, with the book before and after it.
    pub on_saved: Option<state::SavedListener>,
    /// Called when the storage is refused, unreadable or written by a newer version.
    pub on_storage_problem: Option<StorageListener>,
    /// Called when the code of a part that loads on demand could not be fetched (the part says
    /// so to the person; asking again retries).
    pub on_fetch_failed: Option<std::rc::Rc<dyn Fn()>>,
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
    /// What "Connect" uses to check a connection. Without one, the settings server's check
    /// when the book is on one; else the flow says that this page cannot check a connection
    /// (the demo page gives the demo tester).
    #[prop(optional)]
    tester: Option<SharedTester>,
    /// What the host page is told.
    #[prop(optional)]
    events: Option<HostEvents>,
) -> impl IntoView {
    // The Polish text comes on demand (`i18n::polish`, fetched like any part: `ui::on_demand`):
    // a Polish instance draws once it is there, and in English if it cannot be fetched (the
    // console says why).
    let events = events.unwrap_or_default();
    provide_context(ui::on_demand::FetchFailures(StoredValue::new_local(
        events.on_fetch_failed.clone(),
    )));
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
    let events = StoredValue::new_local(events);
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
            view! { <MailSetupBody options tester=tester.get_value() events=events.get_value()/> }
        })
    }
}

/// The component in a language whose text is there.
#[component]
fn MailSetupBody(
    options: Options,
    tester: Option<SharedTester>,
    events: HostEvents,
) -> impl IntoView {
    // Before anything parses a name: stored settings are read just below.
    install_browser_uts46();
    let language = options.language;
    let view = options.view;
    let settings = state::Settings::open(language, options.role, &options.storage);
    provide_context(settings);
    // Another instance on this page saved the same book (the `storage` event below tells only
    // of other tabs).
    if let Some(saved) = settings.saved_event() {
        let listener = window_event_listener_untyped(&saved, move |_| settings.reload_if_changed());
        on_cleanup(move || listener.remove());
    }
    if let Some(listener) = events.on_saved {
        settings.on_saved(listener);
    }
    if let Some(listener) = events.on_storage_problem {
        Effect::new(move |_| {
            let health = settings.health().get();
            if !health.is_fine() {
                listener(&health, settings.language);
            }
        });
    }
    // On a server, edits made in other browsers appear when the person comes back to the page.
    if settings.on_server() {
        let focus = window_event_listener(leptos::ev::focus, move |_| settings.refresh_soon());
        let online = window_event_listener(leptos::ev::online, move |_| settings.refresh_soon());
        let visible = window_event_listener_untyped("visibilitychange", move |_| {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                settings.refresh_soon();
            }
        });
        on_cleanup(move || {
            focus.remove();
            online.remove();
            visible.remove();
        });
    }
    // Another tab or window of this site changed the settings: show them here too.
    let listener = window_event_listener(leptos::ev::storage, move |event| {
        let ours = event.key().is_none_or(|key| settings.watches(&key));
        if ours {
            settings.reload();
        }
    });
    on_cleanup(move || listener.remove());
    let read_whole = read_whole_before_anything_is_done(settings);
    // Effects first run once the view below is built and in the DOM: the first complete render.
    let on_ready = events.on_ready;
    Effect::new(move |_| {
        mark_ready();
        if let Some(on_ready) = &on_ready {
            on_ready();
        }
        if let Some(read_whole) = read_whole {
            read_whole_after_paint(read_whole);
        }
    });
    view! {
        <div
            class="ms-root"
            lang=language.tag()
            data-testid="mailsetup"
            data-role=options.role.as_attribute()
            data-view=view.as_attribute()
        >
            <div class="ms-layout">
                {(view.shows_panel() || view.shows_allowlist())
                    .then(|| {
                        view! {
                            <div class="ms-layout__admin">
                                {view.shows_panel().then(|| view! { <ui::settings_panel::SettingsPanel/> })}
                                {view.shows_allowlist().then(|| view! { <ui::allowlist::AllowlistSection language allowlist=options.allowlist.clone()/> })}
                            </div>
                        }
                    })}
                {view.shows_connect()
                    .then(|| {
                        // Without the panel, a book from elsewhere says here when it could not be read.
                        let remote = matches!(options.storage, Storage::Rest(_) | Storage::Published { .. });
                        view! {
                            <div class="ms-layout__connect">
                                {(remote && !view.shows_panel()).then(|| view! { <ui::storage_banner::StorageBanner/> })}
                                <connect::ConnectInbox tester email=options.email.clone()/>
                            </div>
                        }
                    })}
            </div>
        </div>
    }
}

/// Events that start anything a person does. A big stored book shows its first page before it
/// is read whole: the first of these (in the capture phase, before any handler of the
/// component) reads it whole, so no action ever sees only the first page.
const FIRST_ACTIONS: [&str; 6] = [
    "pointerdown",
    "keydown",
    "focusin",
    "click",
    "input",
    "drop",
];

/// While a big stored book shows only its first page: listens for [`FIRST_ACTIONS`] until the
/// book is read whole, by them or by [`read_whole_after_paint`].
fn read_whole_before_anything_is_done(settings: state::Settings) -> Option<ReadWhole> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    if !settings.reads_later() {
        return None;
    }
    let listener = StoredValue::new_local(None::<Closure<dyn Fn()>>);
    let read_whole = ReadWhole { settings, listener };
    let finish = Closure::<dyn Fn()>::new(move || read_whole.now());
    for event in FIRST_ACTIONS {
        let _ = window().add_event_listener_with_callback_and_bool(
            event,
            finish.as_ref().unchecked_ref(),
            true,
        );
    }
    listener.set_value(Some(finish));
    on_cleanup(move || read_whole.stop_listening());
    Some(read_whole)
}

/// Reads a big stored book whole, once, and stops listening for the first action.
#[derive(Clone, Copy)]
struct ReadWhole {
    settings: state::Settings,
    listener: StoredValue<Option<wasm_bindgen::closure::Closure<dyn Fn()>>, LocalStorage>,
}

impl ReadWhole {
    fn now(self) {
        self.settings.finish_reading();
        self.stop_listening();
    }

    fn stop_listening(self) {
        use wasm_bindgen::JsCast;
        // Removed, not dropped: this may run inside the listener itself.
        self.listener.try_with_value(|listener| {
            if let Some(listener) = listener {
                for event in FIRST_ACTIONS {
                    let _ = window().remove_event_listener_with_callback_and_bool(
                        event,
                        listener.as_ref().unchecked_ref(),
                        true,
                    );
                }
            }
        });
    }
}

/// Reads a big stored book whole in the task after its first page is painted, so that page
/// shows as soon as it can; a page in a background tab, which paints nothing, reads it a
/// moment later.
fn read_whole_after_paint(read_whole: ReadWhole) {
    request_animation_frame(move || set_timeout(move || read_whole.now(), Duration::ZERO));
    set_timeout(move || read_whole.now(), Duration::from_millis(250));
}

/// Sets [`READY_MARK`] on the page's performance timeline, when the browser has one.
fn mark_ready() {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(READY_MARK);
    }
}
