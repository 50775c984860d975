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
  expect(exported.version).toBe(2);
  expect(exported.sequence).toBeGreaterThanOrEqual(1);
  const byDomain = (a: { domain: string }, b: { domain: string }) => a.domain.localeCompare(b.domain);
  expect(exported.domains).toEqual([...stored.domains].sort(byDomain));
  await expect(choices).toBeHidden();

  await page.getByRole('button', { name: 'Export' }).click();
  const csv = await download(page, () => choices.getByRole('button', { name: 'Spreadsheet (CSV)' }).click());
  expect(csv.name).toBe('mailsetup-settings.csv');
  const lines = csv.text.trim().split('\n');
  expect(lines[0]).toBe(
    'domain,type,imap_host,imap_port,imap_security,smtp_host,smtp_port,smtp_security,allow_insecure_certificates,username,exchange_url,include_subdomains',
  );
  expect(lines.slice(1)).toEqual([
    'corp.example,exchange,,,,,,,,,https://mail.corp.example/EWS/Exchange.asmx,false',
    'example.com,imap,imap.example.com,993,ssl_tls,smtp.example.com,587,starttls,false,local_part,,false',
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
