//! The HTTP surface: one module per resource, each with its handlers, assembled here.
//!
//! Owns: the paths, the one route whose body may be larger than the others' (an import), and
//! which routes are writes (each counted in `/metrics` by `monitoring::count_write`).
//! Must not: hold handler logic or other layers (`startup.rs` adds those; the page's security
//! headers are `web.rs`'s own). Each resource (connection checks too) has a module of
//! its own, merged here. The answers to mail programs (`mail_programs.rs`) live
//! outside `/api`, at the paths the programs ask for; the router's fallback is theirs, for
//! Autodiscover's path in any letter case.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::middleware;
use axum::routing::{get, post};

use crate::monitoring::{WriteOperation, count_write};
use crate::request::IMPORT_BODY_LIMIT_BYTES;
use crate::routes::package_files::PackageFiles;
use crate::state::AppState;

pub mod allowlist;
pub mod connection_checks;
pub mod email_domains;
pub mod health;
pub mod history;
pub mod import;
pub mod lookup;
pub mod mail_programs;
pub mod openapi;
pub mod package_files;
pub mod removed;
pub mod restore;
pub mod session;
pub mod web;

/// Every route, with the shared state; the page at `/` loads the component from `package` (the
/// built npm package: `--web-root` or the copy embedded in the binary), or says that it is
/// missing.
pub fn router(state: AppState, package: Option<PackageFiles>) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/v1/email-domains", get(email_domains::list))
        .route(
            "/v1/email-domains/import",
            post(import::import.layer(middleware::from_fn_with_state(
                WriteOperation::Import,
                count_write,
            )))
            .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT_BYTES)),
        )
        .route(
            "/v1/email-domains/{domain}",
            get(email_domains::read)
                .put(email_domains::put.layer(middleware::from_fn_with_state(
                    WriteOperation::Put,
                    count_write,
                )))
                .delete(email_domains::remove.layer(middleware::from_fn_with_state(
                    WriteOperation::Delete,
                    count_write,
                ))),
        )
        .route("/v1/email-domains/{domain}/history", get(history::read))
        .route(
            "/v1/email-domains/{domain}/history/{revision}/restore",
            post(restore::restore.layer(middleware::from_fn_with_state(
                WriteOperation::Restore,
                count_write,
            ))),
        )
        .route("/v1/removed-email-domains", get(removed::list))
        .route("/v1/lookup", post(lookup::lookup))
        .route("/v1/allowlist", get(allowlist::read))
        .route("/v1/connection-checks", post(connection_checks::check))
        .route(
            "/v1/session",
            post(session::open).get(session::show).delete(session::end),
        );
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/livez", get(health::livez))
        .route("/readyz", get(health::readyz))
        .nest("/api", api)
        .route(
            "/.well-known/autoconfig/mail/config-v1.1.xml",
            get(mail_programs::thunderbird_autoconfig),
        )
        .route(
            "/mail/config-v1.1.xml",
            get(mail_programs::thunderbird_autoconfig),
        )
        .route(
            mail_programs::AUTODISCOVER_PATH,
            post(mail_programs::outlook_autodiscover),
        )
        .route(
            "/apple/mailsetup.mobileconfig",
            get(mail_programs::apple_profile),
        )
        .fallback(mail_programs::autodiscover_in_any_case)
        .with_state(state)
        .merge(web::router(package))
}
