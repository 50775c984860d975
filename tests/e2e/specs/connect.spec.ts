// The "Connect your inbox" flow, driven the way a person would: by role and label. The demo
// tester runs each step after `delay` ms (`?delay=`), short here so the suite stays quick.
import type { Locator, Page } from '@playwright/test';
import * as path from 'node:path';
import { test, expect, openDemo, checkA11y, snap, SCREENSHOTS } from '../support/fixtures';
import { documentOf, exchangeEntry, imapEntry, openWithStored, storedText } from '../support/book';

const FAST = './?delay=20';
const PASSWORD = 'S3cret-pa55word!';

const flow = (page: Page) => page.getByTestId('connect');

/** A screenshot of the flow's section alone, for a close look at narrow widths. */
async function snapFlow(page: Page, name: string) {
  await flow(page).screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

async function enterAddress(page: Page, address: string) {
  const section = flow(page);
  await section.getByLabel('Email address').fill(address);
  await section.getByRole('button', { name: 'Continue' }).click();
}

/** The state attribute of every step of the check, in order. */
async function stepStates(section: Locator): Promise<string[]> {
  const steps = section.getByTestId('check-step');
  return steps.evaluateAll((items) => items.map((item) => item.getAttribute('data-state') ?? ''));
}

async function connect(page: Page, password = PASSWORD) {
  const section = flow(page);
  await section.getByLabel('Password', { exact: true }).fill(password);
  await section.getByRole('button', { name: 'Connect', exact: true }).click();
}

const row = (page: Page, domain: string) =>
  page.getByTestId('domain-row').filter({ has: page.getByRole('rowheader', { name: domain, exact: false }) });

test.describe('pre-filled from the administrator', () => {
  test('IMAP settings fill every field, read-only until the person chooses otherwise', async ({ page }) => {
    const entry = { ...imapEntry('example.com', { smtpPort: 587, insecure: true }) };
    entry.outgoing.security = 'starttls';
    await openWithStored(page, documentOf([entry]), FAST);
    const section = flow(page);
    await expect(section.getByRole('heading', { name: 'Connect your inbox' })).toBeVisible();
    await expect(section.getByTestId('demo-notice')).toContainText(/no connection is made/i);
    await checkA11y(page, 'at the address step');
    await snap(page, 'connect-address-en-wide');

    await enterAddress(page, 'alice@example.com');
    await expect(section.getByText('Set up by your administrator for example.com')).toBeVisible();
    await expect(section.getByLabel('Username')).toHaveValue('alice@example.com');
    await expect(section.getByLabel('Password', { exact: true })).toBeFocused();
    await expect(section.getByLabel('Password', { exact: true })).toHaveAttribute('type', 'password');
    const expected: [string, string][] = [
      ['IMAP server', 'imap.example.com'],
      ['IMAP port', '993'],
      ['SMTP server', 'smtp.example.com'],
      ['SMTP port', '587'],
    ];
    for (const [label, value] of expected) {
      await expect(section.getByLabel(label), label).toHaveValue(value);
      await expect(section.getByLabel(label), label).toHaveAttribute('readonly', '');
    }
    await expect(section.getByLabel('IMAP security')).toHaveValue('ssl_tls');
    await expect(section.getByLabel('SMTP security')).toHaveValue('starttls');
    await expect(section.getByLabel('IMAP security')).toBeDisabled();
    await expect(section.getByLabel('Allow insecure certificates')).toBeChecked();
    await expect(section.getByLabel('Allow insecure certificates')).toBeDisabled();
    await expect(section.getByRole('group', { name: 'Incoming mail (IMAP)' })).toBeVisible();
    await expect(section.getByRole('group', { name: 'Outgoing mail (SMTP)' })).toBeVisible();
    // Only administrators of an unconfigured domain may save from here.
    await expect(section.getByRole('button', { name: /Save as settings/ })).toHaveCount(0);
    await checkA11y(page, 'with the pre-filled IMAP form');
    await snap(page, 'connect-prefilled-imap-en-wide');

    await section.getByRole('button', { name: 'Use different settings' }).click();
    await expect(section.getByLabel('IMAP server')).toBeFocused();
    await expect(section.getByLabel('IMAP server')).not.toHaveAttribute('readonly', '');
    await expect(section.getByText("Your administrator's settings stay as they are.")).toBeVisible();
    await section.getByLabel('IMAP server').fill('imap.elsewhere.example');
    await expect(section.getByLabel('Allow insecure certificates')).toBeEnabled();

    await connect(page);
    await expect(section.getByRole('status').filter({ hasText: 'Every step passed' })).toContainText(
      'no connection was made',
    );
    expect(await stepStates(section)).toEqual(['passed', 'passed', 'passed', 'passed']);
    await expect(section.getByTestId('check-step').first()).toContainText('Connect to the IMAP server');
    await checkA11y(page, 'after a successful check');
    await snap(page, 'connect-imap-passed-en-wide');

    // The administrator's entry is exactly as it was.
    await expect(row(page, 'example.com')).toContainText('imap.example.com:993 SSL/TLS');
    const stored = JSON.parse((await storedText(page))!);
    expect(stored.domains[0].incoming.host).toBe('imap.example.com');
    expect(stored.domains[0].revision).toBe(1);
  });

  test('Exchange settings fill the Exchange URL', async ({ page }) => {
    await openWithStored(page, documentOf([exchangeEntry('corp.example')]), FAST);
    const section = flow(page);
    await enterAddress(page, 'bob@corp.example');
    await expect(section.getByText('Set up by your administrator for corp.example')).toBeVisible();
    await expect(section.getByLabel('Username')).toHaveValue('bob@corp.example');
    const url = section.getByLabel('Exchange URL');
    await expect(url).toHaveValue('https://mail.corp.example/EWS/Exchange.asmx');
    await expect(url).toHaveAttribute('readonly', '');
    await expect(section.getByLabel('IMAP server')).toHaveCount(0);
    await checkA11y(page, 'with the pre-filled Exchange form');
    await snap(page, 'connect-prefilled-exchange-en-wide');
    await connect(page);
    await expect(section.getByRole('status').filter({ hasText: 'Every step passed' })).toBeVisible();
    await expect(section.getByTestId('check-step')).toHaveText([
      /Reach the Exchange URL\s*Passed/,
      /Log in to Exchange\s*Passed/,
    ]);
  });

  test('a parent domain applies to subdomains only when it includes them', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('example.com', { subdomains: true })]), FAST);
    const section = flow(page);
    await enterAddress(page, 'alice@eu.example.com');
    await expect(section.getByText('Set up by your administrator for example.com')).toContainText(
      'eu.example.com',
    );
    await expect(section.getByLabel('IMAP server')).toHaveValue('imap.example.com');
    await snap(page, 'connect-subdomain-en-wide');

    await openWithStored(page, documentOf([imapEntry('example.com', { subdomains: false })]), FAST);
    await enterAddress(page, 'alice@eu.example.com');
    await expect(section.getByText('No settings are set up for eu.example.com yet.')).toBeVisible();
    await expect(section.getByLabel('IMAP server')).toHaveValue('');
    // The domain itself still matches.
    await section.getByRole('button', { name: 'Change address' }).click();
    await expect(section.getByLabel('Email address')).toBeFocused();
    await expect(section.getByLabel('Email address')).toHaveValue('alice@eu.example.com');
    await enterAddress(page, 'alice@example.com');
    await expect(section.getByText('Set up by your administrator for example.com')).toBeVisible();
  });
});

test.describe('a domain nobody set up', () => {
  test('shows an empty IMAP form with the usual ports and a guide; read-only users cannot save', async ({ page }) => {
    await openDemo(page, `${FAST}&role=read-only`);
    const section = flow(page);
    await enterAddress(page, 'carol@unknown.example');
    await expect(section.getByText('No settings are set up for unknown.example yet.')).toBeVisible();
    await expect(section.getByRole('heading', { name: 'Where do I find these settings?' })).toBeVisible();
    await expect(section.getByText('port 993 with SSL/TLS')).toBeVisible();
    await expect(section.getByLabel('IMAP server')).toHaveValue('');
    await expect(section.getByLabel('IMAP server')).toBeFocused();
    await expect(section.getByLabel('IMAP port')).toHaveValue('993');
    await expect(section.getByLabel('SMTP port')).toHaveValue('465');
    await expect(section.getByLabel('SMTP security')).toHaveValue('ssl_tls');
    await expect(section.getByLabel('IMAP server')).not.toHaveAttribute('readonly', '');
    await expect(section.getByRole('button', { name: /Save as settings/ })).toHaveCount(0);
    await expect(section.getByRole('button', { name: 'Use different settings' })).toHaveCount(0);
    // Security follows the port, as in the admin's panel.
    await section.getByLabel('SMTP port').fill('587');
    await expect(section.getByLabel('SMTP security')).toHaveValue('starttls');

    // Connect checks every field first.
    await section.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(section.getByLabel('Password', { exact: true })).toBeFocused();
    await expect(section.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(section.getByLabel('IMAP server')).toHaveAttribute('aria-invalid', 'true');
    await expect(section.getByTestId('connection-check')).toHaveCount(0);
    await checkA11y(page, 'with errors in the blank form');
    await snap(page, 'connect-blank-errors-en-wide');

    await section.getByLabel('IMAP server').fill('imap.unknown.example');
    await section.getByLabel('SMTP server').fill('smtp.unknown.example');
    await connect(page);
    await expect(section.getByRole('status').filter({ hasText: 'Every step passed' })).toBeVisible();
    expect(await storedText(page)).toBeNull();
  });

  test('a click on Connect counts even when leaving a field shows its error above the button', async ({ page }) => {
    await openDemo(page, FAST);
    const section = flow(page);
    await enterAddress(page, 'carol@unknown.example');
    // Clicking from a field with a mistake into another shows its error at the click.
    await section.getByLabel('IMAP server').fill('imap unknown example');
    await section.getByLabel('SMTP server').click();
    await expect(section.getByLabel('IMAP server')).toHaveAttribute('aria-invalid', 'true');
    await section.getByLabel('IMAP server').fill('imap.unknown.example');
    await expect(section.getByLabel('IMAP server')).not.toHaveAttribute('aria-invalid', 'true');
    // Still in the field with a mistake: its error appears as the pointer presses Connect, and
    // pushes the button down between the press and the release.
    await section.getByLabel('SMTP server').fill('smtp unknown example');
    const connectButton = section.getByRole('button', { name: 'Connect', exact: true });
    const before = await connectButton.boundingBox();
    await connectButton.click();
    // The click was a submit: the untouched password shows its error too and, as the first
    // field with an error, takes the focus.
    const passwordField = section.getByLabel('Password', { exact: true });
    await expect(passwordField).toHaveAttribute('aria-invalid', 'true');
    await expect(passwordField).toBeFocused();
    await expect(section.getByLabel('SMTP server')).toHaveAttribute('aria-invalid', 'true');
    const after = await connectButton.boundingBox();
    expect(after!.y, 'the error above the button moved it').toBeGreaterThan(before!.y);
  });

  test('an administrator saves it as the domain\'s settings: the panel shows it here and in another tab', async ({
    page,
    context,
  }) => {
    await openDemo(page, FAST);
    const other = await context.newPage();
    await openDemo(other, FAST);
    await page.bringToFront();
    const section = flow(page);
    await enterAddress(page, 'dave@new.example');
    const save = section.getByRole('button', { name: 'Save as settings for new.example' });
    await expect(save).toBeVisible();
    await checkA11y(page, 'with the blank form for an administrator');
    await snap(page, 'connect-blank-admin-en-wide');

    // Same validation as the admin's panel.
    await save.click();
    await expect(section.getByLabel('IMAP server')).toBeFocused();
    await expect(section.getByLabel('IMAP server')).toHaveAccessibleDescription(/.+/);
    await expect(row(page, 'new.example')).toHaveCount(0);

    await section.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await section.getByLabel('IMAP server').fill('imap.new.example');
    await section.getByLabel('SMTP server').fill('smtp.new.example');
    await save.click();
    await expect(section.getByRole('status').filter({ hasText: 'Saved as settings for new.example.' })).toBeVisible();
    await expect(section.getByText('Set up by your administrator for new.example')).toBeVisible();
    await expect(section.getByLabel('IMAP server')).toHaveAttribute('readonly', '');
    await expect(save).toHaveCount(0);
    // Nothing typed was lost.
    await expect(section.getByLabel('Password', { exact: true })).toHaveValue(PASSWORD);

    await expect(row(page, 'new.example')).toContainText('imap.new.example:993 SSL/TLS · smtp.new.example:465 SSL/TLS');
    await expect(row(other, 'new.example')).toBeVisible();
    const stored = (await storedText(page))!;
    expect(stored).toContain('imap.new.example');
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain('dave');
    await snap(page, 'connect-saved-by-admin-en-wide');
  });
});

test.describe('the connection check', () => {
  const failures: [string, string, string, string][] = [
    ['imap-connect', 'imap', 'IMAP settings incorrect', 'Check the IMAP server, port and security'],
    ['imap-login', 'imap', 'IMAP authentication error', 'refused the username or password'],
    ['smtp-connect', 'imap', 'SMTP settings incorrect', 'Check the SMTP server, port and security'],
    ['smtp-login', 'imap', 'SMTP authentication error', 'sending through SMTP is allowed'],
    ['send-test-email', 'imap', 'Test e-mail not sent', 'sending limit'],
    ['test-email-arrived', 'imap', 'Test e-mail not received', "your inbox's filters"],
    ['exchange-reach', 'exchange', 'Exchange settings incorrect', '/EWS/Exchange.asmx'],
    ['exchange-login', 'exchange', 'Exchange authentication error', 'DOMAIN\\username'],
  ];
  const plans: Record<string, string[]> = {
    imap: ['imap-connect', 'imap-login', 'smtp-connect', 'smtp-login'],
    exchange: ['exchange-reach', 'exchange-login'],
  };
  const testMessage = ['send-test-email', 'test-email-arrived'];

  for (const [outcome, kind, title, advice] of failures) {
    test(`failing at ${outcome} names the step and what to check`, async ({ page }) => {
      const book = kind === 'imap' ? imapEntry('example.com') : exchangeEntry('example.com');
      await openWithStored(page, documentOf([book]), `${FAST}&outcome=${outcome}`);
      const section = flow(page);
      await enterAddress(page, 'alice@example.com');
      // The test message's steps run only when the person asks for it.
      const asked = testMessage.includes(outcome);
      if (asked) await section.getByLabel('Send a test e-mail to myself').check();
      await connect(page);
      const alert = section.getByRole('alert').filter({ hasText: title });
      await expect(alert).toBeVisible();
      await expect(alert).toContainText(advice);
      const plan = asked ? [...plans[kind], ...testMessage] : plans[kind];
      const failedAt = plan.indexOf(outcome);
      const expected = plan.map((_, index) =>
        index < failedAt ? 'passed' : index === failedAt ? 'failed' : 'not-run',
      );
      expect(await stepStates(section)).toEqual(expected);
      await expect(section.getByText('For your safety the password was cleared.')).toBeVisible();
      await expect(section.getByLabel('Password', { exact: true })).toHaveValue('');
      if (outcome === 'imap-login') {
        await checkA11y(page, 'after a failed check');
        await snap(page, 'connect-failed-imap-login-en-wide');
      }
    });
  }

  test('the outcome is chosen on the demo page, and the choice survives a reload', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('example.com')]), FAST);
    await page.getByLabel('Connection check').selectOption({ label: 'Fail at SMTP login' });
    await expect(page).toHaveURL(/outcome=smtp-login/);
    const section = flow(page);
    await enterAddress(page, 'alice@example.com');
    await connect(page);
    await expect(section.getByRole('alert').filter({ hasText: 'SMTP authentication error' })).toBeVisible({
      timeout: 10_000,
    });
    expect(await stepStates(section)).toEqual(['passed', 'passed', 'passed', 'failed']);
    await page.reload();
    await expect(page.getByLabel('Connection check')).toHaveValue('smtp-login');
  });

  // A step is held by the host's own check until the test lets it go, so what is checked while
  // a step runs does not depend on how fast a busy machine gets there.
  test('each step is seen running until the check answers it, then the next one runs', async ({ page }) => {
    await page.goto('/hosts/portal.html?mount=no');
    await expect(page.locator('body')).toHaveAttribute('data-portal-ready', 'yes', { timeout: 30_000 });
    await page.evaluate(async (stored) => {
      const w = window as any;
      localStorage.setItem('held-steps:settings', stored);
      w.held = [];
      w.answer = (result: object) => w.held.shift().resolve(result);
      const handle = w.portal.mount(document.getElementById('app'), {
        view: 'connect',
        storage: { type: 'local', prefix: 'held-steps' },
        testConnection: (step: string) => new Promise((resolve) => w.held.push({ step, resolve })),
      });
      await handle.ready;
    }, documentOf([imapEntry('example.com')]));
    const section = flow(page);
    await enterAddress(page, 'alice@example.com');
    await connect(page);
    const heldStep = () => page.evaluate(() => (window as any).held.map((held: any) => held.step));
    await expect.poll(heldStep).toEqual(['imap-connect']);
    const first = section.getByTestId('check-step').first();
    await expect(first).toHaveAttribute('data-state', 'running');
    await expect(first).toContainText('Running');
    expect(await stepStates(section)).toEqual(['running', 'waiting', 'waiting', 'waiting']);
    await expect(section.getByRole('status').filter({ hasText: 'Checking the connection' })).toBeVisible();
    await expect(section.getByRole('button', { name: 'Connect', exact: true })).toHaveAttribute('aria-disabled', 'true');
    await checkA11y(page, 'while the check runs');
    await snap(page, 'connect-running-en-wide');
    await snapFlow(page, 'connect-running-en-section');
    // Each answer moves the check on by one step.
    for (const [index, step] of ['imap-login', 'smtp-connect', 'smtp-login'].entries()) {
      await page.evaluate(() => (window as any).answer({ ok: true }));
      await expect.poll(heldStep).toEqual([step]);
      await expect(section.getByTestId('check-step').nth(index + 1)).toHaveAttribute('data-state', 'running');
    }
    expect(await stepStates(section)).toEqual(['passed', 'passed', 'passed', 'running']);
    await page.evaluate(() => (window as any).answer({ ok: false, reason: 'SMTP authentication error' }));
    await expect(section.getByRole('alert').filter({ hasText: 'SMTP authentication error' })).toBeVisible();
    expect(await stepStates(section)).toEqual(['passed', 'passed', 'passed', 'failed']);
    expect(await heldStep()).toEqual([]);

    // Asked for, the test message adds its two steps, and the host's check is asked for both.
    await section.getByLabel('Password', { exact: true }).fill(PASSWORD);
    const box = section.getByLabel('Send a test e-mail to myself');
    await expect(box).toHaveAccessibleDescription(/a look for it in your inbox/);
    await box.check();
    await section.getByRole('button', { name: 'Connect', exact: true }).click();
    for (const step of ['imap-connect', 'imap-login', 'smtp-connect', 'smtp-login', 'send-test-email']) {
      await expect.poll(heldStep).toEqual([step]);
      await page.evaluate(() => (window as any).answer({ ok: true }));
    }
    await expect.poll(heldStep).toEqual(['test-email-arrived']);
    const names = await section.getByTestId('check-step').allInnerTexts();
    expect(names.map((name) => name.split('\n')[0])).toEqual([
      'Connect to the IMAP server',
      'Log in to IMAP',
      'Connect to the SMTP server',
      'Log in to SMTP',
      'Send a test e-mail',
      'See the test e-mail arrive',
    ]);
    await checkA11y(page, 'with the test message asked for');
    await snapFlow(page, 'connect-test-email-running-en-section');
    await page.evaluate(() => (window as any).answer({ ok: true }));
    await expect(section.getByRole('status').filter({ hasText: 'Every step passed' })).toBeVisible();
    expect(await stepStates(section)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
  });

  test("the host's check is told how the servers' certificates are trusted", async ({ page }) => {
    const pin = 'ab'.repeat(32);
    const pinned = { ...imapEntry('example.com'), certificate_trust: { mode: 'pinned', spki_sha256: [pin] } };
    await page.goto('/hosts/portal.html?mount=no');
    await expect(page.locator('body')).toHaveAttribute('data-portal-ready', 'yes', { timeout: 30_000 });
    await page.evaluate(async (stored) => {
      const w = window as any;
      localStorage.setItem('trust-told:settings', stored);
      w.told = [];
      const handle = w.portal.mount(document.getElementById('app'), {
        view: 'connect',
        storage: { type: 'local', prefix: 'trust-told' },
        testConnection: async (step: string, attempt: any) => {
          w.told.push({ step, trust: attempt.certificateTrust, insecure: attempt.allowInsecureCertificates });
          return { ok: true };
        },
      });
      await handle.ready;
    }, JSON.stringify({ version: 3, domains: [pinned] }));
    const section = flow(page);
    await enterAddress(page, 'alice@example.com');
    // The administrator's key is shown, and cannot be dropped here.
    await expect(section.getByText(`Trusted certificate key: ${pin.slice(0, 16)}…`)).toBeVisible();
    await expect(section.getByRole('button', { name: 'Stop trusting this key' })).toHaveCount(0);
    await expect(section.getByLabel('Allow insecure certificates')).not.toBeChecked();
    await connect(page);
    await expect(section.getByRole('status').filter({ hasText: 'Every step passed' })).toBeVisible();
    const told = await page.evaluate(() => (window as any).told);
    expect(told.map((call: { step: string }) => call.step)).toEqual([
      'imap-connect',
      'imap-login',
      'smtp-connect',
      'smtp-login',
    ]);
    for (const call of told) {
      expect(call.trust).toEqual({ mode: 'pinned', spkiSha256: [pin] });
      expect(call.insecure).toBe(false);
    }
  });
});

test.describe('the address', () => {
  test('invalid addresses say what is wrong and keep the person on the first step', async ({ page }) => {
    await openDemo(page, FAST);
    const section = flow(page);
    const field = section.getByLabel('Email address');
    const cases: [string, RegExp][] = [
      ['', /Enter an e-mail address/],
      ['alice', /including @/],
      ['alice@@example.com', /single @/],
      ['@example.com', /name before the @/],
      ['al ice@example.com', /Remove ' ' from the part before the @/],
      ['alice@localhost', /localhost/],
      ['alice@exa_mple.com', /_/],
    ];
    for (const [typed, message] of cases) {
      await field.fill(typed);
      await section.getByRole('button', { name: 'Continue' }).click();
      await expect(field, typed).toHaveAttribute('aria-invalid', 'true');
      await expect(field, typed).toHaveAccessibleDescription(message);
      await expect(field).toBeFocused();
      await expect(section.getByLabel('Username')).toHaveCount(0);
    }
    await checkA11y(page, 'with an invalid address');
    await snap(page, 'connect-invalid-address-en-wide');
    await field.fill('alice@example.com');
    await expect(field).not.toHaveAttribute('aria-invalid', 'true');
  });

  test('a deep link opens the flow with the address filled in', async ({ page }) => {
    await openWithStored(
      page,
      documentOf([exchangeEntry('corp.example')]),
      `${FAST}#connect?email=bob%40corp.example`,
    );
    const section = flow(page);
    await expect(section.getByText('Set up by your administrator for corp.example')).toBeVisible();
    await expect(section.getByText('bob@corp.example', { exact: true })).toBeVisible();
    await expect(section.getByLabel('Exchange URL')).toHaveValue('https://mail.corp.example/EWS/Exchange.asmx');
    await expect(section).toBeInViewport();
    // Following another link on the same page.
    await page.evaluate(() => {
      window.location.hash = '#connect?email=carol%40other.example';
    });
    await expect(section.getByText('No settings are set up for other.example yet.')).toBeVisible();
    await section.getByRole('button', { name: 'Change address' }).click();
    await expect(section.getByLabel('Email address')).toHaveValue('carol@other.example');
  });
});

test('the password never reaches storage, the address bar, the page or the console', async ({ page }) => {
  const messages: string[] = [];
  page.on('console', (message) => messages.push(message.text()));
  await openWithStored(page, documentOf([imapEntry('example.com')]), FAST);
  const section = flow(page);
  await enterAddress(page, 'alice@example.com');
  const password = section.getByLabel('Password', { exact: true });
  await password.fill(PASSWORD);
  // Show and hide.
  const toggle = section.getByRole('button', { name: 'Show password' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(password).toHaveAttribute('type', 'text');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await snap(page, 'connect-password-shown-en-wide');
  await toggle.click();
  await expect(password).toHaveAttribute('type', 'password');
  await toggle.click();

  await section.getByRole('button', { name: 'Connect', exact: true }).click();
  // The form lets go of the password as soon as the attempt starts, and hides the field again.
  await expect(password).toHaveValue('');
  await expect(password).toHaveAttribute('type', 'password');
  await expect(section.getByRole('status').filter({ hasText: 'Every step passed' })).toBeVisible();

  const everywhere = await page.evaluate(() => {
    const dump = (storage: Storage) =>
      Array.from({ length: storage.length }, (_, i) => `${storage.key(i)}=${storage.getItem(storage.key(i)!)}`);
    return [
      ...dump(localStorage),
      ...dump(sessionStorage),
      document.cookie,
      location.href,
      history.state === null ? '' : JSON.stringify(history.state),
      document.documentElement.outerHTML,
      ...Array.from(document.querySelectorAll('input')).map((input) => input.value),
    ].join('\n');
  });
  expect(everywhere).not.toContain(PASSWORD);
  expect(messages.join('\n')).not.toContain(PASSWORD);
  const databases = await page.evaluate(async () => (await indexedDB.databases()).length);
  expect(databases).toBe(0);
  expect(page.url()).not.toContain(PASSWORD);
});

test('keyboard only: address, password and connect', async ({ page }) => {
  await openWithStored(page, documentOf([imapEntry('example.com')]), FAST);
  const section = flow(page);
  await section.getByLabel('Email address').focus();
  await page.keyboard.type('alice@example.com');
  await page.keyboard.press('Enter');
  await expect(section.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Tab');
  await expect(section.getByRole('button', { name: 'Show password' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(section.getByLabel('Password', { exact: true })).toHaveAttribute('type', 'text');
  await page.keyboard.press('Tab');
  await expect(section.getByRole('button', { name: 'Use different settings' })).toBeFocused();
  await section.getByLabel('Password', { exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(section.getByRole('status').filter({ hasText: 'Every step passed' })).toBeVisible();
});

test('Polish, at 360 px and wide', async ({ page }) => {
  await openWithStored(page, documentOf([imapEntry('example.com')]), `${FAST}&lang=pl&outcome=imap-login`);
  const section = flow(page);
  await expect(section.getByRole('heading', { name: 'Połącz swoją skrzynkę' })).toBeVisible();
  await section.getByLabel('Adres e-mail').fill('anna');
  await section.getByRole('button', { name: 'Dalej' }).click();
  await expect(section.getByLabel('Adres e-mail')).toHaveAccessibleDescription(/znakiem @/);
  await section.getByLabel('Adres e-mail').fill('anna@example.com');
  await section.getByRole('button', { name: 'Dalej' }).click();
  await expect(section.getByText('Skonfigurowane przez administratora dla example.com')).toBeVisible();
  await expect(section.getByLabel('Nazwa użytkownika')).toHaveValue('anna@example.com');
  await expect(section.getByLabel('Serwer IMAP')).toHaveValue('imap.example.com');
  await expect(section.getByRole('button', { name: 'Użyj innych ustawień' })).toBeVisible();
  await section.getByRole('button', { name: 'Połącz', exact: true }).click();
  await expect(section.getByLabel('Hasło', { exact: true })).toHaveAccessibleDescription(/Wpisz hasło do skrzynki/);
  await checkA11y(page, 'in Polish with an error');
  await section.getByLabel('Hasło', { exact: true }).fill(PASSWORD);
  const box = section.getByLabel('Wyślij testowy e-mail do siebie');
  await expect(box).not.toBeChecked();
  await expect(box).toHaveAccessibleDescription(/sprawdzenie, czy dotarła do skrzynki odbiorczej/);
  await section.getByRole('button', { name: 'Połącz', exact: true }).click();
  const alert = section.getByRole('alert').filter({ hasText: 'Błąd uwierzytelniania IMAP' });
  await expect(alert).toContainText('hasła aplikacji');
  await expect(section.getByTestId('check-step').nth(1)).toContainText('Niepowodzenie');
  await checkA11y(page, 'in Polish after a failed check');
  await snap(page, 'connect-failed-pl-wide');
  // Where a step's state sits: beside its name in a wide column, under it in a narrow one, so
  // the name keeps one line ("Połączenie z serwerem IMAP" wrapped into four at 360 px).
  const firstStep = section.getByTestId('check-step').first();
  const boxes = async () => ({
    name: await firstStep.locator('.ms-step__name').boundingBox(),
    state: await firstStep.locator('.ms-step__state').boundingBox(),
  });
  const wide = await boxes();
  expect(wide.state!.y).toBeLessThan(wide.name!.y + wide.name!.height);
  await page.setViewportSize({ width: 360, height: 780 });
  await section.scrollIntoViewIfNeeded();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const narrow = await boxes();
  expect(narrow.state!.y).toBeGreaterThanOrEqual(narrow.name!.y + narrow.name!.height - 1);
  expect(narrow.state!.x).toBeCloseTo(narrow.name!.x, 0);
  await snap(page, 'connect-failed-pl-narrow');
  await snapFlow(page, 'connect-failed-pl-narrow-section');
});

test('side by side with the admin panel on wide screens, stacked on narrow ones, dark too', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openDemo(page, FAST);
  const panel = page.getByRole('heading', { name: 'Exchange & IMAP settings' });
  const heading = flow(page).getByRole('heading', { name: 'Connect your inbox' });
  const [a, b] = [(await panel.boundingBox())!, (await heading.boundingBox())!];
  expect(b.x).toBeGreaterThan(a.x + a.width);
  await page.setViewportSize({ width: 360, height: 780 });
  const [c, d] = [(await panel.boundingBox())!, (await heading.boundingBox())!];
  expect(d.y).toBeGreaterThan(c.y);
  await enterAddress(page, 'alice@unknown.example');
  await snap(page, 'connect-blank-en-narrow');
  await snapFlow(page, 'connect-blank-en-narrow-section');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1440, height: 900 });
  await checkA11y(page, 'in dark mode');
  await snap(page, 'connect-blank-en-wide-dark');
});

test('the admin says usernames are the part before the @: connecting pre-fills the local part', async ({ page }) => {
  await openWithStored(page, documentOf([imapEntry('example.com')]), FAST);
  // The admin chooses how usernames are formed in the drawer.
  await page.getByRole('button', { name: 'Edit settings for example.com' }).click();
  const drawer = page.getByRole('dialog', { name: 'IMAP settings' });
  await expect(drawer.getByLabel('Username')).toHaveValue('email_address');
  await drawer.getByLabel('Username').selectOption({ label: 'The part before the @ (alice)' });
  await checkA11y(page, 'with the username choice in the drawer');
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();
  const stored = JSON.parse((await storedText(page)) ?? '{}');
  expect(stored.version).toBe(3);
  expect(stored.domains[0].username).toBe('local_part');

  // A person connecting gets the local part as their username.
  await enterAddress(page, 'alice.smith@example.com');
  const section = flow(page);
  await expect(section.getByLabel('Username')).toHaveValue('alice.smith');
  await expect(section.getByText('Your administrator says: the part of your address before the @.')).toBeVisible();
  await expect(section.getByLabel('Password', { exact: true })).toBeFocused();

  // "Typed by each person": the field starts empty and takes the focus.
  await page.getByRole('button', { name: 'Edit settings for example.com' }).click();
  await drawer.getByLabel('Username').selectOption('typed');
  await drawer.getByRole('button', { name: 'Update' }).click();
  await expect(drawer).toBeHidden();
  await section.getByRole('button', { name: 'Change address' }).click();
  await enterAddress(page, 'alice.smith@example.com');
  await expect(section.getByLabel('Username')).toHaveValue('');
  await expect(section.getByLabel('Username')).toBeFocused();
  await expect(section.getByText('Your administrator says: the username you were given')).toBeVisible();
});

test('a version-1 document still reads: its usernames are the whole address', async ({ page }) => {
  await openWithStored(page, documentOf([imapEntry('example.com')]), FAST);
  await enterAddress(page, 'alice@example.com');
  await expect(flow(page).getByLabel('Username')).toHaveValue('alice@example.com');
  await expect(flow(page).getByText('Usually your e-mail address.')).toBeVisible();
});
