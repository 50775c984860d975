// Playwright suite for mailsetup. `cargo xtask test` (and `cargo xtask e2e`) serve the release
// build from dist/ on 127.0.0.1 and pass its address in MAILSETUP_BASE_URL. The browser is the
// system Chromium: this machine cannot download Playwright's own build.
//
// MAILSETUP_SUITE picks the folder: `specs` (the component, against the release build) or
// `readme` (the page the README's first command serves, run by xtask's newcomer stage).
import { defineConfig } from '@playwright/test';

const baseURL = process.env.MAILSETUP_BASE_URL;
if (!baseURL) {
  throw new Error('MAILSETUP_BASE_URL is not set: run the suite with `cargo xtask e2e`.');
}
const results = process.env.MAILSETUP_E2E_RESULTS;
const suite = process.env.MAILSETUP_SUITE ?? 'specs';
if (suite !== 'specs' && suite !== 'readme') {
  throw new Error(`MAILSETUP_SUITE is "${suite}": it must be "specs" or "readme".`);
}

export default defineConfig({
  testDir: `./${suite}`,
  outputDir: './test-results',
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 5_000 },
  reporter: results ? [['list'], ['json', { outputFile: results }]] : [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
