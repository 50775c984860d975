//! Strings about the settings server (REST mode): its banners, why a save did not reach it,
//! the conflict between two people's edits, and an entry's history.

use super::{Language, polish};

pub struct ServerTexts {
    pub unreachable: &'static str,
    pub try_again: &'static str,
    pub signed_out: &'static str,
    pub forbidden: &'static str,
    pub misconfigured: fn(&str) -> String,
    pub published_unavailable: fn(&str) -> String,
    pub save_unreachable: &'static str,
    pub save_signed_out: &'static str,
    pub save_forbidden: &'static str,
    pub save_refused: fn(Option<&str>) -> String,
    pub save_misconfigured: fn(&str) -> String,
    pub save_conflict: &'static str,
    pub import_outdated: &'static str,
    pub saving: &'static str,
    pub conflict_changed: fn(&str) -> String,
    pub conflict_deleted: fn(&str) -> String,
    pub conflict_explain: &'static str,
    pub theirs: &'static str,
    pub theirs_deleted: &'static str,
    pub yours: &'static str,
    pub keep_mine: &'static str,
    pub use_theirs: &'static str,
    pub kept_theirs: fn(&str) -> String,
    pub history_heading: &'static str,
    pub history_loading: &'static str,
    pub history_failed: &'static str,
    pub last_changed: fn(&str, &str) -> String,
    pub added: fn(&str, &str) -> String,
    pub updated: fn(&str, &str) -> String,
    pub renamed: fn(&str, &str, &str) -> String,
    pub removed: fn(&str, &str) -> String,
}

pub fn texts(language: Language) -> &'static ServerTexts {
    polish::pick(language, &EN, |tables| tables.server)
}

pub(super) static EN: ServerTexts = ServerTexts {
    unreachable: "The settings server can't be reached, so this list may be out of date and \
        changes can't be saved until it is back. Nothing you typed is lost: open forms stay as \
        they are.",
    try_again: "Try again",
    signed_out: "Your session has ended. Sign in again to save changes; open forms stay as \
        they are.",
    forbidden: "Your account may not view these settings. Ask an administrator for access.",
    misconfigured: |detail| {
        format!(
            "The settings server answered in a way this page can't trust, so nothing is sent \
             to it. Ask whoever runs the server to check it (a proxy may be removing headers). \
             Details: {detail}"
        )
    },
    published_unavailable: |detail| {
        format!(
            "Your administrator's mail settings could not be read ({detail}), so nothing is \
             filled in for you. You can still enter your server settings yourself."
        )
    },
    save_unreachable: "Not saved: the settings server can't be reached. Your changes are still \
        here; save again when it is back.",
    save_signed_out: "Not saved: your session has ended. Sign in again, then save; your changes \
        are still here.",
    save_forbidden: "Not saved: your account may not change these settings. Ask an \
        administrator for access.",
    save_refused: |detail| match detail {
        Some(detail) => format!("Not saved: the server refused the change. {detail}"),
        None => "Not saved: the server refused the change.".to_owned(),
    },
    save_misconfigured: |detail| {
        format!(
            "Not saved: the server's answer can't be trusted ({detail}). Nothing was \
             overwritten; ask whoever runs the server to check it."
        )
    },
    save_conflict: "Not saved: someone else changed these settings meanwhile. Look at them again \
        and try once more.",
    import_outdated: "Nothing was imported: someone changed the settings on the server after \
        this preview was made. The preview now shows what the file would do to the settings as \
        they are; check it and import again.",
    saving: "Saving…",
    conflict_changed: |domain| {
        format!("Someone else saved changes to {domain} while you were editing.")
    },
    conflict_deleted: |domain| format!("Someone else deleted {domain} while you were editing."),
    conflict_explain: "Nothing was saved yet. Keep your version (it replaces theirs) or use \
        theirs (your changes are dropped).",
    theirs: "Saved on the server",
    theirs_deleted: "Deleted",
    yours: "Your version",
    keep_mine: "Keep mine",
    use_theirs: "Use theirs",
    kept_theirs: |domain| {
        format!("Kept the saved settings of {domain}; your changes were dropped.")
    },
    history_heading: "Recent changes",
    history_loading: "Loading the history…",
    history_failed: "The history could not be loaded.",
    last_changed: |who, when| format!("Last changed by {who}, {when}"),
    added: |who, when| format!("Added by {who}, {when}"),
    updated: |who, when| format!("Changed by {who}, {when}"),
    renamed: |old, who, when| format!("Renamed from {old} by {who}, {when}"),
    removed: |who, when| format!("Deleted by {who}, {when}"),
};

pub(super) static PL: ServerTexts = ServerTexts {
    unreachable: "Nie można połączyć się z serwerem ustawień, więc ta lista może być nieaktualna, \
        a zmian nie da się zapisać, dopóki serwer nie wróci. Nic, co wpisano, nie przepadnie: \
        otwarte formularze pozostają bez zmian.",
    try_again: "Spróbuj ponownie",
    signed_out: "Twoja sesja wygasła. Zaloguj się ponownie, aby zapisać zmiany; otwarte \
        formularze pozostają bez zmian.",
    forbidden: "Twoje konto nie ma dostępu do tych ustawień. Poproś administratora o dostęp.",
    misconfigured: |detail| {
        format!(
            "Serwer ustawień odpowiedział w sposób, któremu ta strona nie może ufać, więc nic \
             nie jest do niego wysyłane. Poproś osobę zarządzającą serwerem o sprawdzenie go \
             (serwer pośredniczący może usuwać nagłówki). Szczegóły: {detail}"
        )
    },
    published_unavailable: |detail| {
        format!(
            "Nie udało się odczytać ustawień poczty od administratora ({detail}), więc nic nie \
             zostanie uzupełnione. Nadal możesz samodzielnie wpisać ustawienia serwera."
        )
    },
    save_unreachable: "Nie zapisano: nie można połączyć się z serwerem ustawień. Twoje zmiany \
        nadal tu są; zapisz ponownie, gdy serwer wróci.",
    save_signed_out: "Nie zapisano: Twoja sesja wygasła. Zaloguj się ponownie, a potem zapisz; \
        Twoje zmiany nadal tu są.",
    save_forbidden: "Nie zapisano: Twoje konto nie może zmieniać tych ustawień. Poproś \
        administratora o dostęp.",
    save_refused: |detail| match detail {
        Some(detail) => format!("Nie zapisano: serwer odrzucił zmianę. {detail}"),
        None => "Nie zapisano: serwer odrzucił zmianę.".to_owned(),
    },
    save_misconfigured: |detail| {
        format!(
            "Nie zapisano: odpowiedzi serwera nie można ufać ({detail}). Niczego nie \
             nadpisano; poproś osobę zarządzającą serwerem o sprawdzenie go."
        )
    },
    save_conflict: "Nie zapisano: ktoś inny w międzyczasie zmienił te ustawienia. Przejrzyj je \
        ponownie i spróbuj jeszcze raz.",
    import_outdated: "Nic nie zaimportowano: ktoś zmienił ustawienia na serwerze po \
        przygotowaniu tego podglądu. Podgląd pokazuje teraz, co plik zrobi z obecnymi \
        ustawieniami; sprawdź go i zaimportuj ponownie.",
    saving: "Zapisywanie…",
    conflict_changed: |domain| format!("Ktoś inny zapisał zmiany w {domain}, gdy je edytowano."),
    conflict_deleted: |domain| format!("Ktoś inny usunął {domain}, gdy je edytowano."),
    conflict_explain: "Jeszcze nic nie zapisano. Zachowaj swoją wersję (zastąpi tamtą) albo \
        użyj zapisanej (Twoje zmiany zostaną odrzucone).",
    theirs: "Zapisane na serwerze",
    theirs_deleted: "Usunięte",
    yours: "Twoja wersja",
    keep_mine: "Zachowaj moją",
    use_theirs: "Użyj zapisanej",
    kept_theirs: |domain| {
        format!("Zachowano zapisane ustawienia {domain}; Twoje zmiany odrzucono.")
    },
    history_heading: "Ostatnie zmiany",
    history_loading: "Wczytywanie historii…",
    history_failed: "Nie udało się wczytać historii.",
    last_changed: |who, when| format!("Ostatnio zmienione przez: {who}, {when}"),
    added: |who, when| format!("Dodane przez: {who}, {when}"),
    updated: |who, when| format!("Zmienione przez: {who}, {when}"),
    renamed: |old, who, when| format!("Zmiana nazwy z {old}, przez: {who}, {when}"),
    removed: |who, when| format!("Usunięte przez: {who}, {when}"),
};
