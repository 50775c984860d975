// A host page's script, type-checked against the package's declarations (pkg/*.d.ts) by
// `cargo xtask test`: what a TypeScript portal writes must compile, and mistakes must not.
import init, { mount, type MailSetupChange, type MailSetupHandle } from 'mailsetup';
import type {} from 'mailsetup/element';

export async function start(element: HTMLElement): Promise<MailSetupHandle> {
  await init();
  const handle = mount(element, {
    view: 'connect',
    role: 'read-only',
    locale: 'pl',
    storage: { type: 'local', prefix: 'acme-mail' },
    email: 'ada@example.com',
    onChange: (change: MailSetupChange) => console.info(change.action, change.domain, change.previousDomain),
    onError: (error) => console.warn(error.code, error.message),
    testConnection: async (step, attempt, signal) => {
      signal.throwIfAborted();
      if (attempt.type === 'imap' && step === 'smtp-login') {
        return { ok: false, reason: `${attempt.outgoing.host} refused ${attempt.username}` };
      }
      return { ok: true };
    },
  });
  await handle.ready;
  handle.update({ locale: 'en' });
  handle.update({ allowlist: [{ name: 'Office relays', purpose: 'smtp', ranges: ['192.0.2.0/24'] }] });
  handle.update({ allowlist: null });
  // @ts-expect-error: ranges are text.
  handle.update({ allowlist: [{ name: 'Relays', purpose: 'imap', ranges: [3232235520] }] });
  // @ts-expect-error: storage is read once, at mount.
  handle.update({ storage: { type: 'memory' } });
  // @ts-expect-error: not a view.
  mount(element, { view: 'everything' });
  return handle;
}

// The element is in HTMLElementTagNameMap, with its properties and events.
const element = document.createElement('mail-setup');
element.testConnection = async () => ({ ok: true });
element.options = { storage: { type: 'memory' } };
element.allowlist = [{ name: 'Mailbox sync', purpose: 'imap', ranges: ['2001:db8::/48'] }];
element.addEventListener('mailsetup-change', (event) => {
  const change = (event as CustomEvent<MailSetupChange>).detail;
  console.info(change.settings);
});
const found: HTMLElementTagNameMap['mail-setup'] | null = document.querySelector('mail-setup');
console.info(found?.options);
// A script that runs late still learns that the element is ready.
export async function whenReady(): Promise<void> {
  await customElements.whenDefined('mail-setup');
  const late = document.querySelector('mail-setup');
  const ready: Promise<void> | undefined = late?.ready;
  await ready;
  // @ts-expect-error: ready is read-only.
  element.ready = Promise.resolve();
}
