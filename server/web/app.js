// The host page's script (an ES module): signs the person in by exchanging an access token for
// a session (`/api/v1/session`), mounts the mailsetup component in REST mode against this
// server, signs in again in a dialog when the session ends mid-session (the component and its
// open drafts stay), signs out, and switches the language, English or Polish.
//
// Owns: the page's own texts, the sign-in form and dialog, the language choice.
// Must not: keep the access token anywhere (no localStorage, sessionStorage or cookie; the field
// is emptied after a sign-in), set inline styles, or reach into the component's own elements.
import init, { mount } from '/mailsetup/index.js';

const SESSION_URL = '/api/v1/session';
const CSRF_HEADER = 'X-CSRF-Token';
/** How long to ask the person to wait after a 429 that names no time. */
const DEFAULT_RETRY_SECONDS = 60;

const TEXTS = {
  en: {
    title: 'Mail settings',
    language: 'Language',
    loading: 'Loading…',
    signInHeading: 'Sign in to mail settings',
    sessionEnded:
      'Your session has ended. Sign in again to continue; what you were editing stays on the page.',
    tokenLabel: 'Access token',
    tokenHint:
      'Paste the access token your administrator gave you. It is exchanged for a session; it is not stored in this browser.',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedInAs: (name, role) => `Signed in as ${name} (${role})`,
    roles: { admin: 'Administrator', 'read-only': 'Read-only' },
    emptyToken: 'Paste your access token into the field first.',
    wrongToken:
      'This access token is not valid. Check that you pasted all of it, or ask your administrator for a new one.',
    tooManyAttempts: (seconds) =>
      `Too many sign-in attempts. Try again in ${seconds} ${plural('en', seconds, {
        one: 'second',
        other: 'seconds',
      })}.`,
    unreachable: 'The server cannot be reached. Check your connection and try again.',
    serverFailed: (status) =>
      `The server could not sign you in (error ${status}). Try again in a moment.`,
    signOutFailed:
      'You are still signed in: the server could not be reached to sign you out. Try again.',
    loadFailed: 'The mail settings could not be loaded. Reload the page to try again.',
  },
  pl: {
    title: 'Ustawienia poczty',
    language: 'Język',
    loading: 'Wczytywanie…',
    signInHeading: 'Zaloguj się do ustawień poczty',
    sessionEnded:
      'Twoja sesja wygasła. Zaloguj się ponownie, aby kontynuować; to, co edytujesz, zostaje na stronie.',
    tokenLabel: 'Token dostępu',
    tokenHint:
      'Wklej token dostępu otrzymany od administratora. Zostanie wymieniony na sesję; nie jest zapisywany w tej przeglądarce.',
    signIn: 'Zaloguj się',
    signOut: 'Wyloguj się',
    signedInAs: (name, role) => `Zalogowano jako ${name} (${role})`,
    roles: { admin: 'Administrator', 'read-only': 'Tylko odczyt' },
    emptyToken: 'Najpierw wklej token dostępu w to pole.',
    wrongToken:
      'Ten token dostępu jest nieprawidłowy. Sprawdź, czy został wklejony w całości, albo poproś administratora o nowy.',
    tooManyAttempts: (seconds) =>
      `Zbyt wiele prób logowania. Spróbuj ponownie za ${seconds} ${plural('pl', seconds, {
        one: 'sekundę',
        few: 'sekundy',
        many: 'sekund',
        other: 'sekundy',
      })}.`,
    unreachable: 'Nie można połączyć się z serwerem. Sprawdź połączenie i spróbuj ponownie.',
    serverFailed: (status) =>
      `Serwer nie mógł przeprowadzić logowania (błąd ${status}). Spróbuj ponownie za chwilę.`,
    signOutFailed:
      'Nadal jesteś zalogowany: nie udało się połączyć z serwerem, aby cię wylogować. Spróbuj ponownie.',
    loadFailed: 'Nie udało się wczytać ustawień poczty. Odśwież stronę, aby spróbować ponownie.',
  },
};

function plural(locale, count, forms) {
  const category = new Intl.PluralRules(locale).select(count);
  return forms[category] ?? forms.other;
}

/** `?lang=pl|en`, else the browser's language if it is Polish, else English. */
function initialLocale() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'pl' || asked === 'en') return asked;
  const browser = (navigator.language ?? '').toLowerCase();
  return browser.startsWith('pl') ? 'pl' : 'en';
}

function byTestId(id) {
  return document.querySelector(`[data-testid="${id}"]`);
}

const elements = {
  title: document.getElementById('page-title'),
  who: byTestId('signed-in-as'),
  signOut: byTestId('sign-out'),
  language: byTestId('language'),
  status: document.getElementById('page-status'),
  pageError: document.getElementById('page-error'),
  signInSection: document.getElementById('signin-section'),
  form: byTestId('signin-form'),
  sessionEnded: document.getElementById('signin-session-ended'),
  token: byTestId('signin-token'),
  submit: byTestId('signin-submit'),
  signInError: byTestId('signin-error'),
  dialog: byTestId('signin-dialog'),
  app: byTestId('app'),
};

const page = {
  locale: initialLocale(),
  /** `{ name, role, csrfToken }` while signed in. */
  session: null,
  /** The component's handle while it is mounted. */
  handle: null,
  signingIn: false,
  /** What each message region says, as a function of the texts, so a language switch
   * rewords it. */
  signInError: null,
  pageError: null,
  status: (t) => t.loading,
};

function texts() {
  return TEXTS[page.locale];
}

// ---- Language ----

function applyLocale(locale) {
  page.locale = locale;
  const t = texts();
  document.documentElement.lang = locale;
  document.title = t.title;
  elements.language.value = locale;
  for (const element of document.querySelectorAll('[data-text]')) {
    const text = t[element.dataset.text];
    if (typeof text === 'string') element.textContent = text;
  }
  renderWho();
  renderMessages();
  page.handle?.update({ locale });
}

function chooseLocale(locale) {
  applyLocale(locale);
  // Keep the choice in the address, so a reload keeps it; nothing is stored.
  const url = new URL(location.href);
  url.searchParams.set('lang', locale);
  history.replaceState(history.state, '', url);
}

// ---- Messages ----

function renderMessages() {
  const t = texts();
  setText(elements.signInError, page.signInError?.(t) ?? '');
  elements.token.setAttribute('aria-invalid', page.signInError ? 'true' : 'false');
  setText(elements.pageError, page.pageError?.(t) ?? '');
  elements.status.hidden = page.status === null;
  setText(elements.status, page.status?.(t) ?? '');
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function showSignInError(message) {
  // Emptied first, so the same sentence twice is announced twice.
  page.signInError = null;
  renderMessages();
  page.signInError = message;
  renderMessages();
}

function showPageError(message) {
  page.pageError = message;
  renderMessages();
}

function showStatus(message) {
  page.status = message;
  renderMessages();
}

function renderWho() {
  const session = page.session;
  elements.who.hidden = session === null;
  elements.signOut.hidden = session === null;
  if (session === null) return;
  const t = texts();
  elements.who.textContent = t.signedInAs(session.name, t.roles[session.role] ?? session.role);
}

// ---- The session API ----

/** The signed-in session, `null` when there is none (401); throws when the server cannot be
 * reached or answers something else. */
async function currentSession() {
  const response = await fetch(SESSION_URL, {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
  });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`GET ${SESSION_URL} answered ${response.status}`);
  return sessionFrom(await response.json());
}

function sessionFrom(body) {
  return {
    name: String(body.name ?? ''),
    role: body.role === 'admin' ? 'admin' : 'read-only',
    csrfToken: String(body.csrf_token ?? ''),
  };
}

/** `{ session }` or `{ error }` (a function of the texts). */
async function openSession(token) {
  let response;
  try {
    response = await fetch(SESSION_URL, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ token }),
    });
  } catch {
    return { error: (t) => t.unreachable };
  }
  if (response.ok) {
    try {
      return { session: sessionFrom(await response.json()) };
    } catch {
      return { error: (t) => t.serverFailed(response.status) };
    }
  }
  if (response.status === 401) return { error: (t) => t.wrongToken };
  if (response.status === 429) {
    const seconds = await retryAfterSeconds(response);
    return { error: (t) => t.tooManyAttempts(seconds) };
  }
  return { error: (t) => t.serverFailed(response.status) };
}

/** `Retry-After` in seconds, else the problem body's `retry_after`, else a minute. */
async function retryAfterSeconds(response) {
  const header = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
  if (Number.isFinite(header) && header > 0) return header;
  try {
    const body = await response.json();
    const fromBody = Number(body.retry_after);
    if (Number.isFinite(fromBody) && fromBody > 0) return Math.ceil(fromBody);
  } catch {
    // No body to read: the default below.
  }
  return DEFAULT_RETRY_SECONDS;
}

/** Ends the session; `true` once the server has answered. A stale CSRF token (another tab
 * signed in again) is refreshed once. */
async function endSession() {
  const send = (csrfToken) =>
    fetch(SESSION_URL, {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: { [CSRF_HEADER]: csrfToken },
    });
  try {
    let response = await send(page.session?.csrfToken ?? '');
    if (response.status === 403) {
      const fresh = await currentSession();
      if (fresh !== null) response = await send(fresh.csrfToken);
    }
    return response.status < 500;
  } catch {
    return false;
  }
}

// ---- Signing in and out ----

async function submitSignIn(event) {
  event.preventDefault();
  if (page.signingIn) return;
  const token = elements.token.value.trim();
  if (token === '') {
    showSignInError((t) => t.emptyToken);
    elements.token.focus();
    return;
  }
  setSigningIn(true);
  const outcome = await openSession(token);
  setSigningIn(false);
  if (outcome.error) {
    // The typed token stays in the field, to be corrected.
    showSignInError(outcome.error);
    elements.token.focus();
    return;
  }
  elements.token.value = '';
  page.signInError = null;
  renderMessages();
  if (page.handle !== null) {
    resumeSession(outcome.session);
  } else {
    // Focus leaves the form, which disappears, for the page's heading.
    await signedIn(outcome.session, { focusHeading: true });
  }
}

function setSigningIn(busy) {
  page.signingIn = busy;
  elements.submit.disabled = busy;
  elements.form.setAttribute('aria-busy', busy ? 'true' : 'false');
}

async function signedIn(session, { focusHeading = false } = {}) {
  page.session = session;
  page.pageError = null;
  elements.signInSection.hidden = true;
  renderWho();
  if (focusHeading) elements.title.focus();
  await mountComponent();
}

function showSignInForm() {
  page.session = null;
  renderWho();
  elements.sessionEnded.hidden = true;
  elements.signInSection.hidden = false;
  showStatus(null);
  elements.token.focus();
}

async function signOut() {
  elements.signOut.disabled = true;
  const ended = await endSession();
  elements.signOut.disabled = false;
  if (!ended) {
    showPageError((t) => t.signOutFailed);
    return;
  }
  showPageError(null);
  page.handle?.unmount();
  page.handle = null;
  showSignInForm();
}

// ---- The component ----

function restStorage(csrfToken) {
  return {
    type: 'rest',
    baseUrl: location.origin,
    credentials: 'same-origin',
    csrf: { header: CSRF_HEADER, token: csrfToken },
  };
}

function roleOptions(role) {
  return role === 'admin' ? { view: 'all', role: 'admin' } : { view: 'connect', role: 'read-only' };
}

async function mountComponent() {
  showStatus((t) => t.loading);
  try {
    await init();
    // Signed out while the module loaded: nothing to mount.
    if (page.session === null || page.handle !== null) return;
    page.handle = mount(elements.app, {
      ...roleOptions(page.session.role),
      locale: page.locale,
      storage: restStorage(page.session.csrfToken),
      onError: componentError,
    });
    await page.handle.ready;
    showStatus(null);
  } catch (error) {
    console.warn('mailsetup: the component could not be started:', error);
    showStatus(null);
    showPageError((t) => t.loadFailed);
  }
}

function componentError(error) {
  if (error?.code === 'unauthenticated') {
    askToSignInAgain();
    return;
  }
  console.warn(`mailsetup: ${error?.code ?? 'error'}: ${error?.message ?? ''}`);
}

/** The session ended while the component is mounted: the sign-in form opens as a modal dialog
 * over the page; the component, and any draft in it, stays. */
function askToSignInAgain() {
  if (elements.dialog.open) return;
  page.signInError = null;
  renderMessages();
  elements.sessionEnded.hidden = false;
  elements.dialog.append(elements.form);
  elements.dialog.showModal();
  elements.token.focus();
}

/** Signed in again (from the dialog, or after it was closed with the request in flight): the
 * component keeps its state and gets the new credentials (and the new role, if another person
 * signed in). */
function resumeSession(session) {
  const previousRole = page.session?.role;
  page.session = session;
  renderWho();
  const update = { storage: restStorage(session.csrfToken) };
  if (session.role !== previousRole) Object.assign(update, roleOptions(session.role));
  page.handle?.update(update);
  elements.dialog.close();
}

function formBackInPlace() {
  elements.sessionEnded.hidden = true;
  elements.form.setAttribute('aria-busy', 'false');
  elements.signInSection.append(elements.form);
}

// ---- Start ----

async function start() {
  applyLocale(page.locale);
  elements.language.addEventListener('change', () => chooseLocale(elements.language.value));
  elements.form.addEventListener('submit', submitSignIn);
  elements.signOut.addEventListener('click', signOut);
  // Closed by a sign-in or by Escape: the form goes back to its place on the page; the next
  // request that finds the session ended opens the dialog again.
  elements.dialog.addEventListener('close', formBackInPlace);
  // Load the WebAssembly while the person signs in; a failure is reported when mounting.
  init().catch(() => {});

  let session = null;
  try {
    session = await currentSession();
  } catch {
    showSignInForm();
    showSignInError((t) => t.unreachable);
    return;
  }
  if (session === null) {
    showSignInForm();
  } else {
    await signedIn(session);
  }
}

start();
