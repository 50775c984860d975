//! A server's answers as the browser's REST client reads them: the entry a write applied (with
//! the entity tag that must name its revision), the current entry a refused write (412) carries,
//! the sentence of a problem, an entry's history and the removed domains. The server writes
//! these bodies with the
//! same core types (`entry_to_wire`, `entity_tag`), so both ends agree by construction.
//!
//! Owns: reading answers into typed values, and calling an answer that breaks the contract a
//! misconfiguration. Must not: send anything, or decide what the person sees.

use serde_json::Value;
use thiserror::Error;

use crate::book::{Entry, Timestamp};
use crate::change::{Applied, Change, ChangeAction};
use crate::domain::Domain;

use super::{entry_from_stored, revision_of_tag};

/// An answer that does not keep the API's contract: whoever runs the server must look at it.
/// Never a reason to overwrite anything.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerError {
    /// A write's answer without an `ETag` naming the revision of the entry it carries (a proxy
    /// that drops headers, or a server that does not send them).
    #[error("the server's answer has no readable ETag naming the saved revision")]
    MissingTag,
    /// The body is not what the API promises.
    #[error("the server's answer is not readable: {0}")]
    Unreadable(String),
}

/// What a successful write (200 or 201 with the entry, 204 for a removal) applied. `etag` is
/// the answer's `ETag` header: it must name the revision of the entry in `body`.
pub fn applied_from_answer(
    change: &Change,
    etag: Option<&str>,
    body: &str,
) -> Result<Applied, AnswerError> {
    let action = change.action();
    if let Change::Remove { domain, .. } = change {
        return Ok(Applied {
            action,
            domain: domain.clone(),
            previous_domain: None,
            entry: None,
            // A removal's answer has no body; the list read after it brings the sequence.
            sequence: 0,
            restored_from: None,
        });
    }
    let entry = entry_from_stored(body).map_err(|problems| {
        AnswerError::Unreadable(format!("{} problem(s) in the saved entry", problems.len()))
    })?;
    let tagged = etag.and_then(revision_of_tag);
    if tagged != Some(entry.revision()) {
        return Err(AnswerError::MissingTag);
    }
    let previous_domain = match change {
        Change::Rename { from, .. } | Change::Restore { at: from, .. }
            if from != entry.domain() =>
        {
            Some(from.clone())
        }
        _ => None,
    };
    let restored_from = match change {
        Change::Restore { restored_from, .. } => Some(*restored_from),
        _ => None,
    };
    let action = match (action, &previous_domain) {
        (ChangeAction::Renamed, None) => ChangeAction::Updated,
        (action, _) => action,
    };
    Ok(Applied {
        action,
        domain: entry.domain().clone(),
        previous_domain,
        sequence: entry.revision(),
        entry: Some(entry),
        restored_from,
    })
}

/// The entry as it stands now, from the body of a refused write (412 and 409 carry `current`
/// and its `etag`): `None` when the entry was removed meanwhile.
pub fn current_from_refusal(body: &str) -> Result<Option<Entry>, AnswerError> {
    let value: Value =
        serde_json::from_str(body).map_err(|error| AnswerError::Unreadable(error.to_string()))?;
    let Some(current) = value.get("current") else {
        return Err(AnswerError::MissingTag);
    };
    if current.is_null() {
        return Ok(None);
    }
    let entry = entry_from_stored(&current.to_string()).map_err(|problems| {
        AnswerError::Unreadable(format!(
            "{} problem(s) in the current entry",
            problems.len()
        ))
    })?;
    let tagged = value
        .get("etag")
        .and_then(Value::as_str)
        .and_then(revision_of_tag);
    if tagged != Some(entry.revision()) {
        return Err(AnswerError::MissingTag);
    }
    Ok(Some(entry))
}

/// The `detail` sentence of a problem body (RFC 9457), if there is one.
pub fn problem_detail(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    value.get("detail")?.as_str().map(str::to_owned)
}

/// One change in an entry's history, as `GET …/{domain}/history` lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub action: ChangeAction,
    pub domain: Domain,
    /// The old name, for a rename (and for a restore that moved the entry back to its name).
    pub previous_domain: Option<Domain>,
    pub revision: u64,
    /// Who made the change (the name of their access token).
    pub actor: String,
    pub at: Timestamp,
    /// The revision a restore wrote back; `None` for every other change.
    pub restored_from: Option<u64>,
    /// The entry after the change, read by core's own entry reader through today's rules:
    /// what restoring this revision would write back. `None` for a removal, or when the
    /// stored entry no longer reads (the record is kept all the same).
    pub entry: Option<Entry>,
}

/// The records of a history answer, newest first, as the server sent them. A record this
/// version cannot read (an action it does not know) is left out rather than failing the rest.
pub fn history_from_answer(body: &str) -> Result<Vec<HistoryRecord>, AnswerError> {
    let value: Value =
        serde_json::from_str(body).map_err(|error| AnswerError::Unreadable(error.to_string()))?;
    let changes = value
        .get("changes")
        .and_then(Value::as_array)
        .ok_or_else(|| AnswerError::Unreadable("no list of changes".into()))?;
    Ok(changes.iter().filter_map(history_record).collect())
}

fn history_record(value: &Value) -> Option<HistoryRecord> {
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    Some(HistoryRecord {
        action: ChangeAction::from_name(text("action")?)?,
        domain: Domain::parse(text("domain")?).ok()?,
        previous_domain: text("previous_domain").and_then(|name| Domain::parse(name).ok()),
        revision: value.get("revision")?.as_u64()?,
        actor: text("actor")?.to_owned(),
        at: Timestamp::from_unix_ms(value.get("at_unix_ms")?.as_i64()?),
        restored_from: value.get("restored_from").and_then(Value::as_u64),
        entry: value.get("entry").and_then(stored_entry),
    })
}

/// An entry of an answer, read as core reads stored entries; `None` for null or what does
/// not read.
fn stored_entry(value: &Value) -> Option<Entry> {
    if value.is_null() {
        return None;
    }
    entry_from_stored(&value.to_string()).ok()
}

/// A domain whose last change removed its settings, as `GET /api/v1/removed-email-domains`
/// lists them. Reviving it restores the revision of `entry` (`If-None-Match: *`).
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedEntry {
    pub domain: Domain,
    /// The removal's revision (the sequence it took).
    pub revision: u64,
    /// Who removed it (the name of their access token).
    pub actor: String,
    pub at: Timestamp,
    /// The entry as it was before the removal; its `revision()` is the one to restore.
    pub entry: Entry,
}

/// The removed domains of the answer, newest removal first, as the server sent them. An item
/// this version cannot read (its entry included) is left out rather than failing the rest.
pub fn removed_from_answer(body: &str) -> Result<Vec<RemovedEntry>, AnswerError> {
    let value: Value =
        serde_json::from_str(body).map_err(|error| AnswerError::Unreadable(error.to_string()))?;
    let removed = value
        .get("removed")
        .and_then(Value::as_array)
        .ok_or_else(|| AnswerError::Unreadable("no list of removed domains".into()))?;
    Ok(removed.iter().filter_map(removed_entry).collect())
}

fn removed_entry(value: &Value) -> Option<RemovedEntry> {
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    Some(RemovedEntry {
        domain: Domain::parse(text("domain")?).ok()?,
        revision: value.get("revision")?.as_u64()?,
        actor: text("actor")?.to_owned(),
        at: Timestamp::from_unix_ms(value.get("at_unix_ms")?.as_i64()?),
        entry: stored_entry(value.get("entry")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{T1, book_with, domain, draft, imap};
    use crate::wire::{entity_tag, entry_to_wire};

    fn saved() -> (Change, Entry) {
        let mut book = book_with(&[("a.example", imap("a.example"), false)]);
        let change = Change::Rename {
            from: domain("a.example"),
            expected_revision: 1,
            draft: draft("b.example", imap("b.example"), true),
        };
        let applied = book.apply(change.clone(), T1).unwrap();
        (change, applied.entry.unwrap())
    }

    #[test]
    fn a_write_answer_is_the_applied_change_when_its_tag_names_the_entry() {
        let (change, entry) = saved();
        let body = entry_to_wire(&entry);
        let applied =
            applied_from_answer(&change, Some(&entity_tag(entry.revision())), &body).unwrap();
        assert_eq!(applied.action, ChangeAction::Renamed);
        assert_eq!(applied.previous_domain, Some(domain("a.example")));
        assert_eq!(applied.sequence, 2);
        assert_eq!(applied.entry, Some(entry.clone()));
        // No tag, another revision's tag, a weak or unquoted tag: never trusted.
        for tag in [None, Some("\"7\""), Some("W/\"2\""), Some("2")] {
            assert_eq!(
                applied_from_answer(&change, tag, &body),
                Err(AnswerError::MissingTag),
                "{tag:?}"
            );
        }
        assert!(matches!(
            applied_from_answer(&change, Some("\"2\""), "{}"),
            Err(AnswerError::Unreadable(_))
        ));
    }

    #[test]
    fn a_refusal_carries_the_current_entry_or_says_it_was_removed() {
        let (_, entry) = saved();
        let body = format!(
            r#"{{"status":412,"detail":"changed","current":{},"etag":"{}"}}"#,
            entry_to_wire(&entry),
            entity_tag(entry.revision()).replace('"', "\\\"")
        );
        assert_eq!(current_from_refusal(&body), Ok(Some(entry)));
        assert_eq!(
            current_from_refusal(r#"{"current":null,"etag":null}"#),
            Ok(None)
        );
        assert_eq!(
            current_from_refusal(r#"{"status":412}"#),
            Err(AnswerError::MissingTag)
        );
        assert_eq!(problem_detail(&body).as_deref(), Some("changed"));
        assert_eq!(problem_detail("<html>"), None);
    }

    #[test]
    fn history_records_are_read_and_unknown_actions_left_out() {
        let body = r#"{"domain":"b.example","changes":[
            {"action":"renamed","domain":"b.example","previous_domain":"a.example","revision":2,
             "actor":"ops-admin","at_unix_ms":1700000000000,"entry":{}},
            {"action":"merged","domain":"b.example","revision":1,"actor":"x","at_unix_ms":1},
            {"action":"added","domain":"a.example","previous_domain":null,"revision":1,
             "actor":"ops-admin","at_unix_ms":1690000000000,"entry":{}}]}"#;
        let records = history_from_answer(body).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].action, ChangeAction::Renamed);
        assert_eq!(records[0].previous_domain, Some(domain("a.example")));
        assert_eq!(records[0].actor, "ops-admin");
        assert_eq!(records[1].at, Timestamp::from_unix_ms(1_690_000_000_000));
        // An entry that does not read leaves the record without one.
        assert_eq!(
            (records[0].entry.clone(), records[0].restored_from),
            (None, None)
        );
        assert!(history_from_answer("[]").is_err());
    }

    #[test]
    fn a_restore_record_names_its_revision_and_carries_the_entry() {
        let (_, entry) = saved();
        let body = format!(
            r#"{{"domain":"b.example","changes":[{{"action":"restored","domain":"b.example",
            "previous_domain":null,"revision":2,"actor":"ops","at_unix_ms":5,
            "restored_from":1,"entry":{}}},{{"action":"removed","domain":"b.example",
            "previous_domain":null,"revision":1,"actor":"ops","at_unix_ms":4,
            "restored_from":null,"entry":null}}]}}"#,
            entry_to_wire(&entry)
        );
        let records = history_from_answer(&body).unwrap();
        assert_eq!(records[0].action, ChangeAction::Restored);
        assert_eq!(records[0].restored_from, Some(1));
        assert_eq!(records[0].entry, Some(entry));
        assert_eq!(
            (records[1].restored_from, records[1].entry.clone()),
            (None, None)
        );
    }

    #[test]
    fn a_restores_answer_is_the_applied_restore() {
        let (_, entry) = saved();
        // The entry came back under b.example from a.example's place.
        let change = Change::Restore {
            at: domain("a.example"),
            expected_revision: Some(1),
            draft: entry.to_draft(),
            restored_from: 1,
        };
        let tag = entity_tag(entry.revision());
        let applied = applied_from_answer(&change, Some(&tag), &entry_to_wire(&entry)).unwrap();
        assert_eq!(applied.action, ChangeAction::Restored);
        assert_eq!(applied.previous_domain, Some(domain("a.example")));
        assert_eq!(applied.restored_from, Some(1));
        assert_eq!(applied.entry, Some(entry.clone()));
        let in_place = Change::Restore {
            at: domain("b.example"),
            expected_revision: None,
            draft: entry.to_draft(),
            restored_from: 1,
        };
        let applied = applied_from_answer(&in_place, Some(&tag), &entry_to_wire(&entry)).unwrap();
        assert_eq!(applied.previous_domain, None);
        assert_eq!(
            applied_from_answer(&in_place, None, &entry_to_wire(&entry)),
            Err(AnswerError::MissingTag)
        );
    }

    #[test]
    fn removed_domains_are_read_and_unreadable_items_left_out() {
        let (_, entry) = saved();
        let body = format!(
            r#"{{"removed":[
            {{"domain":"b.example","revision":9,"actor":"ops","at_unix_ms":7,"entry":{}}},
            {{"domain":"c.example","revision":8,"actor":"ops","at_unix_ms":6,"entry":{{}}}},
            {{"domain":"no domain","revision":7,"actor":"ops","at_unix_ms":5,"entry":{}}}]}}"#,
            entry_to_wire(&entry),
            entry_to_wire(&entry)
        );
        let removed = removed_from_answer(&body).unwrap();
        assert_eq!(
            removed,
            [RemovedEntry {
                domain: domain("b.example"),
                revision: 9,
                actor: "ops".into(),
                at: Timestamp::from_unix_ms(7),
                entry,
            }]
        );
        assert_eq!(removed_from_answer(r#"{"removed":[]}"#), Ok(Vec::new()));
        assert!(removed_from_answer(r#"{"changes":[]}"#).is_err());
    }
}
