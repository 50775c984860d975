//! A change as an HTTP request of the REST contract, and back: the browser's REST client turns
//! a [`Change`] into a request with [`write_request`], the server turns the request into the
//! same change with [`change_from_put`] or [`change_from_delete`] (a restore's settings come
//! from the server's own history, so it builds that change itself). Entity tags are revisions.
//!
//! Owns: paths, methods, conditional headers and their tags, and telling whether a refused
//! write was the sender's own earlier attempt. Must not: send anything, or decide whether a
//! change may happen (`SettingsBook::apply` does).

use serde_json::Value;
use thiserror::Error;

use super::entry_to_wire;
use crate::book::{Entry, EntryDraft, Timestamp};
use crate::change::Change;
use crate::domain::Domain;
use crate::problem::Problem;

/// Where the entries live, below the API's base URL.
pub const ENTRIES_PATH: &str = "/api/v1/email-domains";

/// The path of one entry (the ASCII form of its name).
pub fn entry_path(domain: &Domain) -> String {
    format!("{ENTRIES_PATH}/{}", domain.as_ascii())
}

/// The path that restores the entry as it was after `revision`, a revision of `domain`'s
/// history (`POST`).
pub fn restore_path(domain: &Domain, revision: u64) -> String {
    format!("{}/history/{revision}/restore", entry_path(domain))
}

/// Where the domains whose last change removed them are listed (`GET`), each with the entry as
/// it was before (see `removed_from_answer`).
pub const REMOVED_PATH: &str = "/api/v1/removed-email-domains";

/// A strong entity tag for a revision (or the book's sequence): `"17"`.
pub fn entity_tag(revision: u64) -> String {
    format!("\"{revision}\"")
}

/// The revision in a strong entity tag as [`entity_tag`] writes it; `None` for anything else
/// (a weak tag, a list, `*`, junk).
pub fn revision_of_tag(tag: &str) -> Option<u64> {
    let digits = tag.trim().strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What the conditional header of a write asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// `If-None-Match: *`: create, only if the domain has no settings.
    Absent,
    /// `If-Match: "N"`: change or remove the entry only if it is still at revision N.
    Revision(u64),
}

impl Precondition {
    /// The header that says it: its name and value.
    pub fn header(self) -> (&'static str, String) {
        match self {
            Precondition::Absent => ("If-None-Match", "*".to_owned()),
            Precondition::Revision(revision) => ("If-Match", entity_tag(revision)),
        }
    }
}

/// The HTTP method of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMethod {
    Put,
    Delete,
    /// A restore (no body: the server has the settings in its history).
    Post,
}

impl WriteMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteMethod::Put => "PUT",
            WriteMethod::Delete => "DELETE",
            WriteMethod::Post => "POST",
        }
    }
}

/// One change as the request that makes it. Every write is conditional, so sending it again
/// is safe: a repeat that finds its own earlier attempt applied gets 412 with an entry that
/// [`is_own_attempt`] recognises.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRequest {
    pub method: WriteMethod,
    /// The entry the request is addressed to: the original name of a rename, the domain whose
    /// history a restore's revision comes from.
    pub domain: Domain,
    pub precondition: Precondition,
    /// The settings, for a PUT (core's wire form, without revision and time); `None` for a
    /// DELETE and a restore.
    pub body: Option<String>,
    /// The revision a restore writes back; `None` for every other write.
    pub restored_from: Option<u64>,
}

impl WriteRequest {
    pub fn path(&self) -> String {
        match self.restored_from {
            Some(revision) => restore_path(&self.domain, revision),
            None => entry_path(&self.domain),
        }
    }
}

/// The request that makes `change`.
pub fn write_request(change: &Change) -> WriteRequest {
    let put = |domain: &Domain, precondition, draft: &EntryDraft| WriteRequest {
        method: WriteMethod::Put,
        domain: domain.clone(),
        precondition,
        body: Some(draft_to_wire(draft)),
        restored_from: None,
    };
    match change {
        Change::Add { draft } => put(&draft.domain, Precondition::Absent, draft),
        Change::Update {
            expected_revision,
            draft,
        } => put(
            &draft.domain,
            Precondition::Revision(*expected_revision),
            draft,
        ),
        Change::Rename {
            from,
            expected_revision,
            draft,
        } => put(from, Precondition::Revision(*expected_revision), draft),
        Change::Remove {
            domain,
            expected_revision,
        } => WriteRequest {
            method: WriteMethod::Delete,
            domain: domain.clone(),
            precondition: Precondition::Revision(*expected_revision),
            body: None,
            restored_from: None,
        },
        Change::Restore {
            at,
            expected_revision,
            restored_from,
            ..
        } => WriteRequest {
            method: WriteMethod::Post,
            domain: at.clone(),
            precondition: expected_revision.map_or(Precondition::Absent, Precondition::Revision),
            body: None,
            restored_from: Some(*restored_from),
        },
    }
}

/// Why a PUT cannot be a change.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    #[error(
        "The settings are for {body} but were sent to the address of {path}. Send them to the address of {body}, or correct the domain."
    )]
    DomainMismatch { body: String, path: String },
}

impl Problem for RequestError {
    fn code(&self) -> &'static str {
        match self {
            RequestError::DomainMismatch { .. } => "request.domain_mismatch",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            RequestError::DomainMismatch { body, path } => {
                vec![("body", body.clone()), ("path", path.clone())]
            }
        }
    }
}

/// The change a PUT to `path_domain` asks for: a creation names its own domain in the body; a
/// change whose body names another domain is a rename.
pub fn change_from_put(
    path_domain: Domain,
    precondition: Precondition,
    draft: EntryDraft,
) -> Result<Change, RequestError> {
    match precondition {
        Precondition::Absent if draft.domain != path_domain => Err(RequestError::DomainMismatch {
            body: draft.domain.to_unicode(),
            path: path_domain.to_unicode(),
        }),
        Precondition::Absent => Ok(Change::Add { draft }),
        Precondition::Revision(revision) => Ok(Change::edit(path_domain, revision, draft)),
    }
}

/// The change a DELETE of `path_domain` at `revision` asks for.
pub fn change_from_delete(path_domain: Domain, revision: u64) -> Change {
    Change::Remove {
        domain: path_domain,
        expected_revision: revision,
    }
}

/// The settings of a draft as a PUT carries them: the entry's wire form without the revision
/// and the time, which the server sets.
pub fn draft_to_wire(draft: &EntryDraft) -> String {
    let entry = Entry::restored(
        draft.clone(),
        Timestamp::from_unix_ms(0),
        0,
        Default::default(),
    );
    let mut value: Value = serde_json::from_str(&entry_to_wire(&entry)).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        fields.remove("revision");
        fields.remove("updated_at_unix_ms");
    }
    value.to_string()
}

/// Whether `current`, the entry a 412 answer holds, is what `sent` asked for (a restore's
/// draft too): the sender's own
/// earlier attempt that arrived (its answer was lost), so the change counts as saved.
pub fn is_own_attempt(sent: &EntryDraft, current: &Entry) -> bool {
    current.domain() == &sent.domain
        && current.connection() == &sent.connection
        && current.include_subdomains() == sent.include_subdomains
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::SettingsBook;
    use crate::book::tests::{T1, domain, draft, exchange, imap};
    use crate::wire::entry_from_wire;
    use proptest::prelude::*;

    #[test]
    fn tags_are_quoted_revisions_and_nothing_else_reads_as_one() {
        assert_eq!(entity_tag(17), "\"17\"");
        assert_eq!(revision_of_tag(" \"17\" "), Some(17));
        for junk in [
            "17",
            "W/\"17\"",
            "\"17\", \"18\"",
            "*",
            "\"\"",
            "\"1x\"",
            "\"-1\"",
        ] {
            assert_eq!(revision_of_tag(junk), None, "{junk}");
        }
        assert_eq!(
            Precondition::Revision(3).header(),
            ("If-Match", "\"3\"".to_owned())
        );
        assert_eq!(
            Precondition::Absent.header(),
            ("If-None-Match", "*".to_owned())
        );
    }

    #[test]
    fn each_change_is_the_request_the_contract_names() {
        let old = domain("bücher.example");
        let request = write_request(&Change::edit(
            old.clone(),
            4,
            draft("new.example", imap("x"), true),
        ));
        assert_eq!(request.method, WriteMethod::Put);
        assert_eq!(
            request.path(),
            "/api/v1/email-domains/xn--bcher-kva.example"
        );
        assert_eq!(request.precondition, Precondition::Revision(4));
        let body = request.body.unwrap();
        assert!(
            !body.contains("revision") && !body.contains("updated_at"),
            "{body}"
        );
        assert_eq!(
            entry_from_wire(&body).unwrap(),
            draft("new.example", imap("x"), true)
        );
        let removal = write_request(&Change::Remove {
            domain: old,
            expected_revision: 9,
        });
        assert_eq!(
            (removal.method.as_str(), removal.precondition, removal.body),
            ("DELETE", Precondition::Revision(9), None)
        );
        let restore = write_request(&Change::Restore {
            at: domain("bücher.example"),
            expected_revision: Some(12),
            draft: draft("old.example", imap("x"), false),
            restored_from: 3,
        });
        assert_eq!(
            (restore.method.as_str(), restore.precondition, &restore.body),
            ("POST", Precondition::Revision(12), &None)
        );
        assert_eq!(
            restore.path(),
            "/api/v1/email-domains/xn--bcher-kva.example/history/3/restore"
        );
        let revive = write_request(&Change::Restore {
            at: domain("gone.example"),
            expected_revision: None,
            draft: draft("gone.example", imap("x"), false),
            restored_from: 8,
        });
        assert_eq!(revive.precondition, Precondition::Absent);
        assert_eq!(
            revive.path(),
            "/api/v1/email-domains/gone.example/history/8/restore"
        );
        assert_eq!(REMOVED_PATH, "/api/v1/removed-email-domains");
    }

    #[test]
    fn a_creation_must_name_its_own_domain() {
        let error = change_from_put(
            domain("a.example"),
            Precondition::Absent,
            draft("b.example", imap("x"), false),
        )
        .unwrap_err();
        assert_eq!(error.code(), "request.domain_mismatch");
        assert!(error.to_string().ends_with("or correct the domain."));
    }

    #[test]
    fn a_repeated_write_recognises_its_own_earlier_attempt() {
        let mut book = SettingsBook::new();
        let sent = draft("example.com", exchange("example.com"), true);
        let applied = book
            .apply(
                Change::Add {
                    draft: sent.clone(),
                },
                T1,
            )
            .unwrap();
        let current = applied.entry.unwrap();
        assert!(is_own_attempt(&sent, &current));
        assert!(!is_own_attempt(
            &draft("example.com", exchange("other.example"), true),
            &current
        ));
        assert!(!is_own_attempt(
            &draft("example.com", exchange("example.com"), false),
            &current
        ));
    }

    fn change() -> impl Strategy<Value = Change> {
        let name = prop::sample::select(vec![
            "a.example",
            "b.example",
            "bücher.example",
            "x.y.example",
        ]);
        let settings = (prop::bool::ANY, prop::bool::ANY).prop_map(|(is_imap, include)| {
            (
                if is_imap {
                    imap("mail.example")
                } else {
                    exchange("mail.example")
                },
                include,
            )
        });
        (0..4u8, name.clone(), name, settings, 1..1000u64).prop_map(
            |(kind, from, to, (connection, include), revision)| {
                let draft = draft(to, connection, include);
                match kind {
                    0 => Change::Add { draft },
                    1 | 2 => Change::edit(domain(from), revision, draft),
                    _ => Change::Remove {
                        domain: domain(from),
                        expected_revision: revision,
                    },
                }
            },
        )
    }

    proptest! {
        /// What the client sends, the server reads back as the very same change.
        #[test]
        fn a_change_survives_the_trip_through_http(change in change()) {
            let request = write_request(&change);
            let read = match request.method {
                WriteMethod::Put => {
                    let draft = entry_from_wire(request.body.as_deref().unwrap()).unwrap();
                    change_from_put(request.domain.clone(), request.precondition, draft).unwrap()
                }
                WriteMethod::Delete => {
                    let Precondition::Revision(revision) = request.precondition else {
                        panic!("a removal names its revision");
                    };
                    change_from_delete(request.domain.clone(), revision)
                }
                WriteMethod::Post => unreachable!("no restores are generated"),
            };
            prop_assert_eq!(read, change.clone());
            let (name, value) = request.precondition.header();
            let read_back = match name {
                "If-Match" => revision_of_tag(&value).map(Precondition::Revision),
                _ => (value == "*").then_some(Precondition::Absent),
            };
            prop_assert_eq!(read_back, Some(request.precondition));
        }
    }
}
