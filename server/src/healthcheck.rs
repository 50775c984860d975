//! `mailsetup-server healthcheck [--url URL]`: asks a running server whether it is alive, for a
//! container's `HEALTHCHECK` (distroless images have no curl). It GETs `/livez` of the address
//! the server listens on (`--bind` / `MAILSETUP_BIND`, a wildcard address asked on loopback)
//! with a short timeout, and exits 0 on 200, 1 otherwise with one sentence.
//!
//! Owns: the subcommand's flags, the default URL, one HTTP/1.1 GET. Must not: follow a
//! redirect, use a proxy, or reach anything but the address given.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, StatusCode, Uri, header};
use clap::Parser;
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// How long the whole check may take: connecting, asking and the answer's head.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The liveness path a server answers 200 on while its process is up.
pub const LIVENESS_PATH: &str = "/livez";

/// `mailsetup-server healthcheck`: exits 0 when the server answers 200, 1 otherwise.
#[derive(Debug, Parser)]
#[command(name = "mailsetup-server healthcheck")]
pub struct HealthcheckArgs {
    /// The URL to GET (http only); by default `http://<--bind>/livez`.
    #[arg(long)]
    pub url: Option<String>,

    /// The address the server listens on (as the server's --bind); 0.0.0.0 and [::] are asked
    /// on 127.0.0.1 and [::1].
    #[arg(long, env = "MAILSETUP_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
}

/// Runs the subcommand; `args` are the words after `healthcheck`.
pub async fn main(args: HealthcheckArgs) -> ExitCode {
    match check(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(sentence) => {
            eprintln!("mailsetup-server healthcheck: {sentence}");
            ExitCode::from(1)
        }
    }
}

async fn check(args: &HealthcheckArgs) -> Result<(), String> {
    let url = match &args.url {
        Some(url) => url.trim().to_owned(),
        None => default_url(&args.bind)?,
    };
    let uri: Uri = url.parse().map_err(|_| {
        format!("--url {url:?} is not a URL; give one such as http://127.0.0.1:8080/livez.")
    })?;
    if uri.scheme_str() != Some("http") {
        return Err(format!(
            "--url {url} is not an http:// URL; the check speaks plain HTTP to the server's own address."
        ));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| format!("--url {url} names no host."))?
        .clone();
    let address = format!(
        "{}:{}",
        authority.host(),
        authority.port_u16().unwrap_or(80)
    );
    let path = uri
        .path_and_query()
        .map_or("/", |path| path.as_str())
        .to_owned();
    let status = tokio::time::timeout(TIMEOUT, get(&address, authority.as_str(), &path))
        .await
        .map_err(|_| format!("{url} did not answer within {} seconds.", TIMEOUT.as_secs()))??;
    if status == StatusCode::OK {
        Ok(())
    } else {
        Err(format!("{url} answered {status}, not 200 OK."))
    }
}

/// `http://<bind>/livez`, a wildcard address replaced by loopback of the same family.
fn default_url(bind: &str) -> Result<String, String> {
    let mut address: SocketAddr = bind.trim().parse().map_err(|_| {
        format!("--bind {bind:?} is not an address and port; give the server's, such as 127.0.0.1:8080, or --url.")
    })?;
    match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => address.set_ip(Ipv4Addr::LOCALHOST.into()),
        ip if ip.is_unspecified() => address.set_ip(Ipv6Addr::LOCALHOST.into()),
        _ => {}
    }
    Ok(format!("http://{address}{LIVENESS_PATH}"))
}

/// One GET over a fresh connection; the answer's status.
async fn get(address: &str, host: &str, path: &str) -> Result<StatusCode, String> {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|error| format!("cannot connect to {address}: {error}."))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| format!("cannot speak HTTP to {address}: {error}."))?;
    let connection = tokio::spawn(connection);
    let request = Request::get(path)
        .header(header::HOST, host)
        .header(header::USER_AGENT, "mailsetup-server healthcheck")
        .body(Empty::<Bytes>::new())
        .map_err(|error| format!("cannot build the request for {path}: {error}."))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| format!("{address} did not answer: {error}."));
    connection.abort();
    Ok(response?.status())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_url_is_the_bind_address_on_loopback() {
        assert_eq!(
            default_url("127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/livez"
        );
        assert_eq!(
            default_url("0.0.0.0:9000").unwrap(),
            "http://127.0.0.1:9000/livez"
        );
        assert_eq!(default_url("[::]:8080").unwrap(), "http://[::1]:8080/livez");
        assert_eq!(
            default_url("[2001:db8::5]:80").unwrap(),
            "http://[2001:db8::5]:80/livez"
        );
        assert!(default_url("localhost").unwrap_err().contains("--bind"));
    }
}
