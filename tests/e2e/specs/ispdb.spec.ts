// The panel with every real-world domain of Thunderbird's ISPDB snapshot, as core stored them
// (written by the native corpus test during `cargo xtask test`): it loads, pages and filters.
import * as fs from 'node:fs';
import { test, expect, checkA11y, snap } from '../support/fixtures';
import { openWithStored } from '../support/book';

const bookPath = process.env.MAILSETUP_ISPDB_BOOK ?? '';
const corpusBook = fs.existsSync(bookPath) ? fs.readFileSync(bookPath, 'utf8') : null;

test('the ISPDB book loads, pages and filters', async ({ page }) => {
  test.skip(corpusBook === null, `no ISPDB book at "${bookPath}" (the corpus lives outside the repository)`);
  const count = JSON.parse(corpusBook!).domains.length;
  expect(count).toBeGreaterThan(500);
  await openWithStored(page, corpusBook!);
  await expect(page.getByTestId('rejected-banner')).toHaveCount(0);
  await expect(page.getByText(`Showing 1–50 of ${count} domains`)).toBeVisible();
  expect(await page.getByTestId('domain-row').count()).toBe(50);
  await page.getByLabel('Filter domains').fill('gmx');
  await expect(page.getByRole('rowheader', { name: 'gmx.net', exact: true })).toBeVisible();
  expect(await page.getByTestId('domain-row').count()).toBeLessThanOrEqual(50);
  await page.getByRole('button', { name: 'Edit settings for gmx.net' }).click();
  await expect(page.getByRole('dialog', { name: 'IMAP settings' }).getByLabel('IMAP server')).not.toHaveValue('');
  await page.keyboard.press('Escape');
  await checkA11y(page, 'with the ISPDB book');
  await page.getByLabel('Filter domains').fill('');
  await snap(page, 'panel-ispdb-en-wide');
});
