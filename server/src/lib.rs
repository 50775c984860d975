//! mailsetup-server: the reference REST backend of mailsetup. It keeps one settings book in
//! SQLite (one instance) or PostgreSQL (several instances sharing one database) and serves it
//! under `/api`, with bearer tokens or browser sessions, revisions as ETags and an audit log.
//!
//! Owns: HTTP, authentication, storage and process concerns, named by the modules below.
//! Must not: decide what is valid or whether a change may happen. Every rule (parsing, a
//! domain's single entry, revisions) is mailsetup-core's; handlers parse with core, call the
//! store, and map the result.

pub mod auth;
pub mod backup;
pub mod check;
pub mod check_command;
pub mod check_config;
pub mod client_address;
pub mod clock;
pub mod configuration;
pub mod error;
pub mod healthcheck;
pub mod monitoring;
pub mod read_model;
pub mod request;
pub mod routes;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod throwaway_postgres;
