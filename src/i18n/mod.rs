//! Every user-visible string, in English and Polish.
//!
//! A typed table: one `Texts` value per language, so a string missing in one language is a
//! compile error, not a blank on screen. Components ask for `texts(language)` and never hold
//! literal UI text themselves.

mod en;
mod pl;

/// A language the component speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Language {
    #[default]
    English,
    Polish,
}

impl Language {
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
}

/// The strings of one language.
pub struct Texts {
    pub settings_heading: &'static str,
    pub settings_empty: &'static str,
}

pub fn texts(language: Language) -> &'static Texts {
    match language {
        Language::English => &en::TEXTS,
        Language::Polish => &pl::TEXTS,
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
        for language in [Language::English, Language::Polish] {
            assert_eq!(Language::from_tag(language.tag()), Some(language));
        }
    }
}
