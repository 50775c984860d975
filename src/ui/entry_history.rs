//! Who changed an entry and when, from the settings server: "Last changed by …" and the
//! recent changes, shown in the drawer while editing (REST mode only; browser storage keeps no
//! history).
//!
//! Owns: asking for the history when shown and again when the entry moves on, and its wording.
//! Must not: change anything.

use leptos::prelude::*;
use mailsetup_core::wire::HistoryRecord;
use mailsetup_core::{ChangeAction, Domain, Entry};

use crate::i18n::server;
use crate::state::Settings;
use crate::ui::domain_table::TimeFormat;

/// How many recent changes the drawer lists.
const SHOWN: usize = 5;

#[derive(Clone, PartialEq)]
enum History {
    Loading,
    Loaded(Vec<HistoryRecord>),
    Failed,
}

/// The history of `domain`'s entry; nothing on browser storage.
#[component]
pub fn EntryHistory(domain: Domain) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let texts = server::texts(settings.language);
    let history = RwSignal::new(History::Loading);
    // Asked again whenever the entry's revision changes (a save here or elsewhere).
    let revision = {
        let domain = domain.clone();
        Memo::new(move |_| settings.with_book(|book| book.get(&domain).map(Entry::revision)))
    };
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
    let time = StoredValue::new_local(TimeFormat::new(settings.language));
    let line = move |record: &HistoryRecord| {
        let when = time.with_value(|time| time.format(record.at.as_unix_ms()));
        let who = record.actor.as_str();
        match (record.action, &record.previous_domain) {
            (ChangeAction::Added, _) => (texts.added)(who, &when),
            (ChangeAction::Renamed, Some(old)) => (texts.renamed)(&old.to_unicode(), who, &when),
            (ChangeAction::Updated | ChangeAction::Renamed | ChangeAction::Restored, _) => {
                (texts.updated)(who, &when)
            }
            (ChangeAction::Removed, _) => (texts.removed)(who, &when),
        }
    };
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
                let last = records.first().map(|record| {
                    let when = time.with_value(|time| time.format(record.at.as_unix_ms()));
                    (texts.last_changed)(&record.actor, &when)
                });
                let recent = records
                    .iter()
                    .take(SHOWN)
                    .map(|record| view! { <li>{line(record)}</li> })
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
