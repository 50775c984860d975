//! The page at `/` and the component's files under `/mailsetup/`: content types, the strict
//! Content-Security-Policy and its companion headers, a page without inline script or style,
//! the web root's files served and nothing outside it, the package embedded at build time
//! served the same way when there is no web root, and a clear sentence when there is neither.
//! These routes never touch the database, so they run on SQLite only.

use std::path::{Path, PathBuf};

use mailsetup_server::configuration::{Args, Configuration};
use mailsetup_server::routes::package_files::embedded_package_present;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{
    AppOptions, Engine, TempDir, TestApp, header, problem, spawn_app, spawn_app_with,
    write_tokens_file,
};

/// The policy the brief fixes, spelled out here so a change to it shows in a test.
const POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Text of a file next to the web root, which no request may reach.
const SECRET: &str = "secret-outside-the-web-root-4f1c";

/// The start of a WebAssembly module: magic and version.
const WASM_BYTES: &[u8] = b"\0asm\x01\0\0\0";

/// A temporary folder with `pkg/`, a small stand-in for the built npm package, and a secret
/// file beside it.
struct WebRoot {
    dir: TempDir,
}

impl WebRoot {
    fn new() -> WebRoot {
        let dir = TempDir::new("web-root");
        let package = dir.path().join("pkg");
        std::fs::create_dir_all(package.join("chunks")).unwrap();
        for (name, bytes) in [
            (
                "index.js",
                b"export default function init() {}\n".as_slice(),
            ),
            ("mailsetup-wasm.js", b"export function mount() {}\n"),
            ("mailsetup-wasm_bg.wasm", WASM_BYTES),
            ("mailsetup.css", b".ms-root { color: black; }\n"),
            ("package.json", b"{\"name\": \"mailsetup\"}\n"),
            ("chunks/part.js", b"export const part = 1;\n"),
            (".hidden", b"hidden\n"),
        ] {
            std::fs::write(package.join(name), bytes).unwrap();
        }
        std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), package.join("escape.txt"))
            .unwrap();
        std::os::unix::fs::symlink(package.join("index.js"), package.join("alias.js")).unwrap();
        WebRoot { dir }
    }

    fn package(&self) -> PathBuf {
        self.dir.path().join("pkg")
    }
}

async fn spawn_serving(web_root: &WebRoot) -> TestApp {
    spawn_app_with(
        Engine::Sqlite,
        AppOptions {
            web_root: Some(web_root.package()),
            ..AppOptions::default()
        },
    )
    .await
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .send()
        .await
        .expect("the server answers")
}

fn assert_page_headers(response: &reqwest::Response, what: &str) {
    assert_eq!(
        header(response, "content-security-policy"),
        POLICY,
        "{what}"
    );
    assert_eq!(
        header(response, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(response, "referrer-policy"), "no-referrer", "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_html_under_the_strict_policy() {
    let web_root = WebRoot::new();
    let app = spawn_serving(&web_root).await;
    let response = get(&app, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        "text/html; charset=utf-8"
    );
    assert_eq!(header(&response, "cache-control"), "no-cache");
    assert_page_headers(&response, "/");
    let page = response.text().await.unwrap();
    assert!(
        page.contains(r#"<script type="module" src="/app.js"></script>"#),
        "{page}"
    );
    assert!(page.contains(r#"href="/mailsetup/mailsetup.css""#));
    assert!(page.contains(r#"href="/app.css""#));
    for test_id in [
        "signin-form",
        "signin-token",
        "signin-submit",
        "signin-error",
        "signin-dialog",
        "signed-in-as",
        "sign-out",
        "language",
        "app",
    ] {
        assert!(
            page.contains(&format!("data-testid=\"{test_id}\"")),
            "{test_id}"
        );
    }
    assert_no_inline_script_or_style(&page);

    // The API and its contract are as they were: the page is no part of it.
    let contract: Value = get(&app, "/api/openapi.json").await.json().await.unwrap();
    for path in ["/", "/app.js", "/app.css", "/mailsetup/{file}"] {
        assert!(
            contract["paths"][path].is_null(),
            "{path} is not in the contract"
        );
    }
    assert_eq!(get(&app, "/healthz").await.status(), StatusCode::OK);
    problem(get(&app, "/api/v1/session").await, 401, "unauthenticated").await;
}

/// What the policy forbids: a script without `src`, a `<style>` element, a `style` attribute,
/// an event handler attribute.
fn assert_no_inline_script_or_style(page: &str) {
    let lower = page.to_ascii_lowercase();
    for (at, _) in lower.match_indices("<script") {
        let tag_end = lower[at..].find('>').map_or(lower.len(), |end| at + end);
        assert!(
            lower[at..tag_end].contains(" src="),
            "inline script: {}",
            &page[at..tag_end]
        );
    }
    assert!(!lower.contains("<style"), "a <style> element");
    assert!(!lower.contains(" style="), "a style attribute");
    for handler in [
        " onclick=",
        " onload=",
        " onsubmit=",
        " onchange=",
        " oninput=",
        " onerror=",
    ] {
        assert!(!lower.contains(handler), "{handler}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_script_and_stylesheet_are_served() {
    let web_root = WebRoot::new();
    let app = spawn_serving(&web_root).await;

    let script = get(&app, "/app.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        header(&script, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_page_headers(&script, "/app.js");
    let script = script.text().await.unwrap();
    assert!(script.contains("import init, { mount } from '/mailsetup/index.js';"));
    // The access token is never kept by the page, and the page sets no inline style.
    for forbidden in [
        "localStorage.",
        "sessionStorage.",
        "document.cookie",
        ".style.",
        "innerHTML",
    ] {
        assert!(!script.contains(forbidden), "app.js uses {forbidden}");
    }

    let stylesheet = get(&app, "/app.css").await;
    assert_eq!(stylesheet.status(), StatusCode::OK);
    assert_eq!(
        header(&stylesheet, "content-type"),
        "text/css; charset=utf-8"
    );
    assert_page_headers(&stylesheet, "/app.css");
    assert!(
        stylesheet
            .text()
            .await
            .unwrap()
            .contains("--ms-color-accent")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_files_are_served_with_their_types() {
    let web_root = WebRoot::new();
    let app = spawn_serving(&web_root).await;
    for (path, content_type, file) in [
        ("index.js", "text/javascript; charset=utf-8", "index.js"),
        (
            "mailsetup-wasm.js",
            "text/javascript; charset=utf-8",
            "mailsetup-wasm.js",
        ),
        (
            "mailsetup-wasm_bg.wasm",
            "application/wasm",
            "mailsetup-wasm_bg.wasm",
        ),
        ("mailsetup.css", "text/css; charset=utf-8", "mailsetup.css"),
        ("package.json", "application/json", "package.json"),
        (
            "chunks/part.js",
            "text/javascript; charset=utf-8",
            "chunks/part.js",
        ),
        // A link that stays inside the web root is followed.
        ("alias.js", "text/javascript; charset=utf-8", "index.js"),
    ] {
        let response = get(&app, &format!("/mailsetup/{path}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "content-type"), content_type, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert_page_headers(&response, path);
        let tag = header(&response, "etag");
        assert!(tag.starts_with("W/\""), "{path}: {tag}");
        let expected = std::fs::read(web_root.package().join(file)).unwrap();
        assert_eq!(response.bytes().await.unwrap().as_ref(), expected, "{path}");

        // no-cache means "ask again": an unchanged file costs a 304 without a body.
        let again = app
            .client
            .get(app.url(&format!("/mailsetup/{path}")))
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(header(&again, "etag"), tag, "{path}");
        assert!(again.bytes().await.unwrap().is_empty(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_outside_the_web_root_or_hidden_in_it_is_served() {
    let web_root = WebRoot::new();
    let app = spawn_serving(&web_root).await;
    // Sent as they are: a URL library would resolve the dot segments before sending.
    for path in [
        "/mailsetup/../secret.txt",
        "/mailsetup/%2e%2e/Cargo.toml",
        "/mailsetup/../../Cargo.toml",
        "/mailsetup/chunks/../../secret.txt",
        "/mailsetup/%2e%2e/secret.txt",
        "/mailsetup/%2E%2E%2Fsecret.txt",
        "/mailsetup/..%2fsecret.txt",
        "/mailsetup/..%5csecret.txt",
        "/mailsetup/%2e%2e%5csecret.txt",
        "/mailsetup//etc/passwd",
        "/mailsetup/%2fetc%2fpasswd",
        "/mailsetup/escape.txt",
        "/mailsetup/.hidden",
        "/mailsetup/%2ehidden",
        "/mailsetup/%ff",
        "/mailsetup/chunks",
        "/mailsetup/chunks/",
        "/mailsetup/",
        "/mailsetup",
    ] {
        let (status, text) = app.raw(&format!("GET {path} HTTP/1.1"), "").await;
        assert_eq!(status, 404, "{path}: {text}");
        assert!(!text.contains(SECRET), "{path} leaked the secret");
        assert!(!text.contains("root:"), "{path} leaked /etc/passwd");
        assert!(!text.contains("part.js"), "{path} listed a folder: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_file_is_not_found() {
    let web_root = WebRoot::new();
    let app = spawn_serving(&web_root).await;
    let response = get(&app, "/mailsetup/missing.js").await;
    assert_page_headers(&response, "a missing file");
    let body = problem(response, 404, "not-found").await;
    assert!(
        body["detail"].as_str().unwrap().contains("--web-root"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_web_root_the_page_says_what_is_missing() {
    let app = spawn_app(Engine::Sqlite).await;
    let response = get(&app, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        "text/html; charset=utf-8"
    );
    assert_page_headers(&response, "/ without a web root");
    let page = response.text().await.unwrap();
    for needed in [
        "component's files are not configured",
        "--web-root",
        "MAILSETUP_WEB_ROOT",
        "pkg/",
        "cargo xtask dist",
        "cargo build --release -p mailsetup-server",
    ] {
        assert!(page.contains(needed), "{needed}: {page}");
    }
    assert!(!page.contains("<script"), "no component to load: {page}");
    assert_no_inline_script_or_style(&page);

    let body = problem(get(&app, "/mailsetup/index.js").await, 404, "not-found").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("not configured")
            && detail.contains("--web-root")
            && detail.contains("cargo xtask dist"),
        "{detail}"
    );
    assert_eq!(get(&app, "/app.css").await.status(), StatusCode::OK);
}

/// Without `--web-root`, a server built after `pkg/` was (`cargo xtask dist`) serves the package
/// it embeds, with the types, cache headers, tags and security headers a web root gets; one
/// built without it says how to get one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_web_root_the_embedded_package_is_served() {
    let app = spawn_app_with(
        Engine::Sqlite,
        AppOptions {
            embedded_package: true,
            ..AppOptions::default()
        },
    )
    .await;
    let page = get(&app, "/").await.text().await.unwrap();
    if !embedded_package_present() {
        assert!(
            page.contains("cargo xtask dist") && !page.contains("<script"),
            "{page}"
        );
        return;
    }
    assert!(
        page.contains(r#"<script type="module" src="/app.js"></script>"#),
        "{page}"
    );
    for (file, content_type) in [
        ("index.js", "text/javascript; charset=utf-8"),
        ("mailsetup-wasm.js", "text/javascript; charset=utf-8"),
        ("mailsetup-wasm_bg.wasm", "application/wasm"),
        ("mailsetup.css", "text/css; charset=utf-8"),
        ("package.json", "application/json"),
    ] {
        let path = format!("/mailsetup/{file}");
        let response = get(&app, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, "content-type"), content_type, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert_page_headers(&response, &path);
        let tag = header(&response, "etag");
        assert!(tag.starts_with("W/\""), "{path}: {tag}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{path}");
        let again = app
            .client
            .get(app.url(&path))
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(header(&again, "etag"), tag, "{path}");
    }
    let wasm = get(&app, "/mailsetup/mailsetup-wasm_bg.wasm").await;
    assert!(wasm.bytes().await.unwrap().starts_with(WASM_BYTES));
    for missing in [
        "/mailsetup/missing.js",
        "/mailsetup/%2e%2e/Cargo.toml",
        "/mailsetup/.hidden",
    ] {
        problem(get(&app, missing).await, 404, "not-found").await;
    }
}

fn configure_web_root(dir: &TempDir, web_root: &Path) -> Result<Configuration, String> {
    let tokens = write_tokens_file(dir.path());
    let argv = [
        "mailsetup-server".to_owned(),
        "--database".to_owned(),
        dir.path().join("db").display().to_string(),
        "--tokens".to_owned(),
        tokens.display().to_string(),
        "--web-root".to_owned(),
        web_root.display().to_string(),
    ];
    let args = <Args as clap::Parser>::try_parse_from(argv).map_err(|error| error.to_string())?;
    Configuration::from_args(args).map_err(|error| error.to_string())
}

#[test]
fn a_web_root_that_is_no_package_is_refused_with_a_sentence() {
    let dir = TempDir::new("web-config");
    let web_root = WebRoot::new();
    let accepted = configure_web_root(&dir, &web_root.package()).unwrap();
    assert_eq!(
        accepted.web_root,
        Some(web_root.package().canonicalize().unwrap()),
        "kept as its real path"
    );

    let missing = configure_web_root(&dir, &dir.path().join("no-such-folder")).unwrap_err();
    assert!(
        missing.contains("--web-root") && missing.contains("no-such-folder"),
        "{missing}"
    );

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let not_package = configure_web_root(&dir, &empty).unwrap_err();
    assert!(
        not_package.contains("index.js") && not_package.contains("pkg/"),
        "{not_package}"
    );

    let file = configure_web_root(&dir, &web_root.package().join("index.js")).unwrap_err();
    assert!(file.contains("not a folder"), "{file}");
}
