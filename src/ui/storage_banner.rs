//! Banners about where the settings are kept: memory only, unreadable stored data (with
//! "Download unreadable data" and "Start fresh"), data from a newer version, saved entries
//! that could not be read, and a settings server that is unreachable (with "Try again"),
//! that ended the session, refuses this person or answers outside its contract.
//!
//! Owns: explaining storage problems and the two ways out of unreadable data. Must not: decide
//! what is readable (the store and core's document do).

use leptos::prelude::*;

use crate::i18n::{Language, forms, panel, problems, server, storage};
use crate::state::{Settings, StorageHealth};
use crate::ui::download::download_text;
use crate::ui::on_demand::{PartCode, on_demand};

/// The banners' place in the panel. Nothing is fetched while storage is fine: the banners
/// themselves ship in a wasm chunk of their own in the release build, loaded the first time
/// there is something to tell.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let troubled = Memo::new(move |_| {
        !settings.health().with(StorageHealth::is_fine)
            || settings
                .document()
                .with(|document| !document.rejected().is_empty())
    });
    // Without the banners' code (the network failed) a short notice still says there is a
    // problem; the next change of storage health asks for the code again.
    let code = PartCode::new();
    let code_missing = RwSignal::new(false);
    // On a server the code is fetched once it answered: when it stops answering, its banner
    // cannot be downloaded from it.
    let on_server = Memo::new(move |_| {
        settings
            .health()
            .with(|health| matches!(health, StorageHealth::Server | StorageHealth::Published))
    });
    Effect::new(move |_| {
        if troubled.get() || on_server.get() {
            code.want(fetch_banners, move || code_missing.set(true));
        }
    });
    move || {
        if !troubled.get() {
            None
        } else if code.here() {
            draw_banners(BannersProps {
                language: settings.language,
            })
        } else {
            code_missing.get().then(|| {
                view! {
                    <div class="ms-banner ms-banner--error" role="alert" data-testid="storage-banner-missing">
                        <p>{panel::texts(settings.language).banner_missing}</p>
                    </div>
                }
                .into_any()
            })
        }
    }
}

on_demand!(Banners(BannersProps) => fetch_banners, draw_banners; banners_code, preload_banners_code);

/// Every banner that applies now, in `language`.
#[component]
fn Banners(language: Language) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let texts = storage::texts(language);
    let server_texts = server::texts(language);
    let failed = RwSignal::new(false);
    let health = move || settings.health().get();
    let download = move |_| {
        if let Some(text) = settings.quarantined_text() {
            download_text(
                &text,
                "mailsetup-unreadable-settings.txt",
                "text/plain;charset=utf-8",
            );
        }
    };
    let start_fresh = move |_| failed.set(settings.start_fresh().is_err());

    view! {
        {move || match health() {
            StorageHealth::Persistent
            | StorageHealth::MemoryByChoice
            | StorageHealth::Connecting
            | StorageHealth::Server
            | StorageHealth::Published => None,
            StorageHealth::PublishedUnavailable(detail) => Some(
                view! {
                    <div class="ms-banner ms-banner--warning" role="alert" data-testid="server-banner">
                        <p>{(server_texts.published_unavailable)(&detail)}</p>
                    </div>
                }
                    .into_any(),
            ),
            StorageHealth::ServerUnreachable => Some(
                view! {
                    <div class="ms-banner ms-banner--warning" role="alert" data-testid="server-banner">
                        <p>{server_texts.unreachable}</p>
                        <div class="ms-banner__actions">
                            <button type="button" class="ms-button" on:click=move |_| settings.refresh_soon()>
                                {server_texts.try_again}
                            </button>
                        </div>
                    </div>
                }
                    .into_any(),
            ),
            StorageHealth::SignedOut => Some(
                view! {
                    <div class="ms-banner ms-banner--warning" role="alert" data-testid="server-banner">
                        <p>{server_texts.signed_out}</p>
                    </div>
                }
                    .into_any(),
            ),
            StorageHealth::Forbidden => Some(
                view! {
                    <div class="ms-banner ms-banner--error" role="alert" data-testid="server-banner">
                        <p>{server_texts.forbidden}</p>
                    </div>
                }
                    .into_any(),
            ),
            StorageHealth::ServerMisconfigured(detail) => Some(
                view! {
                    <div class="ms-banner ms-banner--error" role="alert" data-testid="server-banner">
                        <p>{(server_texts.misconfigured)(&detail)}</p>
                    </div>
                }
                    .into_any(),
            ),
            StorageHealth::MemoryOnly => Some(
                view! {
                    <div class="ms-banner ms-banner--warning" role="status" data-testid="storage-banner">
                        <p>{texts.memory_only}</p>
                    </div>
                }
                    .into_any(),
            ),
            StorageHealth::Unreadable(error) => Some(
                view! {
                    <div class="ms-banner ms-banner--error" role="alert" data-testid="storage-banner">
                        <p class="ms-banner__title">{texts.unreadable_title}</p>
                        <p>{texts.unreadable_body}</p>
                        <p class="ms-secondary">{problems::message(language, &error)}</p>
                        <div class="ms-banner__actions">
                            <button type="button" class="ms-button" on:click=download>
                                {texts.download_unreadable}
                            </button>
                            <button type="button" class="ms-button ms-button--danger" on:click=start_fresh>
                                {texts.start_fresh}
                            </button>
                        </div>
                        <Show when=move || failed.get()>
                            <p class="ms-field__error">{texts.start_fresh_failed}</p>
                        </Show>
                    </div>
                }
                    .into_any(),
            ),
            StorageHealth::Newer { found } => Some(
                view! {
                    <div class="ms-banner ms-banner--warning" role="alert" data-testid="storage-banner">
                        <p>{(texts.newer)(found)}</p>
                    </div>
                }
                    .into_any(),
            ),
        }}
        <RejectedEntries language/>
    }
}

/// The saved entries that could not be loaded, each with what is wrong.
#[component]
fn RejectedEntries(language: Language) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let texts = storage::texts(language);
    let newer = move || {
        settings
            .health()
            .with(|health| matches!(health, StorageHealth::Newer { .. }))
    };
    let rejected = Memo::new(move |_| {
        settings.document().with(|document| {
            document
                .rejected()
                .iter()
                .map(|entry| {
                    let name = entry
                        .domain_text
                        .clone()
                        .unwrap_or_else(|| (texts.unnamed_entry)(entry.index + 1));
                    // Settings of a newer version: what this version cannot read is no
                    // problem to fix, only something it cannot show.
                    if newer() {
                        return name;
                    }
                    // Each problem under the name of its field, as the drawer labels it.
                    let reasons: Vec<String> = entry
                        .problems
                        .iter()
                        .map(|problem| {
                            let message = problems::message(language, problem);
                            match field_label(language, &problem.field) {
                                Some(label) => format!("{label}: {message}"),
                                None if problem.field.is_empty() => message,
                                None => format!("\u{201c}{}\u{201d}: {message}", problem.field),
                            }
                        })
                        .collect();
                    format!("{name} \u{2014} {}", reasons.join(" "))
                })
                .collect::<Vec<String>>()
        })
    });
    move || {
        rejected.with(|lines| !lines.is_empty()).then(|| {
            view! {
                <div class="ms-banner ms-banner--warning" role="status" data-testid="rejected-banner">
                    <p>
                        {move || {
                            let count = rejected.with(Vec::len);
                            if newer() { (texts.needs_newer)(count) } else { (texts.rejected_title)(count) }
                        }}
                    </p>
                    <ul>
                        {move || {
                            rejected
                                .get()
                                .into_iter()
                                .map(|line| view! { <li>{line}</li> })
                                .collect_view()
                        }}
                    </ul>
                </div>
            }
        })
    }
}

/// The drawer's label for a field of a stored entry (`incoming.port` is "IMAP port"); `None`
/// for the whole entry or a field the drawer does not show.
fn field_label(language: Language, field: &str) -> Option<&'static str> {
    let texts = forms::texts(language);
    Some(match field {
        "domain" => texts.domain_label,
        "incoming.host" => texts.imap_host,
        "incoming.port" => texts.imap_port,
        "incoming.security" => texts.imap_security,
        "outgoing.host" => texts.smtp_host,
        "outgoing.port" => texts.smtp_port,
        "outgoing.security" => texts.smtp_security,
        "incoming" => texts.incoming_legend,
        "outgoing" => texts.outgoing_legend,
        "allow_insecure_certificates" => texts.insecure_label,
        trust if trust == "certificate_trust" || trust.starts_with("certificate_trust.") => {
            texts.trust_label
        }
        "username" => texts.username_form_label,
        "url" => texts.exchange_url_label,
        "include_subdomains" => texts.subdomains_label,
        _ => return None,
    })
}
