// The component on the settings server (REST mode), served by the reference server at / with
// its sign-in page: two admins in conflict, a reader seeing the admin's edit after a focus
// change, the server stopped mid-save, a session that ends mid-edit, and a page on browser
// storage that never downloads the REST client. Each test starts its own server
// (support/settings_server.ts).
import { type Page } from '@playwright/test';
import { test, expect, checkA11y, snap, openDemo } from '../support/fixtures';
import { SettingsServer, caller, imapEntry, signIn, watchedPage } from '../support/settings_server';

const row = (page: Page, domain: string) =>
  page.getByTestId('domain-row').filter({ has: page.getByRole('rowheader', { name: domain, exact: false }) });

const TEXT = {
  en: {
    edit: (d: string) => `Edit settings for ${d}`,
    drawer: 'IMAP settings',
    imapServer: 'IMAP server',
    update: 'Update',
    keepMine: 'Keep mine',
    useTheirs: 'Use theirs',
    conflict: /Someone else saved changes to example\.com/,
  },
  pl: {
    edit: (d: string) => `Edytuj ustawienia dla ${d}`,
    drawer: 'Ustawienia IMAP',
    imapServer: 'Serwer IMAP',
    update: 'Aktualizuj',
    keepMine: 'Zachowaj moją',
    useTheirs: 'Użyj zapisanej',
    conflict: /Ktoś inny zapisał zmiany w example\.com/,
  },
};

let server: SettingsServer;

test.beforeEach(async () => {
  server = await SettingsServer.launch();
  const created = await server.api('alice-admin', 'PUT', '/api/v1/email-domains/example.com', imapEntry('example.com', 'first'), {
    'If-None-Match': '*',
  });
  expect(created.status).toBe(201);
});

test.afterEach(async () => {
  await server.dispose();
});

/**
 * Waits until the list came from the server and the banners' code with it (fetched once the
 * server answered, so that it is there when the server stops answering).
 */
async function settled(page: Page) {
  await expect(row(page, 'example.com')).toBeVisible();
  await page.waitForFunction(() =>
    performance.getEntriesByType('resource').some((entry) => entry.name.includes('banners_code')),
  );
}

async function openEdit(page: Page, lang: 'en' | 'pl', domain = 'example.com') {
  const text = TEXT[lang];
  await page.getByRole('button', { name: text.edit(domain) }).click();
  const drawer = page.getByRole('dialog', { name: text.drawer });
  await expect(drawer).toBeVisible();
  return drawer;
}

for (const lang of ['en', 'pl'] as const) {
  test(`two admins edit one domain: the second resolves the conflict (${lang})`, async ({ browser }) => {
    const text = TEXT[lang];
    const alice = await watchedPage(browser);
    const bob = await watchedPage(browser);
    await signIn(alice.page, server, 'alice-admin', lang);
    await signIn(bob.page, server, 'bob-admin', lang);
    await expect(row(alice.page, 'example.com')).toContainText('first.imap.example.net');
    await expect(row(bob.page, 'example.com')).toContainText('first.imap.example.net');

    // Both open the drawer on the same revision; the drawer names who changed it last.
    const aliceDrawer = await openEdit(alice.page, lang);
    const bobDrawer = await openEdit(bob.page, lang);
    await expect(bobDrawer.getByTestId('last-changed')).toContainText('alice-admin');

    await aliceDrawer.getByLabel(text.imapServer).fill('alice.imap.example.net');
    await aliceDrawer.getByRole('button', { name: text.update }).click();
    await expect(aliceDrawer).toBeHidden();
    await expect(row(alice.page, 'example.com')).toContainText('alice.imap.example.net');

    // Bob saves his version over a revision that moved on: his draft is kept beside theirs.
    await bobDrawer.getByLabel(text.imapServer).fill('bob.imap.example.net');
    await bobDrawer.getByRole('button', { name: text.update }).click();
    const conflict = bobDrawer.getByTestId('conflict');
    await expect(conflict).toContainText(text.conflict);
    await expect(conflict.getByTestId('conflict-theirs')).toContainText('alice.imap.example.net');
    await expect(conflict.getByTestId('conflict-mine')).toContainText('bob.imap.example.net');
    await expect(bobDrawer.getByLabel(text.imapServer)).toHaveValue('bob.imap.example.net');
    await expect(conflict.getByRole('button', { name: text.keepMine })).toBeFocused();
    await checkA11y(bob.page, `on the conflict (${lang})`);
    await snap(bob.page, `rest-conflict-${lang}-wide`);
    await bob.page.setViewportSize({ width: 360, height: 800 });
    // At 360 px each server of a version keeps one line, and the form keeps its share of the drawer.
    const lines = conflict.locator('.ms-conflict__line');
    await expect(lines).toHaveCount(6);
    for (const line of await lines.all()) {
      const fits = await line.evaluate((element) => {
        const height = parseFloat(getComputedStyle(element).lineHeight);
        return element.getBoundingClientRect().height < height * 1.5;
      });
      expect(fits, await line.innerText()).toBe(true);
    }
    const share = await bobDrawer.evaluate((dialog) => {
      const body = dialog.querySelector('.ms-drawer__body')!.getBoundingClientRect().height;
      return body / dialog.getBoundingClientRect().height;
    });
    expect(share).toBeGreaterThanOrEqual(0.3);
    await expect(conflict.getByRole('button', { name: text.keepMine })).toBeInViewport();
    await checkA11y(bob.page, `on the conflict at 360 px (${lang})`);
    await snap(bob.page, `rest-conflict-${lang}-360`);
    await bob.page.setViewportSize({ width: 1280, height: 720 });

    // "Keep mine" sends Bob's draft against the revision that stands now.
    await conflict.getByRole('button', { name: text.keepMine }).click();
    await expect(bobDrawer).toBeHidden();
    await expect(row(bob.page, 'example.com')).toContainText('bob.imap.example.net');

    // Alice, still on her copy, edits again: her save meets Bob's, and she takes his.
    const aliceAgain = await openEdit(alice.page, lang);
    await aliceAgain.getByLabel(text.imapServer).fill('alice-two.imap.example.net');
    await aliceAgain.getByRole('button', { name: text.update }).click();
    const second = aliceAgain.getByTestId('conflict');
    await expect(second.getByTestId('conflict-theirs')).toContainText('bob.imap.example.net');
    await second.getByRole('button', { name: text.useTheirs }).click();
    await expect(aliceAgain).toBeHidden();
    await expect(row(alice.page, 'example.com')).toContainText('bob.imap.example.net');

    // The server's history says who saved what: Bob last, then Alice, then Alice's first entry.
    const history = await server.api('rita-reader', 'GET', '/api/v1/email-domains/example.com/history');
    expect(history.status).toBe(200);
    const changes = history.json.changes.map((c: { actor: string; entry: { incoming: { host: string } } }) => [
      c.actor,
      c.entry.incoming.host,
    ]);
    expect(changes).toEqual([
      ['bob-admin', 'bob.imap.example.net'],
      ['alice-admin', 'alice.imap.example.net'],
      ['alice-admin', 'first.imap.example.net'],
    ]);
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });
}

test('a reader sees the admin settings pre-filled, and an edit made elsewhere after a focus change', async ({ browser }) => {
  const reader = await watchedPage(browser);
  await signIn(reader.page, server, 'rita-reader');
  const flow = reader.page.getByTestId('connect');
  await flow.getByLabel('Email address').fill('rita@example.com');
  await flow.getByRole('button', { name: 'Continue' }).click();
  await expect(flow.getByLabel('IMAP server')).toHaveValue('first.imap.example.net');

  // The admin changes the settings in another browser...
  const admin = await watchedPage(browser);
  await signIn(admin.page, server, 'alice-admin');
  const drawer = await openEdit(admin.page, 'en');
  await drawer.getByLabel('IMAP server').fill('moved.imap.example.net');
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();

  // ...and the reader's page, without a reload, has it once it gets the focus again.
  const listed = reader.page.waitForResponse(
    (response) => response.url().endsWith('/api/v1/email-domains') && response.status() === 200,
  );
  await reader.page.bringToFront();
  await reader.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await listed;
  await flow.getByRole('button', { name: 'Change address' }).click();
  await flow.getByLabel('Email address').fill('rita@example.com');
  await flow.getByRole('button', { name: 'Continue' }).click();
  await expect(flow.getByLabel('IMAP server')).toHaveValue('moved.imap.example.net');
  expect(reader.problems).toEqual([]);
  expect(admin.problems).toEqual([]);
  await reader.context.close();
  await admin.context.close();
});

test('the server stopped mid-save: the banner shows, the draft stays, and the save succeeds after a restart', async ({
  browser,
}) => {
  const admin = await watchedPage(browser);
  await signIn(admin.page, server, 'alice-admin');
  await settled(admin.page);
  const drawer = await openEdit(admin.page, 'en');
  await drawer.getByLabel('IMAP server').fill('after-restart.imap.example.net');

  await server.stop();
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer.getByRole('alert')).toContainText("can't be reached", { timeout: 20_000 });
  await expect(drawer.getByLabel('IMAP server')).toHaveValue('after-restart.imap.example.net');
  const banner = admin.page.getByTestId('server-banner');
  await expect(banner).toContainText("can't be reached");
  await expect(row(admin.page, 'example.com')).toContainText('first.imap.example.net');
  await checkA11y(admin.page, 'with the server down and the drawer open');
  await snap(admin.page, 'rest-server-down-en-wide');

  await server.start();
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();
  await expect(row(admin.page, 'example.com')).toContainText('after-restart.imap.example.net');
  await expect(banner).toBeHidden();
  expect(admin.problems).toEqual([]);
  await admin.context.close();
});

test('the banner with the server down, in Polish, passes axe', async ({ browser }) => {
  const admin = await watchedPage(browser);
  await signIn(admin.page, server, 'alice-admin', 'pl');
  await settled(admin.page);
  await server.stop();
  await admin.page.getByRole('button', { name: 'Edytuj ustawienia dla example.com' }).focus();
  await admin.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  const banner = admin.page.getByTestId('server-banner');
  await expect(banner).toContainText('Nie można połączyć się z serwerem ustawień', { timeout: 20_000 });
  await checkA11y(admin.page, 'on the server banner (pl)');
  await snap(admin.page, 'rest-server-down-pl-wide');
  await admin.page.setViewportSize({ width: 360, height: 800 });
  await snap(admin.page, 'rest-server-down-pl-360');
  await server.start();
  await banner.getByRole('button', { name: 'Spróbuj ponownie' }).click();
  await expect(banner).toBeHidden();
  expect(admin.problems).toEqual([]);
  await admin.context.close();
});

test('a session that ends mid-edit asks to sign in again, then saves what the person asked for', async ({ browser }) => {
  const admin = await watchedPage(browser);
  await signIn(admin.page, server, 'alice-admin');
  const drawer = await openEdit(admin.page, 'en');
  await drawer.getByLabel('IMAP server').fill('kept.imap.example.net');

  // The session ends (the cookie is gone): the save is refused with 401.
  await admin.context.clearCookies();
  await drawer.getByRole('button', { name: 'Update' }).click();
  const again = admin.page.getByTestId('signin-dialog');
  await expect(again).toBeVisible();
  await again.getByTestId('signin-token').fill(caller('alice-admin').token);
  await again.getByTestId('signin-submit').click();
  await expect(again).toBeHidden();

  // Signed in again, the save the server refused goes again by itself: no second Update.
  await expect(admin.page.getByRole('dialog', { name: 'IMAP settings' })).toBeHidden();
  await expect(row(admin.page, 'example.com')).toContainText('kept.imap.example.net');
  const stored = await server.api('alice-admin', 'GET', '/api/v1/email-domains/example.com');
  expect(stored.json.incoming.host).toBe('kept.imap.example.net');
  expect(stored.json.revision).toBe(2);
  expect(admin.problems).toEqual([]);
  await admin.context.close();
});

test('a deletion on its way says so, and the question waits for the server to answer', async ({ browser }) => {
  const admin = await watchedPage(browser);
  await signIn(admin.page, server, 'alice-admin');
  await settled(admin.page);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await admin.page.route('**/api/v1/email-domains/example.com', async (route) => {
    if (route.request().method() === 'DELETE') await held;
    await route.continue();
  });
  await row(admin.page, 'example.com').getByRole('button', { name: 'Delete settings for example.com' }).click();
  const confirm = admin.page.getByRole('alertdialog', { name: 'Delete settings for example.com?' });
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  const busy = confirm.getByRole('button', { name: 'Deleting…' });
  await expect(busy).toBeVisible();
  await expect(busy).toHaveAttribute('aria-disabled', 'true');
  await expect(confirm).toHaveAttribute('aria-busy', 'true');
  // Too late to keep them: Escape and Cancel wait with the rest.
  await admin.page.keyboard.press('Escape');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toHaveAttribute('aria-disabled', 'true');
  await confirm.getByRole('button', { name: 'Cancel' }).click({ force: true });
  await expect(confirm).toBeVisible();
  await checkA11y(admin.page, 'while a deletion is on its way');
  await snap(admin.page, 'rest-deleting-en-wide');
  release();
  await expect(confirm).toBeHidden();
  await expect(admin.page.getByRole('status').filter({ hasText: 'Settings for example.com deleted.' })).toBeVisible();
  await expect(row(admin.page, 'example.com')).toHaveCount(0);
  expect(admin.problems).toEqual([]);
  await admin.context.close();
});

for (const lang of ['en', 'pl'] as const) {
  test(`the sign-in form passes axe (${lang})`, async ({ browser }) => {
    const visitor = await watchedPage(browser);
    await visitor.page.goto(`${server.url}/?lang=${lang}`);
    await expect(visitor.page.getByTestId('signin-form')).toBeVisible();
    await visitor.page.getByTestId('signin-token').fill('not-a-valid-token-at-all');
    await visitor.page.getByTestId('signin-submit').click();
    await expect(visitor.page.getByTestId('signin-error')).not.toBeEmpty();
    await checkA11y(visitor.page, `on the sign-in form (${lang})`);
    await snap(visitor.page, `rest-signin-${lang}-wide`);
    await visitor.page.setViewportSize({ width: 360, height: 800 });
    await snap(visitor.page, `rest-signin-${lang}-360`);
    expect(visitor.problems).toEqual([]);
    await visitor.context.close();
  });
}

test('a page on browser storage never downloads the REST client', async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (request) => fetched.push(request.url()));
  await openDemo(page);
  await page.getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(page.getByRole('dialog', { name: 'IMAP settings' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  expect(fetched.some((url) => url.includes('settings_dialog_code'))).toBe(true);
  expect(fetched.filter((url) => url.includes('rest_client_code'))).toEqual([]);
});



test('<mail-setup api> keeps its settings on the server, with the person\'s own bearer token', async ({ browser }) => {
  const visitor = await watchedPage(browser);
  // A portal page on the server's origin (the server's own page uses a session cookie instead).
  await visitor.page.route(`${server.url}/portal.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><title>Portal</title>
        <link rel="stylesheet" href="/mailsetup/mailsetup.css"></head><body><main>
        <script type="module">
          await import('/mailsetup/element.js');
          const element = document.createElement('mail-setup');
          element.setAttribute('api', location.origin);
          element.setAttribute('view', 'admin');
          element.token = ${JSON.stringify(caller('bob-admin').token)};
          document.querySelector('main').append(element);
        </script></main></body></html>`,
    }),
  );
  await visitor.page.goto(`${server.url}/portal.html`);
  await expect(row(visitor.page, 'example.com')).toContainText('first.imap.example.net', { timeout: 30_000 });
  const drawer = await openEdit(visitor.page, 'en');
  await drawer.getByLabel('IMAP server').fill('element.imap.example.net');
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();
  const saved = await server.api('rita-reader', 'GET', '/api/v1/email-domains/example.com/history');
  expect(saved.json.changes[0].actor).toBe('bob-admin');
  expect(saved.json.changes[0].entry.incoming.host).toBe('element.imap.example.net');
  expect(visitor.problems).toEqual([]);
  await visitor.context.close();
});

const IMPORT_TEXT = {
  en: {
    import: 'Import',
    outdated: /Nothing was imported: someone changed the settings on the server after this preview was made/,
    imported: 'Imported 2 changes.',
    changedHeading: /^Changed \(1\)/,
  },
  pl: {
    import: 'Importuj',
    outdated: /Nic nie zaimportowano: ktoś zmienił ustawienia na serwerze po przygotowaniu tego podglądu/,
    imported: 'Zaimportowano zmian: 2.',
    changedHeading: /^Zmienione \(1\)/,
  },
};

for (const lang of ['en', 'pl'] as const) {
  test(`import on the server: a change made after the preview imports nothing and says so, then the new preview imports (${lang})`, async ({
    browser,
  }) => {
    const text = IMPORT_TEXT[lang];
    const alice = await watchedPage(browser);
    await signIn(alice.page, server, 'alice-admin', lang);
    await expect(row(alice.page, 'example.com')).toContainText('first.imap.example.net');

    // The settings file moves example.com and adds new.example; the preview says so.
    // Written by hand: settings only, no revisions.
    const file = { version: 2, domains: [imapEntry('example.com', 'second'), imapEntry('new.example', 'new')] };
    await alice.page.getByTestId('import-file').setInputFiles({
      name: 'settings.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    const preview = alice.page.getByTestId('import-preview');
    await expect(preview.getByTestId('import-changed')).toContainText('first.imap.example.net');
    await expect(preview.getByTestId('import-added')).toContainText('new.example');

    // Meanwhile bob changes example.com on the server.
    const before = await server.api('bob-admin', 'GET', '/api/v1/email-domains/example.com');
    const bobs = await server.api('bob-admin', 'PUT', '/api/v1/email-domains/example.com', imapEntry('example.com', 'bob'), {
      'If-Match': before.etag ?? '',
    });
    expect(bobs.status).toBe(200);

    // Alice's import was previewed against the older list: the server refuses all of it.
    const refused = alice.page.waitForResponse((response) => response.url().endsWith('/api/v1/email-domains/import'));
    await preview.getByRole('button', { name: text.import, exact: true }).click();
    expect((await refused).status()).toBe(412);
    await expect(preview.getByRole('alert')).toHaveText(text.outdated);
    let listed = await server.api('alice-admin', 'GET', '/api/v1/email-domains');
    expect(listed.json.domains.map((d: { domain: string }) => d.domain)).toEqual(['example.com']);
    expect(listed.json.domains[0].incoming.host).toBe('bob.imap.example.net');
    // The preview now compares the file with bob's settings.
    await expect(preview.getByTestId('import-changed')).toContainText('bob.imap.example.net');
    await expect(preview.getByTestId('import-changed').getByRole('heading')).toHaveText(text.changedHeading);
    await checkA11y(alice.page, `the import refused because the settings changed (${lang})`);
    await snap(alice.page, `import-outdated-${lang}-wide`);
    await alice.page.setViewportSize({ width: 360, height: 800 });
    await expect(preview.getByRole('alert')).toBeVisible();
    await snap(alice.page, `import-outdated-${lang}-narrow`);
    await alice.page.setViewportSize({ width: 1280, height: 800 });

    // Imported against the current list: one transaction, in the server's history as alice's.
    await preview.getByRole('button', { name: text.import, exact: true }).click();
    await expect(preview).toBeHidden();
    await expect(alice.page.getByTestId('settings-status')).toHaveText(text.imported);
    await expect(row(alice.page, 'new.example')).toContainText('new.imap.example.net');
    await expect(row(alice.page, 'example.com')).toContainText('second.imap.example.net');
    listed = await server.api('alice-admin', 'GET', '/api/v1/email-domains');
    expect(listed.json.domains.map((d: { domain: string }) => d.domain)).toEqual(['example.com', 'new.example']);
    const history = await server.api('alice-admin', 'GET', '/api/v1/email-domains/new.example/history');
    expect(history.json.changes[0].actor).toBe('alice-admin');
    expect(alice.problems).toEqual([]);
    await alice.context.close();
  });
}
