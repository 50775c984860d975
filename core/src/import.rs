//! An import as a plan the person looks at before anything changes: which domains of a file
//! are new, which change (old and new side by side), which are already as the file says, which
//! cannot be imported and why, and, when asked, which domains not in the file go. Applying a
//! plan is all or nothing.
//!
//! Owns: classifying a file's settings against the book with the book's own rules (each line
//! is tried as the change it would be, in file order), and replaying the plan. Must not: read
//! files (the `formats` readers do) or store anything.

use thiserror::Error;

use crate::book::{BookError, Entry, EntryDraft, SettingsBook, Timestamp};
use crate::change::{Applied, Change};
use crate::domain::Domain;
use crate::problem::Problem;

/// Why one of the file's settings cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportRefusal {
    /// The book's rules refuse it (a domain of the other kind, for instance).
    #[error(transparent)]
    Book(BookError),
    #[error("{} appears more than once in the file; only its first settings are used. Remove the other lines.", domain.to_unicode())]
    Repeated { domain: Domain },
}

impl Problem for ImportRefusal {
    fn code(&self) -> &'static str {
        match self {
            Self::Book(error) => error.code(),
            Self::Repeated { .. } => "import.repeated",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Book(error) => error.params(),
            Self::Repeated { domain } => vec![("domain", domain.to_unicode())],
        }
    }
}

/// What importing a file would do.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    /// The book's version the plan was made against: applying it to another refuses.
    pub sequence: u64,
    pub added: Vec<EntryDraft>,
    /// The entry now, and the settings the file gives it.
    pub changed: Vec<(Entry, EntryDraft)>,
    pub unchanged: Vec<Entry>,
    pub refused: Vec<(EntryDraft, ImportRefusal)>,
    /// Domains not in the file, removed only when the person asked for it.
    pub removed: Vec<Entry>,
}

impl ImportPlan {
    /// Whether applying would change nothing.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// What each change of the plan did, read off `book` after someone else applied the plan
    /// (a server): in the order they are applied, with each entry as `book` holds it.
    pub fn applied_in(&self, book: &SettingsBook) -> Vec<Applied> {
        self.changes()
            .iter()
            .map(|change| {
                let domain = match change {
                    Change::Remove { domain, .. } => domain,
                    Change::Update { draft, .. }
                    | Change::Add { draft }
                    | Change::Rename { draft, .. }
                    | Change::Restore { draft, .. } => &draft.domain,
                };
                let entry = match change {
                    Change::Remove { .. } => None,
                    _ => book.get(domain).cloned(),
                };
                Applied {
                    action: change.action(),
                    domain: domain.clone(),
                    previous_domain: None,
                    sequence: entry.as_ref().map_or(book.sequence(), Entry::revision),
                    entry,
                    restored_from: None,
                }
            })
            .collect()
    }

    /// The changes the plan stands for, in the order they are applied: removals first (a file
    /// may give a removed domain's name to another kind), then the file's lines.
    fn changes(&self) -> Vec<Change> {
        let removals = self.removed.iter().map(|entry| Change::Remove {
            domain: entry.domain().clone(),
            expected_revision: entry.revision(),
        });
        let updates = self.changed.iter().map(|(entry, draft)| Change::Update {
            expected_revision: entry.revision(),
            draft: draft.clone(),
        });
        let additions = self.added.iter().map(|draft| Change::Add {
            draft: draft.clone(),
        });
        removals.chain(updates).chain(additions).collect()
    }
}

/// Whether `entry` already holds what `draft` says.
fn holds(entry: &Entry, draft: &EntryDraft) -> bool {
    entry.connection() == &draft.connection
        && entry.include_subdomains() == draft.include_subdomains
}

/// Plans importing `incoming` (a file's settings, in file order) into `book`; with
/// `remove_missing`, domains the file does not name are removed.
pub fn plan_import(
    book: &SettingsBook,
    incoming: &[EntryDraft],
    remove_missing: bool,
) -> ImportPlan {
    let mut plan = ImportPlan {
        sequence: book.sequence(),
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: Vec::new(),
        refused: Vec::new(),
        removed: Vec::new(),
    };
    let named: std::collections::BTreeSet<&Domain> =
        incoming.iter().map(|draft| &draft.domain).collect();
    if remove_missing {
        plan.removed = book
            .iter()
            .filter(|entry| !named.contains(entry.domain()))
            .cloned()
            .collect();
    }
    // Every line is tried, in order, on a copy that already holds the lines before it.
    let mut trial = book.clone();
    for entry in &plan.removed {
        let _ = trial.apply(
            Change::Remove {
                domain: entry.domain().clone(),
                expected_revision: entry.revision(),
            },
            Timestamp::from_unix_ms(0),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for draft in incoming {
        if !seen.insert(draft.domain.clone()) {
            plan.refused.push((
                draft.clone(),
                ImportRefusal::Repeated {
                    domain: draft.domain.clone(),
                },
            ));
            continue;
        }
        let current = book.get(&draft.domain).cloned();
        let change = match trial.get(&draft.domain) {
            Some(entry) if holds(entry, draft) => {
                plan.unchanged.push(entry.clone());
                continue;
            }
            Some(entry) => Change::Update {
                expected_revision: entry.revision(),
                draft: draft.clone(),
            },
            None => Change::Add {
                draft: draft.clone(),
            },
        };
        match trial.apply(change, Timestamp::from_unix_ms(0)) {
            Err(error) => plan
                .refused
                .push((draft.clone(), ImportRefusal::Book(error))),
            Ok(_) => match current {
                Some(entry) => plan.changed.push((entry, draft.clone())),
                None => plan.added.push(draft.clone()),
            },
        }
    }
    plan
}

impl SettingsBook {
    /// Applies every change of `plan`, or none: a book that moved on since the plan was made
    /// (another sequence) or a change the rules refuse leaves the book as it was.
    pub fn apply_import(
        &mut self,
        plan: &ImportPlan,
        now: Timestamp,
    ) -> Result<Vec<Applied>, BookError> {
        let mut next = self.clone();
        if next.sequence() != plan.sequence {
            let domain = plan
                .changed
                .first()
                .map(|(entry, _)| entry.domain().clone())
                .or_else(|| plan.added.first().map(|draft| draft.domain.clone()))
                .or_else(|| plan.removed.first().map(|entry| entry.domain().clone()));
            if let Some(domain) = domain {
                return Err(BookError::StaleRevision {
                    actual: next.get(&domain).map_or(0, Entry::revision),
                    expected: plan.sequence,
                    domain,
                });
            }
        }
        let applied = plan
            .changes()
            .into_iter()
            .map(|change| next.apply(change, now))
            .collect::<Result<Vec<_>, _>>()?;
        *self = next;
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{T1, book_with, domain, draft, exchange, imap};

    #[test]
    fn a_plan_sorts_the_files_lines_and_applies_all_or_none() {
        let mut book = book_with(&[
            ("same.example", imap("same.example"), false),
            ("moved.example", imap("moved.example"), false),
            ("gone.example", imap("gone.example"), false),
            ("corp.example", exchange("mail.corp.example"), false),
        ]);
        let file = [
            draft("same.example", imap("same.example"), false),
            draft("moved.example", imap("new.example"), true),
            draft("new.example", exchange("mail.new.example"), false),
            draft("new.example", imap("again.example"), false),
        ];
        let plan = plan_import(&book, &file, false);
        assert_eq!(plan.unchanged.len(), 1);
        assert_eq!(plan.changed.len(), 1);
        assert_eq!(plan.changed[0].0.domain(), &domain("moved.example"));
        assert_eq!(plan.added, [file[2].clone()]);
        assert_eq!(
            plan.refused,
            [(
                file[3].clone(),
                ImportRefusal::Repeated {
                    domain: domain("new.example")
                }
            )]
        );
        assert!(plan.removed.is_empty());
        let with_removal = plan_import(&book, &file, true);
        let removed: Vec<_> = with_removal
            .removed
            .iter()
            .map(|e| e.domain().clone())
            .collect();
        assert_eq!(removed, [domain("corp.example"), domain("gone.example")]);

        // Applied: exactly the plan; the book then holds what the file says.
        let before = book.clone();
        let applied = book.apply_import(&with_removal, T1).unwrap();
        assert_eq!(applied.len(), 4);
        assert_eq!(book.len(), 3);
        assert_eq!(
            book.get(&domain("moved.example")).unwrap().connection(),
            &imap("new.example")
        );
        assert!(book.get(&domain("gone.example")).is_none());
        // What a server's copy of the plan did, read off the book after it.
        let told = with_removal.applied_in(&book);
        assert_eq!(
            told.iter()
                .map(|applied| (
                    applied.action,
                    applied.domain.clone(),
                    applied.entry.is_some()
                ))
                .collect::<Vec<_>>(),
            applied
                .iter()
                .map(|applied| (
                    applied.action,
                    applied.domain.clone(),
                    applied.entry.is_some()
                ))
                .collect::<Vec<_>>(),
        );
        assert_eq!(told.last().unwrap().entry, applied.last().unwrap().entry);
        // The same plan again: the book moved on, so nothing changes.
        let after = book.clone();
        assert!(book.apply_import(&with_removal, T1).is_err());
        assert_eq!(book, after);
        assert_ne!(before, after);
    }

    #[test]
    fn the_books_rules_refuse_a_line_and_name_why() {
        let book = book_with(&[("corp.example", exchange("mail.corp.example"), true)]);
        // A kind change of an existing domain is an update the rules allow; a subdomain of
        // another kind under an entry that covers subdomains is for the rules to judge.
        let file = [draft("corp.example", imap("corp.example"), false)];
        let plan = plan_import(&book, &file, false);
        assert_eq!(plan.refused.len() + plan.changed.len(), 1);
        for (_, refusal) in &plan.refused {
            assert!(refusal.code().starts_with("book."), "{}", refusal.code());
        }
    }
}
