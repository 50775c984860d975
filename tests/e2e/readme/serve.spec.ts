// The page that the README's first command serves (`cargo xtask serve`, and with `--release`),
// opened by xtask's newcomer stage in a fresh copy of the repository. The fixture fails on any
// console error, uncaught exception or CSP violation.
import { test, expect, openDemo, snap } from '../support/fixtures';

const mode = process.env.MAILSETUP_SERVE_MODE ?? 'debug';

test(`the README's first command serves the demo with the component mounted (${mode})`, async ({ page }) => {
  await openDemo(page);
  await expect(page.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toBeVisible();
  await snap(page, `readme-serve-${mode}`);
});
