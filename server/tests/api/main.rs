//! The server's API tests: real servers on loopback ports, real HTTP, a fresh database per
//! test, SQLite and PostgreSQL alike (see helpers.rs).

mod helpers;

mod auth;
mod backup;
mod certificate_trust;
mod check_config;
mod concurrency;
mod configuration;
mod connection_checks;
mod durability;
mod email_domains;
mod fake_servers;
mod health;
mod healthcheck;
mod history;
mod import;
mod logs;
mod lookup;
mod mail_programs;
mod mail_servers_selftest;
mod metrics;
mod restore;
mod trusted_proxy;
mod web;
