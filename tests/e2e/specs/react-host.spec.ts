// A real host app: the Vite + React 19 portal of tests/e2e/react-host/, which installs the
// packed package the way the README says and is built with `vite build` (xtask's "react host"
// stage), served under the strict CSP. The fixture fails on any console error or CSP violation.
import { test, expect, snap } from '../support/fixtures';

test('a Vite + React portal renders <mail-setup>, hears its changes and remounts cleanly', async ({ page }) => {
  await page.goto('/react/');
  const element = page.locator('mail-setup');
  await expect(element.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible({ timeout: 30_000 });

  // The portal's allowlist groups (a property set by React) replace the provider's lists.
  await expect(element.getByRole('heading', { level: 3, name: 'Acme relays' })).toBeVisible();
  await expect(element.getByRole('list', { name: 'Acme sync' }).getByRole('listitem')).toHaveText([/198\.51\.100\.7/]);
  await expect(element.getByRole('heading', { name: 'SMTP IP addresses' })).toHaveCount(0);

  // A saved change reaches React through `onmailsetup-change`.
  await element.getByRole('button', { name: 'Add Exchange settings' }).click();
  const drawer = page.getByRole('dialog', { name: 'Exchange settings' });
  await drawer.getByLabel('Domain name').fill('corp.example');
  await drawer.getByLabel('Exchange URL').fill('https://mail.corp.example/EWS/Exchange.asmx');
  await drawer.getByRole('button', { name: 'Add Exchange settings' }).click();
  await expect(page.getByTestId('portal-changes')).toHaveText('added corp.example');

  // The portal's own check (a property set by React) runs instead of the demo, and fails where it says.
  await element.getByLabel('Email address').fill('ada@example.com');
  await element.getByRole('button', { name: 'Continue' }).click();
  await element.getByLabel('IMAP server').fill('imap.example.com');
  await element.getByLabel('SMTP server').fill('smtp.example.com');
  await element.getByLabel('Password', { exact: true }).fill('s3cret');
  await element.getByRole('button', { name: 'Connect', exact: true }).click();
  const steps = element.getByTestId('check-step');
  await expect(steps.nth(3)).toHaveAttribute('data-state', 'failed');
  await expect(element).toContainText('refused by the portal relay');
  await expect(element.getByTestId('demo-notice')).toHaveCount(0);
  await snap(page, 'react-host-check-failed');

  // Conditional rendering and a changed key leave exactly one working instance.
  await page.getByRole('button', { name: 'Hide mail settings' }).click();
  await expect(page.locator('.ms-root')).toHaveCount(0);
  await page.getByRole('button', { name: 'Show mail settings' }).click();
  await page.getByRole('button', { name: 'Reload mail settings' }).click();
  await expect(page.locator('.ms-root')).toHaveCount(1);
  await expect(page.locator('mail-setup').getByTestId('domain-row')).toContainText('corp.example');
});
