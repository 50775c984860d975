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
use crate::state::{PAGE_SIZE, Settings};
use crate::ui::settings_panel::edit_button_id;

/// What the table shows of one entry. Built only for the rows in view.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub domain: Domain,
    pub unicode: String,
    pub kind: ConnectionKind,
    pub servers: String,
    pub insecure: bool,
    pub subdomains: bool,
    pub updated_ms: i64,
    /// Not shown: makes two rows equal only when they show the same version of the entry.
    pub revision: u64,
}

impl Row {
    pub fn from_entry(entry: &Entry) -> Row {
        Row {
            domain: entry.domain().clone(),
            unicode: entry.domain().to_unicode(),
            kind: entry.kind(),
            insecure: entry
                .connection()
                .certificate_trust()
                .allows_any_certificate(),
            servers: server_summary(entry.connection()),
            subdomains: entry.include_subdomains(),
            updated_ms: entry.updated_at().as_unix_ms(),
            revision: entry.revision(),
        }
    }

    /// The ASCII (punycode) form, when it differs from what people read.
    pub fn ascii(&self) -> Option<&str> {
        self.domain
            .is_internationalized()
            .then(|| self.domain.as_ascii())
    }
}

/// The rows of the entries at `positions` (ascending) of `entries`, in that order. Stops after
/// the last position: the first page of a 10,000-domain book reads 50 entries, not 10,000.
pub fn rows_at<'a>(entries: impl Iterator<Item = &'a Entry>, positions: &[usize]) -> Vec<Row> {
    let mut rows = Vec::with_capacity(positions.len());
    let mut wanted = positions.iter().copied().peekable();
    for (position, entry) in entries.enumerate() {
        let Some(&next) = wanted.peek() else {
            break;
        };
        if position == next {
            rows.push(Row::from_entry(entry));
            wanted.next();
        }
    }
    rows
}

/// Lowercase text the filter searches for an entry: both forms of the domain and the servers,
/// as the table shows them.
pub fn filter_text(entry: &Entry) -> String {
    format!(
        "{} {} {}",
        entry.domain().to_unicode(),
        entry.domain().as_ascii(),
        server_summary(entry.connection())
    )
    .to_lowercase()
}

/// `imap.example.com:993 SSL/TLS · smtp.example.com:587 STARTTLS`, or the Exchange URL.
pub fn server_summary(connection: &Connection) -> String {
    server_lines(connection).join(" · ")
}

/// Each server of `connection`, as [`server_summary`] shows them: IMAP then SMTP, or the
/// Exchange URL.
pub fn server_lines(connection: &Connection) -> Vec<String> {
    match connection {
        Connection::Imap(imap) => vec![
            endpoint_summary(&imap.incoming),
            endpoint_summary(&imap.outgoing),
        ],
        Connection::Exchange(exchange) => vec![exchange.url.to_string()],
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
pub struct TimeFormat(js_sys::Function);

impl TimeFormat {
    pub fn new(language: Language) -> TimeFormat {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
        let locales = js_sys::Array::of1(&language.tag().into());
        TimeFormat(js_sys::Intl::DateTimeFormat::new(&locales, &options).format())
    }

    pub fn format(&self, unix_ms: i64) -> String {
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
    /// The rows in view: a page, at most [`PAGE_SIZE`].
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
        <div class="ms-table-frame">
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
                    // One slot per row of a page, updated in place by position rather than keyed
                    // by domain with `<For>` (the keyed diff cost 4.9 KB gzip of the download). A
                    // slot is drawn again only when its own row changes (its memo compares), so a
                    // save redraws one row, not 50: a redrawn row loses and gets back every
                    // attribute of its elements, as with `erase_components` they are one erased
                    // list, which tachys rebuilds by removing them all.
                    // The buttons' cell is a plain `Option`, not a `<Show>` per row: a `<Show>` is
                    // new on every redraw, so each filter keystroke and save replaced 50 cells.
                    {(0..PAGE_SIZE)
                        .map(|slot| {
                            let row = Memo::new(move |_| rows.with(|rows| rows.get(slot).cloned()));
                            move || {
                                let editable = can_edit.get();
                                row.get().map(|row| {
                                    let kind = match row.kind {
                                        ConnectionKind::Imap => texts.kind_imap,
                                        ConnectionKind::Exchange => texts.kind_exchange,
                                    };
                                    let ascii = row.ascii().map(str::to_owned);
                                    let ascii_title = ascii.clone();
                                    let buttons = editable.then(|| {
                                        view! {
                                            <td class="ms-table__actions">
                                                {row_button(
                                                    "ms-icon-button",
                                                    Some(edit_button_id(settings, &row.domain)),
                                                    (texts.edit_label)(&row.unicode),
                                                    EDIT_ICON,
                                                    row.domain.clone(),
                                                    on_edit,
                                                )}
                                                {row_button(
                                                    "ms-icon-button ms-icon-button--danger",
                                                    None,
                                                    (texts.delete_label)(&row.unicode),
                                                    DELETE_ICON,
                                                    row.domain.clone(),
                                                    on_delete,
                                                )}
                                            </td>
                                        }
                                    });
                                    view! {
                                        <tr data-testid="domain-row">
                                            <th scope="row" class="ms-table__domain" title=ascii_title>
                                                <span class="ms-table__domain-name">{row.unicode}</span>
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
                                                <span class="ms-mono">{row.servers}</span>
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
                                            {buttons}
                                        </tr>
                                    }
                                })
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The pencil of a row's edit button, and the bin of its delete button.
const EDIT_ICON: &str = "M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z";
const DELETE_ICON: &str = "M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5";

/// One of a row's icon buttons, for `domain`; its label is also its tooltip.
fn row_button(
    class: &'static str,
    id: Option<String>,
    label: String,
    icon: &'static str,
    domain: Domain,
    on_click: Callback<Domain>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            id=id
            aria-label=label.clone()
            title=label
            on:click=move |_| on_click.run(domain.clone())
        >
            <svg viewBox="0 0 16 16" aria-hidden="true" class="ms-icon">
                <path d=icon></path>
            </svg>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsetup_core::{
        EntryDraft, ExchangeSettings, ExchangeUrl, ImapSettings, Port, Security, SettingsBook,
        Timestamp,
    };

    fn book() -> SettingsBook {
        let now = Timestamp::from_unix_ms(1_764_000_000_000);
        let mut book = SettingsBook::new();
        // ASCII only: native tests have no UTS #46 mapping (the browser gives it).
        for name in ["b.example", "a.example", "c.example", "d.example"] {
            let domain = Domain::parse(name).expect("a domain");
            let connection = if name == "d.example" {
                Connection::Exchange(ExchangeSettings::verified(
                    ExchangeUrl::parse("https://Mail.D.example/EWS/Exchange.asmx").expect("a URL"),
                ))
            } else {
                let endpoint = |host: &str, port: u16| Endpoint {
                    host: Host::parse(host).expect("a host"),
                    port: Port::new(port).expect("a port"),
                    security: Security::SslTls,
                };
                Connection::Imap(ImapSettings {
                    incoming: endpoint(&format!("IMAP.{name}"), 993),
                    outgoing: endpoint(&format!("smtp.{name}"), 465),
                    certificate_trust: mailsetup_core::CertificateTrust::from_insecure_flag(
                        name == "a.example",
                    ),
                    username: mailsetup_core::UsernameForm::EmailAddress,
                })
            };
            let draft = EntryDraft {
                domain,
                connection,
                include_subdomains: false,
            };
            book.add(draft, now).expect("a new domain");
        }
        book
    }

    #[test]
    fn rows_are_built_for_the_positions_asked_for_in_book_order() {
        let book = book();
        let domains =
            |rows: Vec<Row>| -> Vec<String> { rows.into_iter().map(|row| row.unicode).collect() };
        assert_eq!(
            domains(rows_at(book.iter(), &[0, 2])),
            ["a.example", "c.example"]
        );
        assert_eq!(domains(rows_at(book.iter(), &[3])), ["d.example"]);
        assert!(rows_at(book.iter(), &[]).is_empty());
        assert!(rows_at(book.iter(), &[9]).is_empty());
        let first = &rows_at(book.iter(), &[0])[0];
        assert!(first.insecure);
        assert_eq!(first.kind, ConnectionKind::Imap);
        assert_eq!(
            first.servers,
            "imap.a.example:993 SSL/TLS · smtp.a.example:465 SSL/TLS"
        );
    }

    #[test]
    fn the_filter_searches_the_domain_and_the_servers_in_lowercase() {
        let book = book();
        let texts: Vec<String> = book.iter().map(filter_text).collect();
        assert!(texts[2].starts_with("c.example c.example imap.c.example"));
        assert!(texts[0].contains("imap.a.example:993 ssl/tls"));
        assert!(texts[3].contains("https://mail.d.example/ews/exchange.asmx"));
    }
}
