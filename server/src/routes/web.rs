//! The browser page around the component: `GET /` (the host page with its sign-in form),
//! `GET /app.js` and `GET /app.css` (all three embedded in the binary from `server/web/`), and
//! `GET /mailsetup/{*file}`: the files of the built npm package, which the page loads the
//! component from — from `--web-root` or, without it, the package embedded at build time
//! (`package_files.rs` reads either the same way).
//!
//! Owns: the page's security headers (a strict Content-Security-Policy, `nosniff`, no
//! referrer), the cache headers and conditional answers (304) of these files, and the page
//! that says what is missing when there is no package. Must not: touch the API (`/api`, the
//! probes and openapi.json are unchanged by it), or read a package file itself.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{self, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::ApiError;
use crate::routes::package_files::{CSS, HTML, JAVASCRIPT, PackageFile, PackageFiles};

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

/// What the server is missing when it has no package: neither `--web-root` nor one embedded.
const NOT_CONFIGURED: &str = "The component's files are not configured: this server was built \
     without the npm package and started without --web-root. Build the package with `cargo xtask \
     dist`, then build the server again (`cargo build --release -p mailsetup-server`) to embed \
     it, or start mailsetup-server with --web-root DIR (or set MAILSETUP_WEB_ROOT), DIR being the \
     built npm package (pkg/).";

/// The page `/` answers without a package: it says what is missing instead of loading a
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
        <p>The component's files are not configured, so this page cannot show the mail settings:
          this server was built without the npm package and started without
          <code>--web-root</code>.</p>
        <p>Build the package with <code>cargo xtask dist</code>, then build the server again
          (<code>cargo build --release -p mailsetup-server</code>) so that it embeds the package.
          Or start <code>mailsetup-server</code> with <code>--web-root DIR</code> (or set
          <code>MAILSETUP_WEB_ROOT</code>), <code>DIR</code> being the built npm package
          (<code>pkg/</code>). The API under <code>/api/v1/</code> works without it.</p>
        <div lang="pl">
          <h2 class="app-card-heading">Strona ustawień poczty nie jest skonfigurowana</h2>
          <p>Pliki komponentu nie są skonfigurowane: serwer zbudowano bez pakietu npm i uruchomiono
            bez opcji <code>--web-root</code>. Zbuduj pakiet poleceniem <code>cargo xtask dist</code>,
            a potem zbuduj serwer ponownie (<code>cargo build --release -p mailsetup-server</code>),
            aby go osadził. Albo uruchom <code>mailsetup-server</code> z opcją
            <code>--web-root KATALOG</code> (albo ustaw <code>MAILSETUP_WEB_ROOT</code>), gdzie
            <code>KATALOG</code> to zbudowany pakiet npm (<code>pkg/</code>).</p>
        </div>
      </section>
    </main>
  </body>
</html>
"#;

/// Where the package's files come from, when the server has them.
#[derive(Debug, Clone)]
struct Package(Option<Arc<PackageFiles>>);

/// The page, its assets and the package's files, each answer with the security headers.
pub fn router<S>(package: Option<PackageFiles>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/", get(host_page))
        .route("/app.js", get(host_script))
        .route("/app.css", get(host_stylesheet))
        .route("/mailsetup/{*file}", get(package_file))
        .with_state(Package(package.map(Arc::new)))
        .layer(middleware::map_response(with_security_headers))
}

/// `GET /`: the host page, or the page that says the package is missing.
async fn host_page(State(package): State<Package>) -> Response {
    let page = match package.0 {
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

/// `GET /mailsetup/{*file}`: a file of the package, revalidated on every use (`no-cache` with
/// an entity tag, so an unchanged file costs a 304).
async fn package_file(
    State(package): State<Package>,
    file: Result<extract::Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(package) = package.0 else {
        return Err(ApiError::NotFound(NOT_CONFIGURED.into()));
    };
    // A path that does not decode (bad percent-encoding, not UTF-8) names no file either.
    let extract::Path(file) = file.map_err(|_| no_such_file())?;
    let known_tags = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let read = tokio::task::spawn_blocking(move || package.read(&file, known_tags.as_deref()))
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading a file of the package");
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
        "There is no such file among the component's files (the folder --web-root names, or the \
         package embedded in the server)."
            .into(),
    )
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
