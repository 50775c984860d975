// Undo (issue #35), driven the way an admin would: on the settings server, a port changed by
// mistake is put back from the drawer's history (what changed is shown field by field, and the
// confirmation says what the restore will change), and a second browser sees the old port; a
// deleted domain comes back from "Recently deleted". On browser storage, the same list brings
// a deleted domain back after a reload. English and Polish, keyboard, axe, 360 px.
import { type Page } from '@playwright/test';
import { test, expect, checkA11y, snap } from '../support/fixtures';
import { documentOf, imapEntry as storedImapEntry, openWithStored } from '../support/book';
import { SettingsServer, imapEntry, signIn, watchedPage } from '../support/settings_server';

const row = (page: Page, domain: string) =>
  page.getByTestId('domain-row').filter({ has: page.getByRole('rowheader', { name: domain, exact: false }) });

const TEXT = {
  en: {
    edit: (d: string) => `Edit settings for ${d}`,
    remove: (d: string) => `Delete settings for ${d}`,
    confirmDelete: (d: string) => `Delete settings for ${d}?`,
    delete: 'Delete',
    drawer: 'IMAP settings',
    imapPort: 'IMAP port',
    update: 'Update',
    recentChanges: 'Recent changes',
    portChange: 'IMAP port: 993 → 143',
    portBack: 'IMAP port: 143 → 993',
    restoreRevision: (r: number) => `Restore revision ${r}`,
    restore: 'Restore',
    question: /Restore the settings as they were on/,
    restored: (d: string) => `Earlier settings for ${d} restored.`,
    recentlyDeleted: 'Recently deleted',
    deletedBy: (who: string) => `Deleted by ${who}`,
    revive: (d: string) => `Restore ${d}`,
    revived: (d: string) => `Settings for ${d} restored.`,
    nothingDeleted: 'No domain was deleted recently.',
  },
  pl: {
    edit: (d: string) => `Edytuj ustawienia dla ${d}`,
    remove: (d: string) => `Usuń ustawienia dla ${d}`,
    confirmDelete: (d: string) => `Usunąć ustawienia dla ${d}?`,
    delete: 'Usuń',
    drawer: 'Ustawienia IMAP',
    imapPort: 'Port IMAP',
    update: 'Aktualizuj',
    recentChanges: 'Ostatnie zmiany',
    portChange: 'Port IMAP: 993 → 143',
    portBack: 'Port IMAP: 143 → 993',
    restoreRevision: (r: number) => `Przywróć wersję ${r}`,
    restore: 'Przywróć',
    question: /Przywrócić ustawienia z/,
    restored: (d: string) => `Przywrócono wcześniejsze ustawienia dla ${d}.`,
    recentlyDeleted: 'Ostatnio usunięte',
    deletedBy: (who: string) => `Usunięte przez ${who}`,
    revive: (d: string) => `Przywróć ${d}`,
    revived: (d: string) => `Przywrócono ustawienia dla ${d}.`,
    nothingDeleted: 'Ostatnio nie usunięto żadnej domeny.',
  },
};

async function deleteDomain(page: Page, lang: 'en' | 'pl', domain: string) {
  const text = TEXT[lang];
  await row(page, domain).getByRole('button', { name: text.remove(domain) }).click();
  const confirm = page.getByRole('alertdialog', { name: text.confirmDelete(domain) });
  await expect(confirm).toContainText(text.recentlyDeleted);
  await confirm.getByRole('button', { name: text.delete, exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(row(page, domain)).toHaveCount(0);
}

test.describe('on the settings server', () => {
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

  for (const lang of ['en', 'pl'] as const) {
    test(`a port changed by mistake is restored from the history, and another browser sees it (${lang})`, async ({ browser }) => {
      const text = TEXT[lang];
      const alice = await watchedPage(browser);
      const bob = await watchedPage(browser);
      await signIn(alice.page, server, 'alice-admin', lang);
      await signIn(bob.page, server, 'bob-admin', lang);
      await expect(row(bob.page, 'example.com')).toContainText('993');

      // Alice changes the IMAP port (revision 2).
      await row(alice.page, 'example.com').getByRole('button', { name: text.edit('example.com') }).click();
      let drawer = alice.page.getByRole('dialog', { name: text.drawer });
      await drawer.getByLabel(text.imapPort).fill('143');
      await drawer.getByRole('button', { name: text.update }).click();
      await expect(drawer).toBeHidden();
      await expect(row(alice.page, 'example.com')).toContainText('143');

      // The history shows what revision 2 changed; revision 1 can be restored.
      await row(alice.page, 'example.com').getByRole('button', { name: text.edit('example.com') }).click();
      drawer = alice.page.getByRole('dialog', { name: text.drawer });
      await drawer.getByText(text.recentChanges).click();
      const newest = drawer.getByTestId('history-revision').first();
      await expect(newest.getByTestId('revision-changes')).toHaveText(text.portChange);
      // The version in force now is not offered: it is what the form shows.
      await expect(newest.getByRole('button', { name: /./ })).toHaveCount(0);
      const restoreButton = drawer.getByRole('button', { name: text.restoreRevision(1) });
      await restoreButton.focus();
      await alice.page.keyboard.press('Enter');

      // The confirmation says what the restore will change, and takes the focus.
      const confirm = drawer.getByTestId('restore-confirm');
      await expect(confirm).toContainText(text.question);
      await expect(confirm.getByRole('listitem')).toHaveText([text.portBack]);
      const confirmButton = confirm.getByRole('button', { name: text.restore, exact: true });
      await expect(confirmButton).toBeFocused();
      await checkA11y(alice.page, `on the restore confirmation (${lang})`);
      await snap(alice.page, `undo-restore-${lang}-wide`);
      await alice.page.setViewportSize({ width: 360, height: 800 });
      await confirmButton.scrollIntoViewIfNeeded();
      await expect(confirmButton).toBeInViewport();
      const overflow = await confirm.evaluate((element) => element.scrollWidth > element.clientWidth);
      expect(overflow).toBe(false);
      await checkA11y(alice.page, `on the restore confirmation at 360 px (${lang})`);
      await snap(alice.page, `undo-restore-${lang}-360`);
      await alice.page.setViewportSize({ width: 1280, height: 720 });

      // Cancel gives the focus back; asking again and confirming restores.
      await confirm.getByRole('button', { name: lang === 'en' ? 'Cancel' : 'Anuluj' }).click();
      await expect(confirm).toBeHidden();
      await expect(restoreButton).toBeFocused();
      await restoreButton.click();
      await drawer.getByTestId('restore-confirm').getByRole('button', { name: text.restore, exact: true }).click();
      await expect(drawer).toBeHidden();
      await expect(alice.page.getByTestId('settings-status')).toHaveText(text.restored('example.com'));
      await expect(row(alice.page, 'example.com')).toContainText('993');
      await expect(row(alice.page, 'example.com').getByRole('button', { name: text.edit('example.com') })).toBeFocused();

      // The server recorded a restore of revision 1 as a new revision.
      const history = await server.api('rita-reader', 'GET', '/api/v1/email-domains/example.com/history');
      expect(history.json.changes[0]).toMatchObject({ action: 'restored', restored_from: 1, revision: 3, actor: 'alice-admin' });

      // Bob's page, once it has the focus again, shows the old port.
      await bob.page.bringToFront();
      await bob.page.evaluate(() => window.dispatchEvent(new Event('focus')));
      await expect(row(bob.page, 'example.com')).toContainText('993');
      await expect(row(bob.page, 'example.com')).not.toContainText('143');

      expect(alice.problems).toEqual([]);
      expect(bob.problems).toEqual([]);
      await alice.context.close();
      await bob.context.close();
    });

    test(`a deleted domain comes back from "Recently deleted" (${lang})`, async ({ browser }) => {
      const text = TEXT[lang];
      const admin = await watchedPage(browser);
      await signIn(admin.page, server, 'alice-admin', lang);
      await expect(row(admin.page, 'example.com')).toBeVisible();
      await deleteDomain(admin.page, lang, 'example.com');

      const toggle = admin.page.getByRole('button', { name: text.recentlyDeleted });
      await toggle.click();
      await expect(toggle).toHaveAttribute('aria-expanded', 'true');
      const list = admin.page.getByTestId('recently-deleted');
      const item = list.getByTestId('deleted-domain');
      await expect(item).toHaveCount(1);
      await expect(item).toContainText('example.com');
      await expect(item).toContainText(text.deletedBy('alice-admin'));
      await checkA11y(admin.page, `with "Recently deleted" open (${lang})`);
      await snap(admin.page, `undo-deleted-${lang}-wide`);
      await admin.page.setViewportSize({ width: 360, height: 800 });
      await checkA11y(admin.page, `with "Recently deleted" open at 360 px (${lang})`);
      await snap(admin.page, `undo-deleted-${lang}-360`);
      await admin.page.setViewportSize({ width: 1280, height: 720 });

      await item.getByRole('button', { name: text.revive('example.com') }).click();
      await expect(admin.page.getByTestId('settings-status')).toHaveText(text.revived('example.com'));
      await expect(row(admin.page, 'example.com')).toContainText('first.imap.example.net');
      await expect(row(admin.page, 'example.com').getByRole('button', { name: text.edit('example.com') })).toBeFocused();
      await expect(list.getByTestId('recently-deleted-empty')).toHaveText(text.nothingDeleted);

      const history = await server.api('rita-reader', 'GET', '/api/v1/email-domains/example.com/history');
      expect(history.json.changes.map((c: { action: string }) => c.action)).toEqual(['restored', 'removed', 'added']);
      expect(admin.problems).toEqual([]);
      await admin.context.close();
    });
  }
});

test('on browser storage, a deleted domain comes back from "Recently deleted" after a reload', async ({ page }) => {
  await openWithStored(page, documentOf([storedImapEntry('example.com', { imapPort: 143 }), storedImapEntry('other.example')]));
  await deleteDomain(page, 'en', 'example.com');
  await page.reload();
  await page.getByTestId('mailsetup').waitFor();
  await expect(row(page, 'other.example')).toBeVisible();
  await expect(row(page, 'example.com')).toHaveCount(0);

  await page.getByRole('button', { name: 'Recently deleted' }).click();
  const item = page.getByTestId('recently-deleted').getByTestId('deleted-domain');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('example.com');
  await expect(item).toContainText(/^example\.com\s*Deleted /);
  await checkA11y(page, 'with "Recently deleted" open on browser storage');
  // A domain deleted while the list is open joins it, newest first.
  await deleteDomain(page, 'en', 'other.example');
  await expect(item).toHaveCount(2);
  await expect(item.first()).toContainText('other.example');
  await item.filter({ hasText: 'example.com' }).last().getByRole('button', { name: 'Restore example.com' }).click();
  await expect(row(page, 'example.com')).toContainText('imap.example.com');
  await expect(row(page, 'example.com')).toContainText('143');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('other.example');

  // Kept: after another reload it is still there, and only other.example is left to restore.
  await page.reload();
  await page.getByTestId('mailsetup').waitFor();
  await expect(row(page, 'example.com')).toContainText('143');
  await page.getByRole('button', { name: 'Recently deleted' }).click();
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('other.example');
});
