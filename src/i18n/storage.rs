//! Strings of the banners about browser storage.

use super::{Language, polish};

pub struct StorageTexts {
    pub memory_only: &'static str,
    pub unreadable_title: &'static str,
    pub unreadable_body: &'static str,
    pub download_unreadable: &'static str,
    pub start_fresh: &'static str,
    pub start_fresh_failed: &'static str,
    pub newer: fn(u64) -> String,
    pub rejected_title: fn(usize) -> String,
    /// Above the entries of a newer version's settings that this version cannot show.
    pub needs_newer: fn(usize) -> String,
    pub unnamed_entry: fn(usize) -> String,
}

pub fn texts(language: Language) -> &'static StorageTexts {
    polish::pick(language, &EN, |tables| tables.storage)
}

pub(super) static EN: StorageTexts = StorageTexts {
    memory_only: "This browser doesn't let the page store data here, so changes are kept only \
        until you reload or close the page.",
    unreadable_title: "The saved settings can't be read",
    unreadable_body: "What this browser had stored is not a settings list this page understands. \
        It was kept aside, unchanged. Download it to look at it or send it to support, or start \
        fresh with an empty list, which deletes it. Nothing can be changed until you choose.",
    download_unreadable: "Download unreadable data",
    start_fresh: "Start fresh",
    start_fresh_failed: "The browser refused to delete the unreadable data. Reload the page and try again.",
    newer: |version| {
        format!(
            "These settings were saved by a newer version of this page (settings format \
             {version}). This version shows what it understands of them, read-only, and \
             changes nothing, to keep them safe. Reload the page to get the newer version."
        )
    },
    rejected_title: |count| {
        if count == 1 {
            "1 saved entry can't be read. It is kept unchanged; fix or delete it by adding the \
             domain again:"
                .to_owned()
        } else {
            format!(
                "{count} saved entries can't be read. They are kept unchanged; fix them by \
                 adding the domains again:"
            )
        }
    },
    needs_newer: |count| match count {
        1 => "1 saved entry can be shown only by the newer version:".to_owned(),
        _ => format!("{count} saved entries can be shown only by the newer version:"),
    },
    unnamed_entry: |position| format!("Entry {position} (no domain name)"),
};

pub(super) static PL: StorageTexts = StorageTexts {
    memory_only: "Ta przeglądarka nie pozwala stronie zapisywać danych, więc zmiany zostaną \
        zachowane tylko do przeładowania lub zamknięcia strony.",
    unreadable_title: "Nie można odczytać zapisanych ustawień",
    unreadable_body: "To, co zapisała ta przeglądarka, nie jest listą ustawień zrozumiałą dla tej \
        strony. Odłożono to bez zmian. Pobierz dane, aby je obejrzeć lub wysłać do pomocy \
        technicznej, albo zacznij od nowa z pustą listą, co je usunie. Do czasu wyboru nic nie \
        można zmienić.",
    download_unreadable: "Pobierz nieczytelne dane",
    start_fresh: "Zacznij od nowa",
    start_fresh_failed: "Przeglądarka nie pozwoliła usunąć nieczytelnych danych. Przeładuj stronę \
        i spróbuj ponownie.",
    newer: |version| {
        format!(
            "Te ustawienia zapisała nowsza wersja tej strony (format ustawień {version}). Ta wersja \
             pokazuje to, co z nich rozumie, tylko do odczytu, i niczego nie zmienia, aby były \
             bezpieczne. Przeładuj stronę, aby pobrać nowszą wersję."
        )
    },
    rejected_title: |count| {
        let entries = match count {
            1 => "zapisanego wpisu".to_owned(),
            _ => format!("{count} zapisanych wpisów"),
        };
        if count == 1 {
            format!(
                "Nie można odczytać 1 {entries}. Zachowano go bez zmian; popraw go, dodając \
                 domenę ponownie:"
            )
        } else {
            format!(
                "Nie można odczytać {entries}. Zachowano je bez zmian; popraw je, dodając \
                 domeny ponownie:"
            )
        }
    },
    needs_newer: |count| match count {
        1 => "1 zapisany wpis może pokazać tylko nowsza wersja:".to_owned(),
        _ => format!("Zapisane wpisy, które może pokazać tylko nowsza wersja: {count}."),
    },
    unnamed_entry: |position| format!("Wpis {position} (bez nazwy domeny)"),
};
