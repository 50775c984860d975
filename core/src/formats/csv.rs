//! The settings book as a spreadsheet: one line per domain under a documented header row
//! ([`CSV_COLUMNS`]), written with commas, read with commas or semicolons (Polish spreadsheets
//! write semicolons).
//!
//! Columns: `domain`, `type` (`imap` or `exchange`), `imap_host`, `imap_port`, `imap_security`
//! (`ssl_tls` or `starttls`), `smtp_host`, `smtp_port`, `smtp_security`,
//! `allow_insecure_certificates` (`true`/`false`), `username` (`email_address`, `local_part` or
//! `typed`), `exchange_url`, `include_subdomains` (`true`/`false`), `certificate_trust`
//! (`verified`, `pinned` or `any`) and `certificate_pins` (the pinned keys' SHA-256
//! fingerprints, 64 hex digits each, separated by spaces; spaces, commas or semicolons are
//! read). An IMAP line leaves `exchange_url` empty; an Exchange line leaves the IMAP and SMTP
//! columns (and `allow_insecure_certificates`) empty. Never a secret.
//!
//! The two trust columns came last, so a file written before them (without them) still reads,
//! its `allow_insecure_certificates` meaning what it always did (true: any, else verified); and
//! `allow_insecure_certificates` is still written, derived (true exactly for `any`), so an
//! older reader (which ignores extra columns) still reads a newer file. A file needs one of the
//! two: `certificate_trust` or `allow_insecure_certificates`. On a line with an empty
//! `certificate_trust` the flag decides; with both filled in, they must agree.
//!
//! Owns: the columns and their order, and reading each line with core's parse functions.
//! Must not: apply anything to a book (the caller turns lines into changes).

use thiserror::Error;

use crate::book::{EntryDraft, SettingsBook};
use crate::certificate_trust::{CertificateTrust, SpkiPin, TrustMode};
use crate::document::{FieldProblem, StoredEntryError};
use crate::domain::Domain;
use crate::exchange_url::ExchangeUrl;
use crate::host::Host;
use crate::port::Port;
use crate::problem::Problem;
use crate::security::{Endpoint, Security};
use crate::settings::{Connection, ExchangeSettings, ImapSettings, UsernameForm};

/// The header row, in order.
pub const CSV_COLUMNS: [&str; 14] = [
    "domain",
    "type",
    "imap_host",
    "imap_port",
    "imap_security",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "allow_insecure_certificates",
    "username",
    "exchange_url",
    "include_subdomains",
    "certificate_trust",
    "certificate_pins",
];

// Column positions in [`CSV_COLUMNS`] that the reader treats specially.
const INSECURE_FLAG: usize = 8;
const TRUST: usize = 12;
const PINS: usize = 13;
/// Columns a file may leave out (but not both of [`INSECURE_FLAG`] and [`TRUST`]).
const OPTIONAL: [usize; 3] = [INSECURE_FLAG, TRUST, PINS];

/// Why a file cannot be read as the settings spreadsheet at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvError {
    #[error(
        "This file is not a spreadsheet this page can read (line {line}). Save it as CSV and choose it again."
    )]
    NotCsv { line: u64 },
    #[error(
        "The spreadsheet has no \"{column}\" column. Its first line must name the columns, as an exported file does."
    )]
    MissingColumn { column: &'static str },
}

impl Problem for CsvError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotCsv { .. } => "csv.not_csv",
            Self::MissingColumn { .. } => "csv.missing_column",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NotCsv { line } => vec![("line", line.to_string())],
            Self::MissingColumn { column } => vec![("column", (*column).to_owned())],
        }
    }
}

/// One line of the spreadsheet, read.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvLine {
    /// The line's number in the file (the header is line 1).
    pub line: u64,
    /// The domain as written, to name the line.
    pub domain_text: String,
    /// The settings, or every problem with the line, by column.
    pub settings: Result<EntryDraft, Vec<FieldProblem>>,
}

/// The whole book, header first, one line per domain in the book's order.
pub fn write_csv(book: &SettingsBook) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(CSV_COLUMNS);
    for entry in book.iter() {
        let flag = |value: bool| if value { "true" } else { "false" };
        let domain = entry.domain().as_ascii().to_owned();
        let subdomains = flag(entry.include_subdomains());
        let trust = entry.connection().certificate_trust();
        let mode = trust.mode().as_str().to_owned();
        let pins = trust
            .pins()
            .iter()
            .map(SpkiPin::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        let record: [String; 14] = match entry.connection() {
            Connection::Imap(imap) => [
                domain,
                "imap".into(),
                imap.incoming.host.to_string(),
                imap.incoming.port.to_string(),
                imap.incoming.security.as_str().into(),
                imap.outgoing.host.to_string(),
                imap.outgoing.port.to_string(),
                imap.outgoing.security.as_str().into(),
                flag(trust.allows_any_certificate()).into(),
                imap.username.as_str().into(),
                String::new(),
                subdomains.into(),
                mode,
                pins,
            ],
            Connection::Exchange(exchange) => [
                domain,
                "exchange".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                exchange.url.to_string(),
                subdomains.into(),
                mode,
                pins,
            ],
        };
        let _ = writer.write_record(&record);
    }
    writer
        .into_inner()
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default()
}

/// Every line of a spreadsheet with the documented header (columns in any order; extra columns
/// ignored; the trust columns as the module comment says), separated by commas or semicolons,
/// whichever the header uses. Blank lines are skipped.
pub fn read_csv(text: &str) -> Result<Vec<CsvLine>, CsvError> {
    let text = text.trim_start_matches('\u{feff}');
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| CsvError::NotCsv { line: 1 })?
        .clone();
    let mut positions = [None::<usize>; 14];
    for (index, (slot, column)) in positions.iter_mut().zip(CSV_COLUMNS).enumerate() {
        *slot = headers
            .iter()
            .position(|name| name.eq_ignore_ascii_case(column));
        if slot.is_none() && !OPTIONAL.contains(&index) {
            return Err(CsvError::MissingColumn { column });
        }
    }
    if positions[INSECURE_FLAG].is_none() && positions[TRUST].is_none() {
        return Err(CsvError::MissingColumn {
            column: CSV_COLUMNS[TRUST],
        });
    }
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| CsvError::NotCsv {
            line: error.position().map_or(0, |position| position.line()),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |index: usize| {
            positions[index]
                .and_then(|position| record.get(position))
                .unwrap_or_default()
        };
        lines.push(CsvLine {
            line: record.position().map_or(0, |position| position.line()),
            domain_text: cell(0).to_owned(),
            settings: read_line(cell),
        });
    }
    Ok(lines)
}

/// The problems of one line, by column.
#[derive(Default)]
struct LineProblems(Vec<FieldProblem>);

impl LineProblems {
    /// The value, or `None` with its problem noted under `column`.
    fn take<T, E: Problem>(&mut self, column: usize, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|problem| {
                self.0
                    .push(FieldProblem::from_problem(CSV_COLUMNS[column], &problem))
            })
            .ok()
    }

    fn note(&mut self, column: usize, problem: StoredEntryError) {
        self.0
            .push(FieldProblem::from_problem(CSV_COLUMNS[column], &problem));
    }
}

/// `true`/`false` (also `yes`/`no`, `1`/`0`); empty means false.
fn flag(text: &str) -> Result<bool, StoredEntryError> {
    match text.to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Ok(false),
        "true" | "yes" | "1" => Ok(true),
        _ => Err(StoredEntryError::WrongType {
            expected: "boolean",
        }),
    }
}

/// A username form by name; empty means the whole address.
fn username_form(text: &str) -> Result<UsernameForm, StoredEntryError> {
    if text.is_empty() {
        return Ok(UsernameForm::EmailAddress);
    }
    UsernameForm::from_name(&text.to_ascii_lowercase()).ok_or_else(|| {
        StoredEntryError::UnknownUsernameForm {
            found: text.chars().take(40).collect(),
        }
    })
}

/// One line's settings, with every problem by column.
fn read_line<'a>(cell: impl Fn(usize) -> &'a str) -> Result<EntryDraft, Vec<FieldProblem>> {
    let mut problems = LineProblems::default();
    let domain = problems.take(0, Domain::parse(cell(0)));
    let subdomains = problems.take(11, flag(cell(11)));
    let connection = match cell(1).to_ascii_lowercase().as_str() {
        "imap" => {
            if !cell(10).is_empty() {
                problems.note(10, StoredEntryError::ConflictingField);
            }
            let mut endpoint = |host: usize| {
                let parsed = (
                    problems.take(host, Host::parse(cell(host))),
                    problems.take(host + 1, Port::parse(cell(host + 1))),
                    problems.take(host + 2, cell(host + 2).parse::<Security>()),
                );
                match parsed {
                    (Some(host), Some(port), Some(security)) => Some(Endpoint {
                        host,
                        port,
                        security,
                    }),
                    _ => None,
                }
            };
            let (incoming, outgoing) = (endpoint(2), endpoint(5));
            let username = problems.take(9, username_form(cell(9)));
            match (incoming, outgoing, username) {
                (Some(incoming), Some(outgoing), Some(username)) => {
                    Some(Connection::Imap(ImapSettings {
                        incoming,
                        outgoing,
                        certificate_trust: CertificateTrust::Verified,
                        username,
                    }))
                }
                _ => None,
            }
        }
        "exchange" => {
            if let Some(column) = (2..=9).find(|&column| !cell(column).is_empty()) {
                problems.note(column, StoredEntryError::ConflictingField);
            }
            problems
                .take(10, ExchangeUrl::parse(cell(10)))
                .map(|url| Connection::Exchange(ExchangeSettings::verified(url)))
        }
        other => {
            problems.note(
                1,
                StoredEntryError::UnknownType {
                    found: other.chars().take(40).collect(),
                },
            );
            None
        }
    };
    let trust = read_trust(&cell, &mut problems);
    match (domain, connection, trust, subdomains) {
        (Some(domain), Some(connection), Some(trust), Some(include_subdomains))
            if problems.0.is_empty() =>
        {
            Ok(EntryDraft {
                domain,
                connection: connection.with_certificate_trust(trust),
                include_subdomains,
            })
        }
        _ => Err(problems.0),
    }
}

/// A line's certificate trust: `certificate_trust` and `certificate_pins`, or when the mode is
/// empty, the flag `allow_insecure_certificates` (empty on an Exchange line: verified).
fn read_trust<'a>(
    cell: &impl Fn(usize) -> &'a str,
    problems: &mut LineProblems,
) -> Option<CertificateTrust> {
    let mut pins = Vec::new();
    let mut readable = true;
    for text in cell(PINS)
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .filter(|text| !text.is_empty())
    {
        match problems.take(PINS, SpkiPin::parse(text)) {
            Some(pin) => pins.push(pin),
            None => readable = false,
        }
    }
    let flag = problems.take(INSECURE_FLAG, flag(cell(INSECURE_FLAG)));
    if cell(TRUST).is_empty() {
        let trust = CertificateTrust::from_insecure_flag(flag?);
        if !pins.is_empty() {
            problems.take(PINS, CertificateTrust::of_mode(trust.mode(), pins));
            return None;
        }
        return readable.then_some(trust);
    }
    let mode = problems.take(TRUST, TrustMode::parse(&cell(TRUST).to_ascii_lowercase()))?;
    if !readable {
        return None;
    }
    let trust = problems.take(PINS, CertificateTrust::of_mode(mode, pins))?;
    if !cell(INSECURE_FLAG).is_empty() {
        problems.take(INSECURE_FLAG, trust.check_insecure_flag(flag?))?;
    }
    Some(trust)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Timestamp;

    const T: Timestamp = Timestamp::from_unix_ms(1_700_000_000_000);

    fn book() -> SettingsBook {
        let text = r#"{"version":2,"domains":[
            {"domain":"example.com","type":"imap","incoming":{"host":"imap.example.com","port":993,"security":"ssl_tls"},
             "outgoing":{"host":"smtp.example.com","port":587,"security":"starttls"},"allow_insecure_certificates":true,
             "username":"local_part","include_subdomains":true,"updated_at_unix_ms":1,"revision":1},
            {"domain":"xn--bcher-kva.example","type":"exchange","url":"https://mail.b.example/EWS/Exchange.asmx",
             "updated_at_unix_ms":1,"revision":2}]}"#;
        crate::Document::from_json(text).unwrap().into_book()
    }

    fn drafts(lines: &[CsvLine]) -> Vec<EntryDraft> {
        lines
            .iter()
            .map(|line| line.settings.clone().unwrap())
            .collect()
    }

    fn book_drafts(book: &SettingsBook) -> Vec<EntryDraft> {
        book.iter().map(crate::book::Entry::to_draft).collect()
    }

    #[test]
    fn a_written_book_reads_back_the_same_with_commas_or_semicolons() {
        let book = book();
        let text = write_csv(&book);
        assert!(
            text.starts_with("domain,type,imap_host,imap_port,imap_security,smtp_host"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 3);
        assert_eq!(drafts(&read_csv(&text).unwrap()), book_drafts(&book));
        let semicolons = text.replace(',', ";");
        assert_eq!(drafts(&read_csv(&semicolons).unwrap()), book_drafts(&book));
        // Columns in another order, a byte-order mark, upper-case names and a blank line.
        let reordered = "\u{feff}TYPE,domain,exchange_url,include_subdomains,imap_host,imap_port,imap_security,smtp_host,smtp_port,smtp_security,allow_insecure_certificates,username,notes\n\
            exchange,corp.example,https://mail.corp.example/EWS/Exchange.asmx,,,,,,,,,,\n\n";
        let lines = read_csv(reordered).unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].settings.is_ok(), "{:?}", lines[0]);
        let _ = T;
    }

    #[test]
    fn every_problem_of_a_line_is_named_by_column() {
        let text = format!(
            "{}\nexample.com,imap,,99999,tls,smtp.example.com,465,ssl_tls,maybe,nickname,,false,,\n\
             both.example,exchange,imap.both.example,,,,,,,,https://mail.both.example/EWS/Exchange.asmx,,,\n\
             pop.example,pop3,,,,,,,,,,,,\n",
            CSV_COLUMNS.join(",")
        );
        let lines = read_csv(&text).unwrap();
        let columns = |index: usize| -> Vec<&str> {
            lines[index]
                .settings
                .as_ref()
                .unwrap_err()
                .iter()
                .map(|problem| problem.field.as_str())
                .collect()
        };
        assert_eq!(
            columns(0),
            [
                "imap_host",
                "imap_port",
                "imap_security",
                "username",
                "allow_insecure_certificates"
            ]
        );
        assert_eq!(columns(1), ["imap_host"]);
        assert_eq!(columns(2), ["type"]);
        assert_eq!(
            (lines[0].line, lines[0].domain_text.as_str()),
            (2, "example.com")
        );
    }

    #[test]
    fn a_file_without_the_columns_is_refused_whole() {
        assert_eq!(
            read_csv("name,server\nexample.com,imap.example.com\n"),
            Err(CsvError::MissingColumn { column: "domain" })
        );
        assert_eq!(
            read_csv(""),
            Err(CsvError::MissingColumn { column: "domain" })
        );
    }

    const PIN: &str = "1f1e1d1c1b1a19181716151413121110f0e0d0c0b0a090807060504030201000";
    const OTHER_PIN: &str = "2f2e2d2c2b2a29282726252423222120f0e0d0c0b0a090807060504030201000";

    fn trust_of(line: &CsvLine) -> CertificateTrust {
        line.settings
            .as_ref()
            .unwrap_or_else(|problems| panic!("{problems:?}"))
            .connection
            .certificate_trust()
            .clone()
    }

    fn fields_of(line: &CsvLine) -> Vec<(&str, &str)> {
        line.settings
            .as_ref()
            .unwrap_err()
            .iter()
            .map(|problem| (problem.field.as_str(), problem.code))
            .collect()
    }

    #[test]
    fn pinned_trust_is_written_in_its_own_columns_and_read_back() {
        let text = format!(
            r#"{{"version":3,"domains":[
            {{"domain":"a.example","type":"imap","incoming":{{"host":"imap.a.example","port":993,"security":"ssl_tls"}},
             "outgoing":{{"host":"smtp.a.example","port":465,"security":"ssl_tls"}},
             "certificate_trust":{{"mode":"pinned","spki_sha256":["{PIN}","{OTHER_PIN}"]}},"updated_at_unix_ms":1,"revision":1}},
            {{"domain":"b.example","type":"exchange","url":"https://mail.b.example/EWS/Exchange.asmx",
             "certificate_trust":{{"mode":"pinned","spki_sha256":["{PIN}"]}},"updated_at_unix_ms":1,"revision":2}},
            {{"domain":"c.example","type":"exchange","url":"https://mail.c.example/EWS/Exchange.asmx",
             "certificate_trust":{{"mode":"any"}},"updated_at_unix_ms":1,"revision":3}}]}}"#
        );
        let book = crate::Document::from_json(&text).unwrap().into_book();
        assert_eq!(book.len(), 3);
        let written = write_csv(&book);
        let lines: Vec<&str> = written.lines().collect();
        assert!(
            lines[0].ends_with(",include_subdomains,certificate_trust,certificate_pins"),
            "{written}"
        );
        // The flag is derived (false: pinned is not "any"); pins are separated by a space.
        assert!(
            lines[1].ends_with(&format!(
                ",false,email_address,,false,pinned,{PIN} {OTHER_PIN}"
            )),
            "{written}"
        );
        assert!(
            lines[2].ends_with(&format!(",false,pinned,{PIN}")),
            "{written}"
        );
        assert!(lines[3].ends_with(",false,any,"), "{written}");
        assert_eq!(drafts(&read_csv(&written).unwrap()), book_drafts(&book));
        // Semicolons between the fields, and between the pins inside a quoted cell.
        let semicolons = written.replace([',', ' '], ";");
        let semicolons = semicolons.replace(
            &format!("{PIN};{OTHER_PIN}"),
            &format!("\"{PIN}; {OTHER_PIN}\""),
        );
        assert_eq!(drafts(&read_csv(&semicolons).unwrap()), book_drafts(&book));
    }

    #[test]
    fn a_file_from_before_the_trust_columns_reads_as_the_flag_said() {
        let old = "domain,type,imap_host,imap_port,imap_security,smtp_host,smtp_port,smtp_security,allow_insecure_certificates,username,exchange_url,include_subdomains\n\
            a.example,imap,imap.a.example,993,ssl_tls,smtp.a.example,465,ssl_tls,true,,,\n\
            b.example,imap,imap.b.example,993,ssl_tls,smtp.b.example,465,ssl_tls,false,,,\n\
            c.example,imap,imap.c.example,993,ssl_tls,smtp.c.example,465,ssl_tls,,,,\n\
            d.example,exchange,,,,,,,,,https://mail.d.example/EWS/Exchange.asmx,\n";
        let lines = read_csv(old).unwrap();
        let trusts: Vec<CertificateTrust> = lines.iter().map(trust_of).collect();
        assert_eq!(
            trusts,
            [
                CertificateTrust::Any,
                CertificateTrust::Verified,
                CertificateTrust::Verified,
                CertificateTrust::Verified
            ]
        );
        // A file with the trust columns and without the flag reads too; one with neither does not.
        let new = format!(
            "domain,type,imap_host,imap_port,imap_security,smtp_host,smtp_port,smtp_security,username,exchange_url,include_subdomains,certificate_trust,certificate_pins\n\
             a.example,imap,imap.a.example,993,ssl_tls,smtp.a.example,465,ssl_tls,,,,Pinned,{}\n",
            PIN.to_uppercase()
        );
        let lines = read_csv(&new).unwrap();
        assert_eq!(trust_of(&lines[0]).pins()[0].to_string(), PIN);
        let neither = "domain,type,imap_host,imap_port,imap_security,smtp_host,smtp_port,smtp_security,username,exchange_url,include_subdomains\n";
        assert_eq!(
            read_csv(neither),
            Err(CsvError::MissingColumn {
                column: "certificate_trust"
            })
        );
    }

    #[test]
    fn trust_problems_are_named_by_their_column() {
        let line = |flag: &str, mode: &str, pins: &str| {
            format!(
                "a.example,imap,imap.a.example,993,ssl_tls,smtp.a.example,465,ssl_tls,{flag},,,,{mode},{pins}"
            )
        };
        let text = [
            CSV_COLUMNS.join(","),
            line("", "pinned", ""),
            line("", "pinned", &format!("{PIN} abc")),
            line("", "verified", PIN),
            line("", "", PIN),
            line("true", "pinned", PIN),
            line("false", "any", ""),
            line("", "trusting", ""),
            line("false", "pinned", PIN),
        ]
        .join("\n");
        let lines = read_csv(&text).unwrap();
        assert_eq!(
            fields_of(&lines[0]),
            [("certificate_pins", "certificate_trust.no_pins")]
        );
        assert_eq!(
            fields_of(&lines[1]),
            [("certificate_pins", "certificate_trust.pin_wrong_length")]
        );
        for index in [2, 3] {
            assert_eq!(
                fields_of(&lines[index]),
                [("certificate_pins", "certificate_trust.pins_without_pinning")]
            );
        }
        for index in [4, 5] {
            assert_eq!(
                fields_of(&lines[index]),
                [(
                    "allow_insecure_certificates",
                    "certificate_trust.disagrees_with_insecure_flag"
                )]
            );
        }
        assert_eq!(
            fields_of(&lines[6]),
            [("certificate_trust", "certificate_trust.unknown_mode")]
        );
        assert_eq!(trust_of(&lines[7]).pins().len(), 1);
    }
}
