import { test, expect, openDemo, checkA11y, snap } from '../support/fixtures';
import { documentOf, imapEntry, openWithStored } from '../support/book';

test('the release build shows the settings heading with an empty state, accessibly', async ({ page }) => {
  await openDemo(page);
  await expect(page.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible();
  await expect(page.getByTestId('mailsetup')).toHaveAttribute('lang', 'en');
  await checkA11y(page, 'on the first screen');
  await snap(page, 'foundation-en-wide');
});

test('the page also works when served from a nested path of a host site', async ({ page }) => {
  const nested = process.env.MAILSETUP_NESTED_PATH ?? '/embedded/admin/mailsetup/';
  await openDemo(page, nested);
  await expect(page.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible();
});

test('marks its first complete render (stored rows included) on the performance timeline', async ({ page }) => {
  // Records what the page held at the moment of the mark: `cargo xtask bench` times start-up to it.
  await page.addInitScript(() => {
    const mark = performance.mark.bind(performance);
    (window as any).rowsAtReady = [];
    performance.mark = (name: string, options?: PerformanceMarkOptions) => {
      if (name === 'mailsetup:ready') {
        (window as any).rowsAtReady.push(document.querySelectorAll('[data-testid="domain-row"]').length);
      }
      return mark(name, options);
    };
  });
  await openWithStored(page, documentOf(Array.from({ length: 60 }, (_, i) => imapEntry(`ready-${i}.example`))));
  const marks = await page.evaluate(() => performance.getEntriesByName('mailsetup:ready').length);
  expect(marks).toBe(1);
  // The first page of the stored book was already in the DOM when the mark was set.
  expect(await page.evaluate(() => (window as any).rowsAtReady)).toEqual([50]);
});
