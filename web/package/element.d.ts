// Types of <mail-setup> (element.js).
import type { MailSetupChange, MailSetupError, MailSetupOptions } from './index.js';

export declare class MailSetupElement extends HTMLElement {
  /** More mount options (read when the element connects). */
  options: Omit<MailSetupOptions, 'view' | 'role' | 'locale' | 'email' | 'allowlist'>;
  testConnection: MailSetupOptions['testConnection'];
  /** The IP groups to show instead of the provider's (live: setting it re-renders). */
  allowlist: MailSetupOptions['allowlist'];
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
  shadow?: boolean | '';
  ref?: unknown;
  key?: string | number;
  class?: string;
  className?: string;
  id?: string;
  testConnection?: MailSetupOptions['testConnection'];
  allowlist?: MailSetupOptions['allowlist'];
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
