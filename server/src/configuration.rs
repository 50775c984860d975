//! The server's configuration: command-line flags with environment variables ([`Args`]), read
//! and checked once at start into a [`Configuration`], or refused with a sentence for each
//! mistake that says what to fix (all of them: `check-config` shows the same sentences).
//!
//! Owns: flag names and defaults, the database location, reading the tokens and allowlist
//! files, checking CORS origins and the web root (the built npm package the page at `/`
//! loads). Must not: open the database or bind a socket (`startup.rs` does), or print a token
//! or a database password.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::HeaderValue;
use clap::Parser;
use mailsetup_core::{Allowlist, AllowlistError, AllowlistGroupKind, NamedGroup};
use serde::Deserialize;

use ipnet::IpNet;

use crate::auth::TokenSet;
use crate::auth::tokens::{TokenFileError, TokenFileErrors};
use crate::check::tls::CaFileError;
use crate::check::{AddressPolicy, Bounds, TrustRoots};
use crate::telemetry::LogFormat;

/// mailsetup's reference REST server.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "mailsetup-server",
    version,
    about,
    after_help = "Other commands:\n  mailsetup-server check-config [OPTIONS]   Check these options, their files, the database and the addresses without starting (exit 78 on a mistake)\n  mailsetup-server check EMAIL [OPTIONS]    Check a domain's settings against its mail servers from a terminal\n  mailsetup-server backup FILE [OPTIONS]    Write a consistent copy of the SQLite database to FILE while the server runs\n  mailsetup-server healthcheck [--url URL]  Exit 0 when the server's /livez answers 200 (a container's HEALTHCHECK)"
)]
pub struct Args {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "MAILSETUP_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// SQLite file (created on first start) or a postgres:// URL shared by several instances.
    #[arg(long, env = "MAILSETUP_DATABASE", default_value = "./mailsetup.db")]
    pub database: String,

    /// Access tokens file: lines `ROLE NAME TOKEN` (role admin or read-only). SIGHUP reloads it.
    #[arg(long, env = "MAILSETUP_TOKENS")]
    pub tokens: PathBuf,

    /// A web origin allowed to call the API from a browser (repeat for more), e.g. https://crm.example.com.
    #[arg(
        long = "allowed-origin",
        env = "MAILSETUP_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// JSON file of IP groups: [{"name","purpose":"smtp"|"imap","ranges":[...]}]. Without it,
    /// the provider's published lists.
    #[arg(long, env = "MAILSETUP_ALLOWLIST")]
    pub allowlist: Option<PathBuf>,

    /// Log format.
    #[arg(
        long,
        env = "MAILSETUP_LOG_FORMAT",
        value_enum,
        default_value = "compact"
    )]
    pub log_format: LogFormat,

    /// Mark the session cookie Secure (set this when browsers reach the server over HTTPS).
    #[arg(long, env = "MAILSETUP_SECURE_COOKIE")]
    pub secure_cookie: bool,

    /// How long a browser session lasts, in hours.
    #[arg(long, env = "MAILSETUP_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u64,

    /// Sign-in attempts (POST /api/v1/session) allowed per client address per minute.
    #[arg(
        long,
        env = "MAILSETUP_SIGN_IN_ATTEMPTS_PER_MINUTE",
        default_value_t = 10
    )]
    pub sign_in_attempts_per_minute: u32,

    /// Requests for mail-program settings (Thunderbird autoconfig, Outlook Autodiscover, Apple
    /// profiles; no sign-in) allowed per client address per minute.
    #[arg(
        long,
        env = "MAILSETUP_AUTOCONFIG_REQUESTS_PER_MINUTE",
        default_value_t = 120
    )]
    pub autoconfig_requests_per_minute: u32,

    /// Seconds a request may take before the server answers 503.
    #[arg(long, env = "MAILSETUP_REQUEST_TIMEOUT_SECONDS", default_value_t = 30)]
    pub request_timeout_seconds: u64,

    /// The folder of the built npm package (pkg/: index.js, mailsetup-wasm.js, *.wasm,
    /// mailsetup.css), served under /mailsetup/ for the sign-in page at /, instead of the
    /// package embedded at build time. Without either, / says what is missing.
    #[arg(long, env = "MAILSETUP_WEB_ROOT")]
    pub web_root: Option<PathBuf>,

    /// The connection check's reach, trust and bounds.
    #[command(flatten)]
    pub check: CheckFlags,

    /// Connection checks the server runs at once, all callers together.
    #[arg(long, env = "MAILSETUP_CHECK_MAX_RUNNING", default_value_t = 8)]
    pub check_max_running: usize,

    /// Address and port of a second listener that serves only `GET /metrics` (Prometheus text
    /// format), e.g. 127.0.0.1:9090. Off without it.
    #[arg(long, env = "MAILSETUP_METRICS_BIND")]
    pub metrics_bind: Option<String>,

    /// A reverse proxy's network (repeat for more), e.g. 10.0.0.5/32: only a peer inside one
    /// has its X-Forwarded-For read for the client's address. Without it the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "MAILSETUP_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
}

/// The connection check's flags, shared by the server and `mailsetup-server check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckFlags {
    /// A network the connection check may reach although it is private, local or reserved
    /// (repeat for more), e.g. 10.20.0.0/16 for a company's own mail servers.
    #[arg(
        long = "check-allow-network",
        env = "MAILSETUP_CHECK_ALLOW_NETWORKS",
        value_delimiter = ','
    )]
    pub check_allow_networks: Vec<String>,

    /// A port the connection check may connect to beyond 25, 143, 443, 465, 587, 993 and 2525
    /// (repeat for more).
    #[arg(
        long = "check-allow-port",
        env = "MAILSETUP_CHECK_ALLOW_PORTS",
        value_delimiter = ','
    )]
    pub check_allow_ports: Vec<u16>,

    /// A PEM file of CA certificates the connection check trusts beyond the public ones (a
    /// company CA; repeat for more).
    #[arg(long = "check-ca-file", env = "MAILSETUP_CHECK_CA_FILE")]
    pub check_ca_files: Vec<PathBuf>,

    /// How long the connection check looks for its test message in the inbox, in seconds.
    #[arg(long, env = "MAILSETUP_CHECK_ARRIVAL_SECONDS", default_value_t = 30)]
    pub check_arrival_seconds: u64,
}

/// Where the book is stored.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    Sqlite(PathBuf),
    /// A postgres:// URL; it may hold a password, so it is never printed.
    Postgres(String),
}

impl std::fmt::Debug for DatabaseLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseLocation::Sqlite(path) => write!(f, "Sqlite({})", path.display()),
            DatabaseLocation::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

impl DatabaseLocation {
    /// `postgres://` or `postgresql://` is PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or any
    /// other text is a SQLite file path.
    pub fn parse(text: &str) -> Result<DatabaseLocation, ConfigurationError> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DatabaseLocation::Postgres(text.to_owned()));
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .unwrap_or(text);
        if path.is_empty() {
            return Err(ConfigurationError::EmptyDatabase);
        }
        Ok(DatabaseLocation::Sqlite(PathBuf::from(path)))
    }
}

/// Everything the server needs, checked.
#[derive(Debug, Clone)]
pub struct Configuration {
    pub bind: SocketAddr,
    pub database: DatabaseLocation,
    pub tokens_path: PathBuf,
    pub tokens: TokenSet,
    pub allowed_origins: Vec<HeaderValue>,
    pub allowlist: Allowlist,
    pub secure_cookie: bool,
    pub session_lifetime: Duration,
    pub sign_in_attempts_per_minute: u32,
    pub autoconfig_requests_per_minute: u32,
    pub request_timeout: Duration,
    /// The web root, resolved to its real path (symbolic links followed), so a file is
    /// served only if its own real path lies inside it.
    pub web_root: Option<PathBuf>,
    /// Whether the package embedded at build time (if any) is served when there is no web
    /// root: always from the flags; tests turn it off to see a server without a package.
    pub serve_embedded_package: bool,
    /// The connection check's policy, trust roots, bounds and server-wide cap.
    pub check: CheckConfiguration,
    /// Where `/metrics` is served, if anywhere (`--metrics-bind`).
    pub metrics_bind: Option<SocketAddr>,
    /// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<IpNet>,
}

/// What the connection check may reach and trust.
#[derive(Debug, Clone)]
pub struct CheckConfiguration {
    pub policy: AddressPolicy,
    pub roots: TrustRoots,
    pub bounds: Bounds,
    pub max_running: usize,
}

/// The file every built npm package holds; a web root without it is some other folder.
pub const WEB_ROOT_ENTRY_FILE: &str = "index.js";

/// Why the server will not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigurationError {
    #[error(
        "--bind {0:?} is not an address and port; give one such as 127.0.0.1:8080 or 0.0.0.0:8080."
    )]
    BadBind(String),
    #[error(
        "--database is empty; give a SQLite file path such as ./mailsetup.db or a postgres:// URL."
    )]
    EmptyDatabase,
    #[error("{0}")]
    Tokens(TokenFileError),
    #[error(
        "--allowed-origin {0:?} is not a web origin; give scheme, host and optional port only, such as https://crm.example.com or http://localhost:3000 (no path, no trailing slash)."
    )]
    BadOrigin(String),
    #[error(
        "The allowlist file {path} could not be read ({reason}). Give a JSON file like [{{\"name\": \"Outgoing mail\", \"purpose\": \"smtp\", \"ranges\": [\"203.0.113.0/24\"]}}], or leave --allowlist out for the provider's lists."
    )]
    AllowlistUnreadable { path: String, reason: String },
    #[error(
        "The allowlist file {path} is not a list of groups ({reason}). Each group is {{\"name\": ..., \"purpose\": \"smtp\" or \"imap\", \"ranges\": [...]}}."
    )]
    AllowlistShape { path: String, reason: String },
    #[error("The allowlist file {path}: {error}")]
    AllowlistInvalid { path: String, error: AllowlistError },
    #[error("--{flag} must be at least 1.")]
    Zero { flag: &'static str },
    #[error(
        "--web-root {path} is not a folder that can be read ({reason}). Give the folder of the built npm package (pkg/, made by `cargo xtask dist`), or leave --web-root out to serve the API alone."
    )]
    WebRootUnreadable { path: String, reason: String },
    #[error(
        "--web-root {path} has no index.js, so it is not the built npm package. Give the package's folder (pkg/, made by `cargo xtask dist`)."
    )]
    WebRootNotPackage { path: String },
    #[error(
        "--check-allow-network {0:?} is not a network; give one such as 10.20.0.0/16 or 192.0.2.10/32 (the address part without host bits)."
    )]
    BadCheckNetwork(String),
    #[error("--check-allow-port 0 is not a port; give a number from 1 to 65535.")]
    BadCheckPort,
    #[error("{0}")]
    CheckCaFile(#[from] CaFileError),
    #[error("--metrics-bind {0:?} is not an address and port; give one such as 127.0.0.1:9090.")]
    BadMetricsBind(String),
    #[error(
        "--trusted-proxy {0:?} is not a network; give a proxy's address such as 10.0.0.5 or its network such as 10.0.0.0/24 (the address part without host bits)."
    )]
    BadTrustedProxy(String),
}

/// One group as the allowlist file writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowlistFileGroup {
    name: String,
    purpose: AllowlistGroupKind,
    ranges: Vec<String>,
}

/// Every mistake a configuration has, in the order of the flags; never empty. Shown one
/// sentence a line.
#[derive(Debug)]
pub struct ConfigurationErrors(Vec<ConfigurationError>);

impl ConfigurationErrors {
    /// The mistakes, one sentence each.
    pub fn mistakes(&self) -> &[ConfigurationError] {
        &self.0
    }

    pub fn into_mistakes(self) -> Vec<ConfigurationError> {
        self.0
    }
}

impl std::fmt::Display for ConfigurationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, mistake) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{mistake}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigurationErrors {}

/// Gathers the mistakes of every check instead of stopping at the first, so that a start and
/// `check-config` report all of them from the same checks.
#[derive(Debug, Default)]
struct Mistakes(Vec<ConfigurationError>);

impl Mistakes {
    /// The value, or `None` with its mistake kept.
    fn keep<T>(&mut self, result: Result<T, impl Into<ConfigurationError>>) -> Option<T> {
        result.map_err(|mistake| self.0.push(mistake.into())).ok()
    }

    /// The values that are right; a mistake kept for each that is not.
    fn keep_each<T>(
        &mut self,
        results: impl IntoIterator<Item = Result<T, ConfigurationError>>,
    ) -> Vec<T> {
        results
            .into_iter()
            .filter_map(|result| self.keep(result))
            .collect()
    }

    /// The tokens file's set, or `None` with each of its bad lines kept.
    fn keep_all<T>(&mut self, result: Result<T, TokenFileErrors>) -> Option<T> {
        result
            .map_err(|errors| {
                self.0
                    .extend(errors.0.into_iter().map(ConfigurationError::Tokens))
            })
            .ok()
    }

    /// The value of a check that gathers mistakes of its own, or `None` with all of them kept.
    fn absorb<T>(&mut self, result: Result<T, ConfigurationErrors>) -> Option<T> {
        result.map_err(|errors| self.0.extend(errors.0)).ok()
    }

    /// `value` when nothing was wrong, else every mistake (a `None` value always has one).
    fn finish<T>(self, value: Option<T>) -> Result<T, ConfigurationErrors> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ConfigurationErrors(self.0)),
        }
    }
}

impl Configuration {
    /// Checks the flags and reads the files they name; every mistake, not just the first.
    pub fn from_args(args: Args) -> Result<Configuration, ConfigurationErrors> {
        let mut mistakes = Mistakes::default();
        let bind = mistakes.keep(parse_bind(&args.bind));
        let database = mistakes.keep(DatabaseLocation::parse(&args.database));
        let tokens = mistakes.keep_all(TokenSet::load(&args.tokens));
        if tokens.as_ref().is_some_and(|tokens| !tokens.has_admin()) {
            tracing::warn!(
                "the tokens file has no admin token: settings can be read but nobody can change them"
            );
        }
        let allowed_origins = mistakes.keep_each(
            args.allowed_origins
                .iter()
                .map(|origin| origin.trim())
                .filter(|origin| !origin.is_empty())
                .map(parse_origin),
        );
        let allowlist = match &args.allowlist {
            Some(path) => mistakes.keep(read_allowlist(path)),
            None => Some(Allowlist::provider_default()),
        };
        for (flag, value) in [
            ("session-hours", args.session_hours),
            ("request-timeout-seconds", args.request_timeout_seconds),
            (
                "sign-in-attempts-per-minute",
                u64::from(args.sign_in_attempts_per_minute),
            ),
            (
                "autoconfig-requests-per-minute",
                u64::from(args.autoconfig_requests_per_minute),
            ),
        ] {
            if value == 0 {
                mistakes.keep::<()>(Err(ConfigurationError::Zero { flag }));
            }
        }
        let web_root = mistakes.keep(
            args.web_root
                .as_deref()
                .filter(|path| !path.as_os_str().is_empty())
                .map(check_web_root)
                .transpose(),
        );
        let check = mistakes.absorb(check_configuration(&args));
        let metrics_bind = mistakes.keep(parse_metrics_bind(args.metrics_bind.as_deref()));
        let trusted_proxies = mistakes.keep_each(
            args.trusted_proxies
                .iter()
                .map(|text| text.trim())
                .filter(|text| !text.is_empty())
                .map(|text| {
                    parse_network(text)
                        .ok_or_else(|| ConfigurationError::BadTrustedProxy(text.to_owned()))
                }),
        );
        let configuration = (|| {
            Some(Configuration {
                bind: bind?,
                database: database?,
                tokens_path: args.tokens,
                tokens: tokens?,
                allowed_origins,
                allowlist: allowlist?,
                secure_cookie: args.secure_cookie,
                session_lifetime: Duration::from_secs(args.session_hours.saturating_mul(3600)),
                sign_in_attempts_per_minute: args.sign_in_attempts_per_minute,
                autoconfig_requests_per_minute: args.autoconfig_requests_per_minute,
                request_timeout: Duration::from_secs(args.request_timeout_seconds),
                web_root: web_root?,
                serve_embedded_package: true,
                check: check?,
                metrics_bind: metrics_bind?,
                trusted_proxies,
            })
        })();
        mistakes.finish(configuration)
    }
}

/// `--bind`'s address and port.
pub fn parse_bind(text: &str) -> Result<SocketAddr, ConfigurationError> {
    text.trim()
        .parse()
        .map_err(|_| ConfigurationError::BadBind(text.to_owned()))
}

/// `--metrics-bind`'s address and port, if the flag is given and not empty.
pub fn parse_metrics_bind(text: Option<&str>) -> Result<Option<SocketAddr>, ConfigurationError> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| {
            text.parse::<SocketAddr>()
                .map_err(|_| ConfigurationError::BadMetricsBind(text.to_owned()))
        })
        .transpose()
}

/// The connection check's flags, checked; the CA files read.
fn check_configuration(args: &Args) -> Result<CheckConfiguration, ConfigurationErrors> {
    check_configuration_of(&args.check, args.check_max_running)
}

/// The connection check's settings from its flags (the server's, or `mailsetup-server
/// check`'s), checked; every mistake.
pub fn check_configuration_of(
    flags: &CheckFlags,
    max_running: usize,
) -> Result<CheckConfiguration, ConfigurationErrors> {
    let mut mistakes = Mistakes::default();
    let ports = &flags.check_allow_ports;
    let arrival_seconds = flags.check_arrival_seconds;
    let allowed_networks = mistakes.keep_each(
        flags
            .check_allow_networks
            .iter()
            .map(|text| text.trim())
            .filter(|text| !text.is_empty())
            .map(|text| {
                parse_network(text)
                    .ok_or_else(|| ConfigurationError::BadCheckNetwork(text.to_owned()))
            }),
    );
    if ports.contains(&0) {
        mistakes.keep::<()>(Err(ConfigurationError::BadCheckPort));
    }
    for (flag, value) in [
        ("check-arrival-seconds", arrival_seconds),
        ("check-max-running", max_running as u64),
    ] {
        if value == 0 {
            mistakes.keep::<()>(Err(ConfigurationError::Zero { flag }));
        }
    }
    let roots = TrustRoots::load(&flags.check_ca_files).map_err(|files| {
        ConfigurationErrors(files.into_iter().map(ConfigurationError::from).collect())
    });
    let roots = mistakes.absorb(roots);
    let configuration = roots.map(|roots| CheckConfiguration {
        policy: AddressPolicy {
            allowed_networks,
            extra_ports: ports.iter().copied().collect(),
        },
        roots,
        bounds: Bounds {
            arrival: Duration::from_secs(arrival_seconds),
            ..Bounds::default()
        },
        max_running,
    });
    mistakes.finish(configuration)
}

/// A network as `ADDRESS/PREFIX` without host bits, or a bare address as a network of one.
fn parse_network(text: &str) -> Option<IpNet> {
    let network = text
        .parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .ok()?;
    (network.trunc() == network).then_some(network)
}

/// The web root's real path, if it is a readable folder holding the package's entry file.
fn check_web_root(path: &Path) -> Result<PathBuf, ConfigurationError> {
    let shown = path.display().to_string();
    let unreadable = |reason: String| ConfigurationError::WebRootUnreadable {
        path: shown.clone(),
        reason,
    };
    let real = path
        .canonicalize()
        .map_err(|error| unreadable(error.to_string()))?;
    std::fs::read_dir(&real).map_err(|error| unreadable(error.to_string()))?;
    if !real.join(WEB_ROOT_ENTRY_FILE).is_file() {
        return Err(ConfigurationError::WebRootNotPackage { path: shown });
    }
    Ok(real)
}

/// `https://host[:port]`, as a browser sends it in `Origin`.
fn parse_origin(text: &str) -> Result<HeaderValue, ConfigurationError> {
    let bad = || ConfigurationError::BadOrigin(text.to_owned());
    let (scheme, rest) = text.split_once("://").ok_or_else(bad)?;
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let (host, port) = match rest.strip_prefix('[') {
        // An IPv6 literal: [::1] or [::1]:8080.
        Some(bracketed) => {
            let (address, after) = bracketed.split_once(']').ok_or_else(bad)?;
            if address.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad());
            }
            match after {
                "" => (address, None),
                _ => (address, Some(after.strip_prefix(':').ok_or_else(bad)?)),
            }
        }
        None => match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        },
    };
    let host_is_plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | ':'));
    let port_is_number = port.is_none_or(|port| {
        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok()
    });
    if !host_is_plain || !port_is_number {
        return Err(bad());
    }
    HeaderValue::from_str(text).map_err(|_| bad())
}

fn read_allowlist(path: &Path) -> Result<Allowlist, ConfigurationError> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|error| ConfigurationError::AllowlistUnreadable {
            path: shown.clone(),
            reason: error.to_string(),
        })?;
    let groups: Vec<AllowlistFileGroup> =
        serde_json::from_str(&text).map_err(|error| ConfigurationError::AllowlistShape {
            path: shown.clone(),
            reason: error.to_string(),
        })?;
    let named: Vec<NamedGroup> = groups
        .into_iter()
        .map(|group| NamedGroup {
            name: group.name,
            kind: group.purpose,
            ranges: group.ranges,
        })
        .collect();
    Allowlist::from_named(&named)
        .map_err(|error| ConfigurationError::AllowlistInvalid { path: shown, error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for good in [
            "https://crm.example.com",
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
        ] {
            assert!(parse_origin(good).is_ok(), "{good}");
        }
        for bad in [
            "crm.example.com",
            "https://crm.example.com/",
            "https://crm.example.com/app",
            "ftp://crm.example.com",
            "https://",
            "https://crm.example.com:http",
            "https://CRM.example.com",
            "*",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_mistake_is_reported_not_just_the_first() {
        let args = Args::try_parse_from([
            "mailsetup-server",
            "--bind",
            "localhost",
            "--tokens",
            "/nonexistent/tokens",
            "--trusted-proxy",
            "10.0.0.1/8,10.0.0.0/8,proxy",
            "--check-allow-network",
            "192.0.2.0/33",
            "--session-hours",
            "0",
        ])
        .unwrap();
        let errors = Configuration::from_args(args).unwrap_err();
        let sentences: Vec<String> = errors.mistakes().iter().map(ToString::to_string).collect();
        assert_eq!(sentences.len(), 6, "{sentences:#?}");
        for (sentence, names) in sentences.iter().zip([
            "--bind \"localhost\"",
            "/nonexistent/tokens",
            "--session-hours",
            "192.0.2.0/33",
            "10.0.0.1/8",
            "\"proxy\"",
        ]) {
            assert!(sentence.contains(names), "{sentence} should name {names}");
        }
        assert_eq!(errors.to_string().lines().count(), 6);
    }

    #[test]
    fn database_locations() {
        assert_eq!(
            DatabaseLocation::parse("postgres://u:p@h/db").unwrap(),
            DatabaseLocation::Postgres("postgres://u:p@h/db".into())
        );
        assert_eq!(
            DatabaseLocation::parse("sqlite://data/m.db").unwrap(),
            DatabaseLocation::Sqlite("data/m.db".into())
        );
        assert_eq!(
            DatabaseLocation::parse("./m.db").unwrap(),
            DatabaseLocation::Sqlite("./m.db".into())
        );
        assert!(DatabaseLocation::parse(" ").is_err());
        let shown = format!(
            "{:?}",
            DatabaseLocation::parse("postgres://u:secret@h/db").unwrap()
        );
        assert!(!shown.contains("secret"));
    }
}
