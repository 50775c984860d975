//! Polish strings, in the vocabulary of the Polish help-center article.

use super::Texts;

pub static TEXTS: Texts = Texts {
    settings_heading: "Ustawienia Exchange i IMAP",
    settings_empty: "Nie skonfigurowano jeszcze żadnej domeny. Dodaj ustawienia IMAP lub Exchange \
        dla domeny e-mail, a dane serwera zostaną wstępnie wypełnione każdemu, kto połączy \
        skrzynkę z tej domeny.",
};
