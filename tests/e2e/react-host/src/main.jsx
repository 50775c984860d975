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
          onmailsetup-change={(event) => setChanges((now) => [...now, event.detail])}
        />
      )}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<App />);
