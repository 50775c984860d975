//! Real mail servers for the connection check's tests: a Dovecot (IMAP) and an Exim (SMTP
//! submission) started on free 127.0.0.1 ports, from config files written into a temporary
//! folder, with certificates from a test CA ([`TestCa`]) so rustls can verify them. Mail
//! accepted by Exim for [`MAIL_USER`] lands in the maildir Dovecot serves as INBOX.
//!
//! Used two ways: the server's API tests (`server/tests/api/`) start a [`MailServers`] per test, and
//! the Playwright specs start the `mail-servers` program (`src/bin/mail-servers.rs`), which
//! prints where the servers are.
//!
//! This crate owns only the harness: it must not use the system's Dovecot or Exim configuration
//! or services, must not bind anything but 127.0.0.1, must not make either server talk to any
//! other address (no DNS, no relaying), and must not leave processes or folders behind (Drop
//! stops both servers and removes the folder). The programs come from `cargo xtask setup`
//! (Debian packages dovecot-imapd and exim4-daemon-light); starting them needs root, as Dovecot
//! started by another user cannot switch to its own users.

mod scratch;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::scratch::{TempDir, free_loopback_port};

/// The name the servers' certificate is for (besides 127.0.0.1), and so the host name a
/// connection check must be given for TLS verification to pass. It resolves to 127.0.0.1.
pub const MAIL_HOST: &str = "localhost";

/// The one mailbox: the login name is the whole address, for IMAP and SMTP alike.
pub const MAIL_USER: &str = "alice@mail.test";
pub const MAIL_PASSWORD: &str = "correct horse battery";

const DOVECOT: &str = "/usr/sbin/dovecot";
const EXIM: &str = "/usr/sbin/exim4";
const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// Connection attempts while a server starts (× [`READY_PAUSE`]).
const READY_ATTEMPTS: u32 = 100;
const READY_PAUSE: Duration = Duration::from_millis(50);
/// How long a server that accepted the connection may take to send its greeting.
const GREETING_WAIT: Duration = Duration::from_secs(10);
/// Attempts (× [`READY_PAUSE`]) at removing the folder once the servers are stopped.
const REMOVE_ATTEMPTS: u32 = 20;

/// A certificate authority of the test's own: rustls (webpki) refuses a self-signed server
/// certificate as its own root, so the servers get leaf certificates this CA signs, and the
/// client trusts the CA (`ca_file` is what `--check-ca-file` takes).
pub struct TestCa {
    pub cert_pem: String,
    /// The CA certificate as a PEM file (world-readable).
    pub ca_file: PathBuf,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    /// A fresh CA (ECDSA P-256), its certificate written to `dir/test-ca.pem`.
    pub fn new(dir: &Path) -> TestCa {
        let key = KeyPair::generate().expect("generate the test CA's key");
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "mailsetup test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = (SystemTime::now() - 2 * DAY).into();
        params.not_after = (SystemTime::now() + 3650 * DAY).into();
        let cert_pem = params
            .self_signed(&key)
            .expect("sign the test CA's certificate")
            .pem();
        let ca_file = dir.join("test-ca.pem");
        write_file(&ca_file, &cert_pem, 0o644);
        TestCa {
            cert_pem,
            ca_file,
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate and its key (both PEM, the key PKCS#8) signed by this CA, for
    /// `names` (each an IP address or a DNS name; the first is also the subject's CN), valid
    /// from `not_before` to `not_after` (either may be in the past: expired or not yet valid).
    pub fn leaf(
        &self,
        names: &[&str],
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> (String, String) {
        let key = KeyPair::generate().expect("generate a leaf key");
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let mut params =
            CertificateParams::new(names.clone()).expect("certificate parameters for the names");
        params.distinguished_name = rcgen::DistinguishedName::new();
        if let Some(first) = names.first() {
            params
                .distinguished_name
                .push(DnType::CommonName, first.as_str());
        }
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = not_before.into();
        params.not_after = not_after.into();
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign a leaf certificate");
        (cert.pem(), key.serialize_pem())
    }

    /// A rustls client configuration (the process-default provider, ring) that trusts this CA
    /// and nothing else.
    pub fn client_config(&self) -> rustls::ClientConfig {
        let mut roots = rustls::RootCertStore::empty();
        let cert = CertificateDer::from_pem_slice(self.cert_pem.as_bytes()).expect("the CA's PEM");
        roots.add(cert).expect("trust the test CA");
        rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth()
    }

    /// [`TestCa::leaf`] valid from yesterday for a year.
    pub fn leaf_now(&self, names: &[&str]) -> (String, String) {
        let now = SystemTime::now();
        self.leaf(names, now - DAY, now + 365 * DAY)
    }
}

/// Dovecot and Exim for [`MAIL_USER`], both on 127.0.0.1 with a certificate for [`MAIL_HOST`]
/// and `127.0.0.1` signed by `ca`.
pub struct MailServers {
    pub ca: TestCa,
    /// IMAP: plain greeting, STARTTLS; LOGIN/AUTHENTICATE fail (`NO [AUTHENTICATIONFAILED]`)
    /// until TLS is up — though the pre-TLS capability lists AUTH=PLAIN AUTH=LOGIN and no
    /// LOGINDISABLED (see [`write_dovecot_config`]).
    pub imap_starttls_port: u16,
    /// IMAP over implicit TLS (like 993).
    pub imap_tls_port: u16,
    /// Submission (like 587): STARTTLS offered; AUTH PLAIN LOGIN advertised only after TLS.
    pub smtp_starttls_port: u16,
    /// SMTP over implicit TLS (like 465); AUTH PLAIN LOGIN.
    pub smtp_tls_port: u16,
    /// [`MAIL_USER`]'s INBOX (new/, cur/, tmp/).
    pub maildir: PathBuf,
    dovecot: Child,
    exim: Child,
    dovecot_log: PathBuf,
    exim_log: PathBuf,
    /// Holds everything above; Drop removes it once the servers are stopped.
    dir: TempDir,
}

impl MailServers {
    /// Starts both servers and waits until every port answers. Panics with the servers' logs
    /// when they do not come up (see [`MailServers::try_start`]).
    pub async fn start() -> MailServers {
        Self::try_start()
            .await
            .unwrap_or_else(|report| panic!("{report}"))
    }

    /// [`MailServers::start`], answering why not (with the servers' logs) instead of
    /// panicking. A port taken between choosing and binding is tried again with other ports,
    /// twice at most.
    pub async fn try_start() -> Result<MailServers, String> {
        for program in [DOVECOT, EXIM] {
            if !Path::new(program).exists() {
                return Err(format!(
                    "{program} is missing: `cargo xtask setup` installs Dovecot and Exim \
                     (Debian packages dovecot-imapd and exim4-daemon-light)"
                ));
            }
        }
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Self::start_once().await {
                Ok(servers) => return Ok(servers),
                Err(StartFailure { report, port_taken }) => {
                    failures.push(report);
                    if !port_taken {
                        break;
                    }
                }
            }
        }
        Err(format!(
            "the test mail servers did not start:\n{}",
            failures.join("\n---- next attempt ----\n")
        ))
    }

    /// Every message file in the maildir's new/ and cur/, as text.
    pub fn delivered(&self) -> Vec<String> {
        let mut messages = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                // A file Dovecot moves from new/ to cur/ meanwhile is found in one or the other.
                if let Ok(bytes) = fs::read(entry.path()) {
                    messages.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
        messages
    }

    /// The logs so far (for a failing test's message).
    pub fn logs(&self) -> String {
        format!(
            "{}\n{}",
            read_log("Dovecot", &self.dovecot_log),
            read_log("Exim", &self.exim_log)
        )
    }

    async fn start_once() -> Result<MailServers, StartFailure> {
        let dir = TempDir::new("mail");
        let root = dir.path().to_path_buf();
        set_mode(&root, 0o755);
        let ca = TestCa::new(&root);
        let (cert_pem, key_pem) = ca.leaf_now(&[MAIL_HOST, "127.0.0.1"]);
        let cert = root.join("server-cert.pem");
        let key = root.join("server-key.pem");
        // Exim reads them after dropping root; they are test keys.
        write_file(&cert, &cert_pem, 0o644);
        write_file(&key, &key_pem, 0o644);

        // One maildir written by Exim's user and read (and moved within) by Dovecot's.
        let maildir = root.join("maildir");
        for sub in ["", "new", "cur", "tmp"] {
            let path = maildir.join(sub);
            fs::create_dir_all(&path).expect("create the maildir");
            set_mode(&path, 0o777);
        }

        let port = || free_loopback_port().expect("find a free loopback port");
        let ports = Ports {
            imap_starttls: port(),
            imap_tls: port(),
            smtp_starttls: port(),
            smtp_tls: port(),
        };

        let dovecot_dir = root.join("dovecot");
        let exim_dir = root.join("exim");
        let dovecot_log = dovecot_dir.join("dovecot.log");
        let exim_log = exim_dir.join("main.log");
        let dovecot_conf = write_dovecot_config(&dovecot_dir, &ports, &cert, &key, &maildir);
        let exim_conf = write_exim_config(&exim_dir, &ports, &cert, &key, &maildir);

        let dovecot = spawn(
            Command::new(DOVECOT).arg("-F").arg("-c").arg(&dovecot_conf),
            &dovecot_dir.join("stderr.log"),
        );
        let exim = spawn(
            Command::new(EXIM).arg("-C").arg(&exim_conf).arg("-bdf"),
            &exim_dir.join("stderr.log"),
        );
        let mut servers = MailServers {
            ca,
            imap_starttls_port: ports.imap_starttls,
            imap_tls_port: ports.imap_tls,
            smtp_starttls_port: ports.smtp_starttls,
            smtp_tls_port: ports.smtp_tls,
            maildir,
            dovecot,
            exim,
            dovecot_log,
            exim_log,
            dir,
        };
        let waits = [
            (Server::Dovecot, ports.imap_starttls, false),
            (Server::Dovecot, ports.imap_tls, true),
            (Server::Exim, ports.smtp_starttls, false),
            (Server::Exim, ports.smtp_tls, true),
        ];
        for (server, port, tls) in waits {
            if let Err(problem) = servers.wait_until_ready(server, port, tls).await {
                let report = format!(
                    "{problem}\n{}\n{}\n{}",
                    servers.logs(),
                    read_log("Dovecot's stderr", &dovecot_dir.join("stderr.log")),
                    read_log("Exim's stderr", &exim_dir.join("stderr.log")),
                );
                let port_taken = report.contains("in use");
                // Drop stops whatever did start and removes the folder.
                drop(servers);
                return Err(StartFailure { report, port_taken });
            }
        }
        Ok(servers)
    }

    /// Connects to `port` until it accepts (bounded), shakes hands over TLS if `tls` (trusting
    /// the test CA, as the tests will), reads the greeting and says goodbye.
    async fn wait_until_ready(
        &mut self,
        server: Server,
        port: u16,
        tls: bool,
    ) -> Result<(), String> {
        let name = server.name();
        let mut attempt = 0;
        let stream = loop {
            let child = match server {
                Server::Dovecot => &mut self.dovecot,
                Server::Exim => &mut self.exim,
            };
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("{name} exited while starting ({status})"));
            }
            match TcpStream::connect(("127.0.0.1", port)).await {
                Ok(stream) => break stream,
                Err(_) if attempt < READY_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(READY_PAUSE).await;
                }
                Err(error) => {
                    return Err(format!(
                        "{name} did not listen on 127.0.0.1:{port} within {:?}: {error}",
                        READY_PAUSE * READY_ATTEMPTS
                    ));
                }
            }
        };
        if !tls {
            return greet(server, port, stream).await;
        }
        let connector = TlsConnector::from(Arc::new(self.ca.client_config()));
        let server_name = ServerName::try_from(MAIL_HOST).expect("a server name");
        match tokio::time::timeout(GREETING_WAIT, connector.connect(server_name, stream)).await {
            Ok(Ok(stream)) => greet(server, port, stream).await,
            Ok(Err(error)) => Err(format!("TLS with {name} on port {port}: {error}")),
            Err(_) => Err(format!("no TLS handshake with {name} on port {port}")),
        }
    }
}

/// Reads `server`'s greeting (bounded) and says goodbye.
async fn greet<S: AsyncRead + AsyncWrite + Unpin>(
    server: Server,
    port: u16,
    stream: S,
) -> Result<(), String> {
    let name = server.name();
    let (expected, goodbye) = match server {
        Server::Dovecot => ("* OK", "a LOGOUT\r\n"),
        Server::Exim => ("220 ", "QUIT\r\n"),
    };
    let mut reader = BufReader::new(stream);
    let deadline = Instant::now() + GREETING_WAIT;
    loop {
        let mut line = String::new();
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, reader.read_line(&mut line)).await {
            Err(_) => return Err(format!("{name} sent no greeting on port {port}")),
            Ok(Err(error)) => return Err(format!("{name}'s greeting on {port}: {error}")),
            Ok(Ok(0)) => return Err(format!("{name} closed port {port} before greeting")),
            Ok(Ok(_)) => {}
        }
        // Dovecot says this (untagged OK) before its real greeting while its authentication
        // process is still starting.
        if line.contains("Waiting for authentication") {
            continue;
        }
        if !line.starts_with(expected) {
            return Err(format!("{name} greeted with {line:?} on port {port}"));
        }
        let stream = reader.get_mut();
        let _ = stream.write_all(goodbye.as_bytes()).await;
        let _ = stream.shutdown().await;
        return Ok(());
    }
}

impl Drop for MailServers {
    fn drop(&mut self) {
        stop(&mut self.dovecot);
        stop(&mut self.exim);
        // Removed here rather than only by TempDir's Drop so that a straggler's last write
        // (a log line of a process killed mid-call) cannot leave the folder behind.
        let dir = self.dir.path();
        for _ in 0..REMOVE_ATTEMPTS {
            if fs::remove_dir_all(dir).is_ok() || !dir.exists() {
                break;
            }
            std::thread::sleep(READY_PAUSE);
        }
    }
}

#[derive(Clone, Copy)]
enum Server {
    Dovecot,
    Exim,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Server::Dovecot => "Dovecot",
            Server::Exim => "Exim",
        }
    }
}

struct Ports {
    imap_starttls: u16,
    imap_tls: u16,
    smtp_starttls: u16,
    smtp_tls: u16,
}

struct StartFailure {
    report: String,
    port_taken: bool,
}

/// Dovecot 2.3 run as root in the foreground, everything under `dir`.
///
/// Connections from 127.0.0.1 to 127.0.0.1 count as "secured" for Dovecot (it treats a
/// connection whose two ends have the same address as local), so `disable_plaintext_auth`
/// alone would let LOGIN through before STARTTLS. The passdb file is therefore chosen by
/// `%{secured}`, which is `TLS` only over TLS: the files for the other values are empty, so a
/// login before TLS fails (`NO [AUTHENTICATIONFAILED]`) — though the pre-TLS capability still
/// lists AUTH=PLAIN and no LOGINDISABLED.
fn write_dovecot_config(
    dir: &Path,
    ports: &Ports,
    cert: &Path,
    key: &Path,
    maildir: &Path,
) -> PathBuf {
    let (uid, gid) = system_user("dovecot");
    for sub in ["", "run", "state", "home"] {
        let path = dir.join(sub);
        fs::create_dir_all(&path).expect("create Dovecot's folders");
        set_mode(&path, 0o755);
    }
    set_mode(&dir.join("home"), 0o777);
    let passdb_tls = dir.join("passdb-TLS");
    write_file(
        &passdb_tls,
        &format!("{MAIL_USER}:{{PLAIN}}{MAIL_PASSWORD}\n"),
        0o644,
    );
    write_file(&dir.join("passdb-secured"), "", 0o644);
    write_file(&dir.join("passdb-"), "", 0o644);
    let conf = fill(
        DOVECOT_CONF,
        &[
            ("DIR", &dir.display().to_string()),
            ("UID", &uid.to_string()),
            ("GID", &gid.to_string()),
            ("CERT", &cert.display().to_string()),
            ("KEY", &key.display().to_string()),
            ("MAILDIR", &maildir.display().to_string()),
            ("IMAP_PORT", &ports.imap_starttls.to_string()),
            ("IMAPS_PORT", &ports.imap_tls.to_string()),
        ],
    );
    let path = dir.join("dovecot.conf");
    write_file(&path, &conf, 0o644);
    path
}

/// Exim run as root in the foreground with `-C`: it drops to its own user (Debian-exim), so
/// every folder it writes is world-writable and every file it reads world-readable.
fn write_exim_config(
    dir: &Path,
    ports: &Ports,
    cert: &Path,
    key: &Path,
    maildir: &Path,
) -> PathBuf {
    let spool = dir.join("spool");
    for path in [dir, spool.as_path()] {
        fs::create_dir_all(path).expect("create Exim's folders");
        set_mode(path, 0o777);
    }
    let (local_part, domain) = MAIL_USER.split_once('@').expect("MAIL_USER is an address");
    let conf = fill(
        EXIM_CONF,
        &[
            ("DIR", &dir.display().to_string()),
            ("SPOOL", &spool.display().to_string()),
            ("CERT", &cert.display().to_string()),
            ("KEY", &key.display().to_string()),
            ("MAILDIR", &maildir.display().to_string()),
            ("SUBMISSION_PORT", &ports.smtp_starttls.to_string()),
            ("SMTPS_PORT", &ports.smtp_tls.to_string()),
            ("DOMAIN", domain),
            ("LOCAL_PART", local_part),
            ("USER", MAIL_USER),
            ("PASSWORD", MAIL_PASSWORD),
        ],
    );
    let path = dir.join("exim.conf");
    write_file(&path, &conf, 0o644);
    path
}

/// The Dovecot configuration; `@NAME@` are filled in by [`write_dovecot_config`].
const DOVECOT_CONF: &str = "\
# Written by the mailsetup test harness (testkit/mail-servers).
protocols = imap
listen = 127.0.0.1
base_dir = @DIR@/run
state_dir = @DIR@/state
log_path = @DIR@/dovecot.log
info_log_path = @DIR@/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = @UID@
last_valid_uid = @UID@
ssl = yes
ssl_cert = <@CERT@
ssl_key = <@KEY@
disable_plaintext_auth = yes
auth_mechanisms = plain login
# Failures are still answered on Dovecot's 0.5 s tick.
auth_failure_delay = 0
mail_location = maildir:@MAILDIR@
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u @DIR@/passdb-%{secured}
}
userdb {
  driver = static
  args = uid=@UID@ gid=@GID@ home=@DIR@/home
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = @IMAP_PORT@
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = @IMAPS_PORT@
    ssl = yes
  }
}
# No auth penalty: after a failed login Dovecot would otherwise delay the next ones from the
# same address (2, 4, 8... seconds), which makes tests of wrong passwords slow and timing-bound.
# (The auth process then logs once that it cannot connect to anvil-auth-penalty.)
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  chroot =
}
";

/// The Exim configuration; `@NAME@` are filled in by [`write_exim_config`]. Only the test
/// user's address is accepted (after AUTH), and delivered to the literal maildir path (Exim's
/// taint checks refuse a path built from the address); nothing is relayed, nothing looked up.
const EXIM_CONF: &str = "\
# Written by the mailsetup test harness (testkit/mail-servers).
primary_hostname = localhost
qualify_domain = @DOMAIN@
domainlist local_domains = @DOMAIN@
local_interfaces = 127.0.0.1
daemon_smtp_ports = @SUBMISSION_PORT@ : @SMTPS_PORT@
tls_on_connect_ports = @SMTPS_PORT@
spool_directory = @SPOOL@
log_file_path = @DIR@/%s.log
pid_file_path = @DIR@/exim.pid
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = *
tls_certificate = @CERT@
tls_privatekey = @KEY@
auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}
acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  deny    message = authentication required
          !authenticated = *
  accept  domains = +local_domains
          local_parts = @LOCAL_PART@
  deny    message = relay not permitted

begin routers

mailbox:
  driver = accept
  domains = +local_domains
  local_parts = @LOCAL_PART@
  transport = mailbox_maildir

begin transports

mailbox_maildir:
  driver = appendfile
  maildir_format
  directory = @MAILDIR@
  create_directory
  delivery_date_add
  envelope_to_add
  return_path_add
  mode = 0666
  directory_mode = 0777

begin authenticators

plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${if and{{eq{$auth2}{@USER@}}{eq{$auth3}{@PASSWORD@}}}}
  server_set_id = $auth2

login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = ${if and{{eq{$auth1}{@USER@}}{eq{$auth2}{@PASSWORD@}}}}
  server_set_id = $auth1
";

/// `template` with every `@NAME@` replaced (the templates hold no other `@`).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    for name in template.split('@').skip(1).step_by(2) {
        assert!(
            values.iter().any(|(known, _)| *known == name),
            "the configuration placeholder @{name}@ has no value"
        );
    }
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("@{name}@"), value)
        })
}

/// `name`'s uid and gid from /etc/passwd.
fn system_user(name: &str) -> (u32, u32) {
    let passwd = fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 3 && fields[0] == name)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .unwrap_or_else(|| panic!("no user {name:?} in /etc/passwd (is Dovecot installed?)"))
}

fn spawn(command: &mut Command, stderr: &Path) -> Child {
    let file = fs::File::create(stderr).expect("create a server's stderr file");
    let out = file.try_clone().expect("share the stderr file");
    command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap_or_else(|error| panic!("start {command:?}: {error}"))
}

/// SIGKILL to the server's whole process group (each is started as the leader of its own):
/// Dovecot's master and its anvil, log, auth, login and imap processes, Exim's daemon and the
/// processes it forked per connection, which would otherwise outlive it and write their last
/// log lines into a removed folder. Neither keeps state worth a graceful stop (Dovecot's takes
/// a second or more by design), and nothing of theirs survives the test.
fn stop(child: &mut Child) {
    if let Ok(group) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) of the process group our child leads (process_group(0) at spawn);
        // the child is not yet waited for, so its id (the group's) is not reused.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn write_file(path: &Path, contents: &str, mode: u32) {
    fs::write(path, contents).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
    set_mode(path, mode);
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|error| panic!("chmod {mode:o} {}: {error}", path.display()));
}

fn read_log(what: &str, path: &Path) -> String {
    match fs::read_to_string(path) {
        Ok(text) => format!("== {what} ({}) ==\n{text}", path.display()),
        Err(error) => format!("== {what} ({}): not readable: {error} ==", path.display()),
    }
}
