//! The REST API's bodies, read and written by the same code on both ends: the browser's REST
//! client and the server. An entry travels in the shape of an entry of the stored document
//! (`domain`, `type`, `incoming`, `outgoing`, `url`, ...), and the collection in the shape of
//! the document itself, so one format is read and written everywhere.
//!
//! Owns: turning bodies into typed values and back; with `request.rs`, a change as a request
//! and back; with `retry.rs`, when a client sends a request again. Must not: decide validity
//! itself (the document's entry reader and the parse functions do) or do any I/O.

mod answer;
mod check;
mod import;
mod request;
mod retry;

pub use answer::{
    AnswerError, HistoryRecord, RemovedEntry, applied_from_answer, current_from_refusal,
    history_from_answer, problem_detail, removed_from_answer,
};
pub use check::{
    CONNECTION_CHECKS_PATH, CertificateReport, CheckCode, CheckOutcome, CheckReport, CheckRequest,
    CheckRequestError, CheckStep, CheckStreamLine, CheckWarning, CheckedServer, StepProblem,
    StepReport, StepState, Suggestion, TlsReport, check_request_from, check_request_text,
    check_stream_line,
};
pub use import::{IMPORT_PATH, ImportRequest, ImportSummary};
pub use request::{
    ENTRIES_PATH, Precondition, REMOVED_PATH, RequestError, WriteMethod, WriteRequest,
    change_from_delete, change_from_put, draft_to_wire, entity_tag, entry_path, is_own_attempt,
    restore_path, revision_of_tag, write_request,
};
pub use retry::{Attempted, RetryPolicy, retry_after_ms};

use serde_json::Value;
use thiserror::Error;

use crate::book::{Entry, EntryDraft, SettingsBook};
use crate::certificate_trust::CertificateTrust;
use crate::document::{
    DOCUMENT_VERSION, Document, EntrySource, FieldProblem, TrustSaid, read_entry_from,
    read_entry_saying,
};
use crate::problem::Problem;

/// Why a sent entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error(
        "The request body is not valid JSON (line {line}, column {column}). Send one domain's settings as a JSON object."
    )]
    NotJson { line: usize, column: usize },
    /// The body is JSON, but these fields are missing or invalid: every problem, by field.
    #[error(
        "The settings have {} problem(s). Correct the fields named with them and send them again.",
        .0.len()
    )]
    Invalid(Vec<FieldProblem>),
}

impl Problem for WireError {
    fn code(&self) -> &'static str {
        match self {
            WireError::NotJson { .. } => "wire.not_json",
            WireError::Invalid(_) => "wire.invalid_entry",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            WireError::NotJson { line, column } => {
                vec![("line", line.to_string()), ("column", column.to_string())]
            }
            WireError::Invalid(problems) => vec![("count", problems.len().to_string())],
        }
    }
}

/// The settings a client sent for one domain. `revision` and `updated_at_unix_ms` may be
/// present (a client sending back what it read) and are ignored; any other unknown field is
/// refused. What the body said about certificate trust is not kept: a PUT reads its body with
/// [`sent_entry_from_wire`].
pub fn entry_from_wire(body: &str) -> Result<EntryDraft, WireError> {
    sent_entry_from_wire(body).map(|sent| sent.draft)
}

/// A PUT's body: the settings a client sent for one domain (read as [`entry_from_wire`] reads
/// them), and whether they said how certificates are trusted. A client that predates
/// `certificate_trust` sends no trust, or only `allow_insecure_certificates`; false there says
/// "not any", which pins are too, so neither may drop the pins of the entry it replaces:
/// [`SentEntry::into_draft`] keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct SentEntry {
    draft: EntryDraft,
    trust_said: TrustSaid,
}

impl SentEntry {
    /// The settings as sent (a trust that was not said reads as verified).
    pub fn draft(&self) -> &EntryDraft {
        &self.draft
    }

    /// Whether [`SentEntry::into_draft`] needs the entry the PUT replaces: the body did not
    /// say exactly how certificates are trusted.
    pub fn needs_current_trust(&self) -> bool {
        self.trust_said != TrustSaid::Exactly
    }

    /// The settings a PUT with `precondition` asks for, `current` being the entry stored under
    /// the path's domain. As sent, except when the body did not say exactly how certificates
    /// are trusted: then the entry it replaces keeps its trust (only if `current` is at the
    /// revision the PUT names; at another, the change is refused as stale anyway), save that
    /// `allow_insecure_certificates: false` turns `any` into `verified`. A creation that says
    /// nothing trusts verified certificates.
    pub fn into_draft(self, precondition: Precondition, current: Option<&Entry>) -> EntryDraft {
        let SentEntry {
            mut draft,
            trust_said,
        } = self;
        let replaced = match (trust_said, precondition, current) {
            (TrustSaid::Exactly, _, _) | (_, Precondition::Absent, _) | (_, _, None) => {
                return draft;
            }
            (_, Precondition::Revision(revision), Some(current)) => {
                if current.revision() != revision {
                    return draft;
                }
                current.connection().certificate_trust()
            }
        };
        let kept = match (trust_said, replaced) {
            (TrustSaid::NotAny, CertificateTrust::Any) => CertificateTrust::Verified,
            (_, trust) => trust.clone(),
        };
        draft.connection = draft.connection.with_certificate_trust(kept);
        draft
    }
}

/// Reads a PUT's body; see [`SentEntry`].
pub fn sent_entry_from_wire(body: &str) -> Result<SentEntry, WireError> {
    let value: Value = serde_json::from_str(body).map_err(|error| WireError::NotJson {
        line: error.line(),
        column: error.column(),
    })?;
    read_entry_saying(&value, EntrySource::Sent)
        .map(|(entry, trust_said)| SentEntry {
            draft: entry.to_draft(),
            trust_said,
        })
        .map_err(WireError::Invalid)
}

/// One entry as the document stores it and the API sends it.
pub fn entry_to_wire(entry: &Entry) -> String {
    Document::entry_json(entry)
}

/// Reads back an entry that [`entry_to_wire`] wrote (a server's stored row, a response),
/// revision and time included.
pub fn entry_from_stored(text: &str) -> Result<Entry, Vec<FieldProblem>> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        vec![FieldProblem::from_problem(
            "",
            &WireError::NotJson {
                line: error.line(),
                column: error.column(),
            },
        )]
    })?;
    read_entry_from(&value, EntrySource::Stored)
}

/// The whole book in the document's shape (`{"domains": [...], "sequence": N, "version": 1}`).
pub fn collection_json(book: &SettingsBook) -> String {
    Document::new(book.clone()).to_json()
}

/// The same text as [`collection_json`], put together from entries as [`entry_to_wire`] wrote
/// them (a server's stored rows, in domain order) without reading them again: the list of a
/// large book costs a copy instead of a parse and a write per entry. The caller vouches that
/// every text came from `entry_to_wire`; anything else would be passed on as it is.
pub fn collection_json_from_stored<'a>(
    sequence: u64,
    entries: impl IntoIterator<Item = &'a str>,
) -> String {
    collection_json_pieces(sequence, entries, usize::MAX).collect()
}

/// The text of [`collection_json_from_stored`] in pieces of about `piece_bytes` (a piece ends
/// after the entry that brings it to that size; the last is what is left), made one at a time:
/// a server sends a large book as it is put together instead of holding it whole.
pub fn collection_json_pieces<S: AsRef<str>>(
    sequence: u64,
    entries: impl IntoIterator<Item = S>,
    piece_bytes: usize,
) -> impl Iterator<Item = String> {
    let mut entries = entries.into_iter().peekable();
    let mut started = false;
    let mut finished = false;
    std::iter::from_fn(move || {
        if finished {
            return None;
        }
        let mut piece = String::with_capacity(piece_bytes.min(64 * 1024));
        if !started {
            piece.push_str(r#"{"domains":["#);
        }
        while let Some(entry) = entries.next() {
            if started {
                piece.push(',');
            }
            started = true;
            piece.push_str(entry.as_ref());
            if piece.len() >= piece_bytes && entries.peek().is_some() {
                return Some(piece);
            }
        }
        piece.push_str(&format!(
            r#"],"sequence":{sequence},"version":{DOCUMENT_VERSION}}}"#
        ));
        finished = true;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Timestamp;
    use crate::book::tests::{T1, book_with, domain, imap};
    use crate::change::Change;

    const SENT: &str = r#"{"domain":"Bücher.example","type":"imap",
        "incoming":{"host":"imap.example.com","port":993,"security":"ssl_tls"},
        "outgoing":{"host":"smtp.example.com","port":465,"security":"ssl_tls"},
        "include_subdomains":true}"#;

    #[test]
    fn a_sent_entry_is_read_with_the_documents_rules() {
        let draft = entry_from_wire(SENT).unwrap();
        assert_eq!(draft.domain, domain("xn--bcher-kva.example"));
        assert!(draft.include_subdomains);
        // What the server wrote back is accepted as a body: revision and time are ignored.
        let mut book = SettingsBook::new();
        let entry = book.add(draft.clone(), T1).unwrap().clone();
        let echoed = entry_to_wire(&entry);
        assert!(echoed.contains(r#""revision":1"#), "{echoed}");
        assert_eq!(entry_from_wire(&echoed).unwrap(), draft);
        assert_eq!(entry_from_stored(&echoed).unwrap(), entry);
    }

    #[test]
    fn every_problem_of_a_sent_entry_is_named_by_field_and_code() {
        let body = r#"{"domain":"exa mple.com","type":"imap",
            "incoming":{"host":"imap.example.com","port":0,"security":"ssl_tls"},
            "outgoing":{"host":"smtp.example.com","port":465,"security":"tls"}}"#;
        let Err(WireError::Invalid(problems)) = entry_from_wire(body) else {
            panic!("refused");
        };
        let fields: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("domain", "domain.contains_space"),
                ("incoming.port", "port.zero"),
                ("outgoing.security", "security.unknown"),
            ]
        );
    }

    #[test]
    fn unknown_fields_and_both_kinds_are_refused_in_a_sent_entry() {
        let misspelt = SENT.replace("include_subdomains", "include_subdomain");
        let Err(WireError::Invalid(problems)) = entry_from_wire(&misspelt) else {
            panic!("refused");
        };
        assert_eq!(problems[0].field, "include_subdomain");
        assert_eq!(problems[0].code, "document.unknown_field");
        let nested = SENT.replace(r#""port":993"#, r#""port":993,"tls":true"#);
        let Err(WireError::Invalid(problems)) = entry_from_wire(&nested) else {
            panic!("refused");
        };
        assert_eq!(problems[0].field, "incoming.tls");
        let both = SENT.replace(
            r#""include_subdomains":true"#,
            r#""url":"https://mail.example.com/EWS/Exchange.asmx""#,
        );
        let Err(WireError::Invalid(problems)) = entry_from_wire(&both) else {
            panic!("refused");
        };
        assert_eq!(problems[0].code, "document.conflicting_field");
    }

    #[test]
    fn bodies_that_are_not_json_objects_are_refused_with_a_sentence() {
        let error = entry_from_wire("{\"domain\": ").unwrap_err();
        assert_eq!(error.code(), "wire.not_json");
        assert!(
            error
                .to_string()
                .starts_with("The request body is not valid JSON")
        );
        let Err(WireError::Invalid(problems)) = entry_from_wire("[1]") else {
            panic!("refused");
        };
        assert_eq!(problems[0].code, "document.entry_not_an_object");
        assert!(entry_from_stored("not json").is_err());
    }

    #[test]
    fn the_collection_is_the_document_with_its_sequence() {
        let mut book = book_with(&[
            ("a.example", imap("a.example"), false),
            ("b.example", imap("b.example"), false),
        ]);
        book.apply(
            Change::Remove {
                domain: domain("b.example"),
                expected_revision: 2,
            },
            Timestamp::from_unix_ms(5),
        )
        .unwrap();
        let text = collection_json(&book);
        assert!(text.contains(r#""sequence":3,"version":3"#), "{text}");
        let read = Document::from_json(&text).unwrap();
        assert_eq!(read.book(), &book);
        assert_eq!(read.book().sequence(), 3);
        // Put together from the entries' stored texts, it is the same text.
        let stored: Vec<String> = book.iter().map(entry_to_wire).collect();
        let joined =
            collection_json_from_stored(book.sequence(), stored.iter().map(String::as_str));
        assert_eq!(joined, text);
        let empty = SettingsBook::new();
        assert_eq!(collection_json_from_stored(0, []), collection_json(&empty));
        // In pieces of any size, the same text; each piece but the last holds at least that.
        for piece_bytes in [1, 40, 200, 10_000] {
            let pieces: Vec<String> =
                collection_json_pieces(book.sequence(), &stored, piece_bytes).collect();
            assert_eq!(pieces.concat(), text, "pieces of {piece_bytes}");
            let (last, full) = pieces.split_last().unwrap();
            assert!(
                full.iter().all(|piece| piece.len() >= piece_bytes),
                "{pieces:?}"
            );
            assert!(!last.is_empty());
        }
        assert_eq!(
            collection_json_pieces(0, Vec::<String>::new(), 1).collect::<Vec<_>>(),
            [collection_json(&empty)]
        );
    }

    const PIN: &str = "1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000";

    fn pinned() -> CertificateTrust {
        CertificateTrust::pinned(crate::SpkiPins::parse([PIN]).unwrap())
    }

    /// A book holding example.com (at revision 1) with `trust`.
    fn stored_with(trust: CertificateTrust) -> Entry {
        let mut book = SettingsBook::new();
        let mut draft = entry_from_wire(SENT).unwrap();
        draft.connection = draft.connection.with_certificate_trust(trust);
        book.add(draft, T1).unwrap().clone()
    }

    #[test]
    fn a_sent_entry_that_says_nothing_about_trust_keeps_the_replaced_entrys() {
        let with = |fields: &str| SENT.replace(r#""include_subdomains":true"#, fields);
        let said = |fields: &str| sent_entry_from_wire(&with(fields)).unwrap();
        let edit = Precondition::Revision(1);
        // (body's trust fields, whether that says nothing exact, stored trust, trust after)
        let cases = [
            (r#""include_subdomains":true"#, true, pinned(), pinned()),
            (
                r#""allow_insecure_certificates":false"#,
                true,
                pinned(),
                pinned(),
            ),
            (
                r#""allow_insecure_certificates":false"#,
                true,
                CertificateTrust::Any,
                CertificateTrust::Verified,
            ),
            (
                r#""allow_insecure_certificates":true"#,
                false,
                pinned(),
                CertificateTrust::Any,
            ),
            (
                r#""include_subdomains":true"#,
                true,
                CertificateTrust::Any,
                CertificateTrust::Any,
            ),
            (
                r#""certificate_trust":{"mode":"verified"}"#,
                false,
                pinned(),
                CertificateTrust::Verified,
            ),
            (
                r#""certificate_trust":{"mode":"verified"},"allow_insecure_certificates":false"#,
                false,
                pinned(),
                CertificateTrust::Verified,
            ),
        ];
        for (fields, inexact, stored, expected) in cases {
            let current = stored_with(stored);
            let sent = said(fields);
            assert_eq!(sent.needs_current_trust(), inexact, "{fields}");
            let draft = sent.into_draft(edit, Some(&current));
            assert_eq!(draft.connection.certificate_trust(), &expected, "{fields}");
        }
        // A creation, an entry at another revision, or none: verified.
        let current = stored_with(pinned());
        for (precondition, current) in [
            (Precondition::Absent, Some(&current)),
            (Precondition::Revision(7), Some(&current)),
            (Precondition::Revision(1), None),
        ] {
            let draft = said(r#""include_subdomains":true"#).into_draft(precondition, current);
            assert_eq!(
                draft.connection.certificate_trust(),
                &CertificateTrust::Verified
            );
        }
    }

    #[test]
    fn a_sent_trust_is_read_with_the_documents_rules_and_nothing_unknown_in_it() {
        let with = |fields: &str| {
            SENT.replace(r#""include_subdomains":true"#, &fields.replace("PIN", PIN))
        };
        let problems = |fields: &str| -> Vec<(String, &'static str)> {
            let Err(WireError::Invalid(problems)) = entry_from_wire(&with(fields)) else {
                panic!("refused: {fields}");
            };
            problems.into_iter().map(|p| (p.field, p.code)).collect()
        };
        assert_eq!(
            problems(r#""certificate_trust":{"mode":"pinned","spki_sha256":["PIN","nope"]}"#),
            [(
                "certificate_trust.spki_sha256[1]".to_owned(),
                "certificate_trust.pin_not_hex"
            )]
        );
        assert_eq!(
            problems(r#""certificate_trust":{"mode":"pinned","spki_sha256":[]}"#),
            [(
                "certificate_trust.spki_sha256".to_owned(),
                "certificate_trust.no_pins"
            )]
        );
        assert_eq!(
            problems(r#""certificate_trust":{"mode":"any","until":1}"#),
            [(
                "certificate_trust.until".to_owned(),
                "document.unknown_field"
            )]
        );
        assert_eq!(
            problems(r#""certificate_trust":{"mode":"any"},"allow_insecure_certificates":false"#),
            [(
                "allow_insecure_certificates".to_owned(),
                "certificate_trust.disagrees_with_insecure_flag"
            )]
        );
        let draft = entry_from_wire(&with(
            r#""certificate_trust":{"mode":"pinned","spki_sha256":["PIN"]}"#,
        ))
        .unwrap();
        assert_eq!(draft.connection.certificate_trust(), &pinned());
        // Written back, it reads the same.
        assert_eq!(entry_from_wire(&draft_to_wire(&draft)).unwrap(), draft);
        assert!(draft_to_wire(&draft).contains(&format!(
            r#""allow_insecure_certificates":false,"certificate_trust":{{"mode":"pinned","spki_sha256":["{PIN}"]}}"#
        )));
    }
}
