// Moving settings out of the panel: the settings file (JSON), the spreadsheet (CSV), and one
// domain as Thunderbird's autoconfig file, downloaded the way a person would.
import * as fs from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, checkA11y, snap } from '../support/fixtures';
import { exchangeEntry, imapEntry, openWithStored, storedText } from '../support/book';

const local = { ...imapEntry('example.com', { smtpPort: 587 }), username: 'local_part' };
local.outgoing.security = 'starttls';
const DOCUMENT = JSON.stringify({ version: 2, domains: [local, exchangeEntry('corp.example')] });

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: fs.readFileSync(path, 'utf8') };
}

test('Export gives the settings file and the spreadsheet; the drawer gives Thunderbird its file', async ({ page }) => {
  await openWithStored(page, DOCUMENT);
  await page.getByRole('button', { name: 'Export' }).click();
  const choices = page.getByTestId('export-choices');
  await expect(choices).toBeVisible();
  await expect(page.getByRole('button', { name: 'Export' })).toHaveAttribute('aria-expanded', 'true');
  await checkA11y(page, 'with the export choices open');
  await snap(page, 'export-choices-en-wide');

  const json = await download(page, () => choices.getByRole('button', { name: 'Settings file (JSON)' }).click());
  expect(json.name).toBe('mailsetup-settings.json');
  // The document as stored (entries in the book's order, with the book's sequence).
  const exported = JSON.parse(json.text);
  const stored = JSON.parse((await storedText(page)) ?? '{}');
  expect(exported.version).toBe(3);
  expect(exported.sequence).toBeGreaterThanOrEqual(1);
  const byDomain = (a: { domain: string }, b: { domain: string }) => a.domain.localeCompare(b.domain);
  // A version 2 entry reads its certificate trust from the flag (false: verified), and version 3 writes it.
  const withTrust = (entry: { allow_insecure_certificates?: boolean }) => ({
    ...entry,
    certificate_trust: { mode: entry.allow_insecure_certificates ? 'any' : 'verified' },
  });
  expect(exported.domains).toEqual(stored.domains.map(withTrust).sort(byDomain));
  await expect(choices).toBeHidden();

  await page.getByRole('button', { name: 'Export' }).click();
  const csv = await download(page, () => choices.getByRole('button', { name: 'Spreadsheet (CSV)' }).click());
  expect(csv.name).toBe('mailsetup-settings.csv');
  const lines = csv.text.trim().split('\n');
  expect(lines[0]).toBe(
    'domain,type,imap_host,imap_port,imap_security,smtp_host,smtp_port,smtp_security,allow_insecure_certificates,username,exchange_url,include_subdomains,certificate_trust,certificate_pins',
  );
  expect(lines.slice(1)).toEqual([
    'corp.example,exchange,,,,,,,,,https://mail.corp.example/EWS/Exchange.asmx,false,verified,',
    'example.com,imap,imap.example.com,993,ssl_tls,smtp.example.com,587,starttls,false,local_part,,false,verified,',
  ]);

  // One IMAP domain as config-v1.1.xml, read by the browser's own XML parser.
  await page.getByRole('button', { name: 'Edit settings for example.com' }).click();
  const drawer = page.getByRole('dialog', { name: 'IMAP settings' });
  const xml = await download(page, () =>
    drawer.getByRole('button', { name: 'Download for Thunderbird (config-v1.1.xml)' }).click(),
  );
  expect(xml.name).toBe('config-v1.1.xml');
  const read = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    const server = (selector: string) => {
      const element = doc.querySelector(selector);
      const field = (name: string) => element?.querySelector(name)?.textContent ?? null;
      return [field('hostname'), field('port'), field('socketType'), field('username')];
    };
    return {
      error: doc.querySelector('parsererror') !== null,
      domains: [...doc.querySelectorAll('emailProvider > domain')].map((d) => d.textContent),
      imap: server('incomingServer[type="imap"]'),
      smtp: server('outgoingServer[type="smtp"]'),
    };
  }, xml.text);
  expect(read).toEqual({
    error: false,
    domains: ['example.com'],
    imap: ['imap.example.com', '993', 'SSL', '%EMAILLOCALPART%'],
    smtp: ['smtp.example.com', '587', 'STARTTLS', '%EMAILLOCALPART%'],
  });
  // Exchange domains have no Thunderbird file.
  await drawer.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Edit settings for corp.example' }).click();
  await expect(page.getByRole('dialog', { name: 'Exchange settings' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Download for Thunderbird/ })).toHaveCount(0);
});

test('Polish: the export choices speak Polish and pass axe', async ({ page }) => {
  await openWithStored(page, DOCUMENT, './?lang=pl');
  await page.getByRole('button', { name: 'Eksportuj' }).click();
  const choices = page.getByTestId('export-choices');
  await expect(choices.getByRole('button', { name: 'Arkusz (CSV)' })).toBeVisible();
  await checkA11y(page, 'with the export choices open, in Polish');
  await page.setViewportSize({ width: 360, height: 800 });
  await snap(page, 'export-choices-pl-narrow');
});

/** The settings of each stored domain, without what the book sets itself. */
function settingsOf(documentText: string) {
  const document = JSON.parse(documentText);
  return document.domains
    .map(({ revision, updated_at_unix_ms, ...settings }: Record<string, unknown>) => settings)
    .sort((a: { domain: string }, b: { domain: string }) => a.domain.localeCompare(b.domain));
}

async function chooseFiles(page: Page, files: { name: string; mimeType: string; text: string }[]) {
  await page.getByTestId('import-file').setInputFiles(
    files.map((file) => ({ name: file.name, mimeType: file.mimeType, buffer: Buffer.from(file.text) })),
  );
  const preview = page.getByTestId('import-preview');
  await expect(preview).toBeVisible();
  return preview;
}

test('export, then import into an empty browser: the same book', async ({ page }) => {
  await openWithStored(page, DOCUMENT);
  await page.getByRole('button', { name: 'Export' }).click();
  const json = await download(page, () =>
    page.getByTestId('export-choices').getByRole('button', { name: 'Settings file (JSON)' }).click(),
  );
  await openWithStored(page, JSON.stringify({ version: 2, domains: [] }));
  await expect(page.getByTestId('settings-empty')).toBeVisible();

  const preview = await chooseFiles(page, [{ name: json.name, mimeType: 'application/json', text: json.text }]);
  await expect(preview.getByTestId('import-added')).toContainText('New (2)');
  await expect(preview.getByTestId('import-cannot')).toHaveCount(0);
  await checkA11y(page, 'on the import preview');
  await snap(page, 'import-preview-en-wide');
  await preview.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(preview).toBeHidden();
  await expect(page.getByTestId('settings-status')).toContainText('Imported 2 changes.');
  expect(settingsOf((await storedText(page)) ?? '')).toEqual(settingsOf(json.text));

  // The same file again changes nothing.
  const again = await chooseFiles(page, [{ name: json.name, mimeType: 'application/json', text: json.text }]);
  await expect(again.getByTestId('import-unchanged')).toContainText('(2)');
  await expect(again.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await again.getByRole('button', { name: 'Cancel' }).click();
});

test('a spreadsheet with one bad line imports nothing until that line is left out', async ({ page }) => {
  await openWithStored(page, DOCUMENT);
  const header =
    'domain;type;imap_host;imap_port;imap_security;smtp_host;smtp_port;smtp_security;allow_insecure_certificates;username;exchange_url;include_subdomains';
  const csv = [
    header,
    'example.com;imap;imap.moved.example;993;ssl_tls;smtp.moved.example;465;ssl_tls;false;email_address;;false',
    'fresh.example;imap;imap.fresh.example;993;ssl_tls;smtp.fresh.example;465;ssl_tls;false;local_part;;false',
    'broken.example;imap;imap..broken;99999;ssl_tls;smtp.broken.example;465;ssl_tls;false;;;false',
  ].join('\n');
  const preview = await chooseFiles(page, [{ name: 'polish-office.csv', mimeType: 'text/csv', text: csv }]);
  await expect(preview.getByTestId('import-added')).toContainText('fresh.example');
  await expect(preview.getByTestId('import-changed')).toContainText('imap.example.com:993 SSL/TLS');
  await expect(preview.getByTestId('import-changed')).toContainText('imap.moved.example:993 SSL/TLS');
  const cannot = preview.getByTestId('import-cannot');
  await expect(cannot).toContainText('broken.example');
  await expect(cannot).toContainText('imap_port');
  const apply = preview.getByRole('button', { name: 'Import', exact: true });
  await expect(apply).toBeDisabled();
  await preview.getByLabel('Remove domains that are not in the file').check();
  await expect(preview.getByTestId('import-removed')).toContainText('corp.example');
  await preview.getByLabel('Remove domains that are not in the file').uncheck();
  await preview.getByLabel('Leave out what cannot be imported, and import the rest').check();
  await expect(apply).toBeEnabled();
  await apply.click();
  await expect(preview).toBeHidden();
  const stored = JSON.parse((await storedText(page)) ?? '{}');
  expect(stored.domains.map((d: { domain: string }) => d.domain).sort()).toEqual([
    'corp.example',
    'example.com',
    'fresh.example',
  ]);
  await expect(row(page, 'example.com')).toContainText('imap.moved.example');
});

test('Polish: a Thunderbird file in the import preview passes axe', async ({ page }) => {
  await openWithStored(page, JSON.stringify({ version: 2, domains: [] }), './?lang=pl');
  const xml = `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="tb.example">
    <domain>tb.example</domain><domain>tb2.example</domain>
    <incomingServer type="imap"><hostname>imap.tb.example</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.tb.example</hostname><port>465</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></outgoingServer>
  </emailProvider></clientConfig>`;
  const preview = await chooseFiles(page, [{ name: 'config-v1.1.xml', mimeType: 'application/xml', text: xml }]);
  await expect(preview.getByTestId('import-added')).toContainText('Nowe (2)');
  await checkA11y(page, 'on the import preview, in Polish');
  await page.setViewportSize({ width: 360, height: 800 });
  await snap(page, 'import-preview-pl-narrow');
  await preview.getByRole('button', { name: 'Importuj', exact: true }).click();
  const stored = JSON.parse((await storedText(page)) ?? '{}');
  expect(stored.domains.map((d: { username?: string }) => d.username)).toEqual(['local_part', 'local_part']);
});

const row = (page: Page, domain: string) =>
  page.getByTestId('domain-row').filter({ has: page.getByRole('rowheader', { name: domain, exact: false }) });
