// Builders for stored settings documents (the versioned JSON the component keeps under
// `mailsetup:settings`), and helpers that put them into a page's storage.
import type { Page } from '@playwright/test';
import { openDemo } from './fixtures';

export const SETTINGS_KEY = 'mailsetup:settings';

export function imapEntry(domain: string, options: Partial<{ imapHost: string; smtpHost: string; imapPort: number; smtpPort: number; insecure: boolean; subdomains: boolean }> = {}) {
  return {
    domain,
    type: 'imap',
    incoming: { host: options.imapHost ?? `imap.${domain}`, port: options.imapPort ?? 993, security: 'ssl_tls' },
    outgoing: { host: options.smtpHost ?? `smtp.${domain}`, port: options.smtpPort ?? 465, security: 'ssl_tls' },
    allow_insecure_certificates: options.insecure ?? false,
    include_subdomains: options.subdomains ?? false,
    updated_at_unix_ms: 1764000000000,
    revision: 1,
  };
}

export function exchangeEntry(domain: string, url = `https://mail.${domain}/EWS/Exchange.asmx`) {
  return { domain, type: 'exchange', url, include_subdomains: false, updated_at_unix_ms: 1764000000000, revision: 1 };
}

export function documentOf(entries: object[]): string {
  return JSON.stringify({ version: 1, domains: entries });
}

/** Opens the demo with `text` stored under the settings key (the page is loaded twice). */
export async function openWithStored(page: Page, text: string, url = './'): Promise<void> {
  await openDemo(page, url);
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [SETTINGS_KEY, text]);
  await page.reload();
  await page.getByTestId('mailsetup').waitFor();
}

export async function storedText(page: Page): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), SETTINGS_KEY);
}
