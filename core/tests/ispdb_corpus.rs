//! Real-world corpus test: every domain, IMAP server and SMTP server in Thunderbird's ISPDB
//! snapshot (`../../shared/ispdb`, or `$MAILSETUP_ISPDB`) must parse, and a settings book built
//! from it must survive storage and answer lookups for every domain.
//!
//! Must not: fail when the corpus is absent (it lives outside the repository); it prints a
//! notice and passes instead.

use std::path::PathBuf;

use mailsetup_core::UsernameForm;
use mailsetup_core::{
    Connection, Document, Domain, Endpoint, EntryDraft, Host, ImapSettings, MatchKind, Port,
    Problem, Security, SettingsBook, Timestamp,
};

fn corpus_dir() -> PathBuf {
    std::env::var_os("MAILSETUP_ISPDB").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/ispdb"),
        PathBuf::from,
    )
}

/// One `<incomingServer>` or `<outgoingServer>` as written in the corpus.
struct Server {
    hostname: String,
    port: String,
    socket_type: String,
}

/// One `<emailProvider>`: its domains and its first IMAP and SMTP servers.
struct Provider {
    file: String,
    domains: Vec<String>,
    imap: Vec<Server>,
    smtp: Vec<Server>,
}

fn child_text(node: roxmltree::Node<'_, '_>, tag: &str) -> String {
    node.children()
        .find(|child| child.has_tag_name(tag))
        .and_then(|child| child.text())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn servers(provider: roxmltree::Node<'_, '_>, tag: &str, kind: &str) -> Vec<Server> {
    provider
        .descendants()
        .filter(|node| node.has_tag_name(tag) && node.attribute("type") == Some(kind))
        .map(|node| Server {
            hostname: child_text(node, "hostname"),
            port: child_text(node, "port"),
            socket_type: child_text(node, "socketType"),
        })
        .collect()
}

fn read_corpus() -> Option<(Vec<Provider>, usize, usize)> {
    let dir = corpus_dir();
    let Ok(listing) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: ISPDB corpus not found at {}", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    files.sort();
    let mut providers = Vec::new();
    let mut hostname_placeholders = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let document = roxmltree::Document::parse(&text)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        hostname_placeholders += document
            .descendants()
            .filter(|node| node.has_tag_name("hostname"))
            .filter(|node| node.text().is_some_and(|t| t.contains("%EMAILDOMAIN%")))
            .count();
        for provider in document
            .descendants()
            .filter(|node| node.has_tag_name("emailProvider"))
        {
            providers.push(Provider {
                file: path.file_name().unwrap().to_string_lossy().into_owned(),
                domains: provider
                    .children()
                    .filter(|node| node.has_tag_name("domain"))
                    .map(|node| node.text().unwrap_or_default().trim().to_owned())
                    .collect(),
                imap: servers(provider, "incomingServer", "imap"),
                smtp: servers(provider, "outgoingServer", "smtp"),
            });
        }
    }
    Some((providers, files.len(), hostname_placeholders))
}

fn is_placeholder(hostname: &str) -> bool {
    hostname.contains('%')
}

/// The corpus's socket types; "plain" has no counterpart because the provider requires TLS.
fn security(socket_type: &str) -> Option<Security> {
    match socket_type {
        "SSL" => Some(Security::SslTls),
        "STARTTLS" => Some(Security::StartTls),
        _ => None,
    }
}

fn endpoint(server: &Server) -> Option<Endpoint> {
    if is_placeholder(&server.hostname) {
        return None;
    }
    Some(Endpoint {
        host: Host::parse(&server.hostname).ok()?,
        port: Port::parse(&server.port).ok()?,
        security: security(&server.socket_type)?,
    })
}

#[test]
fn every_corpus_domain_host_and_port_parses() {
    let Some((providers, file_count, hostname_placeholders)) = read_corpus() else {
        return;
    };
    let mut domains = 0;
    let mut failures = Vec::new();
    for provider in &providers {
        for domain in &provider.domains {
            domains += 1;
            if let Err(error) = Domain::parse(domain) {
                failures.push(format!(
                    "{}: domain {domain:?}: {}",
                    provider.file,
                    error.code()
                ));
            }
        }
    }
    // Index 0 counts IMAP servers, 1 SMTP servers.
    let mut accepted = [0_usize; 2];
    let mut placeholders = [0_usize; 2];
    for provider in &providers {
        for (slot, protocol, list) in [(0, "imap", &provider.imap), (1, "smtp", &provider.smtp)] {
            for server in list {
                if is_placeholder(&server.hostname) {
                    placeholders[slot] += 1;
                    continue;
                }
                match (Host::parse(&server.hostname), Port::parse(&server.port)) {
                    (Ok(_), Ok(_)) => accepted[slot] += 1,
                    (host, port) => failures.push(format!(
                        "{}: {protocol} {:?}:{:?}: {:?} {:?}",
                        provider.file,
                        server.hostname,
                        server.port,
                        host.err().map(|e| e.code()),
                        port.err().map(|e| e.code())
                    )),
                }
            }
        }
    }
    println!(
        "ISPDB: {file_count} files, {} providers, {domains} domains; IMAP servers {} accepted + {} placeholders; SMTP servers {} accepted + {} placeholders; {hostname_placeholders} hostnames (any protocol) with %EMAILDOMAIN%",
        providers.len(),
        accepted[0],
        placeholders[0],
        accepted[1],
        placeholders[1],
    );
    assert!(
        failures.is_empty(),
        "corpus items rejected:\n{}",
        failures.join("\n")
    );
    assert!(accepted[0] > 0 && accepted[1] > 0);
    assert_eq!(file_count, 163);
    assert_eq!(domains, 963);
    assert_eq!(hostname_placeholders, 9);
    assert_eq!(accepted, [140, 199]);
    assert_eq!(placeholders, [2, 3]);
}

#[test]
fn a_book_built_from_the_corpus_survives_storage_and_lookups() {
    let Some((providers, _, _)) = read_corpus() else {
        return;
    };
    let now = Timestamp::from_unix_ms(1_700_000_000_000);
    let mut book = SettingsBook::new();
    let mut duplicates = 0;
    let mut without_tls_or_servers = 0;
    for provider in &providers {
        let incoming = provider.imap.iter().find_map(endpoint);
        let outgoing = provider.smtp.iter().find_map(endpoint);
        let (Some(incoming), Some(outgoing)) = (incoming, outgoing) else {
            without_tls_or_servers += 1;
            continue;
        };
        let connection = Connection::Imap(ImapSettings {
            incoming,
            outgoing,
            certificate_trust: mailsetup_core::CertificateTrust::Verified,
            username: UsernameForm::EmailAddress,
        });
        for domain in &provider.domains {
            let draft = EntryDraft {
                domain: Domain::parse(domain).unwrap(),
                connection: connection.clone(),
                include_subdomains: false,
            };
            match book.add(draft, now) {
                Ok(_) => {}
                Err(error) => {
                    assert_eq!(error.code(), "book.already_configured", "{domain}");
                    duplicates += 1;
                }
            }
        }
    }
    println!(
        "ISPDB book: {} domains, {duplicates} duplicate domains refused, {without_tls_or_servers} providers without usable IMAP + SMTP",
        book.len()
    );
    assert!(book.len() > 500, "{}", book.len());
    for entry in book.iter() {
        let email = format!("someone@{}", entry.domain());
        let found = book.lookup(&email).unwrap().unwrap();
        assert_eq!(found.kind, MatchKind::Exact);
        assert_eq!(found.entry.domain(), entry.domain());
    }
    let stored = Document::new(book.clone()).to_json();
    let reloaded = Document::from_json(&stored).unwrap();
    assert!(reloaded.rejected().is_empty());
    assert_eq!(reloaded.book(), &book);
    assert_eq!(reloaded.to_json(), stored);
    // `cargo xtask test` hands this stored book to the Playwright suite, which loads it into
    // the panel, so the browser sees exactly what core wrote.
    if let Some(path) = std::env::var_os("MAILSETUP_ISPDB_BOOK_OUT") {
        std::fs::write(&path, &stored).unwrap();
    }
}
