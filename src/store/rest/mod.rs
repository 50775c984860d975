//! The REST client of the settings server (`server/`, its contract `server/openapi.json`): the
//! list with the book's sequence as its entity tag, one conditional write per change, an
//! entry's history. Answers are read with core's `wire`, the same code the server writes them
//! with.
//!
//! Owns: turning a change into a request and an answer into a result or a [`RemoteError`],
//! including the 412 that is the person's own earlier attempt arriving (it counts as saved).
//! Must not: touch signals or views (`follow` keeps the state in step), or retry (`http` does,
//! by core's rule).

mod check;
mod follow;
mod http;
mod published;

pub use published::PublishedBook;

use std::rc::Rc;

use mailsetup_core::wire::{
    AnswerError, CheckReport, ENTRIES_PATH, HistoryRecord, IMPORT_PATH, ImportRequest,
    ImportSummary, REMOVED_PATH, RemovedEntry, StepReport, applied_from_answer,
    current_from_refusal, entity_tag, entry_path, entry_to_wire, history_from_answer,
    is_own_attempt, problem_detail, removed_from_answer, revision_of_tag, write_request,
};
use mailsetup_core::{Applied, Change, Domain};

use super::Loaded;
use super::remote::{CheckNotRun, Pending, RemoteBook, RemoteError, RestConfig};
use crate::i18n::{Language, server};
use crate::state::{ChangeError, Settings};
use http::{Answer, Http, NoAnswer, Outgoing};

/// The server's book, as this browser reaches it.
pub struct RestBook {
    http: Rc<Http>,
}

impl RestBook {
    pub fn new(config: RestConfig) -> RestBook {
        RestBook {
            http: Rc::new(Http::new(config)),
        }
    }
}

impl RemoteBook for RestBook {
    fn refresh(&self, settings: Settings) -> Pending<()> {
        let http = Rc::clone(&self.http);
        Box::pin(follow::refresh(http, settings))
    }

    fn change(&self, settings: Settings, change: Change) -> Pending<Result<Applied, ChangeError>> {
        let http = Rc::clone(&self.http);
        Box::pin(follow::change(http, settings, change))
    }

    fn import(
        &self,
        settings: Settings,
        request: ImportRequest,
        sequence: u64,
    ) -> Pending<Result<ImportSummary, ChangeError>> {
        let http = Rc::clone(&self.http);
        Box::pin(follow::import(http, settings, request, sequence))
    }

    fn history(&self, domain: Domain) -> Pending<Result<Vec<HistoryRecord>, RemoteError>> {
        let http = Rc::clone(&self.http);
        Box::pin(history(http, domain))
    }

    fn removed(&self) -> Pending<Result<Vec<RemovedEntry>, RemoteError>> {
        let http = Rc::clone(&self.http);
        Box::pin(removed(http))
    }

    fn describe(&self, error: &ChangeError, language: Language) -> String {
        let texts = server::texts(language);
        let remote = match error {
            ChangeError::Remote(remote) => remote,
            ChangeError::Conflict { .. } => return texts.save_conflict.to_owned(),
            _ => return String::new(),
        };
        match remote {
            RemoteError::Unreachable => texts.save_unreachable.to_owned(),
            RemoteError::SignedOut => texts.save_signed_out.to_owned(),
            RemoteError::Forbidden => texts.save_forbidden.to_owned(),
            RemoteError::Conflict { .. } => texts.save_conflict.to_owned(),
            RemoteError::Outdated => texts.import_outdated.to_owned(),
            RemoteError::Refused { detail } => (texts.save_refused)(detail.as_deref()),
            RemoteError::Misconfigured(detail) => (texts.save_misconfigured)(detail),
        }
    }

    fn check_connection(
        &self,
        body: String,
        finished: Rc<dyn Fn(StepReport)>,
    ) -> Pending<Result<CheckReport, CheckNotRun>> {
        let http = Rc::clone(&self.http);
        Box::pin(check::check(http, body, finished))
    }
}

/// The whole book, or `None` when it is still the one whose sequence is `known`.
async fn load(http: Rc<Http>, known: Option<u64>) -> Result<Option<Loaded>, RemoteError> {
    {
        let headers = known
            .map(|sequence| vec![("If-None-Match", entity_tag(sequence))])
            .unwrap_or_default();
        let answer = http
            .send(&Outgoing {
                method: "GET",
                path: ENTRIES_PATH.to_owned(),
                headers,
                body: None,
            })
            .await
            .map_err(unreachable)?;
        match answer.status {
            304 => Ok(None),
            200 => {
                // The list's tag is the book's sequence, which the document also carries.
                if answer.etag.as_deref().and_then(revision_of_tag).is_none() {
                    return Err(misconfigured(AnswerError::MissingTag));
                }
                Ok(Some(Loaded::from_text(answer.body)))
            }
            _ => Err(failure(&answer)),
        }
    }
}

/// Sends one change with the revision it expects; answers what the server applied.
async fn send(http: Rc<Http>, change: Change) -> Result<Applied, RemoteError> {
    {
        let request = write_request(&change);
        let (header, value) = request.precondition.header();
        let answer = http
            .send(&Outgoing {
                method: request.method.as_str(),
                path: request.path(),
                headers: vec![(header, value)],
                body: request.body.clone(),
            })
            .await
            .map_err(unreachable)?;
        match answer.status {
            200 | 201 | 204 => applied_from_answer(&change, answer.etag.as_deref(), &answer.body)
                .map_err(misconfigured),
            412 => own_attempt_or_conflict(&change, &answer),
            // A removal sent again after its answer was lost finds nothing left to remove.
            404 if matches!(change, Change::Remove { .. }) => {
                applied_from_answer(&change, None, "").map_err(misconfigured)
            }
            _ => Err(failure(&answer)),
        }
    }
}

/// Sends an import with the list's sequence it was previewed against; answers what the server
/// did.
async fn send_import(
    http: Rc<Http>,
    request: &ImportRequest,
    sequence: u64,
) -> Result<ImportSummary, RemoteError> {
    let answer = http
        .send(&Outgoing {
            method: "POST",
            path: IMPORT_PATH.to_owned(),
            headers: vec![("If-Match", entity_tag(sequence))],
            body: Some(request.to_json()),
        })
        .await
        .map_err(unreachable)?;
    match answer.status {
        200 => ImportSummary::from_answer(&answer.body).map_err(misconfigured),
        412 => Err(RemoteError::Outdated),
        _ => Err(failure(&answer)),
    }
}

/// The changes made to `domain`'s entry, newest first.
async fn history(http: Rc<Http>, domain: Domain) -> Result<Vec<HistoryRecord>, RemoteError> {
    {
        let answer = http
            .send(&Outgoing {
                method: "GET",
                path: format!("{}/history", entry_path(&domain)),
                headers: Vec::new(),
                body: None,
            })
            .await
            .map_err(unreachable)?;
        match answer.status {
            200 => history_from_answer(&answer.body).map_err(misconfigured),
            // Never saved through the server (or saved before it kept history).
            404 => Ok(Vec::new()),
            _ => Err(failure(&answer)),
        }
    }
}

/// The domains whose last change removed them, newest removal first.
async fn removed(http: Rc<Http>) -> Result<Vec<RemovedEntry>, RemoteError> {
    let answer = http
        .send(&Outgoing {
            method: "GET",
            path: REMOVED_PATH.to_owned(),
            headers: Vec::new(),
            body: None,
        })
        .await
        .map_err(unreachable)?;
    match answer.status {
        200 => removed_from_answer(&answer.body).map_err(misconfigured),
        _ => Err(failure(&answer)),
    }
}

/// A 412: the entry moved on. If it now holds exactly what this change sent, an earlier attempt
/// of this very change arrived and its answer was lost: saved.
fn own_attempt_or_conflict(change: &Change, answer: &Answer) -> Result<Applied, RemoteError> {
    let current = current_from_refusal(&answer.body).map_err(misconfigured)?;
    let sent = match change {
        Change::Add { draft }
        | Change::Update { draft, .. }
        | Change::Rename { draft, .. }
        | Change::Restore { draft, .. } => Some(draft),
        Change::Remove { .. } => None,
    };
    match (sent, &current) {
        (Some(sent), Some(entry)) if is_own_attempt(sent, entry) => applied_from_answer(
            change,
            Some(&entity_tag(entry.revision())),
            &entry_to_wire(entry),
        )
        .map_err(misconfigured),
        (None, None) => applied_from_answer(change, None, "").map_err(misconfigured),
        _ => Err(RemoteError::Conflict {
            current: current.map(Box::new),
        }),
    }
}

/// The error an answer other than the expected ones stands for.
fn failure(answer: &Answer) -> RemoteError {
    match answer.status {
        401 => RemoteError::SignedOut,
        403 => RemoteError::Forbidden,
        409 | 422 => RemoteError::Refused {
            detail: problem_detail(&answer.body),
        },
        // Still busy or down after the retries.
        429 | 502..=504 => RemoteError::Unreachable,
        status => RemoteError::Misconfigured(
            problem_detail(&answer.body)
                .map(|detail| format!("HTTP {status}: {detail}"))
                .unwrap_or_else(|| format!("HTTP {status}")),
        ),
    }
}

fn unreachable(_: NoAnswer) -> RemoteError {
    RemoteError::Unreachable
}

fn misconfigured(error: AnswerError) -> RemoteError {
    RemoteError::Misconfigured(error.to_string())
}
