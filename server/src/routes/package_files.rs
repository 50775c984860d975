//! [`PackageFiles`]: where the component's files (the built npm package, `pkg/`) come from —
//! a folder on disk (`--web-root`, for development) or the copy embedded in the binary when it
//! was built (`rust-embed`; `build.rs` rebuilds the server when `pkg/` changes) — and reading
//! one of them the same way from either: which requested paths name a file, its content type
//! and its entity tag.
//!
//! Owns: the path rule (plain names only, no dot-names, nothing whose real path leaves the
//! folder), content types by extension, entity tags and their comparison. Must not: know about
//! HTTP beyond the tag (`web.rs` answers), or list a folder.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::body::Bytes;
use rust_embed::RustEmbed;

use crate::configuration::WEB_ROOT_ENTRY_FILE;

/// The package as it was in `pkg/` when the server was built: nothing when there was none.
#[derive(RustEmbed)]
#[folder = "../pkg/"]
#[allow_missing = true]
struct EmbeddedPackage;

/// Whether this binary was built with a package in `pkg/` (its entry file, at least).
pub fn embedded_package_present() -> bool {
    EmbeddedPackage::get(WEB_ROOT_ENTRY_FILE).is_some()
}

/// Where the package's files are read from.
#[derive(Debug, Clone)]
pub enum PackageFiles {
    /// `--web-root`: a folder's real path (the configuration resolved it).
    Folder(PathBuf),
    /// The package embedded at build time.
    Embedded,
}

impl PackageFiles {
    /// `--web-root` when given; otherwise the embedded package when `use_embedded` and the
    /// binary has one; otherwise none.
    pub fn choose(web_root: Option<PathBuf>, use_embedded: bool) -> Option<PackageFiles> {
        match web_root {
            Some(folder) => Some(PackageFiles::Folder(folder)),
            None => (use_embedded && embedded_package_present()).then_some(PackageFiles::Embedded),
        }
    }

    /// Reads `requested` (the path after `/mailsetup/`, decoded), or `None` when it names no
    /// file of the package. Blocking for a folder: run it off the async threads.
    pub fn read(&self, requested: &str, known_tags: Option<&str>) -> Option<PackageFile> {
        if !is_plain_path(requested) {
            return None;
        }
        match self {
            PackageFiles::Folder(root) => read_from_folder(root, requested, known_tags),
            PackageFiles::Embedded => {
                let file = EmbeddedPackage::get(requested)?;
                let hash = hex::encode(&file.metadata.sha256_hash()[..8]);
                let tag = entity_tag(file.data.len() as u64, &hash);
                if known_tags.is_some_and(|known| tag_matches(known, &tag)) {
                    return Some(PackageFile::Unchanged { tag });
                }
                let bytes = match file.data {
                    Cow::Borrowed(bytes) => Bytes::from_static(bytes),
                    Cow::Owned(bytes) => Bytes::from(bytes),
                };
                Some(PackageFile::Read {
                    bytes,
                    content_type: content_type_of(Path::new(requested)),
                    tag,
                })
            }
        }
    }
}

impl fmt::Display for PackageFiles {
    /// For the startup log: which source is served.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackageFiles::Folder(root) => write!(f, "the folder {} (--web-root)", root.display()),
            PackageFiles::Embedded => f.write_str("the package embedded in this binary"),
        }
    }
}

/// A file of the package, as the request needs it.
#[derive(Debug)]
pub enum PackageFile {
    /// The client's copy (`If-None-Match`) is current.
    Unchanged { tag: String },
    Read {
        bytes: Bytes,
        content_type: &'static str,
        tag: String,
    },
}

/// Every segment a plain name: not empty, not starting with a dot (so never `.` or `..`), no
/// backslash, colon or NUL.
fn is_plain_path(requested: &str) -> bool {
    requested.split('/').all(|segment| {
        !segment.is_empty() && !segment.starts_with('.') && !segment.contains(['\\', '\0', ':'])
    })
}

fn read_from_folder(root: &Path, requested: &str, known_tags: Option<&str>) -> Option<PackageFile> {
    let path = real_path_inside(root, requested)?;
    let metadata = std::fs::metadata(&path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    let tag = entity_tag(metadata.len(), &format!("{modified:x}"));
    if known_tags.is_some_and(|known| tag_matches(known, &tag)) {
        return Some(PackageFile::Unchanged { tag });
    }
    match std::fs::read(&path) {
        Ok(bytes) => Some(PackageFile::Read {
            bytes: Bytes::from(bytes),
            content_type: content_type_of(&path),
            tag,
        }),
        Err(error) => {
            tracing::warn!(%error, file = %path.display(), "a file of the web root could not be read");
            None
        }
    }
}

/// The real path of `requested` (plain names, see [`is_plain_path`]) under `root`, if it
/// exists and, symbolic links followed, still lies inside `root`.
fn real_path_inside(root: &Path, requested: &str) -> Option<PathBuf> {
    if !is_plain_path(requested) {
        return None;
    }
    let real = root.join(requested).canonicalize().ok()?;
    real.starts_with(root).then_some(real)
}

/// A weak tag from the file's size and a version of its content (the modification time on
/// disk, the start of the content's SHA-256 when embedded): enough to tell a rebuilt package,
/// and weak because the compression layer may change the bytes on the wire.
fn entity_tag(size: u64, version: &str) -> String {
    format!("W/\"{size:x}-{version}\"")
}

/// Whether an `If-None-Match` list names `tag` (weak comparison) or is `*`.
fn tag_matches(known: &str, tag: &str) -> bool {
    let opaque = |text: &str| text.trim().trim_start_matches("W/").to_owned();
    let tag = opaque(tag);
    known
        .split(',')
        .map(opaque)
        .any(|candidate| candidate == "*" || candidate == tag)
}

pub const HTML: &str = "text/html; charset=utf-8";
pub const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
pub const CSS: &str = "text/css; charset=utf-8";

/// The content type by the file's extension; `nosniff` makes browsers keep to it.
fn content_type_of(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("js" | "mjs") => JAVASCRIPT,
        Some("wasm") => "application/wasm",
        Some("css") => CSS,
        Some("json" | "map") => "application/json",
        Some("html") => HTML,
        Some("txt" | "md" | "ts") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_inside_the_root_are_resolved() {
        let root = std::env::temp_dir()
            .canonicalize()
            .unwrap()
            .join(format!("mailsetup-web-unit-{}", std::process::id()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("index.js"), "export {};").unwrap();
        std::fs::write(root.join("sub").join("a.css"), "").unwrap();
        std::fs::write(root.join(".hidden"), "").unwrap();
        assert_eq!(
            real_path_inside(&root, "index.js"),
            Some(root.join("index.js"))
        );
        assert_eq!(
            real_path_inside(&root, "sub/a.css"),
            Some(root.join("sub").join("a.css"))
        );
        for refused in [
            "",
            ".hidden",
            "../index.js",
            "sub/../index.js",
            "./index.js",
            "sub//a.css",
            "sub/",
            "..\\index.js",
            "/etc/passwd",
            "missing.js",
        ] {
            assert_eq!(real_path_inside(&root, refused), None, "{refused:?}");
            assert!(
                PackageFiles::Embedded.read(refused, None).is_none(),
                "{refused:?}"
            );
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type_of(Path::new("index.js")), JAVASCRIPT);
        assert_eq!(
            content_type_of(Path::new("mailsetup-wasm_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(content_type_of(Path::new("mailsetup.CSS")), CSS);
        assert_eq!(
            content_type_of(Path::new("package.json")),
            "application/json"
        );
        assert_eq!(
            content_type_of(Path::new("LICENSE")),
            "application/octet-stream"
        );
    }

    #[test]
    fn entity_tags_match_weakly_and_in_lists() {
        assert!(tag_matches("W/\"a-1\"", "W/\"a-1\""));
        assert!(tag_matches("\"x\", \"a-1\"", "W/\"a-1\""));
        assert!(tag_matches("*", "W/\"a-1\""));
        assert!(!tag_matches("\"a-2\"", "W/\"a-1\""));
    }

    /// The embedded package, when this build has one, is read like a folder: its entry file
    /// with its type and tag, and a 304's tag for a client that holds it.
    #[test]
    fn the_embedded_package_reads_like_a_folder() {
        let Some(PackageFile::Read {
            bytes,
            content_type,
            tag,
        }) = PackageFiles::Embedded.read(WEB_ROOT_ENTRY_FILE, None)
        else {
            assert!(!embedded_package_present());
            return;
        };
        assert!(embedded_package_present());
        assert!(!bytes.is_empty());
        assert_eq!(content_type, JAVASCRIPT);
        assert!(tag.starts_with("W/\""), "{tag}");
        assert!(matches!(
            PackageFiles::Embedded.read(WEB_ROOT_ENTRY_FILE, Some(&tag)),
            Some(PackageFile::Unchanged { tag: same }) if same == tag
        ));
    }
}
