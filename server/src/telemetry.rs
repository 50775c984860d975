//! Structured logs: one subscriber for the process, compact text or JSON lines, filtered by
//! `RUST_LOG` (default `info`).
//!
//! Must not: log request headers or bodies (they carry tokens, cookies and CSRF tokens); the
//! HTTP trace layer in `startup.rs` logs method, path, client address, status and latency only.

use std::io::IsTerminal;

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable single lines.
    Compact,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Installs the global subscriber (once per process; a second call does nothing). Lines are
/// coloured only for a person at a terminal: written to a pipe (the journal, a container
/// runtime, a file) or with `NO_COLOR` set, they carry no escape codes.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours_wanted());
    let _already_installed = match format {
        LogFormat::Compact => builder.compact().try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Whether log lines (written to standard output) may be coloured.
fn colours_wanted() -> bool {
    std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}
