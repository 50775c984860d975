//! What one saved change did to the book, told to the host page (`onChange`, the
//! `mailsetup-change` event): added, updated, renamed or removed, which domain, and the entry's
//! settings in the document's JSON shape. Read off what core reports for the applied change
//! ([`Applied`]), so every way of changing the book (the drawer, the connect flow's "Save as
//! settings", delete) is told alike.
//!
//! Owns: that translation. Must not: touch JavaScript values (the API module turns it into one).

use mailsetup_core::{Applied, ChangeAction, wire};

/// One saved change, as the host hears of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedChange {
    pub action: ChangeAction,
    /// The domain as people read it (Unicode for international names).
    pub domain: String,
    /// The old name, for a rename.
    pub previous_domain: Option<String>,
    /// The entry as the document stores it (JSON text); none for a removal. Never a secret:
    /// the book holds none.
    pub settings_json: Option<String>,
}

/// What the host is told of `applied`.
pub fn saved_change(applied: &Applied) -> SavedChange {
    SavedChange {
        action: applied.action,
        domain: applied.domain.to_unicode(),
        previous_domain: applied.previous_domain.as_ref().map(|old| old.to_unicode()),
        settings_json: applied.entry.as_ref().map(wire::entry_to_wire),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsetup_core::{
        Change, Connection, Domain, EntryDraft, ExchangeSettings, ExchangeUrl, SettingsBook,
        Timestamp,
    };

    fn draft(domain: &str, url: &str) -> EntryDraft {
        EntryDraft {
            domain: Domain::parse(domain).unwrap(),
            connection: Connection::Exchange(ExchangeSettings::verified(
                ExchangeUrl::parse(url).unwrap(),
            )),
            include_subdomains: false,
        }
    }

    #[test]
    fn tells_each_kind_of_change() {
        let now = Timestamp::from_unix_ms(1);
        let example = Domain::parse("example.com").unwrap();
        let mut book = SettingsBook::new();
        let mut told = |change: Change| saved_change(&book.apply(change, now).unwrap());

        let added = told(Change::Add {
            draft: draft(
                "bücher.example",
                "https://mail.example.com/EWS/Exchange.asmx",
            ),
        });
        assert_eq!(added.action, ChangeAction::Added);
        assert_eq!(added.domain, "bücher.example");
        assert_eq!(added.previous_domain, None);
        let json: serde_json::Value =
            serde_json::from_str(added.settings_json.as_deref().unwrap()).unwrap();
        assert_eq!(json["type"], "exchange");
        assert_eq!(json["url"], "https://mail.example.com/EWS/Exchange.asmx");

        told(Change::Add {
            draft: draft("example.com", "https://mail.example.com/EWS/Exchange.asmx"),
        });
        let url = "https://ews.example.com/EWS/Exchange.asmx";
        let updated = told(Change::edit(example.clone(), 2, draft("example.com", url)));
        assert_eq!(updated.action, ChangeAction::Updated);

        let renamed = told(Change::edit(example, 3, draft("example.org", url)));
        assert_eq!(renamed.action, ChangeAction::Renamed);
        assert_eq!(renamed.domain, "example.org");
        assert_eq!(renamed.previous_domain.as_deref(), Some("example.com"));

        let removed = told(Change::Remove {
            domain: Domain::parse("example.org").unwrap(),
            expected_revision: 4,
        });
        assert_eq!(removed.action, ChangeAction::Removed);
        assert_eq!(removed.domain, "example.org");
        assert_eq!(removed.settings_json, None);
    }
}
