// Types of mailsetup's JavaScript API (index.js).

/** Which parts an instance shows. */
export type MailSetupView = 'all' | 'admin' | 'connect' | 'allowlist';

/** Where the settings are kept. */
export type MailSetupStorage =
  | { type: 'local'; /** Start of every storage key (`PREFIX:settings`, ...). */ prefix?: string }
  | { type: 'memory' }
  | {
      type: 'rest';
      /** The settings server's address (`https://crm.example.com`); `/api/v1/...` is appended. */
      baseUrl: string;
      /** Sent as `Authorization: Bearer …`: the person's own access token, never a shared one. */
      token?: string;
      /** Extra headers for every request (a portal's own). */
      headers?: Record<string, string>;
      /** Whether cookies go with each request (`fetch`'s `credentials`); `same-origin` by default. */
      credentials?: 'omit' | 'same-origin' | 'include';
      /** A cookie session's CSRF header and token, sent with every request. */
      csrf?: { header: string; token: string };
      /** How long one request may take, 1000 to 120000 ms; 15000 by default. */
      timeoutMs?: number;
    }
  | {
      type: 'url';
      /** The absolute address of a published settings document (the JSON export): read-only. */
      url: string;
    };

/** A saved change, as `onChange` and the `mailsetup-change` event carry it. */
export interface MailSetupChange {
  action: 'added' | 'updated' | 'renamed' | 'removed';
  /** The domain as people read it (Unicode for international names). */
  domain: string;
  /** The old name, for a rename. */
  previousDomain?: string;
  /** The entry in the stored document's JSON shape; absent for a removal. Never a secret. */
  settings?: Record<string, unknown>;
}

/** A problem the component reports. */
export interface MailSetupError {
  code:
    | 'storage-unavailable'
    | 'storage-unreadable'
    | 'storage-newer'
    | 'fetch-failed'
    | 'server-unreachable'
    | 'unauthenticated'
    | 'forbidden'
    | 'server-misconfigured'
    | 'published-unavailable'
    | string;
  message: string;
}

/**
 * A step of the connection check, as the demo names them. `send-test-email` and
 * `test-email-arrived` come only when the person ticked "Send a test e-mail to myself".
 */
export type MailSetupCheckStep =
  | 'imap-connect'
  | 'imap-login'
  | 'smtp-connect'
  | 'smtp-login'
  | 'send-test-email'
  | 'test-email-arrived'
  | 'exchange-reach'
  | 'exchange-login';

export interface MailSetupEndpoint {
  host: string;
  port: number;
  security: 'ssl_tls' | 'starttls';
}

/**
 * How the servers' certificates are to be trusted: `verified` against the trusted roots for the
 * host name; `pinned` when a key of the chain the server presents (leaf, intermediate or root)
 * is one of `spkiSha256` (SHA-256 over its DER SubjectPublicKeyInfo, 64 lowercase hex digits),
 * whoever issued it; `any` certificate, its problems only warnings ("Allow insecure
 * certificates").
 */
export type MailSetupCertificateTrust =
  | { mode: 'verified' }
  | { mode: 'pinned'; spkiSha256: string[] }
  | { mode: 'any' };

/** What one attempt of the check is about. The password is handed over for that call only. */
export type MailSetupAttempt =
  | {
      type: 'imap';
      email: string;
      username: string;
      password: string;
      incoming: MailSetupEndpoint;
      outgoing: MailSetupEndpoint;
      certificateTrust: MailSetupCertificateTrust;
      /** @deprecated Use `certificateTrust`: true exactly when its mode is `any`. */
      allowInsecureCertificates: boolean;
    }
  | {
      type: 'exchange';
      email: string;
      username: string;
      password: string;
      url: string;
      certificateTrust: MailSetupCertificateTrust;
    };

export type MailSetupStepResult = { ok: true } | { ok: false; reason?: string };

/** One group of IP addresses the allowlist shows: its heading, the traffic it carries, and its
 * address ranges (`203.0.113.7`, `203.0.113.0/24`, IPv6 alike, no host bits set). */
export interface MailSetupAllowlistGroup {
  name: string;
  purpose: 'smtp' | 'imap';
  ranges: string[];
}

export interface MailSetupOptions {
  view?: MailSetupView;
  role?: 'admin' | 'read-only';
  locale?: 'en' | 'pl';
  storage?: MailSetupStorage;
  /** The person's address, to pre-fill the connect flow's first step. */
  email?: string | null;
  /** The IP groups to show instead of the provider's; `null` goes back to the provider's. */
  allowlist?: MailSetupAllowlistGroup[] | null;
  onChange?: (change: MailSetupChange) => void;
  onError?: (error: MailSetupError) => void;
  /**
   * Your own connection check: called for each step, in order, until one fails. Without it the
   * settings server checks (REST storage); other pages say that no check runs.
   */
  testConnection?: (
    step: MailSetupCheckStep,
    attempt: MailSetupAttempt,
    signal: AbortSignal,
  ) => Promise<MailSetupStepResult> | MailSetupStepResult;
}

/** What `update` may change in place. */
export type MailSetupUpdate = Pick<
  MailSetupOptions,
  'view' | 'role' | 'locale' | 'email' | 'allowlist'
>;

/** An instance stays mounted until `unmount()`, whether or not the host keeps its handle. */
export interface MailSetupHandle {
  /** Resolves when the first screen is drawn. */
  readonly ready: Promise<void>;
  update(partial: MailSetupUpdate): void;
  /** Removes everything the instance added; the element is left as it was found. */
  unmount(): void;
}

/** Loads the WebAssembly module (once; later calls return the same promise). */
export default function init(
  wasm?: string | URL | Response | BufferSource | WebAssembly.Module,
): Promise<void>;

export function mount(element: HTMLElement, options?: MailSetupOptions): MailSetupHandle;
