//! `cargo xtask setup`: installs what is missing, and only that.
//!
//! Every requirement is probed first; an install runs only when the probe fails. Where a tool
//! cannot be installed from here (no apt-get, no npm), the failure says exactly what to install.

use std::fs;
use std::path::{Path, PathBuf};

use crate::project::Project;
use crate::run::{Failure, Outcome, probe, run};

pub const TRUNK_VERSION: &str = "0.21.14";
/// The npm package `binaryen` ships a working wasm-opt; Trunk.toml pins the same version.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// The JS minifier of the release build (`release.rs`), from npm.
const TERSER_VERSION: &str = "5.51.4";
/// The CSS minifier for the package's stylesheet: lightningcss, the one Trunk uses for dist/.
const LIGHTNINGCSS_VERSION: &str = "1.33.0";
/// The schema-driven fuzzer run against the server's OpenAPI document, from PyPI.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
const RUST_SRC: &str = "rust-src";

/// How much a command needs: building and serving, or everything the test suite uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Build,
    Everything,
}

pub fn ensure(project: &Project, scope: Scope) -> Outcome {
    ensure_wasm_target(project)?;
    ensure_rust_src(project)?;
    ensure_trunk(project)?;
    ensure_wasm_bindgen(project)?;
    ensure_wasm_opt(project)?;
    ensure_terser(project)?;
    ensure_lightningcss(project)?;
    if scope == Scope::Everything {
        ensure_chromium()?;
        ensure_postgresql()?;
        ensure_mail_servers()?;
        ensure_schemathesis(project)?;
        ensure_npm_folder(
            project,
            &project.e2e_dir(),
            "Playwright packages (tests/e2e; no browser download)",
        )?;
        ensure_npm_folder(
            project,
            &project.react_host_dir(),
            "the React host app's packages (tests/e2e/react-host: React 19, Vite)",
        )?;
    }
    Ok(())
}

fn ready(what: &str) {
    println!("setup: {what} ✓");
}

fn installing(what: &str) {
    println!("setup: installing {what}");
}

fn ensure_wasm_target(project: &Project) -> Outcome {
    ensure_rustup_part(
        project,
        "target",
        WASM_TARGET,
        &format!("Rust target {WASM_TARGET}"),
    )
}

/// The standard library's source: the release build compiles std for size (see
/// `release.rs`).
fn ensure_rust_src(project: &Project) -> Outcome {
    ensure_rustup_part(
        project,
        "component",
        RUST_SRC,
        "the standard library's source (rust-src)",
    )
}

/// `rustup <kind> add <name>` unless `rustup <kind> list --installed` already lists it.
fn ensure_rustup_part(project: &Project, kind: &str, name: &str, what: &str) -> Outcome {
    let installed = probe(
        project
            .command("rustup")
            .args([kind, "list", "--installed"]),
    );
    // Components are listed with the host triple (`rust-std-x86_64-...`), rust-src without.
    let listed = |line: &str| line.trim() == name;
    match installed {
        Some(list) if list.lines().any(listed) => {
            ready(what);
            Ok(())
        }
        Some(_) => {
            installing(what);
            run(project.command("rustup").args([kind, "add", name]))
        }
        None => Err(Failure(format!(
            "rustup was not found. Install {what} for your toolchain by hand \
             (with rustup: `rustup {kind} add {name}`), then run this again."
        ))),
    }
}

fn ensure_trunk(project: &Project) -> Outcome {
    let wanted = format!("trunk {TRUNK_VERSION}");
    if probe(project.command("trunk").arg("--version")).as_deref() == Some(wanted.as_str()) {
        ready(&wanted);
        return Ok(());
    }
    installing(&format!(
        "{wanted} (cargo install, about 7 minutes on two cores)"
    ));
    run(project.command("cargo").args([
        "install",
        "--locked",
        "--force",
        &format!("trunk@{TRUNK_VERSION}"),
    ]))
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate in Cargo.lock exactly, or the generated
/// glue and the wasm module disagree.
fn ensure_wasm_bindgen(project: &Project) -> Outcome {
    let version = locked_version(&project.cargo_lock(), "wasm-bindgen")?;
    let wanted = format!("wasm-bindgen {version}");
    let cli = probe(project.command("wasm-bindgen").arg("--version"));
    let runner = probe(project.command("wasm-bindgen-test-runner").arg("--version"));
    let runner_matches = runner.as_deref().is_some_and(|v| v.ends_with(&version));
    if cli.as_deref() == Some(wanted.as_str()) && runner_matches {
        ready(&format!("wasm-bindgen-cli {version}"));
        return Ok(());
    }
    installing(&format!(
        "wasm-bindgen-cli {version} (cargo install, a few minutes)"
    ));
    // Not `--locked`: the registry here lags behind the CLI's own lock file.
    run(project.command("cargo").args([
        "install",
        "--force",
        &format!("wasm-bindgen-cli@{version}"),
    ]))
}

fn wasm_opt_version(project: &Project) -> Option<String> {
    let wasm_opt = project.binaryen_bin().join("wasm-opt");
    probe(
        project
            .command(&wasm_opt.to_string_lossy())
            .arg("--version"),
    )
}

fn ensure_wasm_opt(project: &Project) -> Outcome {
    let major = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    let wanted = format!("version {major}");
    ensure_npm_tool(
        project,
        NpmTool {
            what: format!("wasm-opt {major} (binaryen, in .tools/)"),
            package: format!("binaryen@{BINARYEN_VERSION}"),
            prefix: project.binaryen_prefix(),
            version: &|| wasm_opt_version(project),
            is_wanted: &|version| version.contains(&wanted),
        },
    )
}

fn ensure_terser(project: &Project) -> Outcome {
    let terser = project.terser();
    let wanted = format!("terser {TERSER_VERSION}");
    ensure_npm_tool(
        project,
        NpmTool {
            what: format!("{wanted} (in .tools/)"),
            package: format!("terser@{TERSER_VERSION}"),
            prefix: project.terser_prefix(),
            version: &|| probe(project.command(&terser.to_string_lossy()).arg("--version")),
            is_wanted: &|version| version == wanted,
        },
    )
}

fn ensure_lightningcss(project: &Project) -> Outcome {
    let runs = || {
        probe(
            project
                .command(&project.lightningcss().to_string_lossy())
                .arg("--version"),
        )
    };
    // The command prints its own internal version; the package's manifest says which release.
    let manifest = project
        .lightningcss_prefix()
        .join("node_modules")
        .join("lightningcss-cli")
        .join("package.json");
    let installed = || {
        runs()?;
        let text = fs::read_to_string(&manifest).ok()?;
        let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
        manifest["version"].as_str().map(str::to_owned)
    };
    ensure_npm_tool(
        project,
        NpmTool {
            what: format!("lightningcss {LIGHTNINGCSS_VERSION} (in .tools/)"),
            package: format!("lightningcss-cli@{LIGHTNINGCSS_VERSION}"),
            prefix: project.lightningcss_prefix(),
            version: &installed,
            is_wanted: &|version| version == LIGHTNINGCSS_VERSION,
        },
    )
}

/// A command-line tool from npm, kept in its own folder under .tools/.
struct NpmTool<'a> {
    /// What setup reports, e.g. "terser 5.51.4 (in .tools/)".
    what: String,
    /// The npm package and version, e.g. "terser@5.51.4".
    package: String,
    prefix: PathBuf,
    /// What the installed tool prints as its version; `None` when it does not run.
    version: &'a dyn Fn() -> Option<String>,
    is_wanted: &'a dyn Fn(&str) -> bool,
}

/// Installs `tool` unless the installed one runs and is the wanted version, then checks it runs.
fn ensure_npm_tool(project: &Project, tool: NpmTool) -> Outcome {
    if (tool.version)().is_some_and(|version| (tool.is_wanted)(&version)) {
        ready(&tool.what);
        return Ok(());
    }
    require_program(
        project,
        "npm",
        "Node.js and npm (Debian: `apt-get install nodejs npm`)",
    )?;
    installing(&format!("{} from npm into .tools/", tool.package));
    npm_install(project, &tool.prefix, &tool.package)?;
    match (tool.version)() {
        Some(version) if (tool.is_wanted)(&version) => Ok(()),
        other => Err(Failure(format!(
            "{} does not run (it printed {other:?}); delete {} and run `cargo xtask setup` again",
            tool.package,
            tool.prefix.display()
        ))),
    }
}

/// `npm install <package>` into its own prefix under .tools/.
fn npm_install(project: &Project, prefix: &Path, package: &str) -> Outcome {
    fs::create_dir_all(prefix)
        .map_err(|e| Failure(format!("could not create {}: {e}", prefix.display())))?;
    run(project.command("npm").args([
        "install",
        "--prefix",
        &prefix.to_string_lossy(),
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        package,
    ]))
}

fn ensure_chromium() -> Outcome {
    let chromium = Project::chromium();
    let driver = Project::chromedriver();
    let present = || chromium.exists() && driver.exists();
    let by_hand = format!(
        "Install Chromium and ChromeDriver (Debian: `apt-get install chromium chromium-driver`), \
         or point the CHROMIUM and CHROMEDRIVER variables at them (looked for {} and {}).",
        chromium.display(),
        driver.display()
    );
    ensure_debian_packages(
        "Chromium and ChromeDriver",
        &["chromium", "chromium-driver"],
        &present,
        &by_hand,
    )
}

/// The server's tests start throwaway PostgreSQL clusters of their own: they need the
/// server's programs (initdb, pg_ctl), not a running service.
fn ensure_postgresql() -> Outcome {
    let present = || Project::postgresql_bin().is_some();
    let by_hand = "Install PostgreSQL's server programs (Debian: `apt-get install postgresql`), \
                   or point MAILSETUP_PG_BIN at the folder holding initdb and pg_ctl.";
    ensure_debian_packages("PostgreSQL", &["postgresql"], &present, by_hand)
}

/// The connection check's tests start a Dovecot and an Exim of their own (foreground, own
/// config files, loopback ports): they need the programs, not the system services.
fn ensure_mail_servers() -> Outcome {
    let present =
        || Path::new("/usr/sbin/dovecot").exists() && Path::new("/usr/sbin/exim4").exists();
    let by_hand = "Install Dovecot's IMAP server and Exim (Debian: \
                   `apt-get install dovecot-imapd exim4-daemon-light`); the tests need \
                   /usr/sbin/dovecot and /usr/sbin/exim4, not the running services.";
    ensure_debian_packages(
        "Dovecot and Exim",
        &["dovecot-imapd", "exim4-daemon-light"],
        &present,
        by_hand,
    )
}

/// Debian `packages` unless `present` says they are there; apt-get needs root. Otherwise the
/// failure says what to install by hand.
fn ensure_debian_packages(
    what: &str,
    packages: &[&str],
    present: &dyn Fn() -> bool,
    by_hand: &str,
) -> Outcome {
    if present() {
        ready(what);
        return Ok(());
    }
    let is_root = probe(std::process::Command::new("id").arg("-u")).as_deref() == Some("0");
    let has_apt = probe(std::process::Command::new("apt-get").arg("--version")).is_some();
    if !(has_apt && is_root) {
        return Err(Failure(by_hand.to_owned()));
    }
    installing(&format!("{what} (apt-get)"));
    run(std::process::Command::new("apt-get").args(["update", "-q"]))?;
    run(std::process::Command::new("apt-get")
        .args(["install", "-y", "-q"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    if present() {
        Ok(())
    } else {
        Err(Failure(by_hand.to_owned()))
    }
}

/// schemathesis in a virtual environment of its own under .tools/, so nothing is installed
/// into the machine's Python.
fn ensure_schemathesis(project: &Project) -> Outcome {
    let what = format!("schemathesis {SCHEMATHESIS_VERSION} (in .tools/)");
    let installed = probe(
        project
            .command(&project.schemathesis().to_string_lossy())
            .arg("--version"),
    );
    if installed.is_some_and(|version| version.contains(SCHEMATHESIS_VERSION)) {
        ready(&what);
        return Ok(());
    }
    require_program(
        project,
        "python3",
        "Python 3 with venv (Debian: `apt-get install python3-venv`)",
    )?;
    installing(&what);
    let venv = project.schemathesis_venv();
    run(project.command("python3").args(["-m", "venv"]).arg(&venv))?;
    run(project
        .command(&venv.join("bin").join("pip").to_string_lossy())
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")))
}

/// `npm ci` in `dir` when its node_modules does not match its package-lock.json. A copy of the
/// lock file taken after a successful install is the stamp that makes this idempotent.
fn ensure_npm_folder(project: &Project, dir: &Path, what: &str) -> Outcome {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules").join(".xtask-installed-lock.json");
    let lock_text =
        fs::read(&lock).map_err(|e| Failure(format!("could not read {}: {e}", lock.display())))?;
    if fs::read(&stamp).is_ok_and(|installed| installed == lock_text) {
        ready(what);
        return Ok(());
    }
    require_program(
        project,
        "npm",
        "Node.js and npm (Debian: `apt-get install nodejs npm`)",
    )?;
    installing(&format!("{what} (npm ci)"));
    run(project.command_in(dir, "npm").args([
        "ci",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]))?;
    fs::write(&stamp, &lock_text)
        .map_err(|e| Failure(format!("could not write {}: {e}", stamp.display())))
}

fn require_program(project: &Project, program: &str, what: &str) -> Outcome {
    if probe(project.command(program).arg("--version")).is_some() {
        Ok(())
    } else {
        Err(Failure(format!(
            "`{program}` was not found. Install {what}, then run this again."
        )))
    }
}

/// The exact version of `package` recorded in Cargo.lock.
pub fn locked_version(cargo_lock: &Path, package: &str) -> Outcome<String> {
    let text = fs::read_to_string(cargo_lock)
        .map_err(|e| Failure(format!("could not read {}: {e}", cargo_lock.display())))?;
    version_in_lock(&text, package).ok_or_else(|| {
        Failure(format!(
            "{} has no entry for {package}; run `cargo generate-lockfile`",
            cargo_lock.display()
        ))
    })
}

fn version_in_lock(lock_text: &str, package: &str) -> Option<String> {
    let lock: toml::Table = lock_text.parse().ok()?;
    lock.get("package")?
        .as_array()?
        .iter()
        .filter_map(|p| p.as_table())
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(package))
        .and_then(|p| p.get("version")?.as_str().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_exact_locked_version() {
        let lock = r#"
version = 4

[[package]]
name = "wasm-bindgen-futures"
version = "0.4.80"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
"#;
        assert_eq!(
            version_in_lock(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(version_in_lock(lock, "leptos"), None);
    }

    #[test]
    fn unreadable_lock_gives_no_version() {
        assert_eq!(version_in_lock("not [toml", "wasm-bindgen"), None);
    }
}
