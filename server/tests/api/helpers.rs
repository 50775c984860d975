//! What every API test needs: [`spawn_app`] starts a real server (the library's `Application`)
//! on 127.0.0.1:0 with a fresh database of the chosen engine, and [`TestApp`] sends real HTTP
//! requests to it. No part of the web layer is mocked.
//!
//! PostgreSQL: one throwaway cluster per test binary (the library's
//! `throwaway_postgres::ThrowawayCluster`), started on first use and kept in a static, so its
//! detached watchdog stops it when this test process exits; every test gets a database of its
//! own. If PostgreSQL is missing the tests fail and say that `cargo xtask setup` installs it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use mailsetup_server::configuration::{Args, Configuration};
use mailsetup_server::startup::Application;
use mailsetup_server::throwaway_postgres::{ThrowawayCluster, free_loopback_port};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const ADMIN_TOKEN: &str = "admin-token-0123456789abcdef";
pub const READER_TOKEN: &str = "reader-token-0123456789abcdef";
pub const ADMIN_NAME: &str = "alice";
pub const READER_NAME: &str = "robin";

/// Runs an async test function against SQLite and PostgreSQL: `both_engines!(name);` makes
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Engine::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Engine::Postgres).await
                }
            }
        )+
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "mailsetup-{label}-{}-{}",
            std::process::id(),
            random_hex(6)
        ));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// Extra flags for one test's server.
#[derive(Debug, Default, Clone)]
pub struct AppOptions {
    pub args: Vec<String>,
    /// Use this database (a second instance on the same database) instead of a fresh one.
    pub database: Option<String>,
    /// `--web-root`: the folder the page at `/` loads the component's files from.
    pub web_root: Option<PathBuf>,
    /// Serve the package embedded in the server at build time when there is no `--web-root`
    /// (off by default, so a test sees the same server whether or not `pkg/` was built).
    pub embedded_package: bool,
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: SocketAddr,
    pub base: String,
    /// Where `/metrics` is served, when the test passed `--metrics-bind`.
    pub metrics_address: Option<SocketAddr>,
    pub client: reqwest::Client,
    /// What `--database` was: a SQLite path or a postgres:// URL.
    pub database: String,
    /// Kept for the test's life: the SQLite file and the tokens file live here.
    _dir: TempDir,
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, AppOptions::default()).await
}

pub async fn spawn_app_with(engine: Engine, options: AppOptions) -> TestApp {
    let (app, _serving) = spawn_app_until(engine, options, std::future::pending()).await;
    app
}

/// A server that stops when `stop` completes; the handle ends when it has stopped.
pub async fn spawn_app_until(
    engine: Engine,
    options: AppOptions,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> (
    TestApp,
    tokio::task::JoinHandle<Result<(), mailsetup_server::startup::StartupError>>,
) {
    let dir = TempDir::new("app");
    let tokens = write_tokens_file(dir.path());
    let database = match (&options.database, engine) {
        (Some(database), _) => database.clone(),
        (None, Engine::Sqlite) => dir.path().join("mailsetup.db").display().to_string(),
        (None, Engine::Postgres) => fresh_postgres_database().await,
    };
    let mut argv = vec![
        "mailsetup-server".to_owned(),
        "--bind".into(),
        "127.0.0.1:0".into(),
        "--database".into(),
        database.clone(),
        "--tokens".into(),
        tokens.display().to_string(),
    ];
    if let Some(web_root) = &options.web_root {
        argv.extend(["--web-root".to_owned(), web_root.display().to_string()]);
    }
    argv.extend(options.args.iter().cloned());
    let args = <Args as clap::Parser>::try_parse_from(argv).expect("test flags parse");
    let mut configuration = Configuration::from_args(args).expect("test configuration is valid");
    configuration.serve_embedded_package = options.embedded_package;
    let application = Application::build(configuration)
        .await
        .expect("the application starts");
    let address = application.address();
    let metrics_address = application.metrics_address();
    let serving = tokio::spawn(application.run_until(stop));
    let app = TestApp {
        address,
        base: format!("http://{address}"),
        metrics_address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client"),
        database,
        _dir: dir,
    };
    (app, serving)
}

pub fn write_tokens_file(dir: &Path) -> PathBuf {
    let path = dir.join("tokens");
    std::fs::write(
        &path,
        format!("# test tokens\nadmin {ADMIN_NAME} {ADMIN_TOKEN}\nread-only {READER_NAME} {READER_TOKEN}\n"),
    )
    .expect("write the tokens file");
    path
}

/// An IMAP entry body for `domain`.
pub fn imap_entry(domain: &str) -> Value {
    json!({
        "domain": domain,
        "type": "imap",
        "incoming": {"host": "imap.example.net", "port": 993, "security": "ssl_tls"},
        "outgoing": {"host": "smtp.example.net", "port": 465, "security": "ssl_tls"},
        "allow_insecure_certificates": false,
        "include_subdomains": false
    })
}

/// An Exchange entry body for `domain`.
pub fn exchange_entry(domain: &str) -> Value {
    json!({
        "domain": domain,
        "type": "exchange",
        "url": "https://mail.example.net/EWS/Exchange.asmx",
        "include_subdomains": false
    })
}

/// A path segment with the domain percent-encoded (non-ASCII bytes only).
pub fn encode_segment(domain: &str) -> String {
    domain
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_') {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn entry_url(&self, domain: &str) -> String {
        self.url(&format!("/api/v1/email-domains/{}", encode_segment(domain)))
    }

    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn get_entry(&self, domain: &str) -> Response {
        self.client
            .get(self.entry_url(domain))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("the server answers")
    }

    /// PUT an entry with `If-None-Match: *` (create) or `If-Match: tag`.
    pub async fn put_entry(
        &self,
        path_domain: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> Response {
        let request = self
            .client
            .put(self.entry_url(path_domain))
            .bearer_auth(ADMIN_TOKEN)
            .json(body);
        let request = match if_match {
            Some(tag) => request.header("If-Match", tag),
            None => request.header("If-None-Match", "*"),
        };
        request.send().await.expect("the server answers")
    }

    /// Creates an IMAP entry and returns its ETag.
    pub async fn create(&self, domain: &str) -> String {
        self.create_body(domain, &imap_entry(domain)).await
    }

    pub async fn create_body(&self, domain: &str, body: &Value) -> String {
        let response = self.put_entry(domain, body, None).await;
        assert_eq!(response.status(), StatusCode::CREATED, "create {domain}");
        etag(&response)
    }

    pub async fn delete_entry(
        &self,
        domain: &str,
        if_match: Option<&str>,
        token: &str,
    ) -> Response {
        let request = self
            .client
            .delete(self.entry_url(domain))
            .bearer_auth(token);
        let request = match if_match {
            Some(tag) => request.header("If-Match", tag),
            None => request,
        };
        request.send().await.expect("the server answers")
    }

    /// Sends raw bytes and returns the status and the whole response text, for paths no URL
    /// library would send as they are (`..`, invalid percent-encoding).
    pub async fn raw(&self, request_head: &str, body: &str) -> (u16, String) {
        let message = format!(
            "{request_head}\r\nHost: {}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        );
        self.raw_message(&message).await
    }

    /// Sends `message` exactly as given; returns the status and the whole response text.
    pub async fn raw_message(&self, message: &str) -> (u16, String) {
        let mut stream = tokio::net::TcpStream::connect(self.address)
            .await
            .expect("connect");
        // The server may answer (413) and close before it has read everything.
        let _ = stream.write_all(message.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        (status, text)
    }
}

pub fn etag(response: &Response) -> String {
    response
        .headers()
        .get("etag")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The problem body of an error response, checked to be `application/problem+json` with the
/// given status and type slug.
pub async fn problem(response: Response, status: u16, type_slug: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    assert_eq!(
        header(&response, "content-type"),
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("a JSON problem body");
    assert_eq!(
        body["type"],
        format!("https://mailsetup.dev/problems/{type_slug}"),
        "{body}"
    );
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

// ---- PostgreSQL ----

static CLUSTER: OnceLock<Result<ThrowawayCluster, String>> = OnceLock::new();

/// A new, empty database in this binary's cluster, as a postgres:// URL.
pub async fn fresh_postgres_database() -> String {
    let cluster = match CLUSTER.get_or_init(ThrowawayCluster::start) {
        Ok(cluster) => cluster,
        Err(message) => panic!("{message}"),
    };
    cluster
        .create_database(&format!("t_{}", random_hex(8)))
        .await
        .expect("create a test database")
}

pub fn free_port() -> u16 {
    free_loopback_port().expect("a free port")
}

/// Waits until `url` answers `/healthz` (a child process starting).
pub async fn wait_until_healthy(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await
            && response.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server at {base} did not become healthy");
}

/// The server binary on a port of its own with a fresh SQLite database, the lines it writes to
/// standard output (its logs) arriving on a channel as they are written, as a log collector
/// reading a pipe receives them. Killed when dropped.
pub struct PipedServer {
    child: std::process::Child,
    pub base: String,
    lines: std::sync::mpsc::Receiver<String>,
    _dir: TempDir,
}

impl PipedServer {
    /// Starts the binary with `args` after `--bind`, `--database` and `--tokens`, logging at
    /// `info` (`NO_COLOR` and `MAILSETUP_TRUSTED_PROXIES` left out of its environment).
    pub async fn start(label: &str, args: &[&str]) -> PipedServer {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};

        let dir = TempDir::new(label);
        let tokens = write_tokens_file(dir.path());
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailsetup-server"))
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(dir.path().join("mailsetup.db"))
            .arg("--tokens")
            .arg(tokens)
            .args(args)
            .env_remove("MAILSETUP_TRUSTED_PROXIES")
            .env_remove("NO_COLOR")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server binary");
        let stdout = child.stdout.take().expect("the server's output");
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        wait_until_healthy(&base).await;
        PipedServer {
            child,
            base,
            lines,
            _dir: dir,
        }
    }

    /// Every line up to and including the first for which `wanted` holds; fails after 30 s.
    pub fn lines_until(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no such log line; saw {seen:#?}"));
            let found = wanted(&line);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }
}

impl Drop for PipedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
