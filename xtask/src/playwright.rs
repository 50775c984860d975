//! Running a Playwright suite of `tests/e2e` against a server that is already up.
//!
//! Owns the command line and the reading of the results; which server runs is the caller's.

use std::fs;
use std::path::Path;

use crate::project::Project;
use crate::run::{Failure, Outcome, run};

/// Which specs to run: the folder `playwright.config.ts` picks by `MAILSETUP_SUITE`.
#[derive(Clone, Copy)]
pub enum Suite {
    /// `tests/e2e/specs`: the component, against the release build.
    Specs,
    /// `tests/e2e/readme`: the page the README's first command serves.
    Readme,
}

impl Suite {
    fn name(self) -> &'static str {
        match self {
            Suite::Specs => "specs",
            Suite::Readme => "readme",
        }
    }
}

/// Runs `suite` against `base_url` with the extra environment and arguments; answers the
/// counts line ("N tests passed, ...").
pub fn run_suite(
    project: &Project,
    suite: Suite,
    base_url: &str,
    env: &[(&str, &str)],
    extra_args: &[String],
) -> Outcome<String> {
    let results = project
        .xtask_output_dir()
        .join(format!("playwright-{}-results.json", suite.name()));
    let _ = fs::remove_file(&results);
    let mut command = project.command_in(&project.e2e_dir(), "npx");
    command
        .args(["--no-install", "playwright", "test"])
        .args(extra_args)
        .env("MAILSETUP_SUITE", suite.name())
        .env("MAILSETUP_BASE_URL", base_url)
        .env("MAILSETUP_E2E_RESULTS", &results);
    for (key, value) in env {
        command.env(key, value);
    }
    let ran = run(&mut command);
    let counts = counts(&results);
    ran.map(|()| counts.clone())
        .map_err(|failure| Failure(format!("{failure}; {counts}")))
}

fn counts(results: &Path) -> String {
    let Some(stats) = fs::read_to_string(results)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json.get("stats").cloned())
    else {
        return "no Playwright results were written".into();
    };
    let figure = |key: &str| stats.get(key).and_then(|v| v.as_u64()).unwrap_or(0);
    format!(
        "{} tests passed, {} failed, {} flaky, {} skipped",
        figure("expected"),
        figure("unexpected"),
        figure("flaky"),
        figure("skipped")
    )
}
