// The reference settings server (server/, `mailsetup-server`) as the REST specs run it: one per
// test, on a free loopback port, with its own SQLite database and token file, serving the npm
// package at / (its sign-in page). `stop()` and `start()` again keep the database and the port,
// as a restart does. xtask passes the binary and the package folder in the environment.
// `launch({ args })` adds flags of the spec's own (`checkArgs` for the connection check against
// the test mail servers), kept across restarts. `launch({ webRoot: false, binaryCopy: true })`
// runs the server as a release is deployed: the binary alone, copied into an empty folder and
// started there, serving the package it embedded at build time (no --web-root).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { MailServers } from './mail_servers';

export interface Caller {
  role: 'admin' | 'read-only';
  name: string;
  token: string;
}

export const CALLERS: Caller[] = [
  { role: 'admin', name: 'alice-admin', token: 'alice-token-0123456789abcdef' },
  { role: 'admin', name: 'bob-admin', token: 'bob-token-0123456789abcdef00' },
  { role: 'read-only', name: 'rita-reader', token: 'rita-token-0123456789abcdef' },
];

export function caller(name: string): Caller {
  const found = CALLERS.find((c) => c.name === name);
  if (!found) throw new Error(`no caller ${name}`);
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface LaunchOptions {
  /** Flags after the ones every server gets; the same at every start. */
  args?: readonly string[];
  /** Pass `--web-root` with xtask's package folder (default); false: the embedded package. */
  webRoot?: boolean;
  /** Copy the binary into an empty folder of its own and start it there (default false). */
  binaryCopy?: boolean;
}

export class SettingsServer {
  private child: ChildProcess | null = null;
  private log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: Required<LaunchOptions>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async launch(options: LaunchOptions = {}): Promise<SettingsServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailsetup-rest-spec-'));
    const lines = CALLERS.map((c) => `${c.role} ${c.name} ${c.token}`).join('\n');
    fs.writeFileSync(path.join(dir, 'tokens'), `${lines}\n`);
    const server = new SettingsServer(dir, await freePort(), {
      args: [...(options.args ?? [])],
      webRoot: options.webRoot ?? true,
      binaryCopy: options.binaryCopy ?? false,
    });
    await server.start();
    return server;
  }

  /** The folder a copied binary runs in: nothing but the binary (see `binaryCopy`). */
  get binaryFolder(): string {
    return path.join(this.dir, 'bin');
  }

  /** What the server printed so far. */
  get output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    const built = process.env.MAILSETUP_SERVER_BIN;
    const webRoot = process.env.MAILSETUP_SERVER_WEB_ROOT;
    if (!built || (this.options.webRoot && !webRoot)) {
      throw new Error('MAILSETUP_SERVER_BIN and MAILSETUP_SERVER_WEB_ROOT are not set: run `cargo xtask e2e`.');
    }
    let binary = built;
    let cwd: string | undefined;
    if (this.options.binaryCopy) {
      cwd = this.binaryFolder;
      binary = path.join(cwd, path.basename(built));
      if (!fs.existsSync(binary)) {
        fs.mkdirSync(cwd);
        fs.copyFileSync(built, binary);
        fs.chmodSync(binary, 0o755);
      }
    }
    // Only the flags say where the package comes from, whatever this shell has set.
    const env = { ...process.env };
    delete env.MAILSETUP_WEB_ROOT;
    const child = spawn(
      binary,
      [
        '--bind', `127.0.0.1:${this.port}`,
        '--database', path.join(this.dir, 'settings.db'),
        '--tokens', path.join(this.dir, 'tokens'),
        ...(this.options.webRoot && webRoot ? ['--web-root', webRoot] : []),
        ...this.options.args,
      ],
      { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk) => (this.log += chunk));
    child.stderr?.on('data', (chunk) => (this.log += chunk));
    this.child = child;
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited: ${this.log}`);
      try {
        const response = await fetch(`${this.url}/readyz`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() - started > 20_000) throw new Error(`the server did not start: ${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A call to the API as `who`, with their bearer token. */
  async api(who: string, method: string, apiPath: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.url}${apiPath}`, {
      method,
      headers: {
        Authorization: `Bearer ${caller(who).token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), json: text ? JSON.parse(text) : null };
  }
}

/** How long the check looks for its test message (the server's default is 30 s). */
const CHECK_ARRIVAL_SECONDS = 20;

/**
 * The flags that let the server's connection check reach the test mail servers, as the
 * server's own check tests configure it: loopback allowed (it is refused by default), every
 * port of theirs allowed, their CA trusted (unless `trustTestCa` is false: their certificates
 * are then untrusted, as a company's own CA is), and a bound on the wait for the test message
 * that a failing spec reaches well within its timeout.
 */
export function checkArgs(mail: MailServers, { trustTestCa = true }: { trustTestCa?: boolean } = {}): string[] {
  const ports = [mail.imapPort, mail.imapStarttlsPort, mail.smtpPort, mail.smtpTlsPort];
  return [
    '--check-allow-network', '127.0.0.0/8',
    ...ports.flatMap((port) => ['--check-allow-port', String(port)]),
    // Without the test CA the servers' certificates are untrusted, as a company's own CA is.
    ...(trustTestCa ? ['--check-ca-file', mail.caFile] : []),
    '--check-arrival-seconds', String(CHECK_ARRIVAL_SECONDS),
  ];
}

/** The IMAP settings of `domain`, on servers named after `prefix`. */
export function imapEntry(domain: string, prefix: string) {
  return {
    domain,
    type: 'imap',
    incoming: { host: `${prefix}.imap.example.net`, port: 993, security: 'ssl_tls' },
    outgoing: { host: `${prefix}.smtp.example.net`, port: 465, security: 'ssl_tls' },
    allow_insecure_certificates: false,
    include_subdomains: false,
  };
}

/**
 * A page of its own browser context that fails the test on console errors, uncaught exceptions
 * and CSP violations, except the browser's own lines about answers the specs cause on purpose
 * (401 before signing in, 412, a stopped server).
 */
export async function watchedPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  return { context, page, problems };
}

export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/^Failed to load resource: (the server responded with a status of (401|412)|net::ERR_CONNECTION_REFUSED)/.test(text)) return;
    problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  void page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return problems;
}

/** Opens the server's page and signs in as `who`; waits for the component. */
export async function signIn(page: Page, server: SettingsServer, who: string, lang = 'en'): Promise<void> {
  await page.goto(`${server.url}/?lang=${lang}`);
  await page.getByTestId('signin-token').fill(caller(who).token);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signed-in-as')).toContainText(who);
  await expect(page.getByTestId('mailsetup')).toBeVisible({ timeout: 30_000 });
}
