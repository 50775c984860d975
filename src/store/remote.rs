//! A settings book kept by a server (`Storage::Rest`): how the component reaches it
//! ([`RestConfig`]), what it may ask of it ([`RemoteBook`]) and what can go wrong
//! ([`RemoteError`]). The client itself (`store::rest`) ships in a wasm chunk of its own in the
//! release build, fetched by [`open`] only when an instance is configured for a server: a page
//! on browser storage never downloads it.
//!
//! Owns: the vocabulary between the component's state and its REST client. Must not: send
//! anything (the client does) or hold rules (core's `wire` does).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use mailsetup_core::wire::{
    CheckReport, HistoryRecord, ImportRequest, ImportSummary, RemovedEntry, StepReport,
};
use mailsetup_core::{Applied, Change, Domain, Entry};

use crate::i18n::Language;
use crate::state::{ChangeError, Settings};
use crate::ui::on_demand::CodeMissing;

/// An answer still on its way.
pub type Pending<T> = Pin<Box<dyn Future<Output = T>>>;

/// Whether the browser sends cookies with each request (`fetch`'s `credentials`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SendCookies {
    Omit,
    /// Only to the page's own origin (the server serves the page: its session cookie).
    #[default]
    SameOrigin,
    /// Also to another origin (the server allows it with CORS credentials).
    Include,
}

/// What proves who the person is, renewed when they sign in again.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RestCredentials {
    /// Sent as `Authorization: Bearer …`: the person's own access token.
    pub token: Option<String>,
    /// Extra headers sent with every request (a portal's own).
    pub headers: Vec<(String, String)>,
    /// The header and token a cookie session's writes must carry.
    pub csrf: Option<(String, String)>,
}

impl fmt::Debug for RestCredentials {
    /// Never prints a secret: only which ones are there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RestCredentials")
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("headers", &header_names)
            .field("csrf", &self.csrf.as_ref().map(|(header, _)| header))
            .finish()
    }
}

/// Where the server is and how to talk to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RestConfig {
    /// The server's address (`https://crm.example.com`); paths such as
    /// `/api/v1/email-domains` are appended.
    pub base_url: String,
    pub credentials: RestCredentials,
    pub send_cookies: SendCookies,
    /// How long one request may take before it counts as failed.
    pub timeout_ms: u32,
}

impl RestConfig {
    /// The timeout when the host sets none.
    pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

    pub fn new(base_url: &str) -> RestConfig {
        RestConfig {
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials: RestCredentials::default(),
            send_cookies: SendCookies::default(),
            timeout_ms: RestConfig::DEFAULT_TIMEOUT_MS,
        }
    }

    /// The address of `path` (which starts with `/`) on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// Why the server did not do what was asked.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoteError {
    /// No answer (offline, server down, timed out), after the retries that were safe.
    Unreachable,
    /// 401: the session ended or the token is not accepted.
    SignedOut,
    /// 403: this person may not do this.
    Forbidden,
    /// 412: the entry changed since the person started; it stands as `current` now (`None`:
    /// removed).
    Conflict { current: Option<Box<Entry>> },
    /// 412 on an import: the book changed since the list the import was previewed against.
    Outdated,
    /// 409 or 422: the server refused the change itself; `detail` is its sentence.
    Refused { detail: Option<String> },
    /// An answer outside the API's contract (no `ETag`, unreadable body, unexpected status):
    /// whoever runs the server must look; never a licence to overwrite.
    Misconfigured(String),
}

/// Why the server's connection check gave no report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckNotRun {
    /// No answer (offline, server down, timed out).
    Unreachable,
    /// 401: the session ended or the token is not accepted.
    SignedOut,
    /// 403: this person may not run a check.
    Forbidden,
    /// 429: checks already running for this person, or too many refused passwords for a
    /// server; `detail` is the server's sentence (it says when to try again).
    Limited { detail: Option<String> },
    /// 404 or 422: the server refused the request itself; `detail` is its sentence.
    Refused { detail: Option<String> },
    /// The answer stopped, or turned unreadable, before the report.
    Interrupted,
    /// This book has no server that checks connections (a published document).
    NoServer,
}

/// A settings book on a server, as the component's state uses it. Every method answers a
/// future that holds what it needs (the implementation shares its state). The work behind these
/// methods (keeping `Settings` in step with the server, and the words for what went wrong) lives
/// with the client, in its chunk: a page on browser storage does not download it.
pub trait RemoteBook {
    /// Brings `settings` up to date with the server's book (the whole list, unless the book
    /// shown is still the one the server has), and records how the server answered.
    fn refresh(&self, settings: Settings) -> Pending<()>;

    /// Sends one change with the revision it expects; once the server acknowledged it, shows
    /// it in `settings` and answers what was applied.
    fn change(&self, settings: Settings, change: Change) -> Pending<Result<Applied, ChangeError>>;

    /// Sends an import previewed against the list at `sequence`; once the server applied it
    /// (all of it, or nothing), shows the server's book in `settings`.
    fn import(
        &self,
        settings: Settings,
        request: ImportRequest,
        sequence: u64,
    ) -> Pending<Result<ImportSummary, ChangeError>>;

    /// The changes made to `domain`'s entry, newest first.
    fn history(&self, domain: Domain) -> Pending<Result<Vec<HistoryRecord>, RemoteError>>;

    /// The domains whose last change removed them, newest removal first, each with its entry
    /// as it was before (what "Recently deleted" offers to restore).
    fn removed(&self) -> Pending<Result<Vec<RemovedEntry>, RemoteError>>;

    /// The sentence for a change the server did not save.
    fn describe(&self, error: &ChangeError, language: Language) -> String;

    /// Runs the server's connection check with the request `body` (core's
    /// `check_request_text`; it holds the password and is dropped once sent), telling
    /// `finished` of each step as the server reports it; answers the whole report.
    fn check_connection(
        &self,
        body: String,
        finished: Rc<dyn Fn(StepReport)>,
    ) -> Pending<Result<CheckReport, CheckNotRun>>;
}

/// Where a book that is not in the browser comes from.
pub enum Source {
    /// A settings server.
    Server(RestConfig),
    /// A published settings document, read-only.
    Published { url: String },
}

/// The settings server's client: every request the panel and the connect flow make, with
/// the work of keeping the state in step with the server.
#[cfg_attr(
    split_chunks,
    leptos::wasm_split::wasm_split(
        rest_client_code,
        wasm_split_path = ::leptos::wasm_split,
        fallible
    )
)]
fn server_client(config: RestConfig) -> Result<Rc<dyn RemoteBook>, CodeMissing> {
    Ok(Rc::new(super::rest::RestBook::new(config)))
}

/// The reader of a published document: one GET, every change refused. A chunk of its own, so
/// a self-service page that reads a static file never fetches the server's client.
#[cfg_attr(
    split_chunks,
    leptos::wasm_split::wasm_split(
        published_client_code,
        wasm_split_path = ::leptos::wasm_split,
        fallible
    )
)]
fn published_client(url: String) -> Result<Rc<dyn RemoteBook>, CodeMissing> {
    Ok(Rc::new(super::rest::PublishedBook::new(url)))
}

/// The client for `source`: fetched first in the release build (a wasm chunk of its own).
pub async fn open(source: Source) -> Result<Rc<dyn RemoteBook>, CodeMissing> {
    #[cfg(split_chunks)]
    {
        match source {
            Source::Server(config) => server_client(config).await,
            Source::Published { url } => published_client(url).await,
        }
    }
    #[cfg(not(split_chunks))]
    {
        match source {
            Source::Server(config) => server_client(config),
            Source::Published { url } => published_client(url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let mut config = RestConfig::new("https://crm.example.com/");
        config.credentials = RestCredentials {
            token: Some("s3cret-token-value".into()),
            headers: vec![("X-Portal".into(), "portal-secret".into())],
            csrf: Some(("X-CSRF-Token".into(), "csrf-secret".into())),
        };
        let printed = format!("{config:?}");
        for secret in ["s3cret", "portal-secret", "csrf-secret"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("X-Portal") && printed.contains("X-CSRF-Token"));
        assert_eq!(
            config.url("/api/v1/email-domains"),
            "https://crm.example.com/api/v1/email-domains"
        );
    }
}
