//! "Recently deleted": the domains whose settings were deleted lately, each with who deleted
//! them and when, and "Restore" to bring the settings back as they were. On a settings server
//! the list is the server's (`GET /api/v1/removed-email-domains`); on browser storage it is what
//! this browser kept when it deleted them (`Settings::removed_entries`).
//!
//! Owns: the list, its wording and reviving one entry (a `Change::Restore` without an entry to
//! replace). Must not: keep removals itself (the state does) or decide whether one can be
//! brought back (core does, as for every change). Its code arrives on demand (`ui::on_demand`).

use leptos::prelude::*;
use mailsetup_core::wire::RemovedEntry;
use mailsetup_core::{Change, Domain, SettingsBook};

use crate::i18n::history;
use crate::state::Settings;
use crate::ui::domain_table::TimeFormat;
use crate::ui::on_demand::on_demand;
use crate::ui::save_error::describe_change_error;

on_demand!(pub RecentlyDeleted(RecentlyDeletedProps) => fetch_recently_deleted, draw_recently_deleted;
    recently_deleted_code, preload_recently_deleted_code);

#[derive(Clone, PartialEq)]
enum Listed {
    Loading,
    Loaded(Vec<RemovedEntry>),
    Failed,
}

/// The list of deleted domains, with "Restore" for an editor.
#[component]
pub fn RecentlyDeleted(
    /// A domain restored: its name, and the sentence that says so.
    on_restored: Callback<(Domain, String)>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let texts = history::texts(settings.language);
    let listed = RwSignal::new(Listed::Loading);
    let reviving = RwSignal::new(None::<Domain>);
    let alert = RwSignal::new(String::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            let loaded = match settings.removed_entries().await {
                Ok(removed) => Listed::Loaded(removed),
                Err(_) => Listed::Failed,
            };
            listed.try_set(loaded);
        })
    };
    // Asked for when shown and again whenever the book moves on (a deletion or a restore,
    // here or elsewhere).
    Effect::new(move |_| {
        settings.with_book(SettingsBook::sequence);
        load();
    });
    let revive = move |removed: RemovedEntry| {
        if reviving.get_untracked().is_some() {
            return;
        }
        alert.set(String::new());
        reviving.set(Some(removed.domain.clone()));
        let name = removed.domain.to_unicode();
        let change = Change::Restore {
            at: removed.domain,
            expected_revision: None,
            restored_from: removed.entry.revision(),
            draft: removed.entry.to_draft(),
        };
        leptos::task::spawn_local(async move {
            let outcome = settings.change(change).await;
            if reviving.try_set(None).is_some() {
                return; // the list went away meanwhile
            }
            match outcome {
                Ok(applied) => {
                    let message = (texts.revived_status)(&applied.domain.to_unicode());
                    on_restored.run((applied.domain, message));
                    load();
                }
                Err(error) => alert.set((texts.revive_failed)(
                    &name,
                    &describe_change_error(settings, &error),
                )),
            }
        });
    };
    let time = StoredValue::new_local(TimeFormat::new(settings.language));
    let heading_id = settings.id("recently-deleted");
    let labelled_by = heading_id.clone();
    let can_restore = move || settings.can_change() && settings.role.can_edit();
    let rows = move || {
        match listed.get() {
        Listed::Loading => view! { <p class="ms-secondary">{texts.deleted_loading}</p> }.into_any(),
        Listed::Failed => view! { <p class="ms-secondary">{texts.deleted_failed}</p> }.into_any(),
        Listed::Loaded(removed) if removed.is_empty() => {
            view! { <p class="ms-secondary" data-testid="recently-deleted-empty">{texts.deleted_none}</p> }
                .into_any()
        }
        Listed::Loaded(removed) => {
            let items = removed
                .into_iter()
                .map(|removed| {
                    let name = removed.domain.to_unicode();
                    let when = time.with_value(|time| time.format(removed.at.as_unix_ms()));
                    let line = (texts.deleted_line)(&removed.actor, &when);
                    let domain = removed.domain.clone();
                    let busy = Memo::new(move |_| reviving.with(|reviving| reviving.as_ref() == Some(&domain)));
                    let button = can_restore().then(|| {
                        let label = (texts.revive_label)(&name);
                        view! {
                            <button
                                type="button"
                                class="ms-button ms-button--small"
                                aria-label=label
                                aria-disabled=move || busy.get().to_string()
                                on:click=move |_| revive(removed.clone())
                            >
                                {move || if busy.get() { texts.reviving } else { texts.revive }}
                            </button>
                        }
                    });
                    view! {
                        <li class="ms-deleted__item" data-testid="deleted-domain">
                            <span class="ms-deleted__domain">{name.clone()}</span>
                            <span class="ms-secondary">{line}</span>
                            {button}
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="ms-deleted__list">{items}</ul> }.into_any()
        }
    }
    };
    view! {
        <section class="ms-deleted" aria-labelledby=labelled_by data-testid="recently-deleted">
            <h3 class="ms-deleted__title" id=heading_id>{texts.deleted_heading}</h3>
            {rows}
            <p class="ms-live ms-live--alert" role="alert">{move || alert.get()}</p>
        </section>
    }
}
