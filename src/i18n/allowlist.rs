//! Strings of the "IP addresses to allowlist" section, English and Polish: headings, copy
//! buttons and their announcements, the IP checker, and counts with the right plural form.
//!
//! Owns: wording, plural choice and number formatting. Must not: decide what an address or a
//! network is, or which entries hold an address; that arithmetic is `mailsetup_core::allowlist`.

use mailsetup_core::{AllowlistEntry, AllowlistGroup, AllowlistGroupKind, AllowlistMatch};

use super::{Language, polish};

pub struct AllowlistTexts {
    pub heading: &'static str,
    pub intro: &'static str,
    pub smtp_heading: &'static str,
    pub imap_heading: &'static str,
    /// The visible label of each entry's copy button; the entry follows, visually hidden.
    pub copy: &'static str,
    pub copy_all_smtp: &'static str,
    pub copy_all_imap: &'static str,
    /// The "Copy all" button of a group a host page named; the group's name follows, visually
    /// hidden.
    pub copy_all: &'static str,
    pub copy_combined: &'static str,
    pub combined_hint: &'static str,
    pub copy_blocked: &'static str,
    pub close: &'static str,
    pub checker_heading: &'static str,
    pub checker_hint: &'static str,
    pub ip_label: &'static str,
    pub check: &'static str,
}

pub fn texts(language: Language) -> &'static AllowlistTexts {
    polish::pick(language, &EN, |tables| tables.allowlist)
}

pub(super) static EN: AllowlistTexts = AllowlistTexts {
    heading: "IP addresses to allowlist",
    intro: "Your IT team may allow only certain IP addresses to connect to your mail. If so, \
        ask them to allow the addresses below for both SMTP and IMAP: our servers connect only \
        from these, and only from the data center that hosts your account.",
    smtp_heading: "SMTP IP addresses",
    imap_heading: "IMAP IP addresses",
    copy: "Copy",
    copy_all_smtp: "Copy all SMTP IP addresses",
    copy_all_imap: "Copy all IMAP IP addresses",
    copy_all: "Copy all",
    copy_combined: "Copy combined list",
    combined_hint: "One list for both SMTP and IMAP: every address once, with neighbouring \
        networks merged.",
    copy_blocked: "Copying is blocked here. The text is selected: press Ctrl+C (⌘C on a Mac) to \
        copy it.",
    close: "Close",
    checker_heading: "Check an IP address",
    checker_hint: "Paste an address from your firewall or mail server logs to see whether it \
        is one of ours.",
    ip_label: "IP address",
    check: "Check",
};

pub(super) static PL: AllowlistTexts = AllowlistTexts {
    heading: "Adresy IP do dodania do listy dozwolonych",
    intro: "Twój zespół IT może zezwalać na łączenie się z pocztą tylko wybranym adresom IP. \
        W takim przypadku poproś go o dodanie poniższych adresów do listy dozwolonych zarówno dla \
        SMTP, jak i IMAP: nasze serwery łączą się wyłącznie z nich i tylko z centrum danych, \
        w którym jest hostowane Twoje konto.",
    smtp_heading: "Adresy IP SMTP",
    imap_heading: "Adresy IP IMAP",
    copy: "Kopiuj",
    copy_all_smtp: "Kopiuj wszystkie adresy IP SMTP",
    copy_all_imap: "Kopiuj wszystkie adresy IP IMAP",
    copy_all: "Kopiuj wszystkie",
    copy_combined: "Kopiuj połączoną listę",
    combined_hint: "Jedna lista dla SMTP i IMAP: każdy adres tylko raz, a sąsiednie sieci \
        połączone.",
    copy_blocked: "Kopiowanie jest tu zablokowane. Tekst jest zaznaczony: naciśnij Ctrl+C (⌘C na \
        Macu), aby go skopiować.",
    close: "Zamknij",
    checker_heading: "Sprawdź adres IP",
    checker_hint: "Wklej adres z dziennika zapory lub serwera poczty, aby sprawdzić, czy należy \
        do nas.",
    ip_label: "Adres IP",
    check: "Sprawdź",
};

/// The three Polish plural forms: 1 adres, 2–4 adresy (also 22–24, 32–34 …), 5+ adresów
/// (also 0, 12–14, 25–31 …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolishPlural {
    One,
    Few,
    Many,
}

impl PolishPlural {
    pub fn of(n: u128) -> PolishPlural {
        if n == 1 {
            PolishPlural::One
        } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
            PolishPlural::Few
        } else {
            PolishPlural::Many
        }
    }

    fn pick(self, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
        match self {
            PolishPlural::One => one,
            PolishPlural::Few => few,
            PolishPlural::Many => many,
        }
    }
}

/// `n` with its word in the right form: English `(singular, plural)`, Polish `(one, few, many)`.
fn counted(
    language: Language,
    n: u128,
    english: [&'static str; 2],
    polish: [&'static str; 3],
) -> String {
    let word = match language {
        Language::English if n == 1 => english[0],
        Language::English => english[1],
        Language::Polish => PolishPlural::of(n).pick(polish[0], polish[1], polish[2]),
    };
    format!("{} {word}", number(language, n))
}

/// Digits grouped by thousands: `4,294,967,296` in English; in Polish with no-break spaces, and
/// only from five digits (`1024`, `65 536`), as Polish typography does.
pub fn number(language: Language, n: u128) -> String {
    let digits = n.to_string();
    let separator = match language {
        Language::English if digits.len() > 3 => ',',
        Language::Polish if digits.len() > 4 => '\u{a0}',
        _ => return digits,
    };
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// "32 addresses", "1 adres", "32 adresy", "128 adresów".
pub fn address_count(language: Language, n: u128) -> String {
    counted(
        language,
        n,
        ["address", "addresses"],
        ["adres", "adresy", "adresów"],
    )
}

/// An entry's secondary text: its range (none for a single address) and its address count.
/// Displayed as "141.193.184.0 – 141.193.184.31 · 32 addresses", or "1 address".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryDetails {
    pub range: Option<String>,
    pub count: String,
}

impl std::fmt::Display for EntryDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.range {
            Some(range) => write!(f, "{range}{DETAILS_SEPARATOR}{}", self.count),
            None => f.write_str(&self.count),
        }
    }
}

/// Between an entry's range and its count.
pub const DETAILS_SEPARATOR: &str = " · ";

pub fn entry_details(language: Language, entry: &AllowlistEntry) -> EntryDetails {
    EntryDetails {
        range: (!entry.is_single_address())
            .then(|| format!("{} – {}", entry.first(), entry.last())),
        count: address_count(language, entry.address_count()),
    }
}

/// The heading of one of the provider's groups, which is also its name in sentences.
pub fn group_name(language: Language, kind: AllowlistGroupKind) -> &'static str {
    let texts = texts(language);
    match kind {
        AllowlistGroupKind::Smtp => texts.smtp_heading,
        AllowlistGroupKind::Imap => texts.imap_heading,
    }
}

/// The heading of a group: the name a host page gave it, else the provider's group name.
pub fn group_heading(language: Language, group: &AllowlistGroup) -> String {
    match group.name() {
        Some(name) => name.to_owned(),
        None => group_name(language, group.kind()).to_owned(),
    }
}

/// A group's name mid-sentence: Polish lowercases the provider's headings ("adresy IP SMTP");
/// a host's name stays as the host wrote it.
fn group_in_sentence(language: Language, group: &AllowlistGroup) -> String {
    match (language, group.name()) {
        (_, Some(name)) => name.to_owned(),
        (Language::English, None) => group_name(language, group.kind()).to_owned(),
        (Language::Polish, None) => lowercase_first(group_name(language, group.kind())),
    }
}

/// Announced after one entry was copied: "Copied 141.193.184.0/27".
pub fn copied_entry(language: Language, entry: &AllowlistEntry) -> String {
    match language {
        Language::English => format!("Copied {entry}"),
        Language::Polish => format!("Skopiowano {entry}"),
    }
}

/// Announced after a whole group was copied: "Copied 12 SMTP IP addresses", or for a group a
/// host page named, "Copied 3 IP addresses from Office relays".
pub fn copied_group(language: Language, group: &AllowlistGroup) -> String {
    let n = group.entries().len() as u128;
    let counted = match (group.name(), group.kind()) {
        (Some(_), _) => counted(
            language,
            n,
            ["IP address", "IP addresses"],
            ["adres IP", "adresy IP", "adresów IP"],
        ),
        (None, AllowlistGroupKind::Smtp) => counted(
            language,
            n,
            ["SMTP IP address", "SMTP IP addresses"],
            ["adres IP SMTP", "adresy IP SMTP", "adresów IP SMTP"],
        ),
        (None, AllowlistGroupKind::Imap) => counted(
            language,
            n,
            ["IMAP IP address", "IMAP IP addresses"],
            ["adres IP IMAP", "adresy IP IMAP", "adresów IP IMAP"],
        ),
    };
    match (language, group.name()) {
        (Language::English, None) => format!("Copied {counted}"),
        (Language::Polish, None) => format!("Skopiowano {counted}"),
        (Language::English, Some(name)) => format!("Copied {counted} from {name}"),
        (Language::Polish, Some(name)) => format!("Skopiowano {counted} z grupy „{name}”"),
    }
}

/// Announced after the combined list was copied: "Copied the combined list (6 entries)".
pub fn copied_combined(language: Language, entries: usize) -> String {
    let n = entries as u128;
    match language {
        Language::English => format!(
            "Copied the combined list ({})",
            counted(language, n, ["entry", "entries"], ["", "", ""])
        ),
        Language::Polish => format!(
            "Skopiowano połączoną listę ({})",
            counted(language, n, ["", ""], ["pozycja", "pozycje", "pozycji"])
        ),
    }
}

/// The checker's answer when some entries hold the address:
/// "141.193.184.7 is in 141.193.184.0/27 (SMTP IP addresses, IMAP IP addresses)."
/// Matches of the same entry in several groups are told once, with every group; `groups` are
/// the lists the matches point into.
pub fn check_found(
    language: Language,
    address: &str,
    matches: &[AllowlistMatch],
    groups: &[AllowlistGroup],
) -> String {
    let mut entries: Vec<(AllowlistEntry, Vec<String>)> = Vec::new();
    for found in matches {
        let Some(group) = groups.get(found.group) else {
            continue;
        };
        let name = group_in_sentence(language, group);
        match entries.iter_mut().find(|(entry, _)| *entry == found.entry) {
            Some((_, names)) => names.push(name),
            None => entries.push((found.entry, vec![name])),
        }
    }
    let described: Vec<String> = entries
        .iter()
        .map(|(entry, names)| format!("{entry} ({})", names.join(", ")))
        .collect();
    let and = match language {
        Language::English => " and ",
        Language::Polish => " oraz ",
    };
    let list = match described.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{and}{last}", rest.join(", ")),
        _ => described.join(""),
    };
    match language {
        Language::English => format!("{address} is in {list}."),
        Language::Polish => format!("Adres {address} należy do {list}."),
    }
}

/// "Adresy IP SMTP" -> "adresy IP SMTP": only the first letter, the acronyms stay.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The checker's answer when no entry holds the address.
pub fn check_not_found(language: Language, address: &str) -> String {
    match language {
        Language::English => {
            format!("{address} is not in the lists: our servers never connect from it.")
        }
        Language::Polish => format!(
            "Adresu {address} nie ma na listach: nasze serwery nigdy nie łączą się z niego."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailsetup_core::{Allowlist, NamedGroup};

    fn entry(text: &str) -> AllowlistEntry {
        AllowlistEntry::parse(text).unwrap()
    }

    #[test]
    fn polish_plural_forms() {
        let table = [
            (0, PolishPlural::Many),
            (1, PolishPlural::One),
            (2, PolishPlural::Few),
            (4, PolishPlural::Few),
            (5, PolishPlural::Many),
            (11, PolishPlural::Many),
            (12, PolishPlural::Many),
            (14, PolishPlural::Many),
            (21, PolishPlural::Many),
            (22, PolishPlural::Few),
            (24, PolishPlural::Few),
            (25, PolishPlural::Many),
            (32, PolishPlural::Few),
            (112, PolishPlural::Many),
            (122, PolishPlural::Few),
            (128, PolishPlural::Many),
            (1001, PolishPlural::Many),
        ];
        for (n, form) in table {
            assert_eq!(PolishPlural::of(n), form, "{n}");
        }
    }

    #[test]
    fn address_counts_in_both_languages() {
        let table = [
            (1, "1 address", "1 adres"),
            (2, "2 addresses", "2 adresy"),
            (13, "13 addresses", "13 adresów"),
            (23, "23 addresses", "23 adresy"),
            (32, "32 addresses", "32 adresy"),
            (64, "64 addresses", "64 adresy"),
            (128, "128 addresses", "128 adresów"),
            (1024, "1,024 addresses", "1024 adresy"),
            (65_536, "65,536 addresses", "65\u{a0}536 adresów"),
            (
                4_294_967_296,
                "4,294,967,296 addresses",
                "4\u{a0}294\u{a0}967\u{a0}296 adresów",
            ),
        ];
        for (n, english, polish) in table {
            assert_eq!(address_count(Language::English, n), english);
            assert_eq!(address_count(Language::Polish, n), polish);
        }
    }

    #[test]
    fn entry_details_show_range_and_count() {
        assert_eq!(
            entry_details(Language::English, &entry("141.193.184.0/27")).to_string(),
            "141.193.184.0 – 141.193.184.31 · 32 addresses"
        );
        assert_eq!(
            entry_details(Language::Polish, &entry("143.244.87.0/25")).to_string(),
            "143.244.87.0 – 143.244.87.127 · 128 adresów"
        );
        let single = entry_details(Language::English, &entry("143.244.82.12"));
        assert_eq!(single.to_string(), "1 address");
        assert_eq!(single.range, None);
        assert_eq!(
            entry_details(Language::Polish, &entry("143.244.82.12")).to_string(),
            "1 adres"
        );
    }

    /// Two groups as a host page might give them.
    fn host_groups() -> Allowlist {
        Allowlist::from_named(&[
            NamedGroup {
                name: "Office relays".into(),
                kind: AllowlistGroupKind::Smtp,
                ranges: vec![
                    "192.0.2.0/24".into(),
                    "198.51.100.7".into(),
                    "2001:db8::/48".into(),
                ],
            },
            NamedGroup {
                name: "Mailbox sync".into(),
                kind: AllowlistGroupKind::Imap,
                ranges: vec!["192.0.2.0/25".into()],
            },
        ])
        .unwrap()
    }

    #[test]
    fn headings_name_the_hosts_groups_as_given() {
        let provider = Allowlist::provider_default();
        assert_eq!(
            group_heading(Language::Polish, &provider.groups()[0]),
            "Adresy IP SMTP"
        );
        let host = host_groups();
        assert_eq!(
            group_heading(Language::Polish, &host.groups()[0]),
            "Office relays"
        );
    }

    #[test]
    fn copy_announcements() {
        let network = entry("141.193.184.0/27");
        assert_eq!(
            copied_entry(Language::English, &network),
            "Copied 141.193.184.0/27"
        );
        assert_eq!(
            copied_entry(Language::Polish, &network),
            "Skopiowano 141.193.184.0/27"
        );
        let provider = Allowlist::provider_default();
        let [smtp, imap] = provider.groups() else {
            panic!("the provider has two groups");
        };
        assert_eq!(
            copied_group(Language::English, smtp),
            "Copied 12 SMTP IP addresses"
        );
        assert_eq!(
            copied_group(Language::Polish, imap),
            "Skopiowano 12 adresów IP IMAP"
        );
        let host = host_groups();
        assert_eq!(
            copied_group(Language::English, &host.groups()[0]),
            "Copied 3 IP addresses from Office relays"
        );
        assert_eq!(
            copied_group(Language::Polish, &host.groups()[0]),
            "Skopiowano 3 adresy IP z grupy „Office relays”"
        );
        assert_eq!(
            copied_group(Language::English, &host.groups()[1]),
            "Copied 1 IP address from Mailbox sync"
        );
        assert_eq!(
            copied_group(Language::Polish, &host.groups()[1]),
            "Skopiowano 1 adres IP z grupy „Mailbox sync”"
        );
        assert_eq!(
            copied_combined(Language::English, 6),
            "Copied the combined list (6 entries)"
        );
        assert_eq!(
            copied_combined(Language::English, 1),
            "Copied the combined list (1 entry)"
        );
        assert_eq!(
            copied_combined(Language::Polish, 6),
            "Skopiowano połączoną listę (6 pozycji)"
        );
        assert_eq!(
            copied_combined(Language::Polish, 2),
            "Skopiowano połączoną listę (2 pozycje)"
        );
    }

    #[test]
    fn checker_sentences() {
        let allowlist = Allowlist::provider_default();
        let both = allowlist.contains("141.193.184.7").unwrap();
        assert_eq!(
            check_found(
                Language::English,
                "141.193.184.7",
                &both,
                allowlist.groups()
            ),
            "141.193.184.7 is in 141.193.184.0/27 (SMTP IP addresses, IMAP IP addresses)."
        );
        assert_eq!(
            check_found(Language::Polish, "141.193.184.7", &both, allowlist.groups()),
            "Adres 141.193.184.7 należy do 141.193.184.0/27 (adresy IP SMTP, adresy IP IMAP)."
        );
        let single = allowlist.contains("143.244.82.12").unwrap();
        let host = host_groups();
        let two_entries = host.contains("192.0.2.1").unwrap();
        assert_eq!(
            check_found(Language::English, "192.0.2.1", &two_entries, host.groups()),
            "192.0.2.1 is in 192.0.2.0/24 (Office relays) and 192.0.2.0/25 (Mailbox sync)."
        );
        // A host's names keep their capitals mid-sentence in Polish.
        assert_eq!(
            check_found(Language::Polish, "192.0.2.1", &two_entries, host.groups()),
            "Adres 192.0.2.1 należy do 192.0.2.0/24 (Office relays) oraz 192.0.2.0/25 (Mailbox sync)."
        );
        assert_eq!(
            check_found(
                Language::English,
                "143.244.82.12",
                &single,
                allowlist.groups()
            ),
            "143.244.82.12 is in 143.244.82.12 (SMTP IP addresses)."
        );
        assert_eq!(
            check_not_found(Language::English, "141.193.184.32"),
            "141.193.184.32 is not in the lists: our servers never connect from it."
        );
    }
}
