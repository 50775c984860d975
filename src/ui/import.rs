//! "Import": settings files read into a preview before anything changes — what is new, what
//! changes (old and new side by side), what is already so, what cannot be imported and why —
//! with "Remove domains that are not in the file" and, when lines cannot be imported, a choice
//! to leave them out. Applying is one change of the book: all of it or nothing.
//!
//! Owns: turning files (the settings file, a spreadsheet, Thunderbird's config-v1.1.xml) into
//! lines, and the preview. Must not: decide validity (core's readers and `import::plan_import`
//! do) or save (`Settings::import` does). Its code arrives on demand (`ui::on_demand`).

use leptos::prelude::*;
use mailsetup_core::formats::csv::read_csv;
use mailsetup_core::formats::read_autoconfig;
use mailsetup_core::formats::settings_file::read_settings_file;
use mailsetup_core::import::{ImportPlan, plan_import};
use mailsetup_core::{EntryDraft, FieldProblem};

use crate::i18n::{Language, import, problems};
use crate::state::Settings;
use crate::ui::domain_table::server_summary;
use crate::ui::modal::{keep_tab_inside, show_modal_when_mounted};
use crate::ui::on_demand::on_demand;
use crate::ui::save_error::describe_change_error;

on_demand!(pub ImportPreview(ImportPreviewProps) => fetch_import_preview, draw_import_preview;
    import_code, preload_import_code);

/// One setting of a file: its settings, or why it cannot be read.
struct Line {
    name: String,
    settings: Result<EntryDraft, String>,
}

/// Every problem of one line, each after the field it is about.
fn by_field(found: &[FieldProblem], language: Language) -> String {
    found
        .iter()
        .map(|problem| match problem.field.as_str() {
            "" => problems::message(language, problem),
            field => format!("{field}: {}", problems::message(language, problem)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every line of the files, in order.
fn read_files(files: &[(String, String)], language: Language) -> Vec<Line> {
    let mut lines = Vec::new();
    for (file_name, text) in files {
        let whole_file = |reason: String| Line {
            name: file_name.clone(),
            settings: Err(reason),
        };
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            match read_csv(text) {
                Err(error) => lines.push(whole_file(problems::message(language, &error))),
                Ok(rows) => lines.extend(rows.into_iter().map(|row| Line {
                    name: if row.domain_text.is_empty() {
                        format!("{file_name}:{}", row.line)
                    } else {
                        row.domain_text
                    },
                    settings: row.settings.map_err(|found| by_field(&found, language)),
                })),
            }
        } else if lower.ends_with(".xml") || text.trim_start().starts_with('<') {
            match read_autoconfig(text) {
                Err(error) => lines.push(whole_file(problems::message(language, &error))),
                Ok(provider) => {
                    for domain in provider.domains {
                        lines.push(Line {
                            name: domain.to_unicode(),
                            settings: provider
                                .imap
                                .clone()
                                .map(|imap| EntryDraft {
                                    domain,
                                    connection: mailsetup_core::Connection::Imap(imap),
                                    include_subdomains: false,
                                })
                                .map_err(|refusal| problems::message(language, &refusal)),
                        });
                    }
                }
            }
        } else {
            match read_settings_file(text) {
                Err(error) => lines.push(whole_file(problems::message(language, &error))),
                Ok(found) => lines.extend(found.into_iter().map(|line| {
                    Line {
                        name: line
                            .domain_text
                            .unwrap_or_else(|| format!("{file_name}:{}", line.position)),
                        settings: line.settings.map_err(|found| by_field(&found, language)),
                    }
                })),
            }
        }
    }
    lines
}

/// The preview of importing `files` (name and text of each), as a modal dialog.
#[component]
pub fn ImportPreview(
    files: Vec<(String, String)>,
    /// Closed: the sentence to announce (what was imported), if anything was.
    on_close: Callback<Option<String>>,
) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let language = settings.language;
    let texts = import::texts(language);
    let lines = read_files(&files, language);
    let unreadable: Vec<(String, String)> = lines
        .iter()
        .filter_map(|line| {
            line.settings
                .as_ref()
                .err()
                .map(|why| (line.name.clone(), why.clone()))
        })
        .collect();
    let drafts: Vec<EntryDraft> = lines
        .into_iter()
        .filter_map(|line| line.settings.ok())
        .collect();
    let remove_missing = RwSignal::new(false);
    let leave_out = RwSignal::new(false);
    let plan = Memo::new(move |_| {
        let remove = remove_missing.get();
        settings.with_book(|book| plan_import(book, &drafts, remove))
    });
    let cannot = Signal::derive({
        let unreadable = unreadable.clone();
        move || {
            let mut all = unreadable.clone();
            plan.with(|plan| {
                all.extend(plan.refused.iter().map(|(draft, refusal)| {
                    (
                        draft.domain.to_unicode(),
                        problems::message(language, refusal),
                    )
                }))
            });
            all
        }
    });
    let error = RwSignal::new(None::<String>);
    let importing = RwSignal::new(false);
    let can_apply = move || {
        plan.with(|plan| !ImportPlan::is_empty(plan))
            && (cannot.with(Vec::is_empty) || leave_out.get())
            && !importing.get()
    };
    let apply = move |_| {
        importing.set(true);
        error.set(None);
        let chosen = plan.get_untracked();
        let remove = remove_missing.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = settings.import(&chosen, remove).await;
            if importing.try_set(false).is_some() {
                return; // closed meanwhile
            }
            match outcome {
                Ok(count) => on_close.run(Some((texts.imported)(count))),
                Err(failed) => error.set(Some(describe_change_error(settings, &failed))),
            }
        });
    };
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    show_modal_when_mounted(dialog_ref);
    let title_id = settings.id("import-title");
    let labelled_by = title_id.clone();
    let remove_id = settings.id("import-remove");
    let leave_out_id = settings.id("import-leave-out");
    let section = move |title: String, items: Vec<String>, testid: &'static str| {
        (!items.is_empty()).then(|| {
            view! {
                <section class="ms-import__group" data-testid=testid>
                    <h3 class="ms-import__title">{title}</h3>
                    <ul>{items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}</ul>
                </section>
            }
        })
    };
    view! {
        <dialog
            node_ref=dialog_ref
            class="ms-drawer ms-import"
            aria-labelledby=labelled_by
            data-testid="import-preview"
            on:keydown=keep_tab_inside(dialog_ref)
            on:cancel=move |event: web_sys::Event| {
                event.prevent_default();
                on_close.run(None);
            }
        >
            <div class="ms-drawer__form">
                <header class="ms-drawer__header">
                    <h2 class="ms-drawer__title" id=title_id>{texts.title}</h2>
                </header>
                <div class="ms-drawer__body">
                    <p class="ms-secondary">{texts.explain}</p>
                    {move || {
                        plan.with(|plan| {
                            let summary = |draft: &EntryDraft| {
                                format!("{}: {}", draft.domain.to_unicode(), server_summary(&draft.connection))
                            };
                            view! {
                                {section(
                                    (texts.added)(plan.added.len()),
                                    plan.added.iter().map(summary).collect(),
                                    "import-added",
                                )}
                                {section(
                                    (texts.changed)(plan.changed.len()),
                                    plan
                                        .changed
                                        .iter()
                                        .map(|(entry, draft)| {
                                            format!(
                                                "{}: {} \u{2192} {}",
                                                draft.domain.to_unicode(),
                                                server_summary(entry.connection()),
                                                server_summary(&draft.connection),
                                            )
                                        })
                                        .collect(),
                                    "import-changed",
                                )}
                                {section(
                                    (texts.unchanged)(plan.unchanged.len()),
                                    plan.unchanged.iter().map(|entry| entry.domain().to_unicode()).collect(),
                                    "import-unchanged",
                                )}
                                {section(
                                    (texts.removed)(plan.removed.len()),
                                    plan.removed.iter().map(|entry| entry.domain().to_unicode()).collect(),
                                    "import-removed",
                                )}
                            }
                        })
                    }}
                    {move || {
                        section(
                            (texts.cannot)(cannot.with(Vec::len)),
                            cannot.get().into_iter().map(|(name, why)| format!("{name} \u{2014} {why}")).collect(),
                            "import-cannot",
                        )
                    }}
                    <div class="ms-check">
                        <input type="checkbox" id=remove_id.clone() bind:checked=remove_missing/>
                        <label for=remove_id>{texts.remove_missing}</label>
                    </div>
                    <Show when=move || !cannot.with(Vec::is_empty)>
                        <div class="ms-check">
                            <input type="checkbox" id=leave_out_id.clone() bind:checked=leave_out/>
                            <label for=leave_out_id.clone()>{texts.leave_out}</label>
                        </div>
                    </Show>
                </div>
                <footer class="ms-drawer__footer">
                    {move || error.get().map(|message| view! { <p class="ms-notice ms-notice--error" role="alert">{message}</p> })}
                    <div class="ms-drawer__actions">
                        <button
                            type="button"
                            class="ms-button ms-button--primary"
                            disabled=move || !can_apply()
                            aria-busy=move || importing.get().then_some("true")
                            on:click=apply
                        >
                            {move || if importing.get() { texts.importing } else { texts.apply }}
                        </button>
                        <button type="button" class="ms-button" on:click=move |_| on_close.run(None)>
                            {texts.cancel}
                        </button>
                    </div>
                </footer>
            </div>
        </dialog>
    }
}
