// Types of <mail-setup> (element.js).
import type { MailSetupChange, MailSetupError, MailSetupOptions } from './index.js';

export declare class MailSetupElement extends HTMLElement {
  /**
   * Resolves when the element's first screen is drawn, however late it is read (the
   * `mailsetup-ready` event reaches only listeners already attached). Rejects with the error
   * `mailsetup-error` carries (`code`: `load-failed` or `invalid-options`) when the element
   * cannot be mounted. After the element is removed, it stands for its next connection.
   */
  readonly ready: Promise<void>;
  /** More mount options (read when the element connects). */
  options: Omit<MailSetupOptions, 'view' | 'role' | 'locale' | 'email' | 'allowlist'>;
  testConnection: MailSetupOptions['testConnection'];
  /** The IP groups to show instead of the provider's (live: setting it re-renders). */
  allowlist: MailSetupOptions['allowlist'];
  /** With the `api` attribute: the person's own access token (a property, never an attribute). */
  token: string | undefined;
  /** With the `api` attribute: extra headers for every request. */
  headers: Record<string, string> | undefined;
}

export interface MailSetupElementEventMap extends HTMLElementEventMap {
  'mailsetup-ready': CustomEvent<Record<string, never>>;
  'mailsetup-change': CustomEvent<MailSetupChange>;
  'mailsetup-error': CustomEvent<MailSetupError>;
}

/** The element's attributes, as JSX takes them. */
export interface MailSetupAttributes {
  view?: 'all' | 'admin' | 'connect' | 'allowlist';
  'user-role'?: 'admin' | 'read-only';
  lang?: string;
  email?: string;
  'storage-prefix'?: string;
  /** The settings server's address: the element keeps its settings there, not in the browser. */
  api?: string;
  /** A published settings document (the JSON export), read-only: a self-service page. */
  'settings-url'?: string;
  shadow?: boolean | '';
  ref?: unknown;
  key?: string | number;
  class?: string;
  className?: string;
  id?: string;
  testConnection?: MailSetupOptions['testConnection'];
  allowlist?: MailSetupOptions['allowlist'];
  token?: string;
  headers?: Record<string, string>;
  options?: MailSetupElement['options'];
  'onmailsetup-change'?: (event: CustomEvent<MailSetupChange>) => void;
  'onmailsetup-error'?: (event: CustomEvent<MailSetupError>) => void;
  'onmailsetup-ready'?: (event: CustomEvent<Record<string, never>>) => void;
}

declare global {
  interface HTMLElementTagNameMap {
    'mail-setup': MailSetupElement;
  }
}
