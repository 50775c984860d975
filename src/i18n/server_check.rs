//! Strings of the drawer's "Check servers" (the settings server's check of a draft, before it
//! is saved): the button, each server's findings, the suggestion, the summary read out.
//! A failing step's sentence is its `check.*` code's (`problems`).

use mailsetup_core::Security;

use crate::connect::CheckNotRun;

use super::{Language, polish};

pub struct ServerCheckTexts {
    pub button: &'static str,
    pub checking: &'static str,
    pub explain: &'static str,
    /// The live summary once the check ended: every server answered, or how many did not.
    pub all_answered: &'static str,
    pub some_failed: fn(usize) -> String,
    /// The settings were changed after the check.
    pub outdated: &'static str,
    /// The check gave no report, and why.
    pub not_run: fn(&CheckNotRun) -> &'static str,
    pub incoming: &'static str,
    pub outgoing: &'static str,
    pub exchange: &'static str,
    pub answered: &'static str,
    pub failed: &'static str,
    pub address: &'static str,
    pub tls: &'static str,
    pub no_tls: &'static str,
    pub certificate: &'static str,
    pub subject: &'static str,
    pub issuer: &'static str,
    pub names: &'static str,
    pub valid_until: &'static str,
    pub fingerprint: &'static str,
    pub trusted: &'static str,
    pub untrusted: &'static str,
    pub mechanisms: &'static str,
    pub exchange_schemes: &'static str,
    pub none_offered: &'static str,
    pub server_said: fn(&str) -> String,
    /// The suggestion as a button: "Use SSL/TLS on port 993".
    pub use_suggestion: fn(Security, u16) -> String,
    pub suggestion_explain: &'static str,
    /// Announced once the suggestion filled the form.
    pub suggestion_applied: fn(&str, Security, u16) -> String,
    /// "Trust this certificate" for a certificate the server does not trust: what it pins (the
    /// key's fingerprint), and what is announced once it is in the form.
    pub trust_button: &'static str,
    pub trust_explain: fn(&str) -> String,
    pub trust_applied: fn(&str, &str) -> String,
}

pub fn texts(language: Language) -> &'static ServerCheckTexts {
    polish::pick(language, &EN, |tables| tables.server_check)
}

pub(super) static EN: ServerCheckTexts = ServerCheckTexts {
    button: "Check servers",
    checking: "Checking the servers…",
    explain: "Connects to the servers as they are typed here, without signing in, and shows \
        what they answer. Nothing is saved.",
    all_answered: "Every server answered as set.",
    some_failed: |count| match count {
        1 => "1 server did not answer as set.".to_owned(),
        n => format!("{n} servers did not answer as set."),
    },
    not_run: |why| match why {
        CheckNotRun::Unreachable => {
            "The servers were not checked: the settings server could not be reached. Try again."
        }
        CheckNotRun::SignedOut => {
            "The servers were not checked: your session has ended. Sign in again, then check."
        }
        CheckNotRun::Forbidden => "Your account may not check servers on this settings server.",
        CheckNotRun::Limited { .. } => {
            "The settings server is not running another check for you just now. Wait a moment \
            and try again."
        }
        CheckNotRun::Refused { .. } => "The settings server refused to check these settings.",
        CheckNotRun::Interrupted => {
            "The answer from the settings server stopped before the check ended. Try again."
        }
        CheckNotRun::NoServer => "This page has no server that can check the servers.",
    },
    outdated: "The settings were changed after this check. Check again to see the servers' \
        answer to them.",
    incoming: "Incoming mail (IMAP)",
    outgoing: "Outgoing mail (SMTP)",
    exchange: "Exchange Web Services",
    answered: "Answered",
    failed: "Failed",
    address: "Address reached",
    tls: "TLS version",
    no_tls: "No encrypted connection",
    certificate: "Certificate",
    subject: "Subject",
    issuer: "Issuer",
    names: "Names",
    valid_until: "Valid until",
    fingerprint: "SHA-256 fingerprint",
    trusted: "Trusted",
    untrusted: "Not trusted",
    mechanisms: "Sign-in methods offered",
    exchange_schemes: "Sign-in schemes offered",
    none_offered: "none",
    server_said: |reply| format!("The server said: {reply}"),
    use_suggestion: |security, port| format!("Use {security} on port {port}"),
    suggestion_explain: "These settings were tried and work.",
    suggestion_applied: |server, security, port| {
        format!("{server}: changed to {security} on port {port}. Check again to confirm.")
    },
    trust_button: "Trust this certificate",
    trust_explain: |key| {
        format!(
            "Trusts exactly this server's key (SHA-256 of its public key: {key}), whoever \
            issued its certificate; a server with another key fails the check. Saved with the \
            settings."
        )
    },
    trust_applied: |server, key| {
        format!("{server}: the key {key} is trusted. Check again to confirm, then save.")
    },
};

pub(super) static PL: ServerCheckTexts = ServerCheckTexts {
    button: "Sprawdź serwery",
    checking: "Sprawdzanie serwerów…",
    explain: "Łączy się z serwerami wpisanymi tutaj, bez logowania, i pokazuje, co odpowiadają. \
        Nic nie jest zapisywane.",
    all_answered: "Każdy serwer odpowiedział zgodnie z ustawieniami.",
    some_failed: |count| match count {
        1 => "1 serwer nie odpowiedział zgodnie z ustawieniami.".to_owned(),
        n => format!("Serwery, które nie odpowiedziały zgodnie z ustawieniami: {n}."),
    },
    not_run: |why| match why {
        CheckNotRun::Unreachable => {
            "Serwerów nie sprawdzono: nie udało się połączyć z serwerem ustawień. Spróbuj \
            ponownie."
        }
        CheckNotRun::SignedOut => {
            "Serwerów nie sprawdzono: sesja wygasła. Zaloguj się ponownie, a potem sprawdź."
        }
        CheckNotRun::Forbidden => {
            "Twoje konto nie może sprawdzać serwerów na tym serwerze ustawień."
        }
        CheckNotRun::Limited { .. } => {
            "Serwer ustawień nie uruchomi teraz kolejnego sprawdzenia dla Ciebie. Poczekaj \
            chwilę i spróbuj ponownie."
        }
        CheckNotRun::Refused { .. } => "Serwer ustawień odmówił sprawdzenia tych ustawień.",
        CheckNotRun::Interrupted => {
            "Odpowiedź serwera ustawień urwała się przed końcem sprawdzenia. Spróbuj ponownie."
        }
        CheckNotRun::NoServer => "Ta strona nie ma serwera, który mógłby sprawdzić serwery.",
    },
    outdated: "Ustawienia zmieniono po tym sprawdzeniu. Sprawdź ponownie, aby zobaczyć \
        odpowiedź serwerów.",
    incoming: "Poczta przychodząca (IMAP)",
    outgoing: "Poczta wychodząca (SMTP)",
    exchange: "Exchange Web Services",
    answered: "Odpowiada",
    failed: "Niepowodzenie",
    address: "Osiągnięty adres",
    tls: "Wersja TLS",
    no_tls: "Brak szyfrowanego połączenia",
    certificate: "Certyfikat",
    subject: "Podmiot",
    issuer: "Wystawca",
    names: "Nazwy",
    valid_until: "Ważny do",
    fingerprint: "Odcisk SHA-256",
    trusted: "Zaufany",
    untrusted: "Niezaufany",
    mechanisms: "Oferowane metody logowania",
    exchange_schemes: "Oferowane schematy logowania",
    none_offered: "brak",
    server_said: |reply| format!("Odpowiedź serwera: {reply}"),
    use_suggestion: |security, port| format!("Użyj {security} na porcie {port}"),
    suggestion_explain: "Te ustawienia zostały wypróbowane i działają.",
    suggestion_applied: |server, security, port| {
        format!(
            "{server}: zmieniono na {security} na porcie {port}. Sprawdź ponownie, aby potwierdzić."
        )
    },
    trust_button: "Ufaj temu certyfikatowi",
    trust_explain: |key| {
        format!(
            "Ufa dokładnie kluczowi tego serwera (SHA-256 jego klucza publicznego: {key}), \
            niezależnie od wystawcy certyfikatu; serwer z innym kluczem nie przejdzie \
            sprawdzenia. Zapisywane razem z ustawieniami."
        )
    },
    trust_applied: |server, key| {
        format!(
            "{server}: klucz {key} jest zaufany. Sprawdź ponownie, aby potwierdzić, a potem zapisz."
        )
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggestion_names_security_and_port_in_both_languages() {
        assert_eq!(
            (EN.use_suggestion)(Security::SslTls, 993),
            "Use SSL/TLS on port 993"
        );
        assert_eq!(
            (PL.use_suggestion)(Security::StartTls, 587),
            "Użyj STARTTLS na porcie 587"
        );
        assert_ne!((EN.some_failed)(2), (PL.some_failed)(2));
    }
}
