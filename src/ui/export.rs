//! "Export": the whole book as the settings file (the versioned JSON document, which a static
//! self-service page can publish) or as a spreadsheet (CSV with the documented header row).
//! Never a secret: the book holds none.
//!
//! Owns: the two choices and the files they make. Must not: format anything itself (core's
//! document and `formats::csv` do). Its code arrives on demand (`ui::on_demand`): a first visit
//! does not pay for the spreadsheet writer.

use leptos::prelude::*;
use mailsetup_core::Document;
use mailsetup_core::formats::csv::write_csv;

use crate::i18n::panel;
use crate::state::Settings;
use crate::ui::download::download_text;
use crate::ui::on_demand::on_demand;

on_demand!(pub ExportChoices(ExportChoicesProps) => fetch_export_choices, draw_export_choices;
    export_code, preload_export_code);

/// The two files, as buttons; `on_done` closes the choices.
#[component]
pub fn ExportChoices(on_done: Callback<()>) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let texts = panel::texts(settings.language);
    let json = move |_| {
        // The document as kept, rejected entries and unknown fields included: nothing is lost.
        let text = settings.document().with_untracked(Document::to_json);
        download_text(&text, "mailsetup-settings.json", "application/json");
        on_done.run(());
    };
    let csv = move |_| {
        let text = settings.with_book(write_csv);
        download_text(&text, "mailsetup-settings.csv", "text/csv;charset=utf-8");
        on_done.run(());
    };
    view! {
        <div class="ms-export" role="group" aria-label=texts.export data-testid="export-choices">
            <p class="ms-field__hint">{texts.export_hint}</p>
            <button type="button" class="ms-button ms-button--small" on:click=json>
                {texts.export_json}
            </button>
            <button type="button" class="ms-button ms-button--small" on:click=csv>
                {texts.export_csv}
            </button>
        </div>
    }
}
