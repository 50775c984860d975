//! The "IP addresses to allowlist" section: the provider's SMTP and IMAP lists (or the groups a
//! host page gives instead) with copy buttons, the combined list, the "Copied" announcement or
//! the copy-by-hand fallback, and a checker that says whether an address is in the lists.
//!
//! Owns: the section's layout and its small view state (last announcement, fallback text, the
//! checker's input and answer). Must not: parse addresses, compute ranges, counts, merges or
//! membership itself (`mailsetup_core::Allowlist` does), nor hold literal UI text (`i18n::allowlist`).

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;
use mailsetup_core::{Allowlist, AllowlistGroup, AllowlistGroupKind};

use crate::i18n::allowlist::{self as strings, AllowlistTexts};
use crate::i18n::{Language, problems};
use crate::ui::copy_button::{CopyButton, CopyFallback, CopyOutcome};

/// Several instances may share a page, so every id carries an instance number.
static INSTANCES: AtomicUsize = AtomicUsize::new(0);

fn instance_prefix() -> String {
    format!("ms-allowlist-{}", INSTANCES.fetch_add(1, Ordering::Relaxed))
}

/// The allowlist section of the admin panel.
#[component]
pub fn AllowlistSection(
    /// The language of the section's text.
    language: Language,
    /// The groups a host page gives instead of the provider's lists (checked by core).
    #[prop(optional_no_strip)]
    allowlist: Option<Allowlist>,
) -> impl IntoView {
    let texts = strings::texts(language);
    let allowlist = allowlist.unwrap_or_else(Allowlist::provider_default);
    let prefix = instance_prefix();
    let heading_id = format!("{prefix}-heading");

    let announcement = RwSignal::new(String::new());
    let fallback = RwSignal::new(None::<String>);
    let report = move |copied: String| reporter(announcement, fallback, copied);

    let groups = allowlist
        .groups()
        .iter()
        .enumerate()
        .map(|(index, group)| {
            group_view(
                language,
                texts,
                group,
                &format!("{prefix}-group-{index}"),
                report,
            )
        })
        .collect_view();

    let labelled_by = heading_id.clone();
    view! {
        <section class="ms-section ms-allowlist" aria-labelledby=labelled_by data-testid="allowlist">
            <h2 class="ms-section__title" id=heading_id>{texts.heading}</h2>
            <p class="ms-allowlist__intro">{texts.intro}</p>
            <div class="ms-allowlist__combined">
                <CopyButton
                    text=allowlist.combined_text()
                    label=texts.copy_combined
                    class="ms-button--primary"
                    on_copy=report(strings::copied_combined(language, allowlist.combined().len()))
                />
                <p class="ms-allowlist__hint">{texts.combined_hint}</p>
            </div>
            <p class="ms-allowlist__announcement" role="status" aria-live="polite">
                {move || announcement.get()}
            </p>
            <CopyFallback
                text=fallback.into()
                message=texts.copy_blocked
                close_label=texts.close
                field_id=format!("{prefix}-copy-field")
                on_close=Callback::new(move |()| fallback.set(None))
            />
            <div class="ms-allowlist__groups">{groups}</div>
            <IpChecker language allowlist prefix/>
        </section>
    }
}

/// What a copy button does once its attempt is over: announce `copied`, or offer the text for
/// copying by hand. Every button of the section shares the announcement and the fallback field.
fn reporter(
    announcement: RwSignal<String>,
    fallback: RwSignal<Option<String>>,
    copied: String,
) -> Callback<CopyOutcome> {
    Callback::new(move |outcome: CopyOutcome| match outcome {
        CopyOutcome::Copied => {
            fallback.set(None);
            announcement.set(copied.clone());
        }
        CopyOutcome::Blocked(text) => {
            announcement.set(String::new());
            fallback.set(Some(text));
        }
    })
}

/// One group (the provider's SMTP or IMAP list, or a host's): heading, "Copy all", and each
/// entry with its range and copy button. `id` is the group's id, unique on the page.
fn group_view<F>(
    language: Language,
    texts: &'static AllowlistTexts,
    group: &AllowlistGroup,
    id: &str,
    report: F,
) -> impl IntoView + use<F>
where
    F: Fn(String) -> Callback<CopyOutcome> + Copy,
{
    let heading_id = format!("{id}-heading");
    let heading = strings::group_heading(language, group);
    // The provider's buttons say which list; a host's say "Copy all" and name the group to
    // screen readers (visually it is the heading beside them).
    let (copy_all, copy_all_context) = match (group.name(), group.kind()) {
        (Some(name), _) => (texts.copy_all, name.to_owned()),
        (None, AllowlistGroupKind::Smtp) => (texts.copy_all_smtp, String::new()),
        (None, AllowlistGroupKind::Imap) => (texts.copy_all_imap, String::new()),
    };
    let entries = group
        .entries()
        .iter()
        .map(|entry| {
            let shown = entry.to_string();
            view! {
                <li class="ms-allowlist__entry">
                    <span class="ms-allowlist__entry-text">
                        <span class="ms-allowlist__net">{shown.clone()}</span>
                        {details_view(strings::entry_details(language, entry))}
                    </span>
                    <CopyButton
                        text=shown.clone()
                        label=texts.copy
                        context=shown
                        class="ms-copy-button--compact"
                        on_copy=report(strings::copied_entry(language, entry))
                    />
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="ms-allowlist__group">
            <div class="ms-allowlist__group-header">
                <h3 class="ms-allowlist__group-title" id=heading_id.clone()>
                    {heading}
                </h3>
                <CopyButton
                    text=group.copy_text()
                    label=copy_all
                    context=copy_all_context
                    on_copy=report(strings::copied_group(language, group))
                />
            </div>
            <ul class="ms-allowlist__entries" aria-labelledby=heading_id>
                {entries}
            </ul>
        </div>
    }
}

/// The secondary line; range and count each stay on one line, so a narrow screen wraps
/// between them rather than inside a range.
fn details_view(details: strings::EntryDetails) -> impl IntoView {
    view! {
        <span class="ms-allowlist__details">
            {details
                .range
                .map(|range| {
                    // The dot stays at the end of the range's line; the space may break.
                    let (dot, space) = strings::DETAILS_SEPARATOR.split_at(
                        strings::DETAILS_SEPARATOR.trim_end().len(),
                    );
                    view! {
                        <span class="ms-allowlist__range">{range}{dot}</span>
                        {space}
                    }
                })}
            <span class="ms-allowlist__count">{details.count}</span>
        </span>
    }
}

/// The checker's last answer.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CheckAnswer {
    /// Some entries hold the address.
    Found(String),
    /// No entry holds it.
    NotFound(String),
    /// The text is not an IP address; the sentence says what to type.
    Problem(String),
}

/// "Check an IP address": a field, a button, and the answer.
#[component]
fn IpChecker(
    /// The language of the checker's text.
    language: Language,
    /// The lists the address is checked against.
    allowlist: Allowlist,
    /// The section's id prefix, unique on the page.
    prefix: String,
) -> impl IntoView {
    let texts = strings::texts(language);
    let heading_id = format!("{prefix}-check-heading");
    let input_id = format!("{prefix}-check-input");
    let hint_id = format!("{prefix}-check-hint");
    let error_id = format!("{prefix}-check-error");

    let input = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<CheckAnswer>);
    let has_problem = move || matches!(answer.get(), Some(CheckAnswer::Problem(_)));

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = input.get_untracked();
        let address = text.trim();
        answer.set(Some(match allowlist.contains(&text) {
            Ok(matches) if matches.is_empty() => {
                CheckAnswer::NotFound(strings::check_not_found(language, address))
            }
            Ok(matches) => CheckAnswer::Found(strings::check_found(
                language,
                address,
                &matches,
                allowlist.groups(),
            )),
            Err(problem) => CheckAnswer::Problem(problems::message(language, &problem)),
        }));
    };
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            if has_problem() {
                format!("{error_id} {hint_id}")
            } else {
                hint_id.clone()
            }
        }
    };

    view! {
        <div class="ms-checker">
            <h3 class="ms-checker__title" id=heading_id.clone()>{texts.checker_heading}</h3>
            <p class="ms-checker__hint" id=hint_id>{texts.checker_hint}</p>
            <form class="ms-checker__form" aria-labelledby=heading_id on:submit=on_submit>
                <label class="ms-checker__label" for=input_id.clone()>{texts.ip_label}</label>
                <div class="ms-checker__row">
                    <input
                        id=input_id
                        class="ms-checker__input"
                        type="text"
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        aria-invalid=move || has_problem().then_some("true")
                        aria-describedby=described_by
                        prop:value=move || input.get()
                        on:input=move |event| {
                            input.set(event_target_value(&event));
                            // An answer about other text would mislead.
                            answer.set(None);
                        }
                    />
                    <button type="submit" class="ms-button ms-button--primary">
                        {texts.check}
                    </button>
                </div>
            </form>
            <p
                class="ms-checker__answer"
                class:ms-checker__answer--found=move || {
                    matches!(answer.get(), Some(CheckAnswer::Found(_)))
                }
                role="status"
                aria-live="polite"
            >
                {move || match answer.get() {
                    Some(CheckAnswer::Found(text) | CheckAnswer::NotFound(text)) => text,
                    _ => String::new(),
                }}
            </p>
            {move || match answer.get() {
                Some(CheckAnswer::Problem(text)) => {
                    Some(
                        view! {
                            <p class="ms-checker__error" id=error_id.clone() role="alert">
                                {text}
                            </p>
                        },
                    )
                }
                _ => None,
            }}
        </div>
    }
}
