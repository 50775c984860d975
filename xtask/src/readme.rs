//! The two commands README.md starts with, read from the README itself, so the checks that run
//! them (`newcomer.rs`) and the check that CI runs the second one follow the README as written.
//!
//! Owns reading the README's first code block only; it runs nothing.

use std::fs;
use std::path::Path;

use crate::run::{Failure, Outcome};

/// The README's first two commands: what a newcomer runs first, and what CI runs.
#[derive(Debug, PartialEq, Eq)]
pub struct ReadmeCommands {
    /// The first command, as words (`["cargo", "xtask", "serve"]`).
    pub serve: Vec<String>,
    /// The second command, as words (`["cargo", "xtask", "test"]`).
    pub test: Vec<String>,
}

impl ReadmeCommands {
    pub fn read(readme: &Path) -> Outcome<ReadmeCommands> {
        let text = fs::read_to_string(readme)
            .map_err(|e| Failure(format!("could not read {}: {e}", readme.display())))?;
        ReadmeCommands::parse(&text).ok_or_else(|| {
            Failure(format!(
                "{} must start with a code block holding the two commands a newcomer runs \
                 (`cargo xtask serve`, then `cargo xtask test`)",
                readme.display()
            ))
        })
    }

    /// The first two commands of the first fenced code block; a `#` starts a comment.
    fn parse(text: &str) -> Option<ReadmeCommands> {
        let mut lines = text.lines();
        lines.find(|line| line.trim_start().starts_with("```"))?;
        let mut commands = lines
            .take_while(|line| !line.trim_start().starts_with("```"))
            .map(words)
            .filter(|words| !words.is_empty());
        let serve = commands.next()?;
        let test = commands.next()?;
        Some(ReadmeCommands { serve, test })
    }
}

/// The words of one shell line, without its comment. The README's commands are plain words:
/// no quoting to undo.
fn words(line: &str) -> Vec<String> {
    let command = line.split('#').next().unwrap_or("");
    command.split_whitespace().map(str::to_owned).collect()
}

/// The command `.ci/run` hands over to: the words of its last line that is not a comment, with
/// `exec` dropped. Only the test below reads `.ci/run`.
#[cfg(test)]
fn ci_command(script: &str) -> Vec<String> {
    let line = script
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap_or("");
    let mut command = words(line);
    if command.first().map(String::as_str) == Some("exec") {
        command.remove(0);
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository_file(name: &str) -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        fs::read_to_string(root.join(name)).unwrap()
    }

    #[test]
    fn reads_the_first_two_commands_of_the_first_code_block() {
        let readme = "# x\n\ntext\n\n```sh\ncargo xtask serve   # serves\n\n  cargo xtask test # all\nmore\n```\n\n```sh\nother\n```\n";
        assert_eq!(
            ReadmeCommands::parse(readme),
            Some(ReadmeCommands {
                serve: vec!["cargo".into(), "xtask".into(), "serve".into()],
                test: vec!["cargo".into(), "xtask".into(), "test".into()],
            })
        );
        assert_eq!(ReadmeCommands::parse("no code here"), None);
        assert_eq!(ReadmeCommands::parse("```\ncargo xtask serve\n```\n"), None);
    }

    #[test]
    fn the_ci_script_hands_over_to_its_last_command() {
        let script = "#!/usr/bin/env bash\n# comment\nset -euo pipefail\ncd x\nexec cargo xtask test\n# trailing\n";
        assert_eq!(ci_command(script), ["cargo", "xtask", "test"]);
        assert_eq!(
            ci_command("cargo xtask test --fast\n"),
            ["cargo", "xtask", "test", "--fast"]
        );
        assert!(ci_command("# only a comment\n").is_empty());
    }

    /// CI must run exactly what the README tells a newcomer to run to check everything.
    #[test]
    fn ci_runs_exactly_the_readmes_second_command() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let readme = ReadmeCommands::read(&root.join("README.md")).unwrap();
        assert_eq!(ci_command(&repository_file(".ci/run")), readme.test);
    }

    /// The README's commands are the ones xtask implements (`newcomer.rs` runs the first).
    #[test]
    fn the_readme_starts_with_serve_then_test() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let readme = ReadmeCommands::read(&root.join("README.md")).unwrap();
        assert_eq!(readme.serve, ["cargo", "xtask", "serve"]);
        assert_eq!(readme.test, ["cargo", "xtask", "test"]);
    }
}
