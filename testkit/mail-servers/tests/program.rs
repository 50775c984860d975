//! The `mail-servers` program as the Playwright specs use it: one JSON line on stdout naming
//! servers that answer on 127.0.0.1, and nothing left behind (no listening port, no folder)
//! once its stdin closes or it gets SIGTERM. Needs root and the programs, like the library.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use mailsetup_mail_servers::{MAIL_HOST, MAIL_PASSWORD, MAIL_USER};
use serde_json::Value;

/// How long the program may take to stop both servers and remove their folder.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// How the test asks the program to stop.
enum Stop {
    CloseStdin,
    Terminate,
}

#[test]
fn closing_stdin_stops_both_servers_and_removes_their_folder() {
    start_check_and_stop(Stop::CloseStdin);
}

#[test]
fn sigterm_stops_both_servers_and_removes_their_folder() {
    start_check_and_stop(Stop::Terminate);
}

fn start_check_and_stop(stop: Stop) {
    let mut program = Command::new(env!("CARGO_BIN_EXE_mail-servers"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start mail-servers");
    let mut line = String::new();
    let stdout = program.stdout.take().expect("its stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read its first line");
    let announced: Value = serde_json::from_str(&line)
        .unwrap_or_else(|error| panic!("not one JSON line ({error}): {line:?}"));

    assert_eq!(announced["host"], MAIL_HOST);
    assert_eq!(announced["user"], MAIL_USER);
    assert_eq!(announced["password"], MAIL_PASSWORD);
    assert_eq!(announced["imap_security"], "ssl_tls");
    assert_eq!(announced["smtp_security"], "starttls");
    assert!(
        announced["password"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );
    let ports: Vec<u16> = [
        "imap_port",
        "smtp_port",
        "imap_starttls_port",
        "smtp_tls_port",
    ]
    .iter()
    .map(|key| {
        announced[key]
            .as_u64()
            .and_then(|port| u16::try_from(port).ok())
            .unwrap_or_else(|| panic!("no {key} in {announced}"))
    })
    .collect();
    for port in &ports {
        assert!(accepts(*port), "nothing listens on 127.0.0.1:{port}");
    }
    let ca_file = Path::new(announced["ca_file"].as_str().expect("ca_file")).to_path_buf();
    let maildir = Path::new(announced["maildir"].as_str().expect("maildir")).to_path_buf();
    assert!(ca_file.is_file(), "{}", ca_file.display());
    assert!(maildir.join("new").is_dir(), "{}", maildir.display());
    let folder = ca_file
        .parent()
        .expect("the CA file's folder")
        .to_path_buf();

    match stop {
        Stop::CloseStdin => drop(program.stdin.take()),
        Stop::Terminate => {
            let pid = libc::pid_t::try_from(program.id()).expect("a pid");
            // SAFETY: kill(2) of our own child, not yet waited for (its pid is not reused).
            assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        }
    }
    let status = wait_at_most(&mut program, STOP_WAIT);
    assert!(status.success(), "mail-servers ended with {status}");
    assert!(!folder.exists(), "{} is left behind", folder.display());
    for port in &ports {
        assert!(!accepts(*port), "127.0.0.1:{port} still accepts");
    }
}

fn accepts(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2)).is_ok()
}

/// The program's exit status; kills it (and fails) if it runs longer than `limit`.
fn wait_at_most(program: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = program.try_wait().expect("wait for mail-servers") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = program.kill();
            let _ = program.wait();
            panic!("mail-servers did not stop within {limit:?}");
        }
        thread::sleep(Duration::from_millis(50));
    }
}
