//! The shared shape of every error and warning in mailsetup-core: the [`Problem`] trait.
//!
//! Codes are a stable API. The browser UI translates messages by code (the code is the i18n key)
//! and the REST API returns codes to its clients, so a code, once released, must never change
//! meaning or be reused for something else; add a new code instead. Codes are lowercase
//! `area.snake_case`, e.g. `domain.empty`, and every variant of every enum has its own code, except
//! transparent wrappers (such as `DomainError::Name`), which report the code of what they wrap.
//!
//! This module owns only the trait; it must not know about any concrete error.

/// An error or warning that can be shown to a person and translated.
///
/// `Display` is the English message. It tells the person what to type instead, not only what is
/// wrong, because a form field is where these end up.
pub trait Problem: std::fmt::Display {
    /// Stable machine code, e.g. "domain.empty". Also the i18n message key used by the UI.
    fn code(&self) -> &'static str;

    /// Named values the message interpolates, e.g. `[("suggestion", "example.com")]`. Order-stable.
    fn params(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}
