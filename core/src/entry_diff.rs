//! What differs between two versions of an entry's settings, field by field: what the history
//! shows beside each revision ("IMAP port 993 → 143") and what a restore's confirmation says it
//! will change.
//!
//! Owns: the list of fields a person can tell apart, their order, and comparing them.
//! Must not: word anything (the component's i18n tables name the fields and values).

use crate::book::EntryDraft;
use crate::certificate_trust::CertificateTrust;
use crate::security::{Endpoint, Security};
use crate::settings::{Connection, ConnectionKind, UsernameForm};

/// A setting a person can tell apart in the form, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryField {
    Domain,
    Kind,
    IncomingHost,
    IncomingPort,
    IncomingSecurity,
    OutgoingHost,
    OutgoingPort,
    OutgoingSecurity,
    Username,
    ExchangeUrl,
    CertificateTrust,
    IncludeSubdomains,
}

/// One field's value, typed so that the reader words it in their language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A name or an address, shown as is (domains and hosts in their Unicode form).
    Text(String),
    Port(u16),
    Security(Security),
    Kind(ConnectionKind),
    Username(UsernameForm),
    Trust(CertificateTrust),
    Flag(bool),
    /// The field does not exist in this version (the other kind of connection).
    Absent,
}

/// A field whose value differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: EntryField,
    pub before: FieldValue,
    pub after: FieldValue,
}

/// The fields whose values differ from `before` to `after`, in the form's order; empty when the
/// two hold the same settings.
pub fn entry_changes(before: &EntryDraft, after: &EntryDraft) -> Vec<FieldChange> {
    let before = field_values(before);
    let after = field_values(after);
    EntryField::ORDER
        .iter()
        .filter_map(|&field| {
            let value = |values: &[(EntryField, FieldValue)]| {
                values
                    .iter()
                    .find(|(named, _)| *named == field)
                    .map_or(FieldValue::Absent, |(_, value)| value.clone())
            };
            let (before, after) = (value(&before), value(&after));
            (before != after).then_some(FieldChange {
                field,
                before,
                after,
            })
        })
        .collect()
}

impl EntryField {
    const ORDER: [EntryField; 12] = [
        EntryField::Domain,
        EntryField::Kind,
        EntryField::IncomingHost,
        EntryField::IncomingPort,
        EntryField::IncomingSecurity,
        EntryField::OutgoingHost,
        EntryField::OutgoingPort,
        EntryField::OutgoingSecurity,
        EntryField::Username,
        EntryField::ExchangeUrl,
        EntryField::CertificateTrust,
        EntryField::IncludeSubdomains,
    ];
}

/// Every field the draft has, with its value.
fn field_values(draft: &EntryDraft) -> Vec<(EntryField, FieldValue)> {
    let mut values = vec![
        (
            EntryField::Domain,
            FieldValue::Text(draft.domain.to_unicode()),
        ),
        (EntryField::Kind, FieldValue::Kind(draft.connection.kind())),
        (
            EntryField::IncludeSubdomains,
            FieldValue::Flag(draft.include_subdomains),
        ),
    ];
    let endpoint = |values: &mut Vec<_>, fields: [EntryField; 3], endpoint: &Endpoint| {
        let [host, port, security] = fields;
        values.push((host, FieldValue::Text(endpoint.host.to_unicode())));
        values.push((port, FieldValue::Port(endpoint.port.get())));
        values.push((security, FieldValue::Security(endpoint.security)));
    };
    match &draft.connection {
        Connection::Imap(imap) => {
            endpoint(
                &mut values,
                [
                    EntryField::IncomingHost,
                    EntryField::IncomingPort,
                    EntryField::IncomingSecurity,
                ],
                &imap.incoming,
            );
            endpoint(
                &mut values,
                [
                    EntryField::OutgoingHost,
                    EntryField::OutgoingPort,
                    EntryField::OutgoingSecurity,
                ],
                &imap.outgoing,
            );
            values.push((EntryField::Username, FieldValue::Username(imap.username)));
            values.push((
                EntryField::CertificateTrust,
                FieldValue::Trust(imap.certificate_trust.clone()),
            ));
        }
        Connection::Exchange(exchange) => {
            values.push((
                EntryField::ExchangeUrl,
                FieldValue::Text(exchange.url.as_str().to_owned()),
            ));
            values.push((
                EntryField::CertificateTrust,
                FieldValue::Trust(exchange.certificate_trust.clone()),
            ));
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{draft, exchange, imap};
    use crate::{Port, SpkiPin, SpkiPins};

    fn with_incoming_port(mut draft: EntryDraft, port: u16) -> EntryDraft {
        if let Connection::Imap(imap) = &mut draft.connection {
            imap.incoming.port = Port::new(port).unwrap();
        }
        draft
    }

    #[test]
    fn the_same_settings_differ_in_nothing() {
        let a = draft("a.example", imap("mail.a.example"), false);
        assert_eq!(entry_changes(&a, &a.clone()), []);
    }

    #[test]
    fn a_changed_port_is_named_with_both_values() {
        let before = draft("a.example", imap("mail.a.example"), false);
        let after = with_incoming_port(before.clone(), 143);
        let before_port = match &before.connection {
            Connection::Imap(imap) => imap.incoming.port.get(),
            Connection::Exchange(_) => unreachable!(),
        };
        assert_eq!(
            entry_changes(&before, &after),
            [FieldChange {
                field: EntryField::IncomingPort,
                before: FieldValue::Port(before_port),
                after: FieldValue::Port(143),
            }]
        );
    }

    #[test]
    fn fields_come_in_the_forms_order_and_a_rename_names_the_domain_first() {
        let before = draft("a.example", imap("mail.a.example"), false);
        let mut after = with_incoming_port(draft("b.example", imap("mail.a.example"), true), 2143);
        if let Connection::Imap(imap) = &mut after.connection {
            let pin = SpkiPin::parse(&"ab".repeat(32)).unwrap();
            imap.certificate_trust = CertificateTrust::pinned(SpkiPins::new([pin]).unwrap());
        }
        let fields: Vec<EntryField> = entry_changes(&before, &after)
            .into_iter()
            .map(|change| change.field)
            .collect();
        assert_eq!(
            fields,
            [
                EntryField::Domain,
                EntryField::IncomingPort,
                EntryField::CertificateTrust,
                EntryField::IncludeSubdomains
            ]
        );
    }

    #[test]
    fn another_kind_names_the_kind_and_every_field_of_both() {
        let before = draft("a.example", imap("mail.a.example"), false);
        let after = draft("a.example", exchange("mail.a.example"), false);
        let changes = entry_changes(&before, &after);
        assert_eq!(changes[0].field, EntryField::Kind);
        let url = changes
            .iter()
            .find(|change| change.field == EntryField::ExchangeUrl)
            .unwrap();
        assert_eq!(url.before, FieldValue::Absent);
        let host = changes
            .iter()
            .find(|change| change.field == EntryField::IncomingHost)
            .unwrap();
        assert_eq!(host.after, FieldValue::Absent);
        // Both verified: the trust is the same, so it is not named.
        assert!(
            changes
                .iter()
                .all(|change| change.field != EntryField::CertificateTrust)
        );
    }

    #[test]
    fn the_difference_is_symmetric() {
        let a = draft("a.example", imap("mail.a.example"), false);
        let b = draft("b.example", exchange("mail.b.example"), true);
        let forth = entry_changes(&a, &b);
        let back = entry_changes(&b, &a);
        assert_eq!(forth.len(), back.len());
        for (forth, back) in forth.iter().zip(&back) {
            assert_eq!(
                (&forth.field, &forth.before, &forth.after),
                (&back.field, &back.after, &back.before)
            );
        }
    }
}
