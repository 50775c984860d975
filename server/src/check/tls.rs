//! TLS for the connection check: rustls with a verifier of our own that wraps webpki's, records
//! the chain the server presented and the verdict, and honours the settings' certificate trust:
//! `verified` verifies the chain against the trust roots for the host name; `pinned` passes when
//! a key of the presented chain is pinned, whoever issued it (the trust roots play no part);
//! `any` lets the handshake go on whatever the verdict, which becomes a warning. Also the
//! certificate report a person reads (subject, issuer, names, validity, fingerprints) and the
//! mapping of TLS errors to `check.*` codes.
//!
//! Pins: a server cannot present a key it does not hold, since TLS has it sign the handshake
//! with the leaf's key, so a pinned leaf key passes as it is. A pinned intermediate or root is
//! public, though: anyone can append it to a chain. So the chain must verify up to the pinned
//! certificate (webpki, with the pinned certificates of the chain as the only trust anchors: the
//! signatures, the names and the validity dates), or the pin does not count.
//!
//! Owns: the trust roots (Mozilla's, built in, plus the operator's `--check-ca-file`), the
//! verifier, the report. Must not: open sockets (the policy does) or speak a mail protocol.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailsetup_core::wire::{CertificateReport, CheckCode, TlsReport};
use mailsetup_core::{CertificateTrust, SpkiPins};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, Error as TlsError,
    PeerIncompatible, ProtocolVersion, RootCertStore, SignatureScheme,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::Failure;

/// A certificate that expires within this many days gets a warning.
pub const EXPIRES_SOON_DAYS: u64 = 21;

/// The trust every check shares: webpki's verifier over the roots.
#[derive(Clone)]
pub struct TrustRoots {
    verifier: Arc<WebPkiServerVerifier>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl fmt::Debug for TrustRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrustRoots")
    }
}

/// Why the operator's CA file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    #[error(
        "--check-ca-file {path} could not be read ({reason}). Give a PEM file of your company's CA certificates."
    )]
    Unreadable { path: String, reason: String },
    #[error(
        "--check-ca-file {path} holds no usable certificate ({reason}). Give a PEM file with -----BEGIN CERTIFICATE----- blocks."
    )]
    NoCertificate { path: String, reason: String },
}

/// Adds every certificate of the PEM file at `path` to `roots`.
fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<(), CaFileError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| CaFileError::Unreadable {
        path: shown.clone(),
        reason: error.to_string(),
    })?;
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|error| CaFileError::NoCertificate {
            path: shown.clone(),
            reason: error.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(CaFileError::NoCertificate {
            path: shown,
            reason: "no certificate found".into(),
        });
    }
    for certificate in certificates {
        roots
            .add(certificate)
            .map_err(|error| CaFileError::NoCertificate {
                path: shown.clone(),
                reason: error.to_string(),
            })?;
    }
    Ok(())
}

impl TrustRoots {
    /// Mozilla's roots, plus every certificate in `ca_files`; a mistake in each file that has
    /// one.
    pub fn load(ca_files: &[impl AsRef<Path>]) -> Result<TrustRoots, Vec<CaFileError>> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mistakes: Vec<CaFileError> = ca_files
            .iter()
            .filter_map(|path| add_ca_file(&mut roots, path.as_ref()).err())
            .collect();
        if !mistakes.is_empty() {
            return Err(mistakes);
        }
        // ring: builds with a C compiler alone (aws-lc-rs wants CMake). Its deprecation is
        // about post-quantum key exchange, which a one-off check of a mail server can do
        // without; rustls still negotiates TLS 1.3 with X25519.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|error| {
                    vec![CaFileError::NoCertificate {
                        path: "(roots)".into(),
                        reason: error.to_string(),
                    }]
                })?;
        Ok(TrustRoots { verifier, provider })
    }

    /// Sets up TLS over `stream` for `host`, the certificate trusted as `trust` says; `any`
    /// lets an untrusted certificate through (recorded all the same). The report is filled in
    /// either way.
    pub async fn handshake<S>(
        &self,
        stream: S,
        host: &str,
        trust: &CertificateTrust,
        timeout: Duration,
    ) -> Result<(TlsStream<S>, Handshake), Failure>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let record = Arc::new(Mutex::new(Recorded::default()));
        let verifier = Arc::new(RecordingVerifier {
            inner: Arc::clone(&self.verifier),
            provider: Arc::clone(&self.provider),
            record: Arc::clone(&record),
            trust: trust.clone(),
        });
        let config = ClientConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_safe_default_protocol_versions()
            .map_err(|error| Failure::new(CheckCode::TlsHandshakeFailed, error.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(bare.to_owned()).map_err(|_| {
            Failure::new(
                CheckCode::TlsHandshakeFailed,
                format!("{host} cannot be used as a TLS server name."),
            )
        })?;
        let connector = TlsConnector::from(Arc::new(config));
        let outcome = tokio::time::timeout(timeout, connector.connect(name, stream)).await;
        let recorded = take(&record);
        let certificate = recorded
            .chain
            .first()
            .and_then(|leaf| certificate_report(leaf, recorded.error.is_none()));
        let report = |version: Option<String>| TlsReport {
            version,
            certificate: certificate.clone(),
        };
        match outcome {
            Err(_) => Err(Failure::new(
                CheckCode::ConnectionTimedOut,
                format!(
                    "{host} accepted the connection but did not answer the TLS handshake within {} seconds.",
                    timeout.as_secs()
                ),
            )),
            Ok(Err(error)) => {
                let tls_error = error
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<TlsError>())
                    .cloned();
                let failure = match (&recorded.error, tls_error) {
                    (Some(refused), _) => certificate_failure(host, refused),
                    (None, Some(tls)) => handshake_failure(host, &tls),
                    (None, None) => Failure::new(
                        CheckCode::TlsHandshakeFailed,
                        format!("The TLS handshake with {host} failed: {error}."),
                    ),
                };
                Err(failure.with_tls(report(None)))
            }
            Ok(Ok(tls)) => {
                let version = tls.get_ref().1.protocol_version().map(version_name);
                let mut warnings = Vec::new();
                if let Some(refused) = &recorded.error {
                    let failure = certificate_failure(host, refused);
                    warnings.push((
                        failure.code,
                        format!(
                            "{} The settings allow insecure certificates, so the check went on; a password sent over this connection could be read by whoever holds that certificate.",
                            failure.detail
                        ),
                    ));
                }
                if let Some(leaf) = &certificate
                    && expires_within(leaf, EXPIRES_SOON_DAYS)
                {
                    warnings.push((
                        CheckCode::CertificateExpiresSoon,
                        format!(
                            "The certificate of {host} expires on {}. Renew it before then.",
                            leaf.not_after
                        ),
                    ));
                }
                Ok((
                    tls,
                    Handshake {
                        report: report(version),
                        warnings,
                        trusted: recorded.error.is_none(),
                    },
                ))
            }
        }
    }
}

/// What a finished handshake tells.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub report: TlsReport,
    pub warnings: Vec<(CheckCode, String)>,
    /// The certificate passed verification (credentials may be sent).
    pub trusted: bool,
}

/// The chain and verdict a handshake produced.
#[derive(Debug, Default)]
struct Recorded {
    chain: Vec<CertificateDer<'static>>,
    error: Option<Refusal>,
}

/// Why the verifier refused a certificate.
#[derive(Debug, Clone)]
enum Refusal {
    /// webpki's verdict: untrusted, expired, for another name…
    Certificate(TlsError),
    /// No key of the presented chain is pinned (or the chain does not verify up to the pinned
    /// certificate it holds).
    PinMismatch,
}

impl Refusal {
    /// What rustls is told, to end the handshake.
    fn to_tls_error(&self) -> TlsError {
        match self {
            Refusal::Certificate(error) => error.clone(),
            Refusal::PinMismatch => {
                TlsError::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
            }
        }
    }
}

fn take(record: &Mutex<Recorded>) -> Recorded {
    match record.lock() {
        Ok(mut guard) => std::mem::take(&mut *guard),
        Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
    }
}

/// The verdict the settings' trust asks for, recorded; the handshake goes on only when it
/// passed or the trust is `any`.
struct RecordingVerifier {
    /// webpki over the trust roots.
    inner: Arc<WebPkiServerVerifier>,
    /// For a verifier whose anchors are the pinned certificates of a chain.
    provider: Arc<rustls::crypto::CryptoProvider>,
    record: Arc<Mutex<Recorded>>,
    trust: CertificateTrust,
}

impl fmt::Debug for RecordingVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingVerifier")
            .field("trust", &self.trust.mode())
            .finish()
    }
}

impl RecordingVerifier {
    /// A pinned trust's verdict: the leaf's key is pinned, or the chain verifies (names and
    /// dates included) up to a pinned certificate the server presented.
    fn pinned_verdict(
        &self,
        pins: &SpkiPins,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Refusal> {
        let pinned = |der: &CertificateDer<'_>| {
            spki_sha256(der).is_some_and(|digest| pins.contains_digest(&digest))
        };
        if pinned(end_entity) {
            return Ok(ServerCertVerified::assertion());
        }
        let mut anchors = RootCertStore::empty();
        for certificate in intermediates.iter().filter(|der| pinned(der)) {
            // A pinned certificate that cannot be an anchor simply does not count.
            let _ = anchors.add(certificate.clone().into_owned());
        }
        if anchors.is_empty() {
            return Err(Refusal::PinMismatch);
        }
        let verifier = WebPkiServerVerifier::builder_with_provider(
            Arc::new(anchors),
            Arc::clone(&self.provider),
        )
        .build()
        .map_err(|_| Refusal::PinMismatch)?;
        verifier
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|error| match certificate_code(&error) {
                // The leaf does not chain up to the pinned certificate: the pin does not count.
                CheckCode::CertificateUntrusted => Refusal::PinMismatch,
                _ => Refusal::Certificate(error),
            })
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let verdict = match &self.trust {
            CertificateTrust::Pinned { spki_sha256 } => self.pinned_verdict(
                spki_sha256,
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            CertificateTrust::Verified | CertificateTrust::Any => self
                .inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map_err(Refusal::Certificate),
        };
        let mut record = match self.record.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        record.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|certificate| certificate.clone().into_owned())
            .collect();
        record.error = verdict.as_ref().err().cloned();
        match verdict {
            Ok(verified) => Ok(verified),
            Err(_) if self.trust == CertificateTrust::Any => Ok(ServerCertVerified::assertion()),
            Err(refusal) => Err(refusal.to_tls_error()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn version_name(version: ProtocolVersion) -> String {
    match version {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// The code of a certificate webpki refused.
pub fn certificate_code(error: &TlsError) -> CheckCode {
    match error {
        TlsError::InvalidCertificate(reason) => match reason {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CheckCode::CertificateExpired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CheckCode::CertificateNotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                CheckCode::CertificateNameMismatch
            }
            _ => CheckCode::CertificateUntrusted,
        },
        _ => CheckCode::CertificateUntrusted,
    }
}

/// SHA-256 over the certificate's DER SubjectPublicKeyInfo (what a pin names); `None` when it
/// is no certificate at all.
fn spki_sha256(der: &[u8]) -> Option<[u8; 32]> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(spki_digest(&certificate))
}

fn spki_digest(certificate: &x509_parser::certificate::X509Certificate<'_>) -> [u8; 32] {
    Sha256::digest(certificate.public_key().raw).into()
}

fn certificate_failure(host: &str, refusal: &Refusal) -> Failure {
    let error = match refusal {
        Refusal::Certificate(error) => error,
        Refusal::PinMismatch => {
            return Failure::new(
                CheckCode::CertificatePinMismatch,
                format!(
                    "No key of the certificate chain {host} presented matches the trusted key fingerprints. If its certificate was renewed with a new key, check the certificate below and trust its key (spki_sha256); otherwise someone may be intercepting the connection."
                ),
            );
        }
    };
    let code = certificate_code(error);
    let detail = match code {
        CheckCode::CertificateExpired => format!(
            "The certificate of {host} has expired. Ask the server's administrator to renew it."
        ),
        CheckCode::CertificateNotYetValid => format!(
            "The certificate of {host} is not valid yet. Check the server's clock and certificate."
        ),
        CheckCode::CertificateNameMismatch => format!(
            "The certificate {host} presented is for other names. Use a host name the certificate names (see its names below)."
        ),
        _ => format!(
            "The certificate of {host} is not signed by an authority this server trusts ({error}). Ask for a certificate from a public authority, or have the operator add your company's CA with --check-ca-file."
        ),
    };
    Failure::new(code, detail)
}

/// The code of a handshake that failed for a reason other than the certificate.
pub fn handshake_code(error: &TlsError) -> CheckCode {
    match error {
        TlsError::AlertReceived(AlertDescription::ProtocolVersion)
        | TlsError::PeerIncompatible(PeerIncompatible::Tls12NotOffered)
        | TlsError::PeerIncompatible(PeerIncompatible::Tls12NotOfferedOrEnabled)
        | TlsError::PeerIncompatible(PeerIncompatible::SupportedVersionsExtensionRequired) => {
            CheckCode::TlsVersionTooOld
        }
        TlsError::InvalidMessage(_) => CheckCode::TlsNotSpoken,
        TlsError::InvalidCertificate(_) => certificate_code(error),
        _ => CheckCode::TlsHandshakeFailed,
    }
}

fn handshake_failure(host: &str, error: &TlsError) -> Failure {
    let code = handshake_code(error);
    let detail = match code {
        CheckCode::TlsVersionTooOld => format!(
            "{host} only speaks a TLS version older than 1.2 ({error}). Ask its administrator to enable TLS 1.2 or 1.3."
        ),
        CheckCode::TlsNotSpoken => format!(
            "{host} answered without encryption on a port set for SSL/TLS. Choose STARTTLS, or the server's SSL/TLS port."
        ),
        _ => format!("The TLS handshake with {host} failed: {error}."),
    };
    Failure::new(code, detail)
}

/// A person-readable report of `der`, or `None` when it is not a certificate at all.
pub fn certificate_report(der: &[u8], trusted: bool) -> Option<CertificateReport> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
    let mut dns_names = Vec::new();
    if let Ok(Some(names)) = certificate.subject_alternative_name() {
        for name in &names.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(dns) => {
                    dns_names.push((*dns).to_owned());
                }
                x509_parser::extensions::GeneralName::IPAddress(bytes) => {
                    if let Some(address) = ip_from_bytes(bytes) {
                        dns_names.push(address);
                    }
                }
                _ => {}
            }
        }
    }
    let validity = certificate.validity();
    Some(CertificateReport {
        subject: certificate.subject().to_string(),
        issuer: certificate.issuer().to_string(),
        dns_names,
        not_before: super::dates::rfc3339(validity.not_before.timestamp()),
        not_after: super::dates::rfc3339(validity.not_after.timestamp()),
        sha256: hex::encode(Sha256::digest(der)),
        spki_sha256: hex::encode(spki_digest(&certificate)),
        trusted,
    })
}

fn ip_from_bytes(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|octets| std::net::Ipv4Addr::from(octets).to_string()),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|octets| std::net::Ipv6Addr::from(octets).to_string()),
        _ => None,
    }
}

/// Whether the certificate's `not_after` is within `days` from now.
fn expires_within(certificate: &CertificateReport, days: u64) -> bool {
    let Some(not_after) = super::dates::parse_rfc3339_seconds(&certificate.not_after) else {
        return false;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64);
    not_after - now < (days * 86_400) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_errors_map_to_their_codes() {
        use CheckCode::*;
        let cases = [
            (
                TlsError::AlertReceived(AlertDescription::ProtocolVersion),
                TlsVersionTooOld,
            ),
            (
                TlsError::PeerIncompatible(PeerIncompatible::Tls12NotOffered),
                TlsVersionTooOld,
            ),
            (
                TlsError::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
                TlsNotSpoken,
            ),
            (
                TlsError::AlertReceived(AlertDescription::HandshakeFailure),
                TlsHandshakeFailed,
            ),
            (
                TlsError::InvalidCertificate(CertificateError::Expired),
                CertificateExpired,
            ),
        ];
        for (error, code) in cases {
            assert_eq!(handshake_code(&error), code, "{error:?}");
        }
        let certificates = [
            (CertificateError::Expired, CertificateExpired),
            (CertificateError::NotValidYet, CertificateNotYetValid),
            (CertificateError::NotValidForName, CertificateNameMismatch),
            (CertificateError::UnknownIssuer, CertificateUntrusted),
            (CertificateError::BadSignature, CertificateUntrusted),
        ];
        for (reason, code) in certificates {
            assert_eq!(
                certificate_code(&TlsError::InvalidCertificate(reason.clone())),
                code,
                "{reason:?}"
            );
        }
    }
}
