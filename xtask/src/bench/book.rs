//! The benchmark's settings book: 10,000 domains written with core's own types, so the stored
//! text is exactly what the component would have saved. The real ISPDB domains (when the corpus
//! exists) come first; generated ones fill the book up to the size asked for.
//!
//! Owns: what the generated entries look like (deterministic, so every run measures the same
//! book). Must not: write anything but a valid document (every value goes through core's parse
//! functions and the book's own rules).

use mailsetup_core::{
    CertificateTrust, Change, Connection, Document, Domain, Endpoint, EntryDraft, ExchangeSettings,
    ExchangeUrl, Host, ImapSettings, Port, Security, SettingsBook, Timestamp, UsernameForm,
};

use crate::run::{Failure, Outcome};

/// Company-like names, so the filter's queries match some rows and not others, as in real use.
const NAMES: [&str; 12] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "wonka",
    "tyrell",
    "cyberdyne",
    "soylent",
    "vandelay",
];
const SUFFIXES: [&str; 6] = ["com", "net", "org", "pl", "de", "example"];
/// Shared hosting providers: many domains point at the same servers, as many do.
const PROVIDERS: [&str; 4] = ["mailhost.net", "poczta.pl", "mx-cloud.de", "hosted.example"];
/// When the generated entries were "last updated": spread over about a year.
const FIRST_UPDATE_MS: i64 = 1_733_000_000_000;

/// A stored document with exactly `size` domains: the entries of `ispdb_document` (a stored
/// book built from the corpus), then generated ones.
pub fn stored_book(size: usize, ispdb_document: Option<&str>) -> Outcome<BookText> {
    let mut book = match ispdb_document {
        Some(text) => Document::from_json(text)
            .map_err(|e| Failure(format!("the ISPDB book is not a settings document: {e}")))?
            .into_book(),
        None => SettingsBook::new(),
    };
    while book.len() > size {
        let Some(last) = book.iter().last() else {
            break;
        };
        let change = Change::Remove {
            domain: last.domain().clone(),
            expected_revision: last.revision(),
        };
        if book
            .apply(change, Timestamp::from_unix_ms(FIRST_UPDATE_MS))
            .is_err()
        {
            break;
        }
    }
    let real = book.len();
    let mut index = 0;
    while book.len() < size {
        let (draft, updated) = generated_entry(index)?;
        // A generated name that collides with a real one is skipped, not overwritten.
        let _ = book.add(draft, updated);
        index += 1;
    }
    Ok(BookText {
        text: Document::new(book).to_json(),
        real,
        generated: size - real,
    })
}

/// A stored book and where its domains came from.
pub struct BookText {
    pub text: String,
    pub real: usize,
    pub generated: usize,
}

fn generated_entry(index: usize) -> Outcome<(EntryDraft, Timestamp)> {
    let name = NAMES[index % NAMES.len()];
    let suffix = SUFFIXES[(index / NAMES.len()) % SUFFIXES.len()];
    let domain_text = format!("{name}-{index:05}.{suffix}");
    let domain = parse(Domain::parse(&domain_text), &domain_text)?;
    let connection = if index % 5 == 4 {
        let url = format!("https://mail.{domain_text}/EWS/Exchange.asmx");
        Connection::Exchange(ExchangeSettings::verified(parse(
            ExchangeUrl::parse(&url),
            &url,
        )?))
    } else {
        let (incoming_host, outgoing_host) = if index.is_multiple_of(3) {
            let provider = PROVIDERS[index % PROVIDERS.len()];
            (format!("imap.{provider}"), format!("smtp.{provider}"))
        } else {
            (format!("imap.{domain_text}"), format!("smtp.{domain_text}"))
        };
        let starttls = index.is_multiple_of(7);
        Connection::Imap(ImapSettings {
            incoming: endpoint(&incoming_host, if starttls { 143 } else { 993 }, starttls)?,
            outgoing: endpoint(&outgoing_host, if starttls { 587 } else { 465 }, starttls)?,
            certificate_trust: CertificateTrust::from_insecure_flag(index.is_multiple_of(17)),
            username: UsernameForm::EmailAddress,
        })
    };
    let draft = EntryDraft {
        domain,
        connection,
        include_subdomains: index.is_multiple_of(11),
    };
    let spread_ms = (index as i64 * 7_919 % 365) * 86_400_000;
    Ok((draft, Timestamp::from_unix_ms(FIRST_UPDATE_MS + spread_ms)))
}

fn endpoint(host: &str, port: u16, starttls: bool) -> Outcome<Endpoint> {
    Ok(Endpoint {
        host: parse(Host::parse(host), host)?,
        port: Port::new(port).ok_or_else(|| Failure(format!("port {port} is not valid")))?,
        security: if starttls {
            Security::StartTls
        } else {
            Security::SslTls
        },
    })
}

fn parse<T, E: std::fmt::Display>(result: Result<T, E>, text: &str) -> Outcome<T> {
    result.map_err(|e| Failure(format!("generated value {text:?} was refused: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_book_has_the_size_asked_for_and_loads_back_without_rejections() {
        let book = stored_book(2_000, None).unwrap();
        assert_eq!((book.real, book.generated), (0, 2_000));
        let loaded = Document::from_json(&book.text).unwrap();
        assert!(loaded.rejected().is_empty());
        assert_eq!(loaded.book().len(), 2_000);
        let exchange = loaded
            .book()
            .iter()
            .filter(|entry| matches!(entry.connection(), Connection::Exchange(_)))
            .count();
        assert_eq!(exchange, 400);
    }

    #[test]
    fn real_entries_come_first_and_count_towards_the_size() {
        let real = stored_book(3, None).unwrap().text;
        let book = stored_book(10, Some(&real)).unwrap();
        assert_eq!((book.real, book.generated), (3, 7));
        assert_eq!(Document::from_json(&book.text).unwrap().book().len(), 10);
    }
}
