// The package inside host pages (tests/e2e/hosts/), served under the strict CSP of
// xtask/src/static_server.rs: the JavaScript API (`init`, `mount` and the handle) and the
// <mail-setup> element, at the root and under a sub-path. The fixture fails any test that
// sees a console error or a CSP violation.
import { test, expect, checkA11y, snap, expectPreloadsUsedOnce } from '../support/fixtures';
import type { Page } from '@playwright/test';

const SUB_PATH = process.env.MAILSETUP_HOST_SUB_PATH ?? '/tools/mailsetup/';

async function openPortal(page: Page, options?: object, base = '/hosts/'): Promise<void> {
  const query = options ? `?options=${encodeURIComponent(JSON.stringify(options))}` : '';
  await page.goto(`${base}portal.html${query}`);
  await expect(page.locator('body')).toHaveAttribute('data-portal-ready', 'yes', { timeout: 30_000 });
}

for (const base of ['/hosts/', SUB_PATH]) {
  test(`a portal page mounts the component through the API (${base})`, async ({ page }) => {
    await openPortal(page, undefined, base);
    const app = page.locator('#app');
    await expect(app.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible();
    await expect(page.locator('#portal-note')).toHaveText('Portal content the component must leave alone.');
    // The portal's theme (portal.css sets --ms-color-accent on #app .ms-root) reaches the buttons.
    await expect(app.locator('.ms-button--primary').first()).toHaveCSS('background-color', 'rgb(10, 90, 40)');
    // The host page's own elements are untouched.
    expect(await page.evaluate(() => document.documentElement.getAttribute('lang'))).toBe('en');
    expect(await page.evaluate(() => document.body.getAttribute('class'))).toBeNull();
    expect(await page.evaluate(() => (window as any).portal.beforeInit)).toBe(
      'mailsetup: call `await init()` before mount()',
    );
    if (base === '/hosts/') await snap(page, 'embed-portal-en-wide');
  });
}

test('bad options throw TypeErrors that name the key, and mount nothing', async ({ page }) => {
  await openPortal(page, undefined);
  const cases: Array<[unknown, string]> = [
    [{ lcoale: 'pl' }, 'mailsetup: unknown option "lcoale". Did you mean "locale"?'],
    [{ role: 'owner' }, 'mailsetup: option "role" must be "admin" or "read-only", not "owner"'],
    [{ storage: { type: 'local', prefx: 'a' } }, 'mailsetup: unknown option "storage.prefx". Did you mean "storage.prefix"?'],
    [{ onChange: 'log' }, 'mailsetup: option "onChange" must be a function, not "log"'],
  ];
  for (const [options, message] of cases) {
    const thrown = await page.evaluate((options) => {
      const element = document.getElementById('second')!;
      try {
        (window as any).portal.mount(element, options);
        return { name: 'none', message: '', children: element.childElementCount };
      } catch (error: any) {
        return { name: error.constructor.name, message: String(error.message), children: element.childElementCount };
      }
    }, options);
    expect(thrown.name).toBe('TypeError');
    expect(thrown.message.startsWith(message), thrown.message).toBe(true);
    expect(thrown.children).toBe(0);
  }
  const twice = await page.evaluate(() => {
    try {
      (window as any).portal.mount(document.getElementById('app'), { storage: { type: 'memory' } });
      return '';
    } catch (error: any) {
      return String(error.message);
    }
  });
  expect(twice).toBe('mailsetup: this element already holds an instance; unmount it first');
});

test('update switches language and role in place; unmount leaves the element as it was', async ({ page }) => {
  await openPortal(page, { storage: { type: 'memory' } });
  const app = page.locator('#app');
  await page.evaluate(() => (window as any).portal.handle.update({ locale: 'pl' }));
  await expect(app.getByRole('heading', { name: 'Ustawienia Exchange i IMAP' })).toBeVisible();
  await checkA11y(page, 'in a host page, in Polish');
  // The connect flow goes on where the person was: the settings step, with what they typed
  // (the password, which never leaves its field but for an attempt, is typed again).
  await page.evaluate(() => (window as any).portal.handle.update({ locale: 'en' }));
  const connect = app.getByTestId('connect');
  await connect.getByLabel('Email address').fill('ada@nobody.example');
  await connect.getByRole('button', { name: 'Continue' }).click();
  await connect.getByLabel('IMAP server').fill('imap.nobody.example');
  await connect.getByLabel('Username').fill('ada');
  await connect.getByLabel('Password', { exact: true }).fill('s3cret');
  await page.evaluate(() => (window as any).portal.handle.update({ locale: 'pl' }));
  await expect(connect.getByLabel('Serwer IMAP')).toHaveValue('imap.nobody.example');
  await expect(connect.getByLabel('Nazwa użytkownika')).toHaveValue('ada');
  await expect(connect.getByLabel('Hasło', { exact: true })).toHaveValue('');
  // Another address from the host starts the flow over with it.
  await page.evaluate(() => (window as any).portal.handle.update({ email: 'bob@nobody.example' }));
  await expect(connect.getByLabel('Adres e-mail')).toHaveValue('bob@nobody.example');
  await page.evaluate(() => (window as any).portal.handle.update({ role: 'read-only', locale: 'en' }));
  await expect(app.getByRole('button', { name: 'Add IMAP settings' })).toHaveCount(0);
  await checkA11y(page, 'in a host page, read-only');
  await page.evaluate(() => (window as any).portal.handle.unmount());
  expect(await page.locator('#app').innerHTML()).toBe('');
  // A new mount into the same element works.
  await page.evaluate(async () => {
    const { portal } = window as any;
    portal.handle = portal.mount(document.getElementById('app'), { storage: { type: 'memory' }, view: 'allowlist' });
    await portal.handle.ready;
  });
  await expect(app.getByRole('heading', { name: 'IP addresses to allowlist' })).toBeVisible();
  await expect(app.getByRole('heading', { name: 'Exchange & IMAP settings' })).toHaveCount(0);
});

test('a saved change reaches onChange with its settings and no secret', async ({ page }) => {
  await openPortal(page, { storage: { type: 'local', prefix: 'portal-change' } });
  const app = page.locator('#app');
  await app.getByRole('button', { name: 'Add IMAP settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'IMAP settings' });
  await dialog.getByLabel('Domain name').fill('example.com');
  await dialog.getByLabel('IMAP server').fill('imap.example.com');
  await dialog.getByLabel('SMTP server').fill('smtp.example.com');
  await dialog.getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(dialog).toBeHidden();
  const changes = await page.evaluate(() => (window as any).portal.changes);
  expect(changes).toHaveLength(1);
  expect(changes[0].action).toBe('added');
  expect(changes[0].domain).toBe('example.com');
  expect(changes[0].settings.incoming).toEqual({ host: 'imap.example.com', port: 993, security: 'ssl_tls' });
  expect(JSON.stringify(changes[0])).not.toMatch(/password/i);
  // Its storage keys carry the prefix the host chose.
  const keys = await page.evaluate(() => Object.keys(localStorage));
  expect(keys).toContain('portal-change:settings');
});

/** Waits for the page's <mail-setup> through its `ready` promise, whenever its scripts ran. */
async function elementReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await customElements.whenDefined('mail-setup');
    await (document.querySelector('mail-setup') as any).ready;
  });
}

test('a portal page can preload the package as the README shows: each file is fetched once', async ({ page }) => {
  await page.goto('/hosts/element.html');
  await elementReady(page);
  await expectPreloadsUsedOnce(page, /mailsetup-wasm_bg\.wasm$/);
});

test('a script that runs after the element is ready still learns that it is ready', async ({ page }) => {
  await page.goto('/hosts/element.html');
  const element = page.locator('mail-setup');
  await expect(element.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible({ timeout: 30_000 });
  // The page's early listener heard the event once, so the moment has passed.
  await expect.poll(() => page.evaluate(() => (window as any).seen.filter((e: any) => e.type === 'mailsetup-ready').length)).toBe(1);
  const late = await page.evaluate(async () => {
    const settings = document.querySelector('mail-setup') as any;
    let heard = 0;
    settings.addEventListener('mailsetup-ready', () => heard++);
    // Settled already: its reaction runs before any task queued after it.
    const state = await Promise.race([
      settings.ready.then(() => 'ready'),
      new Promise((resolve) => setTimeout(() => resolve('pending'), 0)),
    ]);
    return { state, heard };
  });
  expect(late).toEqual({ state: 'ready', heard: 0 });

  // Removed, `ready` waits for the next connection; connected again, it resolves once more.
  const again = await page.evaluate(async () => {
    const settings = document.querySelector('mail-setup') as any;
    settings.remove();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const detached = await Promise.race([
      settings.ready.then(() => 'ready'),
      new Promise((resolve) => setTimeout(() => resolve('pending'), 0)),
    ]);
    document.querySelector('main')!.append(settings);
    await settings.ready;
    return { detached, roots: settings.querySelectorAll('.ms-root').length };
  });
  expect(again).toEqual({ detached: 'pending', roots: 1 });
});

test('an element that cannot mount rejects its `ready` with the error it reports', async ({ page }) => {
  await page.goto('/hosts/element.html');
  await elementReady(page);
  const failure = await page.evaluate(async () => {
    const broken = document.createElement('mail-setup') as any;
    broken.setAttribute('storage-prefix', 'broken-element');
    broken.allowlist = [{ name: 'Office relays', purpose: 'smtp', ranges: ['192.0.2.1/24'] }];
    document.querySelector('main')!.append(broken);
    try {
      await broken.ready;
      return { outcome: 'resolved' };
    } catch (error: any) {
      return { outcome: 'rejected', isError: error instanceof Error, code: error.code, message: error.message };
    }
  });
  expect(failure).toEqual({
    outcome: 'rejected',
    isError: true,
    code: 'invalid-options',
    message:
      'mailsetup: option "allowlist": Allowlist group "Office relays": "192.0.2.1/24" is not an address range. ' +
      'This network has host bits set. Enter the network address 192.0.2.0/24 instead.',
  });
  // The event carried the same error.
  const reported = await page.evaluate(() => (window as any).seen.filter((e: any) => e.type === 'mailsetup-error').map((e: any) => e.detail));
  expect(reported).toEqual([{ code: failure.code, message: failure.message }]);
});

test('the <mail-setup> element follows its attributes and sends its events', async ({ page }) => {
  await page.goto('/hosts/element.html');
  const element = page.locator('mail-setup');
  await expect(element.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible({ timeout: 30_000 });
  await expect(element.getByTestId('connect')).toHaveCount(0);
  await elementReady(page);
  // The page's recorder listened before the element could send anything: it heard the event.
  expect(await page.evaluate(() => (window as any).seen.map((e: any) => e.type))).toContain('mailsetup-ready');
  // Open a dialog with a draft, then switch the language: the panel follows, and the drawer
  // stays open with what was typed and the error it showed.
  await element.getByRole('button', { name: 'Add IMAP settings' }).click();
  const drawer = element.getByRole('dialog', { name: 'IMAP settings' });
  await drawer.getByLabel('Domain name').fill('draft.example');
  await drawer.getByLabel('IMAP server').fill('imap.draft.example');
  await drawer.getByLabel('IMAP port').fill('99999');
  await drawer.getByLabel('IMAP port').blur();
  await expect(drawer.locator('.ms-field__error')).toHaveCount(1);
  await page.evaluate(() => document.getElementById('settings')!.setAttribute('lang', 'pl'));
  await expect(element.getByRole('heading', { name: 'Ustawienia Exchange i IMAP' })).toBeVisible();
  const polishDrawer = element.getByRole('dialog', { name: 'Ustawienia IMAP' });
  await expect(polishDrawer.getByLabel('Nazwa domeny')).toHaveValue('draft.example');
  await expect(polishDrawer.getByLabel('Serwer IMAP')).toHaveValue('imap.draft.example');
  await expect(polishDrawer.getByLabel('Port IMAP')).toHaveValue('99999');
  await expect(polishDrawer.locator('.ms-field__error')).toHaveCount(1);
  await snap(page, 'embed-element-draft-pl');
  // Read-only closes it, saving nothing.
  await page.evaluate(() => document.getElementById('settings')!.setAttribute('user-role', 'read-only'));
  await expect(element.getByRole('dialog')).toHaveCount(0);
  await expect(element.getByTestId('domain-row')).toHaveCount(0);
  await page.evaluate(() => document.getElementById('settings')!.setAttribute('user-role', 'admin'));
  await expect(element.getByRole('dialog')).toHaveCount(0);
  await page.evaluate(() => document.getElementById('settings')!.setAttribute('view', 'connect'));
  await expect(element.getByTestId('connect')).toBeVisible();
  await page.evaluate(() => document.getElementById('settings')!.setAttribute('email', 'ada@example.com'));
  await expect(element.getByLabel('Adres e-mail')).toHaveValue('ada@example.com');
  // Moved within the page: still the same instance (no second ready).
  await page.evaluate(() => {
    const settings = document.getElementById('settings')!;
    document.body.append(settings);
  });
  await expect(element.getByTestId('connect')).toBeVisible();
  // Removed: nothing of it is left behind.
  await page.evaluate(() => document.getElementById('settings')!.remove());
  await expect.poll(() => page.evaluate(() => document.querySelectorAll('.ms-root').length)).toBe(0);
  const readies = await page.evaluate(() => (window as any).seen.filter((e: any) => e.type === 'mailsetup-ready').length);
  expect(readies).toBe(1);
});

const HOST_GROUPS = [
  { name: 'Office relays', purpose: 'smtp', ranges: ['192.0.2.0/25', '192.0.2.128/25', '198.51.100.7'] },
  { name: 'Mailbox sync', purpose: 'imap', ranges: ['192.0.2.0/24', '2001:db8::/48'] },
];

test('a host passes its own allowlist groups as a property; a bad range is refused by name', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/hosts/element.html');
  const element = page.locator('mail-setup');
  await expect(element.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible({ timeout: 30_000 });
  await page.evaluate((groups) => {
    const settings = document.getElementById('settings') as any;
    settings.setAttribute('view', 'allowlist');
    settings.allowlist = groups;
  }, HOST_GROUPS);
  await expect(element.getByRole('heading', { level: 3 })).toHaveText(['Office relays', 'Mailbox sync', 'Check an IP address']);
  await expect(element.getByRole('list', { name: 'Office relays' }).getByRole('listitem')).toHaveCount(3);
  await expect(element.getByRole('heading', { name: 'SMTP IP addresses' })).toHaveCount(0);

  await element.getByRole('button', { name: 'Copy all Office relays' }).click();
  await expect(element.getByRole('status').first()).toHaveText('Copied 3 IP addresses from Office relays');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('192.0.2.0/25\n192.0.2.128/25\n198.51.100.7');
  // The combined list merges the host's ranges (core worked it out when the groups came).
  await element.getByRole('button', { name: 'Copy combined list' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('192.0.2.0/24\n198.51.100.7\n2001:db8::/48');
  await expect(element.getByRole('status').first()).toHaveText('Copied the combined list (3 entries)');

  await element.getByLabel('IP address', { exact: true }).fill('192.0.2.200');
  await element.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(element.getByText('192.0.2.200 is in 192.0.2.128/25 (Office relays) and 192.0.2.0/24 (Mailbox sync).')).toBeVisible();
  await checkA11y(page, 'host allowlist groups');
  await snap(page, 'embed-host-allowlist-en-wide');

  // A bad range: the element reports it, naming the group and the value, and keeps the groups.
  await page.evaluate(() => {
    (document.getElementById('settings') as any).allowlist = [
      { name: 'Office relays', purpose: 'smtp', ranges: ['192.0.2.1/24'] },
    ];
  });
  await expect
    .poll(() => page.evaluate(() => (window as any).seen.filter((e: any) => e.type === 'mailsetup-error').map((e: any) => e.detail)))
    .toEqual([
      {
        code: 'invalid-options',
        message:
          'mailsetup: option "allowlist": Allowlist group "Office relays": "192.0.2.1/24" is not an address range. ' +
          'This network has host bits set. Enter the network address 192.0.2.0/24 instead.',
      },
    ]);
  await expect(element.getByRole('list', { name: 'Mailbox sync' })).toBeVisible();

  // In Polish the host's names stay as given; the rest is translated.
  await page.evaluate(() => document.getElementById('settings')!.setAttribute('lang', 'pl'));
  await expect(element.getByRole('heading', { name: 'Adresy IP do dodania do listy dozwolonych' })).toBeVisible();
  await expect(element.getByRole('heading', { level: 3 }).first()).toHaveText('Office relays');
  await element.getByRole('button', { name: 'Kopiuj wszystkie Mailbox sync' }).click();
  await expect(element.getByRole('status').first()).toHaveText('Skopiowano 2 adresy IP z grupy „Mailbox sync”');
  await checkA11y(page, 'host allowlist groups, Polish');
  await page.setViewportSize({ width: 375, height: 800 });
  // A long IPv6 range wraps inside its card instead of running out of it.
  const overflowing = await element.locator('.ms-allowlist__group').evaluateAll((groups) =>
    groups.filter((group) => group.scrollWidth > group.clientWidth).length,
  );
  expect(overflowing).toBe(0);
  await snap(page, 'embed-host-allowlist-pl-narrow');

  // null goes back to the provider's lists.
  await page.evaluate(() => {
    (document.getElementById('settings') as any).allowlist = null;
  });
  await expect(element.getByRole('heading', { name: 'Adresy IP SMTP' })).toBeVisible();
});

test('in shadow mode the hostile page CSS does not reach the component', async ({ page }) => {
  await page.goto('/hosts/hostile.html');
  const element = page.locator('mail-setup');
  const add = element.getByRole('button', { name: 'Add IMAP settings' });
  await expect(add).toBeVisible({ timeout: 30_000 });
  // The component's own stylesheet is adopted inside the shadow root.
  const display = await add.evaluate((button) => getComputedStyle(button).display);
  expect(display).not.toBe('none');
  const sheets = await page.evaluate(() => document.getElementById('settings')!.shadowRoot!.adoptedStyleSheets.length);
  expect(sheets).toBe(1);
  // The page themes it through the --ms-* tokens it sets on the element; the rest keep their defaults.
  const primary = element.locator('.ms-button--primary').first();
  await expect(primary).toHaveCSS('background-color', 'rgb(120, 20, 90)');
  await expect(primary).toHaveCSS('color', 'rgb(255, 255, 255)');
  // Dialogs, their focus and the way back stay inside the shadow root.
  await add.click();
  const drawer = element.getByRole('dialog', { name: 'IMAP settings' });
  await expect(drawer.getByLabel('Domain name')).toBeFocused();
  await drawer.getByLabel('Domain name').fill('shadow.example');
  await snap(page, 'embed-shadow-dialog');
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(add).toBeFocused();
  await snap(page, 'embed-shadow-hostile');
});

test('50 mount and unmount cycles leave no node behind and stop growing wasm memory', async ({ page }) => {
  await openPortal(page, { storage: { type: 'memory' } }, '/hosts/');
  const figures = await page.evaluate(async () => {
    const { portal } = window as any;
    // The glue module is the package's own: the same instance, whose exports hold the memory.
    const glue = await import('./pkg/mailsetup-wasm.js' as string);
    const memory: WebAssembly.Memory = (await glue.default()).memory;
    const app = document.getElementById('app')!;
    portal.handle.unmount();
    const nodesBefore = document.getElementsByTagName('*').length;
    const bytes: number[] = [];
    for (let cycle = 0; cycle < 50; cycle++) {
      const handle = portal.mount(app, { storage: { type: 'memory' } });
      await handle.ready;
      handle.unmount();
      bytes.push(memory.buffer.byteLength);
    }
    return {
      nodesBefore,
      nodesAfter: document.getElementsByTagName('*').length,
      appChildren: app.childElementCount,
      bytes,
    };
  });
  console.log(`leak check: wasm memory ${figures.bytes[0]} bytes after the first cycle, ${figures.bytes[9]} after 10, ${figures.bytes[49]} after 50`);
  expect(figures.appChildren).toBe(0);
  expect(figures.nodesAfter).toBe(figures.nodesBefore);
  // Memory may settle during the first cycles, then must not grow: a generous bound of 1 MiB
  // between cycle 10 and cycle 50.
  expect(figures.bytes[49] - figures.bytes[9]).toBeLessThanOrEqual(1024 * 1024);
});

test('two instances with one prefix stay in sync in one page; another prefix stays apart', async ({ page }) => {
  await openPortal(page, { storage: { type: 'local', prefix: 'shared-book' }, view: 'admin' });
  await page.evaluate(async () => {
    const { portal } = window as any;
    const other = document.createElement('div');
    other.id = 'third';
    document.querySelector('main')!.append(other);
    const same = portal.mount(document.getElementById('second'), { storage: { type: 'local', prefix: 'shared-book' }, view: 'admin' });
    const apart = portal.mount(other, { storage: { type: 'local', prefix: 'other-book' }, view: 'admin' });
    await Promise.all([same.ready, apart.ready]);
  });
  const first = page.locator('#app');
  await first.getByRole('button', { name: 'Add Exchange settings' }).click();
  const drawer = page.getByRole('dialog', { name: 'Exchange settings' });
  await drawer.getByLabel('Domain name').fill('corp.example');
  await drawer.getByLabel('Exchange URL').fill('https://mail.corp.example/EWS/Exchange.asmx');
  await drawer.getByRole('button', { name: 'Add Exchange settings' }).click();
  await expect(drawer).toBeHidden();
  await expect(page.locator('#second').getByTestId('domain-row')).toContainText('corp.example');
  await expect(page.locator('#third').getByTestId('domain-row')).toHaveCount(0);
  // Element ids stay unique with three instances on the page.
  const duplicates = await page.evaluate(() => {
    const ids = [...document.querySelectorAll('[id]')].map((element) => element.id);
    return ids.filter((id, index) => ids.indexOf(id) !== index);
  });
  expect(duplicates).toEqual([]);
});

test('onError hears of a part whose code could not be downloaded', async ({ page, problems }) => {
  await page.route('**/*-lazy-*', (route) => route.abort());
  await openPortal(page, { storage: { type: 'memory' } });
  await page.locator('#app').getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(page.locator('#app').getByTestId('settings-alert')).toBeVisible();
  await expect.poll(() => page.evaluate(() => (window as any).portal.errors.map((e: any) => e.code))).toEqual(['fetch-failed']);
  const error = await page.evaluate(() => (window as any).portal.errors[0]);
  expect(error.message).toContain('could not be downloaded');
  // The browser logged the failed fetches; nothing else may have been logged.
  const expected = /Failed to (load resource|fetch)|ERR_FAILED/;
  const unexpected = problems.filter((problem) => !expected.test(problem));
  problems.length = 0;
  problems.push(...unexpected);
});

test.describe('a static self-service page reading published settings', () => {
  test('the connect flow pre-fills from the published file, read-only', async ({ page }) => {
    const fetched: string[] = [];
    page.on('request', (request) => fetched.push(request.url()));
    await page.goto('/hosts/selfservice.html');
    const flow = page.getByTestId('connect');
    await flow.getByLabel('Email address').fill('alice@example.com');
    await flow.getByRole('button', { name: 'Continue' }).click();
    await expect(flow.getByText('Set up by your administrator for example.com')).toBeVisible();
    await expect(flow.getByLabel('IMAP server')).toHaveValue('imap.example.com');
    // The published file says usernames are the part before the @.
    await expect(flow.getByLabel('Username')).toHaveValue('alice');
    await expect(flow.getByRole('button', { name: /Save as settings/ })).toHaveCount(0);
    // It reads a static file: the reader of published documents, never the server's client.
    expect(fetched.some((url) => url.includes('published_client_code'))).toBe(true);
    expect(fetched.filter((url) => url.includes('rest_client_code'))).toEqual([]);
    await checkA11y(page, 'on the self-service page');
    await snap(page, 'selfservice-en-wide');
  });

  test('Continue pressed before the published file arrived waits for it, then pre-fills', async ({ page }) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/published/settings.json', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('/hosts/selfservice.html');
    const flow = page.getByTestId('connect');
    await flow.getByLabel('Email address').fill('alice@example.com');
    await flow.getByRole('button', { name: 'Continue' }).click();
    // Not "nobody set this domain up": the lookup waits for the book.
    await expect(flow.getByLabel('IMAP server')).toHaveCount(0);
    release();
    await expect(flow.getByText('Set up by your administrator for example.com')).toBeVisible();
    await expect(flow.getByLabel('IMAP server')).toHaveValue('imap.example.com');
  });

  test('an unreadable published file gets a clear message, and people can still type their servers', async ({
    page,
    problems,
  }) => {
    await page.route('**/published/settings.json', (route) => route.fulfill({ status: 200, body: 'not json' }));
    await page.goto('/hosts/selfservice.html');
    const banner = page.getByTestId('server-banner');
    await expect(banner).toContainText('could not be read');
    await expect(banner).toContainText('enter your server settings yourself');
    const flow = page.getByTestId('connect');
    await flow.getByLabel('Email address').fill('alice@example.com');
    await flow.getByRole('button', { name: 'Continue' }).click();
    await flow.getByLabel('IMAP server').fill('imap.example.com');
    await expect(flow.getByLabel('IMAP server')).toHaveValue('imap.example.com');
    await checkA11y(page, 'with the published file unreadable');
    await snap(page, 'selfservice-unreadable-en-narrow');
    expect(problems).toEqual([]);
  });
});
