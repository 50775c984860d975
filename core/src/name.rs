//! DNS name rules shared by [`Domain`](crate::Domain) and [`Host`](crate::Host), so the two can
//! never disagree about what a valid name is.
//!
//! Owns: character checks, UTS #46 mapping to ASCII (as browsers do), label and length limits.
//! Must not: decide whether a single label is acceptable, or recognise e-mail addresses, IP
//! addresses, schemes or ports; those are the callers' business because their answers differ.

use thiserror::Error;

use crate::problem::Problem;
use crate::uts46::{Mapper, Unmappable, is_name_character, to_unicode};

/// Longest DNS label, in octets of its ASCII form (RFC 1035).
const MAX_LABEL_OCTETS: usize = 63;
/// Longest DNS name without the trailing dot, in octets of its ASCII form (RFC 1035).
const MAX_NAME_OCTETS: usize = 253;

/// A DNS name broke one of the rules every domain and server name follows.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error(
        "Remove the character {character:?}: a name can only contain letters, digits, hyphens (-) and dots, such as mail.example.com."
    )]
    InvalidCharacter { character: char },
    #[error("Remove the spaces: a name cannot contain spaces. Enter it like mail.example.com.")]
    ContainsSpace,
    #[error(
        "This international name is not valid. Check its spelling, or enter its ASCII form, such as xn--bcher-kva.example."
    )]
    InvalidInternationalName,
    #[error(
        "Remove the extra dot: every part between dots needs at least one character, such as mail.example.com."
    )]
    EmptyLabel,
    #[error(
        "Shorten \"{label}\": each part between dots can have at most 63 characters, and this one has {length}."
    )]
    LabelTooLong { label: String, length: usize },
    #[error(
        "Enter a shorter name: a name can have at most 253 characters, and this one has {length}."
    )]
    TooLong { length: usize },
    #[error(
        "Remove the hyphen at the start or end of \"{label}\": each part between dots must start and end with a letter or digit."
    )]
    HyphenAtLabelEdge { label: String },
    #[error(
        "Enter a name that ends in letters, such as example.com: the last part cannot be a number."
    )]
    NumericTopLevel,
}

impl Problem for NameError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidCharacter { .. } => "name.invalid_character",
            Self::ContainsSpace => "name.contains_space",
            Self::InvalidInternationalName => "name.invalid_international_name",
            Self::EmptyLabel => "name.empty_label",
            Self::LabelTooLong { .. } => "name.label_too_long",
            Self::TooLong { .. } => "name.too_long",
            Self::HyphenAtLabelEdge { .. } => "name.hyphen_at_label_edge",
            Self::NumericTopLevel => "name.numeric_top_level",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::InvalidCharacter { character } => vec![("character", character.to_string())],
            Self::LabelTooLong { label, length } => {
                vec![("label", label.clone()), ("length", length.to_string())]
            }
            Self::TooLong { length } => vec![("length", length.to_string())],
            Self::HyphenAtLabelEdge { label } => vec![("label", label.clone())],
            Self::ContainsSpace
            | Self::InvalidInternationalName
            | Self::EmptyLabel
            | Self::NumericTopLevel => Vec::new(),
        }
    }
}

/// Maps an already trimmed name to its lowercase ASCII (punycode) form without a trailing dot,
/// checking every label. A single label is allowed here; callers decide whether it is enough.
pub(crate) fn to_ascii_name(trimmed: &str) -> Result<String, NameError> {
    to_ascii_name_with(trimmed, Mapper::current())
}

/// [`to_ascii_name`] with a given UTS #46 implementation.
fn to_ascii_name_with(trimmed: &str, mapper: Mapper) -> Result<String, NameError> {
    if let Some(problem) = character_problem(trimmed) {
        return Err(problem);
    }
    // UTS #46 maps some non-ASCII characters onto forbidden ASCII ones (fullwidth '＿' to '_').
    let mut mapped = match mapper.to_ascii(trimmed) {
        Ok(mapped) => mapped,
        Err(Unmappable::Invalid) => return Err(NameError::InvalidInternationalName),
        Err(Unmappable::OutsideNames(character)) => {
            return Err(NameError::InvalidCharacter {
                character: original_of_mapped(trimmed, mapper).unwrap_or(character),
            });
        }
    };
    // The mapped name is ASCII (the backend's and the lowercase path's output both are); only
    // a mapped international name can hold characters the input did not.
    let mapped_character = if trimmed.is_ascii() {
        None
    } else {
        mapped.chars().find(|&c| !is_name_character(c))
    };
    if let Some(mapped_character) = mapped_character {
        return Err(NameError::InvalidCharacter {
            character: original_of_mapped(trimmed, mapper).unwrap_or(mapped_character),
        });
    }
    // Run after mapping: UTS #46 turns '。' and other full stops into '.', which can create empty labels.
    // The name is returned as mapped, less a trailing dot, and its labels are walked once,
    // without collecting them: a 10,000-domain book parses 30,000 names when it loads. The
    // problems are reported in a fixed order, whichever label has them.
    if mapped.ends_with('.') {
        mapped.pop();
    }
    let name = mapped.as_str();
    let mut empty_label = false;
    let mut long_label = None;
    let mut hyphen_label = None;
    let mut last_label = "";
    for label in name.split('.') {
        empty_label |= label.is_empty();
        if long_label.is_none() && label.len() > MAX_LABEL_OCTETS {
            long_label = Some(label);
        }
        // Checked on the Unicode form too: "-bü" becomes "xn---b-xka", which hides the hyphen.
        // Only a punycode label reads differently; the others are checked as they are.
        let may_have_edge_hyphen =
            label.starts_with("xn--") || label.starts_with('-') || label.ends_with('-');
        if hyphen_label.is_none() && may_have_edge_hyphen {
            let readable = readable_label(label);
            if readable.starts_with('-') || readable.ends_with('-') {
                hyphen_label = Some(readable);
            }
        }
        last_label = label;
    }
    if empty_label {
        return Err(NameError::EmptyLabel);
    }
    if let Some(label) = long_label {
        return Err(NameError::LabelTooLong {
            label: readable_label(label),
            length: label.len(),
        });
    }
    if name.len() > MAX_NAME_OCTETS {
        return Err(NameError::TooLong { length: name.len() });
    }
    if let Some(label) = hyphen_label {
        return Err(NameError::HyphenAtLabelEdge { label });
    }
    // Browsers read a name ending in a number as an IPv4 address (WHATWG "ends in a number"),
    // so such a name would mean different things in a URL and in a mail client.
    if is_numeric_label(last_label) {
        return Err(NameError::NumericTopLevel);
    }
    Ok(mapped)
}

/// White space anywhere, else the first ASCII character a name cannot have. Checked before
/// mapping so the person hears which character is wrong, not just "invalid". One pass, over the
/// bytes when the name is ASCII, as nearly every one is (a 10,000-domain book checks 30,000
/// names on load, and decoding characters costs more than the checks).
fn character_problem(trimmed: &str) -> Option<NameError> {
    if trimmed.is_ascii() {
        first_character_problem(trimmed.bytes().map(char::from))
    } else {
        first_character_problem(trimmed.chars())
    }
}

fn first_character_problem(characters: impl Iterator<Item = char>) -> Option<NameError> {
    let mut invalid = None;
    for character in characters {
        if character.is_whitespace() {
            return Some(NameError::ContainsSpace);
        }
        if character.is_ascii() && !is_name_character(character) {
            invalid.get_or_insert(character);
        }
    }
    invalid.map(|character| NameError::InvalidCharacter { character })
}

/// Whether a label is a number as IPv4 parsers read it: decimal digits, or `0x` and hex digits.
pub(crate) fn is_numeric_label(label: &str) -> bool {
    let is_decimal = !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit());
    let is_hex = label
        .strip_prefix("0x")
        .or_else(|| label.strip_prefix("0X"))
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()));
    is_decimal || is_hex
}

/// The Unicode form of one ASCII label, for messages; the ASCII form if it does not decode.
fn readable_label(ascii_label: &str) -> String {
    to_unicode(ascii_label)
}

/// The first non-ASCII character of `input` that UTS #46 maps onto a forbidden ASCII character.
fn original_of_mapped(input: &str, mapper: Mapper) -> Option<char> {
    input
        .chars()
        .filter(|c| !c.is_ascii())
        .find(|&c| mapper.maps_outside_names(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_map_to_lowercase_ascii_without_trailing_dot() {
        let table = [
            ("example.com", "example.com"),
            ("EXAMPLE.COM", "example.com"),
            ("example.com.", "example.com"),
            ("mailserver", "mailserver"),
            ("Bücher.example", "xn--bcher-kva.example"),
            ("BÜCHER.EXAMPLE.", "xn--bcher-kva.example"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("bücher。example", "xn--bcher-kva.example"),
            ("ａｂｃ.com", "abc.com"),
            ("ab--cd.com", "ab--cd.com"),
            ("123.example", "123.example"),
            ("a1.b2.c3", "a1.b2.c3"),
            ("example.0x1g", "example.0x1g"),
            ("0x1f.example", "0x1f.example"),
        ];
        for (input, expected) in table {
            assert_eq!(to_ascii_name(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn invalid_names_give_the_precise_error() {
        let label_64 = "a".repeat(64);
        let long_name = format!("{0}.{0}.{0}.{1}", "a".repeat(63), "a".repeat(62));
        let table: Vec<(String, NameError)> = vec![
            (
                "exa_mple.com".into(),
                NameError::InvalidCharacter { character: '_' },
            ),
            (
                "exa/mple.com".into(),
                NameError::InvalidCharacter { character: '/' },
            ),
            (
                "example.com,".into(),
                NameError::InvalidCharacter { character: ',' },
            ),
            (
                "x＿y.com".into(),
                NameError::InvalidCharacter { character: '＿' },
            ),
            ("exa mple.com".into(), NameError::ContainsSpace),
            ("exa\u{3000}mple.com".into(), NameError::ContainsSpace),
            ("xn--zz.example".into(), NameError::InvalidInternationalName),
            ("a..b.com".into(), NameError::EmptyLabel),
            (".example.com".into(), NameError::EmptyLabel),
            ("example.com..".into(), NameError::EmptyLabel),
            ("a。。b.com".into(), NameError::EmptyLabel),
            (".".into(), NameError::EmptyLabel),
            (
                format!("{label_64}.com"),
                NameError::LabelTooLong {
                    label: label_64.clone(),
                    length: 64,
                },
            ),
            (long_name, NameError::TooLong { length: 254 }),
            (
                "-a.com".into(),
                NameError::HyphenAtLabelEdge { label: "-a".into() },
            ),
            (
                "a-.com".into(),
                NameError::HyphenAtLabelEdge { label: "a-".into() },
            ),
            (
                "-bü.com".into(),
                NameError::HyphenAtLabelEdge {
                    label: "-bü".into(),
                },
            ),
            ("example.123".into(), NameError::NumericTopLevel),
            ("example.0x1f".into(), NameError::NumericTopLevel),
        ];
        for (input, expected) in table {
            assert_eq!(to_ascii_name(&input), Err(expected), "{input}");
        }
    }

    #[test]
    fn length_limits_are_inclusive() {
        let label_63 = "a".repeat(63);
        assert!(to_ascii_name(&format!("{label_63}.com")).is_ok());
        // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253
        let name_253 = format!("{0}.{0}.{0}.{1}", "a".repeat(63), "a".repeat(61));
        assert_eq!(name_253.len(), 253);
        assert!(to_ascii_name(&name_253).is_ok());
        assert!(to_ascii_name(&format!("{name_253}.")).is_ok());
    }

    /// What a browser's `new URL("http://" + domain).hostname` gives, built from `idna` with
    /// the URL Standard's forbidden code points and its IPv4 reading of a numeric last label.
    /// Like Chromium, it only lowercases a host that is all ASCII, without checking its `xn--`
    /// labels (Chromium reads `xn--zz.example` as it is).
    #[cfg(feature = "unicode-tables")]
    fn browser_like(domain: &str) -> Option<String> {
        let ascii = if domain.is_ascii() {
            std::borrow::Cow::Owned(domain.to_ascii_lowercase())
        } else {
            idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::URL).ok()?
        };
        let without_dot = ascii.strip_suffix('.').unwrap_or(&ascii);
        let last = without_dot.rsplit('.').next().unwrap_or_default();
        // A browser would parse it as IPv4 (or fail); core never lets it get that far.
        if ascii.is_empty() || is_numeric_label(last) {
            return None;
        }
        Some(ascii.into_owned())
    }

    /// The browser build maps through the embedder's backend; it must agree with the tables,
    /// except that for input with a character browsers refuse to map (fullwidth '：') that is
    /// also invalid for another reason, it names the character instead of the name as invalid.
    #[cfg(feature = "unicode-tables")]
    fn check_backend_agrees(input: &str) {
        let with_tables = to_ascii_name(input);
        let with_backend = to_ascii_name_with(input, Mapper::with_backend(browser_like));
        let refused_character = matches!(
            (&with_tables, &with_backend),
            (
                Err(NameError::InvalidInternationalName),
                Err(NameError::InvalidCharacter { .. })
            )
        ) && input
            .chars()
            .any(|c| Mapper::with_backend(browser_like).maps_outside_names(c));
        assert!(
            with_backend == with_tables || refused_character,
            "{input:?}: tables {with_tables:?}, backend {with_backend:?}"
        );
    }

    #[cfg(feature = "unicode-tables")]
    #[test]
    fn the_browser_backend_agrees_with_the_tables() {
        let table = [
            "example.com",
            "Bücher.example",
            "BÜCHER.EXAMPLE.",
            "xn--bcher-kva.example",
            "XN--BCHER-KVA.example",
            "bücher。example",
            "ａｂｃ.com",
            "１２７.０.０.１",
            "a.１２",
            "a.０x1f",
            "x＿y.com",
            "x：y.com",
            "x／y.com",
            "a﹗b：c.com",
            "a：b﹗c.com",
            "xn--zz.example",
            "xn--zz：.example",
            "xn--zz.bücher.example",
            "xn--abc-.example",
            "xn--a-.example",
            "xn--bcher-kva.xn--bcher-kva.example",
            "xn--Bcher-kva.example",
            "xn--bcher-kva-.example",
            "xn--b-ecp.example",
            "xn--ss-.de",
            "xn--zca.de",
            "xn--fa-hia.de",
            "xn--wgv71a119e.jp",
            "xn--a-0fa.example",
            "xn--1ug.example",
            "xn--ls8h.la",
            "a。。b.com",
            "。",
            "-bü.com",
            "bü-.com",
            "faß.de",
            "日本語.jp",
            "пример.рф",
            "مثال.إختبار",
            "a\u{200d}b.com",
            "\u{301}a.com",
            "℀.com",
            "⁇.com",
            "⒈.com",
            "ｘｎ--bcher-kva.example",
            "bücher.example.",
            "ab--cd.com",
            "-a.com",
            "a-.com",
            "example.123",
            "192.0.2.256",
            // Right-to-left labels put every other label under the bidi rule.
            "ik.XN--9IB.4",
            "xn--0G-zz7ixx.xn--dvbl",
        ];
        for input in table {
            check_backend_agrees(input);
        }
        let long_unicode = format!("{}.com", "ü".repeat(70));
        check_backend_agrees(&long_unicode);
    }

    #[cfg(feature = "unicode-tables")]
    proptest::proptest! {
        #[test]
        fn the_browser_backend_agrees_on_generated_names(
            input in "[a-zA-Z0-9.\\-üÜßéａ１。．＿：／？＃﹗⁇℀ー日本\u{200d}\u{301}مثال]{1,16}"
        ) {
            check_backend_agrees(&input);
        }

        #[test]
        fn the_browser_backend_agrees_on_punycode_labels(
            input in "([a-z]{1,3}\\.)?[xX][nN]--[a-zA-Z0-9\\-]{1,10}(\\.(xn--)?[a-z0-9ü]{1,4}){0,2}"
        ) {
            check_backend_agrees(&input);
        }

        #[test]
        fn the_unicode_form_is_what_idna_gives(input in "[a-z0-9.\\-üßéа日本ー]{1,20}") {
            if let Ok(ascii) = to_ascii_name(&input) {
                let (unicode, result) = idna::domain_to_unicode(&ascii);
                proptest::prop_assert!(result.is_ok());
                proptest::prop_assert_eq!(to_unicode(&ascii), unicode);
            }
        }

        #[test]
        fn plain_ascii_maps_as_idna_does(input in "([a-zA-Z0-9-]{0,6}|[xX][nN]--[a-z0-9-]{0,8})(\\.[a-zA-Z0-9-]{0,6}){0,3}\\.?") {
            let expected = idna::domain_to_ascii(&input).ok();
            proptest::prop_assert_eq!(Mapper::current().to_ascii(&input).ok(), expected);
        }
    }
}
