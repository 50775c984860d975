//! Who changed an entry and when, from the settings server: "Last changed by …" and the
//! recent changes, each with what it changed field by field ("IMAP port: 993 → 143") and, for
//! an editor, "Restore this version" behind a confirmation that says what a restore will change.
//! Shown in the drawer while editing (REST mode only; browser storage keeps no history).
//!
//! Owns: asking for the history when shown and again when the entry moves on, its wording, and
//! the restore of one revision (a `Change::Restore` through the state, like any other change).
//! Must not: compare settings itself (core's `entry_changes` does).

use leptos::prelude::*;
use mailsetup_core::wire::HistoryRecord;
use mailsetup_core::{Change, ChangeAction, Domain, Entry, EntryDraft, entry_changes};

use crate::i18n::history::{self, HistoryTexts, describe_change};
use crate::i18n::server;
use crate::state::Settings;
use crate::ui::domain_table::TimeFormat;
use crate::ui::focus::focus_element;
use crate::ui::save_error::describe_change_error;

/// How many recent changes the drawer lists.
const SHOWN: usize = 5;

#[derive(Clone, PartialEq)]
enum History {
    Loading,
    Loaded(Vec<HistoryRecord>),
    Failed,
}

/// The restore a person is being asked about.
#[derive(Clone, PartialEq)]
struct Asking {
    revision: u64,
    busy: bool,
    error: Option<String>,
}

/// The history of `domain`'s entry; nothing on browser storage.
#[component]
pub fn EntryHistory(
    domain: Domain,
    /// Restored: the domain the entry now has, and the sentence that says so.
    on_restored: Callback<(Domain, String)>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let texts = server::texts(settings.language);
    let undo = history::texts(settings.language);
    let history = RwSignal::new(History::Loading);
    let asking = RwSignal::new(None::<Asking>);
    // Asked again whenever the entry's revision changes (a save here or elsewhere).
    let revision = {
        let domain = domain.clone();
        Memo::new(move |_| settings.with_book(|book| book.get(&domain).map(Entry::revision)))
    };
    {
        let domain = domain.clone();
        Effect::new(move |_| {
            revision.track();
            let Some(pending) = settings.history(domain.clone()) else {
                return;
            };
            leptos::task::spawn_local(async move {
                let loaded = match pending.await {
                    Ok(records) => History::Loaded(records),
                    Err(_) => History::Failed,
                };
                history.try_set(loaded);
            });
        });
    }
    let time = StoredValue::new_local(TimeFormat::new(settings.language));
    let when =
        move |record: &HistoryRecord| time.with_value(|time| time.format(record.at.as_unix_ms()));
    let line = move |record: &HistoryRecord| {
        let when = when(record);
        let who = record.actor.as_str();
        match (record.action, &record.previous_domain) {
            (ChangeAction::Added, _) => (texts.added)(who, &when),
            (ChangeAction::Restored, _) => {
                (undo.restored)(record.restored_from.unwrap_or_default(), who, &when)
            }
            (ChangeAction::Renamed, Some(old)) => (texts.renamed)(&old.to_unicode(), who, &when),
            (ChangeAction::Updated | ChangeAction::Renamed, _) => (texts.updated)(who, &when),
            (ChangeAction::Removed, _) => (texts.removed)(who, &when),
        }
    };
    let restore_id = move |revision: u64| settings.id(&format!("restore-{revision}"));
    let confirm_id = move |revision: u64| settings.id(&format!("restore-confirm-{revision}"));
    let ask = move |revision: u64| {
        asking.set(Some(Asking {
            revision,
            busy: false,
            error: None,
        }));
        request_animation_frame(move || focus_element(&confirm_id(revision)));
    };
    let cancel = move |revision: u64| {
        if asking.with_untracked(|asking| asking.as_ref().is_some_and(|asking| asking.busy)) {
            return;
        }
        asking.set(None);
        request_animation_frame(move || focus_element(&restore_id(revision)));
    };
    let restore = {
        let domain = domain.clone();
        move |revision: u64, draft: EntryDraft| {
            let Some(current) = settings.with_book_untracked(|book| book.get(&domain).cloned())
            else {
                return;
            };
            asking.set(Some(Asking {
                revision,
                busy: true,
                error: None,
            }));
            let change = Change::Restore {
                at: domain.clone(),
                expected_revision: Some(current.revision()),
                draft,
                restored_from: revision,
            };
            leptos::task::spawn_local(async move {
                let outcome = settings.change(change).await;
                match outcome {
                    Ok(applied) => {
                        let message = (undo.restored_status)(&applied.domain.to_unicode());
                        on_restored.run((applied.domain, message));
                    }
                    Err(error) => {
                        let reason = describe_change_error(settings, &error);
                        asking.try_set(Some(Asking {
                            revision,
                            busy: false,
                            error: Some((undo.restore_failed)(&reason)),
                        }));
                    }
                }
            });
        }
    };
    let current_draft = {
        let domain = domain.clone();
        move || settings.with_book_untracked(|book| book.get(&domain).map(Entry::to_draft))
    };
    let can_restore = move || settings.can_change() && settings.role.can_edit();

    move || {
        if !settings.on_server() {
            return None;
        }
        Some(match history.get() {
            History::Loading => view! {
                <p class="ms-secondary ms-history" data-testid="entry-history">{texts.history_loading}</p>
            }
            .into_any(),
            History::Failed => view! {
                <p class="ms-secondary ms-history" data-testid="entry-history">{texts.history_failed}</p>
            }
            .into_any(),
            History::Loaded(records) => {
                let last = records.first().map(|record| (texts.last_changed)(&record.actor, &when(record)));
                let current = current_draft();
                let recent = records
                    .iter()
                    .enumerate()
                    .take(SHOWN)
                    .map(|(index, record)| {
                        // What this revision changed from the one before it (older records
                        // come later in the list); nothing to compare a first one with.
                        let before = records[index + 1..]
                            .first()
                            .and_then(|older| older.entry.as_ref())
                            .map(Entry::to_draft);
                        let after = record.entry.as_ref().map(Entry::to_draft);
                        let changed = match (&before, &after) {
                            (Some(before), Some(after)) => changes_list(undo, before, after),
                            _ => None,
                        };
                        // Offered for a version that differs from the settings now.
                        let restorable = after
                            .clone()
                            .filter(|after| can_restore() && current.as_ref().is_some_and(|now| now != after));
                        let revision = record.revision;
                        let confirm = restorable.clone().map(|draft| {
                            let when = when(record);
                            let now = current.clone();
                            let restore = restore.clone();
                            move || {
                                let shown = asking.get().filter(|asking| asking.revision == revision)?;
                                let draft = draft.clone();
                                let restore = restore.clone();
                                let question_id = settings.id(&format!("restore-question-{revision}"));
                                let labelled_by = question_id.clone();
                                Some(view! {
                                    <div
                                        class="ms-history__confirm"
                                        role="group"
                                        aria-labelledby=labelled_by
                                        data-testid="restore-confirm"
                                    >
                                        <p class="ms-history__question" id=question_id>
                                            {(undo.restore_question)(&when)}
                                        </p>
                                        <p>{undo.restore_changes}</p>
                                        {now.as_ref().and_then(|now| changes_list(undo, now, &draft))}
                                        <p class="ms-field__error" role="alert">{shown.error.clone()}</p>
                                        <div class="ms-history__actions">
                                            <button
                                                type="button"
                                                class="ms-button ms-button--primary ms-button--small"
                                                id=confirm_id(revision)
                                                aria-disabled=shown.busy.to_string()
                                                on:click=move |_| {
                                                    if !shown.busy {
                                                        restore(revision, draft.clone());
                                                    }
                                                }
                                            >
                                                {if shown.busy { undo.restoring } else { undo.restore_confirm }}
                                            </button>
                                            <button
                                                type="button"
                                                class="ms-button ms-button--small"
                                                on:click=move |_| cancel(revision)
                                            >
                                                {undo.cancel}
                                            </button>
                                        </div>
                                    </div>
                                })
                            }
                        });
                        let button = restorable.map(|_| view! {
                            <button
                                type="button"
                                class="ms-button ms-button--small ms-history__restore"
                                id=restore_id(revision)
                                aria-label=(undo.restore_label)(revision)
                                aria-expanded=move || asking.with(|asking| asking.as_ref().is_some_and(|asking| asking.revision == revision)).to_string()
                                on:click=move |_| ask(revision)
                            >
                                {undo.restore}
                            </button>
                        });
                        view! {
                            <li class="ms-history__item" data-testid="history-revision" data-revision=revision>
                                <span>{line(record)}</span>
                                {changed}
                                {button}
                                {confirm}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="ms-history" data-testid="entry-history">
                        <p class="ms-secondary" data-testid="last-changed">{last}</p>
                        <details class="ms-help">
                            <summary>{texts.history_heading}</summary>
                            <ol class="ms-history__list">{recent}</ol>
                        </details>
                    </div>
                }
                .into_any()
            }
        })
    }
}

/// The fields that differ from `before` to `after`, as a list; `None` when none does.
fn changes_list(
    texts: &'static HistoryTexts,
    before: &EntryDraft,
    after: &EntryDraft,
) -> Option<AnyView> {
    let changes = entry_changes(before, after);
    (!changes.is_empty()).then(|| {
        let items = changes
            .iter()
            .map(|change| view! { <li>{describe_change(texts, change)}</li> })
            .collect_view();
        view! {
            <ul class="ms-history__changes" aria-label=texts.changes_label data-testid="revision-changes">
                {items}
            </ul>
        }
        .into_any()
    })
}
