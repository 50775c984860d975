//! The reference REST server (`server/`, `mailsetup-server`) as xtask runs it: built, started
//! on a loopback port with a token file of its own (and, for its page at `/`, the built npm
//! package as its web root), waited for, and stopped. Used by `cargo xtask serve --backend` and
//! by the test stage that fuzzes its API from the OpenAPI document it serves (schemathesis).
//!
//! Owns starting and stopping the server and the demo token file. Must not: know the API's
//! rules (the server and its own tests do).

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::binaries;
use crate::newcomer::free_port;
use crate::project::Project;
use crate::run::{Failure, Outcome, run, run_and_capture};

/// How long the server may take to answer `/readyz` after it starts.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// One caller of the demo token file.
pub struct Caller {
    pub role: &'static str,
    pub name: &'static str,
    pub token: String,
}

/// A token file with an admin and a read-only caller, fresh random tokens each time.
pub fn write_demo_tokens(path: &Path) -> Outcome<Vec<Caller>> {
    let callers = vec![
        Caller {
            role: "admin",
            name: "demo-admin",
            token: random_token()?,
        },
        Caller {
            role: "read-only",
            name: "demo-reader",
            token: random_token()?,
        },
    ];
    let mut text = String::from(
        "# Written by cargo xtask for a demo or a test run: ROLE NAME TOKEN, one caller a line.\n",
    );
    for caller in &callers {
        text.push_str(&format!(
            "{} {} {}\n",
            caller.role, caller.name, caller.token
        ));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| Failure(format!("could not create {}: {e}", dir.display())))?;
    }
    fs::write(path, text)
        .map_err(|e| Failure(format!("could not write {}: {e}", path.display())))?;
    Ok(callers)
}

/// 32 random hexadecimal characters from the kernel's generator.
fn random_token() -> Outcome<String> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|e| Failure(format!("could not read /dev/urandom for a token: {e}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Builds the server (debug profile) and answers the binary's path.
pub fn build(project: &Project) -> Outcome<PathBuf> {
    binaries::build_debug(project, binaries::SETTINGS_SERVER)
}

/// Builds the server for speed (release profile), as the bench measures it.
pub fn build_release(project: &Project) -> Outcome<PathBuf> {
    run(project.command("cargo").args([
        "build",
        "--release",
        "--package",
        "mailsetup-server",
        "--bin",
        "mailsetup-server",
    ]))?;
    Ok(project
        .target_dir()
        .join("release")
        .join("mailsetup-server"))
}

/// Sends `POST path` with a JSON `body` and `headers` to the server at `port`; answers the status
/// and the body.
pub fn post_json(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Outcome<(u16, String)> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let failed = |e: std::io::Error| Failure(format!("POST {path}: {e}"));
    let mut stream =
        TcpStream::connect_timeout(&address, Duration::from_secs(5)).map_err(failed)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(failed)?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(failed)?;
    stream.write_all(body.as_bytes()).map_err(failed)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(failed)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| Failure(format!("POST {path}: no HTTP answer")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    Ok((status, body))
}

/// A server started by xtask; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct RunningServer {
    child: Child,
    pub port: u16,
}

impl RunningServer {
    /// Starts `binary` on a free loopback port with `database` and `tokens` (and `web_root`, the
    /// built npm package its page at `/` loads, when given), its output going to `log`, and
    /// waits until `/readyz` answers 200.
    pub fn start(
        binary: &Path,
        database: &str,
        tokens: &Path,
        web_root: Option<&Path>,
        log: &Path,
    ) -> Outcome<RunningServer> {
        let port = free_port()?;
        let output = fs::File::create(log)
            .map_err(|e| Failure(format!("could not create {}: {e}", log.display())))?;
        let errors = output
            .try_clone()
            .map_err(|e| Failure(format!("could not share {}: {e}", log.display())))?;
        let mut command = Command::new(binary);
        command
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(database)
            .arg("--tokens")
            .arg(tokens);
        if let Some(web_root) = web_root {
            command.arg("--web-root").arg(web_root);
        }
        // The fuzzer sends thousands of requests a minute: with the mail programs' limit at its
        // default most would get 429 and never reach the endpoints (server/tests checks the
        // limit itself).
        command
            .arg("--autoconfig-requests-per-minute")
            .arg("1000000");
        let child = command
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .map_err(|e| Failure(format!("could not start {}: {e}", binary.display())))?;
        let mut server = RunningServer { child, port };
        server.wait_until_ready(log)?;
        Ok(server)
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_until_ready(&mut self, log: &Path) -> Outcome {
        let started = Instant::now();
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        loop {
            if status_of(address, "/readyz") == Some(200) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(Failure(format!(
                    "the server exited before it was ready ({status}); its log:\n{}",
                    fs::read_to_string(log).unwrap_or_default()
                )));
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(Failure(format!(
                    "the server did not answer /readyz within {} s",
                    READY_TIMEOUT.as_secs()
                )));
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(100));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The status code of `GET path`, if the server answered.
fn status_of(address: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let head = String::from_utf8_lossy(&response);
    head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// How many test cases the fuzzer may generate per operation, and for how long it may run.
const FUZZ_EXAMPLES: &str = "40";
const FUZZ_SECONDS: &str = "60";

/// The test stage: schemathesis reads `/api/openapi.json` from a live server on a fresh SQLite
/// file and sends what the schema allows and what it does not, as an admin; fails on any 5xx
/// or a response that does not conform to the document.
pub fn fuzz(project: &Project) -> Outcome<String> {
    let binary = build(project)?;
    let dir = project.xtask_output_dir().join("api-fuzz");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)
        .map_err(|e| Failure(format!("could not create {}: {e}", dir.display())))?;
    let tokens = dir.join("tokens");
    let callers = write_demo_tokens(&tokens)?;
    let admin = &callers[0].token;
    let database = dir.join("mailsetup.db");
    let server = RunningServer::start(
        &binary,
        &database.to_string_lossy(),
        &tokens,
        None,
        &dir.join("server.log"),
    )?;
    let output = run_and_capture(
        project
            .command(&project.schemathesis().to_string_lossy())
            .arg("run")
            .arg(format!("{}/api/openapi.json", server.base_url()))
            .args(["--header", &format!("Authorization: Bearer {admin}")])
            .args(["--checks", "all"])
            // A request the schema allows may still be refused for a reason no OpenAPI
            // document can state: a write needs If-Match *or* If-None-Match: * (428 without
            // either), and an address or a domain must pass core's rules (422). Every other
            // check runs, not_a_server_error and response_schema_conformance among them.
            .args(["--exclude-checks", "positive_data_acceptance"])
            // The connection check connects to whatever servers a request names: fuzzed, it
            // would send packets to hosts the fuzzer invents, beyond this machine. The API
            // tests (server/tests/api/connection_checks.rs) hold it to the contract against
            // mail servers on loopback.
            .args(["--exclude-path", "/api/v1/connection-checks"])
            .args(["--max-examples", FUZZ_EXAMPLES, "--max-time", FUZZ_SECONDS])
            .args(["--workers", "2", "--seed", "1", "--no-color"])
            .args(["--generation-database", "none"])
            .arg("--report-dir")
            .arg(dir.join("report")),
    );
    drop(server);
    let output = output?;
    Ok(summary(&output))
}

/// The fuzzer's closing figures, on one line: the operations tested and the test cases.
fn summary(output: &str) -> String {
    let lines: Vec<&str> = output.lines().map(str::trim).collect();
    let after = |heading: &str| {
        lines
            .iter()
            .position(|line| *line == heading)
            .and_then(|at| lines.get(at + 1..))
            .map(|rest| rest.iter().take_while(|line| !line.is_empty()))
            .map(|rest| rest.copied().collect::<Vec<_>>().join(", "))
    };
    let operations = after("API Operations:").unwrap_or_default();
    let cases = after("Test cases:").unwrap_or_default();
    format!("schemathesis: {operations}; test cases {cases}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fuzzers_figures_are_read_from_its_summary() {
        let output = "\nAPI Operations:\n  Selected: 12/12\n  Tested: 12\n\nTest cases:\n  \
                      29830 generated, 29830 passed\n\nSeed: 1\n";
        assert_eq!(
            summary(output),
            "schemathesis: Selected: 12/12, Tested: 12; test cases 29830 generated, 29830 passed"
        );
    }
}
