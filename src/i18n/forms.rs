//! Strings of the IMAP and Exchange dialogs.

use super::{Language, polish};

pub struct FormTexts {
    pub imap_title: &'static str,
    pub exchange_title: &'static str,
    pub close: &'static str,
    pub domain_label: &'static str,
    pub domain_hint: &'static str,
    pub incoming_legend: &'static str,
    pub outgoing_legend: &'static str,
    pub imap_host: &'static str,
    pub imap_port: &'static str,
    pub imap_security: &'static str,
    pub smtp_host: &'static str,
    pub smtp_port: &'static str,
    pub smtp_security: &'static str,
    pub host_placeholder_imap: &'static str,
    pub host_placeholder_smtp: &'static str,
    pub insecure_label: &'static str,
    /// A stored entry's `certificate_trust`, named in a problem with it.
    pub trust_label: &'static str,
    /// One pinned key beside the box: the first 16 hex digits of its fingerprint.
    pub trusted_key: fn(&str) -> String,
    pub stop_trusting_key: &'static str,
    pub username_form_label: &'static str,
    pub username_form_hint: &'static str,
    pub username_email_address: &'static str,
    pub username_local_part: &'static str,
    pub username_typed: &'static str,
    pub insecure_explain: &'static str,
    pub insecure_warning: &'static str,
    pub subdomains_label: &'static str,
    pub subdomains_explain: &'static str,
    pub help_summary: &'static str,
    pub help_intro: &'static str,
    pub help_imap: &'static str,
    pub help_smtp: &'static str,
    pub help_exchange: &'static str,
    pub exchange_url_label: &'static str,
    pub exchange_url_hint: &'static str,
    pub submit_add_imap: &'static str,
    pub submit_add_exchange: &'static str,
    pub submit_update: &'static str,
    pub download_thunderbird: &'static str,
    pub download_thunderbird_hint: fn(&str) -> String,
    pub cancel: &'static str,
    pub open_existing: fn(&str) -> String,
    pub edit_existing: fn(&str) -> String,
    pub changed_elsewhere: fn(&str) -> String,
    pub deleted_elsewhere: fn(&str) -> String,
}

/// What a change that was not saved says. Apart from [`FormTexts`], as deleting in the panel
/// says it too, while the dialogs' own text loads with them (`ui::on_demand`).
pub struct SaveTexts {
    pub save_quota: &'static str,
    pub save_refused: fn(&str) -> String,
    pub save_locked: &'static str,
}

pub fn save_texts(language: Language) -> &'static SaveTexts {
    polish::pick(language, &EN_SAVE, |tables| tables.save)
}

pub(super) static EN_SAVE: SaveTexts = SaveTexts {
    save_quota: "Nothing was saved: the browser's storage for this site is full. Your input is \
        still here. Free some space (for example, clear other data of this site) and try again.",
    save_refused: |reason| {
        format!(
            "Nothing was saved: the browser refused ({reason}). Your input is still here; try again."
        )
    },
    save_locked: "Nothing was saved: the stored settings can't be changed right now. See the \
        message above the table.",
};

pub(super) static PL_SAVE: SaveTexts = SaveTexts {
    save_quota: "Nic nie zapisano: pamięć przeglądarki dla tej witryny jest pełna. Twoje dane są \
        nadal tutaj. Zwolnij miejsce (np. usuń inne dane tej witryny) i spróbuj ponownie.",
    save_refused: |reason| {
        format!(
            "Nic nie zapisano: przeglądarka odmówiła ({reason}). Twoje dane są nadal tutaj; spróbuj ponownie."
        )
    },
    save_locked: "Nic nie zapisano: zapisanych ustawień nie można teraz zmienić. Zobacz komunikat \
        nad tabelą.",
};

/// What a screen reader hears before a field's error or warning. Apart from [`FormTexts`], as
/// every form has fields, while the dialogs' own text loads with them (`ui::on_demand`).
pub struct FieldTexts {
    pub error_prefix: &'static str,
    pub warning_prefix: &'static str,
}

pub fn field_texts(language: Language) -> &'static FieldTexts {
    polish::pick(language, &EN_FIELDS, |tables| tables.fields)
}

pub(super) static EN_FIELDS: FieldTexts = FieldTexts {
    error_prefix: "Error:",
    warning_prefix: "Warning:",
};

pub(super) static PL_FIELDS: FieldTexts = FieldTexts {
    error_prefix: "Błąd:",
    warning_prefix: "Uwaga:",
};

pub fn texts(language: Language) -> &'static FormTexts {
    polish::pick(language, &EN, |tables| tables.forms)
}

pub(super) static EN: FormTexts = FormTexts {
    imap_title: "IMAP settings",
    exchange_title: "Exchange settings",
    close: "Close",
    domain_label: "Domain name",
    domain_hint: "The part of your people's e-mail addresses after the @, such as example.com.",
    incoming_legend: "Incoming mail (IMAP)",
    outgoing_legend: "Outgoing mail (SMTP)",
    imap_host: "IMAP server",
    imap_port: "IMAP port",
    imap_security: "IMAP security",
    smtp_host: "SMTP server",
    smtp_port: "SMTP port",
    smtp_security: "SMTP security",
    host_placeholder_imap: "imap.example.com",
    host_placeholder_smtp: "smtp.example.com",
    insecure_label: "Allow insecure certificates",
    trust_label: "Certificate trust",
    trusted_key: |short| format!("Trusted certificate key: {short}…"),
    stop_trusting_key: "Stop trusting this key",
    username_form_label: "Username",
    username_form_hint: "What people sign in with on these servers. Connecting an inbox fills it in.",
    username_email_address: "The whole email address (alice@example.com)",
    username_local_part: "The part before the @ (alice)",
    username_typed: "Typed by each person",
    insecure_explain: "Only for mail servers whose SSL certificate is not signed by a certificate \
        authority (for example, self-signed).",
    insecure_warning: "Connections will accept any certificate, so someone between the CRM and your \
        mail server could read or change the mail. Use this only if you can't install a certificate \
        from a certificate authority.",
    subdomains_label: "Also use for subdomains",
    subdomains_explain: "People at subdomains (such as eu.example.com) get these settings too, \
        unless a subdomain has settings of its own.",
    help_summary: "Where do I find these settings?",
    help_intro: "Your e-mail program's account settings list them, and so does your mail \
        provider's help. Typical values:",
    help_imap: "Incoming mail (IMAP): imap.example.com, port 993 with SSL/TLS, or port 143 with STARTTLS.",
    help_smtp: "Outgoing mail (SMTP): smtp.example.com, port 465 with SSL/TLS, or port 587 with STARTTLS.",
    help_exchange: "Exchange: the Exchange Web Services address, such as \
        https://mail.example.com/EWS/Exchange.asmx. Your Exchange administrator knows it.",
    exchange_url_label: "Exchange URL",
    exchange_url_hint: "The Exchange Web Services (EWS) address, usually ending in /EWS/Exchange.asmx.",
    submit_add_imap: "Add IMAP settings",
    submit_add_exchange: "Add Exchange settings",
    submit_update: "Update",
    download_thunderbird: "Download for Thunderbird (config-v1.1.xml)",
    download_thunderbird_hint: |domain| {
        format!(
            "Publish it at https://autoconfig.{domain}/mail/config-v1.1.xml and Thunderbird, K-9 \
             Mail, Evolution and KMail set themselves up from it."
        )
    },
    cancel: "Cancel",
    open_existing: |kind| format!("Open the {kind} settings"),
    edit_existing: |domain| format!("Edit the settings for {domain}"),
    changed_elsewhere: |domain| {
        format!(
            "The settings for {domain} were just changed in another tab or window. Your input \
             is still here; saving replaces their changes with yours."
        )
    },
    deleted_elsewhere: |domain| {
        format!(
            "The settings for {domain} were just deleted in another tab or window. Your input \
             is still here; saving adds them again."
        )
    },
};

pub(super) static PL: FormTexts = FormTexts {
    imap_title: "Ustawienia IMAP",
    exchange_title: "Ustawienia Exchange",
    close: "Zamknij",
    domain_label: "Nazwa domeny",
    domain_hint: "Część adresu e-mail następująca po symbolu @, np. example.com.",
    incoming_legend: "Poczta przychodząca (IMAP)",
    outgoing_legend: "Poczta wychodząca (SMTP)",
    imap_host: "Serwer IMAP",
    imap_port: "Port IMAP",
    imap_security: "Zabezpieczenia IMAP",
    smtp_host: "Serwer SMTP",
    smtp_port: "Port SMTP",
    smtp_security: "Zabezpieczenia SMTP",
    host_placeholder_imap: "imap.example.com",
    host_placeholder_smtp: "smtp.example.com",
    insecure_label: "Zezwalaj na certyfikaty niezabezpieczone",
    trust_label: "Zaufanie do certyfikatu",
    trusted_key: |short| format!("Zaufany klucz certyfikatu: {short}…"),
    stop_trusting_key: "Przestań ufać temu kluczowi",
    username_form_label: "Nazwa użytkownika",
    username_form_hint: "Tym użytkownicy logują się na tych serwerach. Łączenie skrzynki uzupełnia ją samo.",
    username_email_address: "Cały adres e-mail (alice@example.com)",
    username_local_part: "Część przed @ (alice)",
    username_typed: "Wpisywana przez każdą osobę",
    insecure_explain: "Tylko dla serwerów poczty, których certyfikat SSL nie jest podpisany przez \
        urząd certyfikacji (np. certyfikat z podpisem własnym).",
    insecure_warning: "Połączenia przyjmą każdy certyfikat, więc ktoś między CRM a Twoim serwerem \
        poczty mógłby czytać lub zmieniać wiadomości. Używaj tego tylko wtedy, gdy nie możesz \
        zainstalować certyfikatu od urzędu certyfikacji.",
    subdomains_label: "Używaj także dla subdomen",
    subdomains_explain: "Osoby z subdomen (np. eu.example.com) też otrzymają te ustawienia, chyba \
        że subdomena ma własne.",
    help_summary: "Gdzie znaleźć te ustawienia?",
    help_intro: "Znajdziesz je w ustawieniach konta w swoim kliencie poczty e-mail lub w pomocy \
        dostawcy poczty. Typowe wartości:",
    help_imap: "Poczta przychodząca (IMAP): imap.example.com, port 993 z SSL/TLS lub port 143 ze STARTTLS.",
    help_smtp: "Poczta wychodząca (SMTP): smtp.example.com, port 465 z SSL/TLS lub port 587 ze STARTTLS.",
    help_exchange: "Exchange: adres Exchange Web Services, np. \
        https://mail.example.com/EWS/Exchange.asmx. Zna go administrator Exchange.",
    exchange_url_label: "Adres URL Exchange",
    exchange_url_hint: "Adres Exchange Web Services (EWS), zwykle zakończony na /EWS/Exchange.asmx.",
    submit_add_imap: "Dodaj ustawienia IMAP",
    submit_add_exchange: "Dodaj ustawienia Exchange",
    submit_update: "Aktualizuj",
    download_thunderbird: "Pobierz dla Thunderbirda (config-v1.1.xml)",
    download_thunderbird_hint: |domain| {
        format!(
            "Opublikuj go pod adresem https://autoconfig.{domain}/mail/config-v1.1.xml, a \
             Thunderbird, K-9 Mail, Evolution i KMail skonfigurują się same."
        )
    },
    cancel: "Anuluj",
    open_existing: |kind| format!("Otwórz ustawienia {kind}"),
    edit_existing: |domain| format!("Edytuj ustawienia dla {domain}"),
    changed_elsewhere: |domain| {
        format!(
            "Ustawienia dla {domain} zostały właśnie zmienione w innej karcie lub oknie. Twoje \
             dane są nadal tutaj; zapisanie zastąpi tamte zmiany Twoimi."
        )
    },
    deleted_elsewhere: |domain| {
        format!(
            "Ustawienia dla {domain} zostały właśnie usunięte w innej karcie lub oknie. Twoje \
             dane są nadal tutaj; zapisanie doda je ponownie."
        )
    },
};
