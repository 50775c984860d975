//! A small static file server for the release build: what the Playwright suite and
//! `cargo xtask serve --release` load.
//!
//! It serves dist/ at `/` and again under a nested path (so tests prove the relative
//! `public_url` works from any sub-path), with a strict Content-Security-Policy that allows no
//! inline script or style, the way a careful host portal would. It binds to 127.0.0.1 only.

use std::fs;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;

use tiny_http::{Header, Request, Response, Server};

use crate::run::{Failure, Outcome};

/// The policy the component must work under: `'wasm-unsafe-eval'` is the one allowance wasm needs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/// The nested path where dist/ is mounted a second time.
pub const NESTED_MOUNT: &str = "/embedded/admin/mailsetup/";

/// A URL prefix served from a folder.
pub struct Mount {
    pub prefix: String,
    pub dir: PathBuf,
}

pub struct StaticServer {
    address: SocketAddr,
}

impl StaticServer {
    /// Starts serving on 127.0.0.1:`port` (0 picks a free port) in a background thread that
    /// lives as long as the process; browsers are asked to revalidate everything (`no-cache`),
    /// so tests always see the newest build.
    ///
    /// Immutable, year-long caching of the hashed assets was tried for the benchmark's warm
    /// start: with it, Chromium stalled the first mailsetup page on its seventh request
    /// (boot.js after five stylesheets) until the navigation timed out, so it was dropped.
    pub fn start(port: u16, mounts: Vec<Mount>) -> Outcome<StaticServer> {
        let server = Server::http(("127.0.0.1", port))
            .map_err(|e| Failure(format!("could not listen on 127.0.0.1:{port}: {e}")))?;
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| Failure("the server has no IP address".into()))?;
        let mounts = Arc::new(mounts);
        thread::spawn(move || {
            for request in server.incoming_requests() {
                // One thread per request: a slow or stalled client (a preload and a fetch of
                // the same large wasm file at once) must not hold up everyone else.
                let mounts = Arc::clone(&mounts);
                thread::spawn(move || respond(request, &mounts));
            }
        });
        Ok(StaticServer { address })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/", self.address)
    }
}

fn respond(request: Request, mounts: &[Mount]) {
    let url = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_owned();
    let response =
        match resolve(&url, mounts).and_then(|path| fs::read(&path).ok().map(|b| (path, b))) {
            Some((path, bytes)) => Response::from_data(bytes)
                .with_header(header("Content-Type", content_type(&path)))
                .with_header(header("Content-Security-Policy", CONTENT_SECURITY_POLICY))
                .with_header(header("X-Content-Type-Options", "nosniff"))
                .with_header(header("Cache-Control", "no-cache"))
                // One request per connection: with keep-alive, Chromium sometimes waited forever
                // for the wasm file on a reused connection (seen on the first page of a run).
                .with_header(header("Connection", "close")),
            None => Response::from_string("not found")
                .with_status_code(404)
                .with_header(header("Content-Type", "text/plain; charset=utf-8")),
        };
    // The client may have gone away; nothing to do about it.
    let _ = request.respond(response);
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|_| {
        Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("static header")
    })
}

/// Maps a URL path to a file under one of the mounts, refusing anything that climbs out of it.
fn resolve(url_path: &str, mounts: &[Mount]) -> Option<PathBuf> {
    let mount = mounts
        .iter()
        .filter(|m| url_path.starts_with(&m.prefix))
        .max_by_key(|m| m.prefix.len())?;
    let relative = Path::new(&url_path[mount.prefix.len()..]);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut path = mount.dir.join(relative);
    if path.is_dir() {
        path = path.join("index.html");
    }
    path.is_file().then_some(path)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mounts(dir: &Path) -> Vec<Mount> {
        vec![
            Mount {
                prefix: "/".into(),
                dir: dir.to_path_buf(),
            },
            Mount {
                prefix: NESTED_MOUNT.into(),
                dir: dir.to_path_buf(),
            },
        ]
    }

    #[test]
    fn resolves_files_directories_and_the_nested_mount() {
        let dir = std::env::temp_dir().join(format!("xtask-static-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        fs::write(dir.join("app.wasm"), [0u8, 97, 115, 109]).unwrap();
        let m = mounts(&dir);
        assert_eq!(resolve("/", &m), Some(dir.join("index.html")));
        assert_eq!(resolve("/app.wasm", &m), Some(dir.join("app.wasm")));
        assert_eq!(
            resolve("/embedded/admin/mailsetup/app.wasm", &m),
            Some(dir.join("app.wasm"))
        );
        assert_eq!(resolve("/missing.js", &m), None);
        assert_eq!(resolve("/../etc/passwd", &m), None);
        assert_eq!(content_type(Path::new("a.wasm")), "application/wasm");
        fs::remove_dir_all(&dir).unwrap();
    }
}
