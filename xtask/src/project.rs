//! Where things live in the repository, and the environment every child command runs with.
//!
//! Owns paths and environment only; it does not decide what to install or run.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Browser paths can be overridden for machines where Chromium lives elsewhere.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The repository this xtask belongs to.
pub struct Project {
    root: PathBuf,
}

impl Project {
    /// The workspace root: the parent of the xtask package.
    pub fn locate() -> Project {
        let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let root = manifest_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(manifest_dir);
        Project { root }
    }

    /// The repository's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Project-local tools that must not be installed globally (wasm-opt from npm).
    pub fn tools_dir(&self) -> PathBuf {
        self.root.join(".tools")
    }

    /// The npm prefix that holds binaryen's `wasm-opt`.
    pub fn binaryen_prefix(&self) -> PathBuf {
        self.tools_dir().join("binaryen")
    }

    pub fn binaryen_bin(&self) -> PathBuf {
        self.binaryen_prefix().join("node_modules").join(".bin")
    }

    /// The npm prefix that holds terser, the JS minifier of the release build.
    pub fn terser_prefix(&self) -> PathBuf {
        self.tools_dir().join("terser")
    }

    pub fn terser(&self) -> PathBuf {
        self.terser_prefix()
            .join("node_modules")
            .join(".bin")
            .join("terser")
    }

    /// The virtual environment that holds schemathesis.
    pub fn schemathesis_venv(&self) -> PathBuf {
        self.tools_dir().join("schemathesis")
    }

    pub fn schemathesis(&self) -> PathBuf {
        self.schemathesis_venv().join("bin").join("st")
    }

    /// The folder with PostgreSQL's server programs (initdb, pg_ctl): `MAILSETUP_PG_BIN`, else
    /// the newest `/usr/lib/postgresql/<version>/bin` (Debian's layout).
    pub fn postgresql_bin() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("MAILSETUP_PG_BIN") {
            let dir = PathBuf::from(dir);
            return dir.join("initdb").exists().then_some(dir);
        }
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let version = entry.file_name().to_str()?.parse().ok()?;
                let bin = entry.path().join("bin");
                bin.join("initdb").exists().then_some((version, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    }

    pub fn lightningcss_prefix(&self) -> PathBuf {
        self.tools_dir().join("lightningcss")
    }

    pub fn lightningcss(&self) -> PathBuf {
        self.lightningcss_prefix()
            .join("node_modules")
            .join(".bin")
            .join("lightningcss")
    }

    pub fn e2e_dir(&self) -> PathBuf {
        self.root.join("tests").join("e2e")
    }

    /// The Vite + React host app the Playwright suite drives (`tests/e2e/react-host`).
    pub fn react_host_dir(&self) -> PathBuf {
        self.e2e_dir().join("react-host")
    }

    /// The release build that the size report and the Playwright suite check.
    pub fn dist_dir(&self) -> PathBuf {
        self.root.join("dist")
    }

    /// The npm package (`package.rs`), wasm-pack's folder name.
    pub fn package_dir(&self) -> PathBuf {
        self.root.join("pkg")
    }

    /// Where `cargo xtask serve --release` builds (the debug server's folder, `target/serve`,
    /// is Trunk.toml's `dist`).
    pub fn serve_release_dir(&self) -> PathBuf {
        self.root.join("target").join("serve-release")
    }

    /// Where cargo puts what it builds: `CARGO_TARGET_DIR` when set, else `target/`.
    pub fn target_dir(&self) -> PathBuf {
        env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|dir| {
                if dir.is_absolute() {
                    dir
                } else {
                    self.root.join(dir)
                }
            })
            .unwrap_or_else(|| self.root.join("target"))
    }

    /// Scratch output of xtask runs (reports, test results); inside target/ so `git status` stays clean.
    pub fn xtask_output_dir(&self) -> PathBuf {
        self.root.join("target").join("xtask")
    }

    pub fn cargo_lock(&self) -> PathBuf {
        self.root.join("Cargo.lock")
    }

    /// Where `cargo install` puts binaries.
    pub fn cargo_bin_dir() -> PathBuf {
        if let Some(home) = env::var_os("CARGO_HOME") {
            return PathBuf::from(home).join("bin");
        }
        let home = env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
        home.join(".cargo").join("bin")
    }

    pub fn chromium() -> PathBuf {
        env::var_os("CHROMIUM")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM))
    }

    pub fn chromedriver() -> PathBuf {
        env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMEDRIVER))
    }

    /// PATH with the project-local tools and cargo's bin folder first, so Trunk finds the
    /// pinned wasm-opt and wasm-bindgen instead of trying to download them.
    pub fn path_env(&self) -> OsString {
        let mut dirs = vec![self.binaryen_bin(), Self::cargo_bin_dir()];
        if let Some(existing) = env::var_os("PATH") {
            dirs.extend(env::split_paths(&existing));
        }
        env::join_paths(dirs).unwrap_or_else(|_| env::var_os("PATH").unwrap_or_default())
    }

    /// A command that runs in `dir` with the project's PATH and browser settings.
    pub fn command_in(&self, dir: &Path, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(dir)
            .env("PATH", self.path_env())
            .env("CHROMEDRIVER", Self::chromedriver())
            .env("CHROMIUM", Self::chromium())
            // Playwright must use Debian's Chromium; its own browser download cannot work here.
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        // The server's tests start PostgreSQL clusters with these programs.
        if let Some(bin) = Self::postgresql_bin() {
            command.env("MAILSETUP_PG_BIN", bin);
        }
        command
    }

    /// A command that runs at the repository root.
    pub fn command(&self, program: &str) -> Command {
        self.command_in(&self.root, program)
    }
}
