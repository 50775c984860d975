//! `cargo xtask bench`: measures mailsetup side by side with its two baselines (a Leptos page
//! with one heading, and a vanilla-JavaScript page with the same table) and writes
//! target/bench/report.json and report.md.
//!
//! Owns: building what is measured, serving it, and running the measurements in order (core
//! benches first, so no compiler competes with the browser). Timings never fail the command;
//! only a measurement that could not run does.

mod book;
mod report;
mod stats;

use std::fs;
use std::path::{Path, PathBuf};

use crate::project::Project;
use crate::run::{Failure, Outcome, run, run_and_capture};
use crate::setup::{self, Scope};
use crate::static_server::{Caching, Mount, StaticServer};

/// How many domains the scale measures load.
const BOOK_SIZE: usize = 10_000;
const DEFAULT_ROUNDS: u32 = 5;

pub fn bench(project: &Project, args: &[String]) -> Outcome {
    let rounds = rounds(args)?;
    setup::ensure(project, Scope::Everything)?;
    let out = project.root().join("target").join("bench");
    fs::create_dir_all(&out)
        .map_err(|e| Failure(format!("could not create {}: {e}", out.display())))?;

    println!("\n=== bench: release builds (mailsetup and the floor page) ===");
    super::dist(project)?;
    let floor_dir = project.root().join("bench").join("floor");
    let floor_dist = out.join("floor-dist");
    run(project
        .command_in(&floor_dir, "trunk")
        .args(["build", "--release", "--dist"])
        .arg(&floor_dist))?;

    println!("\n=== bench: the {BOOK_SIZE}-domain book ===");
    let ispdb = ispdb_book(project)?;
    let book = book::stored_book(BOOK_SIZE, ispdb.as_deref())?;
    let book_path = out.join("book.json");
    write(&book_path, &book.text)?;
    println!(
        "{} domains: {} from ISPDB, {} generated ({} bytes)",
        BOOK_SIZE,
        book.real,
        book.generated,
        book.text.len()
    );

    println!("\n=== bench: core (native release build) ===");
    let core_output = run_and_capture(project.command("cargo").args([
        "bench",
        "--package",
        "mailsetup-core",
        "--bench",
        "core",
    ]))?;
    let core = report::core_figures(&core_output);
    if core.is_empty() {
        return Err(Failure("the core benches printed no figures".into()));
    }

    println!("\n=== bench: headless Chromium, {rounds} rounds ===");
    let server = StaticServer::start_with(
        0,
        bench_mounts(project, &floor_dist),
        Caching::LongLivedAssets,
    )?;
    let raw_path = out.join("raw.json");
    let _ = fs::remove_file(&raw_path);
    run(project
        .command_in(&project.e2e_dir(), "node")
        .arg(Path::new("bench").join("bench.mjs"))
        .env("MAILSETUP_BENCH_BASE_URL", server.base_url())
        .env("MAILSETUP_BENCH_BOOK", &book_path)
        .env("MAILSETUP_BENCH_RAW", &raw_path)
        .env("MAILSETUP_BENCH_DIST", project.dist_dir())
        .env("MAILSETUP_BENCH_FLOOR_DIST", &floor_dist)
        .env("MAILSETUP_BENCH_ROUNDS", rounds.to_string()))?;
    let raw_text = fs::read_to_string(&raw_path).map_err(|e| {
        Failure(format!(
            "the browser script wrote no {}: {e}",
            raw_path.display()
        ))
    })?;
    let raw: serde_json::Value = serde_json::from_str(&raw_text)
        .map_err(|e| Failure(format!("{} is not JSON: {e}", raw_path.display())))?;

    let origin = report::BookOrigin {
        real: book.real,
        generated: book.generated,
    };
    let report = report::build(&raw, &core, &origin);
    let json_text = serde_json::to_string_pretty(&report.json)
        .map_err(|e| Failure(format!("could not write the report: {e}")))?;
    write(&out.join("report.json"), &json_text)?;
    write(&out.join("report.md"), &report.markdown)?;
    println!();
    for line in &report.verdicts {
        println!("{line}");
    }
    println!(
        "\nreport: {} and report.json",
        out.join("report.md").display()
    );
    Ok(())
}

fn rounds(args: &[String]) -> Outcome<u32> {
    let mut rounds = DEFAULT_ROUNDS;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--rounds" => {
                rounds = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| Failure("--rounds needs a number above 0".into()))?;
            }
            other => return Err(Failure(format!("bench: unknown option `{other}`"))),
        }
    }
    Ok(rounds)
}

/// The stored book core's ISPDB corpus test writes, when the corpus exists (`None` otherwise).
fn ispdb_book(project: &Project) -> Outcome<Option<String>> {
    let path = super::ispdb_book(project);
    fs::create_dir_all(project.xtask_output_dir())
        .map_err(|e| Failure(format!("could not create target/xtask: {e}")))?;
    let _ = fs::remove_file(&path);
    run_and_capture(
        project
            .command("cargo")
            .args([
                "test",
                "--package",
                "mailsetup-core",
                "--test",
                "ispdb_corpus",
            ])
            .env("MAILSETUP_ISPDB_BOOK_OUT", &path),
    )?;
    Ok(fs::read_to_string(&path).ok())
}

/// mailsetup at `/`, the floor at `/floor/`, the vanilla page at `/vanilla/` with the
/// component's CSS at `/style/` (the vanilla page links `../style/mailsetup.css`).
fn bench_mounts(project: &Project, floor_dist: &Path) -> Vec<Mount> {
    let mount = |prefix: &str, dir: PathBuf| Mount {
        prefix: prefix.into(),
        dir,
    };
    vec![
        mount("/", project.dist_dir()),
        mount("/floor/", floor_dist.to_path_buf()),
        mount("/vanilla/", project.root().join("bench").join("vanilla")),
        mount("/style/", project.root().join("style")),
    ]
}

fn write(path: &Path, text: &str) -> Outcome {
    fs::write(path, text).map_err(|e| Failure(format!("could not write {}: {e}", path.display())))
}
