// Where the settings live: kept across reloads, shared live with other tabs, and never lost
// when the browser's storage is blocked, full, unreadable or from a newer version.
import * as fs from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, openDemo, checkA11y, snap } from '../support/fixtures';
import { SETTINGS_KEY, documentOf, exchangeEntry, imapEntry, openWithStored, storedText } from '../support/book';

const dialog = (page: Page, name: string) => page.getByRole('dialog', { name });

async function addExchange(page: Page, domain: string) {
  await page.getByRole('button', { name: 'Add Exchange settings' }).click();
  const drawer = dialog(page, 'Exchange settings');
  await drawer.getByLabel('Domain name').fill(domain);
  await drawer.getByLabel('Exchange URL').fill(`https://mail.${domain}/EWS/Exchange.asmx`);
  await drawer.getByRole('button', { name: 'Add Exchange settings' }).click();
  return drawer;
}

test('settings survive a reload', async ({ page }) => {
  await openDemo(page);
  const drawer = await addExchange(page, 'corp.example');
  await expect(drawer).toBeHidden();
  await page.reload();
  await expect(page.getByRole('rowheader', { name: 'corp.example' })).toBeVisible();
  const stored = JSON.parse((await storedText(page))!);
  expect(stored.version).toBe(3);
  expect(stored.domains[0]).toMatchObject({ domain: 'corp.example', type: 'exchange' });
});

test('another tab sees a change at once, and an open dialog keeps its draft', async ({ context }) => {
  const first = await context.newPage();
  await openWithStored(first, documentOf([imapEntry('example.com')]));
  const second = await context.newPage();
  await openDemo(second);

  // Tab 2 adds a domain: tab 1 shows it without a reload.
  await (await addExchange(second, 'corp.example')).waitFor({ state: 'hidden' });
  await expect(first.getByRole('rowheader', { name: 'corp.example' })).toBeVisible();

  // Tab 1 is editing example.com when tab 2 changes it.
  await first.getByRole('button', { name: 'Edit settings for example.com' }).click();
  const drawer = dialog(first, 'IMAP settings');
  await drawer.getByLabel('IMAP server').fill('imap-draft.example.com');
  await second.getByRole('button', { name: 'Edit settings for example.com' }).click();
  await dialog(second, 'IMAP settings').getByLabel('SMTP port').fill('587');
  await dialog(second, 'IMAP settings').getByRole('button', { name: 'Update' }).click();
  await expect(drawer.getByRole('status')).toContainText('were just changed in another tab');
  await expect(drawer.getByLabel('IMAP server')).toHaveValue('imap-draft.example.com');
  await snap(first, 'dialog-changed-elsewhere-en-wide');
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();
  const edited = second.getByTestId('domain-row').filter({ hasText: 'example.com' }).filter({ hasText: 'IMAP' });
  await expect(edited).toContainText('imap-draft.example.com');
});

test('a save keeps what changed in storage unannounced (no storage event), and a quiet save keeps the rest', async ({ page }) => {
  await openWithStored(page, documentOf([imapEntry('example.com')]));
  await expect(page.getByRole('rowheader', { name: 'example.com' })).toBeVisible();
  // The host page (or a script in this same tab) writes the book: browsers send no `storage`
  // event to the tab that wrote, so the panel still shows the old book.
  await page.evaluate(
    ([key, text]) => localStorage.setItem(key, text),
    [SETTINGS_KEY, documentOf([imapEntry('example.com'), imapEntry('written-elsewhere.example')])] as const,
  );
  await (await addExchange(page, 'corp.example')).waitFor({ state: 'hidden' });
  const domains = () => storedText(page).then((text) => JSON.parse(text!).domains.map((d: { domain: string }) => d.domain));
  expect(await domains()).toEqual(['corp.example', 'example.com', 'written-elsewhere.example']);
  await expect(page.getByRole('rowheader', { name: 'written-elsewhere.example' })).toBeVisible();
  // Nothing changed since: the next save starts from what this tab holds and loses nothing.
  await (await addExchange(page, 'second.example')).waitFor({ state: 'hidden' });
  expect(await domains()).toEqual(['corp.example', 'example.com', 'second.example', 'written-elsewhere.example']);
});

test('blocked storage: the panel works in memory and says changes will not be kept', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  });
  await openDemo(page);
  await expect(page.getByTestId('storage-banner')).toContainText('changes are kept only until you reload');
  const drawer = await addExchange(page, 'memory.example');
  await expect(drawer).toBeHidden();
  await expect(page.getByRole('rowheader', { name: 'memory.example' })).toBeVisible();
  await checkA11y(page, 'with storage blocked');
  await snap(page, 'storage-blocked-en-wide');
});

test('unreadable stored data is kept aside, offered for download, and replaced only on request', async ({ page }) => {
  const garbage = '{"this is": not json';
  await openWithStored(page, garbage);
  const banner = page.getByTestId('storage-banner');
  await expect(banner).toHaveAttribute('role', 'alert');
  await expect(banner).toContainText("The saved settings can't be read");
  await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toHaveCount(0);
  expect(await storedText(page)).toBe(garbage);
  expect(await page.evaluate(() => localStorage.getItem('mailsetup:settings:unreadable'))).toBe('{"this is": not json');
  await checkA11y(page, 'with unreadable storage');
  await snap(page, 'storage-unreadable-en-wide');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download unreadable data' }).click();
  const download = await downloading;
  const path = await download.path();
  const fs = await import('node:fs');
  expect(fs.readFileSync(path, 'utf8')).toBe(garbage);

  await page.getByRole('button', { name: 'Start fresh' }).click();
  await expect(banner).toHaveCount(0);
  await expect(await addExchange(page, 'fresh.example')).toBeHidden();
  expect(JSON.parse((await storedText(page))!).domains).toHaveLength(1);
});

test('settings from a newer version are shown read-only and left alone', async ({ page }) => {
  const newer = JSON.stringify({
    version: 4,
    domains: [
      { ...imapEntry('now.example'), tenant: 'kept' },
      { domain: 'future.example', type: 'carrier-pigeon' },
    ],
  });
  await openWithStored(page, newer);
  await expect(page.getByTestId('storage-banner')).toContainText('newer version');
  // What this version understands is listed, with nothing to change it by.
  await expect(page.getByRole('rowheader', { name: 'now.example' })).toBeVisible();
  // What it cannot show is not a problem to fix here: it is named, with no advice to edit it.
  const rejected = page.getByTestId('rejected-banner');
  await expect(rejected).toContainText('1 saved entry can be shown only by the newer version');
  await expect(rejected).toContainText('future.example');
  await expect(rejected).not.toContainText('carrier-pigeon');
  await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit settings for now.example' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete settings for now.example' })).toHaveCount(0);
  // And a person connecting an inbox gets the administrator's settings.
  const connect = page.getByTestId('connect');
  await connect.getByLabel('Email address').fill('ada@now.example');
  await connect.getByRole('button', { name: 'Continue' }).click();
  await expect(connect.getByText('Set up by your administrator for now.example')).toBeVisible();
  await expect(connect.getByLabel('IMAP server')).toHaveValue('imap.now.example');
  await page.reload();
  expect(await storedText(page)).toBe(newer);
  await checkA11y(page, 'with settings from a newer version');
  await snap(page, 'storage-newer-en-wide');
  await page.setViewportSize({ width: 360, height: 800 });
  await snap(page, 'storage-newer-en-narrow');

  // The same in Polish, narrow and wide.
  await openWithStored(page, newer, './?lang=pl');
  await expect(page.getByTestId('storage-banner')).toContainText('nowsza wersja tej strony');
  await expect(page.getByTestId('rejected-banner')).toContainText('może pokazać tylko nowsza wersja');
  await expect(page.getByRole('rowheader', { name: 'now.example' })).toBeVisible();
  await checkA11y(page, 'with settings from a newer version, in Polish');
  await snap(page, 'storage-newer-pl-narrow');
  await page.setViewportSize({ width: 1280, height: 900 });
  await snap(page, 'storage-newer-pl-wide');
});

test('entries that fail validation are reported, kept, and the rest load', async ({ page }) => {
  const bad = { ...imapEntry('bad.example'), incoming: { host: 'imap..bad', port: 0, security: 'ssl_tls' } };
  await openWithStored(page, documentOf([imapEntry('good.example'), bad]));
  await expect(page.getByTestId('rejected-banner')).toContainText('1 saved entry');
  await expect(page.getByTestId('rejected-banner')).toContainText('bad.example');
  // Each problem names its field as the drawer labels it.
  await expect(page.getByTestId('rejected-banner')).toContainText('IMAP server:');
  await expect(page.getByTestId('rejected-banner')).toContainText('IMAP port:');
  await expect(page.getByRole('rowheader', { name: 'good.example' })).toBeVisible();
  await (await addExchange(page, 'new.example')).waitFor({ state: 'hidden' });
  const domains = JSON.parse((await storedText(page))!).domains.map((d: { domain: string }) => d.domain);
  expect(domains).toEqual(['good.example', 'new.example', 'bad.example']);
  await snap(page, 'storage-rejected-en-wide');
});

test('full storage: the dialog stays open with the input and explains; nothing saved changes', async ({ page }) => {
  await openWithStored(page, documentOf([imapEntry('example.com')]));
  const before = await storedText(page);
  await page.evaluate(() => {
    // Fill this origin's storage so the next write fails with QuotaExceededError.
    let chunk = 'x'.repeat(1 << 20);
    let index = 0;
    while (chunk.length > 0) {
      try {
        localStorage.setItem(`filler-${index++}`, chunk);
      } catch {
        chunk = chunk.slice(0, chunk.length >> 1);
      }
    }
  });
  const drawer = await addExchange(page, 'full.example');
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('alert')).toContainText("the browser's storage for this site is full");
  await expect(drawer.getByLabel('Domain name')).toHaveValue('full.example');
  expect(await storedText(page)).toBe(before);
  await expect(page.getByRole('rowheader', { name: 'full.example' })).toHaveCount(0);
  await snap(page, 'storage-full-en-wide');
  // Room again: the same drawer saves, and this tab kept nothing of the write that failed.
  await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('filler-')).forEach((key) => localStorage.removeItem(key)));
  await drawer.getByLabel('Domain name').fill('roomy.example');
  await drawer.getByLabel('Exchange URL').fill('https://mail.roomy.example/EWS/Exchange.asmx');
  await drawer.getByRole('button', { name: 'Add Exchange settings' }).click();
  await expect(drawer).toBeHidden();
  await expect(page.getByRole('rowheader')).toHaveText(['example.com', 'roomy.example']);
  const domains = JSON.parse(await storedText(page)).domains.map((entry: { domain: string }) => entry.domain);
  expect(domains).toEqual(['example.com', 'roomy.example']);
});

test('a large book stays fast: filter box, pages, never more than one page of rows', async ({ page }) => {
  const entries = Array.from({ length: 1000 }, (_, i) => imapEntry(`domain-${String(i).padStart(4, '0')}.example`));
  entries.push(exchangeEntry('needle.example'));
  await openWithStored(page, documentOf(entries));
  await expect(page.getByText('Showing 1–50 of 1001 domains')).toBeVisible();
  expect(await page.getByTestId('domain-row').count()).toBeLessThanOrEqual(50);
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByText('Showing 51–100 of 1001 domains')).toBeVisible();
  await page.getByLabel('Filter domains').fill('needle');
  await expect(page.getByTestId('domain-row')).toHaveCount(1);
  await expect(page.getByRole('rowheader', { name: 'needle.example' })).toBeVisible();
  // The servers are searched too, whatever the case: only needle.example is an Exchange entry.
  await page.getByLabel('Filter domains').fill('EWS/Exchange.ASMX');
  await expect(page.getByTestId('domain-row')).toHaveCount(1);
  await expect(page.getByRole('rowheader', { name: 'needle.example' })).toBeVisible();
  // A match on the last page of the whole book, while the filter narrows it to one page.
  await page.getByLabel('Filter domains').fill('domain-0999');
  await expect(page.getByTestId('domain-row')).toHaveCount(1);
  await expect(page.getByRole('rowheader', { name: 'domain-0999.example' })).toBeVisible();
  await page.getByLabel('Filter domains').fill('no-such-domain');
  await expect(page.getByText('No domain or server matches “no-such-domain”.')).toBeVisible();
  await checkA11y(page, 'with a filtered large book');
  await page.getByLabel('Filter domains').fill('');
  await snap(page, 'panel-large-book-en-wide');
});

test('saving one domain of a full page changes its row only: every other row stays as it was, element and attribute', async ({ page }) => {
  await openWithStored(page, documentOf(Array.from({ length: 60 }, (_, i) => imapEntry(`row-${String(i).padStart(2, '0')}.example`))));
  await expect(page.getByTestId('domain-row')).toHaveCount(50);
  // From here on, note each row whose elements, attributes or text change, and mark the rows.
  await page.evaluate(() => {
    const touched = new Set<string>();
    const rowOf = (node: Node) => (node instanceof Element ? node : node.parentElement)?.closest('[data-testid="domain-row"]');
    (window as unknown as { touched: Set<string> }).touched = touched;
    document.querySelectorAll('[data-testid="domain-row"]').forEach((row) => row.setAttribute('data-seen', ''));
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.attributeName === 'data-seen') continue;
        const row = rowOf(record.target);
        if (row) touched.add(row.querySelector('.ms-table__domain-name')?.textContent ?? '?');
      }
    }).observe(document.querySelector('tbody')!, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Edit settings for row-07.example' }).click();
  const drawer = dialog(page, 'IMAP settings');
  await drawer.getByLabel('IMAP server').fill('imap.changed.example');
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();
  await expect(page.getByTestId('domain-row').nth(7)).toContainText('imap.changed.example:993');
  expect(await page.evaluate(() => [...(window as unknown as { touched: Set<string> }).touched])).toEqual(['row-07.example']);
  // No row was replaced: all 50 are the elements that were marked.
  await expect(page.locator('[data-testid="domain-row"][data-seen]')).toHaveCount(50);
});

// A big book: 2,000 domains, stored in the book's order as the component writes them. Its
// first page shows before the whole book is read; nothing anyone does acts on that page alone.
const BIG_BOOK = Array.from({ length: 2000 }, (_, n) => `d${String(n).padStart(4, '0')}.example`);

/** Records what the page holds at its ready mark (the first screen). */
async function recordFirstScreen(page: Page) {
  await page.addInitScript(() => {
    const mark = performance.mark.bind(performance);
    performance.mark = (name: string, options?: PerformanceMarkOptions) => {
      const held = window as unknown as { firstScreen?: { rows: number; text: string } };
      if (name === 'mailsetup:ready' && !held.firstScreen) {
        held.firstScreen = {
          rows: document.querySelectorAll('[data-testid="domain-row"]').length,
          text: document.body.innerText,
        };
      }
      return mark(name, options);
    };
  });
}

test('a big book shows its first page at once, then all of it; export, filter and save see every domain', async ({ page }) => {
  await recordFirstScreen(page);
  await openWithStored(page, documentOf(BIG_BOOK.map((name) => imapEntry(name))));
  const first = await page.evaluate(() => (window as unknown as { firstScreen: { rows: number; text: string } }).firstScreen);
  expect(first.rows).toBe(50);
  expect(first.text).toContain('Showing 1–50 of 2000 domains');
  await expect(page.getByRole('rowheader', { name: 'd0000.example' })).toBeVisible();
  await snap(page, 'big-book-en-wide');

  // Exported at once: the whole book.
  await page.getByRole('button', { name: 'Export' }).click();
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-choices').getByRole('button', { name: 'Settings file (JSON)' }).click(),
  ]);
  const exported = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
  expect(exported.domains).toHaveLength(2000);
  expect(exported.domains[1999].domain).toBe('d1999.example');

  // The filter finds a domain far past the first page.
  await page.getByLabel('Filter domains').fill('d1999');
  await expect(page.getByTestId('domain-row')).toHaveCount(1);
  await expect(page.getByRole('rowheader', { name: 'd1999.example' })).toBeVisible();

  // A change keeps every other domain in storage.
  await page.getByRole('button', { name: 'Edit settings for d1999.example' }).click();
  const drawer = dialog(page, 'IMAP settings');
  await drawer.getByLabel('IMAP server').fill('imap.edited.example');
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();
  const stored = JSON.parse((await storedText(page))!);
  expect(stored.domains).toHaveLength(2000);
  expect(stored.domains[1999].incoming.host).toBe('imap.edited.example');
  expect(stored.domains[0].incoming.host).toBe('imap.d0000.example');
});

test('a deep link into a big book finds a domain past its first page', async ({ page }) => {
  await openWithStored(
    page,
    documentOf(BIG_BOOK.map((name) => imapEntry(name))),
    './#connect?email=alice%40d1999.example',
  );
  const section = page.getByTestId('connect');
  await expect(section.getByText('Set up by your administrator for d1999.example')).toBeVisible();
  await expect(section.getByText('alice@d1999.example', { exact: true })).toBeVisible();
});

test('a big book in Polish, on a phone: the first page with the stored count', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await recordFirstScreen(page);
  await openWithStored(page, documentOf(BIG_BOOK.map((name) => imapEntry(name))), './?lang=pl');
  const first = await page.evaluate(() => (window as unknown as { firstScreen: { rows: number; text: string } }).firstScreen);
  expect(first.rows).toBe(50);
  expect(first.text).toContain('Domeny 1–50 z 2000');
  await expect(page.getByText('Domeny 1–50 z 2000')).toBeVisible();
  await snap(page, 'big-book-pl-narrow');
});
