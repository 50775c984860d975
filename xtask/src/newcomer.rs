//! The README's first command, run the way a newcomer runs it, in both modes (`serve` and
//! `serve --release`): a stage of `cargo xtask test`, so a README command that stops working
//! fails CI.
//!
//! A newcomer has a fresh clone: none of the ignored folders exists yet (`dist/`, `target/`,
//! `.tools/`, the release build's page folder). The stage copies what git would clone (the
//! tracked and the untracked-but-not-ignored files, as they are in the working tree) into a new
//! folder, and runs the command there with `--port` on a free loopback port and cargo's target
//! directory outside the copy (`CARGO_TARGET_DIR=target/newcomer-target` of the project). That
//! folder is not the project's own target/: cargo puts the final files of both checkouts at the
//! same places there (`target/debug/xtask`, the `.wasm` the release build reads), and the
//! copy's would stand in for the project's until its next rebuild. Kept between runs, so a warm
//! machine compiles only the workspace's crates again. It waits for the page, has Playwright open it in headless Chromium
//! (`tests/e2e/readme/`: the panel's heading is there, no console error), then stops the server
//! and checks that every process it started has gone and the port is free.
//!
//! Owns running and stopping the served command; the page's checks live in the spec.

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::playwright::{self, Suite};
use crate::project::Project;
use crate::readme::ReadmeCommands;
use crate::run::{Failure, Outcome, probe};

/// How long the first page may take: on a cold machine the command installs the npm tools into
/// the new `.tools/` and compiles the workspace's crates for the page.
const PAGE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// How long the server's processes have to end after SIGTERM before they count as left behind.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// The two ways the README's first command is run.
#[derive(Clone, Copy)]
enum Mode {
    Debug,
    Release,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Debug => "debug",
            Mode::Release => "release",
        }
    }

    fn extra_args(self) -> &'static [&'static str] {
        match self {
            Mode::Debug => &[],
            Mode::Release => &["--release"],
        }
    }
}

/// The stage: both modes in one fresh copy; answers the seconds from start to page for each.
pub fn check(project: &Project) -> Outcome<String> {
    let commands = ReadmeCommands::read(&project.root().join("README.md"))?;
    // Outside the project, so cargo does not also read the project's own `.cargo/config.toml`
    // (it reads those of every folder above the one it runs in).
    let clone = std::env::temp_dir().join(format!("mailsetup-newcomer-{}", std::process::id()));
    copy_as_cloned(project.root(), &clone)?;
    let target_dir = project.root().join("target").join("newcomer-target");
    let mut figures = Vec::new();
    for mode in [Mode::Debug, Mode::Release] {
        let seconds = serve_and_open(project, &commands.serve, mode, &clone, &target_dir)?;
        figures.push(format!("{} page in {seconds:.0} s", mode.name()));
    }
    let _ = fs::remove_dir_all(&clone);
    Ok(figures.join(", "))
}

/// Runs `command --port N` (plus the mode's flag) in `clone`, opens the page, stops it.
fn serve_and_open(
    project: &Project,
    command: &[String],
    mode: Mode,
    clone: &Path,
    target_dir: &Path,
) -> Outcome<f64> {
    let port = free_port()?;
    let log = project
        .xtask_output_dir()
        .join(format!("newcomer-serve-{}.log", mode.name()));
    let port_text = port.to_string();
    let mut words: Vec<&str> = command.iter().map(String::as_str).collect();
    words.extend(["--port", &port_text]);
    words.extend(mode.extra_args());
    let line = words.join(" ");
    println!(
        "$ {line}   (in {}, CARGO_TARGET_DIR={}; output in {})",
        clone.display(),
        target_dir.display(),
        log.display()
    );
    let started = Instant::now();
    let server = ServedCommand::start(&words, clone, target_dir, &log)?;
    let outcome = server
        .wait_for_page(port, started)
        .and_then(|seconds| {
            println!("{line}: the page answered after {seconds:.1} s");
            let base_url = format!("http://127.0.0.1:{port}/");
            playwright::run_suite(
                project,
                Suite::Readme,
                &base_url,
                &[("MAILSETUP_SERVE_MODE", mode.name())],
                &[],
            )
            .map(|_| seconds)
        })
        .map_err(|failure| Failure(format!("`{line}`: {failure}{}", log_tail(&log))));
    let stopped = server
        .stop(port)
        .map_err(|failure| Failure(format!("`{line}`: {failure}")));
    let seconds = outcome?;
    stopped?;
    Ok(seconds)
}

/// A loopback port nobody listens on right now.
pub(crate) fn free_port() -> Outcome<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| Failure(format!("could not find a free loopback port: {e}")))
}

/// The README's command, running in a process group of its own, so that stopping it reaches
/// every process it started (cargo, xtask, trunk, the servers).
struct ServedCommand {
    child: Child,
    /// The process group: the child's own id.
    group: u32,
    stopped: bool,
}

impl ServedCommand {
    fn start(words: &[&str], dir: &Path, target_dir: &Path, log: &Path) -> Outcome<ServedCommand> {
        let output = fs::File::create(log)
            .map_err(|e| Failure(format!("could not create {}: {e}", log.display())))?;
        let errors = output
            .try_clone()
            .map_err(|e| Failure(format!("could not share {}: {e}", log.display())))?;
        let (program, args) = words
            .split_first()
            .ok_or_else(|| Failure("the README's first command is empty".into()))?;
        let child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target_dir)
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .process_group(0)
            .spawn()
            .map_err(|e| Failure(format!("could not start it: {e}")))?;
        let group = child.id();
        Ok(ServedCommand {
            child,
            group,
            stopped: false,
        })
    }

    /// Polls the page until it answers 200; fails when the command exits first or time runs out.
    fn wait_for_page(&self, port: u16, started: Instant) -> Outcome<f64> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if page_answers(address) {
                return Ok(started.elapsed().as_secs_f64());
            }
            if !self.group_members().contains(&self.group) {
                return Err(Failure("the command exited before serving the page".into()));
            }
            if started.elapsed() > PAGE_TIMEOUT {
                return Err(Failure(format!(
                    "no page on port {port} after {} s",
                    PAGE_TIMEOUT.as_secs()
                )));
            }
            thread::sleep(Duration::from_millis(500));
        }
    }

    /// Processes of the group that are still running (zombies do not count: they have ended
    /// and only wait for their parent to collect them).
    fn group_members(&self) -> Vec<u32> {
        running_processes_in_group(self.group)
    }

    /// SIGTERM to the whole group, as Ctrl+C in a terminal would; fails when a process outlives
    /// it or the port still answers.
    fn stop(mut self, port: u16) -> Outcome {
        self.stopped = true;
        signal_group(self.group, "TERM");
        let deadline = Instant::now() + STOP_TIMEOUT;
        let mut left = self.group_members();
        while !left.is_empty() && Instant::now() < deadline {
            // Collects the direct child once it exits, so it does not stay a zombie.
            let _ = self.child.try_wait();
            thread::sleep(Duration::from_millis(200));
            left = self.group_members();
        }
        if !left.is_empty() {
            let names = describe_processes(&left);
            signal_group(self.group, "KILL");
            let _ = self.child.wait();
            return Err(Failure(format!(
                "processes it started were still running {} s after SIGTERM: {names}",
                STOP_TIMEOUT.as_secs()
            )));
        }
        let _ = self.child.wait();
        // A process counts as ended once its main thread has; its listening socket closes a
        // moment later, when the last thread has gone too.
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        while TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok() {
            if Instant::now() > deadline {
                return Err(Failure(format!(
                    "port {port} still accepts connections {} s after SIGTERM",
                    STOP_TIMEOUT.as_secs()
                )));
            }
            thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }
}

impl Drop for ServedCommand {
    /// A failure on the way must not leave servers running behind the test run.
    fn drop(&mut self) {
        if !self.stopped {
            signal_group(self.group, "KILL");
            let _ = self.child.wait();
        }
    }
}

fn signal_group(group: u32, signal: &str) {
    // `kill` reports a group that has already gone; nothing to do about that.
    let _ = probe(Command::new("kill").args([&format!("-{signal}"), "--", &format!("-{group}")]));
}

/// Whether `GET /` on `address` answers 200 with the demo page.
fn page_answers(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    response.starts_with("HTTP/1.1 200") && response.contains("mailsetup-boot")
}

/// The ids of the processes whose process group is `group` and that still run, from /proc. A
/// zombie has ended and only waits for its parent to collect it, unless some of its threads
/// still run (its main thread shows as a zombie while the others finish).
fn running_processes_in_group(group: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            stat_of(&format!("/proc/{pid}/stat")).is_some_and(|stat| {
                stat.group == group && (stat.state != 'Z' || has_running_thread(*pid))
            })
        })
        .collect()
}

fn stat_of(path: &str) -> Option<ProcessStat> {
    ProcessStat::parse(&fs::read_to_string(path).ok()?)
}

fn has_running_thread(pid: u32) -> bool {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        stat_of(&task.path().join("stat").to_string_lossy())
            .is_some_and(|stat| !matches!(stat.state, 'Z' | 'X'))
    })
}

/// The fields of `/proc/PID/stat` this module reads.
#[derive(Debug, PartialEq)]
struct ProcessStat {
    state: char,
    group: u32,
}

impl ProcessStat {
    /// `pid (comm) state ppid pgrp ...`; the command name may itself hold spaces and brackets,
    /// so the fields are read after its last `)`.
    fn parse(stat: &str) -> Option<ProcessStat> {
        let after_name = &stat[stat.rfind(')')? + 1..];
        let mut fields = after_name.split_whitespace();
        let state = fields.next()?.chars().next()?;
        let _parent = fields.next()?;
        let group = fields.next()?.parse().ok()?;
        Some(ProcessStat { state, group })
    }
}

fn describe_processes(pids: &[u32]) -> String {
    pids.iter()
        .map(|pid| {
            let name = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            format!("{pid} {}", name.trim())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last lines of the command's output, for a failure message.
fn log_tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(40)..];
    format!(
        "\n--- last lines of {} ---\n{}",
        log.display(),
        tail.join("\n")
    )
}

/// Copies what a clone of `root` would hold (git's tracked files and the untracked ones it
/// does not ignore, as they are now) into `to`, which is emptied first.
fn copy_as_cloned(root: &Path, to: &Path) -> Outcome {
    let listing = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .map_err(|e| {
            Failure(format!(
                "could not run git to list the files of a clone: {e}"
            ))
        })?;
    if !listing.status.success() {
        return Err(Failure(format!(
            "`git ls-files` failed in {}: this stage needs a git checkout",
            root.display()
        )));
    }
    if to.exists() {
        fs::remove_dir_all(to)
            .map_err(|e| Failure(format!("could not empty {}: {e}", to.display())))?;
    }
    let mut copied = 0;
    for relative in listing.stdout.split(|byte| *byte == 0) {
        let Ok(relative) = std::str::from_utf8(relative) else {
            continue;
        };
        let from = root.join(relative);
        // A tracked file deleted in the working tree is not part of the copy.
        if relative.is_empty() || !from.is_file() {
            continue;
        }
        let destination: PathBuf = to.join(relative);
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| Failure(format!("could not create {}: {e}", parent.display())))?;
        }
        fs::copy(&from, &destination)
            .map_err(|e| Failure(format!("could not copy {}: {e}", from.display())))?;
        copied += 1;
    }
    println!("copied the {copied} files of a clone into {}", to.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_state_and_group_after_the_command_name() {
        assert_eq!(
            ProcessStat::parse("4242 (trunk) S 4200 4100 4100 0 -1 4194560 ..."),
            Some(ProcessStat {
                state: 'S',
                group: 4100
            })
        );
        assert_eq!(
            ProcessStat::parse("7 (a) b (c)) Z 1 7 7 0"),
            Some(ProcessStat {
                state: 'Z',
                group: 7
            })
        );
        assert_eq!(ProcessStat::parse("garbage"), None);
    }

    #[test]
    fn finds_the_running_members_of_a_process_group() {
        let mut child = Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let group = child.id();
        assert_eq!(running_processes_in_group(group), vec![group]);
        signal_group(group, "TERM");
        child.wait().unwrap();
        assert!(running_processes_in_group(group).is_empty());
    }

    #[test]
    fn a_copy_holds_the_tracked_files_and_none_of_the_ignored_folders() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let to = std::env::temp_dir().join(format!("xtask-clone-{}", std::process::id()));
        copy_as_cloned(&root, &to).unwrap();
        assert!(to.join("README.md").is_file());
        assert!(to.join("xtask/src/newcomer.rs").is_file());
        for ignored in ["target", "dist", ".tools", "tests/e2e/node_modules"] {
            assert!(!to.join(ignored).exists(), "{ignored} was copied");
        }
        fs::remove_dir_all(&to).unwrap();
    }
}
