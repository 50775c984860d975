//! [`Change`]: one change to the settings book as a value (what to do, to which entry, from
//! which revision), and [`SettingsBook::apply`], the one place its rules are checked. The
//! browser's local store, its REST client and the server all send and apply these, so they
//! refuse the same changes with the same problem codes.
//!
//! Owns: the change vocabulary, the checks a change must pass (the entry exists at the
//! revision the editor started from, the domain is free, the kind stays — save for a restore,
//! which writes back whatever the entry was), and what an applied change reports. Must not:
//! read a clock, parse text, know how the book is stored or where a restored revision's
//! settings came from (the caller reads them from its history).

use serde::{Deserialize, Serialize};

use crate::book::{BookError, Entry, EntryDraft, SettingsBook, Timestamp};
use crate::domain::Domain;

/// One change to the book. Every change but an addition names the revision it was based on;
/// if the entry has moved on since, the change is refused ([`BookError::StaleRevision`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new domain; refused if the domain (in any spelling) already has settings.
    Add { draft: EntryDraft },
    /// New settings for `draft.domain`, of the same kind (IMAP stays IMAP).
    Update {
        expected_revision: u64,
        draft: EntryDraft,
    },
    /// The settings of `from` move to `draft.domain`, which must be free, and take the draft's
    /// settings: one change, one new revision.
    Rename {
        from: Domain,
        expected_revision: u64,
        draft: EntryDraft,
    },
    /// The settings of `domain` are removed.
    Remove {
        domain: Domain,
        expected_revision: u64,
    },
    /// The entry as it was after revision `restored_from`, written back as a new change.
    Restore {
        /// The domain whose history the revision comes from (the request path's domain):
        /// the entry now holding it is replaced; none holds it when reviving a removal.
        at: Domain,
        /// The revision of the entry now at `at` (`If-Match`), or `None` to revive
        /// (`If-None-Match: *`).
        expected_revision: Option<u64>,
        /// The settings as they were, under the name they had then.
        draft: EntryDraft,
        restored_from: u64,
    },
}

/// What kind of change was applied, as hosts and the audit log name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    Added,
    Updated,
    Renamed,
    Removed,
    /// An earlier revision written back (perhaps under its earlier name, or reviving a
    /// removed entry).
    Restored,
}

impl ChangeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Added => "added",
            ChangeAction::Updated => "updated",
            ChangeAction::Renamed => "renamed",
            ChangeAction::Removed => "removed",
            ChangeAction::Restored => "restored",
        }
    }

    /// The action named by [`ChangeAction::as_str`].
    pub fn from_name(name: &str) -> Option<ChangeAction> {
        [
            ChangeAction::Added,
            ChangeAction::Updated,
            ChangeAction::Renamed,
            ChangeAction::Removed,
            ChangeAction::Restored,
        ]
        .into_iter()
        .find(|action| action.as_str() == name)
    }
}

/// What an applied change did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub action: ChangeAction,
    /// The domain the change is about: the new name of a renamed entry.
    pub domain: Domain,
    /// The old name of a renamed entry (and of an entry a restore moved back to the name it
    /// had: the restore's `at`).
    pub previous_domain: Option<Domain>,
    /// The entry as it now stands; `None` when it was removed.
    pub entry: Option<Entry>,
    /// The book's sequence after the change (its new version).
    pub sequence: u64,
    /// The revision a restore wrote back; `None` for every other change.
    pub restored_from: Option<u64>,
}

impl Change {
    /// What an edit form submits: an update, or a rename when the draft names another domain.
    pub fn edit(original: Domain, expected_revision: u64, draft: EntryDraft) -> Change {
        if draft.domain == original {
            Change::Update {
                expected_revision,
                draft,
            }
        } else {
            Change::Rename {
                from: original,
                expected_revision,
                draft,
            }
        }
    }

    /// Every domain the change reads or writes: a store that keeps entries apart needs only
    /// these in the book it applies the change to.
    pub fn domains(&self) -> Vec<&Domain> {
        match self {
            Change::Add { draft } | Change::Update { draft, .. } => vec![&draft.domain],
            Change::Rename { from, draft, .. } => vec![from, &draft.domain],
            Change::Remove { domain, .. } => vec![domain],
            Change::Restore { at, draft, .. } => vec![at, &draft.domain],
        }
    }

    pub fn action(&self) -> ChangeAction {
        match self {
            Change::Add { .. } => ChangeAction::Added,
            Change::Update { .. } => ChangeAction::Updated,
            Change::Rename { .. } => ChangeAction::Renamed,
            Change::Remove { .. } => ChangeAction::Removed,
            Change::Restore { .. } => ChangeAction::Restored,
        }
    }
}

impl SettingsBook {
    /// Applies one change, or refuses it and changes nothing. An applied change takes the next
    /// revision of the book's sequence (a removal too, so the book's version always moves).
    pub fn apply(&mut self, change: Change, now: Timestamp) -> Result<Applied, BookError> {
        let action = change.action();
        match change {
            Change::Add { draft } => {
                if let Some(error) = self.conflict_for(&draft.domain, draft.connection.kind(), None)
                {
                    return Err(error);
                }
                let entry = self.put(None, draft, now).clone();
                Ok(self.applied(action, None, entry))
            }
            Change::Update {
                expected_revision,
                draft,
            } => self.replace(draft.domain.clone(), expected_revision, draft, now),
            Change::Rename {
                from,
                expected_revision,
                draft,
            } => self.replace(from, expected_revision, draft, now),
            Change::Remove {
                domain,
                expected_revision,
            } => {
                self.check_revision(&domain, expected_revision)?;
                self.take(&domain);
                Ok(Applied {
                    action,
                    domain,
                    previous_domain: None,
                    entry: None,
                    sequence: self.sequence(),
                    restored_from: None,
                })
            }
            Change::Restore {
                at,
                expected_revision,
                draft,
                restored_from,
            } => self.restore(at, expected_revision, draft, restored_from, now),
        }
    }

    /// Follows a change that another party applied (a server acknowledged it): the entries
    /// under the change's domains make way for the entry as applied, and the sequence rises to
    /// the applied one. A client's copy of a shared book keeps up this way without deciding
    /// anything itself: the party that applied the change already checked it.
    pub fn follow(&mut self, applied: &Applied) {
        self.entries_remove(&applied.domain);
        if let Some(previous) = &applied.previous_domain {
            self.entries_remove(previous);
        }
        if let Some(entry) = &applied.entry {
            let _ = self.insert_restored(entry.clone());
        }
        self.raise_sequence(applied.sequence);
    }

    /// An update or a rename: the entry `original` at `expected_revision` takes `draft`. A
    /// "rename" to the same domain is an update.
    fn replace(
        &mut self,
        original: Domain,
        expected_revision: u64,
        draft: EntryDraft,
        now: Timestamp,
    ) -> Result<Applied, BookError> {
        self.check_revision(&original, expected_revision)?;
        if let Some(error) =
            self.conflict_for(&draft.domain, draft.connection.kind(), Some(&original))
        {
            return Err(error);
        }
        let previous = (draft.domain != original).then(|| original.clone());
        let action = match previous {
            Some(_) => ChangeAction::Renamed,
            None => ChangeAction::Updated,
        };
        let entry = self.put(Some(&original), draft, now).clone();
        Ok(self.applied(action, previous, entry))
    }

    /// A restore: the entry at `at` (at `expected_revision`; none when reviving) gives way to
    /// `draft`, whose domain must be free but for `at` itself. The kind may change: a name's
    /// history can hold a removal and then a new entry of the other kind. The entry is
    /// replaced whole (fields the current one carried unread go with it).
    fn restore(
        &mut self,
        at: Domain,
        expected_revision: Option<u64>,
        draft: EntryDraft,
        restored_from: u64,
        now: Timestamp,
    ) -> Result<Applied, BookError> {
        let kind = draft.connection.kind();
        match expected_revision {
            Some(revision) => {
                self.check_revision(&at, revision)?;
            }
            // Reviving: refused as an addition to the held domain would be.
            None => {
                if let Some(error) = self.conflict_for(&at, kind, None) {
                    return Err(error);
                }
            }
        }
        if draft.domain != at
            && let Some(error) = self.conflict_for(&draft.domain, kind, None)
        {
            return Err(error);
        }
        let previous = (draft.domain != at).then(|| at.clone());
        // Checked: `at` holds the entry at the expected revision (or nothing when reviving)
        // and the draft's domain is free.
        self.entries_remove(&at);
        let entry = self.put(None, draft, now).clone();
        let mut applied = self.applied(ChangeAction::Restored, previous, entry);
        applied.restored_from = Some(restored_from);
        Ok(applied)
    }

    fn applied(
        &self,
        action: ChangeAction,
        previous_domain: Option<Domain>,
        entry: Entry,
    ) -> Applied {
        Applied {
            action,
            domain: entry.domain().clone(),
            previous_domain,
            entry: Some(entry),
            sequence: self.sequence(),
            restored_from: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{T1, book_with, domain, draft, exchange, imap};
    use crate::settings::ConnectionKind;

    fn update(expected_revision: u64, draft: EntryDraft) -> Change {
        Change::Update {
            expected_revision,
            draft,
        }
    }

    #[test]
    fn revisions_come_from_one_sequence_over_the_whole_book() {
        let mut book = book_with(&[
            ("a.example", imap("a.example"), false),
            ("b.example", imap("b.example"), false),
        ]);
        assert_eq!(book.sequence(), 2);
        assert_eq!(book.get(&domain("b.example")).unwrap().revision(), 2);
        let applied = book
            .apply(
                Change::Update {
                    expected_revision: 1,
                    draft: draft("a.example", imap("new.example"), true),
                },
                T1,
            )
            .unwrap();
        assert_eq!(applied.action, ChangeAction::Updated);
        assert_eq!(applied.sequence, 3);
        let entry = applied.entry.unwrap();
        assert_eq!((entry.revision(), entry.updated_at()), (3, T1));
        assert!(entry.include_subdomains());
        assert_eq!(entry.connection(), &imap("new.example"));
        assert_eq!(book.get(&domain("a.example")), Some(&entry));
    }

    #[test]
    fn a_copy_that_follows_every_applied_change_ends_equal_to_the_book() {
        let mut server = book_with(&[("a.example", imap("a.example"), false)]);
        let mut copy = server.clone();
        // Another client's change the copy never hears about, then ours.
        let unseen = server
            .apply(
                Change::Add {
                    draft: draft("b.example", exchange("mail.b.example"), false),
                },
                T1,
            )
            .unwrap();
        let changes = [
            Change::Rename {
                from: domain("a.example"),
                expected_revision: 1,
                draft: draft("c.example", imap("c.example"), true),
            },
            Change::Remove {
                domain: domain("b.example"),
                expected_revision: unseen.sequence,
            },
            Change::Add {
                draft: draft("a.example", exchange("mail.a.example"), false),
            },
        ];
        copy.follow(&unseen);
        for change in changes {
            let applied = server.apply(change, T1).unwrap();
            copy.follow(&applied);
            assert_eq!(copy, server, "after {:?}", applied.action);
        }
        assert_eq!(copy.sequence(), 5);
    }

    #[test]
    fn a_removed_domain_added_again_never_gets_an_old_revision_back() {
        let mut book = book_with(&[("example.com", imap("example.com"), false)]);
        let removed = book
            .apply(
                Change::Remove {
                    domain: domain("example.com"),
                    expected_revision: 1,
                },
                T1,
            )
            .unwrap();
        assert_eq!(
            (removed.action, removed.entry, removed.sequence),
            (ChangeAction::Removed, None, 2)
        );
        assert!(book.is_empty());
        let again = book
            .add(draft("example.com", exchange("example.com"), false), T1)
            .unwrap();
        assert_eq!(again.revision(), 3);
    }

    #[test]
    fn stale_missing_and_kind_changing_updates_are_refused() {
        let mut book = book_with(&[("example.com", imap("example.com"), false)]);
        let before = book.clone();
        let example = domain("example.com");
        let stale = update(7, draft("example.com", imap("x.example"), false));
        assert_eq!(
            book.apply(stale, T1),
            Err(BookError::StaleRevision {
                domain: example.clone(),
                expected: 7,
                actual: 1
            })
        );
        let kind = update(1, draft("example.com", exchange("x.example"), false));
        assert_eq!(
            book.apply(kind, T1),
            Err(BookError::KindConflict {
                domain: example.clone(),
                existing: ConnectionKind::Imap
            })
        );
        let missing = update(1, draft("missing.example", imap("x"), false));
        assert_eq!(
            book.apply(missing, T1),
            Err(BookError::NotFound {
                domain: domain("missing.example")
            })
        );
        let stale_removal = Change::Remove {
            domain: example.clone(),
            expected_revision: 2,
        };
        assert!(matches!(
            book.apply(stale_removal, T1),
            Err(BookError::StaleRevision { .. })
        ));
        assert_eq!(
            book, before,
            "a refused change leaves the book, sequence included"
        );
    }

    #[test]
    fn add_refuses_a_configured_domain_in_any_spelling() {
        let mut book = book_with(&[("bücher.example", imap("bücher.example"), false)]);
        let again = Change::Add {
            draft: draft("xn--bcher-kva.example", imap("other.example"), false),
        };
        assert_eq!(
            book.apply(again, T1),
            Err(BookError::AlreadyConfigured {
                domain: domain("bücher.example"),
                kind: ConnectionKind::Imap
            })
        );
        let other_kind = Change::Add {
            draft: draft("BÜCHER.example.", exchange("x.example"), false),
        };
        assert!(matches!(
            book.apply(other_kind, T1),
            Err(BookError::KindConflict { .. })
        ));
        assert_eq!(book.sequence(), 1);
    }

    #[test]
    fn rename_moves_the_entry_in_one_change_and_refuses_taken_domains() {
        let mut book = book_with(&[
            ("old.example", imap("old.example"), false),
            ("imap.example", imap("imap.example"), false),
            ("ews.example", exchange("ews.example"), false),
        ]);
        let before = book.clone();
        let onto = |target: &str| {
            Change::edit(
                domain("old.example"),
                1,
                draft(target, imap("moved.example"), true),
            )
        };
        assert_eq!(
            book.apply(onto("imap.example"), T1),
            Err(BookError::AlreadyConfigured {
                domain: domain("imap.example"),
                kind: ConnectionKind::Imap
            })
        );
        assert_eq!(
            book.apply(onto("ews.example"), T1),
            Err(BookError::KindConflict {
                domain: domain("ews.example"),
                existing: ConnectionKind::Exchange
            })
        );
        assert_eq!(book, before);
        let applied = book.apply(onto("new.example"), T1).unwrap();
        assert_eq!(applied.action, ChangeAction::Renamed);
        assert_eq!(applied.domain, domain("new.example"));
        assert_eq!(applied.previous_domain, Some(domain("old.example")));
        let entry = applied.entry.unwrap();
        assert_eq!((entry.revision(), entry.include_subdomains()), (4, true));
        assert_eq!(entry.connection(), &imap("moved.example"));
        assert!(book.get(&domain("old.example")).is_none());
        assert_eq!(book.len(), 3);
        // Renaming a name that is gone is refused as missing.
        assert_eq!(
            book.apply(onto("x.example"), T1),
            Err(BookError::NotFound {
                domain: domain("old.example")
            })
        );
    }

    #[test]
    fn an_edit_that_keeps_its_domain_is_an_update() {
        let original = domain("a.example");
        let same = Change::edit(original.clone(), 1, draft("A.example.", imap("b"), false));
        assert_eq!(same.action(), ChangeAction::Updated);
        assert_eq!(same.domains(), vec![&original]);
        let moved = Change::edit(original.clone(), 1, draft("c.example", imap("b"), false));
        assert_eq!(moved.action(), ChangeAction::Renamed);
        assert_eq!(moved.domains(), vec![&original, &domain("c.example")]);
    }

    #[test]
    fn a_book_of_some_entries_applies_changes_like_the_whole_book() {
        let whole = book_with(&[
            ("a.example", imap("a.example"), false),
            ("b.example", imap("b.example"), false),
            ("c.example", exchange("c.example"), false),
        ]);
        let change = Change::edit(domain("a.example"), 1, draft("c.example", imap("x"), false));
        let part = SettingsBook::from_entries(
            whole.sequence(),
            change
                .domains()
                .into_iter()
                .filter_map(|d| whole.get(d).cloned()),
        );
        assert_eq!(
            part.clone().apply(change.clone(), T1),
            whole.clone().apply(change, T1)
        );
        let fine = Change::edit(domain("a.example"), 1, draft("d.example", imap("x"), false));
        let mut whole = whole;
        let mut part = part;
        assert_eq!(part.apply(fine.clone(), T1), whole.apply(fine, T1));
        assert_eq!(part.sequence(), whole.sequence());
    }

    fn restore(
        at: &str,
        expected_revision: Option<u64>,
        draft: EntryDraft,
        restored_from: u64,
    ) -> Change {
        Change::Restore {
            at: domain(at),
            expected_revision,
            draft,
            restored_from,
        }
    }

    #[test]
    fn a_restore_writes_an_earlier_entry_back_as_a_new_change() {
        let mut book = book_with(&[("a.example", imap("a.example"), false)]);
        book.apply(update(1, draft("a.example", imap("new.example"), true)), T1)
            .unwrap();
        let change = restore(
            "a.example",
            Some(2),
            draft("a.example", imap("a.example"), false),
            1,
        );
        assert_eq!(change.action(), ChangeAction::Restored);
        assert_eq!(
            change.domains(),
            vec![&domain("a.example"), &domain("a.example")]
        );
        let applied = book.apply(change, T1).unwrap();
        assert_eq!(
            (
                applied.action,
                applied.restored_from,
                applied.previous_domain.clone()
            ),
            (ChangeAction::Restored, Some(1), None)
        );
        let entry = applied.entry.unwrap();
        assert_eq!((entry.revision(), entry.include_subdomains()), (3, false));
        assert_eq!(entry.connection(), &imap("a.example"));
        assert_eq!(book.get(&domain("a.example")), Some(&entry));
        assert_eq!(book.sequence(), 3);
    }

    #[test]
    fn a_restore_may_change_the_kind() {
        // The name's history: IMAP settings, removed, then Exchange ones; the IMAP ones back.
        let mut book = book_with(&[("a.example", exchange("a.example"), false)]);
        let applied = book
            .apply(
                restore(
                    "a.example",
                    Some(1),
                    draft("a.example", imap("a.example"), true),
                    7,
                ),
                T1,
            )
            .unwrap();
        assert_eq!(applied.entry.unwrap().kind(), ConnectionKind::Imap);
        assert_eq!(book.len(), 1);
    }

    #[test]
    fn a_restore_from_before_a_rename_writes_the_old_name_back_if_it_is_free() {
        let mut book = book_with(&[
            ("new.example", imap("new.example"), false),
            ("taken.example", exchange("taken.example"), false),
        ]);
        let before = book.clone();
        let back = |to: &str| restore("new.example", Some(1), draft(to, imap("old"), false), 1);
        assert_eq!(
            book.apply(back("taken.example"), T1),
            Err(BookError::KindConflict {
                domain: domain("taken.example"),
                existing: ConnectionKind::Exchange
            })
        );
        assert_eq!(book, before);
        let applied = book.apply(back("old.example"), T1).unwrap();
        assert_eq!(applied.domain, domain("old.example"));
        assert_eq!(applied.previous_domain, Some(domain("new.example")));
        assert!(book.get(&domain("new.example")).is_none());
        assert_eq!(book.get(&domain("old.example")).unwrap().revision(), 3);
    }

    #[test]
    fn stale_and_missing_restores_are_refused() {
        let mut book = book_with(&[("a.example", imap("a.example"), false)]);
        let before = book.clone();
        assert_eq!(
            book.apply(
                restore(
                    "a.example",
                    Some(5),
                    draft("a.example", imap("x"), false),
                    1
                ),
                T1
            ),
            Err(BookError::StaleRevision {
                domain: domain("a.example"),
                expected: 5,
                actual: 1
            })
        );
        assert_eq!(
            book.apply(
                restore(
                    "gone.example",
                    Some(1),
                    draft("gone.example", imap("x"), false),
                    1
                ),
                T1
            ),
            Err(BookError::NotFound {
                domain: domain("gone.example")
            })
        );
        assert_eq!(book, before);
    }

    #[test]
    fn a_revival_needs_the_name_and_the_drafts_domain_free() {
        let mut book = book_with(&[
            ("a.example", imap("a.example"), false),
            ("b.example", imap("b.example"), false),
        ]);
        let before = book.clone();
        // A domain that holds an entry cannot be revived: as an addition of it would be.
        assert_eq!(
            book.apply(
                restore("a.example", None, draft("a.example", imap("x"), false), 1),
                T1
            ),
            Err(BookError::AlreadyConfigured {
                domain: domain("a.example"),
                kind: ConnectionKind::Imap
            })
        );
        // A removed name whose entry was called otherwise then: that name must be free.
        assert_eq!(
            book.apply(
                restore("c.example", None, draft("b.example", imap("x"), false), 1),
                T1
            ),
            Err(BookError::AlreadyConfigured {
                domain: domain("b.example"),
                kind: ConnectionKind::Imap
            })
        );
        assert_eq!(book, before);
        let revived = book
            .apply(
                restore(
                    "c.example",
                    None,
                    draft("c.example", exchange("x"), false),
                    1,
                ),
                T1,
            )
            .unwrap();
        assert_eq!(
            (
                revived.action,
                revived.previous_domain,
                revived.restored_from,
                revived.sequence
            ),
            (ChangeAction::Restored, None, Some(1), 3)
        );
        let moved = book
            .apply(
                restore("d.example", None, draft("e.example", imap("x"), false), 2),
                T1,
            )
            .unwrap();
        assert_eq!(moved.previous_domain, Some(domain("d.example")));
        assert_eq!(book.len(), 4);
    }

    #[test]
    fn a_copy_that_follows_restores_ends_equal_to_the_book() {
        let mut server = book_with(&[
            ("a.example", imap("a.example"), false),
            ("b.example", exchange("b.example"), false),
        ]);
        let mut copy = server.clone();
        let changes = [
            Change::edit(domain("a.example"), 1, draft("c.example", imap("c"), true)),
            restore(
                "c.example",
                Some(3),
                draft("a.example", imap("a.example"), false),
                1,
            ),
            Change::Remove {
                domain: domain("b.example"),
                expected_revision: 2,
            },
            restore(
                "b.example",
                None,
                draft("b.example", exchange("b.example"), false),
                2,
            ),
            restore("b.example", Some(6), draft("b.example", imap("b"), true), 5),
        ];
        for change in changes {
            let applied = server.apply(change, T1).unwrap();
            copy.follow(&applied);
            assert_eq!(copy, server, "after {:?}", applied.action);
        }
        assert_eq!(copy.sequence(), 7);
        assert_eq!(copy.len(), 2);
    }

    #[test]
    fn a_book_of_some_entries_restores_like_the_whole_book() {
        let whole = book_with(&[
            ("a.example", imap("a.example"), false),
            ("b.example", imap("b.example"), false),
            ("c.example", exchange("c.example"), false),
        ]);
        for change in [
            restore(
                "a.example",
                Some(1),
                draft("c.example", imap("x"), false),
                1,
            ),
            restore(
                "a.example",
                Some(1),
                draft("d.example", exchange("x"), false),
                1,
            ),
            restore("d.example", None, draft("b.example", imap("x"), false), 1),
        ] {
            let part = SettingsBook::from_entries(
                whole.sequence(),
                change
                    .domains()
                    .into_iter()
                    .filter_map(|d| whole.get(d).cloned()),
            );
            assert_eq!(
                part.clone().apply(change.clone(), T1),
                whole.clone().apply(change, T1)
            );
        }
    }

    #[test]
    fn actions_have_stable_names() {
        for action in [
            ChangeAction::Added,
            ChangeAction::Updated,
            ChangeAction::Renamed,
            ChangeAction::Removed,
            ChangeAction::Restored,
        ] {
            assert_eq!(ChangeAction::from_name(action.as_str()), Some(action));
            assert_eq!(
                serde_json::to_string(&action).unwrap(),
                format!("\"{}\"", action.as_str())
            );
        }
        assert_eq!(ChangeAction::from_name("moved"), None);
    }
}
