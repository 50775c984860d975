// The vanilla-JavaScript baseline of `cargo xtask bench`: what the browser itself costs to show,
// filter, edit and save the same stored book as the component, windowed the same way (pages of
// 50 rows), with the same markup, labels and CSS. Hand-written DOM code, no framework.
//
// Reads the document format core/src/document.rs defines, from the same localStorage key.
// Must not: become a second implementation of the product; it only checks what the timing
// needs (a host and a port), and the benchmark never feeds it anything else.

const SETTINGS_KEY = 'mailsetup:settings';
const PAGE_SIZE = 50;
const READY_MARK = 'mailsetup:ready';
const SECURITY = { ssl_tls: 'SSL/TLS', starttls: 'STARTTLS' };

const root = document.getElementById('mailsetup');
const stored = localStorage.getItem(SETTINGS_KEY);
const documentValue = stored === null ? { version: 1, domains: [] } : JSON.parse(stored);
const entries = documentValue.domains;

function endpointSummary(endpoint) {
  return `${endpoint.host}:${endpoint.port} ${SECURITY[endpoint.security] ?? endpoint.security}`;
}

function serverSummary(entry) {
  return entry.type === 'imap'
    ? `${endpointSummary(entry.incoming)} · ${endpointSummary(entry.outgoing)}`
    : entry.url;
}

function rowOf(entry) {
  const servers = serverSummary(entry);
  return { entry, servers, haystack: `${entry.domain} ${entry.domain} ${servers}`.toLowerCase() };
}

let rows = entries.map(rowOf);
let query = '';
let page = 0;
let matches = rows;

// What a careful hand-written page does: one date formatter, and each row's element built once
// and reused while the row is unchanged (as the component's keyed <For> does).
const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const rowElements = new WeakMap();

function cachedRowElement(row) {
  let node = rowElements.get(row);
  if (node === undefined) {
    node = rowElement(row);
    rowElements.set(row, node);
  }
  return node;
}

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function icon(path) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'ms-icon');
  const shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  shape.setAttribute('d', path);
  svg.append(shape);
  return svg;
}

function rowElement(row) {
  const { entry } = row;
  const exchange = entry.type === 'exchange';
  const badges = element('span', { class: 'ms-badges' });
  if (entry.allow_insecure_certificates) {
    badges.append(element('span', { class: 'ms-badge ms-badge--warning' }, ['Insecure certificates allowed']));
  }
  if (entry.include_subdomains) badges.append(element('span', { class: 'ms-badge' }, ['Also for subdomains']));
  const edit = element('button', {
    type: 'button', class: 'ms-icon-button', 'aria-label': `Edit settings for ${entry.domain}`,
    title: `Edit settings for ${entry.domain}`,
  }, [icon('M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z')]);
  edit.addEventListener('click', () => openDialog(row));
  const remove = element('button', {
    type: 'button', class: 'ms-icon-button ms-icon-button--danger',
    'aria-label': `Delete settings for ${entry.domain}`, title: `Delete settings for ${entry.domain}`,
  }, [icon('M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5')]);
  return element('tr', { 'data-testid': 'domain-row' }, [
    element('th', { scope: 'row', class: 'ms-table__domain' }, [
      element('span', { class: 'ms-table__domain-name' }, [entry.domain]),
    ]),
    element('td', { 'data-label': 'Type' }, [
      element('span', { class: exchange ? 'ms-kind ms-kind--exchange' : 'ms-kind' }, [exchange ? 'Exchange' : 'IMAP']),
    ]),
    element('td', { 'data-label': 'Servers', class: 'ms-table__servers' }, [
      element('span', { class: 'ms-mono' }, [row.servers]), badges,
    ]),
    element('td', { 'data-label': 'Last updated', class: 'ms-table__updated' }, [
      dateFormat.format(new Date(entry.updated_at_unix_ms)),
    ]),
    element('td', { class: 'ms-table__actions' }, [edit, remove]),
  ]);
}

// The fixed parts of the panel.
const heading = element('h2', { class: 'ms-section__title' }, ['Exchange & IMAP settings']);
const status = element('p', { class: 'ms-live', role: 'status', 'aria-live': 'polite' });
const filterInput = element('input', {
  id: 'filter', class: 'ms-input', type: 'search', autocomplete: 'off', spellcheck: 'false',
  placeholder: 'Type part of a domain or server',
});
const filter = element('div', { class: 'ms-filter' }, [
  element('label', { class: 'ms-field__label', for: 'filter' }, ['Filter domains']), filterInput,
]);
const empty = element('p', { class: 'ms-empty', role: 'status' });
const tbody = element('tbody');
const headRow = element('tr', {}, ['Domain', 'Type', 'Servers', 'Last updated'].map(
  (name) => element('th', { scope: 'col' }, [name]),
));
headRow.append(element('th', { scope: 'col', class: 'ms-table__actions' }, [
  element('span', { class: 'ms-visually-hidden' }, ['Actions']),
]));
const table = element('table', { class: 'ms-table' }, [element('thead', {}, [headRow]), tbody]);
const summary = element('p', { class: 'ms-pager__summary' });
const previous = element('button', { type: 'button', class: 'ms-button ms-button--small' }, ['Previous page']);
const pageOf = element('span', { class: 'ms-pager__page' });
const next = element('button', { type: 'button', class: 'ms-button ms-button--small' }, ['Next page']);
const pager = element('nav', { class: 'ms-pager', 'aria-label': 'Pages of domains' }, [summary, previous, pageOf, next]);

function render() {
  const pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
  page = Math.min(page, pages - 1);
  const first = page * PAGE_SIZE;
  tbody.replaceChildren(...matches.slice(first, first + PAGE_SIZE).map(cachedRowElement));
  table.hidden = matches.length === 0;
  empty.hidden = matches.length !== 0;
  empty.textContent = matches.length === 0 ? `No domain or server matches “${query}”.` : '';
  pager.hidden = matches.length <= PAGE_SIZE;
  summary.textContent = `Showing ${first + 1}–${Math.min(first + PAGE_SIZE, matches.length)} of ${matches.length} domains`;
  pageOf.textContent = `Page ${page + 1} of ${pages}`;
  previous.disabled = page === 0;
  next.disabled = page + 1 >= pages;
}

function applyFilter() {
  const wanted = query.trim().toLowerCase();
  matches = wanted === '' ? rows : rows.filter((row) => row.haystack.includes(wanted));
}

filterInput.addEventListener('input', () => {
  query = filterInput.value;
  page = 0;
  applyFilter();
  render();
});
previous.addEventListener('click', () => { page -= 1; render(); });
next.addEventListener('click', () => { page += 1; render(); });

// The edit dialog: the fields of an IMAP entry, saved back into the stored document.
function field(id, label, value) {
  const input = element('input', { id, class: 'ms-input', type: 'text', value: String(value) });
  return [element('div', { class: 'ms-field' }, [element('label', { class: 'ms-field__label', for: id }, [label]), input]), input];
}

function openDialog(row) {
  const { entry } = row;
  const title = element('h2', { class: 'ms-drawer__title', id: 'dialog-title' }, ['IMAP settings']);
  const [domainField, domainInput] = field('domain', 'Domain name', entry.domain);
  domainInput.readOnly = true;
  const [imapField, imapInput] = field('imap-host', 'IMAP server', entry.incoming.host);
  const [imapPortField, imapPortInput] = field('imap-port', 'IMAP port', entry.incoming.port);
  const [smtpField, smtpInput] = field('smtp-host', 'SMTP server', entry.outgoing.host);
  const [smtpPortField, smtpPortInput] = field('smtp-port', 'SMTP port', entry.outgoing.port);
  const problem = element('p', { class: 'ms-notice ms-notice--error', role: 'alert', hidden: '' });
  const cancel = element('button', { type: 'button', class: 'ms-button' }, ['Cancel']);
  const form = element('form', { class: 'ms-drawer__form', novalidate: '' }, [
    element('header', { class: 'ms-drawer__header' }, [title]),
    element('div', { class: 'ms-drawer__body' }, [domainField, imapField, imapPortField, smtpField, smtpPortField]),
    element('footer', { class: 'ms-drawer__footer' }, [problem, element('div', { class: 'ms-drawer__actions' }, [
      element('button', { type: 'submit', class: 'ms-button ms-button--primary' }, ['Update']), cancel,
    ])]),
  ]);
  const dialog = element('dialog', { class: 'ms-drawer', 'aria-labelledby': 'dialog-title' }, [form]);
  const close = () => { dialog.close(); dialog.remove(); };
  cancel.addEventListener('click', close);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const ports = [imapPortInput.value, smtpPortInput.value].map(Number);
    const hosts = [imapInput.value.trim(), smtpInput.value.trim()];
    if (ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535) || hosts.some((host) => host === '')) {
      problem.textContent = 'Enter a server name and a port from 1 to 65535.';
      problem.hidden = false;
      return;
    }
    entry.incoming = { ...entry.incoming, host: hosts[0], port: ports[0] };
    entry.outgoing = { ...entry.outgoing, host: hosts[1], port: ports[1] };
    entry.updated_at_unix_ms = Date.now();
    entry.revision += 1;
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(documentValue));
    Object.assign(row, rowOf(entry));
    rowElements.delete(row);
    close();
    status.textContent = `Settings for ${entry.domain} saved.`;
    applyFilter();
    render();
  });
  root.append(dialog);
  dialog.showModal();
  imapInput.focus();
}

root.append(element('section', { class: 'ms-section' }, [
  heading, element('div', { class: 'ms-section__content' }, [status, filter, empty, table, pager]),
]));
applyFilter();
render();
performance.mark(READY_MARK);
