//! Every provider file of Thunderbird's ISPDB snapshot (`../../shared/ispdb`, or
//! `$MAILSETUP_ISPDB`) goes through import -> book -> export -> import, and the second import
//! finds nothing to change; what the model cannot hold is counted by its reason. Exports are
//! checked both ways: the settings file (the document) and the spreadsheet (CSV).
//!
//! Must not: fail when the corpus is absent (it lives outside the repository); it prints a
//! notice and passes instead.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mailsetup_core::formats::csv::{read_csv, write_csv};
use mailsetup_core::formats::read_autoconfig;
use mailsetup_core::formats::settings_file::read_settings_file;
use mailsetup_core::import::plan_import;
use mailsetup_core::{Connection, Document, EntryDraft, Problem, SettingsBook, Timestamp};

fn corpus_dir() -> PathBuf {
    std::env::var_os("MAILSETUP_ISPDB").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/ispdb"),
        PathBuf::from,
    )
}

#[test]
fn ispdb_goes_through_import_book_export_import_unchanged() {
    let Ok(folder) = std::fs::read_dir(corpus_dir()) else {
        println!(
            "ISPDB corpus not found at {}: skipped",
            corpus_dir().display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = folder
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "xml"))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut drafts: Vec<EntryDraft> = Vec::new();
    let mut refused: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut read = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(provider) = read_autoconfig(&text) else {
            *refused.entry("unreadable file").or_default() += 1;
            continue;
        };
        read += 1;
        match provider.imap {
            Ok(imap) => drafts.extend(provider.domains.into_iter().map(|domain| EntryDraft {
                domain,
                connection: Connection::Imap(imap.clone()),
                include_subdomains: false,
            })),
            Err(refusal) => *refused.entry(refusal.code()).or_default() += 1,
        }
    }
    if read == 0 {
        println!(
            "ISPDB corpus at {} has no provider files: skipped",
            corpus_dir().display()
        );
        return;
    }

    // Import into an empty book.
    let mut book = SettingsBook::new();
    let plan = plan_import(&book, &drafts, false);
    let not_imported: BTreeMap<&str, usize> =
        plan.refused
            .iter()
            .fold(BTreeMap::new(), |mut counts, (_, refusal)| {
                *counts.entry(refusal.code()).or_default() += 1;
                counts
            });
    book.apply_import(&plan, Timestamp::from_unix_ms(1_700_000_000_000))
        .expect("a fresh plan applies");
    assert_eq!(book.len(), plan.added.len());

    // Export both ways, and import each into the book: nothing left to do.
    let document = Document::new(book.clone()).to_json();
    let from_document: Vec<EntryDraft> = read_settings_file(&document)
        .expect("the export reads")
        .into_iter()
        .map(|line| line.settings.expect("every exported domain reads"))
        .collect();
    let from_csv: Vec<EntryDraft> = read_csv(&write_csv(&book))
        .expect("the spreadsheet reads")
        .into_iter()
        .map(|line| line.settings.expect("every exported line reads"))
        .collect();
    for (what, again) in [("settings file", from_document), ("spreadsheet", from_csv)] {
        let second = plan_import(&book, &again, true);
        assert!(second.is_empty(), "{what}: {second:?}");
        assert_eq!(second.unchanged.len(), book.len(), "{what}");
    }
    println!(
        "ISPDB round trip: {read} provider files, {} domains from usable providers, {} imported \
         and unchanged after export and import (settings file and spreadsheet); providers the \
         model cannot hold, by reason: {refused:?}; domains not imported, by reason: {not_imported:?}",
        drafts.len(),
        book.len(),
    );
}
