//! The REST server's load bench as `cargo xtask bench` runs it: builds
//! `server/examples/load.rs` (release profile) and runs it once per engine, SQLite then
//! PostgreSQL, with the figures the REST issue asks for (10,000 domains, 64 clients), and reads the one
//! JSON object each run prints.
//!
//! Owns: the bench's parameters and running the example. Must not: measure (load.rs does) or
//! decide how the figures read (report.rs does).

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::project::Project;
use crate::run::{Failure, Outcome, run};

pub const DOMAINS: usize = 10_000;
pub const CLIENTS: usize = 64;
/// Each phase (the floor, the mixed load) stops at this many requests or seconds, whichever
/// comes first.
pub const REQUESTS: u64 = 20_000;
pub const MAX_SECONDS: u64 = 20;
pub const ENGINES: [&str; 2] = ["sqlite", "postgres"];

/// One engine's run: the JSON load.rs printed, and whether its final check passed.
pub struct EngineRun {
    pub json: Value,
    pub final_check_ok: bool,
}

/// Builds the example and runs it for every engine.
pub fn run_all(project: &Project) -> Outcome<Vec<EngineRun>> {
    if Project::postgresql_bin().is_none() {
        return Err(Failure(
            "the server bench needs PostgreSQL (no /usr/lib/postgresql/*/bin/initdb and no MAILSETUP_PG_BIN); run `cargo xtask setup`, which installs it".into(),
        ));
    }
    run(project.command("cargo").args([
        "build",
        "--release",
        "--package",
        "mailsetup-server",
        "--example",
        "load",
    ]))?;
    let binary = project
        .target_dir()
        .join("release")
        .join("examples")
        .join("load");
    ENGINES
        .iter()
        .map(|engine| {
            let mut command = project.command(&binary.to_string_lossy());
            command.args([
                "--engine",
                engine,
                "--domains",
                &DOMAINS.to_string(),
                "--clients",
                &CLIENTS.to_string(),
                "--requests",
                &REQUESTS.to_string(),
                "--max-seconds",
                &MAX_SECONDS.to_string(),
            ]);
            run_engine(&mut command, engine)
        })
        .collect()
}

/// Runs load.rs; exit 1 means it measured but the final check failed (the report still gets
/// the figures), any other failure means nothing was measured.
fn run_engine(command: &mut Command, engine: &str) -> Outcome<EngineRun> {
    println!(
        "$ {} (engine {engine})",
        command.get_program().to_string_lossy()
    );
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure(format!("could not start the load bench: {e}")))?;
    let measured = output.status.success() || output.status.code() == Some(1);
    if !measured {
        return Err(Failure(format!(
            "the load bench on {engine} did not run ({})",
            output.status
        )));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(text.trim()).map_err(|e| {
        Failure(format!(
            "the load bench on {engine} printed no JSON object ({e}): {text}"
        ))
    })?;
    println!("{json}");
    let final_check_ok = json.pointer("/final_check/ok") == Some(&Value::Bool(true));
    Ok(EngineRun {
        json,
        final_check_ok,
    })
}
