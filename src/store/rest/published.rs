//! A settings document published at an address (the JSON export placed beside a static page):
//! read, never written. A self-service page's connect flow pre-fills from it.
//!
//! Owns: reading the document and saying why it could not be read. Must not: offer any change
//! (every change is refused as locked) or cache beyond what the browser's HTTP cache does.

use std::rc::Rc;

use leptos::prelude::*;
use mailsetup_core::wire::{
    CheckReport, HistoryRecord, ImportRequest, ImportSummary, RemovedEntry, StepReport,
};
use mailsetup_core::{Applied, Change, Domain};

use super::http::{Http, Outgoing};
use crate::i18n::Language;
use crate::state::{ChangeError, Settings, StorageHealth};
use crate::store::Loaded;
use crate::store::remote::{CheckNotRun, Pending, RemoteBook, RemoteError, RestConfig};

pub struct PublishedBook {
    http: Rc<Http>,
    url: String,
}

impl PublishedBook {
    pub fn new(url: String) -> PublishedBook {
        // The address is absolute (the options insist), so it is the whole request path.
        PublishedBook {
            http: Rc::new(Http::new(RestConfig::new(""))),
            url,
        }
    }
}

impl RemoteBook for PublishedBook {
    fn refresh(&self, settings: Settings) -> Pending<()> {
        let (http, url) = (Rc::clone(&self.http), self.url.clone());
        Box::pin(async move {
            let answer = http
                .send(&Outgoing {
                    method: "GET",
                    path: url.clone(),
                    headers: Vec::new(),
                    body: None,
                })
                .await;
            let (document, health) = (settings.document_signal(), settings.health_signal());
            let unavailable = |why: String| StorageHealth::PublishedUnavailable(why);
            let shown = match answer {
                Err(_) => unavailable(format!("{url}: no answer")),
                Ok(answer) if answer.status != 200 => {
                    unavailable(format!("{url}: HTTP {}", answer.status))
                }
                Ok(answer) => match Loaded::from_text(answer.body) {
                    Loaded::Document(found) => {
                        document.try_set(found);
                        StorageHealth::Published
                    }
                    Loaded::Newer {
                        found,
                        document: newer,
                    } => {
                        document.try_set(newer);
                        StorageHealth::Newer { found }
                    }
                    Loaded::Nothing => StorageHealth::Published,
                    Loaded::Unreadable { error, .. } => unavailable(format!("{url}: {error}")),
                },
            };
            health.try_set(shown);
        })
    }

    fn change(&self, _: Settings, _: Change) -> Pending<Result<Applied, ChangeError>> {
        Box::pin(async { Err(ChangeError::Locked) })
    }

    fn import(
        &self,
        _: Settings,
        _: ImportRequest,
        _: u64,
    ) -> Pending<Result<ImportSummary, ChangeError>> {
        Box::pin(async { Err(ChangeError::Locked) })
    }

    fn history(&self, _: Domain) -> Pending<Result<Vec<HistoryRecord>, RemoteError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn removed(&self) -> Pending<Result<Vec<RemovedEntry>, RemoteError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn describe(&self, _: &ChangeError, _: Language) -> String {
        String::new()
    }

    fn check_connection(
        &self,
        _: String,
        _: Rc<dyn Fn(StepReport)>,
    ) -> Pending<Result<CheckReport, CheckNotRun>> {
        Box::pin(async { Err(CheckNotRun::NoServer) })
    }
}
