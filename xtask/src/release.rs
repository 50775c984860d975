//! How the release build is made. Trunk builds the page (HTML, CSS, icon, boot.js: hashed and
//! minified); xtask builds the wasm itself, because the wasm is split and Trunk 0.21 cannot split
//! (trunk-rs/trunk#1022):
//!
//! 1. cargo builds the wasm for size, with `--cfg split_chunks`: the parts the component
//!    declares with `on_demand!` (`src/ui/on_demand.rs`) become split points;
//! 2. `wasm_split_cli_support` moves the code only those functions reach into wasm chunks of
//!    their own, and writes the small JS module that fetches a chunk the first time it is needed;
//! 3. wasm-bindgen writes the JS glue of what stays (the first download), wasm-opt shrinks every
//!    module and terser the JS;
//! 4. every file gets the build's hash in its name, and the page's `#mailsetup-boot` block names
//!    the glue and the main module for web/boot.js.
//!
//! `dist`, `test`, `serve --release` and the bench's floor page all build through here, so the
//! component and its baseline are built alike. `cargo xtask serve` (debug) stays with Trunk
//! alone: without `split_chunks` the marked functions are plain calls.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::first_chunk;
use crate::project::Project;
use crate::run::{Failure, Outcome, run, run_and_capture_quietly};

/// The standard library is compiled from source (rustup's `rust-src`) for size, and panics
/// abort on the spot instead of formatting a message: the first visit went from 276.0 to
/// 257.7 KB gzip when this came in (the std rebuild alone gave 5 KB of it, aborting without a
/// message the rest). The price: a panic in the release build shows in the console as
/// "RuntimeError: unreachable" without its message; `cargo xtask serve` (a debug build) keeps
/// the messages. These flags replace `.cargo/config.toml`'s for this build, so they repeat its
/// `erase_components`. `--emit-relocs` keeps the linker's relocations, which the splitter needs
/// to move code and data between modules.
const SIZE_BUILD_RUSTFLAGS: &[&str] = &[
    "--cfg",
    "erase_components",
    "--cfg",
    "split_chunks",
    "-Zunstable-options",
    "-Cpanic=immediate-abort",
    "-Clink-arg=--emit-relocs",
];

/// The wasm features rustc 1.95 emits for wasm32-unknown-unknown; wasm-opt must accept them all
/// (a split module carries no feature list for it to read).
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Where the page Trunk builds is written: a folder beside index.html without a Cargo.toml, as
/// Trunk builds the crate beside a page that has no Rust link of its own. Each build has its
/// own (`.release-page-<process id>`), so `serve --release` and `test` can build side by side.
const RELEASE_PAGE_DIR: &str = ".release-page";

/// What marks a file that a first visit does not download: a wasm chunk, fetched when the part
/// of the component it holds is first shown. The size report and the tests go by this.
pub const ON_DEMAND_MARK: &str = "-lazy-";

/// Builds the Trunk project in `dir` for release into `dist`.
pub fn build(project: &Project, dir: &Path, dist: &Path) -> Outcome {
    let index = dir.join("index.html");
    let html = fs::read_to_string(&index)
        .map_err(|e| Failure(format!("could not read {}: {e}", index.display())))?;
    let page = ReleasePage::from_index(&html)?;
    build_page(project, dir, dist, &page.html)?;
    let wasm = build_wasm(project, dir, WasmTarget::Bin(&page.bin))?;
    let input =
        fs::read(&wasm).map_err(|e| Failure(format!("could not read {}: {e}", wasm.display())))?;
    let names = Names::hashed(&page.bin, &input);
    split_bind_and_shrink(project, &wasm, &names, dist)?;
    // A page whose code needs no chunk (the bench's floor) has no chunk loader.
    let modules: Vec<String> = [names.glue(), names.chunk_loader()]
        .into_iter()
        .filter(|module| dist.join(module).is_file())
        .collect();
    write_boot_block(&dist.join("index.html"), &modules, &names.main_module())
}

/// The stem of the package's wasm files: `mailsetup-wasm.js` (wasm-bindgen's glue, which the
/// package's own `index.js` imports), `mailsetup-wasm_bg.wasm`, `mailsetup-wasm-lazy-….wasm`.
/// Not hashed: the package's version names them, and its hand-written modules refer to them.
pub const PACKAGE_WASM_STEM: &str = "mailsetup-wasm";

/// Builds the component's library with its JavaScript API (the `js-api` feature) as a
/// cdylib, split like the page's wasm, into `out` (the npm package's folder, `pkg/`).
pub fn build_package_wasm(project: &Project, out: &Path) -> Outcome {
    let wasm = build_wasm(project, project.root(), WasmTarget::Library)?;
    let names = Names {
        stem: PACKAGE_WASM_STEM.to_owned(),
    };
    split_bind_and_shrink(project, &wasm, &names, out)
}

/// What cargo builds for a release.
#[derive(Clone, Copy)]
enum WasmTarget<'a> {
    /// A page's binary, without the JavaScript API.
    Bin(&'a str),
    /// The component's library as a cdylib, with the JavaScript API.
    Library,
}

/// index.html, split into what Trunk builds and the binary xtask builds.
#[derive(Debug, PartialEq)]
struct ReleasePage {
    /// The page without its `<link data-trunk rel="rust">` line, for a folder one below
    /// index.html's: the paths of Trunk's assets start with `../`.
    html: String,
    /// The line's `data-bin`: the binary whose wasm the page starts.
    bin: String,
}

impl ReleasePage {
    fn from_index(html: &str) -> Outcome<ReleasePage> {
        let mut kept = String::with_capacity(html.len());
        let mut bin = None;
        for line in html.lines() {
            if line.contains("data-trunk") && line.contains(r#"rel="rust""#) {
                bin = attribute(line, "data-bin");
                if bin.is_none() {
                    return Err(Failure(format!(
                        "the Rust link of index.html names no data-bin: {}",
                        line.trim()
                    )));
                }
            } else if line.contains("data-trunk") {
                kept.push_str(
                    &line
                        .replace("href=\"", "href=\"../")
                        .replace("src=\"", "src=\"../"),
                );
                kept.push('\n');
            } else {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        let bin = bin.ok_or_else(|| {
            Failure("index.html has no <link data-trunk rel=\"rust\" data-bin=…> line".into())
        })?;
        Ok(ReleasePage { html: kept, bin })
    }
}

/// The value of `name="value"` in one line of HTML.
fn attribute(line: &str, name: &str) -> Option<String> {
    let start = line.find(&format!("{name}=\""))? + name.len() + 2;
    let length = line[start..].find('"')?;
    Some(line[start..start + length].to_owned())
}

/// Trunk builds the page from a folder beside index.html, which goes again afterwards.
fn build_page(project: &Project, dir: &Path, dist: &Path, html: &str) -> Outcome {
    let folder = dir.join(format!("{RELEASE_PAGE_DIR}-{}", std::process::id()));
    let page = folder.join("index.html");
    fs::create_dir_all(&folder)
        .and_then(|()| fs::write(&page, html))
        .map_err(|e| Failure(format!("could not write {}: {e}", page.display())))?;
    let result = run(project
        .command_in(dir, "trunk")
        .args(["build", "--release", "--dist"])
        .arg(dist)
        .arg(&page));
    let _ = fs::remove_dir_all(&folder);
    result
}

/// cargo's release wasm of `target`, built for size with its split points marked. The file
/// comes from cargo's own report (`--message-format=json`), not from the target folder: the
/// page's binary and the library are both called `mailsetup.wasm` there.
fn build_wasm(project: &Project, dir: &Path, target: WasmTarget) -> Outcome<PathBuf> {
    let mut command = project.command_in(dir, "cargo");
    match target {
        WasmTarget::Bin(bin) => command.args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--bin",
            bin,
            // The page's binary mounts the component from Rust: the JavaScript API's exports
            // (the `js-api` feature) stay out of its download.
            "--no-default-features",
        ]),
        WasmTarget::Library => command.args([
            "rustc",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--package",
            "mailsetup",
            "--lib",
            "--crate-type",
            "cdylib",
        ]),
    };
    command
        .arg("--message-format=json-render-diagnostics")
        // Cargo and rustc accept `-Z` options from a stable toolchain only with this set.
        // Unstable options can change between toolchains: checked on 1.95 (rust-version).
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        // The standard library's smaller variants of its sorts and number formatting: 3.7 KB
        // gzip less in the first visit (218.0 -> 214.3 KB). The component sorts nothing large
        // (the book is kept sorted) and formats few numbers, so nothing it does is slower.
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            SIZE_BUILD_RUSTFLAGS.join(" "),
        );
    let report = run_and_capture_quietly(&mut command)?;
    built_wasm(&report).ok_or_else(|| Failure("cargo reported no .wasm file for the build".into()))
}

/// The last `.wasm` file cargo's JSON messages name (the top-level artifact comes last).
fn built_wasm(report: &str) -> Option<PathBuf> {
    report
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter_map(|message| {
            message["filenames"]
                .as_array()?
                .iter()
                .filter_map(|name| name.as_str())
                .find(|name| name.ends_with(".wasm"))
                .map(PathBuf::from)
        })
        .next()
}

/// The file names of one build: the build's hash in each, so a browser never mixes a cached
/// file of an older build with a newer one (a chunk must come from the same build as the main
/// module it links to).
struct Names {
    /// `mailsetup-<hash>`: the glue is `<stem>.js`, the main module `<stem>_bg.wasm`.
    stem: String,
}

impl Names {
    fn hashed(bin: &str, wasm: &[u8]) -> Names {
        let mut hasher = DefaultHasher::new();
        wasm.hash(&mut hasher);
        Names {
            stem: format!("{bin}-{:016x}", hasher.finish()),
        }
    }

    fn glue(&self) -> String {
        format!("{}.js", self.stem)
    }

    fn main_module(&self) -> String {
        format!("{}_bg.wasm", self.stem)
    }

    /// The JS module that loads chunks (imported by the glue).
    fn chunk_loader(&self) -> String {
        format!("{}-chunks.js", self.stem)
    }

    /// A chunk that the splitter called `<split_name>.wasm`: `split_banners_code` (one part's
    /// own code, see `src/ui/on_demand.rs`) becomes `…-lazy-banners_code.wasm`, `chunk_4` (code
    /// that several parts share) `…-lazy-chunk_4.wasm`.
    fn chunk(&self, split_name: &str) -> String {
        let name = split_name.strip_prefix("split_").unwrap_or(split_name);
        format!("{}{ON_DEMAND_MARK}{name}.wasm", self.stem)
    }
}

/// Splits, binds and shrinks `wasm`, and puts the results into `dist` under `names`.
fn split_bind_and_shrink(project: &Project, wasm: &Path, names: &Names, dist: &Path) -> Outcome {
    let staging = std::env::temp_dir().join(format!(
        "mailsetup-release-{}-{}",
        names.stem,
        std::process::id()
    ));
    let result = assemble(project, wasm, names, &staging, dist);
    let _ = fs::remove_dir_all(&staging);
    result
}

fn assemble(project: &Project, wasm: &Path, names: &Names, staging: &Path, dist: &Path) -> Outcome {
    let input =
        fs::read(wasm).map_err(|e| Failure(format!("could not read {}: {e}", wasm.display())))?;
    fs::create_dir_all(dist)
        .map_err(|e| Failure(format!("could not create {}: {e}", dist.display())))?;
    let split_dir = staging.join("split");
    let bound_dir = staging.join("bound");
    let main_wasm = split_dir.join("main.wasm");
    let glue = names.glue();
    let loader_link = format!("./{}", names.chunk_loader());
    let main_link = format!("./{glue}");
    println!("$ wasm-split {} -> {}", wasm.display(), split_dir.display());
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &split_dir;
        options.main_out_path = &main_wasm;
        options.link_name = &loader_link;
        options.main_module = &main_link;
        options
    })
    .map_err(|e| Failure(format!("splitting {} failed: {e:#}", wasm.display())))?;

    run(project
        .command("wasm-bindgen")
        .args(["--target", "web", "--keep-lld-exports", "--no-typescript"])
        .args(["--out-name", &names.stem, "--out-dir"])
        .arg(&bound_dir)
        .arg(&main_wasm))?;
    // wasm-opt drops the name section: what the first chunk holds is read before it does.
    first_chunk::record(project, &bound_dir.join(names.main_module()), dist)?;
    optimize(
        project,
        &bound_dir.join(names.main_module()),
        &dist.join(names.main_module()),
    )?;
    minify(project, &bound_dir.join(&glue), &dist.join(&glue))?;

    let loader = split_dir.join(names.chunk_loader());
    let mut loader_js = fs::read_to_string(&loader)
        .map_err(|e| Failure(format!("could not read {}: {e}", loader.display())))?;
    for chunk in &split.split_modules {
        let split_name = chunk
            .file_stem()
            .and_then(|stem| stem.to_str())
            .ok_or_else(|| Failure(format!("unexpected chunk name {}", chunk.display())))?;
        let hashed = names.chunk(split_name);
        loader_js = rename_reference(&loader_js, &format!("{split_name}.wasm"), &hashed)?;
        optimize(project, chunk, &dist.join(&hashed))?;
    }
    fs::write(&loader, loader_js)
        .map_err(|e| Failure(format!("could not write {}: {e}", loader.display())))?;
    minify(project, &loader, &dist.join(names.chunk_loader()))
}

/// The loader refers to each chunk as `"./<name>"`; points it at the hashed name instead.
fn rename_reference(loader_js: &str, name: &str, hashed: &str) -> Outcome<String> {
    let quoted = format!("\"./{name}\"");
    if !loader_js.contains(&quoted) {
        return Err(Failure(format!(
            "the chunk loader does not refer to {quoted}; has wasm_split_cli_support changed \
             how it names chunks?"
        )));
    }
    Ok(loader_js.replace(&quoted, &format!("\"./{hashed}\"")))
}

fn optimize(project: &Project, from: &Path, to: &Path) -> Outcome {
    run(project
        .command(&project.binaryen_bin().join("wasm-opt").to_string_lossy())
        .arg("-Oz")
        .args(WASM_FEATURES)
        .arg(from)
        .arg("-o")
        .arg(to))
}

/// terser, as Trunk's own minifier gives up on wasm-bindgen's glue: 43.9 -> 19.6 KB raw,
/// 7.7 -> 5.7 KB gzip when it came in.
fn minify(project: &Project, from: &Path, to: &Path) -> Outcome {
    run(project
        .command(&project.terser().to_string_lossy())
        .arg(from)
        .args(["--module", "--compress", "--mangle", "--output"])
        .arg(to))
}

/// Names the glue and the main module for web/boot.js, as Trunk's `pattern_script` does in the
/// debug build (Trunk.toml): a JSON block, which a CSP without 'unsafe-inline' allows.
fn write_boot_block(index: &Path, modules: &[String], main_module: &str) -> Outcome {
    let html = fs::read_to_string(index)
        .map_err(|e| Failure(format!("could not read {}: {e}", index.display())))?;
    let html = with_boot_block(&html, modules, main_module)?;
    fs::write(index, html).map_err(|e| Failure(format!("could not write {}: {e}", index.display())))
}

/// `modules`: the glue first (what web/boot.js imports), then any module it imports. Each, and
/// the main wasm module, is also announced as a preload, so the browser fetches them while it
/// reads the page rather than after web/boot.js has run (one round trip less before the wasm
/// arrives). A `fetch` preload is `crossorigin` to match the CORS mode of boot.js's `fetch`.
fn with_boot_block(html: &str, modules: &[String], main_module: &str) -> Outcome<String> {
    let at = html
        .find("</head>")
        .ok_or_else(|| Failure("the built page has no </head> to put the boot block in".into()))?;
    let glue = modules
        .first()
        .ok_or_else(|| Failure("the boot block needs the glue module".into()))?;
    let preloads: String = modules
        .iter()
        .map(|module| format!("<link rel=modulepreload href=./{module}>"))
        .chain([format!(
            "<link rel=preload href=./{main_module} as=fetch type=application/wasm crossorigin>"
        )])
        .collect();
    let block = format!(
        r#"<script id=mailsetup-boot type=application/json>{{"js":"{glue}","wasm":"{main_module}"}}</script>"#
    );
    Ok(format!("{}{preloads}{block}{}", &html[..at], &html[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loses_its_rust_link_and_names_its_binary() {
        let html = "<head>\n  <link data-trunk rel=\"css\" href=\"a.css\">\n  <link data-trunk rel=\"rust\" data-bin=\"app\" data-wasm-opt=\"z\">\n  <script data-trunk src=\"web/boot.js\"></script>\n  <link rel=\"icon\" href=\"data:,\">\n</head>\n";
        let page = ReleasePage::from_index(html).unwrap();
        assert_eq!(page.bin, "app");
        assert_eq!(
            page.html,
            "<head>\n  <link data-trunk rel=\"css\" href=\"../a.css\">\n  <script data-trunk src=\"../web/boot.js\"></script>\n  <link rel=\"icon\" href=\"data:,\">\n</head>\n"
        );
        assert!(ReleasePage::from_index("<head></head>").is_err());
        assert!(ReleasePage::from_index("<link data-trunk rel=\"rust\">").is_err());
    }

    #[test]
    fn the_built_wasm_is_the_last_artifact_cargo_reports() {
        let report = concat!(
            r#"{"reason":"compiler-artifact","filenames":["/t/deps/libcore.rlib"]}"#,
            "
",
            r#"{"reason":"compiler-artifact","filenames":["/t/deps/mailsetup-1.wasm","/t/deps/libmailsetup.rlib"]}"#,
            "
",
            r#"{"reason":"build-finished","success":true}"#,
            "
"
        );
        assert_eq!(
            built_wasm(report),
            Some(PathBuf::from("/t/deps/mailsetup-1.wasm"))
        );
        assert_eq!(
            built_wasm(
                "not json
"
            ),
            None
        );
    }

    #[test]
    fn chunk_references_follow_their_hashed_names() {
        let js = r#"const a = fetch(new URL("./split_x.wasm", import.meta.url));"#;
        let renamed = rename_reference(js, "split_x.wasm", "app-1-lazy-split_x.wasm").unwrap();
        assert_eq!(
            renamed,
            r#"const a = fetch(new URL("./app-1-lazy-split_x.wasm", import.meta.url));"#
        );
        assert!(rename_reference(js, "chunk_0.wasm", "x.wasm").is_err());
    }

    #[test]
    fn names_carry_the_build_hash_and_mark_chunks() {
        let one = Names::hashed("app", b"one");
        let two = Names::hashed("app", b"two");
        assert_ne!(one.stem, two.stem);
        assert_eq!(one.glue(), format!("{}.js", one.stem));
        assert_eq!(one.main_module(), format!("{}_bg.wasm", one.stem));
        assert_eq!(
            one.chunk("split_banners_code"),
            format!("{}{ON_DEMAND_MARK}banners_code.wasm", one.stem)
        );
        assert_eq!(
            one.chunk("chunk_4"),
            format!("{}{ON_DEMAND_MARK}chunk_4.wasm", one.stem)
        );
        assert!(!one.main_module().contains(ON_DEMAND_MARK));
        assert!(!one.chunk_loader().contains(ON_DEMAND_MARK));
    }

    #[test]
    fn the_boot_block_goes_into_the_head() {
        let modules = ["a.js".to_owned(), "a-chunks.js".to_owned()];
        let html = with_boot_block(
            "<head><title>x</title></head><body></body>",
            &modules,
            "a_bg.wasm",
        )
        .unwrap();
        assert_eq!(
            html,
            concat!(
                "<head><title>x</title>",
                "<link rel=modulepreload href=./a.js><link rel=modulepreload href=./a-chunks.js>",
                "<link rel=preload href=./a_bg.wasm as=fetch type=application/wasm crossorigin>",
                r#"<script id=mailsetup-boot type=application/json>{"js":"a.js","wasm":"a_bg.wasm"}</script>"#,
                "</head><body></body>"
            )
        );
        assert!(with_boot_block("<body></body>", &modules, "a_bg.wasm").is_err());
        assert!(with_boot_block("<head></head>", &[], "a_bg.wasm").is_err());
    }
}
