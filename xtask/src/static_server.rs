//! A small static file server for the release build: what the Playwright suite and
//! `cargo xtask serve --release` load.
//!
//! It serves dist/ at `/` and again under a nested path (so tests prove the relative
//! `public_url` works from any sub-path), with a strict Content-Security-Policy that allows no
//! inline script or style, the way a careful host portal would. It binds to 127.0.0.1 only.

use std::fs;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

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
    /// Every response closes its connection. tiny_http (used before) kept connections alive
    /// whatever the response said, and Chromium now and then waited forever for a response on a
    /// reused connection: the first pages of a run stayed blank until the test timed out (seen
    /// with boot.js after five stylesheets, in the suite and in `cargo xtask bench`).
    pub fn start(port: u16, mounts: Vec<Mount>) -> Outcome<StaticServer> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| Failure(format!("could not listen on 127.0.0.1:{port}: {e}")))?;
        let address = listener
            .local_addr()
            .map_err(|e| Failure(format!("the server has no address: {e}")))?;
        let mounts = Arc::new(mounts);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                // One thread per connection: a slow client must not hold up everyone else.
                let mounts = Arc::clone(&mounts);
                thread::spawn(move || {
                    // The client may have gone away; nothing to do about it.
                    let _ = serve_connection(stream, &mounts);
                });
            }
        });
        Ok(StaticServer { address })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/", self.address)
    }
}

/// The request line and headers of one request: at most this many bytes.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// Reads one request, answers it, and closes the connection.
fn serve_connection(mut stream: TcpStream, mounts: &[Mount]) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = Vec::new();
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut buffer)?;
        if read == 0 || head.len() + read > MAX_REQUEST_HEAD {
            return Ok(());
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut request_line = head.lines().next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("");
    let target = request_line.next().unwrap_or("/");
    let response = respond(method, target, mounts);
    stream.write_all(&response)?;
    stream.flush()?;
    stream.shutdown(Shutdown::Both)
}

/// The whole HTTP response to `method target`.
fn respond(method: &str, target: &str, mounts: &[Mount]) -> Vec<u8> {
    if method != "GET" && method != "HEAD" {
        return response(
            405,
            "text/plain; charset=utf-8",
            b"method not allowed",
            method,
        );
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    match resolve(path, mounts).and_then(|file| fs::read(&file).ok().map(|b| (file, b))) {
        Some((file, bytes)) => response(200, content_type(&file), &bytes, method),
        None => response(404, "text/plain; charset=utf-8", b"not found", method),
    }
}

fn response(status: u16, content_type: &str, body: &[u8], method: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: {content_type}\r\n\
         Content-Length: {}\r\n\
         Content-Security-Policy: {CONTENT_SECURITY_POLICY}\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Cache-Control: no-cache\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method != "HEAD" {
        response.extend_from_slice(body);
    }
    response
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

    /// One raw request over TCP; the whole response, read until the server closes.
    fn fetch(server: &StaticServer, request: &str) -> Vec<u8> {
        let mut stream = TcpStream::connect(server.address).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        response
    }

    #[test]
    fn answers_each_request_and_closes_the_connection() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("index.html"), "<p>hi</p>").unwrap();
        let server = StaticServer::start(0, mounts(&dir)).unwrap();

        let page =
            String::from_utf8(fetch(&server, "GET /?lang=pl HTTP/1.1\r\nHost: x\r\n\r\n")).unwrap();
        assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
        assert!(
            page.contains("Content-Type: text/html; charset=utf-8\r\n"),
            "{page}"
        );
        assert!(page.contains("Content-Length: 9\r\n"), "{page}");
        assert!(page.contains("Connection: close\r\n"), "{page}");
        assert!(page.contains(CONTENT_SECURITY_POLICY), "{page}");
        assert!(page.ends_with("\r\n\r\n<p>hi</p>"), "{page}");

        let head = String::from_utf8(fetch(
            &server,
            "HEAD /embedded/admin/mailsetup/ HTTP/1.1\r\n\r\n",
        ))
        .unwrap();
        assert!(
            head.starts_with("HTTP/1.1 200 OK\r\n") && head.ends_with("\r\n\r\n"),
            "{head}"
        );
        let missing =
            String::from_utf8(fetch(&server, "GET /nothing.js HTTP/1.1\r\n\r\n")).unwrap();
        assert!(
            missing.starts_with("HTTP/1.1 404 Not Found\r\n"),
            "{missing}"
        );
        let post = String::from_utf8(fetch(&server, "POST / HTTP/1.1\r\n\r\n")).unwrap();
        assert!(
            post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
            "{post}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
