// One binary (issue #34): the settings server copied alone into an empty folder and started
// there without --web-root serves its sign-in page and the component from the npm package it
// embedded at build time. `cargo xtask e2e` builds pkg/ (the release build) before it builds
// the server, so the binary in MAILSETUP_SERVER_BIN embeds that package.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, expect } from '../support/fixtures';
import { SettingsServer, signIn, watchedPage } from '../support/settings_server';

let server: SettingsServer;

test.beforeEach(async () => {
  server = await SettingsServer.launch({ webRoot: false, binaryCopy: true });
});

test.afterEach(async () => {
  await server.dispose();
});

test('the binary alone, in an empty folder, serves the working component', async ({ browser }) => {
  // Nothing beside the binary: the page and the package come from inside it.
  expect(fs.readdirSync(server.binaryFolder)).toEqual([path.basename(process.env.MAILSETUP_SERVER_BIN ?? '')]);
  await expect.poll(() => server.output).toContain('the package embedded in this binary');

  const admin = await watchedPage(browser);
  await signIn(admin.page, server, 'alice-admin');
  await expect(admin.page.getByRole('button', { name: 'Add IMAP settings' })).toBeVisible();

  // The package's WebAssembly, as the page loads it, is served as application/wasm.
  const wasmLoaded = admin.page
    .evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name))
    .then((names) => names.filter((name) => new URL(name).pathname.startsWith('/mailsetup/') && name.endsWith('.wasm')));
  const wasmFiles = await wasmLoaded;
  expect(wasmFiles.length, 'the page loaded the component from /mailsetup/').toBeGreaterThan(0);
  for (const url of [...wasmFiles, `${server.url}/mailsetup/mailsetup-wasm_bg.wasm`]) {
    const response = await fetch(url);
    expect(response.status, url).toBe(200);
    expect(response.headers.get('content-type'), url).toBe('application/wasm');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 4)], url).toEqual([0x00, 0x61, 0x73, 0x6d]);
  }
  const entry = await fetch(`${server.url}/mailsetup/index.js`);
  expect(entry.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(entry.headers.get('etag')).toMatch(/^W\//);

  expect(admin.problems).toEqual([]);
  await admin.context.close();
});
