//! Every user-visible string, in English and Polish.
//!
//! Small typed tables per area of the component (`panel`, `forms`, `connect`, `allowlist`,
//! `storage`, `problems`): each area file holds its structs with their English and Polish values
//! side by side, so a string missing in one language is a compile error, not a blank on screen.
//! Components call `area::texts(language)` (or an area's smaller table, such as
//! `forms::field_texts`) and never hold literal UI text themselves. A part that loads on demand
//! has its text in tables only it uses, so the text travels with its code; the Polish tables load
//! on demand as a whole (`polish`).
//! English names of sections, buttons and fields match the original help-center article; Polish
//! follows the Polish article's vocabulary.

pub mod allowlist;
pub mod connect;
pub mod forms;
pub mod history;
pub mod import;
pub mod panel;
pub mod polish;
pub mod problems;
pub mod server;
pub mod server_check;
pub mod storage;

/// A language the component speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    #[default]
    English,
    Polish,
}

impl Language {
    /// Every language, in the order a switcher lists them.
    pub const ALL: [Language; 2] = [Language::English, Language::Polish];

    /// Reads a BCP 47 tag such as `pl`, `pl-PL` or `en-GB`; `None` for languages we lack.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Language::English),
            "pl" => Some(Language::Polish),
            _ => None,
        }
    }

    /// The tag the component puts in its own `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Polish => "pl",
        }
    }

    /// The language's name in itself, for a language switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Polish => "Polski",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_language_tags() {
        assert_eq!(Language::from_tag("pl"), Some(Language::Polish));
        assert_eq!(Language::from_tag("pl-PL"), Some(Language::Polish));
        assert_eq!(Language::from_tag(" EN-gb "), Some(Language::English));
        assert_eq!(Language::from_tag("de"), None);
        assert_eq!(Language::from_tag(""), None);
    }

    #[test]
    fn tags_round_trip() {
        for language in Language::ALL {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
        }
    }
}
