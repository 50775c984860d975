//! Strings of the "Connect your inbox" flow: the address step, the pre-filled form, and the
//! connection check with a name, a failure title and advice for every step. Field labels the
//! flow shares with the IMAP panel (servers, ports, security, insecure certificates, Exchange
//! URL) come from `forms`, so the same thing has the same name everywhere.

use super::{Language, polish};
use crate::connect::tester::{CheckNotRun, CheckStep, StepState};

pub struct ConnectTexts {
    pub connecting_as: &'static str,
    pub change_address: &'static str,
    pub set_up_by_admin: fn(&str) -> String,
    pub set_up_by_admin_parent: fn(&str, &str) -> String,
    pub locked_explain: &'static str,
    pub use_different: &'static str,
    pub own_settings_note: &'static str,
    pub no_settings: fn(&str) -> String,
    pub save_as_admin: fn(&str) -> String,
    pub save_as_admin_explain: &'static str,
    pub saved_as_admin: fn(&str) -> String,
    pub username_label: &'static str,
    pub username_hint: &'static str,
    /// The hint when the administrator said usernames are the part before the @.
    pub username_local_part_hint: &'static str,
    /// The hint when the administrator said each person types their own.
    pub username_typed_hint: &'static str,
    pub password_label: &'static str,
    pub password_hint: &'static str,
    pub show_password: &'static str,
    pub connect_button: &'static str,
    /// "Send a test e-mail to myself" and what it adds.
    pub send_test_email_label: &'static str,
    pub send_test_email_hint: &'static str,
    pub check_title: &'static str,
    pub checking: &'static str,
    pub passed_demo: &'static str,
    pub passed: &'static str,
    pub password_cleared: &'static str,
    pub step_name: fn(CheckStep) -> &'static str,
    pub state_name: fn(StepState) -> &'static str,
    pub failure_title: fn(CheckStep) -> &'static str,
    pub failure_advice: fn(CheckStep) -> &'static str,
    pub server_said: fn(&str) -> String,
    /// The check gave no report: the title, and why.
    pub not_run_title: &'static str,
    pub not_run_reason: fn(&CheckNotRun) -> &'static str,
    /// Neither the host page nor a settings server checks connections here.
    pub no_check: &'static str,
}

/// The address step's text. Apart from [`ConnectTexts`], as the address step is on the first
/// screen, while steps 2 and 3 load with their text when Continue first finds an address
/// (`ui::on_demand`).
pub struct AddressTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub demo_notice: &'static str,
    pub email_label: &'static str,
    pub email_hint: &'static str,
    pub continue_button: &'static str,
    /// Steps 2 and 3 could not be loaded (their code comes on demand).
    pub step_missing: &'static str,
}

pub fn address_texts(language: Language) -> &'static AddressTexts {
    polish::pick(language, &EN_ADDRESS, |tables| tables.address)
}

pub(super) static EN_ADDRESS: AddressTexts = AddressTexts {
    title: "Connect your inbox",
    intro: "Connect your mailbox so the CRM can log your e-mail. Start with your e-mail address: \
        if your administrator has set up your domain, the settings fill in by themselves.",
    demo_notice: "This is a demo: the check only pretends, with the outcome chosen on the demo \
        page. No connection is made and nothing is sent.",
    email_label: "Email address",
    email_hint: "The address of the mailbox to connect, such as alice@example.com.",
    continue_button: "Continue",
    step_missing: "The next step could not be loaded. Check your connection and press Continue again.",
};

pub(super) static PL_ADDRESS: AddressTexts = AddressTexts {
    title: "Połącz swoją skrzynkę",
    intro: "Połącz swoją skrzynkę pocztową, aby CRM mógł rejestrować Twoje e-maile. Zacznij od \
        adresu e-mail: jeśli administrator skonfigurował Twoją domenę, ustawienia uzupełnią się \
        same.",
    demo_notice: "To jest wersja demonstracyjna: sprawdzenie tylko udaje, z wynikiem wybranym na \
        stronie demo. Nie jest nawiązywane żadne połączenie i nic nie jest wysyłane.",
    email_label: "Adres e-mail",
    email_hint: "Adres skrzynki, którą chcesz połączyć, np. anna@example.com.",
    continue_button: "Dalej",
    step_missing: "Nie udało się wczytać następnego kroku. Sprawdź połączenie i ponownie naciśnij Dalej.",
};

pub fn texts(language: Language) -> &'static ConnectTexts {
    polish::pick(language, &EN, |tables| tables.connect)
}

pub(super) static EN: ConnectTexts = ConnectTexts {
    connecting_as: "Connecting",
    change_address: "Change address",
    set_up_by_admin: |domain| format!("Set up by your administrator for {domain}"),
    set_up_by_admin_parent: |domain, address_domain| {
        format!(
            "Set up by your administrator for {domain} (and its subdomains, such as \
             {address_domain})"
        )
    },
    locked_explain: "The server settings come from your administrator. Enter your password and \
        connect; change them only if your administrator told you to.",
    use_different: "Use different settings",
    own_settings_note: "These settings are for this connection only. Your administrator's \
        settings stay as they are.",
    no_settings: |domain| {
        format!("No settings are set up for {domain} yet. Enter your mail server's settings below.")
    },
    save_as_admin: |domain| format!("Save as settings for {domain}"),
    save_as_admin_explain: "As an administrator you can keep these settings for everyone at \
        this domain. The password is never saved.",
    saved_as_admin: |domain| {
        format!("Saved as settings for {domain}. Everyone at {domain} now gets them pre-filled.")
    },
    username_label: "Username",
    username_hint: "Usually your e-mail address.",
    username_local_part_hint: "Your administrator says: the part of your address before the @.",
    username_typed_hint: "Your administrator says: the username you were given for your mailbox.",
    password_label: "Password",
    password_hint: "Used for this check only: it is never saved, and cleared when the check ends.",
    show_password: "Show password",
    connect_button: "Connect",
    send_test_email_label: "Send a test e-mail to myself",
    send_test_email_hint: "Adds two steps: a short message from your address to itself, and a \
        look for it in your inbox.",
    check_title: "Connection check",
    checking: "Checking the connection…",
    passed_demo: "Every step passed. This was a demo: no connection was made.",
    passed: "Every step passed: your inbox is connected.",
    password_cleared: "For your safety the password was cleared. Enter it again to try again.",
    step_name: |step| match step {
        CheckStep::ImapConnect => "Connect to the IMAP server",
        CheckStep::ImapLogin => "Log in to IMAP",
        CheckStep::SmtpConnect => "Connect to the SMTP server",
        CheckStep::SmtpLogin => "Log in to SMTP",
        CheckStep::SendTestEmail => "Send a test e-mail",
        CheckStep::TestEmailArrived => "See the test e-mail arrive",
        CheckStep::ExchangeReach => "Reach the Exchange URL",
        CheckStep::ExchangeLogin => "Log in to Exchange",
    },
    state_name: |state| match state {
        StepState::Waiting => "Waiting",
        StepState::Running => "Running",
        StepState::Passed => "Passed",
        StepState::Failed => "Failed",
        StepState::NotRun => "Not run",
    },
    failure_title: |step| match step {
        CheckStep::ImapConnect => "IMAP settings incorrect",
        CheckStep::ImapLogin => "IMAP authentication error",
        CheckStep::SmtpConnect => "SMTP settings incorrect",
        CheckStep::SmtpLogin => "SMTP authentication error",
        CheckStep::SendTestEmail => "Test e-mail not sent",
        CheckStep::TestEmailArrived => "Test e-mail not received",
        CheckStep::ExchangeReach => "Exchange settings incorrect",
        CheckStep::ExchangeLogin => "Exchange authentication error",
    },
    failure_advice: |step| match step {
        CheckStep::ImapConnect => {
            "The IMAP server could not be reached. Check the IMAP server, \
            port and security, and that your mail server accepts connections from the IP \
            addresses your administrator allowlisted."
        }
        CheckStep::ImapLogin => {
            "The IMAP server refused the username or password. Check both; \
            with two-step verification, many providers need an app password."
        }
        CheckStep::SmtpConnect => {
            "The SMTP server could not be reached. Check the SMTP server, \
            port and security."
        }
        CheckStep::SmtpLogin => {
            "The SMTP server refused the username or password. Check both, \
            and that sending through SMTP is allowed for your mailbox."
        }
        CheckStep::SendTestEmail => {
            "Logging in worked, but the test e-mail could not be sent. \
            Check that your mailbox may send mail through this SMTP server and has not reached \
            a sending limit."
        }
        CheckStep::TestEmailArrived => {
            "The SMTP server accepted the test e-mail, but it did not arrive \
            in your inbox in time. Check your inbox's filters and that this SMTP server delivers \
            to your mailbox."
        }
        CheckStep::ExchangeReach => {
            "The Exchange URL could not be reached. Check the address \
            (it usually ends in /EWS/Exchange.asmx) and that Exchange Web Services is turned on."
        }
        CheckStep::ExchangeLogin => {
            "Exchange refused the username or password. Check both; \
            Exchange often expects your full e-mail address or DOMAIN\\username."
        }
    },
    server_said: |detail| format!("The server said: {detail}"),
    not_run_title: "The connection was not checked",
    not_run_reason: |why| match why {
        CheckNotRun::Unreachable => {
            "The settings server could not be reached, so nothing was checked. Check your \
            connection to it and try again."
        }
        CheckNotRun::SignedOut => {
            "Your session with the settings server has ended. Sign in again, then connect."
        }
        CheckNotRun::Forbidden => "Your account may not check connections on this server.",
        CheckNotRun::Limited { .. } => {
            "The settings server is not running another check for you just now. Wait a moment \
            and try again."
        }
        CheckNotRun::Refused { .. } => "The settings server refused to run this check.",
        CheckNotRun::Interrupted => {
            "The answer from the settings server stopped before the check ended. Try again."
        }
        CheckNotRun::NoServer => "This page has no server that can check connections.",
    },
    no_check: "This page cannot check the connection: it has no server to check it with. Use \
        these settings in your mail program, or ask your administrator where to connect.",
};

pub(super) static PL: ConnectTexts = ConnectTexts {
    connecting_as: "Łączysz",
    change_address: "Zmień adres",
    set_up_by_admin: |domain| format!("Skonfigurowane przez administratora dla {domain}"),
    set_up_by_admin_parent: |domain, address_domain| {
        format!(
            "Skonfigurowane przez administratora dla {domain} (i jej subdomen, takich jak \
             {address_domain})"
        )
    },
    locked_explain: "Ustawienia serwera pochodzą od administratora. Wpisz hasło i połącz; \
        zmieniaj je tylko wtedy, gdy administrator tak zalecił.",
    use_different: "Użyj innych ustawień",
    own_settings_note: "Te ustawienia dotyczą tylko tego połączenia. Ustawienia administratora \
        pozostają bez zmian.",
    no_settings: |domain| {
        format!(
            "Dla {domain} nie skonfigurowano jeszcze ustawień. Wpisz poniżej ustawienia swojego \
             serwera poczty."
        )
    },
    save_as_admin: |domain| format!("Zapisz jako ustawienia dla {domain}"),
    save_as_admin_explain: "Jako administrator możesz zachować te ustawienia dla wszystkich w \
        tej domenie. Hasło nigdy nie jest zapisywane.",
    saved_as_admin: |domain| {
        format!(
            "Zapisano jako ustawienia dla {domain}. Wszyscy z {domain} otrzymają je teraz \
             uzupełnione."
        )
    },
    username_label: "Nazwa użytkownika",
    username_hint: "Zwykle Twój adres e-mail.",
    username_local_part_hint: "Według administratora: część Twojego adresu przed @.",
    username_typed_hint: "Według administratora: nazwa użytkownika nadana Twojej skrzynce.",
    password_label: "Hasło",
    password_hint: "Używane tylko do tego sprawdzenia: nigdy nie jest zapisywane i znika po \
        zakończeniu sprawdzenia.",
    show_password: "Pokaż hasło",
    connect_button: "Połącz",
    send_test_email_label: "Wyślij testowy e-mail do siebie",
    send_test_email_hint: "Dodaje dwa kroki: krótką wiadomość z Twojego adresu do niego samego \
        i sprawdzenie, czy dotarła do skrzynki odbiorczej.",
    check_title: "Sprawdzenie połączenia",
    checking: "Sprawdzanie połączenia…",
    passed_demo: "Wszystkie kroki zakończone powodzeniem. To była wersja demonstracyjna: nie \
        nawiązano połączenia.",
    passed: "Wszystkie kroki zakończone powodzeniem: skrzynka jest połączona.",
    password_cleared: "Ze względów bezpieczeństwa hasło zostało usunięte. Wpisz je ponownie, aby \
        spróbować jeszcze raz.",
    step_name: |step| match step {
        CheckStep::ImapConnect => "Połączenie z serwerem IMAP",
        CheckStep::ImapLogin => "Logowanie do IMAP",
        CheckStep::SmtpConnect => "Połączenie z serwerem SMTP",
        CheckStep::SmtpLogin => "Logowanie do SMTP",
        CheckStep::SendTestEmail => "Wysłanie testowego e-maila",
        CheckStep::TestEmailArrived => "Odbiór testowego e-maila",
        CheckStep::ExchangeReach => "Połączenie z adresem URL Exchange",
        CheckStep::ExchangeLogin => "Logowanie do Exchange",
    },
    state_name: |state| match state {
        StepState::Waiting => "Oczekuje",
        StepState::Running => "W toku",
        StepState::Passed => "Zakończono powodzeniem",
        StepState::Failed => "Niepowodzenie",
        StepState::NotRun => "Nie wykonano",
    },
    failure_title: |step| match step {
        CheckStep::ImapConnect => "Nieprawidłowe ustawienia IMAP",
        CheckStep::ImapLogin => "Błąd uwierzytelniania IMAP",
        CheckStep::SmtpConnect => "Nieprawidłowe ustawienia SMTP",
        CheckStep::SmtpLogin => "Błąd uwierzytelniania SMTP",
        CheckStep::SendTestEmail => "Nie wysłano testowego e-maila",
        CheckStep::TestEmailArrived => "Nie odebrano testowego e-maila",
        CheckStep::ExchangeReach => "Nieprawidłowe ustawienia Exchange",
        CheckStep::ExchangeLogin => "Błąd uwierzytelniania Exchange",
    },
    failure_advice: |step| match step {
        CheckStep::ImapConnect => {
            "Nie udało się połączyć z serwerem IMAP. Sprawdź serwer, port i \
            zabezpieczenia IMAP oraz czy serwer poczty przyjmuje połączenia z adresów IP, które \
            administrator dodał do listy dozwolonych."
        }
        CheckStep::ImapLogin => {
            "Serwer IMAP odrzucił nazwę użytkownika lub hasło. Sprawdź je; \
            przy weryfikacji dwuetapowej wielu dostawców wymaga hasła aplikacji."
        }
        CheckStep::SmtpConnect => {
            "Nie udało się połączyć z serwerem SMTP. Sprawdź serwer, port i \
            zabezpieczenia SMTP."
        }
        CheckStep::SmtpLogin => {
            "Serwer SMTP odrzucił nazwę użytkownika lub hasło. Sprawdź je \
            oraz czy wysyłanie przez SMTP jest dozwolone dla Twojej skrzynki."
        }
        CheckStep::SendTestEmail => {
            "Logowanie się udało, ale nie można było wysłać testowego \
            e-maila. Sprawdź, czy Twoja skrzynka może wysyłać pocztę przez ten serwer SMTP i czy \
            nie osiągnęła limitu wysyłania."
        }
        CheckStep::TestEmailArrived => {
            "Serwer SMTP przyjął testowy e-mail, ale nie dotarł on na czas \
            do Twojej skrzynki odbiorczej. Sprawdź filtry skrzynki oraz czy ten serwer SMTP \
            dostarcza pocztę do Twojej skrzynki."
        }
        CheckStep::ExchangeReach => {
            "Nie udało się połączyć z adresem URL Exchange. Sprawdź adres \
            (zwykle kończy się na /EWS/Exchange.asmx) i czy Exchange Web Services jest włączone."
        }
        CheckStep::ExchangeLogin => {
            "Exchange odrzucił nazwę użytkownika lub hasło. Sprawdź je; \
            Exchange często oczekuje pełnego adresu e-mail lub DOMENA\\użytkownik."
        }
    },
    server_said: |detail| format!("Odpowiedź serwera: {detail}"),
    not_run_title: "Połączenie nie zostało sprawdzone",
    not_run_reason: |why| match why {
        CheckNotRun::Unreachable => {
            "Nie udało się połączyć z serwerem ustawień, więc nic nie zostało sprawdzone. \
            Sprawdź połączenie z nim i spróbuj ponownie."
        }
        CheckNotRun::SignedOut => {
            "Sesja na serwerze ustawień wygasła. Zaloguj się ponownie, a potem połącz."
        }
        CheckNotRun::Forbidden => "Twoje konto nie może sprawdzać połączeń na tym serwerze.",
        CheckNotRun::Limited { .. } => {
            "Serwer ustawień nie uruchomi teraz kolejnego sprawdzenia dla Ciebie. Poczekaj \
            chwilę i spróbuj ponownie."
        }
        CheckNotRun::Refused { .. } => "Serwer ustawień odmówił wykonania tego sprawdzenia.",
        CheckNotRun::Interrupted => {
            "Odpowiedź serwera ustawień urwała się przed końcem sprawdzenia. Spróbuj ponownie."
        }
        CheckNotRun::NoServer => "Ta strona nie ma serwera, który mógłby sprawdzać połączenia.",
    },
    no_check: "Na tej stronie nie można sprawdzić połączenia: nie ma serwera, który by to zrobił. \
        Użyj tych ustawień w programie pocztowym albo zapytaj administratora, gdzie się połączyć.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_distinct_words_in_both_languages() {
        for texts in [&EN, &PL] {
            let titles: std::collections::BTreeSet<&str> = CheckStep::ALL
                .iter()
                .map(|s| (texts.failure_title)(*s))
                .collect();
            assert_eq!(titles.len(), CheckStep::ALL.len());
            let names: std::collections::BTreeSet<&str> = CheckStep::ALL
                .iter()
                .map(|s| (texts.step_name)(*s))
                .collect();
            assert_eq!(names.len(), CheckStep::ALL.len());
        }
        for step in CheckStep::ALL {
            assert_ne!((EN.failure_advice)(step), (PL.failure_advice)(step));
        }
    }
}
