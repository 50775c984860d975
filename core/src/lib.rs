//! mailsetup-core: the model behind mailsetup, an admin panel where a company sets, per e-mail
//! domain, how its people connect inboxes to the CRM (IMAP + SMTP, or an Exchange EWS address,
//! never both), and sees the provider's egress IP addresses to allowlist.
//!
//! Owns every rule about what is valid: the browser UI and the server both call these parse
//! functions, so they can never disagree. Raw strings stop at the parse functions; once a
//! [`Domain`], [`Host`], [`Port`] or [`ExchangeUrl`] exists it is valid.
//! Must not: touch the DOM, the network, storage or a clock (callers pass `now`), so it builds
//! and tests the same natively and in wasm.
//!
//! Every error and warning implements [`Problem`]: a stable code (the i18n key) plus an English
//! message that says what to type instead.

mod allowlist;
mod book;
mod certificate_trust;
mod change;
mod credentials;
mod document;
mod domain;
mod email;
mod entry_diff;
mod exchange_url;
pub mod formats;
mod host;
pub mod import;
mod name;
mod port;
mod problem;
mod removed;
mod security;
mod settings;
mod uts46;
pub mod wire;

#[cfg(test)]
mod codes_tests;

pub use allowlist::{
    Allowlist, AllowlistEntry, AllowlistError, AllowlistGroup, AllowlistGroupKind, AllowlistMatch,
    CidrError, IpAddressError, NamedGroup,
};
pub use book::{BookError, Entry, EntryDraft, Match, MatchKind, SettingsBook, Timestamp};
pub use certificate_trust::{
    CertificateTrust, CertificateTrustError, SPKI_PIN_HEX_DIGITS, SpkiPin, SpkiPins, TrustMode,
};
pub use change::{Applied, Change, ChangeAction};
pub use credentials::{CredentialError, Username, check_password};
pub use document::{
    DOCUMENT_VERSION, Document, DocumentError, FIRST_PAGE_MIN_ENTRIES, FieldProblem, FirstPage,
    RejectedEntry, StoredEntryError,
};
pub use domain::{Domain, DomainError};
pub use email::{EmailAddress, EmailError};
pub use entry_diff::{EntryField, FieldChange, FieldValue, entry_changes};
pub use exchange_url::{EWS_PATH, ExchangeUrl, ExchangeUrlError, ExchangeUrlWarning};
pub use host::{Host, HostError, HostName, HostWarning};
pub use name::NameError;
pub use port::{Port, PortError};
pub use problem::Problem;
pub use removed::RemovedEntries;
pub use security::{Endpoint, EndpointWarning, Protocol, Security, SecurityError};
pub use settings::{
    Connection, ConnectionKind, ConnectionWarning, ExchangeSettings, ImapSettings, UsernameForm,
};
pub use uts46::{Uts46Backend, has_uts46, set_uts46_backend};
