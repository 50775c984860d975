//! Strings of undo: what changed in each revision of the drawer's history, restoring one of
//! them, and "Recently deleted". Used only by parts that load on demand (the drawer, the list of
//! deleted domains), so this text travels with their code.

use mailsetup_core::{
    CertificateTrust, ConnectionKind, EntryField, FieldChange, FieldValue, Security, UsernameForm,
};

use super::{Language, polish};

pub struct HistoryTexts {
    /// A field's short name in a difference ("IMAP port").
    pub field: fn(EntryField) -> &'static str,
    pub on: &'static str,
    pub off: &'static str,
    /// A field the other kind of connection does not have.
    pub absent: &'static str,
    pub username: fn(UsernameForm) -> &'static str,
    pub trust_verified: &'static str,
    pub trust_any: &'static str,
    pub trust_pinned: fn(&str) -> String,
    /// A history line for a restore: who restored which revision, when.
    pub restored: fn(u64, &str, &str) -> String,
    /// What a revision changed, read out before the list of fields.
    pub changes_label: &'static str,
    pub restore: &'static str,
    /// The restore button's accessible name, naming the revision.
    pub restore_label: fn(u64) -> String,
    pub restore_question: fn(&str) -> String,
    pub restore_changes: &'static str,
    pub restore_confirm: &'static str,
    pub restoring: &'static str,
    pub cancel: &'static str,
    pub restore_failed: fn(&str) -> String,
    pub restored_status: fn(&str) -> String,
    pub deleted_heading: &'static str,
    pub deleted_loading: &'static str,
    pub deleted_failed: &'static str,
    pub deleted_none: &'static str,
    /// "Deleted by … on …"; the actor is empty where nobody signs in (browser storage).
    pub deleted_line: fn(&str, &str) -> String,
    pub revive: &'static str,
    pub revive_label: fn(&str) -> String,
    pub reviving: &'static str,
    pub revived_status: fn(&str) -> String,
    pub revive_failed: fn(&str, &str) -> String,
}

pub fn texts(language: Language) -> &'static HistoryTexts {
    polish::pick(language, &EN, |tables| tables.history)
}

/// "IMAP port: 993 → 143", in `texts`' words.
pub fn describe_change(texts: &HistoryTexts, change: &FieldChange) -> String {
    format!(
        "{}: {} → {}",
        (texts.field)(change.field),
        value_text(texts, &change.before),
        value_text(texts, &change.after)
    )
}

fn value_text(texts: &HistoryTexts, value: &FieldValue) -> String {
    match value {
        FieldValue::Text(text) => text.clone(),
        FieldValue::Port(port) => port.to_string(),
        FieldValue::Security(Security::SslTls) => "SSL/TLS".into(),
        FieldValue::Security(Security::StartTls) => "STARTTLS".into(),
        FieldValue::Kind(ConnectionKind::Imap) => "IMAP".into(),
        FieldValue::Kind(ConnectionKind::Exchange) => "Exchange".into(),
        FieldValue::Username(form) => (texts.username)(*form).into(),
        FieldValue::Trust(CertificateTrust::Verified) => texts.trust_verified.into(),
        FieldValue::Trust(CertificateTrust::Any) => texts.trust_any.into(),
        FieldValue::Trust(trust) => {
            let keys: Vec<String> = trust.pins().iter().map(|pin| pin.short()).collect();
            (texts.trust_pinned)(&keys.join(", "))
        }
        FieldValue::Flag(true) => texts.on.into(),
        FieldValue::Flag(false) => texts.off.into(),
        FieldValue::Absent => texts.absent.into(),
    }
}

pub(super) static EN: HistoryTexts = HistoryTexts {
    field: |field| match field {
        EntryField::Domain => "Domain name",
        EntryField::Kind => "Type",
        EntryField::IncomingHost => "IMAP server",
        EntryField::IncomingPort => "IMAP port",
        EntryField::IncomingSecurity => "IMAP security",
        EntryField::OutgoingHost => "SMTP server",
        EntryField::OutgoingPort => "SMTP port",
        EntryField::OutgoingSecurity => "SMTP security",
        EntryField::Username => "Username",
        EntryField::ExchangeUrl => "Exchange URL",
        EntryField::CertificateTrust => "Certificates",
        EntryField::IncludeSubdomains => "Subdomains",
    },
    on: "included",
    off: "not included",
    absent: "none",
    username: |form| match form {
        UsernameForm::EmailAddress => "the whole email address",
        UsernameForm::LocalPart => "the part before the @",
        UsernameForm::Typed => "typed by each person",
    },
    trust_verified: "verified",
    trust_any: "any (insecure)",
    trust_pinned: |keys| format!("trusted keys {keys}"),
    restored: |revision, who, when| format!("Revision {revision} restored by {who}, {when}"),
    changes_label: "What changed",
    restore: "Restore this version",
    restore_label: |revision| format!("Restore revision {revision}"),
    restore_question: |when| format!("Restore the settings as they were on {when}?"),
    restore_changes: "This changes:",
    restore_confirm: "Restore",
    restoring: "Restoring…",
    cancel: "Cancel",
    restore_failed: |reason| format!("The settings were not restored. {reason}"),
    restored_status: |domain| format!("Earlier settings for {domain} restored."),
    deleted_heading: "Recently deleted",
    deleted_loading: "Loading the deleted domains…",
    deleted_failed: "The deleted domains could not be loaded.",
    deleted_none: "No domain was deleted recently.",
    deleted_line: |who, when| {
        if who.is_empty() {
            format!("Deleted {when}")
        } else {
            format!("Deleted by {who}, {when}")
        }
    },
    revive: "Restore",
    revive_label: |domain| format!("Restore {domain}"),
    reviving: "Restoring…",
    revived_status: |domain| format!("Settings for {domain} restored."),
    revive_failed: |domain, reason| format!("{domain} was not restored. {reason}"),
};

pub(super) static PL: HistoryTexts = HistoryTexts {
    field: |field| match field {
        EntryField::Domain => "Nazwa domeny",
        EntryField::Kind => "Typ",
        EntryField::IncomingHost => "Serwer IMAP",
        EntryField::IncomingPort => "Port IMAP",
        EntryField::IncomingSecurity => "Zabezpieczenie IMAP",
        EntryField::OutgoingHost => "Serwer SMTP",
        EntryField::OutgoingPort => "Port SMTP",
        EntryField::OutgoingSecurity => "Zabezpieczenie SMTP",
        EntryField::Username => "Nazwa użytkownika",
        EntryField::ExchangeUrl => "Adres URL Exchange",
        EntryField::CertificateTrust => "Certyfikaty",
        EntryField::IncludeSubdomains => "Subdomeny",
    },
    on: "uwzględnione",
    off: "nieuwzględnione",
    absent: "brak",
    username: |form| match form {
        UsernameForm::EmailAddress => "cały adres e-mail",
        UsernameForm::LocalPart => "część przed @",
        UsernameForm::Typed => "wpisywana przez każdą osobę",
    },
    trust_verified: "weryfikowane",
    trust_any: "dowolne (niezabezpieczone)",
    trust_pinned: |keys| format!("zaufane klucze {keys}"),
    restored: |revision, who, when| format!("Wersja {revision} przywrócona przez {who}, {when}"),
    changes_label: "Co się zmieniło",
    restore: "Przywróć tę wersję",
    restore_label: |revision| format!("Przywróć wersję {revision}"),
    restore_question: |when| format!("Przywrócić ustawienia z {when}?"),
    restore_changes: "To zmieni:",
    restore_confirm: "Przywróć",
    restoring: "Przywracanie…",
    cancel: "Anuluj",
    restore_failed: |reason| format!("Nie przywrócono ustawień. {reason}"),
    restored_status: |domain| format!("Przywrócono wcześniejsze ustawienia dla {domain}."),
    deleted_heading: "Ostatnio usunięte",
    deleted_loading: "Wczytywanie usuniętych domen…",
    deleted_failed: "Nie udało się wczytać usuniętych domen.",
    deleted_none: "Ostatnio nie usunięto żadnej domeny.",
    deleted_line: |who, when| {
        if who.is_empty() {
            format!("Usunięto {when}")
        } else {
            format!("Usunięte przez {who}, {when}")
        }
    },
    revive: "Przywróć",
    revive_label: |domain| format!("Przywróć {domain}"),
    reviving: "Przywracanie…",
    revived_status: |domain| format!("Przywrócono ustawienia dla {domain}."),
    revive_failed: |domain, reason| format!("Nie przywrócono {domain}. {reason}"),
};

#[cfg(test)]
mod tests {
    use mailsetup_core::{
        CertificateTrust, EntryField, FieldChange, FieldValue, SpkiPin, SpkiPins,
    };

    use super::*;

    fn change(field: EntryField, before: FieldValue, after: FieldValue) -> FieldChange {
        FieldChange {
            field,
            before,
            after,
        }
    }

    #[test]
    fn a_change_reads_field_before_and_after_in_both_languages() {
        let port = change(
            EntryField::IncomingPort,
            FieldValue::Port(993),
            FieldValue::Port(143),
        );
        assert_eq!(describe_change(&EN, &port), "IMAP port: 993 → 143");
        assert_eq!(describe_change(&PL, &port), "Port IMAP: 993 → 143");
        let kind = change(
            EntryField::ExchangeUrl,
            FieldValue::Absent,
            FieldValue::Text("https://mail.example.com/EWS/Exchange.asmx".into()),
        );
        assert_eq!(
            describe_change(&EN, &kind),
            "Exchange URL: none → https://mail.example.com/EWS/Exchange.asmx"
        );
        let subdomains = change(
            EntryField::IncludeSubdomains,
            FieldValue::Flag(false),
            FieldValue::Flag(true),
        );
        assert_eq!(
            describe_change(&PL, &subdomains),
            "Subdomeny: nieuwzględnione → uwzględnione"
        );
    }

    #[test]
    fn pinned_keys_are_named_by_their_short_fingerprints() {
        let pin = SpkiPin::parse(&"ab".repeat(32)).unwrap();
        let trust = change(
            EntryField::CertificateTrust,
            FieldValue::Trust(CertificateTrust::Any),
            FieldValue::Trust(CertificateTrust::pinned(SpkiPins::new([pin]).unwrap())),
        );
        assert_eq!(
            describe_change(&EN, &trust),
            format!(
                "Certificates: any (insecure) → trusted keys {}",
                pin.short()
            )
        );
    }
}
