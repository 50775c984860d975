//! The settings file (the versioned JSON document the panel exports) as an import reads it: each
//! domain in file order, its settings or every problem with it by field. Unlike loading the
//! stored document, an import takes the settings and nothing else: `revision` and
//! `updated_at_unix_ms` may be there (an export) or not (a file written by hand), and a domain
//! named twice is left for the import's plan to point out.
//!
//! Owns: reading that file for an import. Must not: decide what valid settings are (the
//! document's entry reader does) or how the book takes them (`import::plan_import` does).

use serde_json::Value;

use crate::book::EntryDraft;
use crate::document::{
    DOCUMENT_VERSION, DocumentError, EntrySource, FieldProblem, read_entry_from,
};

/// One domain of a settings file.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsFileLine {
    /// Where the domain is in the file's list, from 1.
    pub position: usize,
    /// The domain as written, to name the line, if it is text.
    pub domain_text: Option<String>,
    /// The settings, or every problem with them, by field.
    pub settings: Result<EntryDraft, Vec<FieldProblem>>,
}

/// Reads a settings file of this version or an older one.
pub fn read_settings_file(text: &str) -> Result<Vec<SettingsFileLine>, DocumentError> {
    let root: Value = serde_json::from_str(text).map_err(|error| DocumentError::NotJson {
        line: error.line(),
        column: error.column(),
    })?;
    let version = root
        .get("version")
        .and_then(Value::as_u64)
        .ok_or(DocumentError::NotADocument)?;
    if version > DOCUMENT_VERSION {
        return Err(DocumentError::NewerVersion { found: version });
    }
    if version == 0 {
        return Err(DocumentError::UnsupportedVersion { found: version });
    }
    let entries = match root.get("domains") {
        None => return Ok(Vec::new()),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(DocumentError::DomainsNotAList),
    };
    Ok(entries
        .iter()
        .enumerate()
        .map(|(index, raw)| SettingsFileLine {
            position: index + 1,
            domain_text: raw.get("domain").and_then(Value::as_str).map(str::to_owned),
            settings: read_entry_from(raw, EntrySource::Sent).map(|entry| entry.to_draft()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::tests::{T1, book_with, imap};
    use crate::document::Document;
    use crate::problem::Problem;

    #[test]
    fn an_export_reads_back_as_its_settings_in_file_order() {
        let book = book_with(&[
            ("b.example", imap("b.example"), true),
            ("a.example", imap("a.example"), false),
        ]);
        let _ = T1;
        let lines = read_settings_file(&Document::new(book.clone()).to_json()).unwrap();
        let drafts: Vec<EntryDraft> = lines
            .into_iter()
            .map(|line| line.settings.unwrap())
            .collect();
        let expected: Vec<EntryDraft> = book.iter().map(|entry| entry.to_draft()).collect();
        assert_eq!(drafts, expected);
    }

    #[test]
    fn a_file_written_by_hand_needs_no_revisions_and_each_problem_names_its_field() {
        let text = r#"{"version": 2, "domains": [
            {"domain": "ok.example", "type": "exchange", "url": "https://mail.ok.example/EWS/Exchange.asmx"},
            {"domain": "bad.example", "type": "imap",
             "incoming": {"host": "imap.bad.example", "port": 0, "security": "ssl_tls"},
             "outgoing": {"host": "smtp.bad.example", "port": 465, "security": "ssl_tls"}},
            {"domain": "ok.example", "type": "exchange", "url": "https://mail.ok.example/EWS/Exchange.asmx"},
            7
        ]}"#;
        let lines = read_settings_file(text).unwrap();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].settings.is_ok());
        assert!(
            lines[2].settings.is_ok(),
            "a repeated domain is the plan's to point out"
        );
        let problems = lines[1].settings.as_ref().unwrap_err();
        assert_eq!(
            (problems[0].field.as_str(), problems[0].code()),
            ("incoming.port", "port.zero")
        );
        assert_eq!(lines[1].domain_text.as_deref(), Some("bad.example"));
        assert_eq!(
            (lines[3].position, lines[3].domain_text.as_deref()),
            (4, None)
        );
        assert!(lines[3].settings.is_err());
    }

    #[test]
    fn a_file_that_is_no_settings_file_is_refused_whole() {
        assert!(matches!(
            read_settings_file("{"),
            Err(DocumentError::NotJson { .. })
        ));
        assert_eq!(read_settings_file("[]"), Err(DocumentError::NotADocument));
        assert_eq!(
            read_settings_file(r#"{"version": 99, "domains": []}"#),
            Err(DocumentError::NewerVersion { found: 99 })
        );
        assert_eq!(
            read_settings_file(r#"{"version": 2, "domains": {}}"#),
            Err(DocumentError::DomainsNotAList)
        );
        assert_eq!(read_settings_file(r#"{"version": 1}"#), Ok(Vec::new()));
    }

    #[test]
    fn the_trust_of_a_version_two_file_means_what_it_meant_and_pins_are_read() {
        let pin = "1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000";
        let imap = |version: u64, trust: &str| {
            format!(
                r#"{{"version": {version}, "domains": [{{"domain": "a.example", "type": "imap",
                "incoming": {{"host": "imap.a.example", "port": 993, "security": "ssl_tls"}},
                "outgoing": {{"host": "smtp.a.example", "port": 465, "security": "ssl_tls"}}
                {trust}}}]}}"#
            )
        };
        let trust = |text: &str| {
            read_settings_file(text).unwrap()[0]
                .settings
                .as_ref()
                .unwrap()
                .connection
                .certificate_trust()
                .clone()
        };
        use crate::CertificateTrust;
        assert_eq!(
            trust(&imap(2, r#", "allow_insecure_certificates": true"#)),
            CertificateTrust::Any
        );
        assert_eq!(
            trust(&imap(2, r#", "allow_insecure_certificates": false"#)),
            CertificateTrust::Verified
        );
        assert_eq!(trust(&imap(2, "")), CertificateTrust::Verified);
        let pinned = trust(&imap(
            3,
            &format!(r#", "certificate_trust": {{"mode": "pinned", "spki_sha256": ["{pin}"]}}"#),
        ));
        assert_eq!(pinned.pins()[0].to_string(), pin);
    }
}
