//! What every handler reads from a request before core sees it: a JSON body (media type, size,
//! UTF-8), the conditional headers (`If-Match`, `If-None-Match`) and entity tags.
//!
//! `If-Match` as RFC 9110 (13.1.1) reads it: a list of entity tags compared strongly. A
//! well-formed tag this server never issued (a weak one, `"stale-tag"`, a number beyond any
//! revision) is simply not a match, so the write is refused as stale (412 with the current
//! entry) — it stands for [`UNMATCHED_REVISION`]. Only a value that is no entity tag at all is
//! a 400, and so is a list naming several of this server's tags (a write checks one revision).
//!
//! Owns: the HTTP-level checks of a request and their mapping to [`ApiError`]s.
//! Must not: look inside a body (core's `wire` reads entries; handlers read their own small
//! bodies) or know about the store.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};

use mailsetup_core::wire::{self, Precondition};

use crate::error::ApiError;

/// The largest request body accepted (64 KiB): an entry is well under 2 KiB.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// The largest import accepted (8 MiB): 10,000 domains take about 2.5 MiB.
pub const IMPORT_BODY_LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// A request body sent as `Content-Type: application/json`, as UTF-8 text, not yet parsed.
#[derive(Debug)]
pub struct JsonText(pub String);

impl<S: Send + Sync> FromRequest<S> for JsonText {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
                        limit_kib: BODY_LIMIT_BYTES / 1024,
                    },
                    _ => ApiError::Malformed("The request body could not be read.".into()),
                })?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
            ApiError::Malformed("The request body is not UTF-8 text. Send JSON in UTF-8.".into())
        })?;
        Ok(JsonText(text))
    }
}

/// `text` as JSON, or the 400 that names where it stops being JSON and shows `example`.
pub fn json_value(text: &str, example: &str) -> Result<serde_json::Value, ApiError> {
    serde_json::from_str(text).map_err(|error| ApiError::NotJson {
        detail: format!(
            "The request body is not valid JSON (line {}, column {}). Send {example}.",
            error.line(),
            error.column()
        ),
        code: "request.not_json",
        params: vec![
            ("line", error.line().to_string()),
            ("column", error.column().to_string()),
        ],
    })
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// The revision a well-formed `If-Match` tag this server never issued stands for: none ever
/// has it (revisions and sequences are stored as signed 64-bit integers), so a write naming it
/// is refused as stale, with the current entry.
pub const UNMATCHED_REVISION: u64 = u64::MAX;

/// The precondition of a PUT: exactly one of `If-None-Match: *` or `If-Match` with one tag.
pub fn put_precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    absent_or_revision(
        headers,
        "Send either If-None-Match: * (to create) or If-Match with the entry's ETag (to change it), not both.",
        "To create an entry send If-None-Match: * (only the star is accepted on a PUT).",
        "Send If-None-Match: * to create this entry, or If-Match with its ETag to change it, so that nobody's change is overwritten unseen.",
    )
}

/// The precondition of a restore: `If-Match` with the ETag of the entry now at the path's
/// domain, or `If-None-Match: *` to revive a removed one.
pub fn restore_precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    absent_or_revision(
        headers,
        "Send either If-Match with the ETag of the entry now at this domain, or If-None-Match: * to revive a removed one, not both.",
        "To revive a removed entry send If-None-Match: * (only the star is accepted here).",
        "Send If-Match with the ETag of the entry now at this domain (or If-None-Match: * when none is there), so that nobody's change is overwritten unseen.",
    )
}

/// Exactly one of `If-None-Match: *` or `If-Match`, each refusal worded by the caller.
fn absent_or_revision(
    headers: &HeaderMap,
    both: &str,
    not_star: &str,
    neither: &'static str,
) -> Result<Precondition, ApiError> {
    let if_match = header_text(headers, header::IF_MATCH)?;
    let if_none_match = header_text(headers, header::IF_NONE_MATCH)?;
    match (if_match, if_none_match) {
        (Some(_), Some(_)) => Err(ApiError::InvalidPrecondition(both.into())),
        (None, Some(value)) if value.trim() == "*" => Ok(Precondition::Absent),
        (None, Some(_)) => Err(ApiError::InvalidPrecondition(not_star.into())),
        (Some(value), None) => revision_from_if_match(value).map(Precondition::Revision),
        (None, None) => Err(ApiError::PreconditionRequired(neither)),
    }
}

/// The revision a DELETE expects (`If-Match: "N"`).
pub fn delete_precondition(headers: &HeaderMap) -> Result<u64, ApiError> {
    required_if_match(
        headers,
        "Send If-Match with the entry's ETag to remove it, so that nobody's change is removed unseen.",
    )
}

/// The collection's sequence an import was previewed against (`If-Match: "N"`, the list's
/// `ETag`).
pub fn import_precondition(headers: &HeaderMap) -> Result<u64, ApiError> {
    required_if_match(
        headers,
        "Send If-Match with the list's ETag the import was previewed against, so that nobody's change is overwritten unseen.",
    )
}

/// The one tag of a required `If-Match`; without one, 428 saying `what_to_send`.
fn required_if_match(headers: &HeaderMap, what_to_send: &'static str) -> Result<u64, ApiError> {
    match header_text(headers, header::IF_MATCH)? {
        Some(value) => revision_from_if_match(value),
        None => Err(ApiError::PreconditionRequired(what_to_send)),
    }
}

/// Whether `If-None-Match` names `current` (weak comparison, as RFC 9110 says for it).
pub fn none_match_hits(headers: &HeaderMap, current: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == current)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(&name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::InvalidPrecondition(format!(
            "Send one {name} header, with one entity tag."
        )));
    }
    first.to_str().map(Some).map_err(|_| {
        ApiError::InvalidPrecondition(format!("The {name} header is not readable text."))
    })
}

/// The revision `If-Match` names: the one strong tag of this server's among its tags, or
/// [`UNMATCHED_REVISION`] when it names none of them.
fn revision_from_if_match(value: &str) -> Result<u64, ApiError> {
    if value.trim() == "*" {
        return Err(ApiError::PreconditionRequired(
            "If-Match: * is not enough here: send the entry's ETag (such as \"17\") so that nobody's change is overwritten unseen.",
        ));
    }
    let tags = entity_tags(value).ok_or_else(|| {
        ApiError::InvalidPrecondition(format!(
            "If-Match must be an entity tag as the ETag header gave it, such as \"17\" (with the quotes); got {}.",
            shorten(value.trim())
        ))
    })?;
    let mut ours = tags
        .into_iter()
        .filter(|tag| !tag.weak)
        .filter_map(|tag| wire::revision_of_tag(tag.quoted));
    let Some(revision) = ours.next() else {
        return Ok(UNMATCHED_REVISION);
    };
    if ours.any(|other| other != revision) {
        return Err(ApiError::InvalidPrecondition(
            "If-Match names several of this server's entity tags; send the one the ETag header gave you.".into(),
        ));
    }
    Ok(revision)
}

/// One entity tag of a header's list (RFC 9110 8.8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EntityTag<'a> {
    weak: bool,
    /// The opaque tag with its quotes: `"17"`.
    quoted: &'a str,
}

/// The entity tags of a list (`"1", W/"x"`; empty elements allowed, as RFC 9110 5.6.1 says), or
/// `None` when the value is not such a list.
fn entity_tags(value: &str) -> Option<Vec<EntityTag<'_>>> {
    let mut tags = Vec::new();
    let mut rest = value.trim_matches([' ', '\t']);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start_matches([' ', '\t']);
            continue;
        }
        let (weak, opaque) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let inner = opaque.strip_prefix('"')?;
        let end = inner.find('"')?;
        let tag_text = &inner[..end];
        // etagc: %x21 / %x23-7E (and obs-text, which a readable header value cannot hold).
        if !tag_text
            .bytes()
            .all(|byte| byte == 0x21 || (0x23..=0x7e).contains(&byte))
        {
            return None;
        }
        tags.push(EntityTag {
            weak,
            quoted: &opaque[..end + 2],
        });
        rest = inner[end + 1..].trim_start_matches([' ', '\t']);
        if !rest.is_empty() && !rest.starts_with(',') {
            return None;
        }
    }
    (!tags.is_empty()).then_some(tags)
}

/// A header value cut for quoting in a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn put_preconditions() {
        assert_eq!(
            put_precondition(&headers(&[(header::IF_NONE_MATCH, "*")])).unwrap(),
            Precondition::Absent
        );
        let if_match = |value: &str| put_precondition(&headers(&[(header::IF_MATCH, value)]));
        assert_eq!(if_match("\"17\"").unwrap(), Precondition::Revision(17));
        // Well-formed tags this server never issued: not a match (412 once core sees them).
        for foreign in [
            "W/\"17\"",
            "\"\"",
            "\"-1\"",
            "\"stale-tag\"",
            "\"99999999999999999999999\"",
            "W/\"1\", \"x,y\"",
        ] {
            assert_eq!(
                if_match(foreign).unwrap(),
                Precondition::Revision(UNMATCHED_REVISION),
                "{foreign}"
            );
        }
        // One of ours among foreign ones, empty list elements, the same tag twice: that one.
        assert_eq!(
            if_match(" W/\"3\", ,\"x\",\t\"4\" , \"4\"").unwrap(),
            Precondition::Revision(4)
        );
        // Not entity tags at all, or several of ours: 400.
        for bad in [
            "17",
            "stale-tag",
            "\"17",
            "\"1\" \"2\"",
            "W/17",
            "w/\"17\"",
            "\"a b\"",
            ",",
            "\"1\", \"2\"",
        ] {
            assert!(
                matches!(if_match(bad), Err(ApiError::InvalidPrecondition(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            put_precondition(&HeaderMap::new()),
            Err(ApiError::PreconditionRequired(_))
        ));
        assert!(matches!(
            if_match("*"),
            Err(ApiError::PreconditionRequired(_))
        ));
        assert!(matches!(
            delete_precondition(&headers(&[(header::IF_MATCH, "\"stale-tag\"")])),
            Ok(UNMATCHED_REVISION)
        ));
        assert!(matches!(
            restore_precondition(&HeaderMap::new()),
            Err(ApiError::PreconditionRequired(_))
        ));
        assert!(matches!(
            restore_precondition(&headers(&[
                (header::IF_MATCH, "\"1\""),
                (header::IF_NONE_MATCH, "*")
            ])),
            Err(ApiError::InvalidPrecondition(_))
        ));
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists() {
        let list = headers(&[(header::IF_NONE_MATCH, "\"3\", W/\"5\"")]);
        assert!(none_match_hits(&list, "\"5\""));
        assert!(!none_match_hits(&list, "\"4\""));
        assert!(!none_match_hits(&HeaderMap::new(), "\"4\""));
    }
}
