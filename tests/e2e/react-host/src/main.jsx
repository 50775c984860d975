// A React 19 portal page with <mail-setup>, installed from the packed package as the README
// says: the element module defines the element, the stylesheet is the package's.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'mailsetup/element';
import 'mailsetup/mailsetup.css';

/** The portal's own connection check: its SMTP relay refuses the login. */
async function testConnection(step) {
  return step === 'smtp-login' ? { ok: false, reason: 'refused by the portal relay' } : { ok: true };
}

/** The portal's own egress addresses, shown instead of the provider's. */
const allowlist = [
  { name: 'Acme relays', purpose: 'smtp', ranges: ['192.0.2.0/25', '192.0.2.128/25'] },
  { name: 'Acme sync', purpose: 'imap', ranges: ['198.51.100.7'] },
];

function App() {
  const [shown, setShown] = useState(true);
  const [generation, setGeneration] = useState(1);
  const [changes, setChanges] = useState([]);
  return (
    <main>
      <h1>Acme portal</h1>
      <button type="button" onClick={() => setShown((now) => !now)}>
        {shown ? 'Hide mail settings' : 'Show mail settings'}
      </button>
      <button type="button" onClick={() => setGeneration((now) => now + 1)}>
        Reload mail settings
      </button>
      <p data-testid="portal-changes">{changes.map((change) => `${change.action} ${change.domain}`).join(', ')}</p>
      {shown && (
        <mail-setup
          key={generation}
          view="all"
          user-role="admin"
          storage-prefix="react-portal"
          testConnection={testConnection}
          allowlist={allowlist}
          onmailsetup-change={(event) => setChanges((now) => [...now, event.detail])}
        />
      )}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<App />);
