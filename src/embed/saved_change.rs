//! What one saved change did to the book, told to the host page (`onChange`, the
//! `mailsetup-change` event): added, updated, renamed or removed, which domain, and the entry's
//! settings in the document's JSON shape. Worked out by comparing the book before and after
//! the save, so every way of changing it (the drawer, the connect flow's "Save as settings",
//! delete) is told alike.
//!
//! Owns: that comparison. Must not: touch JavaScript values (the API module turns it into one).

use mailsetup_core::{Document, Entry, SettingsBook};

/// What a saved change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Added,
    Updated,
    Renamed,
    Removed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Updated => "updated",
            Action::Renamed => "renamed",
            Action::Removed => "removed",
        }
    }
}

/// One saved change, as the host hears of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedChange {
    pub action: Action,
    /// The domain as people read it (Unicode for international names).
    pub domain: String,
    /// The old name, for a rename.
    pub previous_domain: Option<String>,
    /// The entry as the document stores it (JSON text); none for a removal. Never a secret:
    /// the book holds none.
    pub settings_json: Option<String>,
}

/// What turned `before` into `after`, when that was one change of one entry.
pub fn saved_change(before: &SettingsBook, after: &SettingsBook) -> Option<SavedChange> {
    let gone: Vec<&Entry> = before
        .iter()
        .filter(|entry| after.get(entry.domain()).is_none())
        .collect();
    let new: Vec<&Entry> = after
        .iter()
        .filter(|entry| before.get(entry.domain()).is_none())
        .collect();
    let changed = || {
        after.iter().find(|entry| {
            before
                .get(entry.domain())
                .is_some_and(|old| old.revision() != entry.revision())
        })
    };
    let told = |action, entry: &Entry, previous: Option<&Entry>| SavedChange {
        action,
        domain: entry.domain().to_string(),
        previous_domain: previous.map(|old| old.domain().to_string()),
        settings_json: (action != Action::Removed).then(|| Document::entry_json(entry)),
    };
    match (gone.as_slice(), new.as_slice()) {
        ([], [added]) => Some(told(Action::Added, added, None)),
        ([removed], []) => Some(told(Action::Removed, removed, None)),
        ([old], [renamed]) => Some(told(Action::Renamed, renamed, Some(old))),
        ([], []) => changed().map(|entry| told(Action::Updated, entry, None)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsetup_core::{
        Connection, Domain, EntryDraft, ExchangeSettings, ExchangeUrl, Timestamp,
    };

    fn draft(domain: &str, url: &str) -> EntryDraft {
        EntryDraft {
            domain: Domain::parse(domain).unwrap(),
            connection: Connection::Exchange(ExchangeSettings {
                url: ExchangeUrl::parse(url).unwrap(),
            }),
            include_subdomains: false,
        }
    }

    #[test]
    fn tells_each_kind_of_change() {
        let now = Timestamp::from_unix_ms(1);
        let example = Domain::parse("example.com").unwrap();
        let mut book = SettingsBook::new();
        let empty = book.clone();
        book.add(
            draft("example.com", "https://mail.example.com/EWS/Exchange.asmx"),
            now,
        )
        .unwrap();
        let added = saved_change(&empty, &book).unwrap();
        assert_eq!(added.action, Action::Added);
        assert_eq!(added.domain, "example.com");
        assert_eq!(added.previous_domain, None);
        let json: serde_json::Value =
            serde_json::from_str(added.settings_json.as_deref().unwrap()).unwrap();
        assert_eq!(json["type"], "exchange");
        assert_eq!(json["url"], "https://mail.example.com/EWS/Exchange.asmx");

        let before = book.clone();
        let url = "https://ews.example.com/EWS/Exchange.asmx";
        book.edit(&example, None, draft("example.com", url), now)
            .unwrap();
        assert_eq!(
            saved_change(&before, &book).unwrap().action,
            Action::Updated
        );

        let before = book.clone();
        book.edit(&example, None, draft("example.org", url), now)
            .unwrap();
        let renamed = saved_change(&before, &book).unwrap();
        assert_eq!(renamed.action, Action::Renamed);
        assert_eq!(renamed.domain, "example.org");
        assert_eq!(renamed.previous_domain.as_deref(), Some("example.com"));

        let before = book.clone();
        book.remove(&Domain::parse("example.org").unwrap()).unwrap();
        let removed = saved_change(&before, &book).unwrap();
        assert_eq!(removed.action, Action::Removed);
        assert_eq!(removed.domain, "example.org");
        assert_eq!(removed.settings_json, None);

        assert_eq!(saved_change(&book, &book), None);
    }
}
