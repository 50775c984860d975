//! The "Exchange & IMAP settings" section: a collapsible heading (remembered), storage banners,
//! the read-only notice, the add buttons, the filter, the paged table of domains, and the
//! drawer, delete confirmation and "Recently deleted" list it opens.
//!
//! Owns: what is open, filtered and in view, and where focus goes when a dialog closes.
//! Must not: check or change settings itself (the dialog and `Settings::change` do).

use leptos::prelude::*;
use mailsetup_core::{Change, ConnectionKind, Domain, Entry};
use wasm_bindgen::JsCast;

use crate::i18n::panel;
use crate::state::{PAGE_SIZE, Settings, StorageHealth};
use crate::ui::carryover;
use crate::ui::confirm_delete::{ConfirmDeleteProps, draw_confirm_delete, fetch_confirm_delete};
use crate::ui::domain_table::{DomainTable, filter_text, rows_at};
use crate::ui::export::{ExportChoicesProps, draw_export_choices, fetch_export_choices};
use crate::ui::focus::focus_element;
use crate::ui::import::{ImportPreviewProps, draw_import_preview, fetch_import_preview};
use crate::ui::on_demand::PartCode;
use crate::ui::recently_deleted::{
    RecentlyDeletedProps, draw_recently_deleted, fetch_recently_deleted,
};
use crate::ui::save_error::describe_change_error;
use crate::ui::settings_dialog::{
    DialogRequest, SettingsDialogProps, draw_settings_dialog, fetch_settings_dialog,
};
use crate::ui::storage_banner::StorageBanner;

/// The filter box appears once there are more domains than this.
pub const FILTER_THRESHOLD: usize = 10;
/// The remembered open/closed state of the section.
const OPEN_PREFERENCE: &str = "settings-section";

/// The settings section of the admin panel.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let language = settings.language;
    let texts = panel::texts(language);

    let open = RwSignal::new(settings.preference(OPEN_PREFERENCE).as_deref() != Some("closed"));
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        settings.set_preference(OPEN_PREFERENCE, if now_open { "open" } else { "closed" });
    };

    let request = RwSignal::new(None::<DialogRequest>);
    let deleting = RwSignal::new(None::<Domain>);
    let status = RwSignal::new(String::new());
    let alert = RwSignal::new(String::new());
    // The drawer's and the delete question's code come on demand (`ui::on_demand`).
    let dialog_code = PartCode::new();
    let delete_code = PartCode::new();
    let export_code = PartCode::new();
    let exporting = RwSignal::new(false);
    let deleted_code = PartCode::new();
    let showing_deleted = RwSignal::new(false);
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let toggle_id = settings.id("settings-toggle");
    let content_id = settings.id("settings-content");
    let add_imap_id = settings.id("add-imap");

    let remember_opener = move || opener.set_value(active_element());
    // Files chosen for import, read; the preview's code comes on demand.
    let import_code = PartCode::new();
    let importing = RwSignal::new(None::<Vec<(String, String)>>);
    let on_files = Callback::new(move |files: Vec<(String, String)>| {
        remember_opener();
        importing.set(Some(files));
        import_code.want(fetch_import_preview, move || {
            importing.set(None);
            alert.set(texts.part_missing.to_owned());
        });
    });
    // Focus goes back to what opened the dialog. Decided after the view has updated: an
    // edited row is drawn anew, and then its new pencil button takes the focus.
    let restore_focus_to = {
        let fallback = toggle_id.clone();
        move |edited: Option<Domain>| {
            let target = opener.get_value();
            let fallback = fallback.clone();
            request_animation_frame(move || {
                if let Some(element) = target.filter(|element| element.is_connected()) {
                    let _ = element.focus();
                } else if let Some(domain) = edited {
                    focus_element(&edit_button_id(settings, &domain));
                } else {
                    focus_element(&fallback);
                }
            });
        }
    };
    let restore_focus = {
        let restore_focus_to = restore_focus_to.clone();
        move || restore_focus_to(None)
    };
    // The drawer is what an admin opens first: its code comes ahead, once the browser is idle
    // after the first render, so the first "Edit" does not wait for the network.
    if settings.role.can_edit() {
        dialog_code.prefetch(fetch_settings_dialog);
    }
    let open_dialog = move |wanted: DialogRequest| {
        remember_opener();
        status.set(String::new());
        alert.set(String::new());
        request.set(Some(wanted));
        dialog_code.want(fetch_settings_dialog, move || {
            request.set(None);
            alert.set(texts.part_missing.to_owned());
        });
    };
    let close_dialog = {
        let restore_focus = restore_focus.clone();
        Callback::new(move |()| {
            request.set(None);
            restore_focus();
        })
    };
    let switch_dialog = Callback::new(move |wanted: DialogRequest| request.set(Some(wanted)));
    let saved = {
        let restore_focus_to = restore_focus_to.clone();
        Callback::new(move |domain: Domain| {
            request.set(None);
            status.set((texts.saved)(&domain.to_unicode()));
            restore_focus_to(Some(domain));
        })
    };
    let restored = Callback::new(move |(domain, message): (Domain, String)| {
        request.set(None);
        status.set(message);
        restore_focus_to(Some(domain));
    });
    // A deleted domain brought back: its row's pencil button takes the focus.
    let revived = Callback::new(move |(domain, message): (Domain, String)| {
        status.set(message);
        request_animation_frame(move || focus_element(&edit_button_id(settings, &domain)));
    });
    let close_import = {
        let restore_focus = restore_focus.clone();
        Callback::new(move |imported: Option<String>| {
            importing.set(None);
            if let Some(message) = imported {
                status.set(message);
            }
            restore_focus();
        })
    };
    let discarded = {
        let restore_focus = restore_focus.clone();
        Callback::new(move |message: String| {
            request.set(None);
            status.set(message);
            restore_focus();
        })
    };
    // The revision the person was asked about: if the entry changes before they confirm, the
    // removal is refused rather than removing what they did not see.
    let deleting_revision = StoredValue::new(None::<u64>);
    let ask_delete = Callback::new(move |domain: Domain| {
        remember_opener();
        deleting_revision
            .set_value(settings.with_book(|book| book.get(&domain).map(Entry::revision)));
        status.set(String::new());
        alert.set(String::new());
        deleting.set(Some(domain));
        delete_code.want(fetch_confirm_delete, move || {
            deleting.set(None);
            alert.set(texts.part_missing.to_owned());
        });
    });
    // A confirmed deletion on its way: the question stays, saying so, until the store answers.
    let removing = RwSignal::new(false);
    let cancel_delete = {
        let restore_focus = restore_focus.clone();
        Callback::new(move |()| {
            if removing.get_untracked() {
                return;
            }
            deleting.set(None);
            restore_focus();
        })
    };
    let confirm_delete = {
        let restore_focus = restore_focus.clone();
        Callback::new(move |()| {
            let Some(domain) = deleting.get_untracked() else {
                return;
            };
            if removing.get_untracked() {
                return;
            }
            removing.set(true);
            let change = Change::Remove {
                expected_revision: deleting_revision.get_value().unwrap_or_default(),
                domain: domain.clone(),
            };
            let restore_focus = restore_focus.clone();
            leptos::task::spawn_local(async move {
                let outcome = settings.change(change).await;
                if removing.try_set(false).is_some() {
                    return; // the panel went away meanwhile
                }
                deleting.set(None);
                match outcome {
                    Ok(_) => status.set((texts.deleted)(&domain.to_unicode())),
                    Err(error) => alert.set((texts.delete_failed)(&describe_change_error(
                        settings, &error,
                    ))),
                };
                restore_focus();
            });
        })
    };
    let edit = Callback::new(move |domain: Domain| open_dialog(DialogRequest::Edit(domain)));

    // Rows are built only for the page in view; the filter's text for every entry is built the
    // first time someone filters, and again only after the book changes (a 10,000-domain book
    // loads and saves without summarising every entry).
    let filter_texts = Memo::new(move |_| {
        settings.with_book(|book| book.iter().map(filter_text).collect::<Vec<String>>())
    });
    let filter = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    let total = Memo::new(move |_| settings.entry_count());
    // Positions in the book (sorted by domain) of the entries the filter lets through.
    let matches = Memo::new(move |_| {
        let query = filter.get().trim().to_lowercase();
        if query.is_empty() {
            return (0..total.get()).collect::<Vec<usize>>();
        }
        filter_texts.with(|texts| {
            texts
                .iter()
                .enumerate()
                .filter(|(_, text)| text.contains(&query))
                .map(|(position, _)| position)
                .collect()
        })
    });
    let page_count = move || matches.with(Vec::len).div_ceil(PAGE_SIZE).max(1);
    let current_page = move || page.get().min(page_count() - 1);
    let visible = Memo::new(move |_| {
        let first = current_page() * PAGE_SIZE;
        matches.with(|matches| {
            let in_view =
                &matches[first.min(matches.len())..(first + PAGE_SIZE).min(matches.len())];
            settings.with_book(|book| rows_at(book.iter(), in_view))
        })
    });
    // A redraw of the whole component (the host switched the language) keeps what is open
    // and the filter; the drawer keeps its own draft.
    carryover::offer("panel", move || PanelCarried {
        request: request.get(),
        deleting: deleting.get(),
        filter: filter.get(),
        page: page.get(),
    });
    if let Some(carried) = carryover::take::<PanelCarried>("panel") {
        filter.set(carried.filter);
        page.set(carried.page);
        if let Some(wanted) = carried.request {
            open_dialog(wanted);
        }
        if let Some(domain) = carried.deleting {
            ask_delete.run(domain);
        }
    }

    let can_change = Signal::derive(move || settings.can_change());
    // Whether the book is still on its way (a memo: the drawer is drawn anew only when that
    // changes, not at every refresh).
    let loading = Memo::new(move |_| settings.health().with(StorageHealth::is_loading));
    let filter_id = settings.id("filter");
    let section_label = toggle_id.clone();

    view! {
        <section class="ms-section" aria-labelledby=section_label data-testid="settings-section">
            <h2 class="ms-section__title">
                <button
                    type="button"
                    class="ms-disclosure"
                    id=toggle_id
                    aria-expanded=move || open.get().to_string()
                    aria-controls=content_id.clone()
                    on:click=toggle
                >
                    <svg viewBox="0 0 16 16" aria-hidden="true" class="ms-icon ms-disclosure__chevron">
                        <path d="M6 3.5l4.5 4.5L6 12.5"></path>
                    </svg>
                    {texts.settings_heading}
                </button>
            </h2>
            <div class="ms-section__content" id=content_id hidden=move || !open.get()>
                <StorageBanner/>
                <Show when=move || !settings.role.can_edit()>
                    <p class="ms-notice ms-notice--info" role="status" data-testid="read-only-notice">
                        {texts.read_only_notice}
                    </p>
                </Show>
                <Show when=move || can_change.get()>
                    <div class="ms-toolbar">
                        <button
                            type="button"
                            class="ms-button ms-button--primary"
                            id=add_imap_id.clone()
                            on:click=move |_| open_dialog(DialogRequest::Add(ConnectionKind::Imap))
                        >
                            {texts.add_imap}
                        </button>
                        <button
                            type="button"
                            class="ms-button"
                            on:click=move |_| open_dialog(DialogRequest::Add(ConnectionKind::Exchange))
                        >
                            {texts.add_exchange}
                        </button>
                        <button
                            type="button"
                            class="ms-button"
                            aria-expanded=move || exporting.get().to_string()
                            on:click=move |_| {
                                let open = !exporting.get_untracked();
                                exporting.set(open);
                                if open {
                                    export_code.want(fetch_export_choices, move || {
                                        exporting.set(false);
                                        alert.set(texts.part_missing.to_owned());
                                    });
                                }
                            }
                        >
                            {texts.export}
                        </button>
                        <ImportButton label=texts.import on_files/>
                        <button
                            type="button"
                            class="ms-button"
                            aria-expanded=move || showing_deleted.get().to_string()
                            data-testid="recently-deleted-toggle"
                            on:click=move |_| {
                                let open = !showing_deleted.get_untracked();
                                showing_deleted.set(open);
                                if open {
                                    deleted_code.want(fetch_recently_deleted, move || {
                                        showing_deleted.set(false);
                                        alert.set(texts.part_missing.to_owned());
                                    });
                                }
                            }
                        >
                            {texts.recently_deleted}
                        </button>
                    </div>
                    {move || {
                        (exporting.get() && export_code.here())
                            .then(|| {
                                draw_export_choices(ExportChoicesProps {
                                    on_done: Callback::new(move |()| exporting.set(false)),
                                })
                            })
                            .flatten()
                    }}
                    {move || {
                        (showing_deleted.get() && deleted_code.here())
                            .then(|| draw_recently_deleted(RecentlyDeletedProps { on_restored: revived }))
                            .flatten()
                    }}
                </Show>
                <p class="ms-live" role="status" aria-live="polite" data-testid="settings-status">
                    {move || status.get()}
                </p>
                <p class="ms-live ms-live--alert" role="alert" data-testid="settings-alert">
                    {move || alert.get()}
                </p>
                <Show when=move || { total.get() > FILTER_THRESHOLD }>
                    <div class="ms-filter">
                        <label class="ms-field__label" for=filter_id.clone()>{texts.filter_label}</label>
                        <input
                            id=filter_id.clone()
                            class="ms-input"
                            type="search"
                            autocomplete="off"
                            spellcheck="false"
                            placeholder=texts.filter_placeholder
                            prop:value=move || filter.get()
                            on:input=move |event| {
                                filter.set(event_target_value(&event));
                                page.set(0);
                            }
                        />
                    </div>
                </Show>
                {move || {
                    // Unreadable or newer stored data: the banner explains; "no domains" would not be true.
                    let readable = settings.health().with(StorageHealth::allows_changes);
                    if total.get() == 0 && !readable {
                        ().into_any()
                    } else if total.get() == 0 {
                        view! { <p class="ms-empty" data-testid="settings-empty">{texts.settings_empty}</p> }
                            .into_any()
                    } else if matches.with(Vec::is_empty) {
                        view! {
                            <p class="ms-empty" role="status">
                                {(texts.filter_no_match)(&filter.get())}
                            </p>
                        }
                            .into_any()
                    } else {
                        ().into_any()
                    }
                }}
                <Show when=move || !visible.with(Vec::is_empty)>
                    <DomainTable
                        rows=visible
                        can_edit=can_change
                        on_edit=edit
                        on_delete=ask_delete
                        language
                    />
                </Show>
                <Show when=move || { matches.with(Vec::len) > PAGE_SIZE }>
                    <nav class="ms-pager" aria-label=texts.pager_label>
                        <p class="ms-pager__summary">
                            {move || {
                                let count = matches.with(Vec::len);
                                let first = current_page() * PAGE_SIZE;
                                (texts.showing)(first + 1, (first + PAGE_SIZE).min(count), count)
                            }}
                        </p>
                        <button
                            type="button"
                            class="ms-button ms-button--small"
                            disabled=move || current_page() == 0
                            on:click=move |_| page.set(current_page().saturating_sub(1))
                        >
                            {texts.previous_page}
                        </button>
                        <span class="ms-pager__page">
                            {move || (texts.page_of)(current_page() + 1, page_count())}
                        </span>
                        <button
                            type="button"
                            class="ms-button ms-button--small"
                            disabled=move || { current_page() + 1 >= page_count() }
                            on:click=move |_| page.set(current_page() + 1)
                        >
                            {texts.next_page}
                        </button>
                    </nav>
                </Show>
            </div>
            {move || {
                // Drawn once the book is there (on a server it comes a moment after a redraw),
                // so an edit finds its entry and a carried-over draft its revision.
                request
                    .get()
                    .filter(|_| dialog_code.here() && !loading.get())
                    .and_then(|wanted| {
                        draw_settings_dialog(SettingsDialogProps {
                            request: wanted,
                            on_close: close_dialog,
                            on_open: switch_dialog,
                            on_saved: saved,
                            on_discarded: discarded,
                            on_restored: restored,
                        })
                    })
            }}
            {move || {
                importing
                    .get()
                    .filter(|_| import_code.here())
                    .and_then(|files| {
                        draw_import_preview(ImportPreviewProps {
                            files,
                            on_close: close_import,
                        })
                    })
            }}
            {move || {
                deleting
                    .get()
                    .filter(|_| delete_code.here())
                    .and_then(|domain| {
                        draw_confirm_delete(ConfirmDeleteProps {
                            domain: domain.to_unicode(),
                            on_confirm: confirm_delete,
                            on_cancel: cancel_delete,
                            busy: removing.into(),
                        })
                    })
            }}
        </section>
    }
}

/// What the panel had open, carried across a redraw of the component (`carryover`).
struct PanelCarried {
    request: Option<DialogRequest>,
    deleting: Option<Domain>,
    filter: String,
    page: usize,
}

/// The id of a row's pencil button.
pub fn edit_button_id(settings: Settings, domain: &Domain) -> String {
    settings.id(&format!("edit-{}", domain.as_ascii()))
}

/// The element that has focus now, to return focus to when a dialog closes.
fn active_element() -> Option<web_sys::HtmlElement> {
    crate::ui::focus::active_element()
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
}

/// "Import": a button that opens the browser's file chooser, and the chosen files read as text.
/// The panel hears only of the files read (`on_files`); choosing and reading them stay here.
#[component]
fn ImportButton(label: &'static str, on_files: Callback<Vec<(String, String)>>) -> AnyView {
    let file_input = NodeRef::<leptos::html::Input>::new();
    let read_chosen = move |_| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        let chosen: Vec<web_sys::File> = input
            .files()
            .map(|list| {
                (0..list.length())
                    .filter_map(|index| list.item(index))
                    .collect()
            })
            .unwrap_or_default();
        // The same file can be chosen again after a cancel.
        input.set_value("");
        if chosen.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let mut files = Vec::new();
            for file in chosen {
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
                let text = text
                    .ok()
                    .and_then(|text| text.as_string())
                    .unwrap_or_default();
                files.push((file.name(), text));
            }
            on_files.run(files);
        });
    };
    view! {
        <button
            type="button"
            class="ms-button"
            on:click=move |_| {
                if let Some(input) = file_input.get_untracked() {
                    input.click();
                }
            }
        >
            {label}
        </button>
        <input
            node_ref=file_input
            type="file"
            hidden
            multiple
            accept=".json,.csv,.xml,application/json,text/csv,application/xml,text/xml"
            data-testid="import-file"
            on:change=read_chosen
        />
    }
    .into_any()
}
