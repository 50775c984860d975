import { test, expect, openDemo, checkA11y, snap, expectPreloadsUsedOnce } from '../support/fixtures';
import { documentOf, imapEntry, openWithStored } from '../support/book';

test('the release build shows the settings heading with an empty state, accessibly', async ({ page }) => {
  await openDemo(page);
  await expect(page.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible();
  await expect(page.getByTestId('mailsetup')).toHaveAttribute('lang', 'en');
  await checkA11y(page, 'on the first screen');
  await snap(page, 'foundation-en-wide');
});

test('the page asks for its modules and wasm while the browser reads it, and each is fetched once', async ({ page }) => {
  await openDemo(page);
  await page.waitForFunction(() => performance.getEntriesByName('mailsetup:ready').length > 0);
  await expectPreloadsUsedOnce(page, /mailsetup-[0-9a-f]+_bg\.wasm$/);
});

test('the page also works when served from a nested path of a host site', async ({ page }) => {
  const nested = process.env.MAILSETUP_NESTED_PATH ?? '/embedded/admin/mailsetup/';
  await openDemo(page, nested);
  await expect(page.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible();
  // Parts that load on demand come from beside the page too.
  await page.getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(page.getByRole('dialog', { name: 'IMAP settings' }).getByLabel('Domain name')).toBeFocused();
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

test('a first visit downloads no chunk before it is ready; the drawer\'s comes ahead once idle, the delete question and the connect step fetch theirs when first shown', async ({ page }) => {
  // The release build keeps what the first screen does not show in wasm chunks marked
  // `-lazy-` (xtask/src/release.rs); the size budget leaves them out of the first visit.
  const chunks: string[] = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop() ?? '';
    if (name.includes('-lazy-')) chunks.push(name);
  });
  await openDemo(page);
  await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  // Nothing before the ready mark; after it, once the browser is idle, only the drawer's code,
  // so that an admin's first "Edit" does not wait for the network.
  const beforeReady = await page.evaluate(() => {
    const ready = performance.getEntriesByName('mailsetup:ready')[0].startTime;
    return performance
      .getEntriesByType('resource')
      .filter((entry) => entry.name.includes('-lazy-') && entry.startTime < ready)
      .map((entry) => entry.name);
  });
  expect(beforeReady, 'chunks fetched before the ready mark').toEqual([]);
  expect(chunks.length, chunks.join(', ')).toBeGreaterThan(0);
  expect(chunks.filter((name) => !name.includes('-lazy-settings_dialog') && !/-lazy-chunk_\d+/.test(name)), 'chunks fetched ahead').toEqual([]);
  expect(chunks.some((name) => name.includes('-lazy-settings_dialog')), chunks.join(', ')).toBe(true);

  await page.getByRole('button', { name: 'Add IMAP settings' }).click();
  const drawer = page.getByRole('dialog', { name: 'IMAP settings' });
  await expect(drawer.getByLabel('Domain name')).toBeFocused();
  await drawer.getByLabel('Domain name').fill('example.com');
  await drawer.getByLabel('IMAP server').fill('imap.example.com');
  await drawer.getByLabel('SMTP server').fill('smtp.example.com');
  await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(drawer).toBeHidden();

  await page.getByRole('button', { name: 'Delete settings for example.com' }).click();
  await expect(page.getByRole('alertdialog')).toBeVisible();
  expect(chunks.some((name) => name.includes('-lazy-confirm_delete')), chunks.join(', ')).toBe(true);
  await page.keyboard.press('Escape');

  const connect = page.getByTestId('connect');
  await connect.getByLabel('Email address').fill('alice@example.com');
  await connect.getByRole('button', { name: 'Continue' }).click();
  await expect(connect.getByLabel('Password', { exact: true })).toBeFocused();
  expect(chunks.some((name) => name.includes('-lazy-settings_step')), chunks.join(', ')).toBe(true);
  // Storage is fine, so the storage banners' chunk never came.
  expect(chunks.filter((name) => name.includes('-lazy-banners'))).toEqual([]);
});

test('a part whose code cannot be fetched says so, keeps what was typed, and loads when asked again', async ({ page, problems }) => {
  await page.route('**/*-lazy-*', (route) => route.abort());
  await openDemo(page);

  // The drawer: the panel says what happened and stays usable.
  await page.getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(page.getByTestId('settings-alert')).toHaveText(
    'This part of the page could not be loaded. Check your connection and try again.',
  );
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // The connect flow: still on the address step, with the address kept.
  const connect = page.getByTestId('connect');
  await connect.getByLabel('Email address').fill('alice@example.com');
  await connect.getByRole('button', { name: 'Continue' }).click();
  await expect(connect.getByTestId('step-missing')).toHaveText(
    'The next step could not be loaded. Check your connection and press Continue again.',
  );
  await expect(connect.getByLabel('Email address')).toHaveValue('alice@example.com');
  await snap(page, 'on-demand-fetch-failed-en-wide');

  // The network is back: asking again loads each part.
  await page.unroute('**/*-lazy-*');
  await connect.getByRole('button', { name: 'Continue' }).click();
  // Nobody set up example.com here: the blank form, its first field focused.
  await expect(connect.getByLabel('IMAP server')).toBeFocused();
  await expect(connect.getByTestId('step-missing')).toHaveCount(0);
  await page.getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(page.getByRole('dialog', { name: 'IMAP settings' }).getByLabel('Domain name')).toBeFocused();

  // The failed fetches were logged by the browser and the chunk loader; nothing else was.
  const expected = /Failed to (load resource|fetch)|ERR_FAILED/;
  expect(problems.some((problem) => expected.test(problem)), problems.join('\n')).toBe(true);
  const unexpected = problems.filter((problem) => !expected.test(problem));
  problems.length = 0;
  problems.push(...unexpected);
});

test('the Polish text is fetched only for a Polish page, and an English page is shown if it cannot be', async ({ page, problems }) => {
  const chunks: string[] = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop() ?? '';
    if (name.includes('-lazy-')) chunks.push(name);
  });
  await openDemo(page, './?lang=pl');
  await expect(page.getByRole('heading', { name: 'Ustawienia Exchange i IMAP' })).toBeVisible();
  await expect(page.getByTestId('mailsetup')).toHaveAttribute('lang', 'pl');
  expect(chunks.some((name) => name.includes('-lazy-polish')), chunks.join(', ')).toBe(true);

  // Without the network, the component still works, in English.
  await page.route('**/*-lazy-*', (route) => route.abort());
  const fresh = await page.context().newPage();
  await fresh.route('**/*-lazy-*', (route) => route.abort());
  const warnings: string[] = [];
  fresh.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  await fresh.goto('./?lang=pl');
  await expect(fresh.getByRole('heading', { name: 'Exchange & IMAP settings' })).toBeVisible({ timeout: 30_000 });
  await expect(fresh.getByTestId('mailsetup')).toHaveAttribute('lang', 'en');
  expect(warnings).toContain('mailsetup: the Polish text could not be fetched; showing English');
  await fresh.close();
  expect(problems).toEqual([]);
});

test('in Polish and narrow, parts that cannot be fetched say so in Polish', async ({ page, problems }) => {
  // The Polish text (and the code it shares) gets through; the drawer's and the connect step's
  // own chunks do not.
  await page.route(/-lazy-(settings_dialog|settings_step)/, (route) => route.abort());
  await page.setViewportSize({ width: 360, height: 800 });
  await openDemo(page, './?lang=pl');
  await page.getByRole('button', { name: 'Dodaj ustawienia IMAP' }).click();
  await expect(page.getByTestId('settings-alert')).toHaveText(
    'Nie udało się wczytać tej części strony. Sprawdź połączenie i spróbuj ponownie.',
  );
  const connect = page.getByTestId('connect');
  await connect.getByLabel('Adres e-mail').fill('anna@example.com');
  await connect.getByRole('button', { name: 'Dalej' }).click();
  await expect(connect.getByTestId('step-missing')).toHaveText(
    'Nie udało się wczytać następnego kroku. Sprawdź połączenie i ponownie naciśnij Dalej.',
  );
  await expect(connect.getByLabel('Adres e-mail')).toHaveValue('anna@example.com');
  await checkA11y(page, 'in Polish with parts that could not be fetched');
  await snap(page, 'on-demand-fetch-failed-pl-narrow');
  const expected = /Failed to (load resource|fetch)|ERR_FAILED/;
  const unexpected = problems.filter((problem) => !expected.test(problem));
  problems.length = 0;
  problems.push(...unexpected);
});

test('a storage problem is still told when the banners cannot be fetched', async ({ page, problems }) => {
  await page.route('**/*-lazy-*', (route) => route.abort());
  await openWithStored(page, '{"this is": not json');
  await expect(page.getByTestId('storage-banner-missing')).toHaveText(
    'There is a problem with the saved settings, but its details could not be loaded. Check your connection and reload the page.',
  );
  await expect(page.getByTestId('storage-banner-missing')).toHaveAttribute('role', 'alert');
  // Still locked: nothing can change what could not be read.
  await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toHaveCount(0);
  await snap(page, 'storage-banner-missing-en-wide');
  const expected = /Failed to (load resource|fetch)|ERR_FAILED/;
  expect(problems.some((problem) => expected.test(problem)), problems.join('\n')).toBe(true);
  const unexpected = problems.filter((problem) => !expected.test(problem));
  problems.length = 0;
  problems.push(...unexpected);
});
