// The "Exchange & IMAP settings" panel, driven the way a person would: by role and label.
import type { Page } from '@playwright/test';
import { test, expect, openDemo, checkA11y, snap } from '../support/fixtures';
import { documentOf, exchangeEntry, imapEntry, openWithStored, storedText } from '../support/book';

const dialog = (page: Page, name: string) => page.getByRole('dialog', { name });

async function addImap(page: Page, domain: string, imapHost = `imap.${domain}`, smtpHost = `smtp.${domain}`) {
  await page.getByRole('button', { name: 'Add IMAP settings' }).click();
  const drawer = dialog(page, 'IMAP settings');
  await drawer.getByLabel('Domain name').fill(domain);
  await drawer.getByLabel('IMAP server').fill(imapHost);
  await drawer.getByLabel('SMTP server').fill(smtpHost);
  await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();
  await expect(drawer).toBeHidden();
}

async function addExchange(page: Page, domain: string, url = `https://mail.${domain}/EWS/Exchange.asmx`) {
  await page.getByRole('button', { name: 'Add Exchange settings' }).click();
  const drawer = dialog(page, 'Exchange settings');
  await drawer.getByLabel('Domain name').fill(domain);
  await drawer.getByLabel('Exchange URL').fill(url);
  await drawer.getByRole('button', { name: 'Add Exchange settings' }).click();
  await expect(drawer).toBeHidden();
}

const row = (page: Page, domain: string) =>
  page.getByTestId('domain-row').filter({ has: page.getByRole('rowheader', { name: domain, exact: false }) });

test.describe('adding settings', () => {
  test('adds IMAP settings with the default ports and shows them in the table', async ({ page }) => {
    await openDemo(page);
    await expect(page.getByRole('button', { name: 'Exchange & IMAP settings' })).toHaveAttribute('aria-expanded', 'true');
    await checkA11y(page, 'with the empty panel');
    await snap(page, 'panel-empty-en-wide');

    await page.getByRole('button', { name: 'Add IMAP settings' }).click();
    const drawer = dialog(page, 'IMAP settings');
    await expect(drawer).toBeVisible();
    await expect(drawer.getByLabel('Domain name')).toBeFocused();
    await expect(drawer.getByLabel('IMAP port')).toHaveValue('993');
    await expect(drawer.getByLabel('SMTP port')).toHaveValue('465');
    await expect(drawer.getByLabel('IMAP security')).toHaveValue('ssl_tls');
    await drawer.getByRole('group', { name: 'Incoming mail (IMAP)' }).waitFor();
    await drawer.getByRole('group', { name: 'Outgoing mail (SMTP)' }).waitFor();
    await checkA11y(page, 'with the IMAP dialog open');
    await snap(page, 'imap-dialog-en-wide');

    await drawer.getByLabel('Domain name').fill('Example.COM');
    await drawer.getByLabel('IMAP server').fill('imap.example.com');
    await drawer.getByLabel('SMTP server').fill('smtp.example.com');
    await drawer.getByLabel('SMTP port').fill('587');
    // Security follows the port until the person chooses.
    await expect(drawer.getByLabel('SMTP security')).toHaveValue('starttls');
    await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();

    await expect(drawer).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'Settings for example.com saved.' })).toBeVisible();
    const added = row(page, 'example.com');
    await expect(added).toContainText('IMAP');
    await expect(added).toContainText('imap.example.com:993 SSL/TLS · smtp.example.com:587 STARTTLS');
    await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toBeFocused();
    // A short domain stays on one line beside the servers ("example." over "com" before).
    const domainName = added.getByRole('rowheader').getByText('example.com');
    const fontSize = await domainName.evaluate((element) => parseFloat(getComputedStyle(element).fontSize));
    expect((await domainName.boundingBox())!.height).toBeLessThan(fontSize * 2);
    await snap(page, 'panel-one-domain-en-wide');
  });

  test('adds Exchange settings and warns about an unusual EWS path without blocking', async ({ page }) => {
    await openDemo(page);
    await page.getByRole('button', { name: 'Add Exchange settings' }).click();
    const drawer = dialog(page, 'Exchange settings');
    await expect(drawer.getByLabel('Exchange URL')).toHaveAttribute('placeholder', 'https://mail.example.com/EWS/Exchange.asmx');
    await checkA11y(page, 'with the Exchange dialog open');
    await drawer.getByLabel('Domain name').fill('corp.example');
    await drawer.getByLabel('Exchange URL').fill('https://mail.corp.example/ews/other.asmx');
    await drawer.getByLabel('Exchange URL').blur();
    await expect(drawer.locator('.ms-field__warning')).toContainText('/EWS/Exchange.asmx');
    await expect(drawer.getByLabel('Exchange URL')).not.toHaveAttribute('aria-invalid', 'true');
    await snap(page, 'exchange-dialog-warning-en-wide');
    await drawer.getByRole('button', { name: 'Add Exchange settings' }).click();
    await expect(drawer).toBeHidden();
    await expect(row(page, 'corp.example')).toContainText('https://mail.corp.example/ews/other.asmx');
  });

  test('shows the Unicode form of an internationalised domain with its punycode', async ({ page }) => {
    await openDemo(page);
    await addImap(page, 'Bücher.example', 'imap.example.com', 'smtp.example.com');
    const added = row(page, 'bücher.example');
    await expect(added).toContainText('xn--bcher-kva.example');
  });

  test('saves international names in their xn-- form (mapped by the browser) and shows them in Unicode', async ({ page }) => {
    await openDemo(page);
    await addImap(page, 'Zażółć.PL', 'imap.zażółć.pl', 'smtp.example.com');
    await addExchange(page, 'bücher.example', 'https://mail.Bücher.example/EWS/Exchange.asmx');
    const polish = row(page, 'zażółć.pl');
    await expect(polish).toContainText('xn--za-6ja4f8n1l.pl');
    await expect(polish).toContainText('imap.zażółć.pl:993');
    await expect(row(page, 'bücher.example')).toContainText('https://mail.xn--bcher-kva.example/EWS/Exchange.asmx');
    const stored = JSON.parse((await storedText(page)) ?? '{}');
    const domains = stored.domains.map((entry: { domain: string }) => entry.domain).sort();
    expect(domains).toEqual(['xn--bcher-kva.example', 'xn--za-6ja4f8n1l.pl']);
    expect(JSON.stringify(stored)).toContain('"host":"imap.xn--za-6ja4f8n1l.pl"');
    expect(JSON.stringify(stored)).not.toMatch(/zażółć|bücher/);

    // Punycode that is no valid name is refused, though the browser itself reads it as it is.
    await page.getByRole('button', { name: 'Add IMAP settings' }).click();
    const drawer = dialog(page, 'IMAP settings');
    const domain = drawer.getByLabel('Domain name');
    await domain.fill('xn--zz.example');
    await domain.blur();
    await expect(domain).toHaveAttribute('aria-invalid', 'true');
    await expect(domain).toHaveAccessibleDescription(/international name is not valid/);
  });

  test('insecure certificates: a warning while ticked and a badge in the table', async ({ page }) => {
    await openDemo(page);
    await page.getByRole('button', { name: 'Add IMAP settings' }).click();
    const drawer = dialog(page, 'IMAP settings');
    await drawer.getByLabel('Domain name').fill('selfsigned.example');
    await drawer.getByLabel('IMAP server').fill('mail.selfsigned.example');
    await drawer.getByLabel('SMTP server').fill('mail.selfsigned.example');
    await expect(drawer.getByText('could read or change the mail')).toHaveCount(0);
    await drawer.getByLabel('Allow insecure certificates').check();
    await expect(drawer.getByText('could read or change the mail')).toBeVisible();
    await drawer.getByText('Where do I find these settings?').click();
    await expect(drawer.getByText('port 993 with SSL/TLS')).toBeVisible();
    await snap(page, 'imap-dialog-insecure-en-wide');
    await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();
    await expect(row(page, 'selfsigned.example')).toContainText('Insecure certificates allowed');
  });

  test('a pinned entry keeps its key through an edit until the key is dropped', async ({ page }) => {
    const pin = 'ab'.repeat(32);
    const pinned = { ...imapEntry('pinned.example'), certificate_trust: { mode: 'pinned', spki_sha256: [pin] } };
    await openWithStored(page, JSON.stringify({ version: 3, domains: [pinned] }));
    await expect(row(page, 'pinned.example')).not.toContainText('Insecure certificates allowed');
    await page.getByRole('button', { name: 'Edit settings for pinned.example' }).click();
    const drawer = dialog(page, 'IMAP settings');
    await expect(drawer.getByLabel('Allow insecure certificates')).not.toBeChecked();
    const line = drawer.getByText(`Trusted certificate key: ${pin.slice(0, 16)}…`);
    await expect(line).toBeVisible();
    await checkA11y(page, 'with a pinned key in the drawer');
    await drawer.getByLabel('SMTP server').fill('smtp2.pinned.example');
    await drawer.getByRole('button', { name: 'Update' }).click();
    await expect(drawer).toBeHidden();
    let stored = JSON.parse((await storedText(page))!);
    expect(stored.domains[0].outgoing.host).toBe('smtp2.pinned.example');
    expect(stored.domains[0].certificate_trust).toEqual({ mode: 'pinned', spki_sha256: [pin] });

    await page.getByRole('button', { name: 'Edit settings for pinned.example' }).click();
    await drawer.getByRole('button', { name: 'Stop trusting this key' }).click();
    await expect(drawer.getByText('Trusted certificate key:')).toHaveCount(0);
    await drawer.getByRole('button', { name: 'Update' }).click();
    await expect(drawer).toBeHidden();
    stored = JSON.parse((await storedText(page))!);
    expect(stored.domains[0].certificate_trust).toEqual({ mode: 'verified' });

    // Ticking the box replaces the keys with any certificate.
    const again = { ...pinned, domain: 'again.example' };
    await openWithStored(page, JSON.stringify({ version: 3, domains: [again] }));
    await page.getByRole('button', { name: 'Edit settings for again.example' }).click();
    await drawer.getByLabel('Allow insecure certificates').check();
    await expect(drawer.getByText('Trusted certificate key:')).toHaveCount(0);
    await drawer.getByRole('button', { name: 'Update' }).click();
    await expect(drawer).toBeHidden();
    stored = JSON.parse((await storedText(page))!);
    expect(stored.domains[0].certificate_trust).toEqual({ mode: 'any' });
    await expect(row(page, 'again.example')).toContainText('Insecure certificates allowed');
  });
});

test.describe('validation', () => {
  test('every field shows its error on blur and on submit, and focus goes to the first', async ({ page }) => {
    await openDemo(page);
    await page.getByRole('button', { name: 'Add IMAP settings' }).click();
    const drawer = dialog(page, 'IMAP settings');
    const domain = drawer.getByLabel('Domain name');

    // On blur.
    await domain.fill('alice@example.com');
    await domain.blur();
    await expect(domain).toHaveAttribute('aria-invalid', 'true');
    await expect(domain).toHaveAccessibleDescription(/example\.com/);

    // On submit: every invalid field, focus on the first.
    await domain.fill('my_domain.com');
    await drawer.getByLabel('IMAP server').fill('https://imap.example.com');
    await drawer.getByLabel('IMAP port').fill('0');
    await drawer.getByLabel('SMTP server').fill('');
    await drawer.getByLabel('SMTP port').fill('99999');
    await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();
    await expect(drawer).toBeVisible();
    await expect(domain).toBeFocused();
    for (const label of ['Domain name', 'IMAP server', 'IMAP port', 'SMTP server', 'SMTP port']) {
      await expect(drawer.getByLabel(label), label).toHaveAttribute('aria-invalid', 'true');
      const description = await drawer.getByLabel(label).getAttribute('aria-describedby');
      expect(description, label).toContain('-error');
    }
    await checkA11y(page, 'with errors in the IMAP dialog');
    await snap(page, 'imap-dialog-errors-en-wide');

    // Fixing the first moves focus to the next on the following submit.
    await domain.fill('example.com');
    await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();
    await expect(drawer.getByLabel('IMAP server')).toBeFocused();
    await expect(domain).not.toHaveAttribute('aria-invalid', 'true');
    expect(await storedText(page)).toBeNull();
  });

  test('the domain field names each mistake', async ({ page }) => {
    await openDemo(page);
    await page.getByRole('button', { name: 'Add Exchange settings' }).click();
    const drawer = dialog(page, 'Exchange settings');
    const domain = drawer.getByLabel('Domain name');
    const cases: [string, RegExp][] = [
      ['', /domain/i],
      ['localhost', /localhost/],
      ['192.168.1.1', /IP address/i],
      ['a..example.com', /./],
      ['-bad.example.com', /hyphen/i],
      ['exa mple.com', /space/i],
    ];
    for (const [typed, expected] of cases) {
      await domain.fill(typed);
      await domain.blur();
      await expect(domain, typed).toHaveAttribute('aria-invalid', 'true');
      await expect(domain, typed).toHaveAccessibleDescription(expected);
    }
  });

  test('the Exchange URL refuses http, javascript and Outlook Web App addresses', async ({ page }) => {
    await openDemo(page);
    await page.getByRole('button', { name: 'Add Exchange settings' }).click();
    const drawer = dialog(page, 'Exchange settings');
    const url = drawer.getByLabel('Exchange URL');
    for (const typed of ['http://mail.example.com/EWS/Exchange.asmx', 'javascript:alert(1)', 'https://mail.example.com/owa', '/EWS/Exchange.asmx']) {
      await url.fill(typed);
      await url.blur();
      await expect(url, typed).toHaveAttribute('aria-invalid', 'true');
    }
  });

  test('warnings show distinctly and do not block saving', async ({ page }) => {
    await openDemo(page);
    await page.getByRole('button', { name: 'Add IMAP settings' }).click();
    const drawer = dialog(page, 'IMAP settings');
    await drawer.getByLabel('Domain name').fill('lan.example');
    await drawer.getByLabel('IMAP server').fill('192.168.10.5');
    await drawer.getByLabel('IMAP security').selectOption('starttls');
    await drawer.getByLabel('SMTP server').fill('smtp.lan.example');
    await drawer.getByLabel('SMTP port').fill('25');
    await drawer.getByLabel('SMTP server').blur();
    await expect(drawer.locator('.ms-field__warning')).toHaveCount(3);
    await expect(drawer.getByLabel('IMAP server')).not.toHaveAttribute('aria-invalid', 'true');
    await snap(page, 'imap-dialog-warnings-en-wide');
    await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();
    await expect(drawer).toBeHidden();
    await expect(row(page, 'lan.example')).toBeVisible();
  });
});

test.describe('editing and deleting', () => {
  test('edits with the pencil button: the form is pre-filled and submit reads Update', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('example.com')]));
    await page.getByRole('button', { name: 'Edit settings for example.com' }).click();
    const drawer = dialog(page, 'IMAP settings');
    await expect(drawer.getByLabel('Domain name')).toHaveValue('example.com');
    await expect(drawer.getByLabel('IMAP server')).toHaveValue('imap.example.com');
    await drawer.getByLabel('IMAP port').fill('143');
    await drawer.getByLabel('IMAP security').selectOption('starttls');
    await drawer.getByRole('button', { name: 'Update' }).click();
    await expect(drawer).toBeHidden();
    await expect(row(page, 'example.com')).toContainText('imap.example.com:143 STARTTLS');
    await expect(page.getByRole('button', { name: 'Edit settings for example.com' })).toBeFocused();
    expect(JSON.parse((await storedText(page))!).domains[0].revision).toBe(2);
  });

  test('renames a domain, and refuses to rename onto another configured domain', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('old.example'), exchangeEntry('taken.example')]));
    await page.getByRole('button', { name: 'Edit settings for old.example' }).click();
    const drawer = dialog(page, 'IMAP settings');
    await drawer.getByLabel('Domain name').fill('taken.example');
    await drawer.getByRole('button', { name: 'Update' }).click();
    await expect(drawer).toBeVisible();
    await expect(drawer.getByLabel('Domain name')).toHaveAttribute('aria-invalid', 'true');
    await expect(drawer.getByLabel('Domain name')).toHaveAccessibleDescription(/taken\.example already has Exchange settings/);
    await drawer.getByLabel('Domain name').fill('new.example');
    await drawer.getByRole('button', { name: 'Update' }).click();
    await expect(drawer).toBeHidden();
    await expect(row(page, 'new.example')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Edit settings for old.example' })).toHaveCount(0);
  });

  test('deletes only after confirmation', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('example.com'), exchangeEntry('corp.example')]));
    const deleteButton = page.getByRole('button', { name: 'Delete settings for example.com' });
    await deleteButton.click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete settings for example.com?' });
    await expect(confirm).toBeVisible();
    await checkA11y(page, 'with the delete confirmation open');
    await snap(page, 'delete-confirm-en-wide');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm).toBeHidden();
    await expect(deleteButton).toBeFocused();
    await deleteButton.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Settings for example.com deleted.' })).toBeVisible();
    await expect(row(page, 'example.com')).toHaveCount(0);
    await expect(row(page, 'corp.example')).toBeVisible();
    expect(JSON.parse((await storedText(page))!).domains).toHaveLength(1);
  });
});

test.describe('one kind per domain', () => {
  test('Exchange where IMAP exists: told at the domain field, with a button to the IMAP settings', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('yahoo.example')]));
    await page.getByRole('button', { name: 'Add Exchange settings' }).click();
    const drawer = dialog(page, 'Exchange settings');
    await drawer.getByLabel('Domain name').fill('yahoo.example');
    await drawer.getByLabel('Domain name').blur();
    await expect(drawer.getByLabel('Domain name')).toHaveAccessibleDescription(
      /yahoo\.example already has IMAP settings\. A domain can have IMAP or Exchange settings, not both\./,
    );
    await snap(page, 'exclusivity-en-wide');
    await drawer.getByRole('button', { name: 'Open the IMAP settings' }).click();
    const imap = dialog(page, 'IMAP settings');
    await expect(imap.getByLabel('Domain name')).toHaveValue('yahoo.example');
    await expect(imap.getByRole('button', { name: 'Update' })).toBeVisible();
  });

  test('IMAP where Exchange exists, and the same kind twice', async ({ page }) => {
    await openWithStored(page, documentOf([exchangeEntry('corp.example'), imapEntry('mail.example')]));
    await page.getByRole('button', { name: 'Add IMAP settings' }).click();
    const drawer = dialog(page, 'IMAP settings');
    await drawer.getByLabel('Domain name').fill('CORP.example');
    await drawer.getByRole('button', { name: 'Add IMAP settings' }).click();
    await expect(drawer.getByLabel('Domain name')).toBeFocused();
    await expect(drawer.getByLabel('Domain name')).toHaveAccessibleDescription(/corp\.example already has Exchange settings/);
    await expect(drawer.getByRole('button', { name: 'Open the Exchange settings' })).toBeVisible();

    await drawer.getByLabel('Domain name').fill('mail.example');
    await drawer.getByLabel('Domain name').blur();
    await expect(drawer.getByLabel('Domain name')).toHaveAccessibleDescription(/mail\.example already has IMAP settings\. Edit them instead\./);
    await drawer.getByRole('button', { name: 'Edit the settings for mail.example' }).click();
    await expect(dialog(page, 'IMAP settings').getByLabel('IMAP server')).toHaveValue('imap.mail.example');
  });
});

test.describe('keyboard', () => {
  test('Tab stays in the dialog, Escape closes it, focus returns to the opener', async ({ page }) => {
    await openDemo(page);
    const opener = page.getByRole('button', { name: 'Add IMAP settings' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const drawer = dialog(page, 'IMAP settings');
    await expect(drawer.getByLabel('Domain name')).toBeFocused();
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      expect(await drawer.evaluate((d) => d.contains(document.activeElement)), `Tab ${i}`).toBe(true);
    }
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await drawer.evaluate((d) => d.contains(document.activeElement)), `Shift+Tab ${i}`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
    await expect(opener).toBeFocused();

    // The whole add flow by keyboard.
    await page.keyboard.press('Enter');
    await page.keyboard.type('keys.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type('imap.keys.example');
    await drawer.getByLabel('SMTP server').focus();
    await page.keyboard.type('smtp.keys.example');
    await page.keyboard.press('Enter');
    await expect(drawer).toBeHidden();
    await expect(row(page, 'keys.example')).toBeVisible();
  });

  test('the section collapses and remembers it', async ({ page }) => {
    await openDemo(page);
    const toggle = page.getByRole('button', { name: 'Exchange & IMAP settings' });
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toBeHidden();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Exchange & IMAP settings' })).toHaveAttribute('aria-expanded', 'false');
    await page.getByRole('button', { name: 'Exchange & IMAP settings' }).press('Enter');
    await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toBeVisible();
  });
});

test.describe('roles and languages', () => {
  test('a read-only person sees the settings but no way to change them', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('example.com'), exchangeEntry('corp.example')]), './?role=read-only');
    await expect(page.getByText('Only super admins and users with Account Access can change these settings.')).toBeVisible();
    await expect(row(page, 'example.com')).toBeVisible();
    await expect(page.getByRole('button', { name: /Add .* settings/ })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^(Edit|Delete) settings for/ })).toHaveCount(0);
    await checkA11y(page, 'for a read-only person');
    await snap(page, 'panel-read-only-en-wide');
  });

  test('the demo switches role and language without losing settings', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('example.com')]));
    await page.getByLabel('Role').selectOption('read-only');
    await expect(page.getByRole('button', { name: 'Add IMAP settings' })).toHaveCount(0);
    await page.getByLabel('Language').selectOption('pl');
    await expect(page.getByRole('button', { name: 'Ustawienia Exchange i IMAP' })).toBeVisible();
    await expect(page).toHaveURL(/lang=pl&role=read-only/);
  });

  test('Polish: every label in the article vocabulary, lang on the component only', async ({ page }) => {
    await openWithStored(page, documentOf([imapEntry('example.com')]), './?lang=pl');
    const root = page.getByTestId('mailsetup');
    await expect(root).toHaveAttribute('lang', 'pl');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await checkA11y(page, 'in Polish');
    await snap(page, 'panel-pl-wide');
    await page.getByRole('button', { name: 'Dodaj ustawienia IMAP' }).click();
    const drawer = dialog(page, 'Ustawienia IMAP');
    await expect(drawer.getByRole('group', { name: 'Poczta przychodząca (IMAP)' })).toBeVisible();
    await expect(drawer.getByLabel('Zezwalaj na certyfikaty niezabezpieczone')).toBeVisible();
    await drawer.getByRole('button', { name: 'Dodaj ustawienia IMAP' }).click();
    await expect(drawer.getByLabel('Nazwa domeny')).toHaveAttribute('aria-invalid', 'true');
    await expect(drawer.getByLabel('Nazwa domeny')).toHaveAccessibleDescription(/domen/i);
    await checkA11y(page, 'in Polish with errors');
    await snap(page, 'imap-dialog-errors-pl-wide');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Edytuj ustawienia dla example.com' }).click();
    await expect(dialog(page, 'Ustawienia IMAP').getByRole('button', { name: 'Aktualizuj' })).toBeVisible();
  });

  test('narrow screens: the table becomes cards and the drawer fills the width', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 780 });
    await openWithStored(page, documentOf([imapEntry('example.com', { insecure: true }), exchangeEntry('corp.example')]));
    await snap(page, 'panel-en-narrow');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Edit settings for example.com' }).click();
    await snap(page, 'imap-dialog-en-narrow');
    await page.keyboard.press('Escape');
    await page.goto('./?lang=pl');
    await snap(page, 'panel-pl-narrow');
  });

  test('domains and servers break only between words at any width: cards where a table has too little room', async ({ page }) => {
    await openWithStored(page, documentOf([
      imapEntry('d0000.example'),
      imapEntry('sales.eu-west.mycompany-international.example'),
      exchangeEntry('corp.example'),
    ]));
    const serversHeading = page.getByRole('columnheader', { name: 'Servers' });
    for (const width of [360, 640, 800, 1024, 1280, 1600]) {
      await page.setViewportSize({ width, height: 800 });
      expect(await wordsBrokenMidWord(page), `at ${width} px`).toEqual([]);
    }
    // Beside the connect flow on a laptop the panel has about 42rem: cards.
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect(serversHeading).toBeHidden();
    await snap(page, 'panel-beside-flow-en-wide');
    // On its own (one column), a table with its headings.
    await page.setViewportSize({ width: 1024, height: 800 });
    await expect(serversHeading).toBeVisible();
    await snap(page, 'panel-table-en-1024');
    await page.goto('./?lang=pl');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await wordsBrokenMidWord(page), 'in Polish').toEqual([]);
    await snap(page, 'panel-beside-flow-pl-wide');
  });
});

/**
 * The words of the table's domains, servers and dates that the browser split over two lines
 * although each takes at most half its row's width (a column of a table never gets the whole
 * row, a card's line does): a word ends at a space or after a hyphen, where a line may break.
 * (Squeezed into a narrow column, "imap.example.exampl" goes over "e:993".)
 */
async function wordsBrokenMidWord(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const row of document.querySelectorAll<HTMLElement>('[data-testid="domain-row"]')) {
      const style = getComputedStyle(row);
      const room = row.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (const word of (text.textContent ?? '').matchAll(/[^\s-]+-?/g)) {
          const range = document.createRange();
          range.setStart(text, word.index!);
          range.setEnd(text, word.index! + word[0].length);
          const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
          const lines = new Set(rects.map((rect) => Math.round(rect.top)));
          const width = rects.reduce((sum, rect) => sum + rect.width, 0);
          if (lines.size > 1 && width <= room / 2) broken.push(word[0]);
        }
      }
    }
    return broken;
  });
}

test('dark colour scheme: the panel and the drawer follow it and stay accessible', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openWithStored(page, documentOf([imapEntry('example.com', { insecure: true }), exchangeEntry('corp.example')]));
  const background = await page.getByTestId('settings-section').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(background).toBe('rgb(27, 33, 41)');
  await page.getByRole('button', { name: 'Exchange & IMAP settings' }).click();
  await checkA11y(page, 'in dark mode with the section closed');
  await page.getByRole('button', { name: 'Exchange & IMAP settings' }).click();
  await page.getByRole('button', { name: 'Edit settings for example.com' }).click();
  await checkA11y(page, 'in dark mode with the IMAP dialog open');
  await snap(page, 'imap-dialog-dark-wide');
});
