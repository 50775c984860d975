//! Strings of the import preview.

use super::{Language, polish};

pub struct ImportTexts {
    pub title: &'static str,
    pub explain: &'static str,
    pub added: fn(usize) -> String,
    pub changed: fn(usize) -> String,
    pub unchanged: fn(usize) -> String,
    pub removed: fn(usize) -> String,
    pub cannot: fn(usize) -> String,
    pub remove_missing: &'static str,
    pub leave_out: &'static str,
    pub apply: &'static str,
    pub importing: &'static str,
    pub cancel: &'static str,
    pub imported: fn(usize) -> String,
}

pub fn texts(language: Language) -> &'static ImportTexts {
    polish::pick(language, &EN, |tables| tables.import)
}

pub(super) static EN: ImportTexts = ImportTexts {
    title: "Import settings",
    explain: "Nothing has changed yet. Check what the files would do, then import all of it \
        or cancel.",
    added: |count| format!("New ({count})"),
    changed: |count| format!("Changed ({count}): saved now \u{2192} from the file"),
    unchanged: |count| format!("Already as in the file ({count})"),
    removed: |count| format!("Removed, not in the file ({count})"),
    cannot: |count| format!("Cannot be imported ({count})"),
    remove_missing: "Remove domains that are not in the file",
    leave_out: "Leave out what cannot be imported, and import the rest",
    apply: "Import",
    importing: "Importing…",
    cancel: "Cancel",
    imported: |count| match count {
        1 => "Imported 1 change.".to_owned(),
        _ => format!("Imported {count} changes."),
    },
};

pub(super) static PL: ImportTexts = ImportTexts {
    title: "Importuj ustawienia",
    explain: "Jeszcze nic nie zmieniono. Sprawdź, co zrobią pliki, a potem zaimportuj wszystko \
        albo anuluj.",
    added: |count| format!("Nowe ({count})"),
    changed: |count| format!("Zmienione ({count}): zapisane teraz \u{2192} z pliku"),
    unchanged: |count| format!("Już takie jak w pliku ({count})"),
    removed: |count| format!("Usunięte, bo nie ma ich w pliku ({count})"),
    cannot: |count| format!("Nie można zaimportować ({count})"),
    remove_missing: "Usuń domeny, których nie ma w pliku",
    leave_out: "Pomiń to, czego nie można zaimportować, i zaimportuj resztę",
    apply: "Importuj",
    importing: "Importowanie…",
    cancel: "Anuluj",
    imported: |count| format!("Zaimportowano zmian: {count}."),
};
