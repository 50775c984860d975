// The "IP addresses to allowlist" section: both lists, every copy button (read back from the real
// clipboard), the copy-by-hand fallback, the IP checker, Polish, accessibility and screenshots.
import { test, expect, openDemo, checkA11y, snap, SCREENSHOTS } from '../support/fixtures';
import * as path from 'node:path';
import type { BrowserContext, Locator, Page } from '@playwright/test';

const SMTP = [
  '141.193.184.0/27',
  '141.193.185.0/27',
  '143.244.82.12',
  '143.244.82.13',
  '143.244.82.14',
  '143.244.82.15',
  '143.244.87.0/25',
  '54.174.62.128/26',
  '54.174.62.192',
  '54.174.62.193',
  '54.174.62.194',
  '54.174.62.195',
];
const IMAP = [
  '141.193.184.0/27',
  '141.193.185.0/27',
  '143.244.82.10',
  '143.244.82.11',
  '143.244.82.8',
  '143.244.82.9',
  '143.244.87.0/25',
  '54.174.62.128/26',
  '54.174.62.196',
  '54.174.62.197',
  '54.174.62.198',
  '54.174.62.199',
];
const COMBINED = [
  '54.174.62.128/26',
  '54.174.62.192/29',
  '141.193.184.0/27',
  '141.193.185.0/27',
  '143.244.82.8/29',
  '143.244.87.0/25',
];
const BLOCKED =
  'Copying is blocked here. The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.';

/** The section, found by its heading. */
function section(page: Page, heading = 'IP addresses to allowlist'): Locator {
  return page.getByRole('region', { name: heading });
}

/** One list, found by its h3 (the list is labelled by it). */
function list(page: Page, name: string): Locator {
  return page.getByRole('list', { name });
}

async function allowClipboard(context: BrowserContext): Promise<void> {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
}

async function clipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Makes the page start in Polish: the demo reads data-lang on the host element. */
async function inPolish(page: Page): Promise<void> {
  await page.addInitScript(() =>
    document.addEventListener('DOMContentLoaded', () =>
      document.getElementById('mailsetup')?.setAttribute('data-lang', 'pl'),
    ),
  );
}

test('both lists show the published entries in order, with range and count', async ({ page }) => {
  await openDemo(page);
  const region = section(page);
  await expect(region.getByRole('heading', { level: 2, name: 'IP addresses to allowlist' })).toBeVisible();
  await expect(region.getByRole('heading', { level: 3, name: 'SMTP IP addresses' })).toBeVisible();
  await expect(region.getByRole('heading', { level: 3, name: 'IMAP IP addresses' })).toBeVisible();
  for (const [name, entries] of [
    ['SMTP IP addresses', SMTP],
    ['IMAP IP addresses', IMAP],
  ] as const) {
    const items = list(page, name).getByRole('listitem');
    await expect(items).toHaveCount(entries.length);
    for (const [index, entry] of entries.entries()) {
      await expect(items.nth(index)).toContainText(entry);
      await expect(items.nth(index).getByRole('button', { name: `Copy ${entry}`, exact: true })).toBeVisible();
    }
  }
  const smtp = list(page, 'SMTP IP addresses').getByRole('listitem');
  await expect(smtp.nth(0)).toContainText('141.193.184.0 – 141.193.184.31 · 32 addresses');
  await expect(smtp.nth(2)).toContainText('1 address');
  await expect(smtp.nth(2)).not.toContainText('–');
  await expect(smtp.nth(6)).toContainText('143.244.87.0 – 143.244.87.127 · 128 addresses');
  await expect(smtp.nth(7)).toContainText('54.174.62.128 – 54.174.62.191 · 64 addresses');
  await checkA11y(page, 'with the allowlist');
  await snap(page, 'allowlist-en-wide');
});

test('each copy button puts exactly its text on the clipboard and says so', async ({ page, context }) => {
  await allowClipboard(context);
  await openDemo(page);
  const status = section(page).getByRole('status').first();
  await expect(status).toHaveAttribute('aria-live', 'polite');

  await page.getByRole('button', { name: 'Copy 141.193.184.0/27', exact: true }).first().click();
  await expect(status).toHaveText('Copied 141.193.184.0/27');
  expect(await clipboard(page)).toBe('141.193.184.0/27');

  await list(page, 'IMAP IP addresses').getByRole('button', { name: 'Copy 54.174.62.199', exact: true }).click();
  await expect(status).toHaveText('Copied 54.174.62.199');
  expect(await clipboard(page)).toBe('54.174.62.199');

  await page.getByRole('button', { name: 'Copy all SMTP IP addresses' }).click();
  await expect(status).toHaveText('Copied 12 SMTP IP addresses');
  expect(await clipboard(page)).toBe(SMTP.join('\n'));

  await page.getByRole('button', { name: 'Copy all IMAP IP addresses' }).click();
  await expect(status).toHaveText('Copied 12 IMAP IP addresses');
  expect(await clipboard(page)).toBe(IMAP.join('\n'));

  await page.getByRole('button', { name: 'Copy combined list' }).click();
  await expect(status).toHaveText('Copied the combined list (6 entries)');
  expect(await clipboard(page)).toBe(COMBINED.join('\n'));
  await expect(page.getByTestId('copy-fallback')).toHaveCount(0);
});

for (const [how, script] of [
  [
    'navigator.clipboard is missing',
    () => {
      Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
    },
  ],
  [
    'writeText rejects',
    () => {
      Object.defineProperty(Navigator.prototype, 'clipboard', {
        get: () => ({ writeText: () => Promise.reject(new DOMException('Denied', 'NotAllowedError')) }),
        configurable: true,
      });
    },
  ],
  [
    'writeText throws',
    () => {
      Object.defineProperty(Navigator.prototype, 'clipboard', {
        get: () => ({
          writeText: () => {
            throw new TypeError('blocked');
          },
        }),
        configurable: true,
      });
    },
  ],
] as const) {
  test(`when ${how}, the text is shown selected in a read-only field`, async ({ page }) => {
    await page.addInitScript(script);
    await openDemo(page);
    await page.getByRole('button', { name: 'Copy all SMTP IP addresses' }).click();
    const field = page.getByRole('textbox', { name: BLOCKED });
    await expect(field).toBeVisible();
    await expect(field).toHaveAttribute('readonly', '');
    await expect(field).toHaveValue(SMTP.join('\n'));
    await expect(field).toBeFocused();
    const selected = await field.evaluate((el: HTMLTextAreaElement) =>
      el.value.substring(el.selectionStart, el.selectionEnd),
    );
    expect(selected).toBe(SMTP.join('\n'));
    await expect(section(page).getByRole('status').first()).toHaveText('');

    // Another button replaces the text; Close hides the field.
    await page.getByRole('button', { name: 'Copy 143.244.82.12', exact: true }).click();
    await expect(field).toHaveValue('143.244.82.12');
    if (how === 'navigator.clipboard is missing') {
      await checkA11y(page, 'with the copy fallback');
      await snap(page, 'allowlist-fallback');
    }
    await page.getByRole('button', { name: 'Close' }).click();
    await expect(page.getByTestId('copy-fallback')).toHaveCount(0);
  });
}

test('the checker says which entries hold an address, or why it cannot check', async ({ page }) => {
  await openDemo(page);
  const field = page.getByRole('textbox', { name: 'IP address' });
  const check = page.getByRole('button', { name: 'Check', exact: true });
  const answer = section(page).getByRole('status').last();

  await field.fill('141.193.184.7');
  await check.click();
  await expect(answer).toHaveText(
    '141.193.184.7 is in 141.193.184.0/27 (SMTP IP addresses, IMAP IP addresses).',
  );
  await expect(field).not.toHaveAttribute('aria-invalid', /.*/);

  await field.fill('143.244.82.12');
  await field.press('Enter');
  await expect(answer).toHaveText('143.244.82.12 is in 143.244.82.12 (SMTP IP addresses).');

  await field.fill(' 54.174.62.199 ');
  await check.click();
  await expect(answer).toHaveText('54.174.62.199 is in 54.174.62.199 (IMAP IP addresses).');

  await field.fill('141.193.184.32');
  await check.click();
  await expect(answer).toHaveText(
    '141.193.184.32 is not in the lists: our servers never connect from it.',
  );

  for (const invalid of ['', 'hello', '141.193.184.0/27', '141.193.184.07']) {
    await field.fill(invalid);
    await check.click();
    const alert = page.getByRole('alert');
    await expect(alert).toHaveText('Enter an IP address such as 203.0.113.7.');
    await expect(answer).toHaveText('');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    const errorId = await alert.getAttribute('id');
    expect(errorId).toBeTruthy();
    await expect(field).toHaveAttribute('aria-describedby', new RegExp(`(^| )${errorId}( |$)`));
  }
  await checkA11y(page, 'with a checker error');
  await snap(page, 'allowlist-checker-error');

  // Typing again clears the stale error.
  await field.fill('141.193.185.1');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(field).not.toHaveAttribute('aria-invalid', /.*/);
  await check.click();
  await expect(answer).toContainText('is in 141.193.185.0/27');
  await section(page).getByRole('heading', { name: 'Check an IP address' }).scrollIntoViewIfNeeded();
  await snap(page, 'allowlist-checker-found');
});

test('Polish: headings, plural forms, copy names, announcements and checker', async ({ page, context }) => {
  await allowClipboard(context);
  await page.setViewportSize({ width: 360, height: 800 });
  await inPolish(page);
  await openDemo(page);
  await expect(page.getByTestId('mailsetup')).toHaveAttribute('lang', 'pl');
  const region = section(page, 'Adresy IP do dodania do listy dozwolonych');
  await expect(region.getByRole('heading', { level: 3, name: 'Adresy IP SMTP' })).toBeVisible();
  await expect(region.getByRole('heading', { level: 3, name: 'Adresy IP IMAP' })).toBeVisible();
  const smtp = list(page, 'Adresy IP SMTP').getByRole('listitem');
  await expect(smtp).toHaveCount(12);
  await expect(smtp.nth(0)).toContainText('141.193.184.0 – 141.193.184.31 · 32 adresy');
  await expect(smtp.nth(2)).toContainText('1 adres');
  await expect(smtp.nth(6)).toContainText('128 adresów');
  await expect(smtp.nth(7)).toContainText('64 adresy');

  // Stacked when narrow: the IMAP list starts below the SMTP list, and nothing scrolls sideways.
  const smtpBox = await list(page, 'Adresy IP SMTP').boundingBox();
  const imapBox = await list(page, 'Adresy IP IMAP').boundingBox();
  expect(imapBox!.y).toBeGreaterThan(smtpBox!.y + smtpBox!.height);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  const status = region.getByRole('status').first();
  await page.getByRole('button', { name: 'Kopiuj 141.193.184.0/27', exact: true }).first().click();
  await expect(status).toHaveText('Skopiowano 141.193.184.0/27');
  expect(await clipboard(page)).toBe('141.193.184.0/27');
  await page.getByRole('button', { name: 'Kopiuj wszystkie adresy IP IMAP' }).click();
  await expect(status).toHaveText('Skopiowano 12 adresów IP IMAP');
  expect(await clipboard(page)).toBe(IMAP.join('\n'));
  await page.getByRole('button', { name: 'Kopiuj połączoną listę' }).click();
  await expect(status).toHaveText('Skopiowano połączoną listę (6 pozycji)');

  const field = page.getByRole('textbox', { name: 'Adres IP' });
  await field.fill('141.193.184.7');
  await page.getByRole('button', { name: 'Sprawdź', exact: true }).click();
  await expect(region.getByRole('status').last()).toHaveText(
    'Adres 141.193.184.7 należy do 141.193.184.0/27 (adresy IP SMTP, adresy IP IMAP).',
  );
  await field.fill('hello');
  await page.getByRole('button', { name: 'Sprawdź', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Wpisz adres IP, np. 203.0.113.7.');
  await checkA11y(page, 'in Polish, narrow');
  await snap(page, 'allowlist-pl-narrow');
  // The full page is tall; this one shows the start of the SMTP list at its real size.
  await region.getByRole('heading', { level: 3, name: 'Adresy IP SMTP' }).evaluate((el) => el.scrollIntoView());
  await page.screenshot({ path: path.join(SCREENSHOTS, 'allowlist-pl-narrow-top.png') });
});

test('the lists sit side by side on a wide screen', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await openDemo(page);
  const smtpBox = await list(page, 'SMTP IP addresses').boundingBox();
  const imapBox = await list(page, 'IMAP IP addresses').boundingBox();
  expect(Math.abs(imapBox!.y - smtpBox!.y)).toBeLessThan(2);
  expect(imapBox!.x).toBeGreaterThan(smtpBox!.x + smtpBox!.width);
});

test('dark mode keeps the section readable and accessible', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openDemo(page);
  await expect(section(page)).toBeVisible();
  await checkA11y(page, 'in dark mode');
  await snap(page, 'allowlist-en-dark');
});
