//! Running child commands: echo what runs, stream its output, turn failures into messages.
//!
//! Owns process handling only; which commands to run is decided by the callers.

use std::fmt;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// A failed step, with a sentence that says what went wrong and what to do.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Outcome<T = ()> = Result<T, Failure>;

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `command` with inherited output; fails with the command line when it exits non-zero.
pub fn run(command: &mut Command) -> Outcome {
    let line = describe(command);
    println!("$ {line}");
    let status = command
        .status()
        .map_err(|error| Failure(format!("could not start `{line}`: {error}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("`{line}` failed ({status})")))
    }
}

/// Runs `command`, streaming its standard output to ours while keeping a copy, so callers can
/// read figures (test counts) from it. Standard error is passed through untouched.
pub fn run_and_capture(command: &mut Command) -> Outcome<String> {
    let line = describe(command);
    println!("$ {line}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| Failure(format!("could not start `{line}`: {error}")))?;
    let mut captured = String::new();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout();
        for text in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = writeln!(out, "{text}");
            captured.push_str(&text);
            captured.push('\n');
        }
    }
    let status = child
        .wait()
        .map_err(|error| Failure(format!("`{line}` did not finish: {error}")))?;
    if status.success() {
        Ok(captured)
    } else {
        Err(Failure(format!("`{line}` failed ({status})")))
    }
}

/// Runs `command` and returns its standard output without showing it (machine-readable
/// output, such as cargo's JSON messages); standard error is passed through.
pub fn run_and_capture_quietly(command: &mut Command) -> Outcome<String> {
    let line = describe(command);
    println!("$ {line}");
    let output = command
        .stdout(Stdio::piped())
        .output()
        .map_err(|error| Failure(format!("could not start `{line}`: {error}")))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(Failure(format!("`{line}` failed ({})", output.status)))
    }
}

/// The trimmed standard output of a command that succeeded, or `None` when it is missing or failed.
/// Used for probing (`trunk --version`), so nothing is echoed.
pub fn probe(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Sums the `N passed` figures of every `test result:` line that cargo's test harness printed.
pub fn count_rust_tests(output: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in output.lines().filter(|l| l.contains("test result:")) {
        passed += figure_before(line, " passed");
        failed += figure_before(line, " failed");
    }
    (passed, failed)
}

fn figure_before(line: &str, label: &str) -> u64 {
    line.find(label)
        .and_then(|end| {
            let start = line[..end]
                .rfind(|c: char| !c.is_ascii_digit())
                .map_or(0, |i| i + 1);
            line[start..end].parse().ok()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_test_result_line() {
        let output = "running 3 tests\n\
            test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\
            test result: ok. 12 passed; 1 failed; 2 ignored\n\
            unrelated line with 9 passed\n";
        assert_eq!(count_rust_tests(output), (15, 1));
    }

    #[test]
    fn no_result_lines_count_zero() {
        assert_eq!(count_rust_tests("nothing here"), (0, 0));
    }
}
