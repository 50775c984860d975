//! One labelled form field with its hint, error and warning, wired for assistive technology:
//! the error sets `aria-invalid` and every message is linked through `aria-describedby`; and a
//! checkbox with its label and hint.
//!
//! Owns: the markup and ARIA of a field. Must not: decide what is valid or when an error
//! shows; the form passes in the message to show, or `None`.

use leptos::prelude::*;

/// A text input.
#[component]
pub fn TextField(
    /// The input's element id (unique on the page); messages derive their ids from it.
    id: String,
    /// The visible label.
    label: &'static str,
    /// What the person typed.
    value: RwSignal<String>,
    /// The error to show now, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The warning to show now, if any; it does not block saving.
    #[prop(into)]
    warning: Signal<Option<String>>,
    /// Called when the field loses focus, so the form can start showing its error.
    on_blur: Callback<()>,
    /// A short explanation under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// Example text shown while empty.
    #[prop(optional)]
    placeholder: Option<&'static str>,
    /// A port number: numeric keyboard on phones, narrow input.
    #[prop(optional)]
    numeric: bool,
    /// Focus this field when the dialog opens.
    #[prop(optional)]
    autofocus: bool,
    /// Shown but not editable, such as settings an administrator chose.
    #[prop(optional, into)]
    read_only: Signal<bool>,
    /// A password: hidden while this is true (a show/hide toggle flips it).
    #[prop(optional)]
    masked: Option<Signal<bool>>,
    /// The `autocomplete` token; "off" when not given.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Extra content under the error, such as a button that opens the existing settings.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let warning_id = format!("{id}-warning");
    let described_by = {
        let (hint_id, error_id, warning_id) =
            (hint_id.clone(), error_id.clone(), warning_id.clone());
        move || {
            let ids: Vec<&str> = [
                hint.is_some().then_some(hint_id.as_str()),
                error.with(Option::is_some).then_some(error_id.as_str()),
                warning.with(Option::is_some).then_some(warning_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="ms-field" class:ms-field--invalid=move || error.with(Option::is_some)>
            <label class="ms-field__label" for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="ms-field__hint" id=hint_id>{hint}</p> })}
            <input
                id=id
                class="ms-input"
                class:ms-input--port=numeric
                type=move || {
                    if masked.is_some_and(|masked| masked.get()) { "password" } else { "text" }
                }
                inputmode=numeric.then_some("numeric")
                autocomplete=autocomplete.unwrap_or("off")
                spellcheck="false"
                autofocus=autofocus
                readonly=move || read_only.get()
                placeholder=placeholder
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
                bind:value=value
                on:blur=move |_| {
                    // The field may be leaving the page with its dialog; then nothing to record.
                    on_blur.try_run(());
                }
            />
            <FieldMessages error warning error_id warning_id/>
            {children.map(|children| children())}
        </div>
    }
}

/// The error and warning lines under a field (also used by the security selects).
/// A checkbox, its label, and a hint the checkbox is described by.
#[component]
pub fn CheckboxField(
    /// The checkbox's element id (unique on the page); the hint's id derives from it.
    id: String,
    /// The visible label.
    label: &'static str,
    /// What the box adds or changes.
    hint: &'static str,
    checked: RwSignal<bool>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="ms-check">
            <input
                type="checkbox"
                id=id.clone()
                aria-describedby=hint_id.clone()
                bind:checked=checked
            />
            <label for=id>{label}</label>
            <p class="ms-field__hint" id=hint_id>{hint}</p>
        </div>
    }
}

#[component]
pub fn FieldMessages(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] warning: Signal<Option<String>>,
    error_id: String,
    warning_id: String,
) -> impl IntoView {
    let texts = crate::i18n::forms::field_texts(use_language());
    view! {
        {move || {
            error
                .get()
                .map(|message| {
                    view! {
                        <p class="ms-field__error" id=error_id.clone()>
                            <span class="ms-visually-hidden">{texts.error_prefix}" "</span>
                            {message}
                        </p>
                    }
                })
        }}
        {move || {
            warning
                .get()
                .map(|message| {
                    view! {
                        <p class="ms-field__warning" id=warning_id.clone()>
                            <span class="ms-visually-hidden">{texts.warning_prefix}" "</span>
                            {message}
                        </p>
                    }
                })
        }}
    }
}

/// The language of the instance this view belongs to.
pub fn use_language() -> crate::i18n::Language {
    use_context::<crate::state::Settings>()
        .map(|settings| settings.language)
        .unwrap_or_default()
}
