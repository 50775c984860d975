//! The "Exchange & IMAP settings" section: its heading and, while no domain is set up, the
//! sentence that explains what the settings do.

use leptos::prelude::*;

use crate::i18n::{Language, panel};

/// The settings section of the admin panel.
#[component]
pub fn SettingsPanel(
    /// The language of the section's text.
    language: Language,
) -> impl IntoView {
    let texts = panel::texts(language);
    view! {
        <section class="ms-section" aria-labelledby="ms-settings-heading">
            <h2 class="ms-section__title" id="ms-settings-heading">{texts.settings_heading}</h2>
            <p class="ms-empty" data-testid="settings-empty">{texts.settings_empty}</p>
        </section>
    }
}
