// <mail-setup>: the component as a custom element. Importing this module defines the element at
// once (so frameworks that set properties only on elements they know, such as React 19, see its
// properties); the WebAssembly loads when the first one connects.
//
// Attributes: `view`, `user-role`, `lang` (else the nearest ancestor's, else English) and `email`
// follow changes; `settings-url` (a published settings document, read-only), `api` (the
// settings server's address: REST mode), `storage-prefix` (browser
// storage, without `api`) and `shadow` are read when the element connects. Properties:
// `allowlist` (the IP groups, live), `testConnection` (a function), `token` and `headers` (REST
// credentials: properties, never attributes) and `options` (more mount options). Events, bubbling and
// composed: `mailsetup-ready`, `mailsetup-change` (detail as onChange), `mailsetup-error`.
// `ready` is a promise of the same moment that a script which runs later can still read: an
// event sent before anyone listened is lost, a settled promise is not.
import init, { mount } from './index.js';

const LIVE = ['view', 'user-role', 'lang', 'email'];

const Base = typeof HTMLElement === 'undefined' ? class {} : HTMLElement;

class MailSetupElement extends Base {
  static observedAttributes = LIVE;

  #handle = null;
  #container = null;
  #options = {};
  #testConnection = undefined;
  #allowlist = undefined;
  #token = undefined;
  #headers = undefined;
  #connecting = false;
  #ready = pendingReady();

  /**
   * Resolves when the element's first screen is drawn; rejects with the error (`code`,
   * `message`) that `mailsetup-error` carries when the element cannot be mounted. After the
   * element is removed from the page, it stands for the next time it is connected.
   */
  get ready() {
    return this.#ready.promise;
  }

  get token() {
    return this.#token;
  }

  set token(value) {
    this.#token = value ?? undefined;
  }

  get headers() {
    return this.#headers;
  }

  set headers(value) {
    this.#headers = value ?? undefined;
  }

  get allowlist() {
    return this.#allowlist;
  }

  set allowlist(value) {
    this.#allowlist = value;
    if (this.#handle !== null) this.#update({ allowlist: value ?? null }, 'invalid-options');
  }

  get options() {
    return this.#options;
  }

  set options(value) {
    this.#options = value ?? {};
  }

  get testConnection() {
    return this.#testConnection;
  }

  set testConnection(value) {
    this.#testConnection = value;
  }

  connectedCallback() {
    if (this.#handle !== null || this.#connecting) return;
    // A connection after a failed one is a new attempt, with a promise of its own.
    if (this.#ready.settled) this.#ready = pendingReady();
    this.#connecting = true;
    init()
      .then(() => {
        this.#connecting = false;
        if (this.isConnected && this.#handle === null) this.#mount();
      })
      .catch((error) => {
        this.#connecting = false;
        this.#fail({ code: 'load-failed', message: String(error?.message ?? error) });
      });
  }

  disconnectedCallback() {
    // After a microtask, so that moving the element within the page keeps its state.
    queueMicrotask(() => {
      if (!this.isConnected) this.#unmount();
    });
  }

  attributeChangedCallback() {
    if (this.#handle !== null) this.#update(this.#live(), 'invalid-attribute');
  }

  #update(partial, code) {
    try {
      this.#handle.update(partial);
    } catch (error) {
      this.#tell('mailsetup-error', { code, message: String(error?.message ?? error) });
    }
  }

  #live() {
    const live = {};
    const view = this.getAttribute('view');
    if (view !== null) live.view = view;
    const role = this.getAttribute('user-role');
    if (role !== null) live.role = role;
    const email = this.getAttribute('email');
    live.email = email;
    const lang = this.closest('[lang]')?.getAttribute('lang') ?? 'en';
    live.locale = lang.toLowerCase().startsWith('pl') ? 'pl' : 'en';
    return live;
  }

  #mount() {
    let target = this;
    if (this.hasAttribute('shadow')) {
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      adoptStylesheet(root);
      this.#container = document.createElement('div');
      root.append(this.#container);
      target = this.#container;
    }
    const prefix = this.getAttribute('storage-prefix');
    const options = {
      ...this.#options,
      ...this.#live(),
      onChange: (detail) => {
        this.#options.onChange?.(detail);
        this.#tell('mailsetup-change', detail);
      },
      onError: (error) => {
        this.#options.onError?.(error);
        this.#tell('mailsetup-error', error);
      },
    };
    const api = this.getAttribute('api');
    const published = this.getAttribute('settings-url');
    if (published !== null && options.storage === undefined) {
      options.storage = { type: 'url', url: new URL(published, document.baseURI).href };
    } else if (api !== null && options.storage === undefined) {
      options.storage = { type: 'rest', baseUrl: new URL(api, document.baseURI).href.replace(/\/$/, '') };
      if (this.#token !== undefined) options.storage.token = this.#token;
      if (this.#headers !== undefined) options.storage.headers = this.#headers;
    } else if (prefix !== null && options.storage === undefined) {
      options.storage = { type: 'local', prefix };
    }
    if (this.#testConnection !== undefined) options.testConnection = this.#testConnection;
    if (this.#allowlist !== undefined) options.allowlist = this.#allowlist;
    try {
      this.#handle = mount(target, options);
    } catch (error) {
      this.#container?.remove();
      this.#container = null;
      this.#fail({ code: 'invalid-options', message: String(error?.message ?? error) });
      return;
    }
    const ready = this.#ready;
    this.#handle.ready.then(() => {
      // Unmounted before its first screen: this promise now stands for the next mount.
      if (this.#ready !== ready) return;
      ready.resolve();
      this.#tell('mailsetup-ready', {});
    });
  }

  /** The element could not be mounted: `ready` rejects and `mailsetup-error` says why. */
  #fail(error) {
    this.#ready.reject(Object.assign(new Error(error.message), { code: error.code }));
    this.#tell('mailsetup-error', error);
  }

  #unmount() {
    if (this.#handle !== null) this.#ready = pendingReady();
    this.#handle?.unmount();
    this.#handle = null;
    this.#container?.remove();
    this.#container = null;
  }

  #tell(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/**
 * A promise with its settling functions. Marked as handled: a host that never reads `ready`
 * must not see an "uncaught (in promise)" error, which `mailsetup-error` already reports.
 */
function pendingReady() {
  const ready = { settled: false };
  ready.promise = new Promise((resolve, reject) => {
    ready.resolve = () => {
      ready.settled = true;
      resolve();
    };
    ready.reject = (error) => {
      ready.settled = true;
      reject(error);
    };
  });
  ready.promise.catch(() => {});
  return ready;
}

/** The component's stylesheet, fetched once and adopted by every shadow root. */
let stylesheet = null;

function adoptStylesheet(root) {
  if (stylesheet === null) {
    stylesheet = new CSSStyleSheet();
    fetch(new URL('./mailsetup.css', import.meta.url))
      .then((response) => response.text())
      .then((text) => stylesheet.replace(text));
  }
  if (!root.adoptedStyleSheets.includes(stylesheet)) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, stylesheet];
  }
}

if (typeof customElements !== 'undefined' && customElements.get('mail-setup') === undefined) {
  customElements.define('mail-setup', MailSetupElement);
}

export { MailSetupElement };
