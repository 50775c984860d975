//! The table of configured domains: one row per domain with its type, servers, badges, last
//! update and (for admins) edit and delete buttons.
//!
//! Owns: how an entry is summarised for people, and the table markup (it becomes a list of
//! cards on narrow screens through CSS). Must not: filter, page or change the book; the panel
//! passes in only the rows in view.

use leptos::prelude::*;
use mailsetup_core::{Connection, ConnectionKind, Domain, Endpoint, Entry, Host};
use wasm_bindgen::JsValue;

use crate::i18n::{Language, panel};
use crate::state::Settings;
use crate::ui::settings_panel::edit_button_id;

/// What the table shows of one entry. Built for every entry (the filter searches it), so it
/// holds only cheap, already formatted text; the date is formatted when a row is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub domain: Domain,
    pub unicode: String,
    pub kind: ConnectionKind,
    pub servers: String,
    pub insecure: bool,
    pub subdomains: bool,
    pub updated_ms: i64,
    pub revision: u64,
    /// Lowercase text the filter searches: both forms of the domain and the servers.
    pub haystack: String,
}

impl Row {
    pub fn from_entry(entry: &Entry) -> Row {
        let unicode = entry.domain().to_unicode();
        let servers = server_summary(entry.connection());
        let haystack = format!("{unicode} {} {servers}", entry.domain().as_ascii()).to_lowercase();
        Row {
            domain: entry.domain().clone(),
            unicode,
            kind: entry.kind(),
            insecure: matches!(entry.connection(), Connection::Imap(imap) if imap.allow_insecure_certificates),
            servers,
            subdomains: entry.include_subdomains(),
            updated_ms: entry.updated_at().as_unix_ms(),
            revision: entry.revision(),
            haystack,
        }
    }

    /// The ASCII (punycode) form, when it differs from what people read.
    pub fn ascii(&self) -> Option<&str> {
        self.domain
            .is_internationalized()
            .then(|| self.domain.as_ascii())
    }
}

/// `imap.example.com:993 SSL/TLS · smtp.example.com:587 STARTTLS`, or the Exchange URL.
pub fn server_summary(connection: &Connection) -> String {
    match connection {
        Connection::Imap(imap) => format!(
            "{} · {}",
            endpoint_summary(&imap.incoming),
            endpoint_summary(&imap.outgoing)
        ),
        Connection::Exchange(exchange) => exchange.url.to_string(),
    }
}

fn endpoint_summary(endpoint: &Endpoint) -> String {
    format!(
        "{}:{} {}",
        host_for_people(&endpoint.host),
        endpoint.port,
        endpoint.security
    )
}

fn host_for_people(host: &Host) -> String {
    if host.is_ip_address() {
        host.uri_host()
    } else {
        host.to_unicode()
    }
}

/// Formats dates and times in the person's language, e.g. "28 Nov 2026, 15:04". One
/// `Intl.DateTimeFormat` per table: `Date.toLocaleString` with options builds a new formatter
/// on every call, for every row drawn (measured in `cargo xtask bench`).
#[derive(Clone)]
struct TimeFormat(js_sys::Function);

impl TimeFormat {
    fn new(language: Language) -> TimeFormat {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
        let locales = js_sys::Array::of1(&language.tag().into());
        TimeFormat(js_sys::Intl::DateTimeFormat::new(&locales, &options).format())
    }

    fn format(&self, unix_ms: i64) -> String {
        let date = js_sys::Date::new(&JsValue::from_f64(unix_ms as f64));
        self.0
            .call1(&JsValue::UNDEFINED, &date)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }
}

/// The table. Rows arrive already filtered and paged.
#[component]
pub fn DomainTable(
    /// The rows in view.
    #[prop(into)]
    rows: Signal<Vec<Row>>,
    /// Whether to show the edit and delete buttons.
    can_edit: Signal<bool>,
    /// The pencil button of a row.
    on_edit: Callback<Domain>,
    /// The delete button of a row.
    on_delete: Callback<Domain>,
    /// The language of the table.
    language: Language,
) -> impl IntoView {
    let texts = panel::texts(language);
    let settings = expect_context::<Settings>();
    let time_format = StoredValue::new_local(TimeFormat::new(language));
    view! {
        <table class="ms-table">
            <thead>
                <tr>
                    <th scope="col">{texts.column_domain}</th>
                    <th scope="col">{texts.column_type}</th>
                    <th scope="col">{texts.column_servers}</th>
                    <th scope="col">{texts.column_updated}</th>
                    <Show when=move || can_edit.get()>
                        <th scope="col" class="ms-table__actions">
                            <span class="ms-visually-hidden">{texts.column_actions}</span>
                        </th>
                    </Show>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || rows.get()
                    key=|row| (row.domain.clone(), row.revision)
                    children=move |row| {
                        let kind = match row.kind {
                            ConnectionKind::Imap => texts.kind_imap,
                            ConnectionKind::Exchange => texts.kind_exchange,
                        };
                        let ascii = row.ascii().map(str::to_owned);
                        let ascii_title = ascii.clone();
                        let edit_domain = row.domain.clone();
                        let delete_domain = row.domain.clone();
                        let edit_label = (texts.edit_label)(&row.unicode);
                        let edit_id = edit_button_id(settings, &row.domain);
                        let delete_label = (texts.delete_label)(&row.unicode);
                        view! {
                            <tr data-testid="domain-row">
                                <th scope="row" class="ms-table__domain" title=ascii_title>
                                    <span class="ms-table__domain-name">{row.unicode.clone()}</span>
                                    {ascii
                                        .map(|ascii| {
                                            view! { <span class="ms-secondary">{ascii}</span> }
                                        })}
                                </th>
                                <td data-label=texts.column_type>
                                    <span class="ms-kind" class:ms-kind--exchange=row.kind == ConnectionKind::Exchange>
                                        {kind}
                                    </span>
                                </td>
                                <td data-label=texts.column_servers class="ms-table__servers">
                                    <span class="ms-mono">{row.servers.clone()}</span>
                                    <span class="ms-badges">
                                        {row
                                            .insecure
                                            .then(|| {
                                                view! {
                                                    <span class="ms-badge ms-badge--warning">
                                                        {texts.insecure_badge}
                                                    </span>
                                                }
                                            })}
                                        {row
                                            .subdomains
                                            .then(|| {
                                                view! { <span class="ms-badge">{texts.subdomains_badge}</span> }
                                            })}
                                    </span>
                                </td>
                                <td data-label=texts.column_updated class="ms-table__updated">
                                    {time_format.with_value(|format| format.format(row.updated_ms))}
                                </td>
                                <Show when=move || can_edit.get()>
                                    <td class="ms-table__actions">
                                        <button
                                            type="button"
                                            class="ms-icon-button"
                                            id=edit_id.clone()
                                            aria-label=edit_label.clone()
                                            title=edit_label.clone()
                                            on:click={
                                                let domain = edit_domain.clone();
                                                move |_| on_edit.run(domain.clone())
                                            }
                                        >
                                            <svg viewBox="0 0 16 16" aria-hidden="true" class="ms-icon">
                                                <path d="M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z"></path>
                                            </svg>
                                        </button>
                                        <button
                                            type="button"
                                            class="ms-icon-button ms-icon-button--danger"
                                            aria-label=delete_label.clone()
                                            title=delete_label.clone()
                                            on:click={
                                                let domain = delete_domain.clone();
                                                move |_| on_delete.run(domain.clone())
                                            }
                                        >
                                            <svg viewBox="0 0 16 16" aria-hidden="true" class="ms-icon">
                                                <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5"></path>
                                            </svg>
                                        </button>
                                    </td>
                                </Show>
                            </tr>
                        }
                    }
                />
            </tbody>
        </table>
    }
}
