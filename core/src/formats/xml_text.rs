//! Small XML helpers the formats share ([`super::autoconfig`], [`super::autodiscover`],
//! [`super::apple_profile`]): escaping text for XML 1.0, spotting a document type or entity
//! declaration before parsing, reading text and references, and turning a byte offset into a
//! line and column.
//!
//! Owns: what may appear in written XML text and how an offset is shown to a person.
//! Must not: parse documents (each format reads its own elements) or know any format's names.

use quick_xml::events::Event;

/// `text` as XML character data or attribute value: the five special characters as entities,
/// a carriage return as a character reference (a reader would turn a literal one into a line
/// feed), and characters XML 1.0 does not allow left out.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\r' => escaped.push_str("&#13;"),
            _ if is_xml_char(character) => escaped.push(character),
            _ => {}
        }
    }
    escaped
}

/// Whether XML 1.0 allows `character` in a document (its production `Char`).
pub(crate) fn is_xml_char(character: char) -> bool {
    matches!(character,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `xml` declares a document type or an entity anywhere (even in a comment), ignoring
/// ASCII case: the requests mail programs send never do, and an entity declaration is how an
/// "XML bomb" grows, so such text is refused before it is parsed.
pub(crate) fn declares_dtd(xml: &str) -> bool {
    ["<!DOCTYPE", "<!ENTITY"].iter().any(|needle| {
        xml.as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
    })
}

/// Byte `offset` of `xml` as a 1-based line and column (in characters).
pub(crate) fn line_and_column(xml: &str, offset: u64) -> (usize, usize) {
    let offset = usize::try_from(offset).map_or(xml.len(), |offset| offset.min(xml.len()));
    let before = &xml.as_bytes()[..offset];
    let line_start = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |newline| newline + 1);
    let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
    // Counting the bytes that start a UTF-8 character counts characters.
    let column = before[line_start..]
        .iter()
        .filter(|&&byte| byte & 0xC0 != 0x80)
        .count()
        + 1;
    (line, column)
}

/// Adds what a text event inside an element says to `text`: character data, CDATA, or a
/// reference (a character reference or one of XML's five entities; no other entity exists
/// without a DTD). For any other reference, answers the byte offset of its `&` (`position` is
/// the reader's position just after it). Other events add nothing.
pub(crate) fn append_text(text: &mut String, event: &Event<'_>, position: u64) -> Result<(), u64> {
    match event {
        Event::Text(content) => text.push_str(&content.xml10_content()),
        Event::CData(content) => text.push_str(&content.xml10_content()),
        Event::GeneralRef(reference) => {
            let resolved = match reference.resolve_char_ref() {
                Ok(Some(character)) => Some(character.to_string()),
                Ok(None) => {
                    quick_xml::escape::resolve_predefined_entity(reference).map(str::to_owned)
                }
                Err(_) => None,
            };
            match resolved {
                Some(resolved) => text.push_str(&resolved),
                // Point at the `&` rather than past the `;`.
                None => {
                    let length = u64::try_from(reference.len() + 2).unwrap_or(u64::MAX);
                    return Err(position.saturating_sub(length));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials_and_drops_what_xml_cannot_carry() {
        assert_eq!(
            escape("a&b<c>\"d'\re\u{1}f\u{FFFE}é"),
            "a&amp;b&lt;c&gt;&quot;d&apos;&#13;efé"
        );
    }

    #[test]
    fn spots_declarations_in_any_case() {
        assert!(declares_dtd("<!doctype x [<!entity a 'b'>]><x/>"));
        assert!(declares_dtd("<x><!-- <!ENTITY --></x>"));
        assert!(!declares_dtd("<x>DOCTYPE</x>"));
    }

    #[test]
    fn offsets_become_lines_and_character_columns() {
        assert_eq!(line_and_column("ab\nçd", 6), (2, 3));
        assert_eq!(line_and_column("ab", 99), (1, 3));
    }
}
