//! English strings. The names of sections, buttons and fields match the original help-center
//! article, because people and tests know them by those names.

use super::Texts;

pub static TEXTS: Texts = Texts {
    settings_heading: "Exchange & IMAP settings",
    settings_empty: "No domains are set up yet. Add IMAP or Exchange settings for an e-mail domain, \
        and the server details are filled in for everyone who connects an inbox from that domain.",
};
