//! The right-side drawer (a modal `<dialog>`) titled "IMAP settings" or "Exchange settings",
//! for adding a domain or editing one.
//!
//! Owns: the form's state (what was typed, which fields were left, whether submit was tried),
//! showing core's errors and warnings at the right field, the IMAP-or-Exchange conflict notice
//! with its shortcut to the existing settings, the "changed in another tab" notice, saving
//! through [`Settings::change`] (once at a time; the drawer closes only when it is saved), and
//! on a server the conflict with someone else's save ("Keep mine" / "Use theirs") and the
//! entry's history. Must not: check any value itself (core does, via `draft`).
//! The server fields it shares with the connect flow are `server_fields`'.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use mailsetup_core::{
    BookError, CertificateTrust, Change, Connection, ConnectionKind, Domain, Entry, EntryDraft,
    Protocol, SpkiPin,
};

use crate::draft::{Checked, ExchangeDraft, Field, ImapDraft};
use crate::i18n::{forms, problems, server};
use crate::state::{ChangeError, Settings};
use crate::store::remote::RemoteError;
use crate::ui::carryover;
use crate::ui::domain_table::server_lines;
use crate::ui::download::download_text;
use crate::ui::entry_history::EntryHistory;
use crate::ui::field::{CheckboxField, TextField};
use crate::ui::focus::focus_element;
use crate::ui::modal::{keep_tab_inside, show_modal_when_mounted};
use crate::ui::on_demand::on_demand;
use crate::ui::save_error::describe_change_error;
use crate::ui::server_check::ServerCheck;
use crate::ui::server_fields::{
    ImapFields, ImapFieldset, InsecureCertificates, TrustChoice, UsernameChoice,
};
use crate::ui::shown_errors::ShownErrors;
use mailsetup_core::formats::write_autoconfig;
use mailsetup_core::wire::{CheckStep, Suggestion};

/// What the drawer was opened for.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogRequest {
    Add(ConnectionKind),
    Edit(Domain),
}

/// The drawer as the person left it, for the drawer drawn anew after a redraw of the component
/// (`carryover`): what was typed, which errors showed, and the revision it started from.
struct DrawerCarried {
    request: DialogRequest,
    domain: String,
    include_subdomains: bool,
    imap: ImapDraft,
    security_choices: (bool, bool),
    url: String,
    exchange_trust: CertificateTrust,
    shown_errors: (Vec<Field>, bool),
    base_revision: Option<u64>,
    /// A save the server has not acknowledged: still on its way, or refused because the
    /// session ended. The new drawing sends it again (a renewed sign-in redraws the component);
    /// if the first one did arrive, the server's answer says it is this very change.
    unsent: Option<(Change, EntryDraft)>,
}

/// A save the server refused because someone else saved or deleted the entry first: their
/// version beside the person's, which is kept until they choose.
#[derive(Debug, Clone, PartialEq)]
struct TheirVersion {
    /// The entry as it stands on the server; `None`: deleted.
    current: Option<Entry>,
    mine: EntryDraft,
}

impl TheirVersion {
    /// "Keep mine": the person's draft, sent against the revision that stands now (created
    /// again if the entry was deleted).
    fn keep_mine(&self) -> Change {
        match &self.current {
            Some(entry) => {
                Change::edit(entry.domain().clone(), entry.revision(), self.mine.clone())
            }
            None => Change::Add {
                draft: self.mine.clone(),
            },
        }
    }
}

/// One version in the conflict, for people: the domain, then each server on a line of its own
/// (so a narrow drawer breaks between servers, not inside a name).
fn version_summary(domain: &Domain, connection: &Connection, subdomains: bool) -> Vec<String> {
    let subdomains = if subdomains { " (+ *)" } else { "" };
    let mut lines = vec![format!("{}{subdomains}", domain.to_unicode())];
    lines.extend(server_lines(connection));
    lines
}

/// The lines of a version, each in a block of its own.
fn version_lines(lines: Vec<String>) -> impl IntoView {
    lines
        .into_iter()
        .map(|line| view! { <span class="ms-conflict__line">{line}</span> })
        .collect_view()
}

/// How this tab's copy of the entry being edited relates to the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elsewhere {
    Changed,
    Deleted,
}

// The release build ships the drawer in a wasm chunk of its own, fetched the first time
// someone opens it (`ui::on_demand`).
on_demand!(pub SettingsDialog(SettingsDialogProps) => fetch_settings_dialog, draw_settings_dialog;
    settings_dialog_code, preload_settings_dialog_code);

/// The drawer. Mounted while open; `on_close` unmounts it.
#[component]
pub fn SettingsDialog(
    /// Add which kind, or edit which domain.
    request: DialogRequest,
    /// Close without saving (Cancel, the close button, Escape).
    on_close: Callback<()>,
    /// Open the drawer for something else instead (the existing settings of a domain).
    on_open: Callback<DialogRequest>,
    /// Saved: the domain whose settings were saved.
    on_saved: Callback<Domain>,
    /// Closed with "Use theirs" after a conflict: the sentence saying the draft was dropped.
    on_discarded: Callback<String>,
    /// An earlier version restored from the history: the entry's domain now, and the sentence.
    on_restored: Callback<(Domain, String)>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let language = settings.language;
    let texts = forms::texts(language);

    let original: Option<Entry> = match &request {
        DialogRequest::Edit(domain) => settings
            .document()
            .with_untracked(|document| document.book().get(domain).cloned()),
        DialogRequest::Add(_) => None,
    };
    let kind = match (&request, &original) {
        (_, Some(entry)) => entry.kind(),
        (DialogRequest::Add(kind), None) => *kind,
        (DialogRequest::Edit(_), None) => ConnectionKind::Imap,
    };
    let original_domain = original.as_ref().map(|entry| entry.domain().clone());
    // The same drawer before a redraw of the component: it goes on as the person left it.
    let carried =
        carryover::take::<DrawerCarried>("drawer").filter(|carried| carried.request == request);

    let imap_draft = original
        .as_ref()
        .and_then(ImapDraft::from_entry)
        .unwrap_or_default();
    let exchange_draft = original
        .as_ref()
        .and_then(ExchangeDraft::from_entry)
        .unwrap_or_default();
    let (domain_text, subdomains) = match kind {
        ConnectionKind::Imap => (imap_draft.domain.clone(), imap_draft.include_subdomains),
        ConnectionKind::Exchange => (
            exchange_draft.domain.clone(),
            exchange_draft.include_subdomains,
        ),
    };
    let shown_errors = ShownErrors::<Field>::new();
    let unsent = StoredValue::new(None::<(Change, EntryDraft)>);
    let resend = carried.as_ref().and_then(|carried| carried.unsent.clone());
    let (base_revision, domain, include_subdomains, imap, url, exchange_trust) = match carried {
        Some(carried) => {
            shown_errors.restore(carried.shown_errors);
            (
                carried.base_revision,
                RwSignal::new(carried.domain),
                RwSignal::new(carried.include_subdomains),
                ImapFields::with_choices(carried.imap, carried.security_choices),
                RwSignal::new(carried.url),
                TrustChoice::new(&carried.exchange_trust),
            )
        }
        None => (
            original.as_ref().map(Entry::revision),
            RwSignal::new(domain_text),
            RwSignal::new(subdomains),
            // Security follows the port until the person picks one (or the entry has one).
            ImapFields::new(imap_draft, original.is_some()),
            RwSignal::new(exchange_draft.url),
            TrustChoice::new(&exchange_draft.certificate_trust),
        ),
    };
    {
        let request = request.clone();
        carryover::offer("drawer", move || DrawerCarried {
            request: request.clone(),
            domain: domain.get(),
            include_subdomains: include_subdomains.get(),
            imap: imap.draft(String::new(), false),
            security_choices: imap.choices(),
            url: url.get(),
            exchange_trust: exchange_trust.trust(),
            shown_errors: shown_errors.snapshot(),
            base_revision,
            unsent: unsent.get_value(),
        });
    }

    let checked = Memo::new(move |_| match kind {
        ConnectionKind::Imap => imap
            .draft(domain.get(), include_subdomains.get())
            .check(language),
        ConnectionKind::Exchange => ExchangeDraft {
            domain: domain.get(),
            url: url.get(),
            include_subdomains: include_subdomains.get(),
            certificate_trust: exchange_trust.trust(),
        }
        .check(language),
    });

    let editing = {
        let original_domain = original_domain.clone();
        move || {
            original_domain
                .clone()
                .filter(|original| settings.with_book(|book| book.get(original).is_some()))
        }
    };
    // The conflict with another domain's settings, for the domain as typed.
    let conflict = {
        let editing = editing.clone();
        Memo::new(move |_| {
            let typed = Domain::parse(&domain.get()).ok()?;
            let editing = editing();
            settings.with_book(|book| book.conflict_for(&typed, kind, editing.as_ref()))
        })
    };
    let elsewhere = {
        let original_domain = original_domain.clone();
        Memo::new(move |_| {
            let original = original_domain.as_ref()?;
            match settings.with_book(|book| book.get(original).map(Entry::revision)) {
                None => Some(Elsewhere::Deleted),
                Some(revision) if Some(revision) != base_revision => Some(Elsewhere::Changed),
                Some(_) => None,
            }
        })
    };

    let save_error = RwSignal::new(None::<String>);
    let shown = move |field: Field| shown_errors.shows(field);
    let blur = move |field: Field| Callback::new(move |()| shown_errors.leave(field));
    let error_of = move |field: Field| {
        Signal::derive(move || {
            if !shown(field) {
                return None;
            }
            checked.with(|c| c.error(field).map(str::to_owned))
        })
    };
    let warning_of = move |field: Field| {
        Signal::derive(move || checked.with(|c| c.warning(field).map(str::to_owned)))
    };
    let domain_error = Signal::derive(move || {
        if !shown(Field::Domain) {
            return None;
        }
        checked
            .with(|c| c.error(Field::Domain).map(str::to_owned))
            .or_else(|| {
                conflict
                    .get()
                    .map(|error| problems::message(language, &error))
            })
    });

    let id = move |field: Field| settings.id(field.key());
    let title_id = settings.id("dialog-title");
    let labelled_by = title_id.clone();
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    show_modal_when_mounted(dialog_ref);

    // One save at a time; the drawer stays open, with the draft, until the save is acknowledged.
    let saving = RwSignal::new(false);
    let theirs = RwSignal::new(None::<TheirVersion>);
    let keep_mine_id = settings.id("keep-mine");
    let send = {
        let keep_mine_id = keep_mine_id.clone();
        move |change: Change, mine: EntryDraft| {
            // Gone already (a save sent again just after a redraw that was itself replaced).
            if saving.try_get_untracked().unwrap_or(true) {
                return;
            }
            saving.set(true);
            save_error.set(None);
            unsent.set_value(Some((change.clone(), mine.clone())));
            let keep_mine_id = keep_mine_id.clone();
            leptos::task::spawn_local(async move {
                let outcome = settings.change(change).await;
                if saving.try_set(false).is_some() {
                    return; // closed, or drawn anew (which sends it again), meanwhile
                }
                let signed_out =
                    matches!(outcome, Err(ChangeError::Remote(RemoteError::SignedOut)));
                if !signed_out {
                    unsent.set_value(None);
                }
                match outcome {
                    Ok(applied) => on_saved.run(applied.domain),
                    Err(ChangeError::Conflict { current }) => {
                        theirs.set(Some(TheirVersion {
                            current: current.map(|entry| *entry),
                            mine,
                        }));
                        request_animation_frame(move || focus_element(&keep_mine_id));
                    }
                    Err(error) => save_error.set(Some(describe_change_error(settings, &error))),
                }
            });
        }
    };
    let keep_mine = {
        let send = send.clone();
        move |_| {
            if let Some(version) = theirs.get_untracked() {
                theirs.set(None);
                send(version.keep_mine(), version.mine);
            }
        }
    };

    // A save carried over from the drawing before (a renewed sign-in): sent again at once.
    if let Some((change, mine)) = resend {
        let send = send.clone();
        request_animation_frame(move || send(change, mine));
    }

    let on_submit = {
        let editing = editing.clone();
        let send = send.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            if saving.get_untracked() {
                return;
            }
            shown_errors.submit();
            save_error.set(None);
            let result: Checked = checked.get_untracked();
            let blocked = conflict.get_untracked().is_some();
            let Some((typed_domain, connection)) = result.value.clone().filter(|_| !blocked) else {
                let first = if blocked {
                    Some(Field::Domain)
                } else {
                    result.first_invalid()
                };
                if let Some(field) = first {
                    focus_element(&settings.id(field.key()));
                }
                return;
            };
            let draft = EntryDraft {
                domain: typed_domain.clone(),
                connection,
                include_subdomains: include_subdomains.get_untracked(),
            };
            let editing = untrack(&editing);
            // The person was told about changes made elsewhere, so the revision to replace is
            // the one this tab shows now.
            let change = match editing {
                Some(original) => {
                    let shown = settings.document().with_untracked(|document| {
                        document.book().get(&original).map(Entry::revision)
                    });
                    match shown {
                        Some(expected_revision) => {
                            Change::edit(original, expected_revision, draft.clone())
                        }
                        // Removed since the dialog opened: saving adds it again.
                        None => Change::Add {
                            draft: draft.clone(),
                        },
                    }
                }
                None => Change::Add {
                    draft: draft.clone(),
                },
            };
            send(change, draft);
        }
    };

    let title = match kind {
        ConnectionKind::Imap => texts.imap_title,
        ConnectionKind::Exchange => texts.exchange_title,
    };
    let submit_label = match (&original, kind) {
        (Some(_), _) => texts.submit_update,
        (None, ConnectionKind::Imap) => texts.submit_add_imap,
        (None, ConnectionKind::Exchange) => texts.submit_add_exchange,
    };
    let close = move |_| on_close.run(());
    let shown_domain = original_domain
        .as_ref()
        .map(Domain::to_unicode)
        .unwrap_or_default();
    let conflict_domain = shown_domain.clone();
    let history_of = original_domain.clone();
    // The saved settings of an IMAP domain, as Thunderbird's autoconfig file.
    let thunderbird = original
        .as_ref()
        .and_then(|entry| match entry.connection() {
            Connection::Imap(imap) => Some((entry.domain().clone(), imap.clone())),
            Connection::Exchange(_) => None,
        });

    let conflict_action = move || {
        let error = conflict.get()?;
        let (target, label) = match &error {
            BookError::KindConflict { domain, existing } => {
                (domain.clone(), (texts.open_existing)(&existing.to_string()))
            }
            BookError::AlreadyConfigured { domain, .. } => {
                (domain.clone(), (texts.edit_existing)(&domain.to_unicode()))
            }
            BookError::NotFound { .. } | BookError::StaleRevision { .. } => return None,
        };
        shown(Field::Domain).then(|| {
            view! {
                <button
                    type="button"
                    class="ms-button ms-button--small"
                    on:click=move |_| on_open.run(DialogRequest::Edit(target.clone()))
                >
                    {label}
                </button>
            }
        })
    };

    let fields = match kind {
        ConnectionKind::Imap => view! {
            <ImapFieldset
                legend=texts.incoming_legend
                protocol=Protocol::Imap
                fields=(imap.imap_host, imap.imap_port, imap.imap_security)
                security_chosen=imap.imap_security_chosen
                ids=(id(Field::ImapHost), id(Field::ImapPort), id(Field::ImapSecurity))
                errors=(error_of(Field::ImapHost), error_of(Field::ImapPort))
                warnings=(
                    warning_of(Field::ImapHost),
                    warning_of(Field::ImapPort),
                    warning_of(Field::ImapSecurity),
                )
                blurs=(blur(Field::ImapHost), blur(Field::ImapPort))
            />
            <ImapFieldset
                legend=texts.outgoing_legend
                protocol=Protocol::Smtp
                fields=(imap.smtp_host, imap.smtp_port, imap.smtp_security)
                security_chosen=imap.smtp_security_chosen
                ids=(id(Field::SmtpHost), id(Field::SmtpPort), id(Field::SmtpSecurity))
                errors=(error_of(Field::SmtpHost), error_of(Field::SmtpPort))
                warnings=(
                    warning_of(Field::SmtpHost),
                    warning_of(Field::SmtpPort),
                    warning_of(Field::SmtpSecurity),
                )
                blurs=(blur(Field::SmtpHost), blur(Field::SmtpPort))
            />
            <UsernameChoice form=imap.username id=settings.id("username-form")/>
            <InsecureCertificates checked=imap.allow_insecure id=settings.id("insecure")/>
        }
        .into_any(),
        ConnectionKind::Exchange => view! {
            <TextField
                id=id(Field::ExchangeUrl)
                label=texts.exchange_url_label
                hint=texts.exchange_url_hint
                placeholder="https://mail.example.com/EWS/Exchange.asmx"
                value=url
                error=error_of(Field::ExchangeUrl)
                warning=warning_of(Field::ExchangeUrl)
                on_blur=blur(Field::ExchangeUrl)
            />
            <InsecureCertificates checked=exchange_trust id=settings.id("insecure")/>
        }
        .into_any(),
    };
    let help = match kind {
        ConnectionKind::Imap => view! {
            <p>{texts.help_intro}</p>
            <ul>
                <li>{texts.help_imap}</li>
                <li>{texts.help_smtp}</li>
            </ul>
        }
        .into_any(),
        ConnectionKind::Exchange => view! { <p>{texts.help_exchange}</p> }.into_any(),
    };
    let subdomains_id = settings.id("subdomains");
    // "Check servers" on a settings server: the draft as typed, before it is saved.
    let server_check = settings.checks_on_server().then(|| {
        let draft = Callback::new(move |()| {
            shown_errors.submit();
            let result: Checked = checked.get_untracked();
            match result.value {
                Some((domain, connection)) => Some(EntryDraft {
                    domain,
                    connection,
                    include_subdomains: include_subdomains.get_untracked(),
                }),
                None => {
                    if let Some(field) = result.first_invalid() {
                        focus_element(&settings.id(field.key()));
                    }
                    None
                }
            }
        });
        let current = Signal::derive(move || {
            checked.with(|checked| {
                checked
                    .value
                    .as_ref()
                    .map(|(_, connection)| connection.clone())
            })
        });
        let on_suggestion = Callback::new(move |(step, suggestion): (CheckStep, Suggestion)| {
            let (port, security, chosen) = match step {
                CheckStep::ImapConnect | CheckStep::ImapLogin => (
                    imap.imap_port,
                    imap.imap_security,
                    imap.imap_security_chosen,
                ),
                CheckStep::SmtpConnect | CheckStep::SmtpLogin => (
                    imap.smtp_port,
                    imap.smtp_security,
                    imap.smtp_security_chosen,
                ),
                _ => return,
            };
            chosen.set(true);
            security.set(suggestion.security);
            port.set(suggestion.port.to_string());
        });
        // "Trust this certificate": its key is pinned in the form (saved with it).
        let on_trust = Callback::new(move |pin: SpkiPin| match kind {
            ConnectionKind::Imap => imap.allow_insecure.trust_key(pin),
            ConnectionKind::Exchange => exchange_trust.trust_key(pin),
        });
        view! { <ServerCheck draft current on_suggestion on_trust/> }
    });

    view! {
        <dialog
            node_ref=dialog_ref
            class="ms-drawer"
            aria-labelledby=labelled_by
            data-testid="settings-dialog"
            on:keydown=keep_tab_inside(dialog_ref)
            on:cancel=move |event: web_sys::Event| {
                event.prevent_default();
                on_close.run(());
            }
        >
            <form
                class="ms-drawer__form"
                novalidate
                on:pointerdown=move |_| shown_errors.press()
                on:click=move |_| shown_errors.release()
                on:submit=on_submit
            >
                <header class="ms-drawer__header">
                    <h2 class="ms-drawer__title" id=title_id>{title}</h2>
                    <button
                        type="button"
                        class="ms-icon-button"
                        aria-label=texts.close
                        title=texts.close
                        on:click=close
                    >
                        <svg viewBox="0 0 16 16" aria-hidden="true" class="ms-icon">
                            <path d="M3.5 3.5l9 9m0-9l-9 9"></path>
                        </svg>
                    </button>
                </header>
                <div class="ms-drawer__body">
                    {move || {
                        elsewhere
                            .get()
                            .map(|state| {
                                let message = match state {
                                    Elsewhere::Changed => (texts.changed_elsewhere)(&shown_domain),
                                    Elsewhere::Deleted => (texts.deleted_elsewhere)(&shown_domain),
                                };
                                view! {
                                    <p class="ms-notice ms-notice--warning" role="status">
                                        {message}
                                    </p>
                                }
                            })
                    }}
                    <TextField
                        id=id(Field::Domain)
                        label=texts.domain_label
                        hint=texts.domain_hint
                        placeholder="example.com"
                        value=domain
                        error=domain_error
                        warning=Signal::derive(|| None::<String>)
                        on_blur=blur(Field::Domain)
                        autofocus=true
                    >
                        {conflict_action}
                    </TextField>
                    {fields}
                    {server_check}
                    <CheckboxField
                        id=subdomains_id
                        label=texts.subdomains_label
                        hint=texts.subdomains_explain
                        checked=include_subdomains
                    />
                    <details class="ms-help">
                        <summary>{texts.help_summary}</summary>
                        {help}
                    </details>
                    {thunderbird
                        .map(|(domain, imap)| {
                            let hint = (texts.download_thunderbird_hint)(domain.as_ascii());
                            let download = move |_| {
                                let xml = write_autoconfig(std::slice::from_ref(&domain), &imap, None);
                                download_text(&xml, "config-v1.1.xml", "application/xml");
                            };
                            view! {
                                <div class="ms-field ms-thunderbird">
                                    <button type="button" class="ms-button ms-button--small" on:click=download>
                                        {texts.download_thunderbird}
                                    </button>
                                    <p class="ms-field__hint">{hint}</p>
                                </div>
                            }
                        })}
                    {history_of.map(|domain| view! { <EntryHistory domain on_restored/> })}
                </div>
                <footer class="ms-drawer__footer">
                    {move || {
                        save_error
                            .get()
                            .map(|message| {
                                view! {
                                    <p class="ms-notice ms-notice--error" role="alert">
                                        {message}
                                    </p>
                                }
                            })
                    }}
                    {move || {
                        theirs
                            .get()
                            .map(|version| {
                                let server_texts = server::texts(language);
                                let title = match &version.current {
                                    Some(_) => (server_texts.conflict_changed)(&conflict_domain),
                                    None => (server_texts.conflict_deleted)(&conflict_domain),
                                };
                                let their_summary = version
                                    .current
                                    .as_ref()
                                    .map(|entry| {
                                        version_summary(
                                            entry.domain(),
                                            entry.connection(),
                                            entry.include_subdomains(),
                                        )
                                    })
                                    .unwrap_or_else(|| vec![server_texts.theirs_deleted.to_owned()]);
                                let my_summary = version_summary(
                                    &version.mine.domain,
                                    &version.mine.connection,
                                    version.mine.include_subdomains,
                                );
                                view! {
                                    <div class="ms-conflict" data-testid="conflict">
                                        <p class="ms-conflict__title" role="alert">{title}</p>
                                        <p class="ms-secondary">{server_texts.conflict_explain}</p>
                                        <dl class="ms-conflict__versions">
                                            <div class="ms-conflict__version" data-testid="conflict-theirs">
                                                <dt>{server_texts.theirs}</dt>
                                                <dd>{version_lines(their_summary)}</dd>
                                            </div>
                                            <div class="ms-conflict__version" data-testid="conflict-mine">
                                                <dt>{server_texts.yours}</dt>
                                                <dd>{version_lines(my_summary)}</dd>
                                            </div>
                                        </dl>
                                        <div class="ms-drawer__actions">
                                            <button
                                                type="button"
                                                class="ms-button ms-button--primary"
                                                id=keep_mine_id.clone()
                                                on:click=keep_mine.clone()
                                            >
                                                {server_texts.keep_mine}
                                            </button>
                                            <button
                                                type="button"
                                                class="ms-button"
                                                on:click={
                                                    let domain = conflict_domain.clone();
                                                    move |_| on_discarded.run((server_texts.kept_theirs)(&domain))
                                                }
                                            >
                                                {server_texts.use_theirs}
                                            </button>
                                        </div>
                                    </div>
                                }
                            })
                    }}
                    <div class="ms-drawer__actions" hidden=move || theirs.with(Option::is_some)>
                        <button
                            type="submit"
                            class="ms-button ms-button--primary"
                            aria-busy=move || saving.get().to_string()
                            aria-disabled=move || saving.get().to_string()
                        >
                            {move || {
                                if saving.get() { server::texts(language).saving } else { submit_label }
                            }}
                        </button>
                        <button type="button" class="ms-button" on:click=close>
                            {texts.cancel}
                        </button>
                    </div>
                </footer>
            </form>
        </dialog>
    }
}
