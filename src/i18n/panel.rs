//! Strings of the "Exchange & IMAP settings" section: heading, table, empty state, role notice.

use super::Language;

pub struct PanelTexts {
    pub settings_heading: &'static str,
    pub settings_empty: &'static str,
}

pub fn texts(language: Language) -> &'static PanelTexts {
    language.pick(&EN, &PL)
}

static EN: PanelTexts = PanelTexts {
    settings_heading: "Exchange & IMAP settings",
    settings_empty: "No domains are set up yet. Add IMAP or Exchange settings for an e-mail domain, \
        and the server details are filled in for everyone who connects an inbox from that domain.",
};

static PL: PanelTexts = PanelTexts {
    settings_heading: "Ustawienia Exchange i IMAP",
    settings_empty: "Nie skonfigurowano jeszcze żadnej domeny. Dodaj ustawienia IMAP lub Exchange \
        dla domeny e-mail, a dane serwera zostaną wstępnie wypełnione każdemu, kto połączy \
        skrzynkę z tej domeny.",
};
