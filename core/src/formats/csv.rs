//! The settings book as a spreadsheet: one line per domain under a documented header row
//! ([`CSV_COLUMNS`]), written with commas, read with commas or semicolons (Polish spreadsheets
//! write semicolons).
//!
//! Columns: `domain`, `type` (`imap` or `exchange`), `imap_host`, `imap_port`, `imap_security`
//! (`ssl_tls` or `starttls`), `smtp_host`, `smtp_port`, `smtp_security`,
//! `allow_insecure_certificates` (`true`/`false`), `username` (`email_address`, `local_part` or
//! `typed`), `exchange_url`, `include_subdomains` (`true`/`false`). An IMAP line leaves
//! `exchange_url` empty; an Exchange line leaves the IMAP and SMTP columns empty. Never a secret.
//!
//! Owns: the columns and their order, and reading each line with core's parse functions.
//! Must not: apply anything to a book (the caller turns lines into changes).

use thiserror::Error;

use crate::book::{EntryDraft, SettingsBook};
use crate::document::{FieldProblem, StoredEntryError};
use crate::domain::Domain;
use crate::exchange_url::ExchangeUrl;
use crate::host::Host;
use crate::port::Port;
use crate::problem::Problem;
use crate::security::{Endpoint, Security};
use crate::settings::{Connection, ExchangeSettings, ImapSettings, UsernameForm};

/// The header row, in order.
pub const CSV_COLUMNS: [&str; 12] = [
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
];

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
        let record: [String; 12] = match entry.connection() {
            Connection::Imap(imap) => [
                domain,
                "imap".into(),
                imap.incoming.host.to_string(),
                imap.incoming.port.to_string(),
                imap.incoming.security.as_str().into(),
                imap.outgoing.host.to_string(),
                imap.outgoing.port.to_string(),
                imap.outgoing.security.as_str().into(),
                flag(imap.allow_insecure_certificates).into(),
                imap.username.as_str().into(),
                String::new(),
                subdomains.into(),
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
/// ignored), separated by commas or semicolons, whichever the header uses. Blank lines are
/// skipped.
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
    let mut positions = [0usize; 12];
    for (slot, column) in positions.iter_mut().zip(CSV_COLUMNS) {
        *slot = headers
            .iter()
            .position(|name| name.eq_ignore_ascii_case(column))
            .ok_or(CsvError::MissingColumn { column })?;
    }
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| CsvError::NotCsv {
            line: error.position().map_or(0, |position| position.line()),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |index: usize| record.get(positions[index]).unwrap_or_default();
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
            let insecure = problems.take(8, flag(cell(8)));
            let username = problems.take(9, username_form(cell(9)));
            match (incoming, outgoing, insecure, username) {
                (Some(incoming), Some(outgoing), Some(insecure), Some(username)) => {
                    Some(Connection::Imap(ImapSettings {
                        incoming,
                        outgoing,
                        allow_insecure_certificates: insecure,
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
                .map(|url| Connection::Exchange(ExchangeSettings { url }))
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
    match (domain, connection, subdomains) {
        (Some(domain), Some(connection), Some(include_subdomains)) if problems.0.is_empty() => {
            Ok(EntryDraft {
                domain,
                connection,
                include_subdomains,
            })
        }
        _ => Err(problems.0),
    }
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
            "{}\nexample.com,imap,,99999,tls,smtp.example.com,465,ssl_tls,maybe,nickname,,false\n\
             both.example,exchange,imap.both.example,,,,,,,,https://mail.both.example/EWS/Exchange.asmx,\n\
             pop.example,pop3,,,,,,,,,,\n",
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
                "allow_insecure_certificates",
                "username"
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
}
