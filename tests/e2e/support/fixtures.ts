// Shared fixtures: every test gets a page that records console errors, uncaught exceptions and
// Content-Security-Policy violations, and fails at the end if there were any. `checkA11y` runs
// axe-core; `snap` saves a screenshot into target/screenshots for people to look at.
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as path from 'node:path';

export const SCREENSHOTS = path.resolve(__dirname, '../../../target/screenshots');

/** Console errors, uncaught exceptions and CSP violations seen by the page during one test. */
export const test = base.extend<{ problems: string[] }>({
  problems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      await use(problems);
      expect(problems, 'console errors, exceptions or CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** The component's root element, once the wasm module has rendered it. */
export async function openDemo(page: Page, url = './'): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('mailsetup')).toBeVisible({ timeout: 30_000 });
}

/** Fails with the list of axe-core violations (WCAG 2.1 A and AA rules and best practices). */
export async function checkA11y(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe-core violations ${what}`).toEqual([]);
}

/** Saves a full-page screenshot as target/screenshots/NAME.png. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * The page announces its modules and its main wasm as preloads, and the browser fetched each of
 * them once: a preload its loader did not take up (another URL, another CORS mode) would be
 * fetched a second time.
 */
export async function expectPreloadsUsedOnce(page: Page, wasm: RegExp) {
  const preloaded = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"], link[rel="preload"]')].map((link) => link.href),
  );
  expect(preloaded.filter((href) => wasm.test(href)), 'the main wasm is preloaded').toHaveLength(1);
  expect(preloaded.filter((href) => href.endsWith('.js')).length, 'modules are preloaded').toBeGreaterThan(0);
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
  for (const href of preloaded) {
    expect(fetched.filter((name) => name === href), `fetched once: ${href}`).toHaveLength(1);
  }
}
