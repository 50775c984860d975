//! `cargo xtask`: all project automation, in Rust.
//!
//! `setup` installs what is missing; `serve` builds and serves the demo; `test` runs every check
//! CI runs; `dist` makes the release build with its size report; `e2e` re-runs only the
//! Playwright suite against the current release build; `bench` measures performance against
//! two baselines and writes a report.

mod api_server;
mod bench;
mod binaries;
mod first_chunk;
mod newcomer;
mod package;
mod playwright;
mod project;
mod readme;
mod release;
mod run;
mod setup;
mod sizes;
mod stages;
mod static_server;

use std::fs;
use std::process::ExitCode;

use playwright::Suite;
use project::Project;
use run::{Failure, Outcome, count_rust_tests, run, run_and_capture};
use setup::Scope;
use stages::Pipeline;
use static_server::{Mount, NESTED_MOUNT, StaticServer};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup                      install whatever is missing (Rust target, trunk, wasm-bindgen-cli,
                             wasm-opt, Chromium, Playwright packages)
  serve [--port N] [--release | --backend]
                             build and serve the demo on http://127.0.0.1:8080 (default port),
                             rebuilding on change (into target/serve/, never dist/);
                             --release serves the optimised build under a strict CSP
                             (built into target/serve-release/);
                             --backend builds the npm package into pkg/ and runs the REST
                             server (server/) on that port: its sign-in page at / mounts
                             the component against the API; prints the demo tokens
  test                       every check CI runs, in order, stopping at the first failure
  dist                       the release build into dist/, with its size report
  e2e [playwright args...]   only the Playwright suite, against the current dist/ (built
                             first if missing, as is the React host app)
  bench [--rounds N] [--only server]
                             measure mailsetup against a Leptos floor page and a vanilla-JS
                             page (release builds, headless Chromium, core benches) and the
                             REST server under load (SQLite, PostgreSQL); writes
                             target/bench/report.json and report.md. --only server: the
                             server's part alone, replacing it in an earlier report
";

const DEFAULT_PORT: u16 = 8080;

fn main() -> ExitCode {
    let project = Project::locate();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("setup") => setup::ensure(&project, Scope::Everything),
        Some("serve") => serve(&project, &args[1..]),
        Some("test") => return test(&project),
        Some("dist") => dist(&project),
        Some("e2e") => e2e(&project, &args[1..]),
        Some("bench") => bench::bench(&project, &args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(Failure(format!("unknown command `{other}`\n\n{USAGE}"))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("xtask: {failure}");
            ExitCode::FAILURE
        }
    }
}

fn serve(project: &Project, args: &[String]) -> Outcome {
    let mut port = DEFAULT_PORT;
    let mut release = false;
    let mut backend = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--release" => release = true,
            "--backend" => backend = true,
            "--port" => {
                port = rest
                    .next()
                    .and_then(|p| p.parse().ok())
                    .filter(|p| *p != 0)
                    .ok_or_else(|| Failure("--port needs a number from 1 to 65535".into()))?;
            }
            other => return Err(Failure(format!("serve: unknown option `{other}`"))),
        }
    }
    if backend {
        return serve_backend(project, port);
    }
    setup::ensure(project, Scope::Build)?;
    if release {
        // A folder of its own, so a `cargo xtask test` or `dist` beside it keeps dist/ to itself.
        let built = project.serve_release_dir();
        release::build(project, project.root(), &built)?;
        sizes::measure(&built)?.print();
        let server = StaticServer::start(port, mounts(&built))?;
        println!(
            "serving the release build on {} (also under {NESTED_MOUNT}); Ctrl+C stops",
            server.base_url()
        );
        loop {
            std::thread::park();
        }
    }
    println!("serving the demo on http://127.0.0.1:{port}/ (rebuilds on change); Ctrl+C stops");
    run(project.command("trunk").args([
        "serve",
        "--address",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]))
}

/// The REST server on `port`, its database and a fresh demo token file in
/// `target/serve-backend/`, with the npm package (built as `dist` builds it, into pkg/) as the
/// web root of its sign-in page at `/`; runs until Ctrl+C.
fn serve_backend(project: &Project, port: u16) -> Outcome {
    setup::ensure(project, Scope::Build)?;
    package::build(project)?;
    let web_root = project.package_dir();
    let binary = api_server::build(project)?;
    let dir = project.target_dir().join("serve-backend");
    let tokens = dir.join("tokens");
    let callers = api_server::write_demo_tokens(&tokens)?;
    let database = dir.join("mailsetup.db");
    println!(
        "starting the REST server on http://127.0.0.1:{port}/ (database {}, component from {}); \
         Ctrl+C stops",
        database.display(),
        web_root.display()
    );
    println!("open http://127.0.0.1:{port}/ and sign in with a token below");
    println!("demo callers (token file {}):", tokens.display());
    for caller in &callers {
        println!("  {:<10} {:<12} {}", caller.role, caller.name, caller.token);
    }
    println!(
        "try: curl -H 'Authorization: Bearer {}' http://127.0.0.1:{port}/api/v1/email-domains",
        callers[0].token
    );
    run(project
        .command(&binary.to_string_lossy())
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(&database)
        .arg("--tokens")
        .arg(&tokens)
        .arg("--web-root")
        .arg(&web_root))
}

/// The host pages, at `/hosts/` and again under a sub-path a portal might give them
/// (`/tools/mailsetup/`), each with the package as `./pkg/`.
fn host_page_mounts(project: &Project) -> Vec<Mount> {
    let pages = project.e2e_dir().join("hosts");
    ["/hosts/", HOST_SUB_PATH]
        .into_iter()
        .flat_map(|prefix| {
            [
                Mount {
                    prefix: prefix.into(),
                    dir: pages.clone(),
                },
                Mount {
                    prefix: format!("{prefix}pkg/"),
                    dir: project.package_dir(),
                },
            ]
        })
        .collect()
}

/// Where the host pages are served a second time.
const HOST_SUB_PATH: &str = "/tools/mailsetup/";

/// `dir` at the root and again under the nested path.
fn mounts(dir: &std::path::Path) -> Vec<Mount> {
    vec![
        Mount {
            prefix: "/".into(),
            dir: dir.to_path_buf(),
        },
        Mount {
            prefix: NESTED_MOUNT.into(),
            dir: dir.to_path_buf(),
        },
    ]
}

/// The demo page into dist/ and the npm package into pkg/.
fn release_build(project: &Project) -> Outcome {
    release::build(project, project.root(), &project.dist_dir())?;
    package::build(project)
}

/// The size reports of dist/ and of the package, each checked against its budget.
fn size_reports(project: &Project) -> Outcome<String> {
    let page = sizes::measure(&project.dist_dir())?;
    page.print();
    let package = sizes::measure(&project.package_dir())?;
    sizes::print_package(&package);
    let page_verdict = page.check_budget()?;
    let element_verdict = sizes::check_element_budget(&package)?;
    Ok(format!("{page_verdict}; {element_verdict}"))
}

fn dist(project: &Project) -> Outcome {
    setup::ensure(project, Scope::Build)?;
    release_build(project)?;
    println!("{}", size_reports(project)?);
    Ok(())
}

fn test(project: &Project) -> ExitCode {
    let mut pipeline = Pipeline::new();
    pipeline.stage("setup", || {
        setup::ensure(project, Scope::Everything).map(|()| "tools present".into())
    });
    pipeline.stage("fmt", || {
        run(project
            .command("cargo")
            .args(["fmt", "--all", "--", "--check"]))
        .map(|()| "formatted".into())
    });
    pipeline.stage("clippy", || {
        run(project.command("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        // The component's browser code and tests only exist on wasm32: lint them there too.
        run(project.command("cargo").args([
            "clippy",
            "--package",
            "mailsetup",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        Ok("no warnings (native and wasm32)".into())
    });
    pipeline.stage("native tests", || {
        fs::create_dir_all(project.xtask_output_dir())
            .map_err(|e| Failure(format!("could not create target/xtask: {e}")))?;
        let output = run_and_capture(
            project
                .command("cargo")
                .args(["test", "--workspace"])
                .env("MAILSETUP_ISPDB_BOOK_OUT", ispdb_book(project)),
        )?;
        Ok(test_count(output))
    });
    pipeline.stage("browser tests", || {
        // chromedriver leaves a Chromium profile (~80 MB) in the temporary folder for every test
        // binary it serves; a folder of our own is removed afterwards, so runs do not fill the disk.
        let scratch = project.xtask_output_dir().join("browser-tests-tmp");
        let _ = fs::remove_dir_all(&scratch);
        fs::create_dir_all(&scratch)
            .map_err(|e| Failure(format!("could not create {}: {e}", scratch.display())))?;
        let output = run_and_capture(
            project
                .command("cargo")
                .args([
                    "test",
                    "--package",
                    "mailsetup",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .env("TMPDIR", &scratch),
        );
        let _ = fs::remove_dir_all(&scratch);
        Ok(format!("{} in headless Chromium", test_count(output?)))
    });
    pipeline.stage("release build", || {
        release_build(project).map(|()| "split wasm, page by trunk; npm package in pkg/".into())
    });
    pipeline.stage("size report", || size_reports(project));
    pipeline.stage("package types", || {
        // A TypeScript host and a React one, checked against pkg/*.d.ts (tests/e2e/types/).
        run(project.command_in(&project.e2e_dir(), "npx").args([
            "--no-install",
            "tsc",
            "-p",
            "types/tsconfig.json",
        ]))
        .map(|()| "a TypeScript host and a React host type-check".into())
    });
    pipeline.stage("api fuzz", || api_server::fuzz(project));
    pipeline.stage("react host", || build_react_host(project));
    pipeline.stage("playwright", || playwright_specs(project, &[]));
    pipeline.stage("readme serve", || newcomer::check(project));
    pipeline.finish()
}

fn test_count(output: String) -> String {
    let (passed, failed) = count_rust_tests(&output);
    format!("{passed} tests passed, {failed} failed")
}

fn e2e(project: &Project, args: &[String]) -> Outcome {
    setup::ensure(project, Scope::Everything)?;
    if !project.dist_dir().join("index.html").exists() {
        release_build(project)?;
    }
    // The React host spec serves the host app `cargo xtask test` builds; on a fresh checkout
    // it is not there yet.
    if !project
        .react_host_dir()
        .join("dist")
        .join("index.html")
        .exists()
    {
        println!("{}", build_react_host(project)?);
    }
    let summary = playwright_specs(project, args)?;
    println!("{summary}");
    Ok(())
}

/// The React host app as a web developer builds it: the packed package installed into it
/// (`npm install` of the tarball, as README says), then `vite build`.
fn build_react_host(project: &Project) -> Outcome<String> {
    let tarball = package::pack(project, &project.xtask_output_dir().join("package"))?;
    let app = project.react_host_dir();
    run(project
        .command_in(&app, "npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .arg(&tarball))?;
    run(project.command_in(&app, "npx").args([
        "--no-install",
        "vite",
        "build",
        "--logLevel",
        "warn",
    ]))?;
    Ok("vite build of a React 19 portal with the packed package".into())
}

/// Serves dist/ (and the host pages of `tests/e2e/hosts/` with the package beside them) on a
/// free port and runs the Playwright suite against it.
fn playwright_specs(project: &Project, extra_args: &[String]) -> Outcome<String> {
    let mut served = mounts(&project.dist_dir());
    served.extend(host_page_mounts(project));
    served.push(Mount {
        prefix: "/react/".into(),
        dir: project.react_host_dir().join("dist"),
    });
    let server = StaticServer::start(0, served)?;
    let book = ispdb_book(project);
    let book = book.to_string_lossy();
    // The REST specs start the settings server themselves (one per test, so they can stop and
    // restart it), serving the npm package the release build wrote into pkg/.
    let api_binary = api_server::build(project)?;
    let api_binary = api_binary.to_string_lossy();
    // The specs of the connection check start Dovecot and Exim on loopback themselves, through
    // this program (support/mail_servers.ts); `setup` installed both.
    let mail_servers = binaries::build_debug(project, binaries::MAIL_SERVERS)?;
    let mail_servers = mail_servers.to_string_lossy();
    let package = project.root().join("pkg");
    let package = package.to_string_lossy();
    playwright::run_suite(
        project,
        Suite::Specs,
        &server.base_url(),
        &[
            ("MAILSETUP_NESTED_PATH", NESTED_MOUNT),
            ("MAILSETUP_HOST_SUB_PATH", HOST_SUB_PATH),
            ("MAILSETUP_ISPDB_BOOK", &book),
            ("MAILSETUP_SERVER_BIN", &api_binary),
            ("MAILSETUP_SERVER_WEB_ROOT", &package),
            ("MAILSETUP_MAIL_SERVERS_BIN", &mail_servers),
        ],
        extra_args,
    )
}

/// Where the native tests leave the settings book built from the ISPDB corpus (when the corpus
/// exists) for the Playwright suite to load.
fn ispdb_book(project: &Project) -> std::path::PathBuf {
    project.xtask_output_dir().join("ispdb-book.json")
}
