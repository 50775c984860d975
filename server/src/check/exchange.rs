//! Exchange (EWS) for the check: HTTP/1.1 with hyper over the socket the address policy vetted
//! and our TLS — no client that resolves names, follows redirects or reads a proxy from the
//! environment. `exchange_reach` asks the URL without credentials and reads the sign-in
//! schemes of its `401`; `exchange_login` signs in with Basic (the only scheme a password
//! check can use without a domain join) and asks for the inbox folder.
//!
//! Owns: the two requests and reading their answers. Must not: follow a redirect (its location
//! is reported), or put the password anywhere but the Authorization header.

use std::net::IpAddr;

use axum::body::Bytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use mailsetup_core::wire::{CheckCode, CheckedServer};
use mailsetup_core::{ExchangeSettings, ExchangeUrl, Security};
use tokio::time::Instant;
use zeroize::Zeroizing;

use super::connection::Target;
use super::conversation::MAX_STEP_BYTES;
use super::tls::Handshake;
use super::{CheckSetup, Credentials, Failure};

/// What reaching the URL told.
pub struct Reached {
    pub address: IpAddr,
    pub handshake: Handshake,
    /// The `WWW-Authenticate` schemes (`Negotiate`, `NTLM`, `Basic`).
    pub schemes: Vec<String>,
}

/// The server the URL names, as a step reports it.
pub fn server(url: &ExchangeUrl) -> CheckedServer {
    CheckedServer {
        host: url.host().to_string(),
        port: url.port().unwrap_or(443),
        security: Security::SslTls,
        address: None,
    }
}

/// The smallest EWS request that needs a signed-in mailbox: the inbox folder's id.
const GET_INBOX: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Body>
    <m:GetFolder>
      <m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>
      <m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds>
    </m:GetFolder>
  </soap:Body>
</soap:Envelope>"#;

/// Asks the URL without credentials: a `401` with schemes (or a `200`) means EWS answers.
pub async fn reach(
    setup: &CheckSetup,
    settings: &ExchangeSettings,
    deadline: Instant,
) -> Result<Reached, Failure> {
    let url = &settings.url;
    let (status, headers, address, handshake) = request(setup, settings, None, deadline).await?;
    let schemes = schemes(&headers);
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::OK => Ok(Reached {
            address,
            handshake,
            schemes,
        }),
        other => Err(refusal(url, other, &headers)
            .at(address)
            .with_tls(handshake.report)),
    }
}

/// Signs in with Basic and asks for the inbox folder.
pub async fn login(
    setup: &CheckSetup,
    settings: &ExchangeSettings,
    credentials: &Credentials,
    deadline: Instant,
) -> Result<Reached, Failure> {
    let url = &settings.url;
    let reached = reach(setup, settings, deadline).await?;
    if !reached.schemes.is_empty()
        && !reached
            .schemes
            .iter()
            .any(|scheme| scheme.eq_ignore_ascii_case("Basic"))
    {
        return Err(Failure::new(
            CheckCode::LoginNotOffered,
            format!(
                "{} offers {} sign-in only; this check signs in with a password over Basic, which the server does not offer.",
                url.host(),
                reached.schemes.join(", ")
            ),
        )
        .at(reached.address)
        .with_tls(reached.handshake.report));
    }
    let (status, headers, address, handshake) =
        request(setup, settings, Some(credentials), deadline).await?;
    match status {
        status if status.is_success() => Ok(Reached {
            address,
            handshake,
            schemes: reached.schemes,
        }),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Failure::new(
            CheckCode::ExchangeLoginFailed,
            format!(
                "Exchange refused the username {} or its password.",
                credentials.username
            ),
        )
        .replied(status_line(status))
        .at(address)
        .with_tls(handshake.report)),
        other => Err(refusal(url, other, &headers)
            .at(address)
            .with_tls(handshake.report)),
    }
}

/// What an answer other than the expected one means.
fn refusal(url: &ExchangeUrl, status: StatusCode, headers: &hyper::HeaderMap) -> Failure {
    let host = url.host().to_string();
    if status.is_redirection() {
        let location = headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("(no location)")
            .to_owned();
        return Failure::new(
            CheckCode::ExchangeRedirected,
            format!(
                "{} redirects to {location}. The check does not follow it: if that address is right, use it as the Exchange URL.",
                url.as_str()
            ),
        )
        .replied(format!("{} Location: {location}", status_line(status)));
    }
    let (code, detail) = match status {
        StatusCode::NOT_FOUND | StatusCode::GONE => (
            CheckCode::ExchangeNotFound,
            format!(
                "{host} answered, but there is no Exchange Web Services at {}. Check the Exchange URL.",
                url.path()
            ),
        ),
        status if status.is_server_error() => (
            CheckCode::ServerError,
            format!("{host} reported an error of its own. Try again later."),
        ),
        _ => (
            CheckCode::ExchangeUnexpectedAnswer,
            format!("{host} answered, but not as Exchange Web Services do."),
        ),
    };
    Failure::new(code, detail).replied(status_line(status))
}

fn status_line(status: StatusCode) -> String {
    format!(
        "HTTP {} {}",
        status.as_str(),
        status.canonical_reason().unwrap_or_default()
    )
}

/// The schemes of every `WWW-Authenticate` header (the first word of each).
fn schemes(headers: &hyper::HeaderMap) -> Vec<String> {
    let mut schemes: Vec<String> = Vec::new();
    for value in headers.get_all(header::WWW_AUTHENTICATE) {
        let Ok(text) = value.to_str() else { continue };
        if let Some(scheme) = text.split_whitespace().next() {
            let scheme = scheme.trim_end_matches(',').to_owned();
            if !schemes
                .iter()
                .any(|known| known.eq_ignore_ascii_case(&scheme))
            {
                schemes.push(scheme);
            }
        }
    }
    schemes
}

/// One request over a fresh vetted connection, the certificate trusted as the settings say:
/// GET without credentials, POST of the inbox request with them. The body is read (bounded)
/// and dropped.
async fn request(
    setup: &CheckSetup,
    settings: &ExchangeSettings,
    credentials: Option<&Credentials>,
    deadline: Instant,
) -> Result<(StatusCode, hyper::HeaderMap, IpAddr, Handshake), Failure> {
    let url = &settings.url;
    let server = server(url);
    let target = Target {
        host: server.host.clone(),
        port: server.port,
        security: Security::SslTls,
    };
    let (stream, address) = target.open(setup, deadline).await?;
    let (tls, handshake) = setup
        .roots
        .handshake(
            stream,
            &target.host,
            &settings.certificate_trust,
            setup.bounds.greeting,
        )
        .await
        .map_err(|failure| failure.at(address))?;
    let failed = |detail: String| {
        Failure::new(CheckCode::ExchangeUnexpectedAnswer, detail)
            .at(address)
            .with_tls(handshake.report.clone())
    };
    // Headers are bounded like a mail server's lines: 64 KiB for the whole head.
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(MAX_STEP_BYTES)
        .handshake(TokioIo::new(tls))
        .await
        .map_err(|error| failed(format!("{} did not speak HTTP: {error}.", target.host)))?;
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    let host_header = match url.port() {
        Some(port) => format!("{}:{port}", url.host().uri_host()),
        None => url.host().uri_host(),
    };
    let mut builder = Request::builder()
        .uri(url.path())
        .header(header::HOST, host_header)
        .header(header::USER_AGENT, "mailsetup-check");
    let body = match credentials {
        None => {
            builder = builder.method(Method::GET);
            Bytes::new()
        }
        Some(credentials) => {
            let basic = Zeroizing::new(format!(
                "Basic {}",
                BASE64.encode(format!(
                    "{}:{}",
                    credentials.username,
                    credentials.password.expose()
                ))
            ));
            let mut value = header::HeaderValue::from_str(&basic)
                .map_err(|_| failed("The username cannot be sent in an HTTP header.".into()))?;
            value.set_sensitive(true);
            builder = builder
                .method(Method::POST)
                .header(header::AUTHORIZATION, value)
                .header(header::CONTENT_TYPE, "text/xml; charset=utf-8");
            Bytes::from_static(GET_INBOX.as_bytes())
        }
    };
    let request = builder
        .body(Full::new(body))
        .map_err(|error| failed(format!("The request could not be made: {error}.")))?;
    let answer = tokio::time::timeout_at(deadline, sender.send_request(request)).await;
    let response = match answer {
        Err(_) => {
            driver.abort();
            return Err(Failure::new(
                CheckCode::ConnectionTimedOut,
                format!("{} did not answer the request in time.", target.host),
            )
            .at(address)
            .with_tls(handshake.report));
        }
        Ok(Err(error)) => {
            driver.abort();
            return Err(failed(format!(
                "{} did not answer as a web server does: {error}.",
                target.host
            )));
        }
        Ok(Ok(response)) => response,
    };
    let (parts, body) = response.into_parts();
    // Read the body (bounded), so the answer is complete; nothing in it is needed.
    let _ = tokio::time::timeout_at(deadline, Limited::new(body, MAX_STEP_BYTES).collect()).await;
    driver.abort();
    Ok((parts.status, parts.headers, address, handshake))
}
