//! How the release build is made: `trunk build --release` with the size settings below, then
//! the wasm-bindgen glue minified. `dist`, `test`, `serve --release` and the bench's floor page
//! all build through here, so the component and its baseline are built alike.

use std::fs;
use std::path::Path;

use crate::project::Project;
use crate::run::{Failure, Outcome, run};

/// The standard library is compiled from source (rustup's `rust-src`) for size, and panics
/// abort on the spot instead of formatting a message: the first visit went from 276.0 to
/// 257.7 KB gzip when this came in (the std rebuild alone gave 5 KB of it, aborting without a
/// message the rest). The price: a panic in the release build shows in the console as
/// "RuntimeError: unreachable" without its message; `cargo xtask serve` (a debug build) keeps
/// the messages. These flags replace `.cargo/config.toml`'s for this build, so they repeat its
/// `erase_components`.
const SIZE_BUILD_RUSTFLAGS: &[&str] = &[
    "--cfg",
    "erase_components",
    "-Zunstable-options",
    "-Cpanic=immediate-abort",
];

/// Builds the Trunk project in `dir` for release into `dist`, then minifies its JS glue.
pub fn build(project: &Project, dir: &Path, dist: &Path) -> Outcome {
    run(project
        .command_in(dir, "trunk")
        .args(["build", "--release", "--dist"])
        .arg(dist)
        // Cargo and rustc accept `-Z` options from a stable toolchain only with this set.
        // Unstable options can change between toolchains: checked on 1.95 (rust-version).
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            SIZE_BUILD_RUSTFLAGS.join(" "),
        ))?;
    minify_glue(project, dist)
}

/// Trunk's own JS minifier gives up on wasm-bindgen's glue (it leaves the file as it was), so
/// terser minifies it: 43.9 -> 19.6 KB raw, 7.7 -> 5.7 KB gzip when this came in. Only the glue:
/// `boot.js` is loaded with a subresource-integrity hash Trunk computed, which must keep
/// matching, and it is tiny. The glue is imported by boot.js by name, without such a hash.
fn minify_glue(project: &Project, dist: &Path) -> Outcome {
    for glue in glue_files(dist)? {
        let path = glue.to_string_lossy();
        run(project.command(&project.terser().to_string_lossy()).args([
            &*path,
            "--module",
            "--compress",
            "--mangle",
            "--output",
            &*path,
        ]))?;
    }
    Ok(())
}

/// wasm-bindgen's JS beside each `.wasm` file: `name_bg.wasm` goes with `name.js`.
fn glue_files(dist: &Path) -> Outcome<Vec<std::path::PathBuf>> {
    let entries = fs::read_dir(dist)
        .map_err(|e| Failure(format!("could not read {}: {e}", dist.display())))?;
    let mut glue = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix("_bg.wasm") {
            let js = dist.join(format!("{stem}.js"));
            if !js.exists() {
                return Err(Failure(format!(
                    "{name} has no JS glue beside it ({} is missing)",
                    js.display()
                )));
            }
            glue.push(js);
        }
    }
    if glue.is_empty() {
        return Err(Failure(format!("no wasm module in {}", dist.display())));
    }
    Ok(glue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_glue_beside_each_module() {
        let dir = std::env::temp_dir().join(format!("xtask-glue-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        for name in ["app-1a2b_bg.wasm", "app-1a2b.js", "boot-99.js", "style.css"] {
            fs::write(dir.join(name), "").unwrap();
        }
        assert_eq!(glue_files(&dir).unwrap(), vec![dir.join("app-1a2b.js")]);
        fs::remove_file(dir.join("app-1a2b.js")).unwrap();
        assert!(glue_files(&dir).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
