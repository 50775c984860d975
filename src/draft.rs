//! What a person has typed into the IMAP or Exchange form, and turning it into core values.
//!
//! Owns: which form field each core error or warning belongs to, form defaults (993 and 465,
//! security following the port), and pre-filling from a saved entry.
//! Must not: decide what is valid (every check is a core parse function) or touch the DOM.

use mailsetup_core::{
    CertificateTrust, Connection, ConnectionWarning, Domain, Endpoint, EndpointWarning, Entry,
    ExchangeSettings, ExchangeUrl, Host, ImapSettings, Port, Problem, Protocol, Security,
    UsernameForm,
};

use crate::i18n::{Language, problems};

/// A field of the IMAP or Exchange form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Domain,
    ImapHost,
    ImapPort,
    ImapSecurity,
    SmtpHost,
    SmtpPort,
    SmtpSecurity,
    ExchangeUrl,
}

impl Field {
    /// The suffix of the field's element id, unique within one form.
    pub fn key(self) -> &'static str {
        match self {
            Field::Domain => "domain",
            Field::ImapHost => "imap-host",
            Field::ImapPort => "imap-port",
            Field::ImapSecurity => "imap-security",
            Field::SmtpHost => "smtp-host",
            Field::SmtpPort => "smtp-port",
            Field::SmtpSecurity => "smtp-security",
            Field::ExchangeUrl => "exchange-url",
        }
    }
}

/// The outcome of checking a draft: the settings when every field is valid, and the messages
/// per field (in the form's field order), already in the person's language.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checked {
    pub value: Option<(Domain, Connection)>,
    pub errors: Vec<(Field, String)>,
    pub warnings: Vec<(Field, String)>,
}

impl Checked {
    pub fn error(&self, field: Field) -> Option<&str> {
        message_for(&self.errors, field)
    }

    pub fn warning(&self, field: Field) -> Option<&str> {
        message_for(&self.warnings, field)
    }

    /// The first field with an error, where focus goes on submit.
    pub fn first_invalid(&self) -> Option<Field> {
        self.errors.iter().map(|(field, _)| *field).min()
    }

    fn push_error(&mut self, field: Field, language: Language, problem: &dyn Problem) {
        self.errors
            .push((field, problems::message(language, problem)));
    }

    fn push_warning(&mut self, field: Field, language: Language, problem: &dyn Problem) {
        self.warnings
            .push((field, problems::message(language, problem)));
    }
}

fn message_for(messages: &[(Field, String)], field: Field) -> Option<&str> {
    messages
        .iter()
        .find(|(candidate, _)| *candidate == field)
        .map(|(_, message)| message.as_str())
}

/// The IMAP form's fields as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ImapDraft {
    pub domain: String,
    pub imap_host: String,
    pub imap_port: String,
    pub imap_security: Security,
    pub smtp_host: String,
    pub smtp_port: String,
    pub smtp_security: Security,
    /// How both servers' certificates are trusted: the "Allow insecure certificates" box is
    /// `any`; an entry's pins are kept through an edit (a choice, so nothing to check).
    pub certificate_trust: CertificateTrust,
    pub include_subdomains: bool,
    /// How people's usernames are formed (a choice, so nothing to check).
    pub username: UsernameForm,
}

impl Default for ImapDraft {
    /// An empty form with the usual encrypted ports: 993 (IMAP) and 465 (SMTP), SSL/TLS.
    fn default() -> ImapDraft {
        ImapDraft {
            domain: String::new(),
            imap_host: String::new(),
            imap_port: Port::IMAP_SSL.to_string(),
            imap_security: Security::suggested_for(Protocol::Imap, Port::IMAP_SSL),
            smtp_host: String::new(),
            smtp_port: Port::SMTP_SSL.to_string(),
            smtp_security: Security::suggested_for(Protocol::Smtp, Port::SMTP_SSL),
            certificate_trust: CertificateTrust::Verified,
            include_subdomains: false,
            username: UsernameForm::EmailAddress,
        }
    }
}

impl ImapDraft {
    /// The form for editing a saved IMAP entry (`None` for an Exchange entry).
    pub fn from_entry(entry: &Entry) -> Option<ImapDraft> {
        let Connection::Imap(imap) = entry.connection() else {
            return None;
        };
        Some(ImapDraft {
            domain: entry.domain().to_unicode(),
            imap_host: imap.incoming.host.to_unicode(),
            imap_port: imap.incoming.port.to_string(),
            imap_security: imap.incoming.security,
            smtp_host: imap.outgoing.host.to_unicode(),
            smtp_port: imap.outgoing.port.to_string(),
            smtp_security: imap.outgoing.security,
            certificate_trust: imap.certificate_trust.clone(),
            include_subdomains: entry.include_subdomains(),
            username: imap.username,
        })
    }

    /// The security a port suggests, for the form to follow until the person picks one.
    pub fn suggested_security(protocol: Protocol, port: &str) -> Option<Security> {
        Port::parse(port)
            .ok()
            .map(|port| Security::suggested_for(protocol, port))
    }

    pub fn check(&self, language: Language) -> Checked {
        let mut checked = Checked::default();
        let domain = check_domain(&self.domain, language, &mut checked);
        let incoming = check_endpoint(
            Protocol::Imap,
            [Field::ImapHost, Field::ImapPort, Field::ImapSecurity],
            (&self.imap_host, &self.imap_port, self.imap_security),
            language,
            &mut checked,
        );
        let outgoing = check_endpoint(
            Protocol::Smtp,
            [Field::SmtpHost, Field::SmtpPort, Field::SmtpSecurity],
            (&self.smtp_host, &self.smtp_port, self.smtp_security),
            language,
            &mut checked,
        );
        if let (Some(domain), Some(incoming), Some(outgoing)) = (domain, incoming, outgoing) {
            let settings = ImapSettings {
                incoming,
                outgoing,
                certificate_trust: self.certificate_trust.clone(),
                username: self.username,
            };
            checked.value = Some((domain, Connection::Imap(settings)));
        }
        checked
    }
}

/// The Exchange form's fields as typed, and how the EWS server's certificate is trusted (kept
/// from the entry, or chosen in the drawer).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExchangeDraft {
    pub domain: String,
    pub url: String,
    pub include_subdomains: bool,
    pub certificate_trust: CertificateTrust,
}

impl ExchangeDraft {
    /// The form for editing a saved Exchange entry (`None` for an IMAP entry).
    pub fn from_entry(entry: &Entry) -> Option<ExchangeDraft> {
        let Connection::Exchange(exchange) = entry.connection() else {
            return None;
        };
        Some(ExchangeDraft {
            domain: entry.domain().to_unicode(),
            url: exchange.url.to_string(),
            include_subdomains: entry.include_subdomains(),
            certificate_trust: exchange.certificate_trust.clone(),
        })
    }

    pub fn check(&self, language: Language) -> Checked {
        let mut checked = Checked::default();
        let domain = check_domain(&self.domain, language, &mut checked);
        let url = match ExchangeUrl::parse(&self.url) {
            Ok(url) => {
                for warning in url.warnings() {
                    let warning = ConnectionWarning::Exchange(warning);
                    checked.push_warning(Field::ExchangeUrl, language, &warning);
                }
                Some(url)
            }
            Err(error) => {
                checked.push_error(Field::ExchangeUrl, language, &error);
                None
            }
        };
        if let (Some(domain), Some(url)) = (domain, url) {
            checked.value = Some((
                domain,
                Connection::Exchange(ExchangeSettings {
                    url,
                    certificate_trust: self.certificate_trust.clone(),
                }),
            ));
        }
        checked
    }
}

fn check_domain(text: &str, language: Language, checked: &mut Checked) -> Option<Domain> {
    Domain::parse(text)
        .map_err(|error| checked.push_error(Field::Domain, language, &error))
        .ok()
}

fn check_endpoint(
    protocol: Protocol,
    [host_field, port_field, security_field]: [Field; 3],
    (host, port, security): (&str, &str, Security),
    language: Language,
    checked: &mut Checked,
) -> Option<Endpoint> {
    let host = Host::parse(host)
        .map_err(|error| checked.push_error(host_field, language, &error))
        .ok();
    let port = Port::parse(port)
        .map_err(|error| checked.push_error(port_field, language, &error))
        .ok();
    let endpoint = Endpoint {
        host: host?,
        port: port?,
        security,
    };
    for warning in endpoint.warnings(protocol) {
        let field = match &warning {
            EndpointWarning::Host(_) => host_field,
            EndpointWarning::SecurityPortMismatch { .. } => security_field,
            EndpointWarning::SmtpPort25 | EndpointWarning::PortForOtherProtocol { .. } => {
                port_field
            }
        };
        checked.push_warning(field, language, &warning);
    }
    Some(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imap(domain: &str, imap_host: &str, smtp_host: &str) -> ImapDraft {
        ImapDraft {
            domain: domain.into(),
            imap_host: imap_host.into(),
            smtp_host: smtp_host.into(),
            ..ImapDraft::default()
        }
    }

    #[test]
    fn defaults_to_the_encrypted_ports() {
        let draft = ImapDraft::default();
        assert_eq!(
            (draft.imap_port.as_str(), draft.imap_security),
            ("993", Security::SslTls)
        );
        assert_eq!(
            (draft.smtp_port.as_str(), draft.smtp_security),
            ("465", Security::SslTls)
        );
        assert_eq!(draft.certificate_trust, CertificateTrust::Verified);
    }

    #[test]
    fn a_complete_imap_draft_becomes_settings() {
        let checked =
            imap("Example.COM", "imap.example.com", "smtp.example.com").check(Language::English);
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        let (domain, connection) = checked.value.expect("settings");
        assert_eq!(domain.as_ascii(), "example.com");
        let Connection::Imap(settings) = connection else {
            panic!("not IMAP")
        };
        assert_eq!(settings.incoming.port.get(), 993);
        assert_eq!(settings.outgoing.port.get(), 465);
    }

    #[test]
    fn every_bad_field_gets_its_own_error_in_form_order() {
        let mut draft = imap("", "imap.exa mple.com", "");
        draft.imap_port = "0".into();
        draft.smtp_port = "abc".into();
        let checked = draft.check(Language::English);
        let fields: Vec<Field> = checked.errors.iter().map(|(field, _)| *field).collect();
        assert_eq!(
            fields,
            vec![
                Field::Domain,
                Field::ImapHost,
                Field::ImapPort,
                Field::SmtpHost,
                Field::SmtpPort
            ]
        );
        assert_eq!(checked.first_invalid(), Some(Field::Domain));
        assert!(checked.value.is_none());
    }

    #[test]
    fn warnings_land_on_the_field_they_concern_and_do_not_block() {
        let mut draft = imap("example.com", "192.168.1.10", "smtp.example.com");
        draft.smtp_port = "25".into();
        draft.imap_security = Security::StartTls;
        let checked = draft.check(Language::English);
        assert!(checked.value.is_some());
        assert!(checked.warning(Field::ImapHost).is_some());
        assert!(checked.warning(Field::ImapSecurity).is_some());
        assert!(checked.warning(Field::SmtpPort).is_some());
        assert!(checked.warning(Field::SmtpHost).is_none());
    }

    #[test]
    fn security_follows_the_port() {
        assert_eq!(
            ImapDraft::suggested_security(Protocol::Imap, "143"),
            Some(Security::StartTls)
        );
        assert_eq!(
            ImapDraft::suggested_security(Protocol::Smtp, "587"),
            Some(Security::StartTls)
        );
        assert_eq!(
            ImapDraft::suggested_security(Protocol::Smtp, "465"),
            Some(Security::SslTls)
        );
        assert_eq!(ImapDraft::suggested_security(Protocol::Imap, "x"), None);
    }

    #[test]
    fn exchange_drafts_check_the_url() {
        let draft = ExchangeDraft {
            domain: "example.com".into(),
            url: "http://mail.example.com/EWS/Exchange.asmx".into(),
            include_subdomains: false,
            certificate_trust: CertificateTrust::Any,
        };
        let checked = draft.check(Language::English);
        assert!(checked.error(Field::ExchangeUrl).is_some());
        let draft = ExchangeDraft {
            url: "https://mail.example.com/ews/services.wsdl".into(),
            ..draft
        };
        let checked = draft.check(Language::English);
        assert!(checked.warning(Field::ExchangeUrl).is_some());
        // The trust kept from the entry (or chosen) goes into the settings.
        let Some((_, Connection::Exchange(exchange))) = checked.value else {
            panic!("Exchange settings");
        };
        assert_eq!(exchange.certificate_trust, CertificateTrust::Any);
    }

    #[test]
    fn polish_messages_come_from_the_polish_table() {
        let checked = imap("", "imap.example.com", "smtp.example.com").check(Language::Polish);
        let english = imap("", "imap.example.com", "smtp.example.com").check(Language::English);
        assert_ne!(checked.error(Field::Domain), english.error(Field::Domain));
    }

    #[test]
    fn saved_entries_prefill_their_own_form_only() {
        use mailsetup_core::{EntryDraft, SettingsBook, Timestamp};
        let (domain, connection) = imap("bücher.example", "imap.example.com", "smtp.example.com")
            .check(Language::English)
            .value
            .unwrap();
        let mut book = SettingsBook::new();
        let draft = EntryDraft {
            domain: domain.clone(),
            connection,
            include_subdomains: true,
        };
        book.add(draft, Timestamp::from_unix_ms(0)).unwrap();
        let entry = book.get(&domain).unwrap();
        let form = ImapDraft::from_entry(entry).unwrap();
        assert_eq!(form.domain, "bücher.example");
        assert!(form.include_subdomains);
        assert!(ExchangeDraft::from_entry(entry).is_none());
        assert_eq!(form.check(Language::English).value.unwrap().0, domain);
    }

    #[test]
    fn a_pinned_entry_keeps_its_pins_through_the_form() {
        use mailsetup_core::{EntryDraft, SettingsBook, SpkiPin, SpkiPins, Timestamp};
        let pinned =
            CertificateTrust::pinned(SpkiPins::new([SpkiPin::from_sha256([3; 32])]).unwrap());
        let mut form = imap("example.com", "imap.example.com", "smtp.example.com");
        form.certificate_trust = pinned.clone();
        let (domain, connection) = form.check(Language::English).value.unwrap();
        assert_eq!(connection.certificate_trust(), &pinned);
        let mut book = SettingsBook::new();
        book.add(
            EntryDraft {
                domain: domain.clone(),
                connection,
                include_subdomains: false,
            },
            Timestamp::from_unix_ms(0),
        )
        .unwrap();
        let again = ImapDraft::from_entry(book.get(&domain).unwrap()).unwrap();
        assert_eq!(again.certificate_trust, pinned);
    }
}
