//! `cargo xtask bench`: measures mailsetup side by side with its two baselines (a Leptos page
//! with one heading, and a vanilla-JavaScript page with the same table), and the REST server
//! under load beside its own `/healthz` floor, and writes target/bench/report.json and
//! report.md. `--only server` runs the server's part alone and replaces that part of an
//! earlier report.
//!
//! Owns: building what is measured, serving it, and running the measurements in order (core
//! benches and the server first, so no compiler competes with the browser). Timings never fail
//! the command; only a measurement that could not run does, or a server run whose stored state
//! differs from what it acknowledged (after the report is written).

mod book;
mod compare;
mod report;
mod server;
mod stats;

use std::fs;
use std::path::{Path, PathBuf};

use mailsetup_core::{Document, wire};

use crate::api_server;
use crate::project::Project;
use crate::release;
use crate::run::{Failure, Outcome, run, run_and_capture};
use crate::setup::{self, Scope};
use crate::sizes;
use crate::static_server::{Mount, StaticServer};

/// How many domains the scale measures load.
const BOOK_SIZE: usize = 10_000;
const DEFAULT_ROUNDS: u32 = 5;

pub fn bench(project: &Project, args: &[String]) -> Outcome {
    let options = options(args)?;
    let rounds = options.rounds;
    let out = project.root().join("target").join("bench");
    if options.only_server {
        fs::create_dir_all(&out)
            .map_err(|e| Failure(format!("could not create {}: {e}", out.display())))?;
        return server_only(project, &out);
    }
    setup::ensure(project, Scope::Everything)?;
    fs::create_dir_all(&out)
        .map_err(|e| Failure(format!("could not create {}: {e}", out.display())))?;

    println!("\n=== bench: release builds (mailsetup and the floor page) ===");
    super::dist(project)?;
    let floor_dir = project.root().join("bench").join("floor");
    let floor_dist = out.join("floor-dist");
    release::build(project, &floor_dir, &floor_dist)?;

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

    println!(
        "\n=== bench: the REST server, {} domains, {} clients ===",
        server::DOMAINS,
        server::CLIENTS
    );
    let server_runs = server::run_all(project)?;

    println!("\n=== bench: the REST server's page with the same book ===");
    let rest = rest_page(project, &out, &book.text)?;

    println!("\n=== bench: headless Chromium, {rounds} rounds ===");
    let server = StaticServer::start(0, bench_mounts(project, &floor_dist))?;
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
        .env("MAILSETUP_BENCH_ROUNDS", rounds.to_string())
        .env("MAILSETUP_BENCH_REST_URL", rest.server.base_url())
        .env("MAILSETUP_BENCH_REST_TOKEN", &rest.token))?;
    drop(rest);
    let raw_text = fs::read_to_string(&raw_path).map_err(|e| {
        Failure(format!(
            "the browser script wrote no {}: {e}",
            raw_path.display()
        ))
    })?;
    let mut raw: serde_json::Value = serde_json::from_str(&raw_text)
        .map_err(|e| Failure(format!("{} is not JSON: {e}", raw_path.display())))?;
    use_ci_gzip(&mut raw, &bench_mounts(project, &floor_dist));

    let origin = report::BookOrigin {
        real: book.real,
        generated: book.generated,
    };
    let server_json: Vec<serde_json::Value> =
        server_runs.iter().map(|run| run.json.clone()).collect();
    let read_json = |path: PathBuf| {
        fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    };
    let context = report::Context {
        first_chunk: read_json(
            project
                .xtask_output_dir()
                .join("first-chunk")
                .join("dist.json"),
        ),
        committed: read_json(project.root().join("bench").join("report.json")),
    };
    let report = report::build(&raw, &core, &origin, &server_json, &context);
    write_report(&out, &report.json, &report.markdown, &report.verdicts)?;
    server_checks_passed(&server_runs)
}

/// The reference server (release build) serving the npm package's page, its book seeded with
/// the bench's through one import; the admin token signs in.
struct RestPage {
    server: api_server::RunningServer,
    token: String,
}

fn rest_page(project: &Project, out: &Path, book_text: &str) -> Outcome<RestPage> {
    let binary = api_server::build_release(project)?;
    let dir = out.join("rest-page");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)
        .map_err(|e| Failure(format!("could not create {}: {e}", dir.display())))?;
    let callers = api_server::write_demo_tokens(&dir.join("tokens"))?;
    let token = callers[0].token.clone();
    let server = api_server::RunningServer::start(
        &binary,
        &dir.join("mailsetup.db").to_string_lossy(),
        &dir.join("tokens"),
        Some(&project.package_dir()),
        &dir.join("server.log"),
    )?;
    let document = Document::from_json(book_text)
        .map_err(|e| Failure(format!("the bench's book does not read: {e}")))?;
    let request = wire::ImportRequest {
        domains: document
            .book()
            .iter()
            .map(|entry| entry.to_draft())
            .collect(),
        remove_missing: false,
    };
    let (status, answer) = api_server::post_json(
        server.port,
        wire::IMPORT_PATH,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("If-Match", &wire::entity_tag(0)),
        ],
        &request.to_json(),
    )?;
    if status != 200 {
        return Err(Failure(format!(
            "seeding the REST server failed with {status}: {answer}"
        )));
    }
    println!("REST server {}: {answer}", server.base_url());
    Ok(RestPage { server, token })
}

/// `--only server`: the server's runs, put into the report of an earlier run (or a new one).
fn server_only(project: &Project, out: &Path) -> Outcome {
    println!(
        "\n=== bench: the REST server, {} domains, {} clients ===",
        server::DOMAINS,
        server::CLIENTS
    );
    let runs = server::run_all(project)?;
    let runs_json: Vec<serde_json::Value> = runs.iter().map(|run| run.json.clone()).collect();
    let committed: Option<serde_json::Value> =
        fs::read_to_string(project.root().join("bench").join("report.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok());
    let section = report::server_section(
        &runs_json,
        committed.as_ref().map(|committed| &committed["server"]),
    );
    let earlier_json = fs::read_to_string(out.join("report.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let earlier_markdown = fs::read_to_string(out.join("report.md")).ok();
    let (json, markdown) = report::replace_server_section(earlier_json, earlier_markdown, &section);
    write_report(out, &json, &markdown, &section.verdicts)?;
    server_checks_passed(&runs)
}

fn write_report(
    out: &Path,
    json: &serde_json::Value,
    markdown: &str,
    verdicts: &[String],
) -> Outcome {
    let json_text = serde_json::to_string_pretty(json)
        .map_err(|e| Failure(format!("could not write the report: {e}")))?;
    write(&out.join("report.json"), &json_text)?;
    write(&out.join("report.md"), markdown)?;
    println!();
    for line in verdicts {
        println!("{line}");
    }
    println!(
        "\nreport: {} and report.json",
        out.join("report.md").display()
    );
    Ok(())
}

/// Fails when a server run stored something other than what it acknowledged.
fn server_checks_passed(runs: &[server::EngineRun]) -> Outcome {
    let failed: Vec<&str> = runs
        .iter()
        .filter(|run| !run.final_check_ok)
        .map(|run| run.json["engine"].as_str().unwrap_or("?"))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "the server's final check failed on {}: the stored state differs from the acknowledged writes (see the report)",
            failed.join(", ")
        )))
    }
}

struct Options {
    rounds: u32,
    /// `--only server`: the REST server's load bench alone.
    only_server: bool,
}

fn options(args: &[String]) -> Outcome<Options> {
    let mut options = Options {
        rounds: DEFAULT_ROUNDS,
        only_server: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--rounds" => {
                options.rounds = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| Failure("--rounds needs a number above 0".into()))?;
            }
            "--only" => match rest.next().map(String::as_str) {
                Some("server") => options.only_server = true,
                _ => return Err(Failure("--only takes `server`".into())),
            },
            other => return Err(Failure(format!("bench: unknown option `{other}`"))),
        }
    }
    Ok(options)
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
    // The order matters to `use_ci_gzip`: mailsetup's dist first, the floor's second.
    let mount = |prefix: &str, dir: PathBuf| Mount {
        prefix: prefix.into(),
        dir,
    };
    vec![
        mount("/", project.dist_dir()),
        mount("/floor/", floor_dist.to_path_buf()),
        mount("/vanilla/", project.root().join("bench").join("vanilla")),
        mount("/style/", project.root().join("style")),
        // The package in a host page, for the mount and unmount cycles.
        mount("/hosts/", project.e2e_dir().join("hosts")),
        mount("/hosts/pkg/", project.package_dir()),
    ]
}

/// Gzip sizes as CI's size budget counts them (`sizes::gzip_size`), not node's zlib, so the
/// report and the CI gate give the same figure for the same file (node's is ~2 % larger).
fn use_ci_gzip(raw: &mut serde_json::Value, mounts: &[Mount]) {
    let dist_dirs = [
        ("/transfer/dist/mailsetup", mounts[0].dir.clone()),
        ("/transfer/dist/floor", mounts[1].dir.clone()),
    ];
    for (pointer, dir) in dist_dirs {
        for file in raw
            .pointer_mut(pointer)
            .and_then(|v| v.as_array_mut())
            .into_iter()
            .flatten()
        {
            let path = file
                .get("path")
                .and_then(|p| p.as_str())
                .map(|p| dir.join(p));
            set_gzip(file, path);
        }
    }
    let first_visits = raw
        .pointer_mut("/transfer/first_visit")
        .and_then(|v| v.as_object_mut());
    for files in first_visits
        .into_iter()
        .flat_map(|pages| pages.values_mut())
    {
        for file in files.as_array_mut().into_iter().flatten() {
            let url = file.get("path").and_then(|p| p.as_str()).unwrap_or("/");
            let path = served_file(url, mounts);
            set_gzip(file, path);
        }
    }
}

fn set_gzip(file: &mut serde_json::Value, path: Option<PathBuf>) {
    if let Some(bytes) = path.and_then(|path| fs::read(path).ok()) {
        file["gzip"] = sizes::gzip_size(&bytes).into();
    }
}

/// The file a URL path was served from (the longest matching mount; a folder means its
/// index.html).
fn served_file(url: &str, mounts: &[Mount]) -> Option<PathBuf> {
    let mount = mounts
        .iter()
        .filter(|m| url.starts_with(&m.prefix))
        .max_by_key(|m| m.prefix.len())?;
    let relative = &url[mount.prefix.len()..];
    let path = mount.dir.join(relative);
    Some(if relative.is_empty() || relative.ends_with('/') {
        path.join("index.html")
    } else {
        path
    })
}

fn write(path: &Path, text: &str) -> Outcome {
    fs::write(path, text).map_err(|e| Failure(format!("could not write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_the_files_of_the_longest_matching_mount() {
        let mounts = vec![
            Mount {
                prefix: "/".into(),
                dir: PathBuf::from("dist"),
            },
            Mount {
                prefix: "/floor/".into(),
                dir: PathBuf::from("floor"),
            },
        ];
        assert_eq!(
            served_file("/", &mounts),
            Some(PathBuf::from("dist/index.html"))
        );
        assert_eq!(
            served_file("/a.wasm", &mounts),
            Some(PathBuf::from("dist/a.wasm"))
        );
        assert_eq!(
            served_file("/floor/", &mounts),
            Some(PathBuf::from("floor/index.html"))
        );
        assert_eq!(
            served_file("/floor/b.js", &mounts),
            Some(PathBuf::from("floor/b.js"))
        );
    }
}
