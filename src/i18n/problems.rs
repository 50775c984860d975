//! Sentences for mailsetup-core's errors and warnings ([`Problem`]), in English and Polish.
//!
//! Owns: the Polish template for every problem code, and turning a problem into the sentence a
//! form shows. English is core's own message, unchanged; Polish is looked up by `code()` and its
//! `{name}` placeholders are filled from `params()`.
//! Must not: decide what is valid or re-word English (core owns both), or show a broken sentence:
//! a code without a Polish template, or a template naming a value the problem does not carry,
//! falls back to core's English message.

use mailsetup_core::Problem;

use super::{Language, polish};

/// The sentence to show for `problem` in `language`; never empty, never panics.
pub fn message(language: Language, problem: &dyn Problem) -> String {
    match language {
        Language::English => problem.to_string(),
        Language::Polish => polish::tables()
            .and_then(|tables| (tables.problem)(problem))
            .unwrap_or_else(|| problem.to_string()),
    }
}

/// The Polish sentence, or `None` when there is no template for the code or a value is missing.
pub(super) fn polish(problem: &dyn Problem) -> Option<String> {
    let code = problem.code();
    let template = template(code)?;
    let params = polish_params(code, problem.params());
    let sentence = fill(template, &params)?;
    // `AllowlistError` reports the code of the CIDR error it wraps and adds `group` and
    // `value`; its English message puts them in front ("Allowlist group "Relays": "10.0.0.1/8"
    // is not an address range. ..."), so the Polish does too.
    if code.starts_with("cidr.") {
        let group = value_of(&params, "group");
        let value = value_of(&params, "value");
        if let (Some(group), Some(value)) = (group, value) {
            let context = [
                ("group", group.to_owned()),
                ("value", value.to_owned()),
                ("message", sentence.clone()),
            ];
            return fill(ALLOWLIST_RANGE, &context);
        }
    }
    Some(sentence)
}

/// The Polish template for `code`, if there is one.
fn template(code: &str) -> Option<&'static str> {
    PL.iter()
        .find(|(key, _)| *key == code)
        .map(|(_, template)| *template)
}

fn value_of<'p>(params: &'p [(&'static str, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.as_str())
}

/// Core's params, adjusted for Polish: English words from a closed set translated, and the
/// values core's English message shows without passing them as params added.
fn polish_params(
    code: &str,
    mut params: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String)> {
    for (name, value) in &mut params {
        let translation = VALUES
            .iter()
            .find(|row| row.0 == code && row.1 == *name && row.2 == value.as_str());
        if let Some(&(_, _, _, polish)) = translation {
            *value = polish.to_owned();
        }
    }
    for &(row_code, name, default) in DEFAULTS {
        if row_code == code && value_of(&params, name).is_none() {
            params.push((name, default.to_owned()));
        }
    }
    for &(row_code, source, source_value, name, derived) in DERIVED {
        if row_code == code && value_of(&params, source) == Some(source_value) {
            params.push((name, derived.to_owned()));
        }
    }
    params
}

/// Replaces every `{name}` in `template` with that param's value, in one pass: a value is never
/// scanned again, so a `{` a person typed (an invalid character, an Exchange address, a stored
/// type) stays as typed. A `{` not followed by `name}` is kept as text. `None` when the
/// template names a param that `params` lacks, so the caller can fall back instead of showing
/// a placeholder.
fn fill(template: &str, params: &[(&'static str, String)]) -> Option<String> {
    let mut filled = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match placeholder_at(after) {
            Some(name) => {
                filled.push_str(value_of(params, name)?);
                rest = &after[name.len() + 1..];
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    Some(filled)
}

/// The name of the placeholder whose `{` comes just before `text`: lowercase ASCII letters,
/// digits and `_`, then `}`.
fn placeholder_at(text: &str) -> Option<&str> {
    let (name, _) = text.split_once('}')?;
    let is_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    is_name.then_some(name)
}

/// Wraps a CIDR problem reported for one range of a host's allowlist group (`AllowlistError`).
static ALLOWLIST_RANGE: &str = "Grupa listy dozwolonych adresów „{group}”: „{value}” nie jest \
                                zakresem adresów. {message}";

/// English words core passes as values from a closed set: (code, param, English, Polish).
/// A value not listed here is shown as it is.
static VALUES: &[(&str, &str, &str, &str)] = &[
    ("document.wrong_type", "expected", "text", "tekst"),
    ("document.wrong_type", "expected", "number", "liczba"),
    (
        "document.wrong_type",
        "expected",
        "integer",
        "liczba całkowita",
    ),
    ("document.wrong_type", "expected", "boolean", "tak/nie"),
    ("document.wrong_type", "expected", "object", "zestaw pól"),
    ("document.wrong_type", "expected", "list", "lista"),
];

/// Values core's English message shows when the param is absent: (code, param, value).
static DEFAULTS: &[(&str, &str, &str)] =
    &[("domain.looks_like_email", "suggestion", "example.com")];

/// Values core's English message derives from a param without passing them as params:
/// (code, source param, source value, param, Polish). Tests check them against the English.
static DERIVED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "endpoint.port_for_other_protocol",
        "protocol",
        "IMAP",
        "usual_ports",
        "993 (SSL/TLS) lub 143 (STARTTLS)",
    ),
    (
        "endpoint.port_for_other_protocol",
        "protocol",
        "SMTP",
        "usual_ports",
        "587 (STARTTLS) lub 465 (SSL/TLS)",
    ),
];

/// Polish for every problem code, in the words of the Polish help-center article.
static PL: &[(&str, &str)] = &[
    // name: rules every domain and server name follows
    (
        "name.invalid_character",
        "Usuń znak „{character}”: nazwa może zawierać tylko litery, cyfry, łączniki (-) i kropki, \
         np. mail.example.com.",
    ),
    (
        "name.contains_space",
        "Usuń spacje: nazwa nie może zawierać spacji. Wpisz ją w postaci mail.example.com.",
    ),
    (
        "name.invalid_international_name",
        "Ta nazwa międzynarodowa jest nieprawidłowa. Sprawdź jej pisownię albo wpisz ją w postaci \
         ASCII, np. xn--bcher-kva.example.",
    ),
    (
        "name.empty_label",
        "Usuń zbędną kropkę: każda część między kropkami musi mieć co najmniej jeden znak, \
         np. mail.example.com.",
    ),
    (
        "name.label_too_long",
        "Skróć „{label}”: każda część między kropkami może mieć najwyżej 63 znaki, a ta ma {length}.",
    ),
    (
        "name.too_long",
        "Wpisz krótszą nazwę: nazwa może mieć najwyżej 253 znaki, a ta ma {length}.",
    ),
    (
        "name.hyphen_at_label_edge",
        "Usuń łącznik z początku lub końca „{label}”: każda część między kropkami musi zaczynać się \
         i kończyć literą lub cyfrą.",
    ),
    (
        "name.numeric_top_level",
        "Wpisz nazwę, która kończy się literami, np. example.com: ostatnia część nie może być liczbą.",
    ),
    // domain: the "Nazwa domeny" field
    ("domain.empty", "Wpisz nazwę domeny, np. example.com."),
    (
        "domain.looks_like_email",
        "Wpisz samą nazwę domeny, np. {suggestion}, a nie cały adres e-mail.",
    ),
    (
        "domain.contains_space",
        "Usuń spacje: nazwa domeny nie może zawierać spacji. Wpisz ją w postaci example.com.",
    ),
    (
        "domain.single_label",
        "Wpisz pełną nazwę domeny razem z końcówką, np. example.com, a nie tylko „{label}”.",
    ),
    (
        "domain.ip_address",
        "Wpisz nazwę domeny, np. example.com, a nie adres IP.",
    ),
    // host: the server of "Poczta przychodząca (IMAP)", "Poczta wychodząca (SMTP)" or Exchange
    ("host.empty", "Wpisz nazwę serwera, np. mail.example.com."),
    (
        "host.includes_scheme",
        "Wpisz samą nazwę serwera, np. mail.example.com, bez https://.",
    ),
    (
        "host.includes_port",
        "Wpisz samą nazwę serwera, np. mail.example.com, a port {port} wpisz w polu portu.",
    ),
    (
        "host.looks_like_email",
        "Wpisz nazwę serwera, np. mail.example.com, a nie adres e-mail.",
    ),
    (
        "host.invalid_ipv4",
        "Wpisz adres IPv4 jako cztery liczby od 0 do 255 rozdzielone kropkami, np. 192.0.2.1, \
         albo nazwę serwera, np. mail.example.com.",
    ),
    (
        "host.invalid_ipv6",
        "Wpisz prawidłowy adres IPv6, np. 2001:db8::1, albo nazwę serwera, np. mail.example.com.",
    ),
    (
        "host.ipv6_zone_index",
        "Usuń identyfikator strefy (część od znaku %): wpisz sam adres IPv6, np. 2001:db8::1.",
    ),
    (
        "host.private_address",
        "To adres w sieci prywatnej. Serwery CRM w internecie nie mogą połączyć się z tym \
         serwerem; wpisz publiczną nazwę serwera, np. mail.example.com.",
    ),
    (
        "host.loopback_address",
        "Ten adres wskazuje na sam komputer (loopback). Serwery CRM w internecie nie mogą \
         połączyć się z tym serwerem; wpisz publiczną nazwę serwera, np. mail.example.com.",
    ),
    (
        "host.link_local_address",
        "To adres lokalny łącza (link-local). Serwery CRM w internecie nie mogą połączyć się z tym \
         serwerem; wpisz publiczną nazwę serwera, np. mail.example.com.",
    ),
    (
        "host.unspecified_address",
        "Ten adres oznacza „brak adresu”. Serwery CRM w internecie nie mogą połączyć się z tym \
         serwerem; wpisz publiczną nazwę serwera, np. mail.example.com.",
    ),
    (
        "host.single_label_name",
        "Ta nazwa nie ma końcówki domeny, więc działa tylko w sieci firmowej. Serwery CRM \
         w internecie nie mogą połączyć się z tym serwerem; wpisz pełną nazwę, np. mail.example.com.",
    ),
    (
        "host.internal_name",
        "Ta nazwa działa tylko w sieci firmowej. Serwery CRM w internecie nie mogą połączyć się \
         z tym serwerem; wpisz publiczną nazwę serwera, np. mail.example.com.",
    ),
    // port
    ("port.empty", "Wpisz numer portu od 1 do 65535, np. 993."),
    (
        "port.zero",
        "Wpisz numer portu od 1 do 65535, np. 993; portu 0 nie można używać.",
    ),
    (
        "port.too_large",
        "Wpisz numer portu od 1 do 65535, np. 993; ta liczba jest za duża.",
    ),
    (
        "port.not_a_number",
        "Wpisz port samymi cyframi, jako liczbę od 1 do 65535, np. 993.",
    ),
    // security and endpoint: one IMAP or SMTP server with its port
    ("security.unknown", "Wybierz SSL/TLS lub STARTTLS."),
    (
        "endpoint.security_port_mismatch",
        "Na porcie {port} zwykle używa się {suggested}, a nie {security}. Wybierz {suggested} \
         albo sprawdź port u dostawcy poczty.",
    ),
    (
        "endpoint.smtp_port_25",
        "Port 25 jest zwykle blokowany przy wysyłaniu poczty z aplikacji. Użyj zamiast niego portu \
         587 (STARTTLS) lub 465 (SSL/TLS).",
    ),
    (
        "endpoint.port_for_other_protocol",
        "Port {port} jest zwykle używany przez {usual_protocol}, a nie {protocol}. Sprawdź port: \
         {protocol} zwykle używa portu {usual_ports}.",
    ),
    // exchange_url: the "adres URL Exchange" field
    (
        "exchange_url.empty",
        "Wpisz adres URL Exchange, np. https://mail.example.com/EWS/Exchange.asmx.",
    ),
    (
        "exchange_url.javascript_scheme",
        "Wpisz adres URL zaczynający się od https://, np. https://mail.example.com/EWS/Exchange.asmx. \
         Adresy skryptów są niedozwolone.",
    ),
    (
        "exchange_url.contains_space",
        "Usuń spacje: adres URL nie może zawierać spacji. Wpisz go w postaci \
         https://mail.example.com/EWS/Exchange.asmx.",
    ),
    (
        "exchange_url.not_https",
        "Użyj bezpiecznego adresu zaczynającego się od https://, np. {suggestion}.",
    ),
    (
        "exchange_url.unsupported_scheme",
        "Wpisz adres URL zaczynający się od https://, np. https://mail.example.com/EWS/Exchange.asmx; \
         adresy „{scheme}:” nie są obsługiwane.",
    ),
    (
        "exchange_url.missing_scheme",
        "Dodaj https:// na początku, np. {suggestion}.",
    ),
    (
        "exchange_url.relative_url",
        "Wpisz pełny adres razem z serwerem, np. https://mail.example.com/EWS/Exchange.asmx.",
    ),
    (
        "exchange_url.missing_slashes",
        "Wpisz dwa ukośniki po https:, np. https://mail.example.com/EWS/Exchange.asmx.",
    ),
    (
        "exchange_url.invalid_port",
        "Wpisz po dwukropku numer portu od 1 do 65535, np. \
         https://mail.example.com:443/EWS/Exchange.asmx, albo pomiń port.",
    ),
    (
        "exchange_url.credentials",
        "Usuń z adresu nazwę użytkownika i hasło: wpisz go w postaci \
         https://mail.example.com/EWS/Exchange.asmx. Użytkownicy logują się, gdy łączą swoją \
         skrzynkę.",
    ),
    (
        "exchange_url.fragment",
        "Usuń część od znaku # do końca: wpisz adres w postaci \
         https://mail.example.com/EWS/Exchange.asmx.",
    ),
    (
        "exchange_url.outlook_web_app",
        "To adres Outlook Web App, którego używa się w przeglądarce. Wpisz zamiast niego adres \
         Exchange Web Services, zwykle {suggestion}.",
    ),
    (
        "exchange_url.invalid",
        "Wpisz prawidłowy adres URL, np. https://mail.example.com/EWS/Exchange.asmx.",
    ),
    (
        "exchange_url.unusual_path",
        "Exchange Web Services zwykle działa pod ścieżką {expected}, np. \
         https://mail.example.com{expected}. Sprawdź adres u administratora Exchange.",
    ),
    (
        "exchange_url.exchange_online",
        "To Exchange Online (Microsoft 365), w którym Microsoft wycofuje Exchange Web Services. \
         Użyj zamiast tego połączenia Microsoft 365.",
    ),
    // email: the address a person connects
    ("email.empty", "Wpisz adres e-mail, np. anna@example.com."),
    (
        "email.missing_at",
        "Wpisz cały adres e-mail razem ze znakiem @, np. anna@example.com.",
    ),
    (
        "email.multiple_at",
        "Wpisz jeden adres e-mail z jednym znakiem @, np. anna@example.com.",
    ),
    (
        "email.empty_local_part",
        "Wpisz nazwę przed znakiem @, np. anna@example.com.",
    ),
    (
        "email.local_part_too_long",
        "Skróć część przed znakiem @: może mieć najwyżej 64 znaki.",
    ),
    (
        "email.invalid_local_part",
        "Usuń „{character}” z części przed znakiem @, jak w anna@example.com.",
    ),
    (
        "email.local_part_dots",
        "Usuń zbędne kropki przed znakiem @: kropka nie może być pierwsza ani ostatnia ani \
         występować dwa razy z rzędu, jak w anna.nowak@example.com.",
    ),
    // credentials: what a person types to log in to their mailbox
    (
        "credentials.empty_username",
        "Wpisz nazwę użytkownika skrzynki; zwykle jest to Twój adres e-mail.",
    ),
    (
        "credentials.username_control_character",
        "Usuń z nazwy użytkownika znaki nowego wiersza i inne niewidoczne znaki sterujące.",
    ),
    ("credentials.empty_password", "Wpisz hasło do skrzynki."),
    // book: the list of domains and their settings
    (
        "book.already_configured",
        "Domena {domain} ma już ustawienia {kind}. Edytuj je zamiast dodawać nowe.",
    ),
    (
        "book.kind_conflict",
        "Domena {domain} ma już ustawienia {existing}. Domena może mieć ustawienia IMAP albo \
         Exchange, ale nie jedne i drugie.",
    ),
    (
        "book.not_found",
        "Domena {domain} nie ma ustawień; ktoś mógł je usunąć. Odśwież listę.",
    ),
    (
        "book.stale_revision",
        "Ktoś inny zmienił ustawienia domeny {domain} w trakcie Twojej edycji. Odśwież stronę, aby \
         zobaczyć te zmiany, a potem wprowadź swoje jeszcze raz.",
    ),
    // cidr and ip_address: the IP allowlist
    (
        "cidr.empty",
        "Wpisz adres IP lub sieć, np. 203.0.113.7 lub 203.0.113.0/24.",
    ),
    (
        "cidr.prefix_out_of_range",
        "Po ukośniku wpisz długość prefiksu od 0 do {max}, np. 203.0.113.0/24.",
    ),
    (
        "cidr.host_bits_set",
        "Ta sieć ma ustawione bity hosta. Wpisz zamiast tego adres sieci {network}.",
    ),
    (
        "cidr.invalid",
        "Wpisz adres IP lub sieć bez zer wiodących, np. 203.0.113.7 lub 203.0.113.0/24.",
    ),
    ("ip_address.empty", "Wpisz adres IP, np. 203.0.113.7."),
    (
        "allowlist.no_groups",
        "Lista dozwolonych adresów nie ma grup. Podaj co najmniej jedną albo pomiń ją, aby \
         pokazać listy dostawcy.",
    ),
    (
        "allowlist.unnamed_group",
        "Grupa {position} listy dozwolonych adresów nie ma nazwy. Nadaj każdej grupie nazwę, \
         którą pokaże jej nagłówek.",
    ),
    (
        "allowlist.empty_group",
        "Grupa listy dozwolonych adresów „{group}” nie ma zakresów adresów. Podaj co najmniej \
         jeden, np. 203.0.113.0/24.",
    ),
    ("ip_address.invalid", "Wpisz adres IP, np. 203.0.113.7."),
    // document: saved settings
    (
        "document.not_json",
        "Zapisane ustawienia są uszkodzone (nieprawidłowy JSON w wierszu {line}, kolumnie \
         {column}). Przywróć je z kopii zapasowej; niczego nie zmieniono.",
    ),
    (
        "document.not_a_document",
        "To nie są dane mailsetup: brak w nich wersji formatu. Sprawdź, czy wybrano właściwy plik; \
         niczego nie zmieniono.",
    ),
    (
        "document.newer_version",
        "Te dane zapisała nowsza wersja mailsetup (format {found}). Zaktualizuj mailsetup, aby je \
         zmienić; niczego nie zmieniono.",
    ),
    (
        "document.unsupported_version",
        "Te dane mają format {found}, którego mailsetup nie potrafi odczytać. Przywróć je z kopii \
         zapasowej; niczego nie zmieniono.",
    ),
    (
        "document.domains_not_a_list",
        "Zapisane ustawienia są uszkodzone: „domains” nie jest listą. Przywróć je z kopii \
         zapasowej; niczego nie zmieniono.",
    ),
    (
        "document.entry_not_an_object",
        "Ten zapisany wpis nie jest zestawem pól. Usuń go i dodaj domenę ponownie.",
    ),
    (
        "document.missing_field",
        "W tym zapisanym wpisie brakuje tu wartości. Edytuj wpis i wpisz ją.",
    ),
    (
        "document.wrong_type",
        "Ta zapisana wartość powinna mieć typ: {expected}. Edytuj wpis i wpisz ją ponownie.",
    ),
    (
        "document.unknown_type",
        "Ten zapisany wpis ma nieznany typ „{found}”. Wybierz ustawienia IMAP lub Exchange i wpisz \
         je ponownie.",
    ),
    (
        "document.conflicting_field",
        "Ten zapisany wpis ma jednocześnie ustawienia IMAP i Exchange. Domena może mieć tylko \
         jedne z nich; usuń niepotrzebne.",
    ),
    (
        "document.invalid_revision",
        "Ten zapisany wpis ma nieprawidłowy numer wersji. Zapisz wpis ponownie.",
    ),
    (
        "document.duplicate_domain",
        "Inny zapisany wpis ma już ustawienia tej domeny, więc tego nie wczytano. Usuń go albo \
         zmień jego domenę.",
    ),
    (
        "document.unknown_field",
        "Tego pola nie ma w ustawieniach domeny. Sprawdź jego pisownię albo je pomiń.",
    ),
    (
        "document.unknown_username_form",
        "Ten zapisany wpis tworzy nazwy użytkowników w nieznany sposób „{found}”. Edytuj wpis i \
         wybierz, jak tworzyć nazwy użytkowników.",
    ),
    (
        "wire.not_json",
        "Treść żądania nie jest poprawnym JSON-em (wiersz {line}, kolumna {column}). Wyślij \
         ustawienia jednej domeny jako obiekt JSON.",
    ),
    (
        "request.domain_mismatch",
        "Ustawienia dotyczą domeny {body}, a wysłano je pod adres domeny {path}. Wyślij je pod \
         adres domeny {body} albo popraw domenę.",
    ),
    (
        "wire.invalid_entry",
        "Ustawienia są nieprawidłowe (problemów: {count}). Popraw wskazane pola.",
    ),
    // import: a file's settings being imported
    (
        "import.repeated",
        "{domain} występuje w pliku więcej niż raz; użyte zostaną tylko pierwsze ustawienia. \
         Usuń pozostałe wiersze.",
    ),
    // csv: the settings spreadsheet being imported
    (
        "csv.not_csv",
        "Tego pliku nie da się odczytać jako arkusza (wiersz {line}). Zapisz go jako CSV i wybierz \
         ponownie.",
    ),
    (
        "csv.missing_column",
        "W arkuszu brakuje kolumny „{column}”. Pierwszy wiersz musi nazywać kolumny, tak jak w \
         wyeksportowanym pliku.",
    ),
    // certificate_trust: how a domain's servers' certificates are trusted (and its pins)
    (
        "certificate_trust.pin_not_hex",
        "Odcisk klucza składa się tylko z cyfr 0-9 i liter a-f, a ten zawiera „{character}”. \
         Skopiuj ponownie odcisk SHA-256 klucza (spki_sha256), bez separatorów.",
    ),
    (
        "certificate_trust.pin_wrong_length",
        "Odcisk klucza ma 64 cyfry szesnastkowe (SHA-256 klucza), a ten ma {length}. Skopiuj \
         cały odcisk (spki_sha256).",
    ),
    (
        "certificate_trust.no_pins",
        "Zaufanie przypiętemu kluczowi wymaga co najmniej jednego odcisku klucza. Dodaj odcisk \
         klucza, któremu ufasz, albo ufaj zweryfikowanym certyfikatom.",
    ),
    (
        "certificate_trust.unknown_mode",
        "„{found}” nie jest sposobem zaufania certyfikatom. Użyj verified, pinned lub any.",
    ),
    (
        "certificate_trust.pins_without_pinning",
        "Odciski kluczy liczą się tylko przy zaufaniu przypiętym kluczom. Wybierz pinned albo \
         pomiń odciski.",
    ),
    (
        "certificate_trust.disagrees_with_insecure_flag",
        "allow_insecure_certificates ma wartość {flag}, co przeczy zaufaniu do certyfikatu \
         „{mode}”. Pomiń allow_insecure_certificates: zastępuje je certificate_trust.",
    ),
    // autoconfig: a provider's Thunderbird settings file (config-v1.1.xml) being imported
    (
        "autoconfig.too_large",
        "Ten plik ma {size_kib} KiB, a plik ustawień Thunderbirda (config-v1.1.xml) ma najwyżej \
         256 KiB. Sprawdź, czy wybrano plik config-v1.1.xml dostawcy.",
    ),
    (
        "autoconfig.dtd",
        "Ten plik deklaruje typ dokumentu lub encje (<!DOCTYPE lub <!ENTITY), których pliki \
         ustawień nigdy nie zawierają i które mogą bez końca powiększać plik, więc go nie \
         wczytano. Usuń tę część albo wybierz plik config-v1.1.xml dostawcy.",
    ),
    (
        "autoconfig.not_xml",
        "Ten plik nie jest poprawnym plikiem XML (wiersz {line}, kolumna {column}). Wybierz plik \
         config-v1.1.xml dostawcy albo popraw plik we wskazanym miejscu.",
    ),
    (
        "autoconfig.not_autoconfig",
        "Ten plik XML nie jest plikiem ustawień Thunderbirda: nie ma w nim elementu \
         <clientConfig> z <emailProvider>. Wybierz plik config-v1.1.xml dostawcy.",
    ),
    (
        "autoconfig.no_domain",
        "Ten plik ustawień nie podaje żadnej domeny e-mail. Dodaj ją do <emailProvider>, np. \
         <domain>example.com</domain>, albo wpisz ustawienia ręcznie.",
    ),
    (
        "autoconfig.invalid_domain",
        "Domena „{domain}” z pliku ustawień jest nieprawidłowa. Popraw ją w pliku, np. \
         <domain>example.com</domain>, albo wpisz ustawienia ręcznie.",
    ),
    (
        "autoconfig.no_imap",
        "Ten dostawca nie udostępnia serwera IMAP (tylko POP3 lub inne rodzaje), a skrzynki łączy \
         się przez IMAP. Poproś dostawcę o ustawienia IMAP albo wpisz je ręcznie.",
    ),
    (
        "autoconfig.no_smtp",
        "Plik ustawień tego dostawcy nie podaje serwera SMTP do wysyłania poczty. Poproś dostawcę \
         o ustawienia SMTP albo wpisz je ręcznie.",
    ),
    (
        "autoconfig.no_password_auth",
        "Serwer {protocol} dostawcy pozwala logować się tylko przez {methods}, nie hasłem, a \
         skrzynki łączy się za pomocą hasła. Poproś dostawcę o serwer, który przyjmuje hasła, \
         albo wpisz go ręcznie.",
    ),
    (
        "autoconfig.placeholder_host",
        "Serwer {protocol} dostawcy „{host}” zależy od adresu każdej osoby (zawiera symbol \
         zastępczy, np. %EMAILDOMAIN%). Wpisz ręcznie serwer swojej domeny, np. mail.example.com.",
    ),
    (
        "autoconfig.plain_socket",
        "Serwer {protocol} dostawcy jest dostępny tylko bez szyfrowania, a wymagane jest SSL/TLS \
         lub STARTTLS. Poproś dostawcę o szyfrowany serwer albo wpisz go ręcznie.",
    ),
    (
        "autoconfig.unknown_socket",
        "Serwer {protocol} dostawcy ma nieznany rodzaj szyfrowania „{socket_type}”; w pliku \
         powinno być SSL lub STARTTLS. Popraw plik albo wpisz ustawienia ręcznie.",
    ),
    (
        "autoconfig.invalid_host",
        "Nazwa serwera {protocol} dostawcy „{host}” jest nieprawidłowa. Popraw ją w pliku, np. \
         mail.example.com, albo wpisz ustawienia ręcznie.",
    ),
    (
        "autoconfig.invalid_port",
        "Port serwera {protocol} dostawcy „{port}” nie jest liczbą od 1 do 65535. Popraw go w \
         pliku, np. 993, albo wpisz ustawienia ręcznie.",
    ),
    (
        "autoconfig.missing_field",
        "Serwer {protocol} dostawcy nie ma elementu <{field}>. Dodaj go do pliku albo wpisz \
         ustawienia ręcznie.",
    ),
    (
        "autoconfig.username_mismatch",
        "Serwery IMAP i SMTP dostawcy wymagają różnych nazw użytkownika (np. jeden całego adresu, \
         a drugi tylko części przed znakiem @), a dla obu używana jest jedna nazwa. Wpisz \
         ustawienia ręcznie i sprawdź nazwę użytkownika u dostawcy.",
    ),
    // check: the connection check against the real mail servers
    (
        "check.dns_not_found",
        "Nie znaleziono nazwy serwera. Sprawdź pisownię nazwy hosta.",
    ),
    (
        "check.dns_failed",
        "Nie udało się teraz sprawdzić nazwy serwera. Spróbuj ponownie za minutę.",
    ),
    (
        "check.address_not_allowed",
        "Tego adresu nie można stąd sprawdzić (to adres prywatny, lokalny lub zastrzeżony). Użyj publicznej nazwy serwera albo poproś operatora o dopuszczenie jego sieci.",
    ),
    (
        "check.port_not_allowed",
        "Tego portu nie można stąd sprawdzić. Serwery poczty używają portów 993 lub 143 (IMAP) oraz 465 lub 587 (SMTP); jeśli Twój używa innego, zapytaj operatora.",
    ),
    (
        "check.connection_refused",
        "Serwer odrzucił połączenie na tym porcie. Sprawdź numer portu.",
    ),
    (
        "check.connection_timed_out",
        "Serwer nie odpowiedział na czas. Sprawdź nazwę hosta i port oraz czy zapora przepuszcza połączenie.",
    ),
    (
        "check.tls_not_spoken",
        "Serwer odpowiedział bez szyfrowania na porcie ustawionym na SSL/TLS. Wybierz STARTTLS albo port SSL/TLS serwera.",
    ),
    (
        "check.tls_expected",
        "Serwer na tym porcie oczekuje szyfrowania od początku. Wybierz SSL/TLS zamiast STARTTLS.",
    ),
    (
        "check.starttls_not_offered",
        "Serwer nie oferuje STARTTLS na tym porcie, więc hasło zostałoby wysłane bez szyfrowania. Wybierz SSL/TLS i jego port.",
    ),
    (
        "check.tls_handshake_failed",
        "Nie udało się nawiązać szyfrowanego połączenia.",
    ),
    (
        "check.tls_version_too_old",
        "Serwer obsługuje tylko starą, niebezpieczną wersję TLS (poniżej 1.2). Poproś jego administratora o włączenie TLS 1.2 lub 1.3.",
    ),
    (
        "check.certificate_untrusted",
        "Certyfikat serwera nie jest podpisany przez urząd, któremu ten serwer ufa. Poproś o certyfikat od publicznego urzędu albo poproś operatora o dodanie urzędu certyfikacji Twojej firmy.",
    ),
    (
        "check.certificate_expired",
        "Certyfikat serwera wygasł. Poproś administratora serwera o jego odnowienie.",
    ),
    (
        "check.certificate_not_yet_valid",
        "Certyfikat serwera nie jest jeszcze ważny. Sprawdź zegar serwera i certyfikat.",
    ),
    (
        "check.certificate_name_mismatch",
        "Certyfikat serwera jest wystawiony na inną nazwę. Użyj nazwy hosta, którą wymienia certyfikat.",
    ),
    (
        "check.certificate_pin_mismatch",
        "Żaden klucz z łańcucha certyfikatów przedstawionego przez serwer nie pasuje do zaufanych odcisków kluczy. Jeśli certyfikat serwera odnowiono z nowym kluczem, sprawdź go i zaufaj jego kluczowi; w przeciwnym razie ktoś może przechwytywać połączenie.",
    ),
    (
        "check.certificate_expires_soon",
        "Certyfikat serwera wygasa w ciągu 21 dni.",
    ),
    (
        "check.greeting_unexpected",
        "Serwer nie przywitał się jak serwer poczty tego rodzaju. Sprawdź port: może należeć do innej usługi.",
    ),
    (
        "check.login_failed",
        "Serwer odrzucił nazwę użytkownika lub hasło.",
    ),
    (
        "check.login_not_offered",
        "Serwer nie oferuje na tym połączeniu żadnej metody logowania, której może użyć to sprawdzenie (PLAIN lub LOGIN).",
    ),
    (
        "check.send_rejected",
        "Serwer odmówił wysłania testowej wiadomości.",
    ),
    (
        "check.test_email_not_received",
        "Testowa wiadomość nie dotarła na czas do skrzynki odbiorczej.",
    ),
    (
        "check.exchange_not_found",
        "Pod tym adresem nie odpowiadają usługi Exchange Web Services. Sprawdź adres URL Exchange.",
    ),
    (
        "check.exchange_login_failed",
        "Exchange odrzucił nazwę użytkownika lub hasło.",
    ),
    (
        "check.exchange_unexpected_answer",
        "Adres odpowiada, ale nie tak jak usługi Exchange Web Services.",
    ),
    (
        "check.exchange_redirected",
        "Adres URL Exchange przekierowuje gdzie indziej. Sprawdź adres docelowy i użyj go, jeśli jest właściwy.",
    ),
    (
        "check.server_error",
        "Serwer zgłosił własny błąd. Spróbuj ponownie później.",
    ),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fmt;

    use mailsetup_core::wire::CheckCode;
    use mailsetup_core::*;

    use super::*;

    /// One instance of every leaf variant in mailsetup-core (copied from core's
    /// `codes_tests::every_problem`, which is private to core), plus the variants whose params
    /// differ in shape (an absent suggestion, every stored type, both protocols) and the one
    /// wrapper that adds params of its own (`AllowlistError`).
    fn every_problem() -> Vec<Box<dyn Problem>> {
        let port = Port::IMAP_SSL;
        let suggestion = || "https://mail.example.com/EWS/Exchange.asmx".to_owned();
        let listed: Vec<Box<dyn Problem>> = vec![
            Box::new(NameError::InvalidCharacter { character: '_' }),
            Box::new(NameError::ContainsSpace),
            Box::new(NameError::InvalidInternationalName),
            Box::new(NameError::EmptyLabel),
            Box::new(NameError::LabelTooLong {
                label: "a".repeat(64),
                length: 64,
            }),
            Box::new(NameError::TooLong { length: 254 }),
            Box::new(NameError::HyphenAtLabelEdge { label: "-a".into() }),
            Box::new(NameError::NumericTopLevel),
            Box::new(DomainError::Empty),
            Box::new(DomainError::LooksLikeEmail {
                suggestion: Some("example.org".into()),
            }),
            Box::new(DomainError::LooksLikeEmail { suggestion: None }),
            Box::new(DomainError::ContainsSpace),
            Box::new(DomainError::SingleLabel {
                label: "localhost".into(),
            }),
            Box::new(DomainError::IpAddress),
            Box::new(HostError::Empty),
            Box::new(HostError::IncludesScheme),
            Box::new(HostError::IncludesPort { port: "993".into() }),
            Box::new(HostError::LooksLikeEmail),
            Box::new(HostError::InvalidIpv4),
            Box::new(HostError::InvalidIpv6),
            Box::new(HostError::Ipv6ZoneIndex),
            Box::new(HostWarning::PrivateAddress),
            Box::new(HostWarning::LoopbackAddress),
            Box::new(HostWarning::LinkLocalAddress),
            Box::new(HostWarning::UnspecifiedAddress),
            Box::new(HostWarning::SingleLabelName),
            Box::new(HostWarning::InternalName),
            Box::new(PortError::Empty),
            Box::new(PortError::Zero),
            Box::new(PortError::TooLarge),
            Box::new(PortError::NotANumber),
            Box::new(SecurityError::Unknown),
            Box::new(EndpointWarning::SecurityPortMismatch {
                security: Security::StartTls,
                port,
                suggested: Security::SslTls,
            }),
            Box::new(EndpointWarning::SmtpPort25),
            Box::new(EndpointWarning::PortForOtherProtocol {
                protocol: Protocol::Smtp,
                port,
                usual_protocol: Protocol::Imap,
            }),
            Box::new(EndpointWarning::PortForOtherProtocol {
                protocol: Protocol::Imap,
                port: Port::SMTP_SUBMISSION,
                usual_protocol: Protocol::Smtp,
            }),
            Box::new(ExchangeUrlError::Empty),
            Box::new(ExchangeUrlError::JavascriptScheme),
            Box::new(ExchangeUrlError::ContainsSpace),
            Box::new(ExchangeUrlError::NotHttps {
                suggestion: suggestion(),
            }),
            Box::new(ExchangeUrlError::UnsupportedScheme {
                scheme: "ftp".into(),
            }),
            Box::new(ExchangeUrlError::MissingScheme {
                suggestion: suggestion(),
            }),
            Box::new(ExchangeUrlError::RelativeUrl),
            Box::new(ExchangeUrlError::MissingSlashes),
            Box::new(ExchangeUrlError::InvalidPort),
            Box::new(ExchangeUrlError::Credentials),
            Box::new(ExchangeUrlError::Fragment),
            Box::new(ExchangeUrlError::OutlookWebApp {
                suggestion: suggestion(),
            }),
            Box::new(ExchangeUrlError::Invalid),
            Box::new(ExchangeUrlWarning::UnusualPath { expected: EWS_PATH }),
            Box::new(ExchangeUrlWarning::ExchangeOnline),
            Box::new(EmailError::Empty),
            Box::new(EmailError::MissingAt),
            Box::new(EmailError::MultipleAt),
            Box::new(EmailError::EmptyLocalPart),
            Box::new(EmailError::LocalPartTooLong),
            Box::new(EmailError::InvalidLocalPart { character: ',' }),
            Box::new(EmailError::LocalPartDots),
            Box::new(BookError::AlreadyConfigured {
                domain: example(),
                kind: ConnectionKind::Imap,
            }),
            Box::new(BookError::KindConflict {
                domain: example(),
                existing: ConnectionKind::Exchange,
            }),
            Box::new(BookError::NotFound { domain: example() }),
            Box::new(BookError::StaleRevision {
                domain: example(),
                expected: 1,
                actual: 2,
            }),
            Box::new(CidrError::Empty),
            Box::new(CidrError::PrefixOutOfRange { max: 32 }),
            Box::new(CidrError::HostBitsSet {
                network: "143.244.82.0/24".into(),
            }),
            Box::new(CidrError::Invalid),
            Box::new(AllowlistError::InvalidRange {
                group: "Office relays".into(),
                value: "192.0.2.7/24".into(),
                error: CidrError::HostBitsSet {
                    network: "192.0.2.0/24".into(),
                },
            }),
            Box::new(AllowlistError::NoGroups),
            Box::new(AllowlistError::UnnamedGroup { position: 2 }),
            Box::new(AllowlistError::EmptyGroup {
                group: "Office relays".into(),
            }),
            Box::new(IpAddressError::Empty),
            Box::new(IpAddressError::Invalid),
            Box::new(DocumentError::NotJson {
                line: 3,
                column: 14,
            }),
            Box::new(DocumentError::NotADocument),
            Box::new(DocumentError::NewerVersion { found: 2 }),
            Box::new(DocumentError::UnsupportedVersion { found: 0 }),
            Box::new(DocumentError::DomainsNotAList),
            Box::new(StoredEntryError::NotAnObject),
            Box::new(StoredEntryError::MissingField),
            Box::new(StoredEntryError::WrongType { expected: "text" }),
            Box::new(StoredEntryError::WrongType { expected: "number" }),
            Box::new(StoredEntryError::WrongType {
                expected: "integer",
            }),
            Box::new(StoredEntryError::WrongType {
                expected: "boolean",
            }),
            Box::new(StoredEntryError::WrongType { expected: "object" }),
            Box::new(StoredEntryError::WrongType { expected: "list" }),
            Box::new(StoredEntryError::UnknownType {
                found: "pop3".into(),
            }),
            Box::new(StoredEntryError::ConflictingField),
            Box::new(StoredEntryError::InvalidRevision),
            Box::new(StoredEntryError::DuplicateDomain),
            Box::new(StoredEntryError::UnknownField),
            Box::new(StoredEntryError::UnknownUsernameForm {
                found: "nickname".into(),
            }),
            Box::new(wire::WireError::NotJson { line: 1, column: 2 }),
            Box::new(wire::WireError::Invalid(Vec::new())),
            Box::new(wire::RequestError::DomainMismatch {
                body: "a.example".into(),
                path: "b.example".into(),
            }),
            Box::new(CredentialError::EmptyUsername),
            Box::new(CredentialError::UsernameControlCharacter),
            Box::new(CredentialError::EmptyPassword),
            Box::new(formats::AutoconfigError::TooLarge { size_kib: 300 }),
            Box::new(formats::AutoconfigError::Dtd),
            Box::new(formats::AutoconfigError::NotXml { line: 3, column: 7 }),
            Box::new(formats::AutoconfigError::NotAutoconfig),
            Box::new(formats::AutoconfigError::NoDomain),
            Box::new(formats::AutoconfigError::InvalidDomain {
                domain: "not a domain".into(),
            }),
            Box::new(formats::AutoconfigRefusal::NoImap),
            Box::new(formats::AutoconfigRefusal::NoSmtp),
            Box::new(formats::AutoconfigRefusal::NoPasswordAuth {
                protocol: Protocol::Imap,
                methods: "OAuth2".into(),
            }),
            Box::new(formats::AutoconfigRefusal::PlaceholderHost {
                protocol: Protocol::Smtp,
                host: "%EMAILDOMAIN%".into(),
            }),
            Box::new(formats::AutoconfigRefusal::PlainSocket {
                protocol: Protocol::Imap,
            }),
            Box::new(formats::AutoconfigRefusal::UnknownSocket {
                protocol: Protocol::Imap,
                socket_type: "TLS".into(),
            }),
            Box::new(formats::AutoconfigRefusal::InvalidHost {
                protocol: Protocol::Smtp,
                host: "smtp example.com".into(),
            }),
            Box::new(formats::AutoconfigRefusal::InvalidPort {
                protocol: Protocol::Imap,
                port: "99999".into(),
            }),
            Box::new(formats::AutoconfigRefusal::MissingField {
                protocol: Protocol::Imap,
                field: "socketType",
            }),
            Box::new(formats::AutoconfigRefusal::UsernameMismatch),
            Box::new(formats::csv::CsvError::NotCsv { line: 4 }),
            Box::new(formats::csv::CsvError::MissingColumn { column: "domain" }),
            Box::new(mailsetup_core::import::ImportRefusal::Repeated {
                domain: mailsetup_core::Domain::parse("example.com").unwrap(),
            }),
            Box::new(CertificateTrustError::PinNotHex { character: ':' }),
            Box::new(CertificateTrustError::PinWrongLength { length: 40 }),
            Box::new(CertificateTrustError::NoPins),
            Box::new(CertificateTrustError::UnknownMode {
                found: "insecure".into(),
            }),
            Box::new(CertificateTrustError::PinsWithoutPinning),
            Box::new(CertificateTrustError::DisagreesWithInsecureFlag {
                flag: true,
                mode: "pinned",
            }),
        ];
        listed
            .into_iter()
            .chain(CheckCode::ALL.map(|code| Box::new(code) as Box<dyn Problem>))
            .collect()
    }

    fn example() -> Domain {
        Domain::parse("bücher.example").expect("a valid domain")
    }

    /// The names between `{` and `}` in a template, as `fill` reads them.
    fn placeholders(template: &str) -> Vec<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(placeholder_at)
            .collect()
    }

    /// A problem with any code and params, for codes core does not have.
    struct Invented {
        code: &'static str,
        params: Vec<(&'static str, String)>,
    }

    impl fmt::Display for Invented {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "English message of {}.", self.code)
        }
    }

    impl Problem for Invented {
        fn code(&self) -> &'static str {
            self.code
        }

        fn params(&self) -> Vec<(&'static str, String)> {
            self.params.clone()
        }
    }

    #[test]
    fn every_code_core_produces_has_a_polish_sentence() {
        let problems = every_problem();
        let codes: BTreeSet<&str> = problems.iter().map(|problem| problem.code()).collect();
        // Core's own count of leaf variants (codes_tests.rs); update both when adding one.
        assert_eq!(codes.len(), 141);
        for problem in &problems {
            let code = problem.code();
            let english = problem.to_string();
            let polish = message(Language::Polish, problem.as_ref());
            assert!(template(code).is_some(), "{code} has no Polish template");
            assert_ne!(
                polish, english,
                "{code} is shown in English to Polish readers"
            );
            // Every placeholder filled: no brace left once the values are taken out.
            let mut rest = polish.clone();
            for (_, value) in polish_params(code, problem.params()) {
                rest = rest.replace(&value, "");
            }
            assert!(
                !rest.contains(['{', '}']),
                "{code}: a placeholder was left in {polish:?}"
            );
        }
    }

    #[test]
    fn every_placeholder_is_a_param_of_its_problem() {
        for problem in every_problem() {
            let code = problem.code();
            let Some(template) = template(code) else {
                continue; // reported by every_code_core_produces_has_a_polish_sentence
            };
            let params = polish_params(code, problem.params());
            for name in placeholders(template) {
                assert!(
                    value_of(&params, name).is_some(),
                    "{code}: {{{name}}} is not one of its params {params:?}"
                );
            }
        }
        for name in placeholders(ALLOWLIST_RANGE) {
            assert!(["group", "value", "message"].contains(&name), "{{{name}}}");
        }
    }

    #[test]
    fn polish_shows_every_value_the_english_message_shows() {
        for problem in every_problem() {
            let code = problem.code();
            let english = problem.to_string();
            let polish = message(Language::Polish, problem.as_ref());
            let polish_values = polish_params(code, problem.params());
            for (name, value) in problem.params() {
                if !english.contains(&value) {
                    continue;
                }
                let shown = value_of(&polish_values, name).unwrap_or(&value);
                assert!(
                    polish.contains(shown),
                    "{code}: {name} = {shown:?} is missing from {polish:?}"
                );
            }
        }
    }

    #[test]
    fn no_template_or_value_row_is_unused() {
        let codes: BTreeSet<&str> = every_problem()
            .iter()
            .map(|problem| problem.code())
            .collect();
        let mut keys = BTreeSet::new();
        for (key, _) in PL {
            assert!(keys.insert(*key), "{key} is in the table twice");
            assert!(codes.contains(key), "{key} is no code core produces");
        }
        let extra_codes = VALUES
            .iter()
            .map(|row| row.0)
            .chain(DEFAULTS.iter().map(|row| row.0))
            .chain(DERIVED.iter().map(|row| row.0));
        for code in extra_codes {
            assert!(codes.contains(code), "{code} is no code core produces");
        }
    }

    #[test]
    fn derived_values_say_what_core_says() {
        for problem in every_problem() {
            let code = problem.code();
            let english = problem.to_string();
            for &(row_code, source, source_value, _, polish) in DERIVED {
                let params = problem.params();
                if row_code == code && value_of(&params, source) == Some(source_value) {
                    let in_english = polish.replace(" lub ", " or ");
                    assert!(
                        english.contains(&in_english),
                        "{code}: {english:?} no longer says {in_english:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn allowlist_ranges_keep_their_group_and_value() {
        let problem = AllowlistError::InvalidRange {
            group: "Archiwum".into(),
            value: "::/129".into(),
            error: CidrError::PrefixOutOfRange { max: 128 },
        };
        assert_eq!(
            message(Language::Polish, &problem),
            "Grupa listy dozwolonych adresów „Archiwum”: „::/129” nie jest zakresem adresów. \
             Po ukośniku wpisz długość prefiksu od 0 do 128, np. 203.0.113.0/24."
        );
    }

    #[test]
    fn english_is_core_message_unchanged() {
        for problem in every_problem() {
            assert_eq!(
                message(Language::English, problem.as_ref()),
                problem.to_string()
            );
        }
    }

    #[test]
    fn fill_is_single_pass() {
        let params = [
            ("found", "{scheme}".to_owned()),
            ("scheme", "ftp".to_owned()),
        ];
        assert_eq!(
            fill("typ „{found}”, adres {scheme}:", &params).as_deref(),
            Some("typ „{scheme}”, adres ftp:")
        );
        // Text a person typed reaches the sentence as typed.
        let typed = EmailError::InvalidLocalPart { character: '{' };
        assert_eq!(
            message(Language::Polish, &typed),
            "Usuń „{” z części przed znakiem @, jak w anna@example.com."
        );
        let stored = StoredEntryError::UnknownType {
            found: "{found}".into(),
        };
        assert!(message(Language::Polish, &stored).contains("„{found}”"));
    }

    #[test]
    fn fill_keeps_braces_that_are_not_placeholders() {
        let params = [("port", "993".to_owned())];
        assert_eq!(
            fill("{ } {} {Port} {port", &params).as_deref(),
            Some("{ } {} {Port} {port")
        );
        assert_eq!(fill("{port}{port}", &params).as_deref(), Some("993993"));
        assert_eq!(fill("", &params).as_deref(), Some(""));
    }

    #[test]
    fn fill_refuses_a_placeholder_without_a_value() {
        assert_eq!(fill("Port {port}.", &[]), None);
        assert_eq!(fill("Port {prot}.", &[("port", "993".to_owned())]), None);
    }

    #[test]
    fn unknown_codes_and_missing_values_fall_back_to_english() {
        let future = Invented {
            code: "future.problem",
            params: Vec::new(),
        };
        assert_eq!(
            message(Language::Polish, &future),
            "English message of future.problem."
        );
        // A known code whose problem lacks a value the template needs.
        let short = Invented {
            code: "book.not_found",
            params: Vec::new(),
        };
        assert_eq!(
            message(Language::Polish, &short),
            "English message of book.not_found."
        );
    }

    #[test]
    fn values_from_a_closed_set_are_translated_and_others_kept() {
        let known = StoredEntryError::WrongType {
            expected: "boolean",
        };
        assert!(message(Language::Polish, &known).contains("typ: tak/nie."));
        let unknown = StoredEntryError::WrongType { expected: "date" };
        assert!(message(Language::Polish, &unknown).contains("typ: date."));
        let absent = DomainError::LooksLikeEmail { suggestion: None };
        assert!(message(Language::Polish, &absent).contains("np. example.com,"));
    }
}
