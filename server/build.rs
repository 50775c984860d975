//! Tells cargo when to build the server again because the npm package it embeds (`pkg/` at the
//! workspace root, made by `cargo xtask dist`; see `src/routes/package_files.rs`) changed,
//! appeared or went away.
//!
//! Owns: the `rerun-if-changed` lines for `pkg/`. Must not: write anywhere but `OUT_DIR`, or
//! read the package (the `RustEmbed` derive does, when the crate compiles).
//!
//! With `pkg/` there, cargo watches the folder itself (it scans a folder for the newest
//! modification time, and a folder that goes away makes the build stale). Without it, watching
//! the missing path would make every build stale, so cargo watches instead a folder of
//! `OUT_DIR` that holds only a symbolic link to where `pkg/` would be: while the link dangles
//! cargo skips it and the folder (its time set to long ago) stays older than the last build;
//! once `pkg/` exists the link resolves, and the link itself, made anew on this run, is newer
//! than the last build, even when `pkg/` was copied with its old times kept (`cp -a`).

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace = manifest_dir.parent().unwrap_or(&manifest_dir);
    let package = workspace.join("pkg");
    if package.is_dir() {
        println!("cargo:rerun-if-changed={}", package.display());
        return;
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let watched = out_dir.join("package-appears");
    let link = watched.join("pkg");
    let prepared = std::fs::create_dir_all(&watched)
        .and_then(|()| match std::fs::remove_file(&link) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        })
        .and_then(|()| std::os::unix::fs::symlink(&package, &link))
        .and_then(|()| std::fs::File::open(&watched))
        .and_then(|folder| folder.set_modified(UNIX_EPOCH + Duration::from_secs(1)));
    match prepared {
        Ok(()) => println!("cargo:rerun-if-changed={}", watched.display()),
        // Without the link, run again on every build rather than miss a package.
        Err(error) => {
            println!(
                "cargo:warning=cannot watch for pkg/ appearing ({error}); the server will be built on every build"
            );
            println!("cargo:rerun-if-changed={}", package.display());
        }
    }
}
