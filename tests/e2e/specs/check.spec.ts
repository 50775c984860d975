// The Connect flow on the settings server's own connection check, against a real Dovecot and
// Exim (support/mail_servers.ts, on 127.0.0.1 with a test CA the server is told to trust): a
// person connects with the right password (every step passes, the test message lands in the
// mailbox) and with a wrong one (the sign-in step fails with the mail server's own words), on
// the administrator's stored settings in English and on settings they type themselves (sent as
// a draft) in Polish; axe in every state, screenshots wide and at 360 px.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Locator, type Page } from '@playwright/test';
import { test, expect, checkA11y, snap } from '../support/fixtures';
import { MailServers } from '../support/mail_servers';
import { SettingsServer, checkArgs, signIn, watchedPage } from '../support/settings_server';

let mail: MailServers;
let server: SettingsServer;

test.beforeEach(async () => {
  mail = await MailServers.launch();
  server = await SettingsServer.launch({ args: checkArgs(mail) });
});

test.afterEach(async () => {
  await server?.dispose();
  await mail?.dispose();
});

const TEXT = {
  en: {
    email: 'Email address',
    continue: 'Continue',
    password: 'Password',
    sendTest: 'Send a test e-mail to myself',
    connect: 'Connect',
    passed: 'Passed',
    failed: 'Failed',
    allPassed: /Every step passed/,
    loginFailed: 'The server refused the username or password.',
    serverSaid: 'The server said:',
  },
  pl: {
    email: 'Adres e-mail',
    continue: 'Dalej',
    password: 'Hasło',
    sendTest: 'Wyślij testowy e-mail do siebie',
    connect: 'Połącz',
    passed: 'Zakończono powodzeniem',
    failed: 'Niepowodzenie',
    allPassed: /Wszystkie kroki/,
    loginFailed: 'Serwer odrzucił nazwę użytkownika lub hasło.',
    serverSaid: 'Odpowiedź serwera:',
  },
};

/** The elements inside `container` whose content sticks out of them (text that does not wrap). */
async function overflowingIn(container: Locator): Promise<string[]> {
  return container.evaluate((root) =>
    [...root.querySelectorAll('*')]
      .filter((element) => element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX === 'visible')
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}: ${element.textContent?.slice(0, 60)}`),
  );
}

/** Every message file in the mailbox (new/ and cur/). */
function delivered(): string[] {
  return ['new', 'cur'].flatMap((sub) => {
    const dir = path.join(mail.maildir, sub);
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  });
}

/** Types the address and continues to the settings step. */
async function enterAddress(flow: Locator, lang: 'en' | 'pl'): Promise<void> {
  await flow.getByLabel(TEXT[lang].email).fill(mail.user);
  await flow.getByRole('button', { name: TEXT[lang].continue }).click();
}

/** Connects with `password`, the test message asked for; waits until the check ended. */
async function connect(flow: Locator, lang: 'en' | 'pl', password: string): Promise<void> {
  const t = TEXT[lang];
  await flow.getByLabel(t.password, { exact: true }).fill(password);
  const box = flow.getByLabel(t.sendTest);
  if (!(await box.isChecked())) await box.check();
  await flow.getByRole('button', { name: t.connect, exact: true }).click();
  // The password field is emptied once the attempt holds it, and the check ends in a verdict.
  await expect(flow.getByLabel(t.password, { exact: true })).toHaveValue('');
  await expect(flow.getByTestId('check-step').last()).not.toHaveAttribute('data-state', /waiting|running/, {
    timeout: 45_000,
  });
}

async function expectAllPassed(page: Page, flow: Locator, lang: 'en' | 'pl'): Promise<void> {
  const steps = flow.getByTestId('check-step');
  await expect(steps).toHaveCount(6);
  for (let i = 0; i < 6; i++) {
    await expect(steps.nth(i)).toHaveAttribute('data-state', 'passed');
    await expect(steps.nth(i)).toContainText(TEXT[lang].passed);
  }
  await expect(flow.getByRole('status').filter({ hasText: TEXT[lang].allPassed })).toBeVisible();
  await expect(flow.getByTestId('check-failure')).toHaveCount(0);
  await expect(flow.getByTestId('demo-notice')).toHaveCount(0);
  // The test message went through Exim into the mailbox Dovecot serves.
  expect(delivered().length).toBeGreaterThanOrEqual(1);
  await checkA11y(page, `after a check that passed (${lang})`);
}

async function expectLoginFailed(page: Page, flow: Locator, lang: 'en' | 'pl'): Promise<void> {
  const t = TEXT[lang];
  const steps = flow.getByTestId('check-step');
  await expect(steps.nth(0)).toHaveAttribute('data-state', 'passed');
  await expect(steps.nth(1)).toHaveAttribute('data-state', 'failed');
  await expect(steps.nth(1)).toContainText(t.failed);
  for (let i = 2; i < 6; i++) await expect(steps.nth(i)).toHaveAttribute('data-state', 'not-run');
  const failure = flow.getByRole('alert').getByTestId('check-failure');
  await expect(failure).toContainText(t.loginFailed);
  // Dovecot's own words, as the server passed them on.
  await expect(failure.locator('.ms-connect__server-said')).toContainText(t.serverSaid);
  await expect(failure.locator('.ms-connect__server-said')).toContainText(/: NO \[AUTHENTICATIONFAILED\] Authentication failed/);
  await checkA11y(page, `after a wrong password (${lang})`);
}

test('on the administrator settings, in English: the right password passes every step, a wrong one fails at sign-in in the server words', async ({
  browser,
}) => {
  const saved = await server.api('alice-admin', 'PUT', '/api/v1/email-domains/mail.test', mail.entry(), {
    'If-None-Match': '*',
  });
  expect(saved.status, JSON.stringify(saved.json)).toBe(201);
  const { context, page, problems } = await watchedPage(browser);
  await signIn(page, server, 'rita-reader');
  const flow = page.getByTestId('connect');
  await enterAddress(flow, 'en');
  await expect(flow.getByText('Set up by your administrator for mail.test')).toBeVisible();
  await expect(flow.getByLabel('IMAP server')).toHaveValue(mail.host);
  await expect(flow.getByTestId('no-check')).toHaveCount(0);

  await connect(flow, 'en', mail.password);
  await expectAllPassed(page, flow, 'en');
  await snap(page, 'check-connect-passed-en-wide');

  await connect(flow, 'en', 'not the password');
  await expectLoginFailed(page, flow, 'en');
  await snap(page, 'check-connect-failed-en-wide');
  await page.setViewportSize({ width: 360, height: 780 });
  await flow.getByTestId('check-failure').scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await checkA11y(page, 'after a wrong password at 360 px');
  await snap(page, 'check-connect-failed-en-360');
  expect(problems).toEqual([]);
  await context.close();
});

test('on settings a person types, in Polish: checked as a draft, the right password passes, a wrong one fails at sign-in', async ({
  browser,
}) => {
  const { context, page, problems } = await watchedPage(browser);
  await signIn(page, server, 'rita-reader', 'pl');
  const flow = page.getByTestId('connect');
  await enterAddress(flow, 'pl');
  // Nobody set mail.test up: the person types the servers.
  await flow.getByLabel('Serwer IMAP').fill(mail.host);
  await flow.getByLabel('Port IMAP').fill(String(mail.imapPort));
  await flow.getByLabel('Zabezpieczenia IMAP').selectOption(mail.imapSecurity);
  await flow.getByLabel('Serwer SMTP').fill(mail.host);
  await flow.getByLabel('Port SMTP').fill(String(mail.smtpPort));
  await flow.getByLabel('Zabezpieczenia SMTP').selectOption(mail.smtpSecurity);

  await connect(flow, 'pl', 'nie to hasło');
  await expectLoginFailed(page, flow, 'pl');
  await snap(page, 'check-connect-failed-pl-wide');
  await page.setViewportSize({ width: 360, height: 780 });
  await flow.getByTestId('check-failure').scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await snap(page, 'check-connect-failed-pl-360');
  await page.setViewportSize({ width: 1280, height: 900 });

  await connect(flow, 'pl', mail.password);
  await expectAllPassed(page, flow, 'pl');
  await snap(page, 'check-connect-passed-pl-wide');
  // Nothing was saved: the draft was only checked.
  const listed = await server.api('alice-admin', 'GET', '/api/v1/email-domains');
  expect(JSON.stringify(listed.json)).not.toContain('mail.test');
  expect(problems).toEqual([]);
  await context.close();
});

test('a page with neither a host check nor a settings server says that no check runs', async ({ page }) => {
  await page.goto('/hosts/portal.html');
  const flow = page.getByTestId('connect');
  await flow.getByLabel('Email address').fill('ada@nobody.example');
  await flow.getByRole('button', { name: 'Continue' }).click();
  await expect(flow.getByLabel('IMAP server')).toBeVisible();
  await expect(flow.getByTestId('no-check')).toContainText('This page cannot check the connection');
  await expect(flow.getByRole('button', { name: 'Connect', exact: true })).toHaveCount(0);
  await expect(page.getByTestId('demo-notice')).toHaveCount(0);
  await checkA11y(page, 'without a connection check');
});

const DRAWER = {
  en: {
    add: 'Add IMAP settings',
    drawer: 'IMAP settings',
    domain: 'Domain name',
    imapServer: 'IMAP server',
    imapPort: 'IMAP port',
    imapSecurity: 'IMAP security',
    smtpServer: 'SMTP server',
    smtpPort: 'SMTP port',
    smtpSecurity: 'SMTP security',
    check: 'Check servers',
    tlsExpected: 'The server expects encryption from the start on this port.',
    useSuggestion: (port: number) => `Use SSL/TLS on port ${port}`,
    applied: /changed to SSL\/TLS on port \d+\. Check again/,
    allAnswered: 'Every server answered as set.',
    oneFailed: '1 server did not answer as set.',
    trusted: 'Trusted',
  },
  pl: {
    add: 'Dodaj ustawienia IMAP',
    drawer: 'Ustawienia IMAP',
    domain: 'Nazwa domeny',
    imapServer: 'Serwer IMAP',
    imapPort: 'Port IMAP',
    imapSecurity: 'Zabezpieczenia IMAP',
    smtpServer: 'Serwer SMTP',
    smtpPort: 'Port SMTP',
    smtpSecurity: 'Zabezpieczenia SMTP',
    check: 'Sprawdź serwery',
    tlsExpected: 'Serwer na tym porcie oczekuje szyfrowania od początku.',
    useSuggestion: (port: number) => `Użyj SSL/TLS na porcie ${port}`,
    applied: /zmieniono na SSL\/TLS na porcie \d+\. Sprawdź ponownie/,
    allAnswered: 'Każdy serwer odpowiedział zgodnie z ustawieniami.',
    oneFailed: '1 serwer nie odpowiedział zgodnie z ustawieniami.',
    trusted: 'Zaufany',
  },
};

for (const lang of ['en', 'pl'] as const) {
  test(`the drawer checks servers before saving: STARTTLS on the TLS port, the suggestion applied, checked again, saved (${lang})`, async ({
    browser,
  }) => {
    const t = DRAWER[lang];
    const { context, page, problems } = await watchedPage(browser);
    await signIn(page, server, 'alice-admin', lang);
    await page.getByRole('button', { name: t.add }).first().click();
    const drawer = page.getByRole('dialog', { name: t.drawer });
    await expect(drawer).toBeVisible();
    await drawer.getByLabel(t.domain).fill('mail.test');
    await drawer.getByLabel(t.imapServer).fill(mail.host);
    await drawer.getByLabel(t.imapPort).fill(String(mail.imapPort));
    // The mistake: STARTTLS where the server speaks TLS from the first byte.
    await drawer.getByLabel(t.imapSecurity).selectOption('starttls');
    await drawer.getByLabel(t.smtpServer).fill(mail.host);
    await drawer.getByLabel(t.smtpPort).fill(String(mail.smtpPort));
    await drawer.getByLabel(t.smtpSecurity).selectOption(mail.smtpSecurity);

    const check = drawer.getByRole('button', { name: t.check });
    await check.click();
    const results = drawer.getByRole('status').filter({ has: page.getByTestId('check-summary') });
    await expect(results.getByTestId('check-summary')).toHaveText(t.oneFailed, { timeout: 30_000 });
    const servers = drawer.getByTestId('checked-server');
    await expect(servers).toHaveCount(2);
    await expect(servers.nth(0)).toHaveAttribute('data-state', 'failed');
    await expect(servers.nth(0)).toContainText(t.tlsExpected);
    await expect(servers.nth(1)).toHaveAttribute('data-state', 'passed');
    const suggestion = servers.nth(0).getByRole('button', { name: t.useSuggestion(mail.imapPort) });
    await expect(suggestion).toBeVisible();
    await checkA11y(page, `the drawer with a failed check (${lang})`);
    // The drawer scrolls inside the viewport: a tall one shows all of it in the screenshot.
    await page.setViewportSize({ width: 1280, height: 2200 });
    await snap(page, `check-drawer-failed-${lang}-wide`);
    await page.setViewportSize({ width: 360, height: 780 });
    await suggestion.scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(await overflowingIn(drawer)).toEqual([]);
    await checkA11y(page, `the drawer with a failed check at 360 px (${lang})`);
    await page.setViewportSize({ width: 360, height: 2600 });
    await snap(page, `check-drawer-failed-${lang}-360`);
    await page.setViewportSize({ width: 1280, height: 900 });

    // One press fills the form; the focus goes back to the check, which is said to be due again.
    await suggestion.click();
    await expect(drawer.getByLabel(t.imapSecurity)).toHaveValue('ssl_tls');
    await expect(drawer.getByLabel(t.imapPort)).toHaveValue(String(mail.imapPort));
    await expect(results.getByTestId('check-summary')).toHaveText(t.applied);
    await expect(check).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(results.getByTestId('check-summary')).toHaveText(t.allAnswered, { timeout: 30_000 });
    await expect(servers).toHaveCount(2);
    for (const i of [0, 1]) {
      await expect(servers.nth(i)).toHaveAttribute('data-state', 'passed');
      await expect(servers.nth(i)).toContainText('TLSv1.3');
      await expect(servers.nth(i)).toContainText('mailsetup test CA');
      await expect(servers.nth(i)).toContainText(t.trusted);
      await expect(servers.nth(i)).toContainText('127.0.0.1');
      await expect(servers.nth(i)).toContainText(/([0-9A-F]{2}:){31}[0-9A-F]{2}/);
      await expect(servers.nth(i)).toContainText('PLAIN');
    }
    await checkA11y(page, `the drawer with a passed check (${lang})`);
    await page.setViewportSize({ width: 1280, height: 2200 });
    await snap(page, `check-drawer-passed-${lang}-wide`);
    await page.setViewportSize({ width: 360, height: 3000 });
    await snap(page, `check-drawer-passed-${lang}-360`);
    await page.setViewportSize({ width: 1280, height: 900 });

    await drawer.getByRole('button', { name: t.add }).click();
    await expect(drawer).toBeHidden();
    const saved = await server.api('alice-admin', 'GET', '/api/v1/email-domains/mail.test');
    expect(saved.json.incoming).toEqual({ host: mail.host, port: mail.imapPort, security: 'ssl_tls' });
    expect(problems).toEqual([]);
    await context.close();
  });
}

test('a certificate the server does not trust: the drawer shows its key, trusts exactly that key, and the next check passes without "allow insecure"', async ({
  browser,
}) => {
  // This settings server does not know the test CA: the mail servers' certificate is untrusted.
  await server.dispose();
  server = await SettingsServer.launch({ args: checkArgs(mail, { trustTestCa: false }) });
  const t = DRAWER.en;
  const { context, page, problems } = await watchedPage(browser);
  await signIn(page, server, 'alice-admin');
  await page.getByRole('button', { name: t.add }).first().click();
  const drawer = page.getByRole('dialog', { name: t.drawer });
  await drawer.getByLabel(t.domain).fill('mail.test');
  await drawer.getByLabel(t.imapServer).fill(mail.host);
  await drawer.getByLabel(t.imapPort).fill(String(mail.imapPort));
  await drawer.getByLabel(t.imapSecurity).selectOption(mail.imapSecurity);
  await drawer.getByLabel(t.smtpServer).fill(mail.host);
  await drawer.getByLabel(t.smtpPort).fill(String(mail.smtpPort));
  await drawer.getByLabel(t.smtpSecurity).selectOption(mail.smtpSecurity);

  const check = drawer.getByRole('button', { name: t.check });
  await check.click();
  const summary = drawer.getByTestId('check-summary');
  await expect(summary).toHaveText('2 servers did not answer as set.', { timeout: 30_000 });
  const servers = drawer.getByTestId('checked-server');
  const imap = servers.nth(0);
  await expect(imap).toHaveAttribute('data-state', 'failed');
  await expect(imap).toContainText('The server\'s certificate is not signed by an authority this server trusts.');
  await expect(imap).toContainText('Not trusted');
  await expect(imap).toContainText(/([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  // The key to be trusted is named before anything is trusted.
  await expect(imap).toContainText(/Trusts exactly this server's key \(SHA-256 of its public key: ([0-9A-F]{2}:){31}[0-9A-F]{2}\)/);
  await checkA11y(page, 'the drawer with an untrusted certificate');
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 780 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    // The long fingerprints wrap inside their boxes.
    expect(await overflowingIn(drawer), `at ${width} px`).toEqual([]);
  }
  await page.setViewportSize({ width: 360, height: 2600 });
  await snap(page, 'check-drawer-untrusted-en-360');
  await page.setViewportSize({ width: 1280, height: 2200 });
  await snap(page, 'check-drawer-untrusted-en-wide');
  await page.setViewportSize({ width: 1280, height: 900 });

  await imap.getByRole('button', { name: 'Trust this certificate' }).click();
  await expect(summary).toHaveText(/Incoming mail \(IMAP\): the key [0-9a-f]{16}… is trusted\. Check again/);
  await expect(check).toBeFocused();
  await expect(drawer.getByText(/Trusted certificate key: [0-9a-f]{16}/)).toBeVisible();
  await expect(drawer.getByLabel('Allow insecure certificates')).not.toBeChecked();
  // Both servers present the same key: it is not offered twice.
  await expect(drawer.getByRole('button', { name: 'Trust this certificate' })).toHaveCount(0);

  await check.click();
  await expect(summary).toHaveText(t.allAnswered, { timeout: 30_000 });
  for (const i of [0, 1]) await expect(servers.nth(i)).toHaveAttribute('data-state', 'passed');
  await checkA11y(page, 'the drawer after trusting the key');
  await page.setViewportSize({ width: 1280, height: 2200 });
  await snap(page, 'check-drawer-pinned-en-wide');
  await page.setViewportSize({ width: 1280, height: 900 });

  await drawer.getByRole('button', { name: t.add }).click();
  await expect(drawer).toBeHidden();
  const saved = await server.api('alice-admin', 'GET', '/api/v1/email-domains/mail.test');
  expect(saved.json.certificate_trust.mode).toBe('pinned');
  expect(saved.json.certificate_trust.spki_sha256).toHaveLength(1);
  expect(saved.json.certificate_trust.spki_sha256[0]).toMatch(/^[0-9a-f]{64}$/);
  expect(saved.json.allow_insecure_certificates).toBe(false);
  expect(problems).toEqual([]);
  await context.close();
});
