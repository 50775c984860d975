// A React 19 component using <mail-setup>, type-checked against pkg/react.d.ts.
import type {} from 'mailsetup/react';
import type { MailSetupChange } from 'mailsetup';

export function MailSettings(props: { email: string; onSaved: (change: MailSetupChange) => void }) {
  return (
    <mail-setup
      view="connect"
      user-role="read-only"
      email={props.email}
      storage-prefix="acme-mail"
      testConnection={async () => ({ ok: true })}
      allowlist={[{ name: 'Relays', purpose: 'smtp', ranges: ['192.0.2.0/24'] }]}
      onmailsetup-change={(event) => props.onSaved(event.detail)}
    />
  );
}

// @ts-expect-error: not a purpose.
export const wrongPurpose = <mail-setup allowlist={[{ name: 'Relays', purpose: 'pop3', ranges: [] }]} />;

// @ts-expect-error: not a role.
export const wrong = <mail-setup user-role="owner" />;
