//! Small misbehaving servers for the connection check's tests, each a tokio task on its own
//! 127.0.0.1 port: one that never speaks, one that speaks the wrong protocol, one that speaks
//! plain text where TLS is expected, TLS with a certificate of the test's choosing (expired,
//! for the wrong name…) followed by a minimal IMAP or SMTP greeting, and an HTTPS endpoint that
//! answers like an Exchange (EWS) server would: 401 with its schemes, 404, 302, 500.
//!
//! This file owns only these fakes: they bind 127.0.0.1 and nothing else, never connect
//! anywhere, bound everything they read, and stop (with every connection they hold) when their
//! [`FakeServer`] is dropped. They are not meant to be correct servers — only to answer the
//! first steps of a dialogue the way the tests need.

#![allow(dead_code)] // Shared by several test modules; not every one uses every fake.

use std::net::TcpListener as StdTcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailsetup_mail_servers::{MAIL_PASSWORD, MAIL_USER};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// The most a fake reads of one line or one request head.
const MAX_HEAD: usize = 16 * 1024;
/// The most a fake reads of one request body.
const MAX_BODY: usize = 1024 * 1024;

/// A running fake; dropping it stops it and closes every connection it holds.
pub struct FakeServer {
    port: u16,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    task: JoinHandle<()>,
}

impl FakeServer {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The HTTP requests received so far, in order (only [`https_ews`] and
    /// [`Behaviour::Http`] record any).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .expect("the fake's request log is not poisoned")
            .clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        // The accept loop owns the JoinSet of connections: aborting it drops (aborts) them too.
        self.task.abort();
    }
}

/// What a [`tls`] fake does once the handshake is done.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Says nothing and keeps the connection open.
    Silent,
    /// `* OK fake ready`, then answers CAPABILITY (`IMAP4rev1 AUTH=PLAIN`) and LOGOUT, refuses
    /// LOGIN (`NO [AUTHENTICATIONFAILED]`) and anything else (`BAD`).
    Imap,
    /// `220 fake.test ESMTP`, then answers EHLO (`AUTH PLAIN LOGIN`) and QUIT, refuses AUTH
    /// (535) and anything else (502).
    Smtp,
    /// HTTP/1.1 as [`https_ews`] describes.
    Http(EwsAnswer),
}

/// How the HTTPS fake answers every request.
#[derive(Debug, Clone)]
pub enum EwsAnswer {
    /// 401 with one `WWW-Authenticate` header per scheme (e.g. `Negotiate`, `NTLM`,
    /// `Basic realm="mail"`). When one of the schemes is Basic, a request with
    /// `Authorization: Basic` and [`MAIL_USER`]:[`MAIL_PASSWORD`] gets 200 and a small SOAP
    /// body; any other credentials get the 401 again.
    Unauthorized { schemes: Vec<String> },
    /// 404.
    NotFound,
    /// 302 with this `Location`.
    Redirect(String),
    /// 500.
    ServerError,
}

/// One HTTP request as the fake read it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// In the order received, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The body of the 200 answer to good Basic credentials (an EWS answer in miniature).
pub const EWS_OK_BODY: &str = concat!(
    r#"<?xml version="1.0" encoding="utf-8"?>"#,
    r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">"#,
    r#"<s:Header><h:ServerVersionInfo xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" MajorVersion="15" MinorVersion="1"/></s:Header>"#,
    r#"<s:Body><m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">"#,
    r#"<m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success">"#,
    r#"<m:ResponseCode>NoError</m:ResponseCode></m:GetFolderResponseMessage></m:ResponseMessages>"#,
    r#"</m:GetFolderResponse></s:Body></s:Envelope>"#,
);

/// Accepts connections and never says anything (keeps them open, reads and discards).
pub fn silent() -> FakeServer {
    serve(|stream, _| async move { drain(stream).await })
}

/// Sends `text` on connect (e.g. `SSH-2.0-OpenSSH_9.2\r\n`), then reads and discards.
pub fn banner(text: &str) -> FakeServer {
    let text = text.to_owned();
    serve(move |mut stream, _| {
        let text = text.clone();
        async move {
            if stream.write_all(text.as_bytes()).await.is_ok() {
                drain(stream).await;
            }
        }
    })
}

/// Plain text where TLS is expected: `* OK plain text IMAP` on connect.
pub fn plain_text_on_tls_port() -> FakeServer {
    banner("* OK plain text IMAP\r\n")
}

/// Implicit TLS with this certificate (PEM; the chain may hold several) and key (PEM), then
/// `then`. A client that refuses the certificate just ends the connection.
pub fn tls(cert_pem: &str, key_pem: &str, then: Behaviour) -> FakeServer {
    let acceptor = acceptor(cert_pem, key_pem);
    serve(move |stream, requests| {
        let acceptor = acceptor.clone();
        let then = then.clone();
        async move {
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            match then {
                Behaviour::Silent => drain(stream).await,
                Behaviour::Imap => imap(stream).await,
                Behaviour::Smtp => smtp(stream).await,
                Behaviour::Http(answer) => http(stream, &answer, &requests).await,
            }
        }
    })
}

/// An HTTPS "Exchange" answering every request with `answer` (see [`EwsAnswer`]), recording
/// the requests (see [`FakeServer::requests`]). HTTP/1.1 keep-alive: several requests per
/// connection, until the client closes or sends `Connection: close`.
pub fn https_ews(cert_pem: &str, key_pem: &str, answer: EwsAnswer) -> FakeServer {
    tls(cert_pem, key_pem, Behaviour::Http(answer))
}

/// Binds 127.0.0.1:0 and runs `handle` for every connection, in a JoinSet the accept loop
/// owns (so aborting the loop aborts the connections).
fn serve<H, F>(handle: H) -> FakeServer
where
    H: Fn(TcpStream, Arc<Mutex<Vec<RecordedRequest>>>) -> F + Send + 'static,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = StdTcpListener::bind("127.0.0.1:0").expect("bind a fake server on 127.0.0.1");
    let port = listener
        .local_addr()
        .expect("the fake server's address")
        .port();
    listener
        .set_nonblocking(true)
        .expect("make the fake's listener non-blocking");
    let listener = TcpListener::from_std(listener).expect("hand the fake's listener to tokio");
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        connections.spawn(handle(stream, Arc::clone(&log)));
                    }
                }
                // Reap finished connections so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    });
    FakeServer {
        port,
        requests,
        task,
    }
}

fn acceptor(cert_pem: &str, key_pem: &str) -> TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .expect("the fake's certificate PEM");
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).expect("the fake's key PEM");
    // The process-default provider: ring, the one crypto feature rustls has here.
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the fake's certificate and key");
    TlsAcceptor::from(Arc::new(config))
}

/// Reads and discards until the peer closes.
async fn drain<S: AsyncRead + Unpin>(mut stream: S) {
    let mut buffer = [0u8; 4096];
    while let Ok(read) = stream.read(&mut buffer).await {
        if read == 0 {
            break;
        }
    }
}

/// One line (without CRLF), at most [`MAX_HEAD`] bytes; None at the end or when too long.
async fn read_line<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Option<String> {
    let mut line = Vec::new();
    let read = (&mut *reader)
        .take(MAX_HEAD as u64)
        .read_until(b'\n', &mut line)
        .await
        .ok()?;
    if read == 0 || !line.ends_with(b"\n") {
        return None;
    }
    let text = String::from_utf8_lossy(&line);
    Some(text.trim_end_matches(['\r', '\n']).to_owned())
}

async fn imap<S: AsyncRead + AsyncWrite + Unpin>(stream: S) {
    let mut reader = BufReader::new(stream);
    if reader
        .get_mut()
        .write_all(b"* OK fake ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    while let Some(line) = read_line(&mut reader).await {
        let mut words = line.split_whitespace();
        let tag = words.next().unwrap_or("*").to_owned();
        let command = words.next().unwrap_or("").to_ascii_uppercase();
        let (answer, done) = match command.as_str() {
            "CAPABILITY" => (
                format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK CAPABILITY done\r\n"),
                false,
            ),
            "LOGOUT" => (format!("* BYE fake\r\n{tag} OK LOGOUT done\r\n"), true),
            "LOGIN" => (
                format!("{tag} NO [AUTHENTICATIONFAILED] fake server\r\n"),
                false,
            ),
            _ => (format!("{tag} BAD fake server\r\n"), false),
        };
        if reader.get_mut().write_all(answer.as_bytes()).await.is_err() || done {
            return;
        }
    }
}

async fn smtp<S: AsyncRead + AsyncWrite + Unpin>(stream: S) {
    let mut reader = BufReader::new(stream);
    if reader
        .get_mut()
        .write_all(b"220 fake.test ESMTP fake\r\n")
        .await
        .is_err()
    {
        return;
    }
    while let Some(line) = read_line(&mut reader).await {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let (answer, done) = match verb.as_str() {
            "EHLO" | "HELO" => ("250-fake.test\r\n250 AUTH PLAIN LOGIN\r\n", false),
            "AUTH" => ("535 5.7.8 fake server\r\n", false),
            "QUIT" => ("221 fake.test bye\r\n", true),
            _ => ("502 5.5.2 fake server\r\n", false),
        };
        if reader.get_mut().write_all(answer.as_bytes()).await.is_err() || done {
            return;
        }
    }
}

async fn http<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    answer: &EwsAnswer,
    requests: &Mutex<Vec<RecordedRequest>>,
) {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader).await {
        let close = request
            .header("connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"));
        let response = respond(answer, &request);
        requests
            .lock()
            .expect("the fake's request log is not poisoned")
            .push(request);
        if reader.get_mut().write_all(&response).await.is_err() || close {
            break;
        }
        let _ = reader.get_mut().flush().await;
    }
    let _ = reader.get_mut().shutdown().await;
}

/// One request: the head (bounded) and a body by Content-Length or chunked (bounded). None at
/// the end of the connection or on anything malformed.
async fn read_request<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Option<RecordedRequest> {
    let request_line = read_line(reader).await?;
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    let mut head_size = request_line.len();
    loop {
        let line = read_line(reader).await?;
        if line.is_empty() {
            break;
        }
        head_size += line.len();
        if head_size > MAX_HEAD {
            return None;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = RecordedRequest {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    if chunked {
        loop {
            let size_line = read_line(reader).await?;
            let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                // Trailers, up to the empty line.
                while !read_line(reader).await?.is_empty() {}
                break;
            }
            if request.body.len() + size > MAX_BODY {
                return None;
            }
            let start = request.body.len();
            request.body.resize(start + size, 0);
            reader.read_exact(&mut request.body[start..]).await.ok()?;
            read_line(reader).await?;
        }
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length.parse().ok()?;
        if length > MAX_BODY {
            return None;
        }
        request.body.resize(length, 0);
        reader.read_exact(&mut request.body).await.ok()?;
    }
    Some(request)
}

fn respond(answer: &EwsAnswer, request: &RecordedRequest) -> Vec<u8> {
    match answer {
        EwsAnswer::Unauthorized { schemes } => {
            let basic_offered = schemes
                .iter()
                .any(|scheme| scheme.to_ascii_lowercase().starts_with("basic"));
            let expected = format!(
                "Basic {}",
                BASE64.encode(format!("{MAIL_USER}:{MAIL_PASSWORD}"))
            );
            if basic_offered && request.header("authorization") == Some(expected.as_str()) {
                http_response(
                    "200 OK",
                    &[("Content-Type", "text/xml; charset=utf-8")],
                    EWS_OK_BODY,
                )
            } else {
                let headers: Vec<(&str, &str)> = schemes
                    .iter()
                    .map(|scheme| ("WWW-Authenticate", scheme.as_str()))
                    .collect();
                http_response("401 Unauthorized", &headers, "")
            }
        }
        EwsAnswer::NotFound => http_response("404 Not Found", &[], ""),
        EwsAnswer::Redirect(location) => {
            http_response("302 Found", &[("Location", location.as_str())], "")
        }
        EwsAnswer::ServerError => http_response("500 Internal Server Error", &[], ""),
    }
}

fn http_response(status: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut text = format!("HTTP/1.1 {status}\r\nServer: fake-exchange\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    text.into_bytes()
}
