//! `mail-servers`: the harness's Dovecot and Exim as a program, for tests that are not in Rust
//! (the Playwright specs, through tests/e2e/support/mail_servers.ts).
//!
//! Starts both servers ([`MailServers::try_start`]: free 127.0.0.1 ports, certificates from a
//! fresh test CA), prints where they are as one JSON line on stdout, and keeps them running
//! until its stdin reaches end of file (the parent closed it, or died) or it gets SIGTERM or
//! SIGINT; then stops both and removes their folder. A failure to start goes to stderr, with a
//! non-zero exit.
//!
//! Owns the command line, the JSON line and the wait for the stop request. Must not: print
//! anything else on stdout (its reader takes the first line as the answer), or bind, or point
//! the servers at, anything but 127.0.0.1 (the library's rule).

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use mailsetup_mail_servers::{MAIL_HOST, MAIL_PASSWORD, MAIL_USER, MailServers};
use serde_json::json;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::oneshot;

const USAGE: &str = "\
usage: mail-servers

Starts a Dovecot (IMAP) and an Exim (SMTP) on free 127.0.0.1 ports with certificates from a
fresh test CA, prints one JSON line (host, ports, CA file, user, password, maildir) and runs
until stdin is closed or it gets SIGTERM or SIGINT. Needs root, /usr/sbin/dovecot and
/usr/sbin/exim4 (`cargo xtask setup` installs them).
";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("--help" | "-h") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprint!("mail-servers: unknown argument `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    // The harness panics when it cannot set up (a folder it cannot write, a missing system
    // user): one line on stderr says why, instead of a backtrace. Drop still stops whatever
    // had started, and the exit status is non-zero.
    std::panic::set_hook(Box::new(|panic| eprintln!("mail-servers: {panic}")));
    match serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mail-servers: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the servers, announces them, and waits for the stop request; the servers stop (and
/// their folder goes) when `servers` is dropped, on every path out of here.
async fn serve() -> Result<(), String> {
    // Listening before the servers start: a stop request during the start is not lost, and
    // does not kill this process while it has servers to stop.
    let mut stop = StopRequest::listen()?;
    let servers = tokio::select! {
        started = MailServers::try_start() => started?,
        why = stop.received() => {
            eprintln!("mail-servers: {why} while starting; stopped");
            return Ok(());
        }
    };
    announce(&servers)?;
    eprintln!(
        "mail-servers: Dovecot and Exim on {MAIL_HOST} (127.0.0.1); close stdin, or send \
         SIGTERM or SIGINT, to stop them"
    );
    let why = stop.received().await;
    drop(servers);
    eprintln!("mail-servers: {why}; both servers stopped");
    Ok(())
}

/// The one line on stdout, flushed.
///
/// `imap_port` is IMAP over TLS from the first byte (`imap_security`, core's wire name) and
/// `smtp_port` is submission with STARTTLS (`smtp_security`): the pair the connection check's
/// own tests pass with. The other two ports serve the other security of each protocol, for
/// specs that get the security wrong on purpose.
fn announce(servers: &MailServers) -> Result<(), String> {
    let line = json!({
        "host": MAIL_HOST,
        "imap_port": servers.imap_tls_port,
        "imap_security": "ssl_tls",
        "smtp_port": servers.smtp_starttls_port,
        "smtp_security": "starttls",
        "imap_starttls_port": servers.imap_starttls_port,
        "smtp_tls_port": servers.smtp_tls_port,
        "ca_file": utf8(&servers.ca.ca_file)?,
        "user": MAIL_USER,
        "password": MAIL_PASSWORD,
        "maildir": utf8(&servers.maildir)?,
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|error| format!("could not write to stdout: {error}"))
}

/// `path` as JSON can carry it (the temporary folder's name could, in theory, not be UTF-8).
fn utf8(path: &Path) -> Result<&str, String> {
    path.to_str().ok_or_else(|| {
        format!(
            "{} is not UTF-8: set TMPDIR to a folder whose name is",
            path.display()
        )
    })
}

/// What ends the program: stdin at end of file, SIGTERM or SIGINT, whichever comes first.
struct StopRequest {
    terminate: Signal,
    interrupt: Signal,
    stdin_closed: oneshot::Receiver<()>,
}

impl StopRequest {
    fn listen() -> Result<StopRequest, String> {
        let listen_for = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|error| format!("could not listen for {name}: {error}"))
        };
        let terminate = listen_for(SignalKind::terminate(), "SIGTERM")?;
        let interrupt = listen_for(SignalKind::interrupt(), "SIGINT")?;
        let (closed, stdin_closed) = oneshot::channel();
        // A thread of its own, not the runtime's blocking pool: a read that never ends must
        // not hold up the runtime's shutdown, and the process exits without waiting for it.
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut buffer = [0u8; 256];
            // Whatever the parent writes is ignored; end of file or a read error is the request.
            while matches!(stdin.read(&mut buffer), Ok(read) if read > 0) {}
            let _ = closed.send(());
        });
        Ok(StopRequest {
            terminate,
            interrupt,
            stdin_closed,
        })
    }

    /// Waits for the request; answers what it was, for the log line.
    async fn received(&mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
            _ = &mut self.stdin_closed => "stdin closed",
        }
    }
}
