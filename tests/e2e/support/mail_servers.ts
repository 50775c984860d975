// Real mail servers for the specs of the connection check: a Dovecot (IMAP) and an Exim (SMTP)
// on free 127.0.0.1 ports, with certificates from a test CA of their own, started through the
// `mail-servers` program (testkit/mail-servers; xtask passes its path in
// MAILSETUP_MAIL_SERVERS_BIN and `cargo xtask setup` installs both servers). Mail Exim accepts
// for `user` lands in `maildir`, the INBOX Dovecot serves.
//
// This file owns starting and stopping that program and reading its one JSON line. It must not
// talk to the servers itself, and must not leave the program running: `dispose()` closes its
// stdin (it stops both servers and removes their folder), and the program also stops when this
// process dies, as its stdin then closes.
import { spawn, type ChildProcess } from 'node:child_process';

/** How long the program may take to print its line (both servers up), and to stop. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** The program's JSON line (testkit/mail-servers/src/bin/mail-servers.rs). */
interface Announcement {
  host: string;
  imap_port: number;
  imap_security: string;
  smtp_port: number;
  smtp_security: string;
  imap_starttls_port: number;
  smtp_tls_port: number;
  ca_file: string;
  user: string;
  password: string;
  maildir: string;
}

export class MailServers {
  /** The name the servers' certificate is for (it resolves to 127.0.0.1). */
  readonly host: string;
  /** IMAP over TLS from the first byte (`imapSecurity`, the wire name: ssl_tls). */
  readonly imapPort: number;
  readonly imapSecurity: string;
  /** SMTP submission with STARTTLS (`smtpSecurity`, the wire name: starttls). */
  readonly smtpPort: number;
  readonly smtpSecurity: string;
  /** The same servers with the other security: IMAP with STARTTLS, SMTP over TLS. */
  readonly imapStarttlsPort: number;
  readonly smtpTlsPort: number;
  /** The test CA's certificate (PEM), for the settings server's `--check-ca-file`. */
  readonly caFile: string;
  /** The one mailbox's address, which is also its login name for IMAP and SMTP. */
  readonly user: string;
  readonly password: string;
  /** The user's INBOX (new/, cur/, tmp/), where a delivered test message lands. */
  readonly maildir: string;

  private constructor(
    private readonly child: ChildProcess,
    private readonly log: () => string,
    announced: Announcement,
  ) {
    this.host = announced.host;
    this.imapPort = announced.imap_port;
    this.imapSecurity = announced.imap_security;
    this.smtpPort = announced.smtp_port;
    this.smtpSecurity = announced.smtp_security;
    this.imapStarttlsPort = announced.imap_starttls_port;
    this.smtpTlsPort = announced.smtp_tls_port;
    this.caFile = announced.ca_file;
    this.user = announced.user;
    this.password = announced.password;
    this.maildir = announced.maildir;
  }

  /** Starts both servers and waits until they answer (the program prints its line then). */
  static async launch(): Promise<MailServers> {
    const binary = process.env.MAILSETUP_MAIL_SERVERS_BIN;
    if (!binary) {
      throw new Error('MAILSETUP_MAIL_SERVERS_BIN is not set: run `cargo xtask e2e`.');
    }
    // stdin stays an open pipe: its end of file is the program's signal to stop.
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr?.on('data', (chunk) => (errors += chunk));
    const log = () => errors;
    try {
      const line = await firstLine(child, log);
      return new MailServers(child, log, JSON.parse(line) as Announcement);
    } catch (error) {
      child.kill('SIGTERM');
      throw error;
    }
  }

  /** The IMAP settings of the user's domain on these servers, as `PUT /api/v1/email-domains` takes them. */
  entry() {
    const domain = this.user.slice(this.user.indexOf('@') + 1);
    return {
      domain,
      type: 'imap',
      incoming: { host: this.host, port: this.imapPort, security: this.imapSecurity },
      outgoing: { host: this.host, port: this.smtpPort, security: this.smtpSecurity },
      allow_insecure_certificates: false,
      include_subdomains: false,
    };
  }

  /** Stops both servers and removes their folder: closes the program's stdin, then SIGTERM if it lingers. */
  async dispose(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    if (await settlesWithin(exited, STOP_TIMEOUT_MS)) return;
    child.kill('SIGTERM');
    if (await settlesWithin(exited, STOP_TIMEOUT_MS)) return;
    child.kill('SIGKILL');
    await exited;
    throw new Error(`mail-servers did not stop; its log:\n${this.log()}`);
  }
}

/** The program's first line on stdout; rejects if it exits or takes too long first. */
function firstLine(child: ChildProcess, log: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`mail-servers printed nothing within ${START_TIMEOUT_MS} ms; its log:\n${log()}`)),
      START_TIMEOUT_MS,
    );
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start mail-servers: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mail-servers exited (${signal ?? code}) before it was ready; its log:\n${log()}`));
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const end = output.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(output.slice(0, end));
      }
    });
  });
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}
