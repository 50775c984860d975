//! The server's API tests: real servers on loopback ports, real HTTP, a fresh database per
//! test, SQLite and PostgreSQL alike (see helpers.rs).

mod helpers;

mod auth;
mod concurrency;
mod configuration;
mod durability;
mod email_domains;
mod health;
mod history;
mod import;
mod lookup;
mod mail_programs;
mod web;
