//! The npm package `mailsetup` in `pkg/` (wasm-pack's folder): the component's library with its
//! JavaScript API, split like the page (`release::build_package_wasm`), the hand-written
//! modules and types of `web/package/` (`index.js`: `init` and `mount`; `element.js`:
//! `<mail-setup>`), the component's stylesheet, and a package.json whose version is the
//! crate's. Its files load each other by relative URL, so the folder works copied anywhere;
//! `npm pack` in it makes the tarball.
//!
//! Owns: what goes into the package and its package.json. Must not: build the wasm itself.

use std::fs;
use std::path::Path;

use crate::project::Project;
use crate::release;
use crate::run::{Failure, Outcome, run};

/// The hand-written files copied from `web/package/`.
const HAND_WRITTEN: &[&str] = &[
    "index.js",
    "index.d.ts",
    "element.js",
    "element.d.ts",
    "react.d.ts",
];

/// The stylesheet, as the package exports it (`mailsetup/mailsetup.css`).
const STYLESHEET: &str = "mailsetup.css";

/// Builds the package into `project.package_dir()`, emptied first.
pub fn build(project: &Project) -> Outcome {
    let out = project.package_dir();
    if out.exists() {
        fs::remove_dir_all(&out)
            .map_err(|e| Failure(format!("could not empty {}: {e}", out.display())))?;
    }
    release::build_package_wasm(project, &out)?;
    let sources = project.root().join("web").join("package");
    for name in HAND_WRITTEN {
        copy(&sources.join(name), &out.join(name))?;
    }
    // Minified as Trunk minifies dist/'s copy: a shadow root fetches it, a light-DOM host
    // links it.
    run(project
        .command(&project.lightningcss().to_string_lossy())
        .arg("--minify")
        .arg(project.root().join("style").join(STYLESHEET))
        .arg("--output-file")
        .arg(out.join(STYLESHEET)))?;
    let version = crate_version(&project.root().join("Cargo.toml"))?;
    let manifest = package_json(&version);
    let path = out.join("package.json");
    fs::write(&path, manifest)
        .map_err(|e| Failure(format!("could not write {}: {e}", path.display())))
}

/// `npm pack` of the package into `into`, which is emptied first; answers the tarball.
pub fn pack(project: &Project, into: &Path) -> Outcome<std::path::PathBuf> {
    if into.exists() {
        fs::remove_dir_all(into)
            .map_err(|e| Failure(format!("could not empty {}: {e}", into.display())))?;
    }
    fs::create_dir_all(into)
        .map_err(|e| Failure(format!("could not create {}: {e}", into.display())))?;
    run(project
        .command_in(&project.package_dir(), "npm")
        .args(["pack", "--loglevel=error", "--pack-destination"])
        .arg(into))?;
    fs::read_dir(into)
        .ok()
        .and_then(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .find(|path| path.extension().is_some_and(|ext| ext == "tgz"))
        })
        .ok_or_else(|| Failure(format!("npm pack left no tarball in {}", into.display())))
}

fn copy(from: &Path, to: &Path) -> Outcome {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| Failure(format!("could not copy {}: {e}", from.display())))
}

/// `[package] version` of the component's Cargo.toml.
fn crate_version(manifest: &Path) -> Outcome<String> {
    let text = fs::read_to_string(manifest)
        .map_err(|e| Failure(format!("could not read {}: {e}", manifest.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| Failure(format!("could not read {}: {e}", manifest.display())))?;
    table
        .get("package")
        .and_then(|package| package.get("version"))
        .and_then(|version| version.as_str())
        .map(str::to_owned)
        .ok_or_else(|| Failure(format!("{} names no [package] version", manifest.display())))
}

fn package_json(version: &str) -> String {
    let manifest = serde_json::json!({
        "name": "mailsetup",
        "version": version,
        "description": "Admin panel for per-domain IMAP/SMTP or Exchange settings, as a web component",
        "license": "MIT OR Apache-2.0",
        "type": "module",
        "main": "./index.js",
        "types": "./index.d.ts",
        "exports": {
            ".": { "types": "./index.d.ts", "default": "./index.js" },
            "./element": { "types": "./element.d.ts", "default": "./element.js" },
            "./react": { "types": "./react.d.ts" },
            "./mailsetup.css": "./mailsetup.css",
        },
        "files": ["*.js", "*.d.ts", "*.wasm", "mailsetup.css"],
        // Importing the element module defines <mail-setup>: bundlers must keep it.
        "sideEffects": ["./element.js"],
    });
    serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_exports_the_api_the_element_and_the_stylesheet() {
        let manifest: serde_json::Value = serde_json::from_str(&package_json("1.2.3")).unwrap();
        assert_eq!(manifest["name"], "mailsetup");
        assert_eq!(manifest["version"], "1.2.3");
        assert_eq!(manifest["exports"]["."]["default"], "./index.js");
        assert_eq!(manifest["exports"]["./element"]["types"], "./element.d.ts");
        assert_eq!(manifest["exports"]["./mailsetup.css"], "./mailsetup.css");
        assert_eq!(manifest["sideEffects"][0], "./element.js");
    }

    /// Every selector of the stylesheet a host page links, outside keyframes.
    fn selectors(css: &str) -> Vec<String> {
        let mut text = String::new();
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            text.push_str(&rest[..start]);
            rest = rest[start..]
                .split_once("*/")
                .map_or("", |(_, after)| after);
        }
        text.push_str(rest);
        let mut found = Vec::new();
        let mut in_keyframes = 0usize;
        let mut depth = 0usize;
        let mut last = 0;
        for (at, c) in text.char_indices() {
            match c {
                '{' => {
                    let prelude = text[last..at].trim();
                    if prelude.starts_with("@keyframes") {
                        in_keyframes = depth + 1;
                    } else if !prelude.starts_with('@') && in_keyframes == 0 {
                        found.extend(prelude.split(',').map(|s| s.trim().to_owned()));
                    }
                    depth += 1;
                    last = at + 1;
                }
                '}' => {
                    if in_keyframes == depth {
                        in_keyframes = 0;
                    }
                    depth = depth.saturating_sub(1);
                    last = at + 1;
                }
                ';' => last = at + 1,
                _ => {}
            }
        }
        found
    }

    #[test]
    fn every_selector_of_the_stylesheet_is_prefixed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let css = fs::read_to_string(root.join("style").join(STYLESHEET)).unwrap();
        let selectors = selectors(&css);
        assert!(selectors.len() > 100, "{} selectors", selectors.len());
        for selector in selectors {
            assert!(
                selector.starts_with(".ms-") || selector.starts_with(":host"),
                "{selector:?} could reach the host page's own elements"
            );
        }
        assert_eq!(
            selectors_of_sample(),
            [".ms-a", ":host", ".ms-b .ms-c"],
            "the reader itself"
        );
    }

    fn selectors_of_sample() -> Vec<String> {
        selectors(
            "/* x { } */ .ms-a, :host { --x: 1; }\n@media (width < 1px) { .ms-b .ms-c { a: b } }\n\
             @keyframes ms-spin { from { a: b } to { a: c } }",
        )
    }

    #[test]
    fn the_version_is_the_crates() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let version = crate_version(&root.join("Cargo.toml")).unwrap();
        assert!(version.split('.').count() == 3, "{version}");
    }
}
