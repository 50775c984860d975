//! Core timings for `cargo xtask bench`: the parse functions a form calls on every keystroke,
//! the settings book at 10,000 entries, and the allowlist check.
//!
//! A plain `main` (no criterion, see Cargo.toml): each case is calibrated to about 10 ms per
//! sample, sampled 25 times, and printed as one `bench-json` line (median, min and max
//! nanoseconds per call) for xtask to read. Without `--bench` (which `cargo bench` passes) each
//! case runs once, so a test run only proves the cases still work.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mailsetup_core::{
    Allowlist, Change, Connection, Document, Domain, Endpoint, EntryDraft, ExchangeUrl, Host,
    ImapSettings, Port, Security, SettingsBook, Timestamp, UsernameForm,
};

const BOOK_SIZE: usize = 10_000;
const SAMPLES: usize = 25;
const SAMPLE_TIME: Duration = Duration::from_millis(10);

fn main() {
    let measure = std::env::args().any(|arg| arg == "--bench");
    let run = |name: &str, case: &mut dyn FnMut()| report(name, measure, case);

    run("Domain::parse", &mut || {
        black_box(Domain::parse(black_box("Mail.Example-Company.COM")).is_ok());
    });
    run("Domain::parse (internationalised)", &mut || {
        black_box(Domain::parse(black_box("bücher-verlag.example")).is_ok());
    });
    run("Host::parse", &mut || {
        black_box(Host::parse(black_box("imap.mail.example-company.com")).is_ok());
    });
    run("Host::parse (IP address)", &mut || {
        black_box(Host::parse(black_box("192.0.2.143")).is_ok());
    });
    run("Port::parse", &mut || {
        black_box(Port::parse(black_box("993")).is_ok());
    });
    run("ExchangeUrl::parse", &mut || {
        black_box(
            ExchangeUrl::parse(black_box("https://mail.corp.example/EWS/Exchange.asmx")).is_ok(),
        );
    });

    let now = Timestamp::from_unix_ms(1_764_000_000_000);
    let mut book = SettingsBook::new();
    for index in 0..BOOK_SIZE {
        let _ = book.add(draft(index), now);
    }
    assert_eq!(book.len(), BOOK_SIZE);
    let extra = draft(BOOK_SIZE);
    run("SettingsBook::add + remove at 10,000", &mut || {
        let added = book
            .add(black_box(extra.clone()), now)
            .map(|entry| entry.revision());
        let removed = added.is_ok_and(|expected_revision| {
            let change = Change::Remove {
                domain: extra.domain.clone(),
                expected_revision,
            };
            book.apply(change, now).is_ok()
        });
        black_box(removed);
    });
    let address = format!("someone@{}", domain_name(BOOK_SIZE / 2));
    run("SettingsBook::lookup at 10,000", &mut || {
        black_box(book.lookup(black_box(&address)).ok().flatten().is_some());
    });
    run("SettingsBook::lookup at 10,000 (no entry)", &mut || {
        black_box(book.lookup(black_box("someone@nowhere.example")).is_ok());
    });

    // What loading and saving the stored book costs, without the browser around it.
    let document = Document::new(book.clone());
    let stored = document.to_json();
    run("Document::from_json at 10,000", &mut || {
        black_box(Document::from_json(black_box(&stored)).is_ok());
    });
    run("Document::to_json at 10,000", &mut || {
        black_box(black_box(&document).to_json().len());
    });

    let allowlist = Allowlist::provider_default();
    run("Allowlist::contains", &mut || {
        black_box(
            allowlist
                .contains(black_box("143.244.82.12"))
                .map(|m| m.len())
                .ok(),
        );
    });
    run("Allowlist::contains (not listed)", &mut || {
        black_box(
            allowlist
                .contains(black_box("2001:db8::1"))
                .map(|m| m.len())
                .ok(),
        );
    });
}

fn domain_name(index: usize) -> String {
    format!("company-{index:05}.example")
}

fn draft(index: usize) -> EntryDraft {
    let domain = domain_name(index);
    let endpoint = |prefix: &str, port: u16| Endpoint {
        host: Host::parse(&format!("{prefix}.{domain}")).expect("a generated host"),
        port: Port::new(port).expect("a port"),
        security: Security::SslTls,
    };
    EntryDraft {
        domain: Domain::parse(&domain).expect("a generated domain"),
        connection: Connection::Imap(ImapSettings {
            incoming: endpoint("imap", 993),
            outgoing: endpoint("smtp", 465),
            certificate_trust: mailsetup_core::CertificateTrust::Verified,
            username: UsernameForm::EmailAddress,
        }),
        include_subdomains: false,
    }
}

/// Calibrates, samples and prints one case; once only when not measuring.
fn report(name: &str, measure: bool, case: &mut dyn FnMut()) {
    if !measure {
        case();
        return;
    }
    let mut iterations: u32 = 1;
    loop {
        let started = Instant::now();
        for _ in 0..iterations {
            case();
        }
        if started.elapsed() >= SAMPLE_TIME || iterations >= 1 << 30 {
            break;
        }
        iterations = iterations.saturating_mul(2);
    }
    let mut per_call: Vec<f64> = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                case();
            }
            started.elapsed().as_nanos() as f64 / f64::from(iterations)
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    let median = per_call[SAMPLES / 2];
    println!(
        "bench-json {{\"name\":\"{name}\",\"median_ns\":{median:.1},\"min_ns\":{:.1},\"max_ns\":{:.1},\"samples\":{SAMPLES},\"iterations\":{iterations}}}",
        per_call[0],
        per_call[SAMPLES - 1]
    );
}
