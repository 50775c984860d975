//! The browser page around the component: `GET /` (the host page with its sign-in form),
//! `GET /app.js` and `GET /app.css` (all three embedded in the binary from `server/web/`), and
//! `GET /mailsetup/{*file}`: the files of the built npm package in `--web-root`, which the
//! page loads the component from.
//!
//! Owns: the page's security headers (a strict Content-Security-Policy, `nosniff`, no
//! referrer), the content types and cache headers of these files, and which requested paths
//! may reach the web root (plain names only, no dot-names, nothing whose real path leaves it).
//! Must not: touch the API (`/api`, the probes and openapi.json are unchanged by it), list a
//! folder, or serve a file from outside the web root.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{self, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::ApiError;

/// The policy every page and file of this module is served under: the component's scripts and
/// WebAssembly from this origin (`'wasm-unsafe-eval'` is the one allowance wasm needs), no
/// inline script or style, requests to this origin only, never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Where the page finds the package's files.
pub const PACKAGE_PREFIX: &str = "/mailsetup/";

/// The host page, its script (an ES module) and its stylesheet.
const HOST_PAGE: &str = include_str!("../../web/index.html");
const HOST_SCRIPT: &str = include_str!("../../web/app.js");
const HOST_STYLESHEET: &str = include_str!("../../web/app.css");

/// What the server is missing when it was started without `--web-root`.
const NOT_CONFIGURED: &str = "The component's files are not configured: start mailsetup-server \
     with --web-root DIR (or set MAILSETUP_WEB_ROOT), DIR being the built npm package (pkg/, \
     made by `cargo xtask dist`).";

/// The page `/` answers without `--web-root`: it says what is missing instead of loading a
/// component that is not there. No script; only the host stylesheet.
const NOT_CONFIGURED_PAGE: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Mail settings: not configured</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/app.css">
  </head>
  <body>
    <main class="app-main">
      <section class="app-card app-notice" data-testid="not-configured" aria-labelledby="not-configured-heading">
        <h1 id="not-configured-heading" class="app-card-heading">The mail settings page is not configured</h1>
        <p>The component's files are not configured, so this page cannot show the mail settings.</p>
        <p>Start <code>mailsetup-server</code> with <code>--web-root DIR</code> (or set
          <code>MAILSETUP_WEB_ROOT</code>), <code>DIR</code> being the built npm package
          (<code>pkg/</code>, made by <code>cargo xtask dist</code>). The API under
          <code>/api/v1/</code> works without it.</p>
        <div lang="pl">
          <h2 class="app-card-heading">Strona ustawień poczty nie jest skonfigurowana</h2>
          <p>Pliki komponentu nie są skonfigurowane. Uruchom <code>mailsetup-server</code> z
            opcją <code>--web-root KATALOG</code> (albo ustaw <code>MAILSETUP_WEB_ROOT</code>),
            gdzie <code>KATALOG</code> to zbudowany pakiet npm (<code>pkg/</code>).</p>
        </div>
      </section>
    </main>
  </body>
</html>
"#;

const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The web root's real path, when the server has one.
#[derive(Debug, Clone)]
struct WebRoot(Option<Arc<PathBuf>>);

/// The page, its assets and the package's files, each answer with the security headers.
/// `web_root` must be a real path (the configuration resolves it).
pub fn router<S>(web_root: Option<PathBuf>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/", get(host_page))
        .route("/app.js", get(host_script))
        .route("/app.css", get(host_stylesheet))
        .route("/mailsetup/{*file}", get(package_file))
        .with_state(WebRoot(web_root.map(Arc::new)))
        .layer(middleware::map_response(with_security_headers))
}

/// `GET /`: the host page, or the page that says the web root is missing.
async fn host_page(State(web_root): State<WebRoot>) -> Response {
    let page = match web_root.0 {
        Some(_) => HOST_PAGE,
        None => NOT_CONFIGURED_PAGE,
    };
    embedded(HTML, page)
}

/// `GET /app.js`.
async fn host_script() -> Response {
    embedded(JAVASCRIPT, HOST_SCRIPT)
}

/// `GET /app.css`.
async fn host_stylesheet() -> Response {
    embedded(CSS, HOST_STYLESHEET)
}

/// `GET /mailsetup/{*file}`: a file of the web root, revalidated on every use (`no-cache` with
/// an entity tag, so an unchanged file costs a 304).
async fn package_file(
    State(web_root): State<WebRoot>,
    file: Result<extract::Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(root) = web_root.0 else {
        return Err(ApiError::NotFound(NOT_CONFIGURED.into()));
    };
    // A path that does not decode (bad percent-encoding, not UTF-8) names no file either.
    let extract::Path(file) = file.map_err(|_| no_such_file())?;
    let known_tags = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let read =
        tokio::task::spawn_blocking(move || read_package_file(&root, &file, known_tags.as_deref()))
            .await
            .map_err(|error| {
                tracing::error!(%error, "reading a file of the web root");
                ApiError::Internal
            })?;
    match read {
        Some(PackageFile::Unchanged { tag }) => {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            set_cache_headers(response.headers_mut(), &tag);
            Ok(response)
        }
        Some(PackageFile::Read {
            bytes,
            content_type,
            tag,
        }) => {
            let mut response = (
                [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
                bytes,
            )
                .into_response();
            set_cache_headers(response.headers_mut(), &tag);
            Ok(response)
        }
        None => Err(no_such_file()),
    }
}

fn no_such_file() -> ApiError {
    ApiError::NotFound(
        "There is no such file among the component's files (the folder --web-root names).".into(),
    )
}

/// A file of the web root, as the request needs it.
enum PackageFile {
    /// The client's copy (`If-None-Match`) is current.
    Unchanged { tag: String },
    Read {
        bytes: Vec<u8>,
        content_type: &'static str,
        tag: String,
    },
}

/// Reads `requested` (the path after `/mailsetup/`, decoded) from `root`, or `None` when it
/// names no regular file inside the web root. Blocking: run it off the async threads.
fn read_package_file(
    root: &Path,
    requested: &str,
    known_tags: Option<&str>,
) -> Option<PackageFile> {
    let path = real_path_inside(root, requested)?;
    let metadata = std::fs::metadata(&path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    let tag = entity_tag(&metadata);
    if known_tags.is_some_and(|known| tag_matches(known, &tag)) {
        return Some(PackageFile::Unchanged { tag });
    }
    match std::fs::read(&path) {
        Ok(bytes) => Some(PackageFile::Read {
            bytes,
            content_type: content_type_of(&path),
            tag,
        }),
        Err(error) => {
            tracing::warn!(%error, file = %path.display(), "a file of the web root could not be read");
            None
        }
    }
}

/// The real path of `requested` under `root`, if every segment is a plain name (not empty,
/// not starting with a dot, so never `.` or `..`, no backslash or NUL) and the real path,
/// symbolic links followed, still lies inside `root`.
fn real_path_inside(root: &Path, requested: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for segment in requested.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && !segment.contains(['\\', '\0', ':']);
        if !plain {
            return None;
        }
        path.push(segment);
    }
    let real = path.canonicalize().ok()?;
    real.starts_with(root).then_some(real)
}

/// A weak tag from the file's size and modification time: enough to tell a rebuilt package,
/// and weak because the compression layer may change the bytes on the wire.
fn entity_tag(metadata: &std::fs::Metadata) -> String {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    format!("W/\"{:x}-{modified:x}\"", metadata.len())
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

/// An embedded file: always revalidated, since a new binary may hold a new one.
fn embedded(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        text,
    )
        .into_response()
}

fn set_cache_headers(headers: &mut HeaderMap, tag: &str) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(tag) = HeaderValue::from_str(tag) {
        headers.insert(header::ETAG, tag);
    }
}

/// Adds the policy and its companions to every answer of this module, errors included.
async fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
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
}
