//! Strings of the "Exchange & IMAP settings" section: heading, toolbar, table, pagination,
//! delete confirmation, role notice.

use super::{Language, polish};

pub struct PanelTexts {
    pub settings_heading: &'static str,
    pub settings_empty: &'static str,
    pub add_imap: &'static str,
    pub add_exchange: &'static str,
    pub export: &'static str,
    /// Opens the list of deleted domains that can be restored.
    pub recently_deleted: &'static str,
    pub import: &'static str,
    pub export_json: &'static str,
    pub export_csv: &'static str,
    pub export_hint: &'static str,
    pub column_domain: &'static str,
    pub column_type: &'static str,
    pub column_servers: &'static str,
    pub column_updated: &'static str,
    pub column_actions: &'static str,
    pub kind_imap: &'static str,
    pub kind_exchange: &'static str,
    pub insecure_badge: &'static str,
    pub subdomains_badge: &'static str,
    pub edit_label: fn(&str) -> String,
    pub delete_label: fn(&str) -> String,
    pub filter_label: &'static str,
    pub filter_placeholder: &'static str,
    pub filter_no_match: fn(&str) -> String,
    pub showing: fn(usize, usize, usize) -> String,
    pub pager_label: &'static str,
    pub previous_page: &'static str,
    pub next_page: &'static str,
    pub page_of: fn(usize, usize) -> String,
    pub read_only_notice: &'static str,
    pub confirm_delete_title: fn(&str) -> String,
    pub confirm_delete_body: fn(&str) -> String,
    pub confirm_delete: &'static str,
    /// The confirm button while the deletion is on its way to the server.
    pub deleting: &'static str,
    pub cancel: &'static str,
    pub saved: fn(&str) -> String,
    pub deleted: fn(&str) -> String,
    pub delete_failed: fn(&str) -> String,
    /// The drawer or the delete question could not be loaded (its code comes on demand).
    pub part_missing: &'static str,
    /// Storage has a problem, but the banners that explain it could not be loaded.
    pub banner_missing: &'static str,
}

pub fn texts(language: Language) -> &'static PanelTexts {
    polish::pick(language, &EN, |tables| tables.panel)
}

pub(super) static EN: PanelTexts = PanelTexts {
    settings_heading: "Exchange & IMAP settings",
    settings_empty: "No domains are set up yet. Add IMAP or Exchange settings for an e-mail domain, \
        and the server details are filled in for everyone who connects an inbox from that domain.",
    add_imap: "Add IMAP settings",
    add_exchange: "Add Exchange settings",
    export: "Export",
    recently_deleted: "Recently deleted",
    import: "Import",
    export_json: "Settings file (JSON)",
    export_csv: "Spreadsheet (CSV)",
    export_hint: "Every domain in this list, never a password.",
    column_domain: "Domain",
    column_type: "Type",
    column_servers: "Servers",
    column_updated: "Last updated",
    column_actions: "Actions",
    kind_imap: "IMAP",
    kind_exchange: "Exchange",
    insecure_badge: "Insecure certificates allowed",
    subdomains_badge: "Also for subdomains",
    edit_label: |domain| format!("Edit settings for {domain}"),
    delete_label: |domain| format!("Delete settings for {domain}"),
    filter_label: "Filter domains",
    filter_placeholder: "Type part of a domain or server",
    filter_no_match: |query| format!("No domain or server matches “{query}”."),
    showing: |first, last, total| format!("Showing {first}–{last} of {total} domains"),
    pager_label: "Pages of domains",
    previous_page: "Previous page",
    next_page: "Next page",
    page_of: |page, pages| format!("Page {page} of {pages}"),
    read_only_notice: "Only super admins and users with Account Access can change these settings. \
        Ask one of them if something here needs to change.",
    confirm_delete_title: |domain| format!("Delete settings for {domain}?"),
    confirm_delete_body: |domain| {
        format!(
            "People who connect an inbox from {domain} will no longer get these settings \
             filled in. Inboxes already connected keep working. You can bring the settings \
             back from “Recently deleted”."
        )
    },
    confirm_delete: "Delete",
    deleting: "Deleting…",
    cancel: "Cancel",
    saved: |domain| format!("Settings for {domain} saved."),
    deleted: |domain| format!("Settings for {domain} deleted."),
    delete_failed: |reason| format!("The settings were not deleted. {reason}"),
    part_missing: "This part of the page could not be loaded. Check your connection and try again.",
    banner_missing: "There is a problem with the saved settings, but its details could not be loaded. \
        Check your connection and reload the page.",
};

pub(super) static PL: PanelTexts = PanelTexts {
    settings_heading: "Ustawienia Exchange i IMAP",
    settings_empty: "Nie skonfigurowano jeszcze żadnej domeny. Dodaj ustawienia IMAP lub Exchange \
        dla domeny e-mail, a dane serwera zostaną wstępnie wypełnione każdemu, kto połączy \
        skrzynkę z tej domeny.",
    add_imap: "Dodaj ustawienia IMAP",
    add_exchange: "Dodaj ustawienia Exchange",
    export: "Eksportuj",
    recently_deleted: "Ostatnio usunięte",
    import: "Importuj",
    export_json: "Plik ustawień (JSON)",
    export_csv: "Arkusz (CSV)",
    export_hint: "Wszystkie domeny z tej listy, nigdy hasła.",
    column_domain: "Domena",
    column_type: "Typ",
    column_servers: "Serwery",
    column_updated: "Ostatnia aktualizacja",
    column_actions: "Działania",
    kind_imap: "IMAP",
    kind_exchange: "Exchange",
    insecure_badge: "Certyfikaty niezabezpieczone dozwolone",
    subdomains_badge: "Także dla subdomen",
    edit_label: |domain| format!("Edytuj ustawienia dla {domain}"),
    delete_label: |domain| format!("Usuń ustawienia dla {domain}"),
    filter_label: "Filtruj domeny",
    filter_placeholder: "Wpisz część domeny lub serwera",
    filter_no_match: |query| format!("Żadna domena ani serwer nie pasuje do „{query}”."),
    showing: |first, last, total| format!("Domeny {first}–{last} z {total}"),
    pager_label: "Strony listy domen",
    previous_page: "Poprzednia strona",
    next_page: "Następna strona",
    page_of: |page, pages| format!("Strona {page} z {pages}"),
    read_only_notice: "Te ustawienia mogą zmieniać tylko super administratorzy i użytkownicy \
        z uprawnieniami dostępu do konta. Poproś jednego z nich, jeśli coś trzeba zmienić.",
    confirm_delete_title: |domain| format!("Usunąć ustawienia dla {domain}?"),
    confirm_delete_body: |domain| {
        format!(
            "Osobom łączącym skrzynkę z domeny {domain} te ustawienia nie będą już wstępnie \
             wypełniane. Już połączone skrzynki będą działać dalej. Ustawienia można \
             przywrócić z listy „Ostatnio usunięte”."
        )
    },
    confirm_delete: "Usuń",
    deleting: "Usuwanie…",
    cancel: "Anuluj",
    saved: |domain| format!("Zapisano ustawienia dla {domain}."),
    deleted: |domain| format!("Usunięto ustawienia dla {domain}."),
    delete_failed: |reason| format!("Ustawień nie usunięto. {reason}"),
    part_missing: "Nie udało się wczytać tej części strony. Sprawdź połączenie i spróbuj ponownie.",
    banner_missing: "Z zapisanymi ustawieniami jest problem, ale nie udało się wczytać jego szczegółów. \
        Sprawdź połączenie i odśwież stronę.",
};
