import { test, expect, openDemo, checkA11y, snap } from '../support/fixtures';

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
