//! UTS #46 (IDNA) for names: ToASCII as browsers do it, and the Unicode form to show people.
//!
//! Owns: where the Unicode data comes from. With the `unicode-tables` feature (the default: the
//! server, native tests) `idna` maps names with its compiled ICU4X data. Without it (the browser
//! component, where that data would be about a fifth of the download) the embedder installs the
//! browser's own UTS #46 implementation with [`set_uts46_backend`]. ASCII names without `xn--`
//! labels need no data, so they never reach either; the Unicode form only needs Punycode.
//! Must not: judge names (`name.rs` does) or touch the DOM (the embedder's backend does).

use std::sync::OnceLock;

/// UTS #46 ToASCII as the WHATWG URL Standard's "domain to ASCII" does it, supplied by the
/// embedder: in a browser, `new URL("http://" + domain).hostname`. It returns the lowercase ASCII
/// form, or `None` when the browser refuses the domain.
///
/// Core only passes text made of ASCII letters, digits, `-`, `.` and non-ASCII characters that
/// map onto those, and always ends it with an ASCII letter label, so the browser's IPv4 parsing
/// and its forbidden host characters never come into play.
pub type Uts46Backend = fn(&str) -> Option<String>;

static BACKEND: OnceLock<Uts46Backend> = OnceLock::new();

/// Installs the UTS #46 mapping core uses for international names when it was built without the
/// `unicode-tables` feature (the browser build). Call it once before parsing; later calls are
/// ignored, and so is the backend when core has its own tables. Until one is installed, such a
/// build refuses every international name as invalid.
pub fn set_uts46_backend(backend: Uts46Backend) {
    // A second component instance installs the same function again; the first one stays.
    let _ = BACKEND.set(backend);
}

/// Whether core can map international names: it has its tables, or a backend is installed.
pub fn has_uts46() -> bool {
    cfg!(feature = "unicode-tables") || BACKEND.get().is_some()
}

/// Why a name has no ASCII form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unmappable {
    /// UTS #46 refuses the name (or no Unicode data is available).
    Invalid,
    /// A character maps onto ASCII that browsers forbid in host names (fullwidth '：' to ':'),
    /// which only the embedder's backend can not report as a mapping.
    OutsideNames(char),
}

/// The label added after a name for the backend, so browsers never read it as an IPv4 address.
const GUARD_LABEL: &str = ".a";

/// The UTS #46 implementation one parse uses: core's tables or the embedder's backend.
#[derive(Clone, Copy)]
pub(crate) struct Mapper(Option<Uts46Backend>);

impl Mapper {
    /// The one this build uses: its tables if it has them, else the installed backend.
    pub(crate) fn current() -> Mapper {
        if cfg!(feature = "unicode-tables") {
            Mapper(None)
        } else {
            Mapper(BACKEND.get().copied())
        }
    }

    /// Maps through `backend`, as the browser build does; lets native tests compare the two.
    #[cfg(all(test, feature = "unicode-tables"))]
    pub(crate) fn with_backend(backend: Uts46Backend) -> Mapper {
        Mapper(Some(backend))
    }

    /// Maps a name whose ASCII characters are letters, digits, '-' and '.' to its lowercase
    /// ASCII form as `idna::domain_to_ascii` does (no length checks, hyphens allowed, a trailing
    /// dot kept).
    pub(crate) fn to_ascii(self, name: &str) -> Result<String, Unmappable> {
        if name.is_ascii() && !has_punycode_label(name) {
            // UTS #46 maps these characters only by lowercasing: no data needed.
            return Ok(name.to_ascii_lowercase());
        }
        match self.0 {
            Some(backend) => to_ascii_with(name, backend),
            None => to_ascii_with_tables(name),
        }
    }

    /// Whether a character maps, on its own, onto ASCII outside names, such as '＿' onto '_'.
    pub(crate) fn maps_outside_names(self, character: char) -> bool {
        let mut buffer = [0_u8; 4];
        match self.to_ascii(character.encode_utf8(&mut buffer)) {
            Ok(mapped) => mapped.chars().any(|m| !is_name_character(m)),
            Err(Unmappable::OutsideNames(_)) => true,
            Err(Unmappable::Invalid) => false,
        }
    }
}

#[cfg(feature = "unicode-tables")]
fn to_ascii_with_tables(name: &str) -> Result<String, Unmappable> {
    idna::domain_to_ascii(name).map_err(|_| Unmappable::Invalid)
}

#[cfg(not(feature = "unicode-tables"))]
fn to_ascii_with_tables(_name: &str) -> Result<String, Unmappable> {
    Err(Unmappable::Invalid)
}

/// ToASCII through an embedder's backend with browser semantics.
fn to_ascii_with(name: &str, backend: Uts46Backend) -> Result<String, Unmappable> {
    // A browser refuses these outright, where `idna` maps them and name.rs names the character.
    if let Some(character) = name.chars().find(|&c| maps_outside_host(c)) {
        return Err(Unmappable::OutsideNames(character));
    }
    let mapped = map_through(name, backend)?;
    let labels_valid = mapped
        .split('.')
        .all(|label| is_valid_punycode_label(label, backend));
    // Some rules hold across labels (the bidi rule of RFC 5893: a right-to-left label puts
    // every other label under it), so the whole Unicode form must map back onto this name too,
    // as the browser maps a name that is not all ASCII.
    let whole_valid = || {
        !has_punycode_label(&mapped)
            || map_through(&to_unicode(&mapped), backend).is_ok_and(|again| again == mapped)
    };
    if labels_valid && whole_valid() {
        Ok(mapped)
    } else {
        Err(Unmappable::Invalid)
    }
}

/// The backend's ASCII form of `name`, guarded against an IPv4 reading.
fn map_through(name: &str, backend: Uts46Backend) -> Result<String, Unmappable> {
    backend(&format!("{name}{GUARD_LABEL}"))
        .and_then(|mapped| mapped.strip_suffix(GUARD_LABEL).map(str::to_owned))
        .filter(|mapped| mapped.is_ascii())
        .ok_or(Unmappable::Invalid)
}

/// Whether a label of the mapped name is fine as UTS #46 sees `xn--` labels: one that does not
/// start with `xn--`, or one whose Punycode decodes to non-ASCII text that maps back onto exactly
/// this label (so the text is valid and already mapped). Chromium only lowercases a host that is
/// all ASCII and so never checks such labels itself (it accepts `xn--zz`, which is no Punycode).
fn is_valid_punycode_label(label: &str, backend: Uts46Backend) -> bool {
    let Some(encoded) = label.strip_prefix("xn--") else {
        return true;
    };
    let Some(decoded) = idna::punycode::decode_to_string(encoded) else {
        return false;
    };
    !decoded.is_ascii()
        && !decoded.contains('.')
        && !decoded.chars().any(maps_outside_host)
        && map_through(&decoded, backend).is_ok_and(|remapped| remapped == label)
}

/// Whether `c` may appear in the ASCII form of a name (after lowercasing).
pub(crate) fn is_name_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.'
}

fn has_punycode_label(name: &str) -> bool {
    name.split('.').any(|label| {
        label
            .get(..4)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--"))
    })
}

/// The Unicode form of a name that passed [`Mapper::to_ascii`]: its `xn--` labels decoded. Falls back to
/// the ASCII form, which is always correct, if a label does not decode.
pub(crate) fn to_unicode(ascii: &str) -> String {
    if !ascii.contains("xn--") {
        return ascii.to_owned();
    }
    let mut unicode = String::with_capacity(ascii.len());
    for (index, label) in ascii.split('.').enumerate() {
        if index > 0 {
            unicode.push('.');
        }
        match label.strip_prefix("xn--") {
            Some(encoded) => match idna::punycode::decode_to_string(encoded) {
                Some(decoded) if !decoded.is_ascii() => unicode.push_str(&decoded),
                _ => return ascii.to_owned(),
            },
            None => unicode.push_str(label),
        }
    }
    unicode
}

/// Whether UTS #46 maps `c` onto text containing a WHATWG forbidden domain code point (controls,
/// space, `%#/:<>?@[\]^|`), which browsers refuse instead of mapping. The list is generated and
/// checked against `idna` by the test `forbidden_mappings_match_idna`.
fn maps_outside_host(c: char) -> bool {
    !c.is_ascii() && MAPS_TO_FORBIDDEN_HOST_CHARACTER.binary_search(&c).is_ok()
}

/// Sorted; see [`maps_outside_host`].
const MAPS_TO_FORBIDDEN_HOST_CHARACTER: &[char] = &[
    '\u{00A0}', '\u{00A8}', '\u{00AF}', '\u{00B4}', '\u{00B8}', '\u{02D8}', '\u{02D9}', '\u{02DA}',
    '\u{02DB}', '\u{02DC}', '\u{02DD}', '\u{037A}', '\u{0384}', '\u{0385}', '\u{1FBD}', '\u{1FBF}',
    '\u{1FC0}', '\u{1FC1}', '\u{1FCD}', '\u{1FCE}', '\u{1FCF}', '\u{1FDD}', '\u{1FDE}', '\u{1FDF}',
    '\u{1FED}', '\u{1FEE}', '\u{1FFD}', '\u{1FFE}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}',
    '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200A}', '\u{2017}',
    '\u{202F}', '\u{203E}', '\u{2047}', '\u{2048}', '\u{2049}', '\u{205F}', '\u{2100}', '\u{2101}',
    '\u{2105}', '\u{2106}', '\u{2A74}', '\u{3000}', '\u{309B}', '\u{309C}', '\u{FC5E}', '\u{FC5F}',
    '\u{FC60}', '\u{FC61}', '\u{FC62}', '\u{FC63}', '\u{FE13}', '\u{FE16}', '\u{FE47}', '\u{FE48}',
    '\u{FE49}', '\u{FE4A}', '\u{FE4B}', '\u{FE4C}', '\u{FE55}', '\u{FE56}', '\u{FE5F}', '\u{FE64}',
    '\u{FE65}', '\u{FE68}', '\u{FE6A}', '\u{FE6B}', '\u{FE70}', '\u{FE72}', '\u{FE74}', '\u{FE76}',
    '\u{FE78}', '\u{FE7A}', '\u{FE7C}', '\u{FE7E}', '\u{FF03}', '\u{FF05}', '\u{FF0F}', '\u{FF1A}',
    '\u{FF1C}', '\u{FF1E}', '\u{FF1F}', '\u{FF20}', '\u{FF3B}', '\u{FF3C}', '\u{FF3D}', '\u{FF3E}',
    '\u{FF5C}', '\u{FFE3}',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_needs_no_data() {
        let none = Mapper(None);
        assert_eq!(
            none.to_ascii("Mail.Example.COM."),
            Ok("mail.example.com.".into())
        );
        assert_eq!(none.to_ascii("ab--cd.com"), Ok("ab--cd.com".into()));
        assert_eq!(to_unicode("xn--bcher-kva.example"), "bücher.example");
        assert_eq!(to_unicode("mail.example"), "mail.example");
        assert!(has_punycode_label("a.XN--bcher-kva"));
        assert!(!has_punycode_label("xn-.example"));
    }
}

#[cfg(all(test, feature = "unicode-tables"))]
mod table_tests {
    use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

    use super::*;

    /// Whether `idna` maps `c` (alone, or after a letter for combining marks) onto text that the
    /// URL Standard's forbidden domain code points refuse.
    fn maps_to_forbidden(c: char) -> bool {
        let uts46 = Uts46::new();
        [c.to_string(), format!("a{c}")].iter().any(|text| {
            let map =
                |deny| uts46.to_ascii(text.as_bytes(), deny, Hyphens::Allow, DnsLength::Ignore);
            map(AsciiDenyList::EMPTY).is_ok() && map(AsciiDenyList::URL).is_err()
        })
    }

    #[test]
    fn forbidden_mappings_match_idna() {
        let computed: Vec<char> = ('\u{80}'..=char::MAX)
            .filter(|&c| maps_to_forbidden(c))
            .collect();
        assert_eq!(
            MAPS_TO_FORBIDDEN_HOST_CHARACTER,
            computed.as_slice(),
            "{computed:?}"
        );
        assert!(MAPS_TO_FORBIDDEN_HOST_CHARACTER.is_sorted());
    }
}
