//! The views of the "Connect your inbox" flow: the address step, the settings step (pre-filled
//! or blank) and the connection check's progress.
//!
//! Owns: what is shown and focused at each step, running the check one step at a time, and
//! letting go of the password when an attempt starts (the attempt alone holds it).
//! Must not: check values itself (`form` and core do) or save anything but the admin's explicit
//! "Save as settings for …".

use std::rc::Rc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use mailsetup_core::{
    Change, ConnectionKind, EmailAddress, EntryDraft, MatchKind, Protocol, UsernameForm,
};

use super::form::{ConnectChecked, ConnectField, ServerDraft, Source, deep_link};
use super::server_tester::{Checked, ServerTester};
use super::tester::{
    Attempt, CheckNotRun, CheckOutcome, CheckProgress, ConnectionTester, Password, StepFailure,
    StepSink, StepState, plan,
};
use crate::draft::{ExchangeDraft, Field, ImapDraft};
use crate::i18n::{connect, forms, problems};
use crate::state::{Settings, StorageHealth};
use crate::ui::carryover;
use crate::ui::field::{CheckboxField, TextField};
use crate::ui::focus::{element_by_id, focus_element};
use crate::ui::on_demand::{PartCode, on_demand};
use crate::ui::save_error::describe_change_error;
use crate::ui::server_fields::{ImapFields, ImapFieldset, InsecureCertificates};
use crate::ui::shown_errors::ShownErrors;

/// The address step as the person left it, for the flow drawn anew after a redraw of the
/// component (`carryover`); kept only while the host's address stays the same.
struct AddressCarried {
    given: Option<String>,
    email: String,
    email_shown: bool,
    found: Option<Found>,
}

/// The settings step as the person left it. The password is not carried: it never leaves its
/// field but for an attempt, so after a redraw the person types it again.
struct StepCarried {
    typed: String,
    source: Source,
    locked: bool,
    imap: ImapDraft,
    security_choices: (bool, bool),
    url: String,
    username: String,
    shown_errors: (Vec<ConnectField>, bool),
    save_tried: bool,
}

/// The tester a component instance uses.
pub type SharedTester = Rc<dyn ConnectionTester>;

/// What Continue found for the address.
#[derive(Debug, Clone, PartialEq)]
struct Found {
    address: EmailAddress,
    /// The address as typed (trimmed): the username's default.
    typed: String,
    source: Source,
    server: ServerDraft,
    /// The field that takes the focus when the step opens (none when a deep link opened it).
    focus: Option<ConnectField>,
}

/// The element id of a field of the person's form.
fn field_id(settings: Settings, field: ConnectField) -> String {
    let key = match field {
        ConnectField::Username => "username",
        ConnectField::Password => "password",
        ConnectField::Server(field) => field.key(),
    };
    settings.id(&format!("connect-{key}"))
}

/// Focuses the element with `id` once the view has drawn it.
fn focus_later(id: String) {
    request_animation_frame(move || focus_element(&id));
}

/// The "Connect your inbox" section.
#[component]
pub fn ConnectInbox(
    /// Performs the connection check; without one, the settings server's check when the book
    /// is on one, else none (the flow says so).
    tester: Option<SharedTester>,
    /// The person's address, when the host page knows it: fills the first step in.
    email: Option<String>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let language = settings.language;
    let texts = connect::address_texts(language);
    let is_demo = tester.as_ref().is_some_and(|tester| tester.is_demo());
    let tester = StoredValue::new_local(tester);

    let given = email.clone();
    let email = RwSignal::new(email.unwrap_or_default());
    let email_shown = RwSignal::new(false);
    let found = RwSignal::new(None::<Found>);
    let notice = RwSignal::new(None::<String>);
    let email_id = settings.id("connect-email");
    let heading_id = settings.id("connect-title");
    let labelled_by = heading_id.clone();
    let section_id = settings.id("connect");

    let email_error = Signal::derive(move || {
        if !email_shown.get() {
            return None;
        }
        EmailAddress::parse(&email.get())
            .err()
            .map(|error| problems::message(language, &error))
    });

    // Continue pressed (or a deep link followed) while the book is still on its way from a
    // server or a published file: the address is looked up once the book is here, so a quick
    // person is not told that nobody set their domain up.
    let awaiting_book = RwSignal::new(None::<bool>);
    // Continue: look the address up and open the settings step, or show what is wrong.
    // One function however many places continue (a `Callback`, not a closure copied into each).
    let proceed = Callback::new(move |move_focus: bool| {
        // A deep link continues before anyone did anything: the whole book, not its first page.
        settings.finish_reading();
        let text = email.get_untracked();
        let address = match EmailAddress::parse(&text) {
            Ok(address) => address,
            Err(_) => {
                email_shown.set(true);
                if move_focus {
                    focus_later(settings.id("connect-email"));
                }
                return;
            }
        };
        if settings.health().with_untracked(StorageHealth::is_loading) {
            awaiting_book.set(Some(move_focus));
            return;
        }
        let matched = settings.with_book(|book| {
            book.lookup_domain(address.domain())
                .map(|found| (found.entry.clone(), found.kind))
        });
        let (source, server) = match matched {
            Some((entry, matched)) => (
                Source::Administrator {
                    domain: entry.domain().clone(),
                    matched,
                },
                ServerDraft::from_entry(&entry),
            ),
            None => (Source::Nobody, ServerDraft::Imap(ImapDraft::default())),
        };
        let typed_username =
            matches!(&server, ServerDraft::Imap(draft) if draft.username == UsernameForm::Typed);
        let first = match source {
            Source::Administrator { .. } if typed_username => ConnectField::Username,
            Source::Administrator { .. } => ConnectField::Password,
            Source::Nobody => ConnectField::Server(Field::ImapHost),
        };
        notice.set(None);
        found.set(Some(Found {
            address,
            typed: text.trim().to_owned(),
            source,
            server,
            focus: move_focus.then_some(first),
        }));
    });

    Effect::new(move |_| {
        let loading = settings.health().with(StorageHealth::is_loading);
        if !loading && let Some(move_focus) = awaiting_book.get() {
            awaiting_book.set(None);
            proceed.run(move_focus);
        }
    });

    // The deep link `#connect?email=…` fills the address in and continues.
    let follow_link = move || {
        let Some(window) = web_sys::window() else {
            return;
        };
        let hash = window.location().hash().unwrap_or_default();
        let Some(address) = deep_link(&hash) else {
            return;
        };
        if let Some(address) = address {
            email.set(address);
            found.set(None);
            proceed.run(false);
        }
        let section = settings.id("connect");
        request_animation_frame(move || {
            let element = element_by_id(&section);
            if let Some(element) = element {
                element.scroll_into_view();
            }
        });
    };
    // A redraw of the whole component (the host switched the language) goes on where the
    // person was, unless the host gave another address.
    {
        let given = given.clone();
        carryover::offer("connect-address", move || AddressCarried {
            given: given.clone(),
            email: email.get(),
            email_shown: email_shown.get(),
            found: found.get(),
        });
    }
    match carryover::take::<AddressCarried>("connect-address")
        .filter(|carried| carried.given == given)
    {
        Some(carried) => {
            email.set(carried.email);
            email_shown.set(carried.email_shown);
            found.set(carried.found.map(|found| Found {
                focus: None,
                ..found
            }));
        }
        None => follow_link(),
    }
    let listener = window_event_listener(leptos::ev::hashchange, move |_| follow_link());
    on_cleanup(move || listener.remove());

    // Steps 2 and 3 are drawn once their code is there, fetched the first time Continue finds
    // the address (`ui::on_demand`). Drawn in the same tick after that, so one address's step
    // replaces another's in place (a deep link followed while a step is open). If it cannot be
    // fetched, the person stays on the address step with the address kept, and is told.
    let step_code = PartCode::new();
    let step_missing = RwSignal::new(false);
    Effect::new(move |_| {
        if found.with(Option::is_some) {
            step_missing.set(false);
            step_code.want(fetch_settings_step, move || {
                found.set(None);
                step_missing.set(true);
            });
        }
    });

    let on_continue = move |event: SubmitEvent| {
        event.prevent_default();
        email_shown.set(true);
        proceed.run(true);
    };
    let change_address = Callback::new(move |()| {
        found.set(None);
        notice.set(None);
        focus_later(settings.id("connect-email"));
    });

    view! {
        <section
            class="ms-section ms-connect"
            id=section_id
            aria-labelledby=labelled_by
            data-testid="connect"
        >
            <h2 class="ms-section__title" id=heading_id>{texts.title}</h2>
            <p class="ms-connect__intro">{texts.intro}</p>
            {is_demo
                .then(|| {
                    view! {
                        <p class="ms-notice ms-notice--info" data-testid="demo-notice">
                            {texts.demo_notice}
                        </p>
                    }
                })}
            {move || match found.get() {
                None => {
                    view! {
                        <form class="ms-connect__address-form" novalidate on:submit=on_continue>
                            <TextField
                                id=email_id.clone()
                                label=texts.email_label
                                hint=texts.email_hint
                                placeholder="alice@example.com"
                                value=email
                                error=email_error
                                warning=Signal::derive(|| None::<String>)
                                on_blur=Callback::new(move |()| {
                                    if !email.get_untracked().trim().is_empty() {
                                        email_shown.set(true);
                                    }
                                })
                            />
                            <Show when=move || step_missing.get()>
                                <p class="ms-notice ms-notice--error" role="alert" data-testid="step-missing">
                                    {texts.step_missing}
                                </p>
                            </Show>
                            <button type="submit" class="ms-button ms-button--primary">
                                {texts.continue_button}
                            </button>
                        </form>
                    }
                        .into_any()
                }
                Some(found) => {
                    step_code
                        .here()
                        .then(|| {
                            draw_settings_step(SettingsStepProps {
                                found,
                                tester,
                                notice,
                                on_change_address: change_address,
                            })
                        })
                        .flatten()
                        .into_any()
                }
            }}
        </section>
    }
}

// The release build ships steps 2 and 3 in a wasm chunk of their own (`ui::on_demand`).
on_demand!(SettingsStep(SettingsStepProps) => fetch_settings_step, draw_settings_step;
    settings_step_code, preload_settings_step_code);

/// Step 2 and 3: the person's settings, Connect, and the check's progress.
#[component]
fn SettingsStep(
    found: Found,
    tester: StoredValue<Option<SharedTester>, LocalStorage>,
    /// A message kept above the form (the admin's "Saved as settings for …").
    notice: RwSignal<Option<String>>,
    on_change_address: Callback<()>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let language = settings.language;
    let texts = connect::texts(language);
    let form_texts = forms::texts(language);
    let is_demo = tester.with_value(|tester| tester.as_ref().is_some_and(|t| t.is_demo()));
    // A check runs when the host page gives one, or on the settings server the book is on.
    let can_check = tester.with_value(Option::is_some) || settings.checks_on_server();

    let Found {
        address,
        typed,
        source,
        server,
        focus,
    } = found;
    if let Some(field) = focus {
        focus_later(field_id(settings, field));
    }
    let address_domain = address.domain().clone();
    let domain_shown = address_domain.to_unicode();
    let kind = server.kind();
    let prefilled = matches!(source, Source::Administrator { .. });
    // The same step before a redraw of the component goes on as the person left it.
    let carried =
        carryover::take::<StepCarried>("connect-step").filter(|carried| carried.typed == typed);

    let (imap_draft, exchange_draft) = match server {
        ServerDraft::Imap(draft) => (draft, ExchangeDraft::default()),
        ServerDraft::Exchange(draft) => (ImapDraft::default(), draft),
    };
    let username_form = imap_draft.username;
    // Exchange's trust comes with the administrator's settings; the flow offers no choice.
    let exchange_trust = exchange_draft.certificate_trust.clone();
    // What the administrator said about usernames, when they set the domain up.
    let username_hint = match (prefilled && kind == ConnectionKind::Imap, username_form) {
        (true, UsernameForm::LocalPart) => texts.username_local_part_hint,
        (true, UsernameForm::Typed) => texts.username_typed_hint,
        _ => texts.username_hint,
    };
    let shown_errors = ShownErrors::<ConnectField>::new();
    let (source, locked, imap, url, username, save_tried) = match carried {
        Some(carried) => {
            shown_errors.restore(carried.shown_errors);
            (
                RwSignal::new(carried.source),
                RwSignal::new(carried.locked),
                ImapFields::with_choices(carried.imap, carried.security_choices),
                RwSignal::new(carried.url),
                RwSignal::new(carried.username),
                RwSignal::new(carried.save_tried),
            )
        }
        None => (
            RwSignal::new(source),
            RwSignal::new(prefilled),
            ImapFields::new(imap_draft, prefilled),
            RwSignal::new(exchange_draft.url),
            // The administrator said how usernames are formed; without them, the address.
            RwSignal::new(match (prefilled, kind) {
                (true, ConnectionKind::Imap) => {
                    username_form.username_for(&address).unwrap_or_default()
                }
                _ => typed.clone(),
            }),
            RwSignal::new(false),
        ),
    };
    carryover::offer("connect-step", move || StepCarried {
        typed: typed.clone(),
        source: source.get(),
        locked: locked.get(),
        imap: imap.draft(String::new(), false),
        security_choices: imap.choices(),
        url: url.get(),
        username: username.get(),
        shown_errors: shown_errors.snapshot(),
        save_tried: save_tried.get(),
    });
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);

    let server_draft = move || match kind {
        ConnectionKind::Imap => ServerDraft::Imap(imap.draft(String::new(), false)),
        ConnectionKind::Exchange => ServerDraft::Exchange(ExchangeDraft {
            domain: String::new(),
            url: url.get(),
            include_subdomains: false,
            certificate_trust: exchange_trust.clone(),
        }),
    };
    let checked = {
        let domain = address_domain.clone();
        Memo::new(move |_| {
            ConnectChecked::new(
                &username.get(),
                &password.get(),
                &server_draft(),
                &domain,
                language,
            )
        })
    };

    let shown = move |field: ConnectField| {
        shown_errors.shows(field) || (save_tried.get() && matches!(field, ConnectField::Server(_)))
    };
    // Leaving a field shows its error only once something was typed: an empty field the person
    // merely passed is asked for when they connect.
    let typed_in = move |field: ConnectField| {
        let text = match field {
            ConnectField::Username => username,
            ConnectField::Password => password,
            ConnectField::Server(Field::ImapHost) => imap.imap_host,
            ConnectField::Server(Field::ImapPort) => imap.imap_port,
            ConnectField::Server(Field::SmtpHost) => imap.smtp_host,
            ConnectField::Server(Field::SmtpPort) => imap.smtp_port,
            ConnectField::Server(Field::ExchangeUrl) => url,
            ConnectField::Server(_) => return true,
        };
        text.try_with_untracked(|text| !text.is_empty())
            .unwrap_or(false)
    };
    let blur = move |field: ConnectField| {
        Callback::new(move |()| {
            if typed_in(field) {
                shown_errors.leave(field);
            }
        })
    };
    let error_of = move |field: ConnectField| {
        Signal::derive(move || {
            if !shown(field) {
                return None;
            }
            checked.with(|c| c.error(field).map(str::to_owned))
        })
    };
    let warning_of = move |field: Field| {
        Signal::derive(move || checked.with(|c| c.server.warning(field).map(str::to_owned)))
    };
    let id = move |field: ConnectField| field_id(settings, field);
    let server_id = move |field: Field| id(ConnectField::Server(field));
    let read_only = Signal::derive(move || locked.get());

    // The check.
    let progress = RwSignal::new(None::<CheckProgress>);
    let send_test_email = RwSignal::new(false);
    let failure = RwSignal::new(None::<StepFailure>);
    let not_run = RwSignal::new(None::<CheckNotRun>);
    let running = RwSignal::new(false);
    let attempts = StoredValue::new(0u64);
    on_cleanup(move || attempts.try_update_value(|n| *n += 1).unwrap_or(()));

    let on_connect = {
        let address = address.clone();
        move |event: SubmitEvent| {
            event.prevent_default();
            if running.get_untracked() {
                return;
            }
            shown_errors.submit();
            let result = checked.get_untracked();
            let Some((username, connection)) = result.ready() else {
                if let Some(field) = result.first_invalid() {
                    focus_element(&id(field));
                }
                return;
            };
            // Exchange has no test message; the box is not shown for it.
            let asked_for_test_email =
                kind == ConnectionKind::Imap && send_test_email.get_untracked();
            // The host page's check, or the settings server's: on the stored settings while
            // the person kept the administrator's, else on what the form holds.
            let what = match (source.get_untracked(), locked.get_untracked()) {
                (Source::Administrator { .. }, true) => Checked::Stored,
                _ => Checked::Draft,
            };
            let Some(checker) = tester.get_value().or_else(|| {
                settings
                    .checks_on_server()
                    .then(|| Rc::new(ServerTester::new(settings, what)) as SharedTester)
            }) else {
                return;
            };
            // From here on only the attempt holds the password; the form lets go of it.
            let attempt = Rc::new(Attempt {
                address: address.clone(),
                username,
                password: Password::new(password.get_untracked()),
                connection,
                send_test_email: asked_for_test_email,
            });
            password.set(String::new());
            show_password.set(false);
            shown_errors.start_over_without(ConnectField::Password);
            let mut started = CheckProgress::new(kind, asked_for_test_email);
            if let Some(first) = started.next() {
                started.start(first);
            }
            progress.set(Some(started));
            failure.set(None);
            not_run.set(None);
            running.set(true);
            attempts.update_value(|n| *n += 1);
            let this_attempt = attempts.get_value();
            let current = move || attempts.try_get_value() == Some(this_attempt);
            // Each step as it ends; the next one is then the one running.
            let finished: StepSink = Rc::new(move |step, result| {
                if !current() {
                    return;
                }
                if let Err(why) = &result {
                    failure.set(Some(why.clone()));
                }
                progress.update(|progress| {
                    if let Some(progress) = progress {
                        progress.finish(step, result.is_ok());
                        if let Some(next) = progress.next() {
                            progress.start(next);
                        }
                    }
                });
            });
            let run = checker.run(plan(kind, asked_for_test_email), attempt, finished);
            leptos::task::spawn_local(async move {
                // The run holds the attempt (with the password) until it ends.
                let ended = run.await;
                if !current() {
                    return;
                }
                let unfinished =
                    progress.with_untracked(|p| p.as_ref().is_some_and(|p| p.outcome().is_none()));
                match ended {
                    Err(why) => not_run.set(Some(why)),
                    Ok(()) if unfinished => not_run.set(Some(CheckNotRun::Interrupted)),
                    Ok(()) => {}
                }
                if not_run.get_untracked().is_some() {
                    progress.set(None);
                }
                running.set(false);
            });
        }
    };

    // Save as settings for the domain (admins, when nobody set it up).
    let save_error = RwSignal::new(None::<String>);
    // While the server has not answered: the button cannot send it twice.
    let saving = RwSignal::new(false);
    let save = {
        let address_domain = address_domain.clone();
        move |_| {
            if saving.get_untracked() {
                return;
            }
            save_tried.set(true);
            save_error.set(None);
            let server = checked.get_untracked().server;
            let Some((_, connection)) = server.value else {
                if let Some(field) = server.first_invalid() {
                    focus_later(server_id(field));
                }
                return;
            };
            let draft = EntryDraft {
                domain: address_domain.clone(),
                connection,
                include_subdomains: false,
            };
            let address_domain = address_domain.clone();
            saving.set(true);
            leptos::task::spawn_local(async move {
                let outcome = settings.change(Change::Add { draft }).await;
                if saving.try_set(false).is_some() {
                    return; // the flow was closed meanwhile
                }
                match outcome {
                    Ok(_) => {
                        let shown = address_domain.to_unicode();
                        source.set(Source::Administrator {
                            domain: address_domain.clone(),
                            matched: MatchKind::Exact,
                        });
                        locked.set(true);
                        imap.imap_security_chosen.set(true);
                        imap.smtp_security_chosen.set(true);
                        notice.set(Some((texts.saved_as_admin)(&shown)));
                        focus_later(id(ConnectField::Password));
                    }
                    Err(error) => save_error.set(Some(describe_change_error(settings, &error))),
                }
            });
        }
    };
    let can_save = settings.role.can_edit();

    let where_from = {
        let domain_shown = domain_shown.clone();
        move || match source.get() {
            Source::Administrator { domain, matched } => {
                let message = match matched {
                    MatchKind::Exact => (texts.set_up_by_admin)(&domain.to_unicode()),
                    MatchKind::Parent => {
                        (texts.set_up_by_admin_parent)(&domain.to_unicode(), &domain_shown)
                    }
                };
                view! { <p class="ms-notice ms-notice--info ms-connect__source">{message}</p> }
                    .into_any()
            }
            Source::Nobody => view! {
                <p class="ms-notice ms-notice--info ms-connect__source">
                    {(texts.no_settings)(&domain_shown)}
                </p>
                <div class="ms-connect__guide">
                    <h3 class="ms-connect__subtitle">{form_texts.help_summary}</h3>
                    <p>{form_texts.help_intro}</p>
                    <ul>
                        <li>{form_texts.help_imap}</li>
                        <li>{form_texts.help_smtp}</li>
                    </ul>
                </div>
            }
            .into_any(),
        }
    };

    let server_fields = match kind {
        ConnectionKind::Imap => view! {
            <ImapFieldset
                legend=form_texts.incoming_legend
                protocol=Protocol::Imap
                fields=(imap.imap_host, imap.imap_port, imap.imap_security)
                security_chosen=imap.imap_security_chosen
                ids=(
                    server_id(Field::ImapHost),
                    server_id(Field::ImapPort),
                    server_id(Field::ImapSecurity),
                )
                errors=(
                    error_of(ConnectField::Server(Field::ImapHost)),
                    error_of(ConnectField::Server(Field::ImapPort)),
                )
                warnings=(
                    warning_of(Field::ImapHost),
                    warning_of(Field::ImapPort),
                    warning_of(Field::ImapSecurity),
                )
                blurs=(
                    blur(ConnectField::Server(Field::ImapHost)),
                    blur(ConnectField::Server(Field::ImapPort)),
                )
                read_only
            />
            <ImapFieldset
                legend=form_texts.outgoing_legend
                protocol=Protocol::Smtp
                fields=(imap.smtp_host, imap.smtp_port, imap.smtp_security)
                security_chosen=imap.smtp_security_chosen
                ids=(
                    server_id(Field::SmtpHost),
                    server_id(Field::SmtpPort),
                    server_id(Field::SmtpSecurity),
                )
                errors=(
                    error_of(ConnectField::Server(Field::SmtpHost)),
                    error_of(ConnectField::Server(Field::SmtpPort)),
                )
                warnings=(
                    warning_of(Field::SmtpHost),
                    warning_of(Field::SmtpPort),
                    warning_of(Field::SmtpSecurity),
                )
                blurs=(
                    blur(ConnectField::Server(Field::SmtpHost)),
                    blur(ConnectField::Server(Field::SmtpPort)),
                )
                read_only
            />
            <InsecureCertificates
                checked=imap.allow_insecure
                id=settings.id("connect-insecure")
                read_only
            />
        }
        .into_any(),
        ConnectionKind::Exchange => view! {
            <TextField
                id=server_id(Field::ExchangeUrl)
                label=form_texts.exchange_url_label
                hint=form_texts.exchange_url_hint
                placeholder="https://mail.example.com/EWS/Exchange.asmx"
                value=url
                error=error_of(ConnectField::Server(Field::ExchangeUrl))
                warning=warning_of(Field::ExchangeUrl)
                on_blur=blur(ConnectField::Server(Field::ExchangeUrl))
                read_only
            />
        }
        .into_any(),
    };
    let first_server_field = match kind {
        ConnectionKind::Imap => Field::ImapHost,
        ConnectionKind::Exchange => Field::ExchangeUrl,
    };

    let masked = Signal::derive(move || !show_password.get());
    let password_toggle = view! {
        <button
            type="button"
            class="ms-button ms-button--small"
            aria-controls=id(ConnectField::Password)
            aria-pressed=move || if show_password.get() { "true" } else { "false" }
            on:click=move |_| show_password.update(|shown| *shown = !*shown)
        >
            {texts.show_password}
        </button>
    };

    // Under the password: the administrator's settings are locked (with the way to unlock
    // them), or the person's own are used for this connection only, or nothing.
    let lock_notes = move || {
        let from_admin = source.with(|s| matches!(s, Source::Administrator { .. }));
        if locked.get() {
            Some(
                view! {
                    <div class="ms-connect__locked">
                        <p class="ms-field__hint">{texts.locked_explain}</p>
                        <button
                            type="button"
                            class="ms-button ms-button--small"
                            on:click=move |_| {
                                locked.set(false);
                                focus_later(server_id(first_server_field));
                            }
                        >
                            {texts.use_different}
                        </button>
                    </div>
                }
                .into_any(),
            )
        } else if from_admin {
            Some(paragraph(
                "ms-field__hint ms-connect__own",
                texts.own_settings_note.into(),
            ))
        } else {
            None
        }
    };
    let save_button = move || {
        (can_save && source.with(|s| matches!(s, Source::Nobody))).then(|| {
            view! {
                <div class="ms-connect__save">
                    <p class="ms-field__hint">{texts.save_as_admin_explain}</p>
                    <button
                        type="button"
                        class="ms-button"
                        aria-busy=move || saving.get().to_string()
                        disabled=move || saving.get()
                        on:click=save.clone()
                    >
                        {(texts.save_as_admin)(&domain_shown)}
                    </button>
                </div>
            }
            .into_any()
        })
    };

    let outcome = move || progress.with(|p| p.as_ref().and_then(CheckProgress::outcome));
    let status_text = Signal::derive(move || {
        if running.get() {
            return Some(texts.checking.to_owned());
        }
        match outcome() {
            Some(CheckOutcome::Passed) if is_demo => Some(texts.passed_demo.to_owned()),
            Some(CheckOutcome::Passed) => Some(texts.passed.to_owned()),
            _ => None,
        }
    });
    let failure_shown = move || {
        if let Some(why) = not_run.get() {
            let said = match &why {
                CheckNotRun::Limited { detail } | CheckNotRun::Refused { detail } => {
                    detail.as_deref().map(texts.server_said)
                }
                _ => None,
            };
            return Some(
                view! {
                    <div class="ms-notice ms-notice--error" data-testid="check-not-run">
                        <p class="ms-connect__failure-title">{texts.not_run_title}</p>
                        <p>{(texts.not_run_reason)(&why)}</p>
                        <p>{said}</p>
                    </div>
                }
                .into_any(),
            );
        }
        let Some(CheckOutcome::FailedAt(step)) = outcome() else {
            return None;
        };
        let why = failure.get().unwrap_or_default();
        // The check's own code says more than the step's general advice.
        let advice = match why.code {
            Some(code) => problems::message(language, &code),
            None => (texts.failure_advice)(step).to_owned(),
        };
        let detail = why.detail.map(|detail| (texts.server_said)(&detail));
        Some(
            view! {
                <div class="ms-notice ms-notice--error" data-testid="check-failure">
                    <p class="ms-connect__failure-title">{(texts.failure_title)(step)}</p>
                    <p>{advice}</p>
                    <p class="ms-connect__server-said">{detail}</p>
                </div>
            }
            .into_any(),
        )
    };
    let cleared = move || {
        let ended = !running.get() && (outcome().is_some() || not_run.with(Option::is_some));
        ended.then(|| paragraph("ms-field__hint", texts.password_cleared.into()))
    };

    view! {
        <div class="ms-connect__who">
            <span class="ms-secondary">{texts.connecting_as}</span>
            <strong class="ms-connect__address">{domain_shown_address(&address)}</strong>
            <button
                type="button"
                class="ms-button ms-button--small"
                on:click=move |_| on_change_address.run(())
            >
                {texts.change_address}
            </button>
        </div>
        <LiveText role="status" class="ms-live" text=notice/>
        {where_from}
        <form
            class="ms-connect__form"
            novalidate
            on:pointerdown=move |_| shown_errors.press()
            on:click=move |_| shown_errors.release()
            on:submit=on_connect
        >
            <TextField
                id=id(ConnectField::Username)
                label=texts.username_label
                hint=username_hint
                value=username
                error=error_of(ConnectField::Username)
                warning=Signal::derive(|| None::<String>)
                on_blur=blur(ConnectField::Username)
                autocomplete="username"
            />
            <TextField
                id=id(ConnectField::Password)
                label=texts.password_label
                hint=texts.password_hint
                value=password
                error=error_of(ConnectField::Password)
                warning=Signal::derive(|| None::<String>)
                on_blur=blur(ConnectField::Password)
                masked
                autocomplete="current-password"
            >
                {password_toggle}
            </TextField>
            {lock_notes}
            {server_fields}
            {save_button}
            <LiveText role="alert" class="ms-notice ms-notice--error" text=save_error/>
            {(kind == ConnectionKind::Imap && can_check)
                .then(|| {
                    view! {
                        <CheckboxField
                            id=settings.id("connect-test-email")
                            label=texts.send_test_email_label
                            hint=texts.send_test_email_hint
                            checked=send_test_email
                        />
                    }
                })}
            {if can_check {
                view! {
                    <div class="ms-connect__actions">
                        <button
                            type="submit"
                            class="ms-button ms-button--primary"
                            aria-disabled=move || running.get().then_some("true")
                        >
                            {texts.connect_button}
                        </button>
                    </div>
                }
                    .into_any()
            } else {
                view! {
                    <p class="ms-notice ms-notice--info" data-testid="no-check">
                        {texts.no_check}
                    </p>
                }
                    .into_any()
            }}
        </form>
        {move || progress.get().map(|progress| check_list(texts, &progress))}
        <LiveText role="status" class="ms-live" text=status_text/>
        <div role="alert" class="ms-connect__failure">
            {failure_shown}
        </div>
        {cleared}
    }
}

/// A paragraph of text (a shared shape, so each use adds no view code of its own).
fn paragraph(class: &'static str, text: String) -> AnyView {
    view! { <p class=class>{text}</p> }.into_any()
}

/// A live region that is always in the page (so screen readers follow it) and shows `text`
/// while there is some.
#[component]
fn LiveText(
    role: &'static str,
    class: &'static str,
    #[prop(into)] text: Signal<Option<String>>,
) -> impl IntoView {
    view! { <div role=role>{move || text.get().map(|text| paragraph(class, text))}</div> }
}

/// The steps of the check with their states.
fn check_list(texts: &'static connect::ConnectTexts, progress: &CheckProgress) -> AnyView {
    view! {
        <div class="ms-connect__check" data-testid="connection-check">
            <h3 class="ms-connect__subtitle">{texts.check_title}</h3>
            <ol class="ms-steps">
                {progress
                    .steps()
                    .iter()
                    .map(|(step, state)| {
                        view! {
                            <li class="ms-step" data-state=state_tag(*state) data-testid="check-step">
                                <span class="ms-step__icon" aria-hidden="true"></span>
                                <span class="ms-step__name">{(texts.step_name)(*step)}</span>
                                <span class="ms-step__state">{(texts.state_name)(*state)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </div>
    }
    .into_any()
}

/// The address as the person reads it: the domain in its Unicode form.
fn domain_shown_address(address: &EmailAddress) -> String {
    format!("{}@{}", address.local_part(), address.domain().to_unicode())
}

/// The step state as a stable attribute value (styles and tests read it).
fn state_tag(state: StepState) -> &'static str {
    match state {
        StepState::Waiting => "waiting",
        StepState::Running => "running",
        StepState::Passed => "passed",
        StepState::Failed => "failed",
        StepState::NotRun => "not-run",
    }
}
