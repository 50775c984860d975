//! The person's side of the flow as data: where their settings come from, what they typed,
//! turning it into what a connection attempt needs, and reading the deep link
//! `#connect?email=...`.
//!
//! Owns: which field each problem belongs to, the order of the fields, the deep link's format.
//! Must not: decide what is valid (core's parse functions and `draft` do) or touch the DOM.

use mailsetup_core::{
    Connection, ConnectionKind, Domain, Entry, MatchKind, Username, check_password,
};

use crate::draft::{Checked, ExchangeDraft, Field, ImapDraft};
use crate::i18n::{Language, problems};

/// Where the server settings in the form came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The administrator's entry for `domain` (the address's own domain, or a parent that
    /// includes subdomains).
    Administrator { domain: Domain, matched: MatchKind },
    /// Nobody set up the address's domain: the person types the settings.
    Nobody,
}

/// The server part of the person's form.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerDraft {
    Imap(ImapDraft),
    Exchange(ExchangeDraft),
}

impl ServerDraft {
    /// The administrator's settings, as the form shows them.
    pub fn from_entry(entry: &Entry) -> ServerDraft {
        match ExchangeDraft::from_entry(entry) {
            Some(exchange) => ServerDraft::Exchange(exchange),
            None => ServerDraft::Imap(ImapDraft::from_entry(entry).unwrap_or_default()),
        }
    }

    pub fn kind(&self) -> ConnectionKind {
        match self {
            ServerDraft::Imap(_) => ConnectionKind::Imap,
            ServerDraft::Exchange(_) => ConnectionKind::Exchange,
        }
    }

    /// Checks the server fields. The domain is the address's, which is valid by then.
    pub fn check(&self, domain: &Domain, language: Language) -> Checked {
        let domain = domain.to_unicode();
        match self {
            ServerDraft::Imap(draft) => ImapDraft {
                domain,
                ..draft.clone()
            }
            .check(language),
            ServerDraft::Exchange(draft) => ExchangeDraft {
                domain,
                ..draft.clone()
            }
            .check(language),
        }
    }
}

/// A field of the person's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConnectField {
    Username,
    Password,
    Server(Field),
}

/// The outcome of checking the person's form.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectChecked {
    pub username: Result<Username, String>,
    pub password_error: Option<String>,
    pub server: Checked,
}

impl ConnectChecked {
    /// Checks what the person typed. The password is only looked at.
    pub fn new(
        username: &str,
        password: &str,
        server: &ServerDraft,
        domain: &Domain,
        language: Language,
    ) -> ConnectChecked {
        ConnectChecked {
            username: Username::parse(username)
                .map_err(|error| problems::message(language, &error)),
            password_error: check_password(password)
                .err()
                .map(|error| problems::message(language, &error)),
            server: server.check(domain, language),
        }
    }

    pub fn error(&self, field: ConnectField) -> Option<&str> {
        match field {
            ConnectField::Username => self.username.as_ref().err().map(String::as_str),
            ConnectField::Password => self.password_error.as_deref(),
            ConnectField::Server(field) => self.server.error(field),
        }
    }

    /// Where focus goes when Connect finds a problem: the first field in form order.
    pub fn first_invalid(&self) -> Option<ConnectField> {
        if self.username.is_err() {
            return Some(ConnectField::Username);
        }
        if self.password_error.is_some() {
            return Some(ConnectField::Password);
        }
        self.server.first_invalid().map(ConnectField::Server)
    }

    /// The username and settings, when every field is usable.
    pub fn ready(&self) -> Option<(Username, Connection)> {
        if self.password_error.is_some() {
            return None;
        }
        let username = self.username.as_ref().ok()?.clone();
        let (_, connection) = self.server.value.clone()?;
        Some((username, connection))
    }
}

/// The address in a deep link: `Some` for `#connect` (with `None` inside when no address is
/// given), `None` when the fragment is about something else.
pub fn deep_link(fragment: &str) -> Option<Option<String>> {
    let rest = fragment.strip_prefix('#').unwrap_or(fragment);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != "connect" {
        return None;
    }
    let email = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "email")
        .and_then(|(_, value)| percent_decode(value));
    Some(email)
}

/// Decodes `%XX` escapes as UTF-8. A `+` stays a `+` (it is common in addresses). `None` for a
/// broken escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = tail.get(..2)?;
            let hex = std::str::from_utf8(hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsetup_core::{EntryDraft, SettingsBook, Timestamp};

    fn domain(text: &str) -> Domain {
        Domain::parse(text).unwrap()
    }

    fn imap_entry_book() -> SettingsBook {
        let draft = ImapDraft {
            domain: "example.com".into(),
            imap_host: "imap.example.com".into(),
            smtp_host: "smtp.example.com".into(),
            smtp_port: "587".into(),
            smtp_security: mailsetup_core::Security::StartTls,
            certificate_trust: mailsetup_core::CertificateTrust::Any,
            ..ImapDraft::default()
        };
        let (domain, connection) = draft.check(Language::English).value.unwrap();
        let mut book = SettingsBook::new();
        book.add(
            EntryDraft {
                domain,
                connection,
                include_subdomains: true,
            },
            Timestamp::from_unix_ms(0),
        )
        .unwrap();
        book
    }

    #[test]
    fn reads_deep_links() {
        assert_eq!(
            deep_link("#connect?email=alice%40example.com"),
            Some(Some("alice@example.com".into()))
        );
        assert_eq!(
            deep_link("#connect?lang=pl&email=a+tag@example.com"),
            Some(Some("a+tag@example.com".into()))
        );
        assert_eq!(
            deep_link("#connect?email=j%C3%B6rg%40b%C3%BCcher.example"),
            Some(Some("jörg@bücher.example".into()))
        );
        assert_eq!(deep_link("#connect"), Some(None));
        assert_eq!(deep_link("#connect?email=%zz"), Some(None));
        assert_eq!(deep_link("#connect?email=%C3"), Some(None));
        assert_eq!(deep_link("#settings"), None);
        assert_eq!(deep_link(""), None);
        assert_eq!(deep_link("#connected?email=a@b.example"), None);
    }

    #[test]
    fn the_administrators_settings_prefill_the_form() {
        let book = imap_entry_book();
        let found = book.lookup("alice@eu.example.com").unwrap().unwrap();
        assert_eq!(found.kind, MatchKind::Parent);
        let ServerDraft::Imap(draft) = ServerDraft::from_entry(found.entry) else {
            panic!("not IMAP");
        };
        assert_eq!(draft.imap_host, "imap.example.com");
        assert_eq!(draft.smtp_port, "587");
        assert_eq!(
            draft.certificate_trust,
            mailsetup_core::CertificateTrust::Any
        );
    }

    #[test]
    fn connect_needs_a_username_a_password_and_valid_servers() {
        let book = imap_entry_book();
        let entry = book.get(&domain("example.com")).unwrap();
        let server = ServerDraft::from_entry(entry);
        let here = domain("eu.example.com");
        let checked = ConnectChecked::new(
            " alice@eu.example.com ",
            "secret",
            &server,
            &here,
            Language::English,
        );
        let (username, connection) = checked.ready().expect("ready");
        assert_eq!(username.as_str(), "alice@eu.example.com");
        assert_eq!(&connection, entry.connection());

        let checked = ConnectChecked::new("", "", &server, &here, Language::English);
        assert_eq!(checked.first_invalid(), Some(ConnectField::Username));
        assert!(checked.error(ConnectField::Password).is_some());
        assert!(checked.ready().is_none());

        let checked = ConnectChecked::new("alice", "", &server, &here, Language::Polish);
        assert_eq!(checked.first_invalid(), Some(ConnectField::Password));
        assert_eq!(
            checked.error(ConnectField::Password),
            Some("Wpisz hasło do skrzynki.")
        );

        let ServerDraft::Imap(mut draft) = server else {
            panic!("not IMAP")
        };
        draft.smtp_host = "smtp example".into();
        let checked = ConnectChecked::new(
            "alice",
            "secret",
            &ServerDraft::Imap(draft),
            &here,
            Language::English,
        );
        assert_eq!(
            checked.first_invalid(),
            Some(ConnectField::Server(Field::SmtpHost))
        );
        assert!(checked.ready().is_none());
    }

    #[test]
    fn a_blank_form_is_imap_with_the_usual_ports() {
        let server = ServerDraft::Imap(ImapDraft::default());
        assert_eq!(server.kind(), ConnectionKind::Imap);
        let checked = ConnectChecked::new(
            "alice",
            "secret",
            &server,
            &domain("new.example"),
            Language::English,
        );
        assert_eq!(
            checked.first_invalid(),
            Some(ConnectField::Server(Field::ImapHost))
        );
        assert!(checked.server.error(Field::ImapPort).is_none());
        assert!(checked.server.error(Field::Domain).is_none());
    }

    #[test]
    fn exchange_settings_prefill_the_url() {
        let draft = ExchangeDraft {
            domain: "corp.example".into(),
            url: "https://mail.corp.example/EWS/Exchange.asmx".into(),
            include_subdomains: false,
            ..ExchangeDraft::default()
        };
        let (name, connection) = draft.check(Language::English).value.unwrap();
        let mut book = SettingsBook::new();
        book.add(
            EntryDraft {
                domain: name,
                connection,
                include_subdomains: false,
            },
            Timestamp::from_unix_ms(0),
        )
        .unwrap();
        let found = book.lookup("bob@corp.example").unwrap().unwrap();
        let server = ServerDraft::from_entry(found.entry);
        assert_eq!(server.kind(), ConnectionKind::Exchange);
        assert_eq!(server, ServerDraft::Exchange(draft));
        assert!(book.lookup("bob@sub.corp.example").unwrap().is_none());
    }
}
